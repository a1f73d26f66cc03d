from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# what a closed day (日结) freezes on its payments
LOCKED_FIELDS = frozenset({
    "amount", "date", "journal_id", "partner_id", "payment_method_line_id", "currency_id", "payment_type",
    "partner_type", "memo", "payment_reference", "outstanding_account_id", "destination_account_id",
    "autorepair_transaction_ref",
})
# what only the cashier's desk records (the payment wizard and the day close, after their checks)
DESK_FIELDS = frozenset({
    "autorepair_cashier_id", "autorepair_service_order_id", "autorepair_cash_tendered", "autorepair_change",
    "autorepair_close_id",
})


class AccountPayment(models.Model):
    _inherit = "account.payment"

    autorepair_payment_method = fields.Selection(related="journal_id.autorepair_payment_method")
    autorepair_transaction_ref = fields.Char(
        string="Transaction Number", copy=False, index="btree_not_null", tracking=True,
        help="The number of the card terminal's slip or of the WeChat Pay / Alipay transaction (交易流水号).")
    autorepair_cashier_id = fields.Many2one(
        "res.users", string="Cashier", readonly=True, copy=False, index="btree_not_null", ondelete="restrict")
    autorepair_service_order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", readonly=True, copy=False, index="btree_not_null",
        ondelete="restrict")
    autorepair_cash_tendered = fields.Monetary(string="Cash Tendered", readonly=True, copy=False)
    autorepair_change = fields.Monetary(string="Change Given", readonly=True, copy=False)
    autorepair_close_id = fields.Many2one(
        "autorepair.cashier.close", string="Day Close", readonly=True, copy=False, index="btree_not_null",
        ondelete="restrict")

    _sql_constraints = [
        ("autorepair_transaction_ref_unique", "unique(journal_id, autorepair_transaction_ref)",
         "This transaction number has already been recorded in this journal."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(DESK_FIELDS & vals.keys() for vals in vals_list):
            raise AccessError(self.env._("The cashier's desk records these values through its Take Payment window."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and DESK_FIELDS & vals.keys():
            raise AccessError(self.env._("The cashier's desk records these values through its Take Payment window."))
        changing = self.filtered(lambda payment: any(
            payment[fname] != payment._fields[fname].convert_to_record(
                payment._fields[fname].convert_to_cache(vals[fname], payment), payment)
            for fname in LOCKED_FIELDS & vals.keys()))
        if vals.get("state") in ("draft", "canceled", "rejected"):
            changing = self
        changing._autorepair_check_not_closed()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed_day(self):
        self._autorepair_check_not_closed()

    def _autorepair_check_not_closed(self):
        """A payment of a closed day (日结) is what the cashier counted and
        handed over: it is not changed, cancelled or deleted afterwards."""
        closed = self.sudo().filtered(lambda payment: payment.autorepair_close_id.state == "closed")
        if closed:
            raise UserError(self.env._(
                "%(payments)s belongs to the closed day %(close)s: it can no longer be changed or cancelled. "
                "Record a refund or a correction today instead.",
                payments=", ".join(closed.mapped("name")), close=closed[0].autorepair_close_id.display_name))
