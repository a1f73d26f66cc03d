from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AutorepairCrmCase, RpcClientMixin


@tagged("post_install", "-at_install")
class TestAttackLoyalty(AutorepairCrmCase, HttpCase, RpcClientMixin):
    """Points are money. Each attempt below is made the way an insider would,
    logged in as the role and calling over real JSON-RPC (or XML-RPC); each is
    refused, and afterwards the card, its history and the adjustments are what
    they were."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", "13800138000")
        cls.card = cls.customer._autorepair_points_card()
        cls.earned = cls.card._autorepair_points_move(300, "定保消费")
        cls.proposal = cls.env["autorepair.loyalty.adjustment"].create({
            "partner_id": cls.customer.id, "points": 100, "description": "补偿"})
        # proposed by the sales user (as the superuser: the field is the step's own)
        cls.proposal.user_id = cls.user_sales

    def _snapshot(self):
        self.env.invalidate_all()
        adjustments = self.env["autorepair.loyalty.adjustment"].search([("partner_id", "=", self.customer.id)])
        cards = self.env["loyalty.card"].search([("partner_id", "=", self.customer.id)])
        return (self.customer.loyalty_points,
                sorted((c.id, c.points, c.program_id.id, c.partner_id.id) for c in cards),
                sorted((h.id, h.issued, h.used, h.description, h.autorepair_points_invoice_id.id)
                       for h in cards.history_ids),
                sorted((a.id, a.points, a.state, a.approved_by_id.id) for a in adjustments))

    def _refused(self, user, model, method, *args, **kwargs):
        return self._assert_rpc_refused(user, model, method, *args, **kwargs)

    def test_no_card_points_written_directly(self):
        for user in (self.user_sales, self.user_advisor, self.user_manager):
            self._refused(user, "loyalty.card", "write", [self.card.id], {"points": 5000})
            self._refused(user, "loyalty.card", "create", {"program_id": self.card.program_id.id,
                                                           "partner_id": self.customer.id, "points": 5000})
            self._refused(user, "loyalty.history", "create", {"card_id": self.card.id, "description": "消费积分",
                                                              "issued": 5000})
            self._refused(user, "loyalty.history", "write", [self.earned.id], {"issued": 5000})
            self._refused(user, "loyalty.card", "unlink", [self.card.id])

    def test_no_card_of_another_customer_taken(self):
        other = self._customer("王芳", "13900139000")
        self._refused(self.user_manager, "loyalty.card", "write", [self.card.id], {"partner_id": other.id})

    def test_no_program_terms_changed_by_staff(self):
        program = self.card.program_id
        self._refused(self.user_manager, "loyalty.reward", "write", program.reward_ids[:1].ids, {"discount": 10})
        self._refused(self.user_manager, "loyalty.rule", "write", program.rule_ids[:1].ids,
                      {"reward_point_amount": 100})

    def test_sales_cannot_create_a_counted_adjustment(self):
        for values in ({"state": "approved"}, {"approved_by_id": self.user_manager.id},
                       {"approved_date": "2026-12-01 10:00:00"}, {"card_id": self.card.id},
                       {"history_id": self.earned.id}):
            self._refused(self.user_sales, "autorepair.loyalty.adjustment", "create",
                          {"partner_id": self.customer.id, "points": 5000, "description": "调整", **values})

    def test_sales_cannot_write_an_adjustment(self):
        for values in ({"points": 5000}, {"state": "approved"},
                       {"partner_id": self._customer("王芳", "13900139001").id}):
            self._refused(self.user_sales, "autorepair.loyalty.adjustment", "write", [self.proposal.id], values)

    def test_manager_cannot_write_a_proposal_either(self):
        self._refused(self.user_manager, "autorepair.loyalty.adjustment", "write", [self.proposal.id],
                      {"points": 5000})
        self._refused(self.user_manager, "autorepair.loyalty.adjustment", "write", [self.proposal.id],
                      {"state": "approved"})

    def test_sales_cannot_approve_own_adjustment(self):
        error = self._refused(self.user_sales, "autorepair.loyalty.adjustment", "action_approve", [self.proposal.id])
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.proposal.state, "draft")

    def test_manager_cannot_approve_his_own_adjustment(self):
        own = self.env["autorepair.loyalty.adjustment"].with_user(self.user_manager).create({
            "partner_id": self.customer.id, "points": 100, "description": "活动"})
        self.assertEqual(own.user_id, self.user_manager)
        self._refused(self.user_manager, "autorepair.loyalty.adjustment", "action_approve", [own.id])
        self.assertEqual(own.state, "draft")

    def test_proposer_is_the_caller(self):
        adjustment_id = self._jsonrpc_ok(self.user_sales, "autorepair.loyalty.adjustment", "create", {
            "partner_id": self.customer.id, "points": 10, "description": "冒名", "user_id": self.user_manager.id})
        self.assertEqual(self.env["autorepair.loyalty.adjustment"].browse(adjustment_id).user_id, self.user_sales)

    def test_no_adjustment_below_zero(self):
        take = self.env["autorepair.loyalty.adjustment"].create({
            "partner_id": self.customer.id, "points": -301, "description": "扣减"})
        self._refused(self.user_manager, "autorepair.loyalty.adjustment", "action_approve", [take.id])

    def test_no_redeem_beyond_the_balance(self):
        self._refused(self.user_advisor, "res.partner", "action_loyalty_redeem", [self.customer.id], 301, "保养券")
        self._refused(self.user_advisor, "res.partner", "action_loyalty_redeem", [self.customer.id], -500, "负兑换")
        self._refused(self.user_advisor, "res.partner", "action_loyalty_redeem", [self.customer.id], True, "布尔")

    def test_no_points_through_the_customer_form(self):
        self._refused(self.user_sales, "res.partner", "write", [self.customer.id], {
            "loyalty_adjustment_ids": [(0, 0, {"points": 5000, "description": "消费", "state": "approved"})]})
        self._refused(self.user_sales, "res.partner", "write", [self.customer.id], {
            "loyalty_history_ids": [(0, 0, {"card_id": self.card.id, "issued": 5000, "description": "消费"})]})

    def test_private_steps_are_not_reachable(self):
        self._refused(self.user_manager, "account.move", "_autorepair_earn_points", [])
        self._refused(self.user_manager, "loyalty.card", "_autorepair_points_move", [self.card.id], 5000, "x")
        self._refused(self.user_sales, "res.partner", "_autorepair_points_card", [self.customer.id])

    def test_counted_points_are_not_deleted(self):
        self.proposal.with_user(self.user_manager).action_approve()
        for user in (self.user_sales, self.user_manager):
            self._refused(user, "autorepair.loyalty.adjustment", "unlink", [self.proposal.id])
            self._refused(user, "loyalty.history", "unlink", [self.earned.id])
        self.assertTrue(self.proposal.exists())

    def test_xmlrpc_is_refused_too(self):
        before = self._snapshot()
        with mute_logger("odoo.http"), self.assertRaises(Fault):
            self._xmlrpc(self.user_sales, "loyalty.card", "write", [self.card.id], {"points": 5000})
        with mute_logger("odoo.http"), self.assertRaises(Fault):
            self._xmlrpc(self.user_sales, "autorepair.loyalty.adjustment", "action_approve", [self.proposal.id])
        self.assertEqual(self._snapshot(), before)

    def test_staff_propose_and_a_manager_approves(self):
        """The allowed path works over the same channel."""
        adjustment_id = self._jsonrpc_ok(self.user_sales, "autorepair.loyalty.adjustment", "create",
                                         {"partner_id": self.customer.id, "points": 40, "description": "生日赠送"})
        self.assertEqual(self._snapshot()[0], 300)
        self._jsonrpc_ok(self.user_manager, "autorepair.loyalty.adjustment", "action_approve", [adjustment_id])
        self._jsonrpc_ok(self.user_advisor, "res.partner", "action_loyalty_redeem", [self.customer.id], 140, "洗车券")
        self.assertEqual(self._snapshot()[0], 200)
        self.assertEqual(self.card.history_ids.sorted("id").mapped("issued"), [300, 40, 0])
        self.assertEqual(self.card.history_ids.sorted("id").mapped("used"), [0, 0, 140])
