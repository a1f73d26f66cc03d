import datetime

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import CompanySettingsMixin

SEPTEMBER = datetime.date(2026, 9, 1)
OCTOBER = datetime.date(2026, 10, 1)
# the end of October 7th in Shanghai
OCTOBER_7_EVENING = datetime.datetime(2026, 10, 7, 15, 0)


@tagged("post_install", "-at_install")
class TestKpiSettings(CompanySettingsMixin, TransactionCase):
    """The churn window, complaint closure days and plan deadline are each
    company's; a figure over several companies adds up each one's count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, tz="Asia/Shanghai"))
        cls._setup_company_settings()
        cls.companies = cls.company_1 | cls.company_2
        cls.care_managers = [
            new_test_user(cls.env, login=f"kpi_cm_{index}", groups="autorepair_care.group_care_manager",
                          company_id=company.id, company_ids=[company.id], tz="Asia/Shanghai")
            for index, company in enumerate(cls.companies)
        ]
        cls.agent = new_test_user(cls.env, login="kpi_agent_both", groups="autorepair_care.group_care_agent",
                                  company_id=cls.company_1.id, company_ids=cls.companies.ids, tz="Asia/Shanghai")
        cls.Definition = cls.env["autorepair.kpi.definition"]
        cls.period = cls.Definition._period(SEPTEMBER, cls.companies)

    def test_saved_per_company(self):
        self.assert_saved_per_company(
            autorepair_kpi_churn_months=3, autorepair_kpi_complaint_open_days=7, autorepair_kpi_plan_deadline_day=10)

    def test_refused(self):
        self.assert_refused(
            {"autorepair_kpi_plan_deadline_day": 0},
            {"autorepair_kpi_plan_deadline_day": 29},
            {"autorepair_kpi_churn_months": 0},
            {"autorepair_kpi_complaint_open_days": -1},
        )

    def test_each_company_its_plan_deadline(self):
        """On October 7th the plan due on the 5th is late, the one due on the
        10th is not yet."""
        self.company_2.autorepair_kpi_plan_deadline_day = 10
        plans = self.env["autorepair.kpi.plan"].create([
            {"month": OCTOBER, "company_id": company.id, "user_id": manager.id}
            for company, manager in zip(self.companies, self.care_managers, strict=True)
        ])
        self.assertEqual(plans.mapped("deadline"), [datetime.date(2026, 10, 5), datetime.date(2026, 10, 10)])
        with freeze_time(OCTOBER_7_EVENING):
            late = self.env["autorepair.kpi.rule"]._count_events("plan_late", self.period)
        self.assertEqual(late.get(self.care_managers[0].id, (0,))[0], 1)
        self.assertNotIn(self.care_managers[1].id, late)

    def test_each_company_its_complaint_closure_days(self):
        """Open since September 5th at the end of the month: over the first
        company's 14 days, inside the second's 30. One agent handles both:
        the figure adds up each company's count."""
        self.company_2.autorepair_kpi_complaint_open_days = 30
        complaints = self.env["autorepair.complaint"]
        for company in self.companies:
            customer = self.env["res.partner"].create({
                "name": f"{company.name}客户", "is_autorepair_customer": True, "company_id": company.id})
            complaints |= complaints.create({
                "subject": "空调异响", "channel": "phone", "partner_id": customer.id, "company_id": company.id,
                "user_id": self.agent.id, "reported_date": datetime.datetime(2026, 9, 5, 2, 0),
            })
        numerator, denominator, domain = self.Definition._kpi_complaint_closure(self.period)[self.agent.id]
        self.assertEqual((numerator, denominator), (0, 1))
        self.assertEqual(complaints.search(domain), complaints.filtered(lambda c: c.company_id == self.company_1))
        self.company_2.autorepair_kpi_complaint_open_days = 14
        self.assertEqual(self.Definition._kpi_complaint_closure(self.period)[self.agent.id][:2], (0, 2),
                         "both companies' complaints, added up")
