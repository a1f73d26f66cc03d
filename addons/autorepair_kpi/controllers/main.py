import tempfile

from odoo import fields, http
from odoo.http import content_disposition, request


class AutorepairKpiController(http.Controller):
    @http.route("/autorepair_kpi/export/<string:month_from>/<string:month_to>", type="http", auth="user")
    def export_statements(self, month_from, month_to):
        """The month's statements and figures as an Excel file, written to a
        temporary file (xlsxwriter's constant-memory mode) and streamed."""
        date_from, date_to = fields.Date.to_date(month_from), fields.Date.to_date(month_to)
        # a temporary file keeps a year of statements out of the worker's memory
        with tempfile.TemporaryFile(suffix=".xlsx") as output:
            request.env["autorepair.kpi.statement"]._write_xlsx(output, date_from, date_to)
            output.seek(0)
            data = output.read()
        filename = request.env._("Statements %(month)s.xlsx", month=date_from.strftime("%Y-%m"))
        return request.make_response(data, headers=[
            ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("Content-Disposition", content_disposition(filename)),
        ])
