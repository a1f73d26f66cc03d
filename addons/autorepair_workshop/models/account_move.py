from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class AccountMove(models.Model):
    _inherit = "account.move"

    autorepair_service_order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", index="btree_not_null", readonly=True, copy=False,
        ondelete="restrict",
    )
    # l10n_cn's own ``fapiao`` field takes the 8 digits of a paper fapiao only, and the
    # suite does not install the Chinese chart: a digital fapiao (数电票) has 20 digits
    autorepair_fapiao_number = fields.Char(
        string="Fapiao Number", copy=False, tracking=True, index="btree_not_null",
        help="The number of the fapiao issued for this invoice: 20 digits for a digital fapiao (数电票), "
        "8 for a paper one. Printed on the settlement statement.")
    # a stored-value card's top-up invoice, its refund, its bonus entries
    autorepair_top_up_card_id = fields.Many2one(
        "loyalty.card", string="Member Card", index="btree_not_null", readonly=True, copy=False, ondelete="restrict",
    )

    @api.constrains("autorepair_fapiao_number")
    def _check_autorepair_fapiao_number(self):
        for move in self.filtered("autorepair_fapiao_number"):
            number = move.autorepair_fapiao_number
            if not number.isdigit() or len(number) not in (8, 20):
                raise ValidationError(self.env._(
                    "%(number)s is not a fapiao number: 20 digits for a digital fapiao, 8 for a paper one.",
                    number=number))

    def action_autorepair_issue_fapiao(self):
        """Issue the digital fapiao (数电票) of these invoices."""
        return self._autorepair_issue_fapiao()

    def _autorepair_issue_fapiao(self):
        """Extension point: an addon connecting a tax service provider (税控/数电票
        服务商) overrides this to issue the fapiao of these invoices and write
        their ``autorepair_fapiao_number``. None is configured here."""
        raise UserError(self.env._(
            "No fapiao provider is configured: issue the fapiao on the tax bureau's platform and enter its "
            "number on the invoice."))

    def button_draft(self):
        # the journal entry of a payment of a closed day (日结) stays as counted
        self.sudo().origin_payment_id._autorepair_check_not_closed()
        return super().button_draft()

    def button_cancel(self):
        self.sudo().origin_payment_id._autorepair_check_not_closed()
        return super().button_cancel()

    def _invoice_paid_hook(self):
        """Points in proportion to what the customer paid (RULEBOOK §9), once per invoice:
        not for what the maker (warranty) or the insurer (accident repair) paid."""
        res = super()._invoice_paid_hook()
        self.sudo().filtered(
            lambda move: move.autorepair_service_order_id and move.move_type == "out_invoice"
            and move.commercial_partner_id == move.autorepair_service_order_id.sudo().partner_id.commercial_partner_id
        )._autorepair_earn_points()
        self.env["loyalty.card"].sudo()._autorepair_credit_top_ups(self.filtered(
            lambda move: move.autorepair_top_up_card_id and move.move_type == "out_invoice"))
        return res

    def _post(self, soft=True):
        """A credit note of a service-order invoice takes back the points that
        invoice earned, in proportion to what it refunds (once per credit note)."""
        self._autorepair_check_reward_lines()
        posted = super()._post(soft=soft)
        refunds = posted.filtered(lambda move: move.move_type == "out_refund"
                                  and move.reversed_entry_id.autorepair_service_order_id)
        if refunds:
            refunds.sudo()._autorepair_take_back_points()
            self.env["autorepair.service.order.reward"].sudo()._autorepair_give_back(refunds)
        return posted

    def _autorepair_check_reward_lines(self):
        """A redeemed card pays on its own order's invoice, once: a copy of
        that invoice cannot spend the card's money a second time. A top-up
        already credited to its card is refunded from the card (Refund
        Balance), not by reversing its invoice: the liability would no
        longer be what the cards hold."""
        History = self.env["loyalty.history"].sudo()
        for move in self.filtered(lambda m: m.move_type == "out_refund" and not m.autorepair_top_up_card_id):
            top_up = move.reversed_entry_id.sudo()
            if top_up.autorepair_top_up_card_id and History.search_count([
                    ("card_id", "=", top_up.autorepair_top_up_card_id.id), ("order_model", "=", top_up._name),
                    ("order_id", "=", top_up.id)], limit=1):
                raise UserError(self.env._(
                    "%(invoice)s has been credited to card %(card)s: refund the card's balance from the card.",
                    invoice=top_up.name, card=top_up.autorepair_top_up_card_id.code))
        for move in self.filtered(lambda m: m.move_type == "out_invoice"):
            for line in move.invoice_line_ids.filtered("autorepair_reward_id"):
                reward = line.sudo().autorepair_reward_id
                others = reward.invoice_line_ids.filtered(
                    lambda ln, m=move: ln.move_id != m and ln.move_id.move_type == "out_invoice"
                    and ln.parent_state == "posted")
                if reward.order_id != move.autorepair_service_order_id or others:
                    raise UserError(self.env._(
                        "%(reward)s was redeemed on %(order)s and is paid on its invoice only.",
                        reward=reward.description, order=reward.order_id.name))


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    autorepair_line_id = fields.Many2one(
        "autorepair.service.order.line", string="Service Order Line", index="btree_not_null", copy=False,
        ondelete="set null",
    )
    # copied by a reversal: the credit note gives the card back what the invoice's line took
    autorepair_reward_id = fields.Many2one(
        "autorepair.service.order.reward", string="Redeemed Card", index="btree_not_null", ondelete="restrict",
    )

    def _eligible_for_cogs(self):
        """A service order's parts were booked to the cost of goods sold when
        the storekeeper issued them (the consumption location's accounts), and
        back when he took them back: anglo-saxon invoicing must not book their
        cost a second time, on the invoice nor on its credit note."""
        move = self.move_id
        return super()._eligible_for_cogs() and not (
            self.autorepair_line_id or move.autorepair_service_order_id
            or move.reversed_entry_id.autorepair_service_order_id)
