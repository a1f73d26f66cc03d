from urllib.parse import urlencode
from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import SIGNATURE, ServiceOrderCase, followup_answers


@tagged("post_install", "-at_install")
class TestRpcGuards(ServiceOrderCase, HttpCase):
    """The workflow's promises kept by the server: each forbidden act is tried
    the way an insider would, logged in as that role and calling the models
    over real HTTP JSON-RPC (the web client's own channel), and nothing may
    have changed afterwards."""

    def _call(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs,
        })

    def _refused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as refusal:
            self._call(user, model, method, *args, **kwargs)
        self.assertIn(refusal.exception.args[0], (
            "odoo.exceptions.AccessError", "odoo.exceptions.UserError", "odoo.exceptions.ValidationError"))
        self.env.invalidate_all()

    def _in_work(self):
        order = self._received_order()
        self._approve_all(order)
        order.line_ids.filtered(lambda line: line.line_type == "labour").with_user(
            self.user_technician).action_start_work()
        return order

    # ------------------------------------------------------------ the order

    def test_technician_cannot_skip_the_checks(self):
        order = self._in_work()
        for state in ("ready", "delivered", "qc", "done"):
            self._refused(self.user_technician, "autorepair.service.order", "write", [order.id], {"state": state})
            self.assertEqual(order.state, "in_progress")
        self._refused(self.user_technician, "autorepair.service.order", "write", [order.id],
                      {"delivered_date": "2026-12-01 10:00:00"})
        self.assertFalse(order.delivered_date)

    def test_no_context_key_opens_a_door(self):
        order = self._in_work()
        for key in ("autorepair_deciding", "autorepair_other_payer", "autorepair_confirmed", "autorepair_merging"):
            self._refused(self.user_manager, "autorepair.service.order", "write", [order.id],
                          {"state": "ready"}, context={key: True})
        self.assertEqual(order.state, "in_progress")

    def test_manager_cannot_write_the_state_either(self):
        order = self._received_order()
        self._refused(self.user_manager, "autorepair.service.order", "write", [order.id], {"state": "approved"})
        self.assertEqual(order.state, "received")
        count = self.env["autorepair.service.order"].search_count([])
        self._refused(self.user_manager, "autorepair.service.order", "create", {
            "vehicle_id": self.vehicle.id, "state": "done"})
        self.assertEqual(self.env["autorepair.service.order"].search_count([]), count)

    def test_settlement_requester_is_the_caller(self):
        order = self._received_order()
        self._refused(self.user_advisor, "autorepair.service.order", "write", [order.id],
                      {"settlement_requested_by_id": self.env.ref("base.user_admin").id})
        self.assertFalse(order.settlement_requested_by_id)

    def test_walkaround_signature_only_through_its_step(self):
        order = self._received_order()
        self._refused(self.user_advisor, "autorepair.service.order", "write", [order.id], {
            "walkaround_signature": SIGNATURE, "walkaround_signed_by": "张伟"})
        self.assertFalse(order.walkaround_signed_on)
        self._refused(self.user_technician, "autorepair.service.order", "action_sign_walkaround", [order.id],
                      SIGNATURE, "张伟")
        self.assertFalse(order.walkaround_signature)
        self.assertTrue(self._call(self.user_advisor, "autorepair.service.order", "action_sign_walkaround",
                                   [order.id], SIGNATURE, "张伟"))
        self.assertEqual(order.walkaround_entered_by_id, self.user_advisor)

    # --------------------------------------------------------- quality checks

    def test_checker_is_always_the_caller(self):
        order = self._in_work()
        order.line_ids.filtered(lambda line: line.line_type == "labour").with_user(
            self.user_technician).action_finish_work()
        order.with_user(self.user_technician).action_request_check()
        self._refused(self.user_technician, "autorepair.quality.check", "create", {
            "order_id": order.id, "check_type": "self", "result": "pass", "user_id": self.user_inspector.id})
        self.assertFalse(order.check_ids)
        # his own self-check goes through, but the final check is not his to sign
        self._call(self.user_technician, "autorepair.quality.check", "create", {
            "order_id": order.id, "check_type": "self", "result": "pass"})
        self.assertEqual(order.check_ids.user_id, self.user_technician)
        self._refused(self.user_technician, "autorepair.quality.check", "create", {
            "order_id": order.id, "check_type": "final", "result": "pass", "road_test_km": 5,
            "user_id": self.user_inspector.id})
        self.assertEqual(order.state, "qc")
        self.assertEqual(len(order.check_ids), 1)

    # ----------------------------------------------------- the customer's decision

    def test_approved_line_is_frozen(self):
        order = self._received_order()
        self._approve_all(order)
        other = self._received_order()
        line = order.line_ids[0]
        before = (line.price_unit, line.decision, line.bill_to, line.order_id, line.quote_id, line.name)
        for vals in ({"price_unit": 1.0}, {"decision": "declined"}, {"bill_to": "warranty"},
                     {"order_id": other.id}, {"quote_id": other.quote_ids[:1].id or False}, {"name": "别的"}):
            self._refused(self.user_advisor, "autorepair.service.order.line", "write", [line.id], vals,
                          context={"autorepair_deciding": True})
        self.assertEqual((line.price_unit, line.decision, line.bill_to, line.order_id, line.quote_id, line.name),
                         before)

    def test_decision_over_jsonrpc_with_string_keys(self):
        order = self._received_order()
        order.action_send_quote()
        quote = order.quote_ids
        decisions = {str(line.id): "approved" for line in quote.line_ids}
        # no signature, no decision; a technician records none
        self._refused(self.user_advisor, "autorepair.service.quote", "action_decide", [quote.id], decisions)
        self._refused(self.user_technician, "autorepair.service.quote", "action_decide", [quote.id], decisions,
                      SIGNATURE)
        self.assertEqual(quote.state, "sent")
        self.assertEqual(set(quote.line_ids.mapped("decision")), {"pending"})
        self.assertTrue(self._call(self.user_advisor, "autorepair.service.quote", "action_decide", [quote.id],
                                   decisions, SIGNATURE, "张伟"))
        self.assertEqual(quote.state, "decided")
        self.assertEqual(quote.approval_channel, "desk")
        self.assertEqual(quote.entered_by_id, self.user_advisor)
        self.assertEqual(order.state, "approved")

    def test_portal_decision_refused_to_staff_and_other_customers(self):
        order = self._received_order()
        order.action_send_quote()
        quote = order.quote_ids
        query = {f"decision_{line.id}": "approved" for line in quote.line_ids}
        token = order._portal_ensure_token()

        def decide(access_token):
            return self.make_jsonrpc_request(
                f"/my/service_orders/{order.id}/decide?" + urlencode({**query, "access_token": access_token}),
                {"name": "张伟", "signature": SIGNATURE})

        # a staff member who can read the order, even with its link
        self.authenticate(self.user_advisor.login, self.user_advisor.login)
        self.assertIn("error", decide(token))
        # another customer's link
        other = self.env["res.partner"].create({"name": "李娜", "mobile": "13900139000",
                                                "is_autorepair_customer": True})
        other_vehicle = self.env["fleet.vehicle"].create({
            "model_id": self.car_model.id, "license_plate": "川A54321", "owner_id": other.id})
        other_order = self.env["autorepair.service.order"].create({"vehicle_id": other_vehicle.id})
        self.authenticate(None, None)
        self.assertIn("error", decide(other_order._portal_ensure_token()))
        self.env.invalidate_all()
        self.assertEqual(quote.state, "sent")
        # the customer's own link: decided, and the link is renewed
        self.assertNotIn("error", decide(token))
        self.env.invalidate_all()
        self.assertEqual(quote.state, "decided")
        self.assertEqual(quote.approval_channel, "portal")
        self.assertFalse(quote.entered_by_id)
        self.assertNotEqual(order.access_token, token)

    # ------------------------------------------------------- every client

    def test_buttons_answer_over_xmlrpc(self):
        order = self._received_order()
        self._approve_all(order)
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        uid = self.user_technician.id
        db = self.env.cr.dbname

        def press(model, method, ids, user=self.user_technician):
            return self.xmlrpc_object.execute_kw(db, user.id, user.login, model, method, [ids])

        for method in ("action_start_work", "action_pause_work", "action_start_work", "action_finish_work"):
            self.assertTrue(press("autorepair.service.order.line", method, labour.ids))
        self.assertTrue(press("autorepair.service.order", "action_request_check", order.ids))
        self.env.invalidate_all()
        self.assertEqual(order.state, "qc")
        with self.assertRaises(Fault):
            self.xmlrpc_object.execute_kw(db, uid, self.user_technician.login, "autorepair.service.order", "write",
                                          [order.ids, {"state": "ready"}])
        self.env.invalidate_all()
        self.assertEqual(order.state, "qc")

    # ----------------------------------------------- every step, every role

    def test_each_step_refused_to_the_wrong_role(self):
        """Each transition of TRANSITIONS, called over JSON-RPC by roles that
        may not take it: refused, and the order stays where it was."""
        booked = self._order(identity_checked=True, identity_document="id_card", odometer_in=21000)
        received = self._received_order()
        approved = self._received_order()
        self._approve_all(approved)
        ready = self._received_order()
        self._approve_all(ready)
        self._work_and_check(ready)
        ready.write({"next_service_date": "2027-05-01", "next_service_km": 31000})
        cases = [
            (booked, "action_receive", (self.user_technician, self.user_care_agent)),
            (received, "action_send_quote", (self.user_technician,)),
            (received, "action_cancel", (self.user_technician,)),
            (ready, "action_deliver", (self.user_technician, self.user_inspector, self.user_care_agent)),
        ]
        for order, method, users in cases:
            state = order.state
            for user in users:
                with self.subTest(method=method, user=user.login):
                    self._refused(user, "autorepair.service.order", method, [order.id])
                    self.assertEqual(order.state, state)
        labour = approved.line_ids.filtered(lambda line: line.line_type == "labour")
        self._refused(self.user_advisor, "autorepair.service.order.line", "action_start_work", labour.ids)
        self.assertEqual((approved.state, labour.work_state), ("approved", "todo"))

    def test_decided_quote_and_done_work_are_not_rewritten(self):
        order = self._received_order()
        quote = self._approve_all(order)
        approved = quote.approved_amount
        for vals in ({"state": "sent"}, {"approved_amount": 1.0}, {"signature": False},
                     {"approval_channel": "portal"}, {"order_id": self._received_order().id}):
            self._refused(self.user_manager, "autorepair.service.quote", "write", [quote.id], vals)
        self.assertEqual((quote.state, quote.approved_amount, quote.approval_channel), ("decided", approved, "desk"))
        self.assertEqual(quote.order_id, order)
        line = order.line_ids[0]
        for vals in ({"work_state": "done"}, {"qty_issued": 5}, {"is_approved": False}, {"price_total": 0}):
            self._refused(self.user_technician, "autorepair.service.order.line", "write", [line.id], vals)
        self.assertEqual((line.work_state, line.qty_issued, line.is_approved), ("todo", 0, True))
        # nor added to a quote the customer has signed
        self._refused(self.user_advisor, "autorepair.service.order.line", "create", {
            "order_id": order.id, "quote_id": quote.id, "name": "加装", "line_type": "other", "price_unit": 1})
        self.assertEqual(len(quote.line_ids), 2)
        # computed amounts follow from the lines, whoever asks
        self._refused(self.user_manager, "autorepair.service.order", "write", [order.id], {"amount_total": 1.0})
        self.assertEqual(order.approved_amount, approved)

    def test_followup_call_counts_for_its_caller(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        self._deliver(order)
        scores = {"answer_ids": followup_answers(self.env, order, 5)}
        # logged in someone else's name, or backdated to meet the 24-hour target
        self._refused(self.user_care_agent, "autorepair.followup", "create",
                      {"order_id": order.id, "agent_id": self.user_manager.id, **scores})
        self.assertFalse(order.followup_ids)
        followup_id = self._call(self.user_care_agent, "autorepair.followup", "create",
                                 {"order_id": order.id, "date": "2020-01-01 08:00:00", **scores})
        followup = self.env["autorepair.followup"].browse(followup_id)
        self.assertEqual(followup.agent_id, self.user_care_agent)
        self.assertGreaterEqual(followup.date, order.delivered_date, "logged when it is logged, not backdated")
        self._refused(self.user_care_agent, "autorepair.followup", "write", [followup.id],
                      {"date": "2020-01-01 08:00:00"})
        # the answers keep the question and its weight of the day: the CSI is not tuned afterwards
        answer = followup.answer_ids[0]
        self._refused(self.user_care_agent, "autorepair.followup.answer", "write", answer.ids, {"weight": 100.0})
        self._refused(self.user_care_agent, "autorepair.survey.question", "write", answer.question_id.ids,
                      {"weight": 100.0})
        self.assertEqual((answer.weight, answer.question_id.weight), (1.0, 1.0))
