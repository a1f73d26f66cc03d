import datetime
import itertools
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, api
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TODAY, CareCase, at, days, run_cron

SERIAL = itertools.count(1)
# queries of a catch-up run (one rule: its tasks, their calls and its late tasks in one statement), measured
CATCH_UP_QUERY_BUDGET = 36


@tagged("post_install", "-at_install")
class TestEngine(CareCase):
    """The daily run a dealer can trust: idempotent, catching up missed days,
    losing nothing on a crash, its queries constant in the number of cars."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a dealer of its own, so that the demo data of other tests stays out
        cls.company_b = cls.env["res.company"].create({"name": "成都二店"})
        cls.user_care_agent.write({"company_ids": [(4, cls.company_b.id)]})

    def only_rules(self, *rules):
        """Keep the given rules, for the test dealer only."""
        Rule = self.env["autorepair.care.rule"]
        (Rule.search([]) - Rule.concat(*rules)).active = False
        for rule in rules:
            rule.company_id = self.company_b

    def cars(self, count, agent=True, **vals):
        """Cars of new customers, looked after by the care agent (or by
        nobody: the run assigns their calls, in its batch step)."""
        serials = [next(SERIAL) for _i in range(count)]
        customers = self.env["res.partner"].create([{
            "name": f"客户{serial}", "mobile": f"1370000{serial:04d}", "is_autorepair_customer": True,
            "company_id": self.company_b.id, "care_agent_id": agent and self.user_care_agent.id,
        } for serial in serials])
        vehicles = self.env["fleet.vehicle"]
        for serial, customer in zip(serials, customers, strict=True):
            vehicles |= self._car(f"川G{serial:05d}", customer, company_id=self.company_b.id, **vals)
        return vehicles

    def crashes(self, day):
        """Run the day and tell whether it crashed. Not assertRaises: it
        would roll back what the run committed before the crash."""
        try:
            self.run_day(day, force=False)
        except RuntimeError:
            return True
        return False

    def set_batch_size(self, size):
        self.env["ir.config_parameter"].sudo().set_param("autorepair_care.batch_size", size)

    def test_second_run_creates_nothing(self):
        customer = self._client("李娜", "13800138001")
        vehicle = self._car("川A10001", customer, delivery_date=TODAY - days(60), inspection_due_date=TODAY + days(30))
        self.run_day(TODAY, force=False)
        tasks = self.Task.search([("vehicle_id", "=", vehicle.id)])
        self.assertEqual(len(tasks), 2)
        activities = tasks.activity_ids
        self.assertEqual(self.run_day(TODAY, force=False)["created"], 0)
        self.assertEqual(self.run_day(TODAY, force=True)["created"], 0,
                         "the unique key and the cap, not only the watermark")
        self.assertEqual(self.Task.search([("vehicle_id", "=", vehicle.id)]), tasks)
        self.assertEqual(tasks.activity_ids, activities)

    def test_unique_key(self):
        customer = self._client("李娜", "13800138001")
        vals = {"rule_id": self.rule_birthday.id, "kind": "birthday", "partner_id": customer.id,
                "due_date": TODAY, "deadline": TODAY}
        self.Task.create(vals)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Task.create(vals)

    def test_catch_up_after_three_missed_days(self):
        consent = {"marketing_consent": True, "marketing_consent_date": TODAY, "marketing_consent_source": "form"}
        customers = [
            self._client(f"寿星{offset}", f"1380013810{offset}", birthday=(TODAY + days(offset)).replace(year=1980),
                         **consent)
            for offset in range(5)
        ]
        self.run_day(TODAY, force=False)
        # the server is down on TODAY + 1, 2 and 3
        self.run_day(TODAY + days(4), force=False)
        self.run_day(TODAY + days(4), force=False)
        for offset, customer in enumerate(customers):
            task = self.tasks(self.rule_birthday, customer)
            self.assertEqual(len(task), 1, customer.name)
            self.assertEqual(task.due_date, TODAY + days(offset))
        # a greeting of a missed day is past its deadline: its SMS goes instead
        missed = self.tasks(self.rule_birthday, customers[2])
        self.assertEqual((missed.state, missed.failure_reason, missed.message_channel),
                         ("failed", "expired", "sms"))
        self.assertEqual(self.tasks(self.rule_birthday, customers[4]).state, "open")
        self.assertEqual(self.rule_birthday.last_run_date, TODAY + days(4))
        tasks = self.Task.search([("partner_id", "in", [c.id for c in customers])])
        self.assertEqual(len(tasks), 5)
        for task in tasks.filtered(lambda t: t.state == "open"):
            self.assertEqual(len(task.activity_ids), 1, task.partner_id.name)

    def test_crash_in_the_middle_of_a_batch_loses_nothing(self):
        """The server dies half-way through the second batch of activities:
        the first batch is kept, the half-made second one rolled back, and the
        next run completes the work without a duplicate."""
        self.only_rules(self.rule_inspection)
        self.set_batch_size(4)
        vehicles = self.cars(10, agent=False, inspection_due_date=TODAY + days(30))
        Task = type(self.Task)
        original = Task._schedule
        calls = []

        def crash_mid_second_batch(tasks, today=None):
            calls.append(len(tasks))
            if len(calls) == 2:
                original(tasks[:2], today)
                raise RuntimeError("server killed")
            return original(tasks, today)

        with patch.object(Task, "_schedule", crash_mid_second_batch):
            self.assertTrue(self.crashes(TODAY))
        tasks = self.Task.search([("vehicle_id", "in", vehicles.ids)])
        self.assertEqual(len(tasks), 10, "the tasks were committed with the rule's watermark")
        scheduled = tasks.filtered(lambda t: not t.to_schedule)
        self.assertEqual(len(scheduled), 4, "the first batch was kept, the half of the second rolled back")
        self.assertEqual(scheduled, tasks.filtered("activity_ids"), "no half-made task")
        self.run_day(TODAY, force=False)
        self.assertEqual(self.Task.search([("vehicle_id", "in", vehicles.ids)]), tasks)
        for task in tasks:
            self.assertEqual(len(task.activity_ids), 1)
            self.assertFalse(task.to_schedule)

    def test_each_call_reports_what_is_left_of_the_whole_run(self):
        """One chunk a call, and the work left in every step reported, as
        Odoo's scheduler needs to call again: a call that leaves activities
        to schedule says so even when nothing is left to fail (the run used
        to report 0 then, and the rest waited for the next night). Calling
        again finishes the run; one more call finds nothing to do."""
        self.only_rules(self.rule_inspection, self.rule_insurance)
        self.set_batch_size(4)
        vehicles = self.cars(10, agent=False, inspection_due_date=TODAY + days(30))
        late = self.cars(1)
        overdue = self.Task.create({
            "rule_id": self.rule_inspection.id, "kind": "inspection", "company_id": self.company_b.id,
            "vehicle_id": late.id, "partner_id": late.owner_id.id, "to_schedule": False,
            "due_date": TODAY - days(20), "deadline": TODAY - days(1)})
        cron = self.env.ref("autorepair_care.ir_cron_daily_run")

        def call():
            """One call of the scheduler's loop: what it did and what Odoo reads."""
            _cron, progress = cron._add_progress()
            with freeze_time(at(TODAY, 2)):
                result = self.Task.with_context(cron_id=cron.id, ir_cron_progress_id=progress.id)._cron_daily_run()
            self.assertEqual((progress.done, progress.remaining), (result["done"], result["remaining"]))
            return {key: value for key, value in result.items() if not key.endswith("_seconds")}

        # the rules one by one (the insurance rule finds no car), then the
        # activities by 4, then the task past its deadline
        self.assertEqual(call(), {"done": 1, "created": 10, "remaining": 1 + 10 + 1})
        self.assertEqual(call(), {"done": 1, "created": 0, "remaining": 10 + 1})
        self.assertEqual(call(), {"done": 4, "scheduled": 4, "remaining": 6 + 1})
        self.assertEqual(call(), {"done": 4, "scheduled": 4, "remaining": 2 + 1})
        self.assertEqual(call(), {"done": 2, "scheduled": 2, "remaining": 1})
        self.assertEqual(call(), {"done": 1, "failed": 1, "remaining": 0})
        tasks = self.Task.search([("vehicle_id", "in", vehicles.ids)]) - overdue
        self.assertEqual(len(tasks), 10)
        self.assertEqual(len(tasks.activity_ids), 10)
        self.assertFalse(tasks.filtered("to_schedule"))
        self.assertEqual((overdue.state, overdue.failure_reason), ("failed", "expired"))
        self.assertEqual(call(), {"done": 0, "remaining": 0})
        self.assertEqual(self.Task.search([("vehicle_id", "in", (vehicles | late).ids)]), tasks | overdue)
        self.assertEqual(len(tasks.activity_ids), 10)

    def test_run_by_hand_leaves_the_rest_to_the_scheduler(self):
        """Run Manually makes one call: with work left, the job is triggered
        so that the scheduler does the rest now, not the next night."""
        self.only_rules(self.rule_inspection)
        # customers without an agent: their calls wait for the batch step that assigns one
        self.cars(3, agent=False, inspection_due_date=TODAY + days(30))
        cron = self.env.ref("autorepair_care.ir_cron_daily_run")
        cron.active = True  # Odoo triggers an inactive job only for later
        triggers = self.env["ir.cron.trigger"].sudo()
        before = triggers.search([("cron_id", "=", cron.id)])
        with freeze_time(at(TODAY)):  # the job's user has no time zone: the day in UTC
            cron.method_direct_trigger()
        self.assertTrue(triggers.search([("cron_id", "=", cron.id)]) - before, "the activities are left to do")
        with freeze_time(at(TODAY, 2)):
            self.assertEqual(run_cron(self.Task, "_cron_daily_run")["scheduled"], 3)
        before = triggers.search([("cron_id", "=", cron.id)])
        with freeze_time(at(TODAY)):
            cron.method_direct_trigger()
        self.assertEqual(triggers.search([("cron_id", "=", cron.id)]), before, "nothing left, no trigger")

    def test_crash_in_one_rule_keeps_the_others(self):
        self.only_rules(self.rule_inspection, self.rule_insurance)
        self.rule_insurance.user_id = self.user_insurance
        vehicles = self.cars(3, inspection_due_date=TODAY + days(30), insurance_expiry_date=TODAY + days(60))
        Rule = type(self.rule_insurance)
        original = Rule._insert_due_tasks

        def crash_on_insurance(rule, today):
            if rule == self.rule_insurance:
                raise RuntimeError("server killed")
            return original(rule, today)

        with patch.object(Rule, "_insert_due_tasks", crash_on_insurance):
            self.assertTrue(self.crashes(TODAY))
        self.assertEqual(self.rule_inspection.last_run_date, TODAY)
        self.assertFalse(self.rule_insurance.last_run_date)
        self.assertEqual(len(self.Task.search([("vehicle_id", "in", vehicles.ids)])), 3)
        self.run_day(TODAY, force=False)
        tasks = self.Task.search([("vehicle_id", "in", vehicles.ids)])
        self.assertEqual(sorted(tasks.mapped("kind")), ["inspection"] * 3 + ["insurance"] * 3)
        self.assertEqual(len(tasks.activity_ids), 6)

    def test_queries_constant_in_the_number_of_cars(self):
        self.only_rules(self.rule_inspection)
        self.cars(3, inspection_due_date=TODAY + days(30))
        self.run_day(TODAY)  # warm-up: caches of models, templates, activity types

        def daily_run(day, count):
            vehicles = self.cars(count, inspection_due_date=day + days(30))
            queries = self._count_queries(lambda: self.run_day(day))
            self.assertEqual(len(self.Task.search([("vehicle_id", "in", vehicles.ids)]).activity_ids), count)
            return queries

        ten = daily_run(TODAY + days(1), 10)
        hundred = daily_run(TODAY + days(2), 100)
        self.assertEqual(ten, hundred, f"10 cars: {ten} queries, 100 cars: {hundred}")

    def test_catch_up_query_budget(self):
        """A week missed (the server down): the catch-up creates the tasks of
        the 8 days, calls the one still in its window and fails the others,
        in queries that do not grow with the tasks, within a budget: the
        tasks are made, called and failed in the rule's one statement (a
        dealer's 130,000 tasks took two minutes record by record, then 40 s
        in batches)."""
        self.only_rules(self.rule_birthday)
        consent = {"marketing_consent": True, "marketing_consent_date": TODAY, "marketing_consent_source": "form"}

        def customers(first, per_day):
            """Birthdays on each day from first, for 8 days."""
            return self.env["res.partner"].create([{
                "name": f"寿星{day}-{index}", "mobile": f"139{(first - TODAY).days:02d}{day:02d}{index:04d}",
                "is_autorepair_customer": True,
                "company_id": self.company_b.id, "care_agent_id": self.user_care_agent.id, "lang": "en_US",
                "birthday": (first + days(day)).replace(year=1980), **consent,
            } for day in range(8) for index in range(per_day)])

        def catch_up(first, per_day):
            made = customers(first, per_day)
            # the server was down on the 7 days from first: the run of the 8th catches up
            queries = self._count_queries(lambda: self.run_day(first + days(7), force=False))
            tasks = self.Task.search([("partner_id", "in", made.ids)])
            self.assertEqual(len(tasks), 8 * per_day)
            late = tasks.filtered(lambda t: t.due_date < first + days(7))
            self.assertEqual(set(late.mapped("state")), {"failed"})
            self.assertEqual(set(late.mapped("failure_reason")), {"expired"})
            self.assertEqual(set(late.mapped("message_state")), {"pending"}, "the rule's fallback SMS instead")
            self.assertTrue(all(late.mapped("done_date")))
            self.assertFalse(late.activity_ids, "no call for a greeting days late")
            live = tasks - late
            self.assertEqual(set(live.mapped("state")), {"open"})
            calls = live.activity_ids
            self.assertEqual(len(calls), per_day)
            self.assertEqual(calls.mapped("date_deadline"), [first + days(7)] * per_day)
            self.assertEqual(set(calls.mapped("res_name")), set(live.mapped("display_name")))
            self.assertEqual(calls.user_id, self.user_care_agent)
            self.assertEqual(set(calls.mapped("summary")), {self.rule_birthday.with_context(lang="en_US").name})
            return queries

        self.run_day(TODAY, force=False)  # the watermark on TODAY
        catch_up(TODAY + days(1), 1)  # warm-up: caches of models, templates, activity types
        few = catch_up(TODAY + days(9), 1)
        many = catch_up(TODAY + days(17), 6)
        self.assertLessEqual(many, few, f"8 tasks: {few} queries, 48 tasks: {many}")
        # the run's one step: the rule, and what is left after it
        self.assertLessEqual(many, CATCH_UP_QUERY_BUDGET)

    def test_calls_made_with_the_tasks(self):
        """The run's statement makes each task and what it needs at once: the
        agent's call, named and summarised in the agent's language, an SMS
        task waiting for the dispatch, a late task failed with its fallback;
        only a call without agent is left to the run's next step, which gives
        it one."""
        self.only_rules(self.rule_inspection, self.rule_insurance)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["autorepair_care"], ["zh_CN"], overwrite=True)
        self.user_care_agent.lang = "zh_CN"
        self.rule_insurance.first_channel = "sms"
        called = self.cars(2, inspection_due_date=TODAY + days(30))
        texted = self.cars(1, insurance_expiry_date=TODAY + days(30))
        nobodys = self.cars(1, agent=False, inspection_due_date=TODAY + days(30))
        Task = self.Task.with_context(active_test=False)
        created = self.rule_inspection._insert_due_tasks(TODAY) + self.rule_insurance._insert_due_tasks(TODAY)
        self.assertEqual(created, 4)
        tasks = Task.search([("vehicle_id", "in", called.ids)])
        self.assertEqual(tasks.mapped("to_schedule"), [False, False])
        calls = tasks.activity_ids
        self.assertEqual(len(calls), 2)
        rule_name = self.rule_inspection.with_context(lang="zh_CN").name
        self.assertEqual(set(calls.mapped("summary")), {rule_name})
        self.assertEqual(sorted(calls.mapped("res_name")),
                         sorted(f"{rule_name}：{plate}" for plate in called.mapped("license_plate")))
        self.assertEqual(sorted(calls.mapped("date_deadline")), sorted(tasks.mapped("next_call_date")))
        self.assertEqual(calls.user_id, self.user_care_agent)
        sms = Task.search([("vehicle_id", "=", texted.id)])
        self.assertEqual((sms.to_schedule, sms.message_state, sms.message_channel), (False, "pending", "sms"))
        self.assertFalse(sms.activity_ids)
        waiting = Task.search([("vehicle_id", "=", nobodys.id)])
        self.assertTrue(waiting.to_schedule)
        self.assertFalse(waiting.activity_ids)
        self.run_day(TODAY, force=False)
        self.assertEqual((waiting.to_schedule, waiting.user_id), (False, self.user_care_agent))
        self.assertEqual(len(waiting.activity_ids), 1)
        self.assertEqual(len(Task.search([("vehicle_id", "in", (called | texted | nobodys).ids)]).activity_ids), 3)

    def test_second_worker_skips_a_rule_being_run(self):
        """Two workers at once: the rule row is claimed with SKIP LOCKED, so
        the second one leaves it to the first (here: another connection)."""
        self.assertTrue(self.rule_birthday._claim())
        with self.registry.cursor() as other_cr:
            other = api.Environment(other_cr, SUPERUSER_ID, {})["autorepair.care.rule"].browse(self.rule_birthday.id)
            self.assertFalse(other._claim())
            self.assertIsNone(other._insert_due_tasks(TODAY))
            other_cr.rollback()

    def test_agents_follow_no_task(self):
        """The call's activity tells the agent: the daily run makes no
        follower row per task (250,000 cars made 144,000 of them), nor does
        handing a task to another agent, whose activity moves with it."""
        self.only_rules(self.rule_inspection)
        vehicles = self.cars(5, inspection_due_date=TODAY + days(30))
        # with the chatter's tracking and auto-subscription on, as on a server
        tracked = {"tracking_disable": False}
        with freeze_time(at(TODAY, 2)):
            run_cron(self.Task.with_context(**tracked), "_cron_daily_run")
        tasks = self.Task.search([("vehicle_id", "in", vehicles.ids)])
        self.assertEqual(len(tasks.activity_ids), 5)
        self.assertEqual(tasks.activity_ids.user_id, self.user_care_agent)
        Followers = self.env["mail.followers"].sudo()
        follower_domain = [("res_model", "=", tasks._name), ("res_id", "in", tasks.ids)]
        self.assertFalse(Followers.search(follower_domain))
        self.user_care_agent_2.write({"company_ids": [(4, self.company_b.id)]})
        self.user_care_manager.write({"company_ids": [(4, self.company_b.id)]})
        mails = self.env["mail.mail"].sudo().search_count([])
        task = tasks[0].with_user(self.user_care_manager).with_context(**tracked)
        with Form(task) as form:
            form.user_id = self.user_care_agent_2
        self.assertEqual(task.activity_ids.user_id, self.user_care_agent_2)
        self.assertEqual(len(task.activity_ids), 1)
        self.assertEqual(self.Task.with_user(self.user_care_agent_2).search([("id", "in", tasks.ids)]), tasks[0])
        self.assertFalse(Followers.search(follower_domain))
        self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails, "no 'assigned to you' email")

    def test_rule_bounds(self):
        rule = self.rule_periodic
        rule.last_run_date = False
        self.assertEqual(rule._run_bounds(TODAY), (TODAY - days(7), TODAY))
        rule.last_run_date = TODAY - days(20)
        self.assertEqual(rule._run_bounds(TODAY), (TODAY - days(19), TODAY))
        rule.last_run_date = TODAY - datetime.timedelta(days=200)
        self.assertEqual(rule._run_bounds(TODAY), (TODAY - days(31), TODAY), "the catch-up limit (a system parameter)")
