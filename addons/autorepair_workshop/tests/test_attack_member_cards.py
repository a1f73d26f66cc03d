from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .test_member_cards import MemberCardCase


@tagged("post_install", "-at_install")
class TestAttackMemberCards(MemberCardCase, HttpCase, RpcClientMixin):
    """Over JSON-RPC and XML-RPC, nobody writes a card's balance, records a
    redemption without spending the card or takes one off an invoiced order;
    a technician redeems nothing; an advisor does not refund a card."""

    def setUp(self):
        super().setUp()
        self.card = self._card(self.stored_value, 300)
        self.order = self._delivered_order()
        self.reward = self._redeem(self.order, card=self.card, amount=100)

    def _snapshot(self):
        self.env.invalidate_all()
        return (self.card.sudo().read(["points", "autorepair_bonus_points"]),
                self.env["loyalty.history"].sudo().search_count([]),
                self.env["autorepair.service.order.reward"].sudo().search_read([], ["amount", "points", "card_id"]),
                self.env["account.move"].sudo().search_count([]))

    def test_balances_are_written_by_the_flows_only(self):
        calls = [
            ("loyalty.card", "write", [self.card.id], {"points": 10000}),
            ("loyalty.card", "create", {"program_id": self.stored_value.id, "partner_id": self.customer.id,
                                        "points": 500}),
            ("loyalty.history", "create", {"card_id": self.card.id, "description": "x", "issued": 500}),
            ("autorepair.service.order.reward", "create", {
                "order_id": self.order.id, "card_id": self.card.id, "reward_id": self.stored_value.reward_ids.id,
                "kind": "stored_value", "amount": 500}),
            ("autorepair.service.order.reward", "write", [self.reward.id], {"amount": 5}),
            ("autorepair.service.order.reward", "_autorepair_apply", self.order.id, self.card.id,
             self.stored_value.reward_ids.id),
            ("loyalty.card", "_autorepair_top_up_invoice", [self.card.id], 100),
            ("loyalty.card", "_autorepair_credit_top_ups", []),
            ("loyalty.card", "action_autorepair_refund_balance", [self.card.id]),
        ]
        for model, method, *args in calls:
            with self.subTest(method=method):
                self._assert_rpc_refused(self.user_advisor, model, method, *args, xmlrpc=True)

    def test_technician_redeems_nothing(self):
        for model, method, *args in [
            ("autorepair.reward.apply.wizard", "create", {"order_id": self.order.id, "card_id": self.card.id}),
            ("autorepair.service.order.reward", "action_remove", [self.reward.id]),
            ("autorepair.card.top.up.wizard", "create", {"partner_id": self.customer.id,
                                                         "program_id": self.stored_value.id, "amount": 100}),
        ]:
            with self.subTest(method=method):
                self._assert_rpc_refused(self.user_technician, model, method, *args, xmlrpc=True)

    def test_no_removal_once_invoiced(self):
        self._settle(self.order)
        self._assert_rpc_refused(self.user_advisor, "autorepair.service.order.reward", "action_remove",
                                 [self.reward.id])


@tagged("post_install", "-at_install")
class TestUiCashierRedeems(MemberCardCase, HttpCase):
    """The cashier (an advisor with invoicing rights) settles a checked
    order: the customer pays part with his stored-value card and gives his
    birthday coupon's code."""

    browser_size = "1440,900"

    def test_cashier_redeems_card_and_coupon(self):
        card = self._card(self.stored_value, 1000, code="SV-20260001")
        coupon = self._card(self.coupon_program, 1, partner=False, code="BDAY-8888")
        order = self._delivered_order()
        self.start_tour(f"/odoo/action-autorepair_workshop.autorepair_service_order_action/{order.id}",
                        "autorepair_workshop_cashier_redeems", login=self.user_advisor.login)
        self.assertEqual(order.reward_ids.card_id, card | coupon)
        self.assertEqual((card.points, coupon.points), (700, 0))
        invoice = self._settle(order)
        self.assertEqual(invoice.amount_total, 805 - 300 - 50)
