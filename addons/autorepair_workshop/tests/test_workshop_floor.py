from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import SIGNATURE, ServiceOrderCase


@tagged("post_install", "-at_install")
class TestWorkshopFloor(ServiceOrderCase):
    """The technician's jobs and the three checks as the floor sees them: the
    booked technician gets the approved labour, a check that cannot be signed
    is refused before its form opens, each role finds the cars it checks."""

    def _my_jobs(self, user):
        action = self.env.ref("autorepair_workshop.autorepair_service_order_line_action_work")
        return self.env["autorepair.service.order.line"].with_user(user).search(
            safe_eval(action.domain) + [("technician_id", "=", user.id)])

    def _my_checks(self, user):
        return self.env["autorepair.service.order"].with_user(user).search(
            [("state", "=", "qc"), ("is_my_check", "=", True)])

    def _add_lines(self, order, *vals_list):
        return self.env["autorepair.service.order.line"].with_user(self.user_advisor).create([
            {"order_id": order.id, "quantity": 1, "price_unit": 100, **vals} for vals in vals_list])

    def test_booked_technician_copied_to_labour(self):
        order = self._order(technician_id=self.user_technician.id)
        labour, part, other = self._add_lines(
            order, {"line_type": "labour", "name": "更换刹车片"}, {"line_type": "part", "name": "刹车片"},
            {"line_type": "labour", "name": "四轮定位", "technician_id": self.user_technician2.id})
        self.assertEqual(labour.technician_id, self.user_technician, "the booked technician does the labour")
        self.assertFalse(part.technician_id, "a part is nobody's job")
        self.assertEqual(other.technician_id, self.user_technician2, "a technician named on the line is kept")

        later = self._order()
        line = self._add_lines(later, {"line_type": "labour", "name": "更换机油"})
        self.assertFalse(line.technician_id)
        later.with_user(self.user_advisor).technician_id = self.user_technician2
        self.assertEqual(line.technician_id, self.user_technician2, "booking a technician later fills his jobs")

    def test_portal_approval_reaches_the_booked_technician(self):
        order = self._order(technician_id=self.user_technician.id)
        order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 21000})
        order.with_user(self.user_advisor).action_receive()
        # a line saved without its technician (an import, an older client)
        line = self._add_lines(order, {"line_type": "labour", "name": "更换空调滤芯", "technician_id": False})
        self.assertFalse(line.technician_id)
        self.assertNotIn(line, self._my_jobs(self.user_technician))
        order.with_user(self.user_advisor).action_send_quote()
        # the customer approves on the portal: the controller records his decision as the superuser
        order.quote_ids.sudo()._record_decisions({line.id: "approved"}, SIGNATURE, "张伟", "portal")
        self.assertEqual(order.state, "approved")
        self.assertEqual(line.technician_id, self.user_technician)
        self.assertIn(line, self._my_jobs(self.user_technician), "the approved work is on his list")

    def test_job_card_buttons_send_to_checks(self):
        order = self._received_order(lines=4)
        self._approve_all(order)
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual(self._my_jobs(self.user_technician), labour)
        labour = labour.with_user(self.user_technician)
        labour[0].action_start_work()
        labour[0].action_finish_work()
        self.assertFalse(labour[0].can_request_check, "another job of the car is not done")
        with self.assertRaisesRegex(UserError, "项目2"):
            labour[0].action_request_check()
        labour[1].action_start_work()
        labour[1].action_finish_work()
        self.assertTrue(all(labour.mapped("can_request_check")))
        labour[1].action_request_check()
        self.assertEqual(order.state, "qc")
        self.assertEqual(labour.mapped("check_due"), ["self", "self"])
        self.assertEqual(self._my_jobs(self.user_technician), labour, "his jobs wait on his list for the self-check")
        action = labour[0].with_context(check_type="self").action_open_check()
        self.assertEqual((action["res_model"], action["context"]["default_check_type"]),
                         ("autorepair.quality.check", "self"))
        self.env["autorepair.quality.check"].with_user(self.user_technician).create(
            {"order_id": order.id, "check_type": "self", "result": "pass"})
        self.assertFalse(self._my_jobs(self.user_technician), "self-checked: the car has left his list")

    def test_checks_due_and_who_sees_them(self):
        order = self._received_order()
        self._approve_all(order)
        self.assertFalse(order.check_due)
        self._work(order)
        Check = self.env["autorepair.quality.check"]
        self.assertEqual(order.check_due, "self")
        self.assertEqual(self._my_checks(self.user_technician), order)
        self.assertFalse(self._my_checks(self.user_technician2), "not his car")
        self.assertFalse(self._my_checks(self.user_team_lead))
        Check.with_user(self.user_technician).create({"order_id": order.id, "check_type": "self", "result": "pass"})
        self.assertEqual(order.check_due, "peer")
        self.assertFalse(self._my_checks(self.user_technician))
        self.assertEqual(self._my_checks(self.user_team_lead), order)
        self.assertFalse(self._my_checks(self.user_inspector), "the inspector's list is the final checks")
        Check.with_user(self.user_team_lead).create({"order_id": order.id, "check_type": "peer", "result": "pass"})
        self.assertEqual(order.check_due, "final")
        self.assertFalse(self._my_checks(self.user_team_lead))
        self.assertEqual(self._my_checks(self.user_inspector), order)
        Check.with_user(self.user_inspector).create(
            {"order_id": order.id, "check_type": "final", "result": "fail", "reason": "刹车异响"})
        self.assertEqual(order.state, "in_progress")
        self.assertFalse(order.check_due, "back to work")
        self._work(order)
        self.assertEqual(order.check_due, "self", "after a fail the checks start again")

    def test_final_check_refused_before_its_form_opens(self):
        order = self._received_order()
        self._approve_all(order)
        inspector = order.with_user(self.user_inspector).with_context(check_type="final")
        with self.assertRaisesRegex(UserError, "not waiting for its quality checks"):
            inspector.action_open_check()
        self._work(order)
        with self.assertRaisesRegex(UserError, "Final Check comes after a passed Peer Check"):
            inspector.action_open_check()
        with self.assertRaisesRegex(UserError, "technician who worked on the car"):
            order.with_user(self.user_technician2).with_context(check_type="self").action_open_check()
        with self.assertRaisesRegex(UserError, "signed by a Quality Inspector"):
            order.with_user(self.user_team_lead).with_context(check_type="final").action_open_check()
        Check = self.env["autorepair.quality.check"]
        Check.with_user(self.user_technician).create({"order_id": order.id, "check_type": "self", "result": "pass"})
        # the inspector signed the peer check himself: he cannot sign the final one too
        Check.with_user(self.user_inspector).create({"order_id": order.id, "check_type": "peer", "result": "pass"})
        with self.assertRaisesRegex(UserError, "another person"):
            inspector.action_open_check()
        self.assertEqual(order.check_due, "final")
        self.assertEqual(order.state, "qc", "nothing recorded by the refusals")
