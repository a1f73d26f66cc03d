from odoo import api, fields, models


class AutorepairKpiValue(models.Model):
    """One staff member's figure for one month, with the counts it is made of
    and the records behind it (dashboard, graph and pivot). A figure with
    nothing to count (no denominator) has no value: value and is_met stay
    NULL in the table, so averages leave it out and it reads "No data",
    never 0 or "target missed"."""

    _name = "autorepair.kpi.value"
    _description = "Monthly Figure"
    _inherit = ["autorepair.kpi.statement.detail.mixin"]
    _order = "month desc, user_id, sequence, id"

    definition_id = fields.Many2one("autorepair.kpi.definition", string="Figure", required=True, index=True,
                                    ondelete="restrict")
    sequence = fields.Integer(related="definition_id.sequence", store=True)
    unit = fields.Selection(related="definition_id.unit")
    higher_is_better = fields.Boolean(related="definition_id.higher_is_better")
    numerator = fields.Float(aggregator="sum")
    denominator = fields.Float(string="Out Of", aggregator="sum")
    has_data = fields.Boolean(compute="_compute_has_data", store=True, help="Something was counted this month.")
    value = fields.Float(aggregator="avg", digits=(16, 1))
    target = fields.Float(aggregator="avg", digits=(16, 1))
    is_met = fields.Boolean(string="Target Met")
    value_display = fields.Char(string="Result", compute="_compute_display_figures")
    target_display = fields.Char(string="Goal", compute="_compute_display_figures")

    _sql_constraints = [
        ("statement_definition_uniq", "unique(statement_id, definition_id)", "One figure per statement and KPI."),
    ]

    @api.depends("denominator")
    def _compute_has_data(self):
        for value in self:
            value.has_data = bool(value.denominator)

    @api.depends("has_data", "value", "target", "unit", "higher_is_better")
    def _compute_display_figures(self):
        for value in self:
            value.value_display = (value.definition_id._format_figure(value.value) if value.has_data
                                   else self.env._("No data"))
            sign = "≥" if value.higher_is_better else "≤"
            value.target_display = f"{sign} {value.definition_id._format_figure(value.target)}"

    @api.depends("definition_id.name", "user_id.name")
    def _compute_display_name(self):
        for value in self:
            value.display_name = self.env._(
                "%(figure)s: %(user)s", figure=value.definition_id.name or "", user=value.user_id.name or "")
