from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TODAY, CareCase, days, run_cron


@tagged("post_install", "-at_install")
class TestCareAccess(CareCase):
    """Agents see and work their own calls, care managers everything, other
    roles nothing; companies stay apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_insurance.user_id = cls.user_insurance
        mine = cls._client("李娜", "13800138001")
        theirs = cls._client("王强", "13800138002", care_agent_id=cls.user_care_agent_2.id)
        cls._car("川A10001", mine, inspection_due_date=TODAY + days(30), insurance_expiry_date=TODAY + days(60))
        cls._car("川A10002", theirs, inspection_due_date=TODAY + days(30))
        run_cron(cls.Task, "_cron_daily_run")
        cls.my_task = cls.Task.search([("partner_id", "=", mine.id), ("kind", "=", "inspection")])
        cls.their_task = cls.Task.search([("partner_id", "=", theirs.id), ("kind", "=", "inspection")])
        cls.insurance_task = cls.Task.search([("partner_id", "=", mine.id), ("kind", "=", "insurance")])

    def test_agent_sees_own_calls_only(self):
        Task = self.Task.with_user(self.user_care_agent)
        visible = Task.search([("partner_id", "in", (self.my_task | self.their_task).partner_id.ids)])
        self.assertEqual(visible, self.my_task)
        with self.assertRaises(AccessError):
            self.their_task.with_user(self.user_care_agent).read(["state"])
        with self.assertRaises(AccessError):
            self.their_task.with_user(self.user_care_agent).action_reached()
        self.my_task.with_user(self.user_care_agent).action_reached()
        self.assertEqual(self.my_task.state, "reminded")
        with self.assertRaises(AccessError):
            self.my_task.with_user(self.user_care_agent).unlink()

    def test_agent_cannot_change_rules_or_send_broadcasts(self):
        with self.assertRaises(AccessError):
            self.rule_birthday.with_user(self.user_care_agent).write({"offset_days": 3})
        with self.assertRaises(AccessError):
            self.env["autorepair.care.broadcast"].with_user(self.user_care_agent).create(
                {"name": "x", "rule_id": self.rule_holiday.id})
        self.assertTrue(self.rule_birthday.with_user(self.user_care_agent).call_script)

    def test_insurance_specialist_works_the_renewals(self):
        Task = self.Task.with_user(self.user_insurance)
        self.assertEqual(Task.search([("partner_id", "=", self.my_task.partner_id.id)]), self.insurance_task)
        self.insurance_task.with_user(self.user_insurance).action_no_answer()
        self.assertEqual(self.insurance_task.call_count, 1)

    def test_care_manager_sees_everything(self):
        Task = self.Task.with_user(self.user_care_manager)
        self.assertEqual(Task.search([("id", "in", (self.my_task | self.their_task).ids)]),
                         self.my_task | self.their_task)
        self.rule_birthday.with_user(self.user_care_manager).write({"offset_days": 0})
        report = self.env["autorepair.care.report"].with_user(self.user_care_manager)
        self.assertEqual(report.search_count([("id", "in", (self.my_task | self.their_task).ids)]), 2)
        self.assertEqual(self.env["autorepair.care.report"].with_user(self.user_care_agent).search(
            [("id", "in", (self.my_task | self.their_task).ids)]).ids, self.my_task.ids)

    def test_workshop_has_no_access(self):
        for user in (self.user_technician, self.user_advisor, self.user_sales):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Task.with_user(user).search([])

    def test_other_company_invisible(self):
        other = self.env["res.company"].create({"name": "绵阳店"})
        customer = self._client("钱多", "13800138009", company_id=other.id)
        vehicle = self._car("川B10001", customer, company_id=other.id)
        task = self.Task.create({
            "rule_id": self.rule_inspection.id, "kind": "inspection", "company_id": other.id,
            "vehicle_id": vehicle.id, "partner_id": customer.id, "due_date": TODAY, "deadline": TODAY,
            "user_id": self.user_care_manager.id,
        })
        self.assertFalse(self.Task.with_user(self.user_care_manager).search([("id", "=", task.id)]))
        self.assertTrue(self.Task.with_user(self.user_care_manager).search([("id", "=", self.my_task.id)]))
