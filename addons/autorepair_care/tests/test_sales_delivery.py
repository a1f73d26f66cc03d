"""New-car delivery follow-ups by sales (RULEBOOK §6.7): the consultant's
call within 24 hours, the care department's check at 72 hours, the sales
manager's call back to a dissatisfied customer within 2 days; late steps
flagged; each step written by its own people only."""

import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, add_role_users

from .common import TODAY, CareCase, at, days, run_cron


def hours(count):
    return datetime.timedelta(hours=count)


class SalesDeliveryCase(CareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "ard", {
            "sales_2": "autorepair_crm.group_sales",
            "sales_manager": "autorepair_care.group_sales_manager",
        })
        cls.Delivery = cls.env["autorepair.sales.delivery"]
        # the demo's sales and care managers leave: the fixture's own come first
        for role, user in (("autorepair_care.group_sales_manager", cls.user_sales_manager),
                           ("autorepair_care.group_care_manager", cls.user_care_manager)):
            cls.env["res.users"].search([
                ("groups_id", "in", cls.env.ref(role).ids), ("id", "!=", user.id), ("share", "=", False),
            ]).filtered(lambda other: not other.has_group("autorepair_crm.group_manager")).active = False
        cls.customer = cls._client("刘洋", "13800138011")
        cls.car = cls._car("川A6N001", cls.customer)

    def deliver(self, car=None, when=None, user=None):
        """A new car handed over by the consultant, at ``when`` (UTC)."""
        when = when or at(TODAY, 9)
        user = user or self.user_sales
        with freeze_time(when):
            return self.Delivery.with_user(user).create({"vehicle_id": (car or self.car).id, "delivered_at": when})

    def record(self, delivery, step, user, when, answer=None, note="客户反馈"):
        with freeze_time(when):
            delivery = delivery.with_user(user)
            values = {f"{step}_note": note}
            if answer:
                values[f"{step}_answer"] = answer
            delivery.write(values)
            getattr(delivery, f"action_record_{step}")()
        self.env.invalidate_all()

    def activities(self, delivery, step):
        return delivery.activity_ids.filtered(
            lambda activity: activity.activity_type_id == self.env.ref(
                f"autorepair_care.mail_activity_type_delivery_{step}"))


@tagged("post_install", "-at_install")
class TestSalesDelivery(SalesDeliveryCase):

    def test_delivery_puts_the_call_on_the_consultants_list(self):
        delivery = self.deliver()
        self.assertEqual(delivery.partner_id, self.customer, "the car's owner")
        self.assertEqual(delivery.check_user_id, self.user_care_agent, "the customer's care agent checks")
        self.assertEqual(delivery.call_deadline, at(TODAY, 9) + hours(24))
        self.assertEqual(delivery.check_deadline, at(TODAY, 9) + hours(72))
        self.assertEqual(self.car.delivery_date, TODAY, "the car's delivery date, the dealer's day")
        call = self.activities(delivery, "call")
        self.assertEqual((call.user_id, call.date_deadline), (self.user_sales, TODAY + days(1)))
        self.assertEqual(delivery.state, "open")
        with self.assertRaises(ValidationError):
            self.Delivery.with_user(self.user_sales).create({
                "vehicle_id": self._car("川A6N002", self.customer).id, "delivered_at": at(TODAY, 9) + days(2)})

    def test_call_within_24_hours(self):
        on_time = self.deliver()
        late = self.deliver(self._car("川A6N003", self.customer))
        # exactly 24 hours later counts
        self.record(on_time, "call", self.user_sales, at(TODAY, 9) + hours(24), "very_satisfied")
        self.assertTrue(on_time.call_on_time)
        self.assertFalse(self.activities(on_time, "call"), "the call is done")
        with freeze_time(at(TODAY, 9) + hours(24) + datetime.timedelta(minutes=1)):
            self.assertFalse(on_time.call_late)
            self.assertTrue(late.call_late)
            self.assertEqual(self.Delivery.search([("call_late", "=", True), ("id", "in", (on_time | late).ids)]),
                             late)
            self.assertEqual(self.Delivery.search([("is_late", "=", True), ("id", "in", (on_time | late).ids)]),
                             late)
            self.assertEqual(self.Delivery.search([("is_late", "=", False), ("id", "in", (on_time | late).ids)]),
                             on_time)
        # called late: still flagged once done
        self.record(late, "call", self.user_sales, at(TODAY, 9) + hours(30), "satisfied")
        self.assertFalse(late.call_on_time)
        self.assertTrue(late.call_late)
        self.assertEqual(late.satisfaction, "satisfied")
        # a call without the customer's answer is not a call made
        third = self.deliver(self._car("川A6N004", self.customer))
        with self.assertRaises(UserError):
            third.with_user(self.user_sales).action_record_call()

    def test_care_check_at_72_hours_cron_twice(self):
        """The check goes on the agent's list the day before it is due, once;
        a customer without an agent goes to a care manager."""
        delivery = self.deliver()
        orphan = self.deliver(self._car("川A6N005", self._client("孙悦", "13800138012", care_agent_id=False)))
        self.assertFalse(orphan.check_user_id)
        Delivery = self.env["autorepair.sales.delivery"]
        with freeze_time(at(TODAY, 9) + hours(47)):
            self.assertEqual(run_cron(Delivery, "_cron_schedule_checks")["scheduled"], 0)
        for _run in range(2):
            with freeze_time(at(TODAY, 9) + hours(48)):
                run_cron(Delivery, "_cron_schedule_checks")
        self.env.invalidate_all()
        check = self.activities(delivery, "check")
        self.assertEqual((check.user_id, check.date_deadline), (self.user_care_agent, TODAY + days(3)))
        self.assertEqual(orphan.check_user_id, self.user_care_manager)
        self.assertEqual(len(self.activities(orphan, "check")), 1)
        self.assertTrue((delivery | orphan).mapped("check_scheduled"))
        self.record(delivery, "check", self.user_care_agent, at(TODAY, 9) + hours(70), "very_satisfied")
        self.assertFalse(self.activities(delivery, "check"))
        self.assertTrue(delivery.check_on_time)
        with freeze_time(at(TODAY, 9) + hours(73)):
            self.assertTrue(orphan.check_late)
            self.assertFalse(delivery.check_late)
            run_cron(Delivery, "_cron_schedule_checks")
        self.assertEqual(len(self.activities(orphan, "check")), 1, "run again: no duplicate")

    def test_checks_scheduled_in_batches(self):
        """The hourly run costs no more queries for six deliveries than for two."""
        def run(plates):
            for plate in plates:
                self.deliver(self._car(plate, self.customer))
            with freeze_time(at(TODAY, 9) + hours(48)):
                return self._count_queries(lambda: self.Delivery._cron_schedule_checks())
        run([])  # the caches warm
        two = run([f"川A7N{index:03d}" for index in range(2)])
        self.assertLessEqual(run([f"川A7N{index:03d}" for index in range(10, 16)]), two)
        self.assertEqual(self.Delivery.search_count(
            [("check_scheduled", "=", True), ("partner_id", "=", self.customer.id)]), 8)

    def test_dissatisfied_customer_called_back_by_the_sales_manager(self):
        delivery = self.deliver()
        self.record(delivery, "call", self.user_sales, at(TODAY, 9) + hours(5), "very_satisfied")
        self.record(delivery, "check", self.user_care_agent, at(TODAY, 9) + hours(72), "dissatisfied",
                    note="交车时油量不足")
        self.assertTrue(delivery.callback_required)
        self.assertEqual(delivery.satisfaction, "dissatisfied", "the care department's answer counts")
        self.assertEqual(delivery.callback_user_id, self.user_sales_manager, "the company's sales manager")
        self.assertEqual(delivery.callback_deadline, at(TODAY, 9) + hours(72) + days(2))
        callback = self.activities(delivery, "callback")
        self.assertEqual((callback.user_id, callback.date_deadline), (self.user_sales_manager, TODAY + days(5)))
        self.assertEqual(delivery.state, "open")
        with freeze_time(at(TODAY, 9) + hours(72) + days(2) + hours(1)):
            self.assertTrue(delivery.callback_late)
            self.assertIn(delivery, self.Delivery.search([("callback_late", "=", True)]))
        with self.assertRaises(AccessError):
            self.record(delivery, "callback", self.user_sales, at(TODAY, 9) + hours(80))
        self.record(delivery, "callback", self.user_sales_manager, at(TODAY, 9) + hours(80),
                    note="致歉并赠送洗车一次，客户接受")
        self.assertEqual(delivery.state, "done")
        self.assertTrue(delivery.callback_on_time)
        self.assertFalse(delivery.is_late)
        self.assertFalse(self.activities(delivery, "callback"))

    def test_supervisor_of_settings(self):
        """A supervisor set in Settings gets the call back; the consultant's
        own dissatisfied answer asks for it too."""
        supervisor = new_test_user(self.env, login="ard_supervisor_2", groups="autorepair_care.group_sales_manager",
                                   company_id=self.company.id, company_ids=[self.company.id])
        self.company.autorepair_care_sales_manager_id = supervisor
        delivery = self.deliver()
        self.record(delivery, "call", self.user_sales, at(TODAY, 12), "dissatisfied")
        self.assertEqual(delivery.callback_user_id, supervisor)
        self.assertEqual(delivery.callback_deadline, at(TODAY, 12) + days(2))
        self.assertEqual(self.activities(delivery, "callback").user_id, supervisor)
        self.company.autorepair_care_delivery_callback_days = 3
        self.assertEqual(delivery.callback_deadline, at(TODAY, 12) + days(2), "fixed when the answer came")

    def test_each_step_by_its_own_people(self):
        delivery = self.deliver()
        theirs = self.deliver(self._car("川A6N006", self.customer), user=self.user_sales_2)
        mine = delivery.with_user(self.user_sales)
        for values in ({"check_answer": "satisfied"}, {"callback_note": "x"}, {"call_date": at(TODAY, 10)},
                       {"delivered_at": at(TODAY, 8)}, {"user_id": self.user_sales_2.id}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                mine.write(values)
        with self.assertRaises(AccessError):
            delivery.with_user(self.user_care_agent).write({"call_answer": "very_satisfied"})
        with self.assertRaises(AccessError):
            theirs.with_user(self.user_sales).write({"call_answer": "very_satisfied"})
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.user_sales).create({
                "vehicle_id": self._car("川A6N007", self.customer).id, "user_id": self.user_sales_2.id})
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.user_sales).create({
                "vehicle_id": self._car("川A6N008", self.customer).id, "call_answer": "very_satisfied",
                "call_date": at(TODAY, 9)})
        # recorded: frozen, for the figures count what was answered
        self.record(delivery, "call", self.user_sales, at(TODAY, 12), "satisfied")
        with self.assertRaises(UserError):
            mine.write({"call_answer": "very_satisfied"})
        with self.assertRaises(UserError):
            delivery.with_user(self.user_sales_manager).write({"call_answer": "very_satisfied"})
        # the sales manager corrects the head of the record
        delivery.with_user(self.user_sales_manager).write({"user_id": self.user_sales_2.id})
        self.assertEqual(delivery.user_id, self.user_sales_2)

    def test_who_sees_which_delivery(self):
        mine = self.deliver()
        theirs = self.deliver(
            self._car("川A6N009", self._client("周敏", "13800138013", care_agent_id=self.user_care_agent_2.id)),
            user=self.user_sales_2)
        both = mine | theirs
        domain = [("id", "in", both.ids)]
        self.assertEqual(self.Delivery.with_user(self.user_sales).search(domain), mine)
        self.assertEqual(self.Delivery.with_user(self.user_care_agent).search(domain), mine, "his checks")
        self.assertEqual(self.Delivery.with_user(self.user_care_agent_2).search(domain), theirs)
        for user in (self.user_sales_manager, self.user_care_manager, self.user_manager, self.user_general_manager):
            with self.subTest(user=user.login):
                self.assertEqual(self.Delivery.with_user(user).search(domain), both)
        with self.assertRaises(AccessError):
            theirs.with_user(self.user_sales).read(["call_answer"])
        for user in (self.user_technician, self.user_advisor, self.user_inspector):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Delivery.with_user(user).search([])
        with self.assertRaises(AccessError):
            mine.with_user(self.user_care_agent).unlink()
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.user_care_agent).create({"vehicle_id": self._car(
                "川A6N010", self.customer).id, "user_id": self.user_sales.id})

    def test_other_company_invisible(self):
        other = self.env["res.company"].create({"name": "绵阳店"})
        customer = self._client("钱多", "13800138019", company_id=other.id)
        car = self._car("川B6N001", customer, company_id=other.id)
        delivery = self.Delivery.create({"vehicle_id": car.id, "company_id": other.id, "user_id": self.user_sales.id,
                                         "delivered_at": at(TODAY, 9)})
        self.assertFalse(self.Delivery.with_user(self.user_sales_manager).search([("id", "=", delivery.id)]))

    def test_consultant_only(self):
        with self.assertRaises(ValidationError):
            self.Delivery.create({"vehicle_id": self.car.id, "user_id": self.user_advisor.id})


@tagged("post_install", "-at_install")
class TestSalesDeliveryRpc(SalesDeliveryCase, HttpCase, RpcClientMixin):
    """Over JSON-RPC (and XML-RPC) too: refused, nothing changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(at(TODAY, 9)):
            cls.delivery = cls.Delivery.with_user(cls.user_sales).create(
                {"vehicle_id": cls.car.id, "delivered_at": at(TODAY, 9)})

    def _snapshot(self):
        self.env.invalidate_all()
        return self.delivery.sudo().read([
            "user_id", "delivered_at", "call_answer", "call_date", "check_answer", "check_date", "callback_note",
            "write_date"])

    def test_refused_over_rpc(self):
        model, ids = "autorepair.sales.delivery", self.delivery.ids
        self._assert_rpc_refused(self.user_sales, model, "write", ids, {"call_date": "2025-06-10 01:30:00"},
                                 xmlrpc=True)
        self._assert_rpc_refused(self.user_sales, model, "write", ids, {"check_answer": "very_satisfied"})
        self._assert_rpc_refused(self.user_sales, model, "write", ids, {"delivered_at": "2025-06-10 03:00:00"})
        self._assert_rpc_refused(self.user_sales_2, model, "write", ids, {"call_answer": "very_satisfied"},
                                 xmlrpc=True)
        self._assert_rpc_refused(self.user_sales_2, model, "read", ids, ["call_answer"])
        self._assert_rpc_refused(self.user_care_agent, model, "write", ids, {"call_answer": "very_satisfied"})
        self._assert_rpc_refused(self.user_technician, model, "search_read", [], ["partner_id"])
        self._assert_rpc_refused(self.user_sales, model, "action_record_check", ids)
        # the consultant's own step goes through
        self._jsonrpc_ok(self.user_sales, model, "write", ids, {"call_answer": "very_satisfied"})
        self._jsonrpc_ok(self.user_sales, model, "action_record_call", ids)
        self.env.invalidate_all()
        self.assertTrue(self.delivery.call_date)
        self._assert_rpc_refused(self.user_sales, model, "write", ids, {"call_answer": "dissatisfied"})
