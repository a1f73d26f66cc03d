from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, add_role_users

from .common import ServiceOrderCase

WECHAT_REF = "4200002026120212345678901234"


class CashierCase(ServiceOrderCase):
    """A settled order at the cashier's desk (收银): the company's payment
    methods, one journal each, and two cashiers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "cash", {"cashier": "autorepair_workshop.group_cashier",
                                     "cashier2": "autorepair_workshop.group_cashier"})
        cls.journals = cls.env.company._autorepair_cashier_journals()

    def _settled_order(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        invoices = self._settle(order)
        return order, invoices.filtered(lambda move: move.partner_id == order.partner_id)

    def _take(self, order, lines, user=None):
        """The cashier registers ``lines`` (method, amount, reference, tendered) on the order."""
        wizard = self.env["autorepair.payment.wizard"].with_user(user or self.user_cashier).create({
            "order_id": order.id,
            "line_ids": [Command.create({
                "journal_id": self.journals[method].id, "amount": amount, "reference": reference,
                "cash_tendered": tendered}) for method, amount, reference, tendered in lines],
        })
        wizard.action_confirm()
        return wizard

    def _payments(self, order):
        return self.env["account.payment"].search([("autorepair_service_order_id", "=", order.id)], order="id")


@tagged("post_install", "-at_install")
class TestCashier(CashierCase):

    def test_payment_methods_are_journals(self):
        """Cash, UnionPay, WeChat Pay, Alipay and transfer: a journal each, created once."""
        self.assertEqual(set(self.journals), {"cash", "unionpay", "wechat", "alipay", "transfer"})
        self.assertEqual(self.journals["cash"].type, "cash")
        self.assertEqual({self.journals[key].type for key in ("unionpay", "wechat", "alipay", "transfer")}, {"bank"})
        self.assertEqual(self.env.company._autorepair_cashier_journals(), self.journals)

    def test_split_payment_wechat_and_cash_with_change(self):
        order, invoice = self._settled_order()
        due = invoice.amount_residual
        self.assertTrue(due > 500)
        action = order.with_user(self.user_cashier).action_open_payment_wizard()
        self.assertEqual(action["res_model"], "autorepair.payment.wizard")
        cash = due - 500
        wizard = self._take(order, [("wechat", 500.0, WECHAT_REF, 0.0), ("cash", cash, False, cash + 50)])
        self.assertEqual(wizard.change_total, 50)
        wechat, cash_payment = self._payments(order)
        self.assertRecordValues(wechat, [{
            "journal_id": self.journals["wechat"].id, "amount": 500.0, "autorepair_transaction_ref": WECHAT_REF,
            "autorepair_cashier_id": self.user_cashier.id, "partner_id": order.partner_id.id,
            "autorepair_change": 0.0}])
        self.assertRecordValues(cash_payment, [{
            "journal_id": self.journals["cash"].id, "amount": cash, "autorepair_cash_tendered": cash + 50,
            "autorepair_change": 50.0, "autorepair_transaction_ref": False}])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.payment_state, "paid")
        self.assertIn(WECHAT_REF, order.message_ids[0].body)
        # nothing left to take
        with self.assertRaises(UserError):
            order.with_user(self.user_cashier).action_open_payment_wizard()

    def test_cashier_settles_a_checked_car(self):
        """The cashier settles at the desk (收银结算): the invoices posted, the car
        still in the workshop until the advisor releases it; a technician cannot."""
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        with self.assertRaises(AccessError):
            order.with_user(self.user_technician).action_create_invoice()
        order.with_user(self.user_cashier).action_create_invoice()
        self.assertEqual(order.invoice_ids.mapped("state"), ["posted"])
        self.assertEqual(order.state, "ready")
        self.assertTrue(order.settled_date)

    def test_cashier_prints_the_statement(self):
        order, _invoice = self._settled_order()
        self._take(order, [("cash", 10.0, False, 10.0)])
        content, _type = self.env["ir.actions.report"].with_user(self.user_cashier)._render_qweb_html(
            "autorepair_workshop.autorepair_service_order_report_statement", order.ids)
        self.assertIn(order.name, content.decode())

    def test_partial_payment_leaves_the_rest_due(self):
        order, invoice = self._settled_order()
        due = invoice.amount_residual
        self._take(order, [("unionpay", 100.0, "000123", 0.0)])
        self.assertEqual(invoice.payment_state, "partial")
        self.assertAlmostEqual(invoice.amount_residual, due - 100)
        self.assertEqual(order.payment_state, "partial")

    def test_reference_required_and_unique(self):
        order, _invoice = self._settled_order()
        for method in ("unionpay", "wechat", "alipay", "transfer"):
            with self.assertRaises(UserError):
                self._take(order, [(method, 10.0, False, 0.0)])
        self.assertFalse(self._payments(order))
        self._take(order, [("alipay", 10.0, "2026120222001", 0.0)])
        other, _invoice = self._settled_order()
        with self.assertRaises(ValidationError):
            self._take(other, [("alipay", 10.0, " 2026120222001 ", 0.0)])
        with self.assertRaises(ValidationError):
            self._take(other, [("wechat", 10.0, "X1", 0.0), ("wechat", 10.0, "X1", 0.0)])
        self.assertFalse(self._payments(other))
        # the same number in another method's journal is another transaction
        self._take(other, [("wechat", 10.0, "2026120222001", 0.0)])

    def test_overpayment_and_short_cash_refused(self):
        order, invoice = self._settled_order()
        due = invoice.amount_residual
        with self.assertRaises(UserError):
            self._take(order, [("wechat", due, WECHAT_REF, 0.0), ("cash", 1.0, False, 1.0)])
        with self.assertRaises(UserError):
            self._take(order, [("cash", 100.0, False, 50.0)])
        with self.assertRaises(UserError):
            self._take(order, [("cash", 0.0, False, 0.0)])
        self.assertFalse(self._payments(order))
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_only_the_desk_takes_payments(self):
        order, _invoice = self._settled_order()
        with self.assertRaises(AccessError):
            order.with_user(self.user_advisor).action_open_payment_wizard()
        with self.assertRaises(AccessError):
            self._take(order, [("cash", 10.0, False, 10.0)], user=self.user_advisor)
        # the desk's values are recorded by its window only
        self._take(order, [("cash", 10.0, False, 20.0)])
        payment = self._payments(order)
        for user in (self.user_cashier, self.user_advisor):
            with self.assertRaises(AccessError):
                payment.with_user(user).write({"autorepair_change": 0.0})
            with self.assertRaises(AccessError):
                payment.with_user(user).write({"autorepair_cashier_id": self.user_cashier2.id})

    def test_day_close_expected_counted_difference(self):
        order, invoice = self._settled_order()
        due = invoice.amount_residual
        self._take(order, [("wechat", 500.0, WECHAT_REF, 0.0), ("cash", due - 500, False, due - 400)])
        # another cashier's takings are not this cashier's day
        other, _invoice = self._settled_order()
        self._take(other, [("cash", 30.0, False, 30.0)], user=self.user_cashier2)
        close = self.env["autorepair.cashier.close"].with_user(self.user_cashier).create({})
        lines = {line.payment_method: line for line in close.line_ids}
        self.assertEqual(set(lines), set(self.journals))
        self.assertEqual(lines["wechat"].expected_amount, 500.0)
        self.assertAlmostEqual(lines["cash"].expected_amount, due - 500)
        self.assertEqual(lines["alipay"].expected_amount, 0.0)
        self.assertEqual(close.expected_total, due)
        lines["wechat"].counted_amount = 500.0
        lines["cash"].counted_amount = due - 510  # ten short in the drawer
        self.assertAlmostEqual(lines["cash"].difference, -10.0)
        with self.assertRaises(UserError):
            close.action_close()
        self.assertEqual(close.state, "draft")
        lines["cash"].reason = "找零多找了10元"
        close.action_close()
        self.assertEqual(close.state, "closed")
        self.assertEqual(self._payments(order).autorepair_close_id, close)
        self.assertFalse(self._payments(other).autorepair_close_id)
        with self.assertRaises(UserError):
            lines["cash"].counted_amount = due - 500
        # a day is closed once; later payments of the day are refused at the desk
        with self.assertRaises(UserError):
            self.env["autorepair.cashier.close"].with_user(self.user_cashier).create({})
        with self.assertRaises(UserError):
            self._take(other, [("cash", 1.0, False, 1.0)])

    def test_cashier_closes_his_own_day_only(self):
        with self.assertRaises(AccessError):
            self.env["autorepair.cashier.close"].with_user(self.user_cashier).create(
                {"cashier_id": self.user_cashier2.id})
        close = self.env["autorepair.cashier.close"].with_user(self.user_cashier2).create({})
        with self.assertRaises(AccessError):
            close.with_user(self.user_cashier).action_close()
        with self.assertRaises(AccessError):
            close.with_user(self.user_cashier2).write({"state": "closed"})
        close.with_user(self.user_manager).action_close()
        self.assertEqual(close.state, "closed")

    def test_closed_day_payment_cannot_change(self):
        order, _invoice = self._settled_order()
        self._take(order, [("wechat", 100.0, WECHAT_REF, 0.0)])
        payment = self._payments(order)
        close = self.env["autorepair.cashier.close"].with_user(self.user_cashier).create({})
        close.line_ids.filtered(lambda line: line.payment_method == "wechat").counted_amount = 100.0
        close.action_close()
        payment = payment.with_user(self.user_cashier)
        for attempt in (payment.action_cancel, payment.action_draft, payment.unlink,
                        lambda: payment.write({"amount": 1.0}),
                        lambda: payment.write({"autorepair_transaction_ref": "1"}),
                        payment.move_id.button_draft, payment.move_id.button_cancel):
            with self.assertRaises(UserError):
                attempt()
        self.assertEqual(payment.state, "in_process")
        self.assertEqual(payment.amount, 100.0)

    def test_reconciled_to_the_bank(self):
        order, invoice = self._settled_order()
        due = invoice.amount_residual
        self._take(order, [("wechat", 500.0, WECHAT_REF, 0.0), ("cash", due - 500, False, due - 500)])
        close = self.env["autorepair.cashier.close"].with_user(self.user_cashier).create({})
        for line in close.line_ids:
            line.counted_amount = line.expected_amount
        close.action_close()
        lines = {line.payment_method: line for line in close.line_ids}
        self.assertEqual(lines["wechat"].bank_state, "open")
        self.assertEqual(lines["alipay"].bank_state, "none")
        # WeChat Pay's settlement of the day arrives on the WeChat Pay journal's statement next morning
        tomorrow = fields.Date.add(close.date, days=1)
        wrong = self.env["account.bank.statement.line"].create({
            "journal_id": self.journals["wechat"].id, "date": tomorrow, "amount": 499.0, "payment_ref": "微信结算"})
        settlement = self.env["account.bank.statement.line"].create({
            "journal_id": self.journals["wechat"].id, "date": tomorrow, "amount": 500.0, "payment_ref": "微信结算"})
        close.with_user(self.user_cashier).action_reconcile_bank()
        self.env.invalidate_all()
        self.assertTrue(settlement.is_reconciled)
        self.assertFalse(wrong.is_reconciled)
        self.assertTrue(self._payments(order)[0].is_matched)
        self.assertEqual(lines["wechat"].bank_state, "reconciled")
        self.assertEqual(lines["cash"].bank_state, "open")
        self.assertEqual(close.bank_state, "open")
        # the cash deposited at the bank
        self.env["account.bank.statement.line"].create({
            "journal_id": self.journals["cash"].id, "date": tomorrow, "amount": due - 500, "payment_ref": "现金存款"})
        close.with_user(self.user_cashier).action_reconcile_bank()
        self.env.invalidate_all()
        self.assertEqual(close.bank_state, "reconciled")


@tagged("post_install", "-at_install")
class TestAttackCashier(CashierCase, HttpCase, RpcClientMixin):
    """Over JSON-RPC, a closed day's payment is not cancelled, reset or
    changed by its cashier, nor its close reopened."""

    def _snapshot(self):
        self.env.invalidate_all()
        payment = self.payment.sudo()
        return (payment.state, payment.amount, payment.move_id.state, payment.autorepair_transaction_ref,
                self.close.state, self.close.sudo().line_ids.mapped("counted_amount"))

    def test_closed_day_payment_refused_over_rpc(self):
        order, _invoice = self._settled_order()
        self._take(order, [("wechat", 100.0, WECHAT_REF, 0.0)])
        self.payment = self._payments(order)
        self.close = self.env["autorepair.cashier.close"].with_user(self.user_cashier).create({})
        self.close.line_ids.filtered(
            lambda line: line.payment_method == "wechat").counted_amount = 100.0
        self.close.action_close()
        payment, close = self.payment, self.close
        for user in (self.user_cashier, self.user_advisor):
            for model, method, args in [
                ("account.payment", "action_cancel", [[payment.id]]),
                ("account.payment", "action_draft", [[payment.id]]),
                ("account.payment", "unlink", [[payment.id]]),
                ("account.payment", "write", [[payment.id], {"amount": 1.0}]),
                ("account.payment", "write", [[payment.id], {"autorepair_close_id": False}]),
                ("account.move", "button_draft", [[payment.move_id.id]]),
                ("autorepair.cashier.close", "write", [[close.id], {"state": "draft"}]),
                ("autorepair.cashier.close.line", "write", [close.line_ids.ids, {"counted_amount": 0.0}]),
            ]:
                self._assert_rpc_refused(user, model, method, *args)
