from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TODAY, CareCase, at, days, run_cron


@tagged("post_install", "-at_install")
class TestAttemptPolicy(CareCase):
    """3 calls within 3 days in 3 different time slots, then the rule's
    fallback message through the queue, then a failed reminder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._client("李娜", "13800138001", email="lina@example.com")
        cls.vehicle = cls._car("川A10001", cls.customer, delivery_date=TODAY - days(60),
                               next_service_date=TODAY + days(7), next_service_km=90000)
        run_cron(cls.Task, "_cron_daily_run")
        cls.task = cls.Task.search([("rule_id", "=", cls.rule_first.id), ("vehicle_id", "=", cls.vehicle.id)])
        cls.task_periodic = cls.Task.search(
            [("rule_id", "=", cls.rule_periodic.id), ("vehicle_id", "=", cls.vehicle.id)])

    def call(self, task, day, hour, outcome="no_answer"):
        with freeze_time(at(day, hour)):
            getattr(task.with_user(self.user_care_agent), f"action_{outcome}")()

    def sms_to_customer(self):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id)])

    def test_three_slots_then_sms_then_failed(self):
        task = self.task
        self.assertEqual(len(self.slots), 3)
        self.call(task, TODAY, 10)
        self.assertEqual(task.state, "open")
        self.assertEqual(task.next_call_date, TODAY)
        self.assertEqual(task.next_slot_id, self.env.ref("autorepair_crm.time_slot_afternoon"))
        self.assertEqual(task.activity_ids.date_deadline, TODAY)
        self.call(task, TODAY, 15)
        self.assertEqual(task.next_slot_id, self.env.ref("autorepair_crm.time_slot_evening"))
        self.call(task, TODAY, 19)
        self.assertEqual((task.state, task.failure_reason), ("failed", "unreachable"))
        self.assertEqual((task.message_state, task.message_channel), ("pending", "sms"))
        self.assertFalse(task.activity_ids)
        self.assertEqual(task.attempt_ids.slot_id, self.slots)
        # nothing is sent inline: the dispatch puts the SMS in Odoo's queue
        self.assertFalse(self.sms_to_customer())
        self.dispatch(TODAY, 20)
        sms = self.sms_to_customer()
        self.assertEqual(len(sms), 1)
        self.assertEqual((sms.state, sms.number), ("outgoing", "+8613800138001"))
        self.assertIn("川A10001", sms.body)
        self.assertEqual(task.message_state, "queued")
        self.assertEqual(task.state, "failed")
        self.dispatch(TODAY, 20)
        self.assertEqual(len(self.sms_to_customer()), 1, "queued once")

    def test_same_slot_does_not_count_twice(self):
        task = self.task
        self.call(task, TODAY, 9)
        self.call(task, TODAY, 11)
        self.call(task, TODAY, 15)
        self.assertEqual(task.state, "open", "three calls but two slots")
        self.assertEqual(task.next_slot_id, self.env.ref("autorepair_crm.time_slot_evening"))
        self.call(task, TODAY, 19)
        self.assertEqual(task.state, "failed")

    def test_next_day_when_no_slot_left_today(self):
        task = self.task
        self.call(task, TODAY, 19)
        self.assertEqual((task.next_call_date, task.next_slot_id.hour_from), (TODAY + days(1), 9))
        self.assertEqual(task.attempt_deadline, TODAY + days(2))
        self.call(task, TODAY + days(1), 10)
        self.call(task, TODAY + days(2), 15)
        self.assertEqual(task.state, "failed")

    def test_attempt_days_run_out(self):
        """Calls not completed within the days of the policy: the daily run
        fails the task as unreachable and the fallback goes."""
        task = self.task
        self.call(task, TODAY, 10)
        self.run_day(TODAY + days(3))
        self.assertEqual((task.state, task.failure_reason, task.message_state), ("failed", "unreachable", "pending"))

    def test_deadline_passed_without_contact(self):
        task = self.task
        self.run_day(task.deadline + days(1))
        self.assertEqual((task.state, task.failure_reason), ("failed", "expired"))
        self.assertFalse(task.activity_ids)
        self.assertEqual(task.done_date, at(task.deadline + days(1), 2), "closed by the daily run")

    def test_done_date_follows_the_outcome(self):
        """Closed On: stamped when the task reaches its outcome, cleared when
        it is reopened, stamped again at the next outcome."""
        task = self.task
        self.assertFalse(task.done_date)
        for hour in (10, 15):
            self.call(task, TODAY, hour)
        self.assertFalse(task.done_date, "still being called")
        self.call(task, TODAY, 19)
        self.assertEqual((task.state, task.done_date), ("failed", at(TODAY, 19)))
        with freeze_time(at(TODAY + days(1), 9)):
            task.with_user(self.user_care_manager).action_reopen()
        self.assertEqual((task.state, task.done_date), ("open", False))
        self.assertEqual(task.activity_ids.user_id, self.user_care_agent)
        self.call(task, TODAY + days(1), 11, "wrong_number")
        self.assertEqual((task.state, task.done_date), ("correction", False), "waits for the number")
        with freeze_time(at(TODAY + days(2), 9)):
            self.customer.mobile = "13900139001"
        self.call(task, TODAY + days(2), 10, "reached")
        self.assertEqual((task.state, task.done_date), ("reminded", at(TODAY + days(2), 10)))
        other = self.task_periodic
        with freeze_time(at(TODAY, 16)):
            other.with_user(self.user_care_manager).action_cancel()
        self.assertEqual((other.state, other.done_date), ("cancel", at(TODAY, 16)))

    def test_fallback_email_for_periodic_maintenance(self):
        task = self.task_periodic
        for hour in (10, 15, 19):
            self.call(task, TODAY, hour)
        self.assertEqual((task.state, task.message_channel), ("failed", "email"))
        self.dispatch(TODAY, 20)
        mail = self.env["mail.mail"].sudo().search([("model", "=", task._name), ("res_id", "=", task.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn("川A10001", mail.subject)
        # the email invites a reply: the agent follows the task to receive it
        self.assertEqual(task.message_partner_ids, self.user_care_agent.partner_id)

    def test_quiet_hours(self):
        task = self.task
        for hour in (10, 15, 19):
            self.call(task, TODAY, hour)
        self.dispatch(TODAY, 22)
        self.assertEqual(task.message_state, "pending")
        self.assertFalse(self.sms_to_customer())
        self.dispatch(TODAY + days(1), 9)
        self.assertEqual(task.message_state, "queued")

    def test_reached(self):
        self.call(self.task, TODAY, 10, "reached")
        self.assertEqual(self.task.state, "reminded")
        self.assertFalse(self.task.activity_ids)
        with self.assertRaises(UserError):
            self.call(self.task, TODAY, 11, "no_answer")

    def test_booked_creates_the_appointment(self):
        action = self.task.with_user(self.user_care_agent).with_context(care_outcome="booked").action_log_outcome()
        with freeze_time(at(TODAY, 10)):
            with Form(self.env["autorepair.care.attempt"].with_user(self.user_care_agent).with_context(
                    **action["context"])) as form:
                self.assertEqual(form.outcome, "booked")
                self.assertEqual(form.vehicle_id, self.vehicle)
                # proposed: tomorrow at the start of the morning slot, 9:00 in China
                self.assertEqual(str(form.appointment_start), "2025-06-11 01:00:00")
                form.note = "Saturday morning is fine"
        order = self.task.service_order_id
        self.assertEqual(self.task.state, "booked")
        self.assertEqual((order.state, order.need_type, order.source), ("draft", "first_maintenance", "shop"))
        self.assertEqual((order.vehicle_id, order.partner_id), (self.vehicle, self.customer))
        self.assertEqual(str(order.appointment_start), "2025-06-11 01:00:00")
        self.assertFalse(self.task.activity_ids)

    def test_refused_needs_a_reason(self):
        with self.assertRaises(ValidationError):
            self.env["autorepair.care.attempt"].with_user(self.user_care_agent).create(
                {"task_id": self.task.id, "outcome": "refused"})
        self.env["autorepair.care.attempt"].with_user(self.user_care_agent).create(
            {"task_id": self.task.id, "outcome": "refused", "no_return_reason": "distance"})
        self.assertEqual((self.task.state, self.task.no_return_reason), ("reminded", "distance"))

    def test_serviced_elsewhere_records_the_shop(self):
        self.env["autorepair.care.attempt"].with_user(self.user_care_agent).create({
            "task_id": self.task.id, "outcome": "serviced_elsewhere", "other_shop_name": "途虎养车",
            "other_shop_place": "武侯区", "other_shop_price": 399,
        })
        self.assertEqual(self.task.state, "elsewhere")
        self.assertEqual((self.task.other_shop_name, self.task.other_shop_place, self.task.other_shop_price),
                         ("途虎养车", "武侯区", 399))

    def test_wrong_number_goes_to_the_correction_list(self):
        self.call(self.task, TODAY, 10, "wrong_number")
        self.assertEqual(self.task.state, "correction")
        self.assertTrue(self.customer.care_wrong_number)
        self.assertIn(self.customer, self.env["res.partner"].search([("care_wrong_number", "=", True)]))
        self.assertFalse(self.task.activity_ids)
        with freeze_time(at(TODAY + days(1), 9)):
            self.customer.with_user(self.user_care_agent).mobile = "13900139001"
        self.assertFalse(self.customer.care_wrong_number)
        self.assertEqual((self.task.state, self.task.next_call_date), ("open", TODAY + days(1)))
        self.assertEqual(self.task.activity_ids.user_id, self.user_care_agent)
