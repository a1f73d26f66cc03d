import datetime

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import TODAY, CareCase, at, days, run_cron


@tagged("post_install", "-at_install")
class TestReturn(CareCase):
    """A delivered visit that satisfies the rule closes the task as returned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._client("王强", "13800138002")
        cls.vehicle = cls._car("川A10003", cls.customer, next_service_date=TODAY + days(7), next_service_km=90000)
        run_cron(cls.Task, "_cron_daily_run")
        cls.task = cls.Task.search([("rule_id", "=", cls.rule_periodic.id), ("vehicle_id", "=", cls.vehicle.id)])

    def deliver(self, need_type, day=None):
        with freeze_time(at(day or TODAY + days(5), 16)):
            order = self.env["autorepair.service.order"].create({
                "vehicle_id": self.vehicle.id, "partner_id": self.customer.id, "need_type": need_type,
            })
            # a shortcut through the workflow: the superuser delivers the car at once
            order.write({"state": "delivered", "delivered_date": datetime.datetime.now()})
        return order

    def test_periodic_maintenance_visit_closes_the_task(self):
        self.assertEqual(self.task.state, "open")
        order = self.deliver("periodic_maintenance")
        self.assertEqual((self.task.state, self.task.returned_order_id), ("returned", order))
        self.assertEqual(self.task.done_date, at(TODAY + days(5), 16))
        self.assertFalse(self.task.activity_ids)

    def test_failed_reminder_still_counts_the_return(self):
        for hour in (10, 15, 19):
            with freeze_time(at(TODAY, hour)):
                self.task.with_user(self.user_care_agent).action_no_answer()
        self.assertEqual(self.task.state, "failed")
        self.deliver("periodic_maintenance")
        self.assertEqual(self.task.state, "returned")

    def test_other_visit_does_not_close_a_maintenance_reminder(self):
        self.deliver("repair")
        self.assertEqual(self.task.state, "open")

    def test_visit_after_the_return_window(self):
        self.deliver("periodic_maintenance", day=self.task.due_date + days(self.rule_periodic.return_days + 1))
        self.assertNotEqual(self.task.state, "returned")

    def test_any_visit_wins_back_a_lost_customer(self):
        lost = self.Task.create({
            "rule_id": self.rule_lost.id, "kind": "lost", "partner_id": self.customer.id,
            "due_date": TODAY, "deadline": TODAY + days(28), "user_id": self.user_care_agent.id,
        })
        # the ORM stamps the database's clock, which freezegun does not stop
        self.env.cr.execute(SQL("UPDATE autorepair_care_task SET create_date = %s WHERE id = %s",
                                datetime.datetime.now(), lost.id))
        lost.invalidate_recordset(["create_date"])
        self.deliver("repair")
        self.assertEqual(lost.state, "returned")
        self.assertEqual(self.task.state, "open")

    def test_cancelled_booking_is_called_again(self):
        with freeze_time(at(TODAY, 10)):
            self.env["autorepair.care.attempt"].with_user(self.user_care_agent).create({
                "task_id": self.task.id, "outcome": "booked",
                "appointment_start": datetime.datetime(2025, 6, 12, 2, 0),
            })
        self.assertEqual(self.task.state, "booked")
        self.assertTrue(self.task.done_date)
        self.task.service_order_id.with_user(self.user_advisor).action_cancel()
        self.assertEqual((self.task.state, self.task.service_order_id.id, self.task.done_date), ("open", False, False))
        self.assertEqual(self.task.activity_ids.user_id, self.user_care_agent)

    def test_booked_visit_delivered_returns_the_task(self):
        with freeze_time(at(TODAY, 10)):
            self.env["autorepair.care.attempt"].with_user(self.user_care_agent).create({
                "task_id": self.task.id, "outcome": "booked",
                "appointment_start": datetime.datetime(2025, 6, 12, 2, 0),
            })
        self.assertEqual(self.task.done_date, at(TODAY, 10))
        order = self.task.service_order_id
        with freeze_time(at(TODAY + days(2), 16)):
            order.write({"state": "delivered", "delivered_date": datetime.datetime.now()})
        self.assertEqual((self.task.state, self.task.returned_order_id), ("returned", order))
        self.assertEqual(self.task.done_date, at(TODAY, 10), "closed when the reminder booked the visit")
