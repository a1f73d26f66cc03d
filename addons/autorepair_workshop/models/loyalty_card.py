from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

ADVISOR = "autorepair_workshop.group_advisor"
MANAGER = "autorepair_crm.group_manager"


class LoyaltyCard(models.Model):
    """A stored-value card (储值卡) is topped up by an invoice of its top-up
    product into the prepaid liability account; once paid, the card is
    credited with the money and the program's bonus, and the bonus is booked
    from the selling expense to the same liability, so that the liability
    always equals the cards' balances. A refund of the unused balance gives
    back the money paid, never the bonus (the card's terms)."""

    _inherit = "loyalty.card"

    autorepair_bonus_points = fields.Float(
        string="Bonus Not Refundable", readonly=True, copy=False,
        help="The top-up bonus credited to the card: a refund of the balance keeps it back.")
    # a count card's money still in the prepaid liability: each use takes its share out
    autorepair_prepaid_value = fields.Float(
        string="Prepaid Value Left", readonly=True, copy=False,
        help="What the customer paid for the uses left on a count card, held in the prepaid liability.")
    autorepair_top_up_ids = fields.One2many(
        "account.move", "autorepair_top_up_card_id", string="Top-ups and Refunds", readonly=True)

    # ------------------------------------------------------------------ top-up

    @api.private
    def _autorepair_top_up_invoice(self, amount):
        """The invoice of a top-up of ``amount``, posted: the customer owes
        it; the card is credited when it is paid (_autorepair_credit_top_ups)."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group(ADVISOR):
            raise AccessError(self.env._("Only a service advisor or cashier sells card top-ups."))
        card = self.sudo()
        program = card.program_id
        if not program._autorepair_is_prepaid():
            raise UserError(self.env._("Only a stored-value card or a count card is sold for prepaid money."))
        if amount <= 0:
            raise UserError(self.env._("Top up a positive amount."))
        company = program.company_id or self.env.company
        product = program._autorepair_top_up_product()
        accounts = company._autorepair_member_card_accounts()
        invoice = self.env["account.move"].with_company(company).create({
            "move_type": "out_invoice",
            "partner_id": card.partner_id.id,
            "company_id": company.id,
            "invoice_date": fields.Date.context_today(self),
            "autorepair_top_up_card_id": card.id,
            "invoice_line_ids": [fields.Command.create({
                "product_id": product.id,
                "name": self.env._("Top-up of %(card)s (%(program)s)", card=card.code, program=program.name),
                "quantity": 1.0,
                "price_unit": amount,
                # prepaid money is not a sale yet: VAT is due when the card is used on an order
                "tax_ids": [fields.Command.clear()],
                "account_id": accounts["prepaid"].id,
            })],
        })
        invoice.action_post()
        return invoice

    @api.model
    def _autorepair_credit_top_ups(self, invoices):
        """Credit the cards of paid top-up invoices, once per invoice (the
        card's history names it), and book their bonus."""
        History = self.env["loyalty.history"].sudo()
        for invoice in invoices.sudo():
            card = invoice.autorepair_top_up_card_id
            if History.search_count([("card_id", "=", card.id), ("order_model", "=", invoice._name),
                                     ("order_id", "=", invoice.id)], limit=1):
                continue
            amount = invoice.amount_total
            points, bonus = card.program_id._autorepair_top_up_points(amount)
            card._autorepair_lock()
            card._autorepair_points_move(
                points + bonus, self.env._("Top-up %(invoice)s: %(amount)s, bonus %(bonus)s",
                                           invoice=invoice.name, amount=amount, bonus=bonus), record=invoice,
                values={"autorepair_bonus_points": card.autorepair_bonus_points + bonus,
                        "autorepair_prepaid_value": card.autorepair_prepaid_value
                        + (amount if card.program_id.program_type != "ewallet" else 0.0)})
            if bonus:
                card._autorepair_book_bonus(bonus, invoice.name, forfeit=False)

    def _autorepair_book_bonus(self, points, ref, forfeit=False):
        """A bonus granted (selling expense to the prepaid liability), or
        forfeited on a refund (back from the liability to the expense)."""
        self.ensure_one()
        company = self.program_id.company_id or self.env.company
        accounts = company._autorepair_member_card_accounts()
        value = company.currency_id.round(points * (self.program_id.reward_ids[:1].discount or 1.0))
        journal = self.env["account.journal"].sudo().search(
            [("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
        debit, credit = accounts["bonus"], accounts["prepaid"]
        if forfeit:
            debit, credit = credit, debit
        label = (self.env._("Bonus forfeited on refund of %(card)s", card=self.code) if forfeit
                 else self.env._("Top-up bonus of %(card)s", card=self.code))
        entry = self.env["account.move"].sudo().with_company(company).create({
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": fields.Date.context_today(self),
            "ref": ref,
            "autorepair_top_up_card_id": self.id,
            "line_ids": [
                fields.Command.create({"account_id": debit.id, "partner_id": self.partner_id.id, "name": label,
                                       "debit": value, "credit": 0.0}),
                fields.Command.create({"account_id": credit.id, "partner_id": self.partner_id.id, "name": label,
                                       "debit": 0.0, "credit": value}),
            ],
        })
        entry.action_post()
        return entry

    # ------------------------------------------------------------------ refund

    def action_autorepair_refund_balance(self):
        """Refund the unused balance of a stored-value card by a credit note
        of the money paid; the bonus still on the card is forfeited (the
        card's terms). Money leaving the shop: a service manager's act."""
        if not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("Only a service manager refunds a stored-value card."))
        for card in self.sudo():
            if card.program_id.program_type != "ewallet":
                raise UserError(self.env._("Only a stored-value card is refunded."))
            card._autorepair_refund_balance()
        return True

    def _autorepair_refund_balance(self):
        self.ensure_one()
        balance = self._autorepair_lock()
        if balance <= 0:
            raise UserError(self.env._("%(card)s has no balance to refund.", card=self.code))
        per_point = self.program_id.reward_ids[:1].discount or 1.0
        forfeited = min(balance, self.autorepair_bonus_points)
        refundable = balance - forfeited
        company = self.program_id.company_id or self.env.company
        refund = self.env["account.move"]
        if refundable > 0:
            refund = refund.with_company(company).create({
                "move_type": "out_refund",
                "partner_id": self.partner_id.id,
                "company_id": company.id,
                "invoice_date": fields.Date.context_today(self),
                "autorepair_top_up_card_id": self.id,
                "invoice_line_ids": [fields.Command.create({
                    "product_id": self.program_id._autorepair_top_up_product().id,
                    "name": self.env._("Refund of the balance of %(card)s", card=self.code),
                    "quantity": 1.0,
                    "price_unit": company.currency_id.round(refundable * per_point),
                    "tax_ids": [fields.Command.clear()],
                    "account_id": company._autorepair_member_card_accounts()["prepaid"].id,
                })],
            })
            refund.action_post()
        if forfeited > 0:
            self._autorepair_book_bonus(forfeited, self.code, forfeit=True)
        self._autorepair_points_move(
            -balance, self.env._("Balance refunded: %(refunded)s, bonus forfeited: %(forfeited)s",
                                 refunded=refundable, forfeited=forfeited),
            record=refund or None, values={"autorepair_bonus_points": 0.0})
        return refund
