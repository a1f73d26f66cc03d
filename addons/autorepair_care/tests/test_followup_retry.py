import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.autorepair_workshop.tests.common import ServiceOrderCase, followup_answers

from .common import TZ, at, days, run_cron

# after the odometer reading of the workshop's car
TODAY = datetime.date(2026, 6, 10)


@tagged("post_install", "-at_install")
class TestFollowupRetry(ServiceOrderCase):
    """A customer the follow-up call did not reach is called again by the
    care attempt policy (RULEBOOK §3.13, §4): other time slots within the
    days of Settings, then the task fails; a call that reaches him closes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz=TZ))
        cls.user_care_agent.tz = TZ
        cls.Task = cls.env["autorepair.care.task"]

    def _delivered(self):
        with freeze_time(at(TODAY - days(1), 15)):
            order = self._received_order()
            self._approve_all(order)
            self._work_and_check(order)
            self._deliver(order)
        return order

    def _followup(self, order, day, hour, reached=False):
        vals = {"order_id": order.id, "reached": reached}
        if reached:
            vals["answer_ids"] = followup_answers(self.env, order, 5)
        with freeze_time(at(day, hour)):
            return self.env["autorepair.followup"].with_user(self.user_care_agent).create(vals)

    def _task(self, order):
        return self.Task.search([("followup_order_id", "=", order.id)])

    def test_not_reached_called_again_in_other_slots_then_failed(self):
        order = self._delivered()
        self._followup(order, TODAY, 10)
        task = self._task(order)
        self.assertEqual(len(task), 1)
        self.assertEqual((task.kind, task.state, task.user_id), ("followup", "open", self.user_care_agent))
        self.assertEqual((task.vehicle_id, task.partner_id), (self.vehicle, self.customer))
        self.assertEqual(task.attempt_ids.outcome, "no_answer", "the call that found nobody is the first attempt")
        self.assertEqual(task.next_call_date, TODAY)
        self.assertEqual(task.next_slot_id, self.env.ref("autorepair_crm.time_slot_afternoon"))
        self.assertEqual(task.activity_ids.user_id, self.user_care_agent)
        self.assertEqual(task.activity_ids.date_deadline, TODAY)
        self.assertIn("项目0", task.work_summary, "the script names the order's work")
        self._followup(order, TODAY, 15)
        self.assertEqual(len(self._task(order)), 1)
        self.assertEqual(len(task.attempt_ids), 2)
        self.assertEqual(task.next_slot_id, self.env.ref("autorepair_crm.time_slot_evening"))
        self.assertEqual(task.attempt_deadline, TODAY + days(2))
        # nobody called in the evening slot within the policy's days: the daily run fails it, once
        for _run in range(2):
            with freeze_time(at(TODAY + days(5), 2)):
                run_cron(self.Task, "_cron_daily_run")
            self.assertEqual((task.state, task.failure_reason), ("failed", "unreachable"))
            self.assertEqual(len(self._task(order)), 1, "no duplicate")
            self.assertEqual(len(task.attempt_ids), 2)
            self.assertFalse(task.activity_ids)
        self.assertFalse(task.message_state, "the follow-up message went with the first failed call")
        self.assertEqual(self.env["sms.sms"].sudo().search_count(
            [("partner_id", "=", self.customer.id), ("autorepair_kind", "=", "followup")]), 1)
        # a call logged after the task failed is only the call
        self._followup(order, TODAY + days(6), 10)
        self.assertEqual((len(self._task(order)), len(task.attempt_ids)), (1, 2))

    def test_reached_on_a_later_call_closes_the_task(self):
        order = self._delivered()
        self._followup(order, TODAY, 10)
        task = self._task(order)
        action = task.with_user(self.user_care_agent).action_reached()
        self.assertEqual((action["res_model"], action["context"]["default_order_id"]),
                         ("autorepair.followup", order.id), "reached: the questionnaire, not a bare click")
        self.assertEqual(task.attempt_ids.outcome, "no_answer")
        followup = self._followup(order, TODAY, 15, reached=True)
        self.assertEqual(followup.csi, 100.0)
        self.assertEqual(task.state, "reminded")
        self.assertEqual(task.attempt_ids.mapped("outcome"), ["reached", "no_answer"])
        self.assertFalse(task.activity_ids)
        with freeze_time(at(TODAY + days(5), 2)):
            run_cron(self.Task, "_cron_daily_run")
        self.assertEqual(task.state, "reminded")

    def test_reached_at_once_needs_no_retry(self):
        order = self._delivered()
        self._followup(order, TODAY, 10, reached=True)
        self.assertFalse(self._task(order))
