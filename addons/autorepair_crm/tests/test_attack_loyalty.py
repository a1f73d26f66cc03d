from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AutorepairCrmCase, RpcClientMixin


@tagged("post_install", "-at_install")
class TestAttackLoyalty(AutorepairCrmCase, HttpCase, RpcClientMixin):
    """Points are money. Each attempt below is made the way an insider would,
    logged in as the role and calling over real JSON-RPC (or XML-RPC); each is
    refused, and afterwards the ledger and the balance are what they were."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", "13800138000")
        Move = cls.env["autorepair.loyalty.move"]
        cls.earned = Move.create({"partner_id": cls.customer.id, "move_type": "earn", "points": 300,
                                  "description": "定保消费", "state": "approved"})
        cls.proposal = Move.create({"partner_id": cls.customer.id, "points": 100, "description": "补偿",
                                    "user_id": cls.user_sales.id})

    def _snapshot(self):
        self.env.invalidate_all()
        moves = self.env["autorepair.loyalty.move"].search([("partner_id", "=", self.customer.id)])
        return (self.customer.loyalty_points,
                sorted((m.id, m.move_type, m.points, m.state, m.approved_by_id.id, m.invoice_id.id) for m in moves))

    def _refused(self, user, model, method, *args, **kwargs):
        return self._assert_rpc_refused(user, model, method, *args, **kwargs)

    def test_sales_cannot_create_earned_points(self):
        error = self._refused(self.user_sales, "autorepair.loyalty.move", "create",
                              {"partner_id": self.customer.id, "move_type": "earn", "points": 5000,
                               "description": "消费积分"})
        self.assertIn("paid invoices", error["message"])
        self.assertEqual(self.customer.loyalty_points, 300)

    def test_sales_cannot_create_a_counted_adjustment(self):
        for values in ({"state": "approved"}, {"approved_by_id": self.user_manager.id},
                       {"approved_date": "2026-12-01 10:00:00"}):
            self._refused(self.user_sales, "autorepair.loyalty.move", "create",
                          {"partner_id": self.customer.id, "points": 5000, "description": "调整", **values})

    def test_no_earned_points_pretending_an_invoice(self):
        # any journal entry will do: no value of the field is accepted from a caller
        invoice_id = self.env["account.move"].search([], limit=1).id or 1
        self._refused(self.user_advisor, "autorepair.loyalty.move", "create",
                      {"partner_id": self.customer.id, "points": 5000, "description": "发票",
                       "invoice_id": invoice_id})

    def test_sales_cannot_write_points(self):
        for values in ({"points": 5000}, {"state": "approved"}, {"move_type": "earn"}):
            self._refused(self.user_sales, "autorepair.loyalty.move", "write", [self.earned.id], values)
            self._refused(self.user_sales, "autorepair.loyalty.move", "write", [self.proposal.id], values)

    def test_manager_cannot_write_a_counted_move_either(self):
        self._refused(self.user_manager, "autorepair.loyalty.move", "write", [self.earned.id], {"points": 5000})
        self._refused(self.user_manager, "autorepair.loyalty.move", "write", [self.proposal.id],
                      {"state": "approved"})

    def test_sales_cannot_approve_own_adjustment(self):
        error = self._refused(self.user_sales, "autorepair.loyalty.move", "action_approve", [self.proposal.id])
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.proposal.state, "draft")

    def test_manager_cannot_approve_his_own_adjustment(self):
        own = self.env["autorepair.loyalty.move"].create({
            "partner_id": self.customer.id, "points": 100, "description": "活动", "user_id": self.user_manager.id})
        self._refused(self.user_manager, "autorepair.loyalty.move", "action_approve", [own.id])
        self.assertEqual(own.state, "draft")

    def test_no_redeem_beyond_the_balance(self):
        self._refused(self.user_advisor, "res.partner", "action_loyalty_redeem", [self.customer.id], 301, "保养券")
        self._refused(self.user_advisor, "res.partner", "action_loyalty_redeem", [self.customer.id], -500, "负兑换")

    def test_no_redeem_move_created_directly(self):
        # a negative "redeem" written directly would dodge the balance check; a
        # positive one would be free points
        for points in (-50, 5000):
            self._refused(self.user_advisor, "autorepair.loyalty.move", "create",
                          {"partner_id": self.customer.id, "move_type": "redeem", "points": points,
                           "description": "兑换"})

    def test_no_points_through_the_customer_form(self):
        self._refused(self.user_sales, "res.partner", "write", [self.customer.id], {
            "loyalty_move_ids": [(0, 0, {"move_type": "earn", "points": 5000, "description": "消费"})]})
        self._refused(self.user_sales, "res.partner", "write", [self.customer.id], {
            "loyalty_move_ids": [(1, self.earned.id, {"points": 5000})]})

    def test_private_steps_are_not_reachable(self):
        self._refused(self.user_manager, "autorepair.loyalty.move", "_earn_for_invoices", [])
        self._refused(self.user_sales, "autorepair.loyalty.move", "_redeem", self.customer.id, -5000, "x")

    def test_counted_points_are_not_deleted(self):
        redeem = self.env["autorepair.loyalty.move"]._redeem(self.customer, 100, "保养券")
        for user in (self.user_sales, self.user_manager):
            self._refused(user, "autorepair.loyalty.move", "unlink", [redeem.id])
        self.assertTrue(redeem.exists())

    def test_xmlrpc_is_refused_too(self):
        before = self._snapshot()
        with mute_logger("odoo.http"), self.assertRaises(Fault):
            self._xmlrpc(self.user_sales, "autorepair.loyalty.move", "create",
                         {"partner_id": self.customer.id, "move_type": "earn", "points": 5000, "description": "x"})
        with mute_logger("odoo.http"), self.assertRaises(Fault):
            self._xmlrpc(self.user_sales, "autorepair.loyalty.move", "action_approve", [self.proposal.id])
        self.assertEqual(self._snapshot(), before)

    def test_staff_propose_and_a_manager_approves(self):
        """The allowed path works over the same channel."""
        move_id = self._jsonrpc_ok(self.user_sales, "autorepair.loyalty.move", "create",
                                   {"partner_id": self.customer.id, "points": 40, "description": "生日赠送"})
        self.assertEqual(self._snapshot()[0], 300)
        self._jsonrpc_ok(self.user_manager, "autorepair.loyalty.move", "action_approve", [move_id])
        self._jsonrpc_ok(self.user_advisor, "res.partner", "action_loyalty_redeem", [self.customer.id], 140, "洗车券")
        self.assertEqual(self._snapshot()[0], 200)
