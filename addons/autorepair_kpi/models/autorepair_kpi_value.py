import json

from odoo import api, fields, models
from odoo.exceptions import UserError


class AutorepairKpiValue(models.Model):
    """One staff member's figure for one month, with the counts it is made of
    and the records behind it (graph and pivot of the dashboard)."""

    _name = "autorepair.kpi.value"
    _description = "Monthly Figure"
    _order = "month desc, user_id, sequence, id"

    statement_id = fields.Many2one("autorepair.kpi.statement", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(related="statement_id.user_id", store=True, index=True, string="Staff Member")
    month = fields.Date(related="statement_id.month", store=True, index=True)
    company_id = fields.Many2one(related="statement_id.company_id", store=True, index=True)
    definition_id = fields.Many2one("autorepair.kpi.definition", string="Figure", required=True, index=True,
                                    ondelete="restrict")
    sequence = fields.Integer(related="definition_id.sequence", store=True)
    unit = fields.Selection(related="definition_id.unit")
    numerator = fields.Float(aggregator="sum")
    denominator = fields.Float(string="Out Of", aggregator="sum")
    value = fields.Float(aggregator="avg", digits=(16, 1))
    target = fields.Float(aggregator="avg", digits=(16, 1))
    is_met = fields.Boolean(string="Target Met")
    drill_model = fields.Char(string="Records Model")
    drill_domain = fields.Char(string="Records Domain")

    _sql_constraints = [
        ("statement_definition_uniq", "unique(statement_id, definition_id)", "One figure per statement and KPI."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        statements = self.env["autorepair.kpi.statement"].browse({vals["statement_id"] for vals in vals_list})
        statements._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        self.statement_id._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        self.statement_id._check_draft()

    def action_open_records(self):
        self.ensure_one()
        if not self.drill_model:
            raise UserError(self.env._("This figure has no records behind it."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(figure)s: %(user)s", figure=self.definition_id.name, user=self.user_id.name),
            "res_model": self.drill_model,
            "domain": json.loads(self.drill_domain or "[]"),
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "context": {"create": False},
        }
