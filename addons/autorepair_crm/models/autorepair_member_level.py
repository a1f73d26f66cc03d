from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairMemberLevel(models.Model):
    """A member level (会员等级) of a company, e.g. 普卡, 银卡, 金卡: reached by
    the customer's points or his spend (untaxed, net of credit notes, over
    the value-class window), it gives a discount on the labour and/or parts
    lines of his quotes (frozen on the line once quoted)."""

    _name = "autorepair.member.level"
    _description = "Member Level"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Lowest level first: a customer gets the last level he reaches.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_points = fields.Integer(
        string="From Points", help="Reached with at least this many points (0: points do not count).")
    min_spend = fields.Monetary(
        string="From Spend", help="Reached with at least this spend over the value-class window "
        "(untaxed, net of credit notes; 0: spend does not count).")
    labour_discount = fields.Float(string="Labour Discount (%)", digits="Discount")
    parts_discount = fields.Float(string="Parts Discount (%)", digits="Discount")

    @api.constrains("min_points", "min_spend", "labour_discount", "parts_discount")
    def _check_numbers(self):
        for level in self:
            if level.min_points < 0 or level.min_spend < 0:
                raise ValidationError(self.env._("A member level's thresholds cannot be negative."))
            if not (0 <= level.labour_discount <= 100 and 0 <= level.parts_discount <= 100):
                raise ValidationError(self.env._("A member level's discounts are between 0 and 100%."))

    def _is_reached(self, points, spend):
        """An entry level (no threshold) is reached by everyone; another by
        either of its thresholds."""
        self.ensure_one()
        if not self.min_points and not self.min_spend:
            return True
        return bool((self.min_points and points >= self.min_points) or (self.min_spend and spend >= self.min_spend))

    def _discount_for(self, line_type):
        """The level's discount (%) for a quote line of this type."""
        return {"labour": self.labour_discount, "part": self.parts_discount}.get(line_type, 0.0) if self else 0.0
