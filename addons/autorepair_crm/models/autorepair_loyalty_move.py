from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairLoyaltyMove(models.Model):
    """A line of a customer's points ledger (RULEBOOK §9). The balance is the sum
    of the moves; moves are never edited, a mistake is corrected by an
    adjustment move so that the history stays readable."""

    _name = "autorepair.loyalty.move"
    _description = "Loyalty Points Move"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    move_type = fields.Selection(
        [("earn", "Earned"), ("redeem", "Redeemed"), ("adjust", "Adjustment")],
        string="Type",
        required=True,
        default="earn",
    )
    points = fields.Integer(required=True, help="Positive when earned, negative when redeemed.")
    description = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    user_id = fields.Many2one("res.users", string="Recorded By", default=lambda self: self.env.user)
    invoice_id = fields.Many2one(
        "account.move", string="Paid Invoice", readonly=True, ondelete="restrict", index="btree_not_null"
    )

    _sql_constraints = [
        ("invoice_uniq", "unique(invoice_id)", "Points were already earned for this invoice."),
    ]

    @api.constrains("move_type", "points")
    def _check_points_sign(self):
        for move in self:
            if not move.points:
                raise ValidationError(self.env._("A loyalty move must earn or redeem at least one point."))
            if move.move_type == "earn" and move.points < 0:
                raise ValidationError(self.env._("Earned points must be positive."))
            if move.move_type == "redeem" and move.points > 0:
                raise ValidationError(self.env._("Redeemed points must be negative."))

    @api.constrains("partner_id", "points")
    def _check_balance(self):
        balances = self.partner_id._loyalty_balances()
        for partner in self.partner_id:
            if balances.get(partner.id, 0) < 0:
                raise ValidationError(
                    self.env._(
                        "Not enough points: %(customer)s would end with a balance of %(balance)s.",
                        customer=partner.display_name,
                        balance=balances[partner.id],
                    )
                )

    @api.model
    def _earn_for_invoices(self, invoices):
        """Earn points on paid service-order invoices, once each, at the rate
        of the invoice's company."""
        done = set(self.search([("invoice_id", "in", invoices.ids)]).invoice_id.ids)
        points = {
            invoice: int(invoice.amount_total_signed * invoice.company_id._autorepair_crm_setting("points_per_yuan"))
            for invoice in invoices if invoice.id not in done
        }
        self.create([
            {
                "partner_id": invoice.commercial_partner_id.id,
                "company_id": invoice.company_id.id,
                "move_type": "earn",
                "points": count,
                "description": self.env._("Paid %(invoice)s", invoice=invoice.name),
                "invoice_id": invoice.id,
            }
            for invoice, count in points.items() if count > 0
        ])

    @api.constrains("move_type")
    def _check_adjust_by_manager(self):
        if self.env.su or self.env.user.has_group("autorepair_crm.group_manager"):
            return
        if any(move.move_type == "adjust" for move in self):
            raise ValidationError(self.env._("Only a service manager may adjust loyalty points."))
