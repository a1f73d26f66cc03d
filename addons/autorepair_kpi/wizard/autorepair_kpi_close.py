from odoo import fields, models


def _previous_month(_self):
    return fields.Date.subtract(fields.Date.context_today(_self).replace(day=1), months=1)


class AutorepairKpiClose(models.TransientModel):
    """The monthly close: compute the staff's figures and proposed rewards and
    penalties of a month, or export the month to Excel."""

    _name = "autorepair.kpi.close"
    _description = "Monthly Close"

    month = fields.Date(required=True, default=_previous_month, help="Any day of the month to close.")

    def _month(self):
        return self.month.replace(day=1)

    def action_compute(self):
        self.ensure_one()
        self.env["autorepair.kpi.statement"]._close_month(self._month())
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_kpi.autorepair_kpi_statement_action")
        action["domain"] = [("month", "=", self._month())]
        return action

    def action_export(self):
        self.ensure_one()
        month = fields.Date.to_string(self._month())
        return {"type": "ir.actions.act_url", "url": f"/autorepair_kpi/export/{month}/{month}", "target": "download"}
