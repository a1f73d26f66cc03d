from odoo.tests import HttpCase, tagged

from .test_cashier import CashierCase


@tagged("post_install", "-at_install")
class TestUiCashier(CashierCase, HttpCase):
    """In the browser: the cashier takes a split payment of a settled order
    (WeChat Pay with its number, cash with change) and prints its statement;
    the advisor then releases the paid car and prints its gate pass."""

    browser_size = "1440,900"

    def test_cashier_takes_split_payment_and_prints(self):
        order, invoice = self._settled_order()
        self.assertEqual(invoice.amount_residual, 805.0)  # 700 and 15% VAT: the tour's figures
        # the advisor told the customer about the next service while the car was worked on (the form
        # requires it of a settled car: a button cannot be clicked before)
        order.write({"next_service_date": "2027-05-01", "next_service_km": 31000, "old_parts_offered": True})
        self.start_tour(f"/odoo/action-autorepair_workshop.autorepair_service_order_action_to_collect/{order.id}",
                        "autorepair_workshop_cashier_desk", login=self.user_cashier.login)
        wechat, cash = self._payments(order)
        self.assertRecordValues(wechat + cash, [
            {"journal_id": self.journals["wechat"].id, "amount": 500.0,
             "autorepair_transaction_ref": "4200002026120299998888777766", "autorepair_change": 0.0},
            {"journal_id": self.journals["cash"].id, "amount": 305.0, "autorepair_transaction_ref": False,
             "autorepair_change": 95.0},
        ])
        self.assertEqual(cash.autorepair_cash_tendered, 400.0)
        self.assertEqual(order.payment_state, "paid")
        self.assertEqual(order.state, "ready")
        self.start_tour(f"/odoo/action-autorepair_workshop.autorepair_service_order_action/{order.id}",
                        "autorepair_workshop_advisor_release", login=self.user_advisor.login)
        self.assertRecordValues(order, [{"state": "done", "released_by_id": self.user_advisor.id}])
        self.assertTrue(order.gate_pass_number)
