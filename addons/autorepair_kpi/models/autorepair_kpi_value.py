from odoo import api, fields, models


class AutorepairKpiValue(models.Model):
    """One staff member's figure for one month, with the counts it is made of
    and the records behind it (graph and pivot of the dashboard)."""

    _name = "autorepair.kpi.value"
    _description = "Monthly Figure"
    _inherit = ["autorepair.kpi.statement.detail.mixin"]
    _order = "month desc, user_id, sequence, id"

    definition_id = fields.Many2one("autorepair.kpi.definition", string="Figure", required=True, index=True,
                                    ondelete="restrict")
    sequence = fields.Integer(related="definition_id.sequence", store=True)
    unit = fields.Selection(related="definition_id.unit")
    numerator = fields.Float(aggregator="sum")
    denominator = fields.Float(string="Out Of", aggregator="sum")
    value = fields.Float(aggregator="avg", digits=(16, 1))
    target = fields.Float(aggregator="avg", digits=(16, 1))
    is_met = fields.Boolean(string="Target Met")

    _sql_constraints = [
        ("statement_definition_uniq", "unique(statement_id, definition_id)", "One figure per statement and KPI."),
    ]

    @api.depends("definition_id.name", "user_id.name")
    def _compute_display_name(self):
        for value in self:
            value.display_name = self.env._(
                "%(figure)s: %(user)s", figure=value.definition_id.name or "", user=value.user_id.name or "")
