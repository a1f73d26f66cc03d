import datetime

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import CompanySettingsMixin

from .common import TODAY, CareCase, at, days


@tagged("post_install", "-at_install")
class TestCareSettings(CompanySettingsMixin, CareCase):
    """The attempt policy, lost-customer bounds and monthly broadcasts are each
    company's; the daily run's batch size and catch-up limit are system
    parameters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_settings()
        cls.agent = new_test_user(
            cls.env, login="care_both", groups="autorepair_care.group_care_agent", company_id=cls.company_1.id,
            company_ids=[cls.company_1.id, cls.company_2.id], tz="Asia/Shanghai")

    def _company_client(self, company, name, mobile, absent_days, day):
        """A customer of ``company`` whose car was delivered ``absent_days`` before ``day``."""
        customer = self._client(name, mobile, company_id=company.id, care_agent_id=self.agent.id)
        self._car(f"川C{mobile[-5:]}", customer, company_id=company.id, delivery_date=day - days(absent_days))
        return customer

    def test_saved_per_company(self):
        self.assert_saved_per_company(
            autorepair_care_attempt_count=2, autorepair_care_attempt_days=2, autorepair_care_at_risk_days=30,
            autorepair_care_lost_min_days=60, autorepair_care_lost_max_days=180,
            autorepair_care_broadcast_min_per_month=5,
        )

    def test_refused(self):
        self.assert_refused(
            {"autorepair_care_attempt_count": 0},
            {"autorepair_care_attempt_days": 0},
            {"autorepair_care_at_risk_days": 90},
            {"autorepair_care_lost_max_days": 80},
            {"autorepair_care_broadcast_min_per_month": -1},
        )

    def test_lost_customers_by_each_companys_bounds(self):
        """Absent 70 days: about to be lost in a store with the shipped bounds
        (60 and 90 days), lost in one that counts a customer lost after 60."""
        self.company_2.write({"autorepair_care_at_risk_days": 30, "autorepair_care_lost_min_days": 60})
        first = datetime.date(2025, 7, 1)
        customer_1 = self._company_client(self.company_1, "王芳", "13900000101", 70, first)
        customer_2 = self._company_client(self.company_2, "赵磊", "13900000102", 70, first)
        self.run_day(first)
        self.assertEqual(len(self.tasks(self.rule_at_risk, customer_1)), 1)
        self.assertFalse(self.tasks(self.rule_lost, customer_1))
        lost = self.tasks(self.rule_lost, customer_2)
        self.assertEqual((len(lost), lost.company_id, lost.absent_days), (1, self.company_2, 70))
        self.assertFalse(self.tasks(self.rule_at_risk, customer_2))

    def test_attempt_policy_of_each_company(self):
        """Two unanswered calls fail the reminder where two calls are the
        policy; the shipped three-call policy calls a third time."""
        self.company_2.autorepair_care_attempt_count = 2
        customers = [self._client(name, mobile, company_id=company.id, care_agent_id=self.agent.id)
                     for name, mobile, company in (("孙丽", "13900000201", self.company_1),
                                                   ("周强", "13900000202", self.company_2))]
        for index, customer in enumerate(customers):
            self._car(f"川D1000{index}", customer, company_id=customer.company_id.id,
                      delivery_date=TODAY - days(60), next_service_date=TODAY + days(7), next_service_km=90000)
        self.run_day(TODAY)
        tasks = self.Task.search([("rule_id", "=", self.rule_first.id),
                                  ("partner_id", "in", [customer.id for customer in customers])])
        self.assertEqual(tasks.company_id, self.company_1 | self.company_2)
        agent_tasks = tasks.with_user(self.agent).with_context(
            allowed_company_ids=[self.company_1.id, self.company_2.id])
        for hour in (10, 15):
            with freeze_time(at(TODAY, hour)):
                agent_tasks.action_no_answer()
        self.assertEqual({task.company_id: task.state for task in tasks},
                         {self.company_1: "open", self.company_2: "failed"})

    def test_daily_run_sizes_are_system_parameters(self):
        Settings = self.env["res.config.settings"]
        for key in ("batch_size", "catchup_max_days"):
            self.assertNotIn(f"autorepair_care_{key}", self.env["res.company"]._fields)
            self.assertNotIn(f"autorepair_care_{key}", Settings._fields, "not in the manager's Settings")
        rule = self.rule_periodic
        rule.last_run_date = TODAY - days(200)
        self.assertEqual(rule._run_bounds(TODAY), (TODAY - days(31), TODAY))
        self.env["ir.config_parameter"].sudo().set_param("autorepair_care.catchup_max_days", "10")
        self.assertEqual(rule._run_bounds(TODAY), (TODAY - days(10), TODAY))
        self.env["ir.config_parameter"].sudo().set_param("autorepair_care.batch_size", "0")
        self.assertEqual(self.company_2._autorepair_care_setting("batch_size"), 2000, "a batch of 0 is no batch")
