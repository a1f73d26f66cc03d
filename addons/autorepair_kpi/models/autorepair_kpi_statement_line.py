from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairKpiStatementLine(models.Model):
    """A reward or penalty of a monthly statement, proposed by a rule or added
    by the manager, with the records that caused it."""

    _name = "autorepair.kpi.statement.line"
    _description = "Statement Line"
    _inherit = ["autorepair.kpi.statement.detail.mixin"]
    _order = "statement_id, sequence, id"
    _rec_name = "rule_id"

    currency_id = fields.Many2one(related="statement_id.currency_id")
    sequence = fields.Integer(default=10)
    rule_id = fields.Many2one("autorepair.kpi.rule", string="Rule", required=True, ondelete="restrict", index=True)
    name = fields.Char(string="Details", help="What happened, in the manager's words.")
    # depends on the rule, not on its kind: editing a rule leaves closed months as they were
    kind = fields.Selection([("penalty", "Penalty"), ("reward", "Reward")], compute="_compute_kind", store=True,
                            precompute=True)
    is_automatic = fields.Boolean(readonly=True, help="Proposed by the rule when the month was computed.")
    definition_id = fields.Many2one("autorepair.kpi.definition", string="Figure", ondelete="set null")
    value = fields.Float(string="Figure Value", digits=(16, 1))
    value_display = fields.Char(string="Figure Result", compute="_compute_value_display")
    quantity = fields.Float(default=1.0, digits=(16, 0))
    amount_min = fields.Monetary(string="From")
    amount_max = fields.Monetary(string="Up To")
    amount_unit = fields.Monetary(string="Unit Amount", compute="_compute_amount_unit", store=True,
                                  readonly=False, precompute=True)
    amount = fields.Monetary(compute="_compute_amount", store=True)
    is_exempt = fields.Boolean(string="Exempt")
    exempt_reason = fields.Text(string="Exemption Reason")

    @api.depends("rule_id")
    def _compute_kind(self):
        for line in self:
            line.kind = line.rule_id.kind

    @api.depends("definition_id.unit", "value")
    def _compute_value_display(self):
        for line in self:
            line.value_display = line.definition_id._format_figure(line.value) if line.definition_id else False

    @api.depends("rule_id")
    def _compute_amount_unit(self):
        for line in self:
            line.amount_unit = line.statement_id.bonus if line.rule_id.amount_is_bonus else line.rule_id.amount

    @api.depends("quantity", "amount_unit", "is_exempt")
    def _compute_amount(self):
        for line in self:
            line.amount = 0.0 if line.is_exempt else line.quantity * line.amount_unit

    @api.constrains("is_exempt", "exempt_reason")
    def _check_exempt_reason(self):
        for line in self:
            if line.is_exempt and not (line.exempt_reason or "").strip():
                raise ValidationError(self.env._(
                    "Give the reason of the exemption of %(line)s.", line=line.rule_id.name))

    @api.constrains("amount_unit", "amount_min", "amount_max")
    def _check_amount_range(self):
        for line in self:
            if line.amount_max and not line.amount_min <= line.amount_unit <= line.amount_max:
                raise ValidationError(self.env._(
                    "The amount of %(line)s goes from %(low)s to %(high)s.",
                    line=line.rule_id.name, low=line.amount_min, high=line.amount_max))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            rule = self.env["autorepair.kpi.rule"].browse(vals.get("rule_id"))
            vals.setdefault("amount_min", rule.amount if rule.amount_max else 0.0)
            vals.setdefault("amount_max", rule.amount_max)
        return super().create(vals_list)
