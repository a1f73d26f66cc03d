import datetime
from collections import Counter

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.autorepair_care import _post_init_hook

from .common import TODAY, TZ, CareCase, at, days


@tagged("post_install", "-at_install")
class TestDayOne(CareCase):
    """A dealer's first morning with the care calendar: calls on day one,
    none overdue, each with someone to make it, a lost customer's call with
    his plates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a dealer of its own: its care team is the one of the test only
        cls.company_b = cls.env["res.company"].create({"name": "成都三店"})
        team = {}
        for role, group in (("agent_1", "autorepair_care.group_care_agent"),
                            ("agent_2", "autorepair_care.group_care_agent"),
                            ("manager", "autorepair_care.group_care_manager"),
                            ("service_manager", "autorepair_crm.group_manager")):
            team[role] = new_test_user(cls.env, login=f"d1_{role}", groups=group, company_id=cls.company_b.id,
                                       company_ids=[cls.company_b.id], tz=TZ)
        cls.agent_1, cls.agent_2 = team["agent_1"], team["agent_2"]
        cls.care_manager, cls.service_manager = team["manager"], team["service_manager"]
        cls._serial_b = 0

    def only_rules(self, *rules):
        Rule = self.env["autorepair.care.rule"]
        (Rule.search([]) - Rule.concat(*rules)).active = False
        for rule in rules:
            rule.company_id = self.company_b

    def cars(self, count, agent=None, **vals):
        vehicles = self.env["fleet.vehicle"]
        for _i in range(count):
            self.__class__._serial_b += 1
            serial = self._serial_b
            customer = self.env["res.partner"].create({
                "name": f"新客户{serial}", "mobile": f"1391111{serial:04d}", "is_autorepair_customer": True,
                "company_id": self.company_b.id, "care_agent_id": agent and agent.id,
            })
            vehicles |= self._car(f"川H{serial:05d}", customer, company_id=self.company_b.id, **vals)
        return vehicles

    def task_of(self, rule, vehicle):
        return self.Task.search([("rule_id", "=", rule.id), ("vehicle_id", "=", vehicle.id)])

    # ---------------------------------------------------------------- install

    def test_install_run_puts_today_calls_on_the_list_once(self):
        """The addon's installation runs today's care calendar: the calls
        are there on day one; the night's run then creates nothing again."""
        self.only_rules(self.rule_inspection)
        vehicles = self.cars(3, agent=self.agent_1, inspection_due_date=TODAY + days(30))
        with freeze_time(at(TODAY, 9)):
            _post_init_hook(self.env)
        tasks = self.Task.search([("vehicle_id", "in", vehicles.ids)])
        self.assertEqual(len(tasks), 3)
        self.assertEqual(tasks.activity_ids.user_id, self.agent_1)
        self.assertEqual(set(tasks.activity_ids.mapped("date_deadline")), {TODAY})
        self.assertFalse(tasks.filtered("to_schedule"))
        activities = tasks.activity_ids
        result = self.run_day(TODAY + days(1), force=False)
        self.assertEqual(self.Task.search([("vehicle_id", "in", vehicles.ids)]), tasks, "nothing created twice")
        self.assertFalse(result.get("scheduled"))
        self.assertEqual(tasks.activity_ids, activities)

    # ------------------------------------------------------------ no overdue

    def test_no_call_born_overdue(self):
        """Due before the first run (the reminder fell due five days before
        the dealer started): called from today, with the rule's whole window
        from today, its activity due today, not "5 days overdue"."""
        self.only_rules(self.rule_inspection)
        vehicle = self.cars(1, agent=self.agent_1, inspection_due_date=TODAY + days(25))
        self.run_day(TODAY, force=False)
        task = self.task_of(self.rule_inspection, vehicle)
        self.assertEqual(task.due_date, TODAY - days(5))
        self.assertEqual(task.next_call_date, TODAY)
        self.assertEqual(task.deadline, TODAY + days(self.rule_inspection.window_days))
        self.assertEqual(task.activity_ids.date_deadline, TODAY)
        late = self.Task.search([("id", "=", task.id), ("state", "=", "open"), ("deadline", "<", TODAY)])
        self.assertFalse(late)

    def test_call_handed_over_late_is_not_overdue_for_its_new_agent(self):
        """A call given to someone days after its day reaches him today."""
        self.only_rules(self.rule_insurance)
        self.rule_insurance.user_id = False
        vehicle = self.cars(1)
        task = self.Task.create({
            "rule_id": self.rule_insurance.id, "kind": "insurance", "company_id": self.company_b.id,
            "vehicle_id": vehicle.id, "partner_id": vehicle.owner_id.id, "to_schedule": False,
            "due_date": TODAY - days(3), "next_call_date": TODAY - days(3), "deadline": TODAY + days(50),
        })
        with freeze_time(at(TODAY)):
            self.rule_insurance.user_id = self.agent_2
        self.assertEqual((task.user_id, task.activity_ids.user_id), (self.agent_2, self.agent_2))
        self.assertEqual(task.activity_ids.date_deadline, TODAY)

    # ------------------------------------------------------------ an agent each

    def test_customers_without_agent_shared_among_the_agents(self):
        """Customers nobody looks after: their calls go to the company's care
        agents, the least loaded first, then in turn; never to the care
        manager or the service manager while there are agents."""
        self.only_rules(self.rule_inspection)
        self.cars(2, agent=self.agent_1, inspection_due_date=TODAY + days(30))
        orphans = self.cars(6, inspection_due_date=TODAY + days(30))
        self.run_day(TODAY, force=False)
        tasks = self.Task.search([("vehicle_id", "in", orphans.ids)])
        self.assertEqual(len(tasks), 6)
        self.assertEqual(Counter(task.user_id.login for task in tasks), {"d1_agent_1": 2, "d1_agent_2": 4},
                         "8 calls, 4 each: agent 1 had 2 of his customers already")
        for task in tasks:
            self.assertEqual(task.activity_ids.user_id, task.user_id)

    def test_an_open_call_left_without_agent_goes_to_the_next(self):
        """Clearing the agent of an open call, by any caller (the API
        included), hands it to the least loaded agent with its activity: it
        is never nobody's call."""
        self.only_rules(self.rule_inspection)
        [car] = self.cars(1, agent=self.agent_1, inspection_due_date=TODAY + days(30))
        self.cars(1, agent=self.agent_1, inspection_due_date=TODAY + days(30))
        self.run_day(TODAY, force=False)
        task = self.task_of(self.rule_inspection, car)
        self.assertEqual(task.user_id, self.agent_1)
        task.with_user(self.care_manager).write({"user_id": False})
        self.assertEqual(task.user_id, self.agent_2, "agent 1 still has his other call")
        self.assertEqual(task.activity_ids.user_id, self.agent_2)

    def test_a_care_manager_when_the_dealer_has_no_agent(self):
        self.only_rules(self.rule_inspection)
        (self.agent_1 | self.agent_2).active = False
        orphans = self.cars(2, inspection_due_date=TODAY + days(30))
        self.run_day(TODAY, force=False)
        tasks = self.Task.search([("vehicle_id", "in", orphans.ids)])
        self.assertEqual(tasks.user_id, self.care_manager, "the care manager, not the service manager")

    # ---------------------------------------------------------------- plates

    def test_lost_customer_call_shows_his_plates(self):
        """A win-back call is made to the customer, not about one car: the
        agent still sees the plates of his cars, in the list, the search and
        the script."""
        self.only_rules(self.rule_lost)
        first = datetime.date(2025, 7, 1)
        vehicles = self.cars(1, agent=self.agent_1, delivery_date=first - days(120))
        customer = vehicles.owner_id
        self._car("川H99999", customer, company_id=self.company_b.id, delivery_date=first - days(200))
        self.run_day(first, force=False)
        task = self.Task.search([("rule_id", "=", self.rule_lost.id), ("partner_id", "=", customer.id)])
        self.assertEqual(len(task), 1)
        self.assertFalse(task.vehicle_id)
        self.assertIn(vehicles.license_plate, task.license_plate)
        self.assertIn("川H99999", task.license_plate)
        self.assertEqual(self.Task.search([("license_plate", "ilike", "川H99999")]), task)
        self.assertIn("川H99999", task.with_context(lang="en_US").script)


@tagged("post_install", "-at_install")
class TestInstalledCareCalendar(TransactionCase):
    """What the installation left in this database (with its demo): the
    run of the day it was installed, every open call with someone to make
    it, none overdue on the day it was made."""

    def test_installation_ran_the_care_calendar(self):
        rules = self.env["autorepair.care.rule"].search([("anchor", "!=", False)])
        self.assertTrue(rules)
        self.assertFalse(rules.filtered(lambda rule: not rule.last_run_date), "every dated rule has run")
        tasks = self.env["autorepair.care.task"].search([("state", "=", "open")])
        self.assertFalse(tasks.filtered(lambda task: not task.user_id), "every open call has an agent")
        for task in tasks:
            # the day it was made, in any time zone of the world
            made = task.create_date.date() - days(1)
            self.assertGreaterEqual(task.deadline, made, f"{task.display_name} born past its deadline")
            for activity in task.activity_ids:
                self.assertGreaterEqual(activity.date_deadline, made, f"{task.display_name} born overdue")
