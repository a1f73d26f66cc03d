from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AutorepairCrmCase, RpcClientMixin


@tagged("post_install", "-at_install")
class TestAttackDataSubjectRequests(AutorepairCrmCase, HttpCase, RpcClientMixin):
    """Data-subject requests over real JSON-RPC and HTTP, tried by the staff
    who must not make them (advisor, care agent, technician) and by a
    service manager of another company: each attempt is refused and leaves
    the customer, the processing log and the files as they were."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer(
            name="欧阳娜娜", mobile="13912345678", email="ouyang.nana@example.com", street="玉沙路199号附7号")
        cls.vehicle = cls._vehicle(owner=cls.customer)
        cls.company_2 = cls.env["res.company"].create({"name": "二店 Branch"})
        cls.user_manager_2 = new_test_user(
            cls.env, login="dsr_manager_2", groups="autorepair_crm.group_manager",
            company_id=cls.company_2.id, company_ids=[cls.company_2.id])

    def setUp(self):
        super().setUp()
        self.before = self._state()

    def _state(self):
        """What an attempt must leave unchanged: the customer's data, his car,
        the processing log and the files on it."""
        self.env.invalidate_all()
        customer = self.customer.with_context(active_test=False)
        return {
            "customer": (customer.name, customer.mobile, customer.email, customer.street, customer.active,
                         customer.autorepair_erased_date),
            "vehicle": self.vehicle.owner_id,
            "log": self.env["autorepair.privacy.log"].search_count([]),
            "files": self.env["ir.attachment"].search_count([("res_model", "=", "autorepair.privacy.log")]),
        }

    def assert_unchanged(self):
        self.assertEqual(self._state(), self.before, "nothing changed")

    def assert_refused(self, user, model, method, *args, **kwargs):
        result, error = self._jsonrpc(user, model, method, *args, **kwargs)
        self.assertTrue(error, f"{user.login}: {model}.{method} went through: {result}")
        self.assert_unchanged()
        return error

    @mute_logger("odoo.http")
    def test_erasure_wizard_by_staff(self):
        """An advisor or a care agent creates and runs the erasure wizard."""
        for user in (self.user_advisor, self.user_care_agent, self.user_technician):
            with self.subTest(user=user.login):
                error = self.assert_refused(user, "autorepair.erasure.wizard", "create", {
                    "partner_id": self.customer.id, "reason": "x", "confirm": True})
                self.assertEqual(error["name"], "odoo.exceptions.AccessError")
                self.assert_refused(user, "res.partner", "action_autorepair_erase_wizard", [self.customer.id])

    @mute_logger("odoo.http")
    def test_erasure_through_private_methods(self):
        """The erasure and the retention run are private: no RPC reaches them."""
        for user in (self.user_advisor, self.user_care_agent, self.user_manager):
            with self.subTest(user=user.login):
                self.assert_refused(user, "res.partner", "_autorepair_erase", [self.customer.id], "erasure")
                self.assert_refused(user, "res.partner", "_autorepair_erase_one", [self.customer.id],
                                    "erasure", "x")
                self.assert_refused(user, "res.partner", "_cron_autorepair_retention", [])

    @mute_logger("odoo.http")
    def test_access_report_by_staff(self):
        """An advisor, care agent or technician asks for the access report,
        by the form's button or by the report route."""
        for user in (self.user_advisor, self.user_care_agent, self.user_technician):
            with self.subTest(user=user.login):
                self.assert_refused(user, "res.partner", "action_autorepair_access_report", [self.customer.id])
                self.authenticate(user.login, user.login)
                for route in ("pdf", "html"):
                    response = self.url_open(f"/report/{route}/autorepair_crm.report_personal_data/{self.customer.id}")
                    self.assertNotIn("欧阳娜娜", response.text)
                    self.assertNotIn("13912345678", response.text)
                self.assert_unchanged()

    @mute_logger("odoo.http")
    def test_download_another_report(self):
        """A manager made a report; staff try to read or download its files."""
        self.customer.with_user(self.user_manager).action_autorepair_access_report()
        self.before = self._state()
        files = self.env["ir.attachment"].search([("res_model", "=", "autorepair.privacy.log")])
        self.assertEqual(len(files), 2)
        for user in (self.user_advisor, self.user_care_agent, self.user_technician, self.user_manager_2):
            with self.subTest(user=user.login):
                self.assert_refused(user, "ir.attachment", "read", files.ids, ["name", "raw", "datas"])
                found = self._jsonrpc_ok(user, "ir.attachment", "search_read",
                                         [("res_model", "=", "autorepair.privacy.log")], ["name"])
                self.assertEqual(found, [], "not even listed")
                self.authenticate(user.login, user.login)
                for attachment in files:
                    response = self.url_open(f"/web/content/{attachment.id}?download=true")
                    self.assertIn(response.status_code, (403, 404))
                    self.assertNotIn("欧阳娜娜", response.text)
                self.assert_refused(user, "res.partner", "action_autorepair_view_access_reports", [self.customer.id])

    @mute_logger("odoo.http")
    def test_manager_of_another_company(self):
        """A service manager of the second company erases or reports on a customer of the first."""
        user = self.user_manager_2
        self.assert_refused(user, "res.partner", "action_autorepair_access_report", [self.customer.id])
        self.assert_refused(user, "res.partner", "action_autorepair_erase_wizard", [self.customer.id])
        wizard_id = self._jsonrpc_ok(user, "autorepair.erasure.wizard", "create", {
            "partner_id": self.customer.id, "reason": "x", "confirm": True})
        error = self.assert_refused(user, "autorepair.erasure.wizard", "action_erase", [wizard_id])
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.authenticate(user.login, user.login)
        response = self.url_open(f"/report/html/autorepair_crm.report_personal_data/{self.customer.id}")
        self.assertNotIn("欧阳娜娜", response.text)
        self.assert_unchanged()

    @mute_logger("odoo.http")
    def test_forge_the_erasure_mark(self):
        """Staff mark a customer as erased (retention would skip him, the form
        would hide his requests) or forge a processing log entry."""
        for user in (self.user_advisor, self.user_care_agent, self.user_manager):
            with self.subTest(user=user.login):
                self.assert_refused(user, "res.partner", "write", [self.customer.id],
                                    {"autorepair_erased_date": "2026-01-01 00:00:00"})
                self.assert_refused(user, "autorepair.privacy.log", "create", {
                    "event": "erasure", "partner_id": self.customer.id})
                self.assert_refused(user, "autorepair.privacy.log", "_log", "erasure")

    @mute_logger("odoo.http")
    def test_manager_may(self):
        """The same calls go through for the customer's own service manager (the attempts can fail)."""
        wizard_id = self._jsonrpc_ok(self.user_manager, "autorepair.erasure.wizard", "create", {
            "partner_id": self.customer.id, "reason": "客户书面申请", "confirm": True})
        self._jsonrpc_ok(self.user_manager, "autorepair.erasure.wizard", "action_erase", [wizard_id])
        self.env.invalidate_all()
        self.assertTrue(self.customer.with_context(active_test=False).autorepair_erased_date)
