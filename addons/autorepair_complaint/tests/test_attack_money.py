from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .test_compensation_approval import CompensationCase

COMPENSATION = "autorepair.complaint.compensation"


@tagged("post_install", "-at_install")
class TestAttackMoney(CompensationCase, HttpCase, RpcClientMixin):
    """Money leaves only through accounting rights. Each attempt is made as an
    advisor, a care agent or a manager would, over real JSON-RPC (the web
    client's channel) or XML-RPC; each is refused, and afterwards no journal
    entry was added and no compensation, approval or line changed."""

    def _snapshot(self):
        self.env.invalidate_all()
        Move = self.env["account.move"]
        compensations = self.env[COMPENSATION].search([("complaint_id", "=", self.complaint.id)])
        return {
            "moves": Move.search_count([]),
            "refunds": sorted(Move.search([("move_type", "=", "out_refund")]).mapped("amount_total")),
            "compensations": sorted(
                (c.id, c.state, c.amount, c.compensation_type, c.approved_by_id.id, str(c.approved_date),
                 c.move_id.id, c.service_order_id.id) for c in compensations),
            "lines": sorted((line.id, line.bill_to, line.price_unit) for line in self.order.line_ids),
            "limit": self.env.company.autorepair_complaint_compensation_approval_amount,
        }

    def _refused(self, user, model, method, *args, **kwargs):
        return self._assert_rpc_refused(user, model, method, *args, **kwargs)

    def _approved(self, amount=800):
        """A compensation a manager approved and that was credited."""
        compensation = self._propose(amount)
        compensation.with_user(self.user_manager).action_approve()
        self.assertEqual(compensation.state, "done")
        return compensation

    # --------------------------------------------------- approval skipped

    def test_advisor_cannot_apply_above_the_amount_without_approval(self):
        compensation = self._propose(800)
        error = self._refused(self.user_advisor, COMPENSATION, "action_apply", [compensation.id])
        self.assertIn("service manager", error["message"])
        compensation.with_user(self.user_advisor).action_request_approval()
        self._refused(self.user_advisor, COMPENSATION, "action_apply", [compensation.id])
        self.assertFalse(self._refunds())

    def test_non_manager_cannot_approve(self):
        compensation = self._propose(800)
        for user in (self.user_advisor, self.user_care_agent):
            error = self._refused(user, COMPENSATION, "action_approve", [compensation.id])
            self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertEqual(compensation.state, "draft")

    def test_nobody_writes_the_approval(self):
        compensation = self._propose(800)
        for user in (self.user_advisor, self.user_care_agent, self.user_manager):
            for values in ({"state": "approved"}, {"approved_by_id": self.user_manager.id},
                           {"approved_date": "2026-12-01 10:00:00"}, {"state": "done"}):
                self._refused(user, COMPENSATION, "write", [compensation.id], values)

    def test_nobody_creates_an_approved_compensation(self):
        for values in ({"state": "approved"}, {"approved_by_id": self.user_manager.id},
                       {"move_id": self.invoice.id}):
            self._refused(self.user_advisor, COMPENSATION, "create", {
                "complaint_id": self.complaint.id, "compensation_type": "goodwill", "description": "补偿",
                "amount": 5000, **values})

    def test_amount_cannot_change_once_submitted_or_approved(self):
        waiting = self._propose(900)
        waiting.with_user(self.user_advisor).action_request_approval()
        self._refused(self.user_advisor, COMPENSATION, "write", [waiting.id], {"amount": 9000})
        approved = self._approved()
        for user in (self.user_advisor, self.user_manager):
            self._refused(user, COMPENSATION, "write", [approved.id], {"amount": 8000})
            self._refused(user, COMPENSATION, "write", [approved.id], {"compensation_type": "free_work"})
        self._refused(self.user_advisor, COMPENSATION, "unlink", [approved.id])

    def test_manager_cannot_approve_his_own(self):
        own = self._propose(800, user=self.user_manager)
        self._refused(self.user_manager, COMPENSATION, "action_approve", [own.id])

    def test_private_steps_are_not_reachable(self):
        compensation = self._propose(5000)
        for method in ("_apply", "_apply_credit_note", "_apply_free_work"):
            self._refused(self.user_advisor, COMPENSATION, method, [compensation.id])

    # ------------------------------------------------- accounting rights

    def test_care_agent_cannot_credit_money(self):
        compensation = self._propose(200, user=self.user_care_agent)
        error = self._refused(self.user_care_agent, COMPENSATION, "action_apply", [compensation.id])
        self.assertIn("invoicing rights", error["message"])

    def test_care_agent_cannot_make_a_credit_note_directly(self):
        journal = self.invoice.journal_id
        for method, args in (
            ("create", [{"move_type": "out_refund", "partner_id": self.customer.id, "journal_id": journal.id,
                         "invoice_line_ids": [(0, 0, {"name": "补偿", "quantity": 1, "price_unit": 5000})]}]),
            ("action_reverse", [self.invoice.ids]),
        ):
            self._refused(self.user_care_agent, "account.move", method, *args)
        self._refused(self.user_care_agent, "account.move.reversal", "create", {
            "move_ids": [(6, 0, self.invoice.ids)], "journal_id": journal.id, "reason": "补偿"})

    def test_no_one_below_admin_changes_the_approval_amount(self):
        for user in (self.user_advisor, self.user_manager):
            self._refused(user, "res.company", "write", [self.env.company.id],
                          {"autorepair_complaint_compensation_approval_amount": 100000})
            self._refused(user, "res.config.settings", "create",
                          {"autorepair_complaint_compensation_approval_amount": 100000})

    # -------------------------------------------------- goodwill on orders

    def test_advisor_cannot_give_goodwill_above_the_allowance(self):
        self.env.company.autorepair_workshop_goodwill_approval_amount = 100
        order = self._received_order(lines=0)
        self.order = order
        self._refused(self.user_advisor, "autorepair.service.order.line", "create", {
            "order_id": order.id, "line_type": "other", "name": "免费喷漆", "price_unit": 3000, "bill_to": "goodwill"})
        line_id = self._jsonrpc_ok(self.user_advisor, "autorepair.service.order.line", "create", {
            "order_id": order.id, "line_type": "part", "name": "前刹车片", "price_unit": 3000})
        self._refused(self.user_advisor, "autorepair.service.order.line", "write", [line_id], {"bill_to": "goodwill"})

    def test_xmlrpc_is_refused_too(self):
        compensation = self._propose(800)
        before = self._snapshot()
        for method in ("action_apply", "action_approve"):
            with mute_logger("odoo.http"), self.assertRaises(Fault):
                self._xmlrpc(self.user_advisor, COMPENSATION, method, [compensation.id])
        self.assertEqual(self._snapshot(), before)

    def test_the_allowed_path_works_over_rpc(self):
        compensation_id = self._jsonrpc_ok(self.user_care_agent, COMPENSATION, "create", {
            "complaint_id": self.complaint.id, "compensation_type": "goodwill", "description": "补偿",
            "amount": 800})
        self._jsonrpc_ok(self.user_care_agent, COMPENSATION, "action_request_approval", [compensation_id])
        self._jsonrpc_ok(self.user_manager, COMPENSATION, "action_approve", [compensation_id])
        compensation = self.env[COMPENSATION].browse(compensation_id)
        self.assertEqual((compensation.state, compensation.approved_by_id), ("done", self.user_manager))
        self.assertAlmostEqual(compensation.move_id.amount_total, 800.0)
