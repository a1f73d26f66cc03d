from odoo import api, models
from odoo.exceptions import UserError


class ReportAutorepairGatePass(models.AbstractModel):
    """The gate pass (出门证) exists only for a car that was released: the
    guard lets out what the advisor released, paid or on approved credit."""

    _name = "report.autorepair_workshop.report_gate_pass"
    _description = "Gate Pass"

    @api.model
    def _get_report_values(self, docids, data=None):
        orders = self.env["autorepair.service.order"].browse(docids)
        if missing := orders.filtered(lambda o: not o.released_by_id):
            raise UserError(self.env._(
                "%(order)s has not been released: its gate pass is printed when the advisor lets the car out.",
                order=missing[0].name))
        return {"doc_ids": docids, "doc_model": orders._name, "docs": orders}
