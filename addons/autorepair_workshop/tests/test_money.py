from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestLoyaltyFromInvoices(ServiceOrderCase):
    """Points are earned by the suite when a service invoice is paid, and a
    credit note takes back the share of what it refunds, once."""

    def _invoiced_order(self):
        order = self._received_order(lines=2)  # 1.5 h x 200 + 2 x 200 = 700 untaxed
        self._approve_all(order)
        self._work_and_check(order)
        order.with_user(self.user_advisor).action_create_invoice()
        return order, order.invoice_ids

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({})._create_payments()

    def _balance(self):
        self.customer.invalidate_recordset(["loyalty_points"])
        return self.customer.loyalty_points

    def _moves(self, move_type):
        """The lines of the customer's points card for invoices: earned on a
        paid invoice, or taken back by a credit note."""
        lines = self.env["loyalty.history"].search([
            ("card_id.partner_id", "=", self.customer.id), ("autorepair_points_invoice_id", "!=", False)])
        kind = "out_invoice" if move_type == "earn" else "out_refund"
        return lines.filtered(lambda line: line.autorepair_points_invoice_id.move_type == kind)

    def _refund(self, invoice, amount=None):
        """A credit note of the invoice as accounting makes it: in full by
        Odoo's reversal wizard, or partial."""
        if amount is None:
            reversal = self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids).create({
                    "reason": "退款", "journal_id": invoice.journal_id.id})
            refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
            refund.action_post()
            return refund
        refund = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": invoice.partner_id.id, "reversed_entry_id": invoice.id,
            "invoice_date": invoice.invoice_date, "journal_id": invoice.journal_id.id,
            "invoice_line_ids": [(0, 0, {"name": "优惠", "quantity": 1, "price_unit": amount, "tax_ids": []})],
        })
        return refund

    def test_points_on_payment_only(self):
        _order, invoice = self._invoiced_order()
        self.assertEqual(self._balance(), 0, "a posted, unpaid invoice earns nothing")
        self._pay(invoice)
        earn = self._moves("earn")
        self.assertEqual(earn.autorepair_points_invoice_id, invoice)
        self.assertEqual(earn.card_id, self.customer._autorepair_points_card())
        self.assertEqual((earn.issued, earn.used), (int(invoice.amount_total), 0))
        self.assertEqual(self._balance(), int(invoice.amount_total))
        # the hook may run again (in payment, then paid): nothing is earned twice
        invoice._invoice_paid_hook()
        invoice._autorepair_earn_points()
        self.assertEqual(len(self._moves("earn")), 1)
        self.assertEqual(self._balance(), int(invoice.amount_total))

    def test_rate_of_settings(self):
        self.env.company.autorepair_crm_points_per_yuan = 2
        _order, invoice = self._invoiced_order()
        self._pay(invoice)
        self.assertEqual(self._balance(), int(invoice.amount_total * 2))

    def test_credit_note_takes_the_points_back_once(self):
        _order, invoice = self._invoiced_order()
        self._pay(invoice)
        earned = self._balance()
        refund = self._refund(invoice)
        self.assertEqual(refund.state, "posted")
        back = self._moves("reverse")
        self.assertEqual((back.used, back.autorepair_points_invoice_id), (earned, refund))
        self.assertEqual(self._balance(), 0)
        # run twice: still once
        refund._autorepair_take_back_points()
        invoice._autorepair_earn_points()
        self.assertEqual(len(self._moves("reverse")), 1)
        self.assertEqual(self._balance(), 0)

    def test_partial_credit_note_takes_its_share(self):
        _order, invoice = self._invoiced_order()
        self._pay(invoice)
        earned = self._balance()
        refund = self._refund(invoice, amount=invoice.amount_total / 4)
        refund.action_post()
        self.assertEqual(self._moves("reverse").used, round(earned / 4))
        # a second credit note for more than remains takes back no more than was earned
        second = self._refund(invoice, amount=invoice.amount_total)
        second.action_post()
        self.assertEqual(sum(self._moves("reverse").mapped("used")), earned)
        self.assertEqual(self._balance(), 0)

    def test_credit_note_after_redemption_leaves_a_debt(self):
        """Points spent before the refund are owed: the balance goes negative,
        accounting is never blocked by the ledger."""
        _order, invoice = self._invoiced_order()
        self._pay(invoice)
        self.customer.with_user(self.user_advisor).action_loyalty_redeem(self._balance(), "保养券")
        refund = self._refund(invoice)
        self.assertEqual(refund.state, "posted")
        self.assertEqual(self._balance(), -int(invoice.amount_total))

    def test_credit_note_before_payment(self):
        """Refunded before it was paid: the points are taken back when it is."""
        _order, invoice = self._invoiced_order()
        refund = self._refund(invoice, amount=invoice.amount_total / 2)
        refund.action_post()
        self.assertFalse(self._moves("reverse"))
        self._pay(invoice)
        earned = self._moves("earn").issued
        self.assertEqual(self._balance(), earned - round(earned / 2))


@tagged("post_install", "-at_install")
class TestGoodwillAllowance(ServiceOrderCase):
    """Goodwill lines are money the dealer gives: an advisor grants up to the
    amount of Settings per order, a service manager above it."""

    def setUp(self):
        super().setUp()
        self.env.company.autorepair_workshop_goodwill_approval_amount = 100
        self.order = self._received_order(lines=0)
        self.Line = self.env["autorepair.service.order.line"]

    def _line(self, user, price, bill_to="goodwill"):
        return self.Line.with_user(user).create({
            "order_id": self.order.id, "line_type": "other", "name": "洗车", "quantity": 1, "price_unit": price,
            "bill_to": bill_to, "tax_ids": [],
        })

    def test_at_or_below_the_allowance(self):
        self._line(self.user_advisor, 60)
        self._line(self.user_advisor, 40)
        self.assertAlmostEqual(self.order._goodwill_value(), 100)

    def test_above_the_allowance_needs_a_manager(self):
        self._line(self.user_advisor, 60)
        with self.assertRaises(AccessError):
            self._line(self.user_advisor, 41)
        paid = self._line(self.user_advisor, 500, bill_to="customer")
        with self.assertRaises(AccessError):
            paid.with_user(self.user_advisor).bill_to = "goodwill"
        self.assertEqual(paid.bill_to, "customer")
        self._line(self.user_manager, 300)
        self.assertAlmostEqual(self.order._goodwill_value(), 360)
        # a customer line beside the manager's goodwill is the advisor's to add
        self._line(self.user_advisor, 80, bill_to="customer")
