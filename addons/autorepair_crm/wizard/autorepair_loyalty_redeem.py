from odoo import fields, models


class AutorepairLoyaltyRedeem(models.TransientModel):
    """Redeem points from the customer's form: the balance is checked by the
    customer's own step (``res.partner.action_loyalty_redeem``)."""

    _name = "autorepair.loyalty.redeem"
    _description = "Redeem Loyalty Points"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade")
    balance = fields.Integer(related="partner_id.loyalty_points", string="Balance")
    points = fields.Integer(required=True, default=1)
    description = fields.Char(string="Redeemed For", required=True)

    def action_redeem(self):
        self.ensure_one()
        self.partner_id.action_loyalty_redeem(self.points, self.description)
        return {"type": "ir.actions.act_window_close"}
