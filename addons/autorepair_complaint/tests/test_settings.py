from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import CompanySettingsMixin

from .common import ComplaintCase

# a Wednesday, 10:00 in Chengdu
WED_10H = datetime(2026, 11, 18, 2, 0)


@tagged("post_install", "-at_install")
class TestComplaintSettings(CompanySettingsMixin, ComplaintCase):
    """Deadlines, closure window and escalation are each company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_settings()
        cls.branch_manager = new_test_user(
            cls.env, login="cp_branch_manager", groups="autorepair_crm.group_manager",
            company_id=cls.company_2.id, company_ids=[cls.company_2.id])
        cls.company_2.write({
            "autorepair_complaint_calendar_id": cls.calendar.id,
            "autorepair_complaint_response_hours": 1,
            "autorepair_complaint_service_manager_id": cls.branch_manager.id,
            "autorepair_complaint_closure_days": 7,
        })
        cls.branch_customer = cls.env["res.partner"].create({
            "name": "刘洋", "mobile": "13800138888", "is_autorepair_customer": True, "company_id": cls.company_2.id,
        })

    def _complaints(self, **vals):
        """The same complaint in each company, the first's then the second's."""
        Complaint = self.env["autorepair.complaint"]
        return Complaint.create([
            {"subject": "空调异响", "channel": "phone", "partner_id": partner.id, "company_id": company.id, **vals}
            for company, partner in ((self.company_1, self.customer), (self.company_2, self.branch_customer))
        ])

    def test_saved_per_company(self):
        self.assert_saved_per_company(
            autorepair_complaint_response_hours=3, autorepair_complaint_second_escalation_hours=8,
            autorepair_complaint_closure_days=10, autorepair_complaint_general_manager_id=self.user_manager,
            autorepair_complaint_compensation_approval_amount=1000,
        )

    def test_refused(self):
        self.assert_refused(
            {"autorepair_complaint_response_hours": 0},
            {"autorepair_complaint_second_escalation_hours": -1},
            {"autorepair_complaint_closure_days": 0},
            {"autorepair_complaint_compensation_approval_amount": -1},
        )

    def test_each_company_its_deadline_and_manager(self):
        complaints = self._complaints(reported_date=WED_10H, severity_id=self.severity_critical.id)
        self.assertEqual(complaints.mapped("first_response_deadline"),
                         [datetime(2026, 11, 18, 4, 0), datetime(2026, 11, 18, 3, 0)], "2 then 1 working hours")
        with freeze_time(datetime(2026, 11, 18, 5, 0)):
            self.assertEqual(self.env["autorepair.complaint"]._cron_escalate(), 2)
        escalation = self.env.ref("autorepair_complaint.mail_activity_type_escalation")
        self.assertEqual(
            [c.activity_ids.filtered(lambda a: a.activity_type_id == escalation).user_id for c in complaints],
            [self.user_manager, self.branch_manager], "each company's service manager")

    def test_each_company_its_closure_window(self):
        """Open for 10 days: past the second company's 7-day window, inside the
        first's 14 (not counted yet, NULL, which the average leaves out)."""
        complaints = self._complaints(reported_date=fields.Datetime.now() - timedelta(days=10))
        rows = self.env["autorepair.complaint.report"]._read_group(
            [("complaint_id", "in", complaints.ids)], ["company_id"], ["closure_hit:avg"])
        self.assertEqual(dict(rows), {self.company_1: False, self.company_2: 0.0})
