from odoo.tests import HttpCase, tagged

from .test_cashier import CashierCase


@tagged("post_install", "-at_install")
class TestUiCashier(CashierCase, HttpCase):
    """In the browser: the cashier takes a split payment of a settled order
    (WeChat Pay with its number, cash with change) and prints its statement."""

    browser_size = "1440,900"

    def test_cashier_takes_split_payment_and_prints(self):
        order, invoice = self._settled_order()
        self.assertEqual(invoice.amount_residual, 805.0)  # 700 and 15% VAT: the tour's figures
        self.start_tour(f"/odoo/action-autorepair_workshop.autorepair_service_order_action_to_collect/{order.id}",
                        "autorepair_workshop_cashier_desk", login=self.user_cashier.login)
        wechat, cash = self._payments(order)
        self.assertRecordValues(wechat + cash, [
            {"journal_id": self.journals["wechat"].id, "amount": 500.0,
             "autorepair_transaction_ref": "4200002026120299998888777766"},
            {"journal_id": self.journals["cash"].id, "amount": 305.0, "autorepair_cash_tendered": 400.0,
             "autorepair_change": 95.0},
        ])
        self.assertEqual(order.payment_state, "paid")
