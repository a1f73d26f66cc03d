from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AutorepairCrmCase, RpcClientMixin

RESIDENT_ID = "11010519491231002X"


@tagged("post_install", "-at_install")
class TestAttackConsent(AutorepairCrmCase, HttpCase, RpcClientMixin):
    """Consent, opt-out and the resident ID attacked over real JSON-RPC and
    XML-RPC as staff would: each attempt refused, nothing changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holder = cls._customer("张伟", "13800138031", email="zhang@example.com",
                                   resident_id_consent=True, resident_id_number=RESIDENT_ID)
        cls.opted_out = cls._customer("刘洋", "13800138032", email="liu@example.com", marketing_opt_out=True)
        cls.plain = cls._customer("陈静", "13800138033")

    def snapshot(self):
        """What the attempts must leave as it was, read as the superuser."""
        env = self.env(su=True)
        env.invalidate_all()
        partners = (self.holder | self.opted_out | self.plain).sudo()
        return {
            "partners": partners.read(["resident_id_number", "resident_id_consent", "marketing_consent",
                                       "marketing_opt_out", "service_opt_out"]),
            "consents": env["autorepair.consent"].search_count([]),
            "log": env["autorepair.privacy.log"].search_count([]),
            "replies": env["autorepair.sms.reply"].search_count([]),
            "phone_blacklist": env["phone.blacklist"].search([]).mapped("number"),
            "mail_blacklist": env["mail.blacklist"].search([]).mapped("email"),
        }

    def assert_refused(self, user, model, method, *args, **kwargs):
        before = self.snapshot()
        with mute_logger("odoo.http"):
            result, error = self._jsonrpc(user, model, method, *args, **kwargs)
        self.assertTrue(error, f"{user.login}: {model}.{method} went through: {result}")
        self.assertEqual(self.snapshot(), before, f"{model}.{method} changed the database")
        return error

    # -------------------------------------------------------- resident ID

    def test_01_non_manager_reads_the_resident_id(self):
        for user in (self.user_advisor, self.user_sales, self.user_care_agent, self.user_technician):
            with self.subTest(user=user.login):
                error = self.assert_refused(user, "res.partner", "read", [self.holder.id], ["resident_id_number"])
                self.assertEqual(error["name"], "odoo.exceptions.AccessError")
                self.assert_refused(user, "res.partner", "web_read", [self.holder.id], {"resident_id_number": {}})

    def test_02_non_manager_searches_by_resident_id(self):
        """A fragment search would tell the digits one at a time."""
        for domain in ([("resident_id_number", "=like", "110105%")], [("resident_id_number", "!=", False)]):
            with self.subTest(domain=domain):
                self.assert_refused(self.user_advisor, "res.partner", "search_count", domain)
                self.assert_refused(self.user_sales, "res.partner", "search_read", domain, ["name"])

    def test_03_non_manager_orders_by_resident_id(self):
        self.assert_refused(self.user_advisor, "res.partner", "search_read",
                            [("is_autorepair_customer", "=", True)], ["name"], order="resident_id_number")
        self.assert_refused(self.user_sales, "res.partner", "web_search_read",
                            [("is_autorepair_customer", "=", True)], {"name": {}}, order="resident_id_number desc")

    def test_04_grouping_by_resident_id(self):
        """Group labels would list the IDs, unlogged: refused even to managers."""
        for user in (self.user_advisor, self.user_manager):
            with self.subTest(user=user.login):
                self.assert_refused(user, "res.partner", "read_group", [], ["resident_id_number"],
                                    ["resident_id_number"])
                self.assert_refused(user, "res.partner", "web_read_group", [], ["__count"],
                                    ["resident_id_number"])

    def test_05_manager_sets_an_id_without_consent(self):
        error = self.assert_refused(self.user_manager, "res.partner", "write", [self.plain.id],
                                    {"resident_id_number": "51010419870415003X"})
        self.assertIn("separate consent", error["message"])
        self.assert_refused(self.user_manager, "res.partner", "create", {
            "name": "赵六", "mobile": "13800138039", "is_autorepair_customer": True,
            "resident_id_number": "51010419870415003X"})

    def test_06_non_manager_records_the_resident_id_consent(self):
        self.assert_refused(self.user_sales, "res.partner", "write", [self.plain.id],
                            {"resident_id_consent": True, "resident_id_number": "51010419870415003X"})
        self.assert_refused(self.user_advisor, "res.partner", "write", [self.holder.id],
                            {"resident_id_consent": False})

    def test_07_reading_the_id_without_a_log_row(self):
        """A manager reads the ID by every route, with contexts that might
        hint at skipping the log: each call leaves exactly one row."""
        Log = self.env["autorepair.privacy.log"].sudo()
        calls = [
            ("read", [[self.holder.id], ["resident_id_number"]], {"context": {"tracking_disable": True}}),
            ("web_read", [[self.holder.id], {"resident_id_number": {}}], {"context": {"active_test": False}}),
            ("search_read", [[("id", "=", self.holder.id)], ["resident_id_number"]], {}),
            ("web_search_read", [[("id", "=", self.holder.id)], {"resident_id_number": {}}], {}),
        ]
        for method, args, kwargs in calls:
            with self.subTest(method=method):
                before = Log.search_count([("event", "=", "id_read"), ("user_id", "=", self.user_manager.id)])
                result = self._jsonrpc_ok(self.user_manager, "res.partner", method, *args, **kwargs)
                rows = result["records"] if isinstance(result, dict) else result
                self.assertEqual(rows[0]["resident_id_number"], RESIDENT_ID)
                after = Log.search_count([("event", "=", "id_read"), ("user_id", "=", self.user_manager.id)])
                self.assertEqual(after, before + 1)
        # and over XML-RPC
        before = Log.search_count([("event", "=", "id_read")])
        self._xmlrpc(self.user_manager, "res.partner", "read", [self.holder.id], ["resident_id_number"])
        self.assertEqual(Log.search_count([("event", "=", "id_read")]), before + 1)

    def test_08_non_manager_reads_the_id_over_xmlrpc(self):
        before = self.snapshot()
        with mute_logger("odoo.http"), self.assertRaises(Fault):
            self._xmlrpc(self.user_sales, "res.partner", "read", [self.holder.id], ["resident_id_number"])
        self.assertEqual(self.snapshot(), before)

    # -------------------------------------------------------- consent history

    def test_09_staff_write_consent_history(self):
        """A forged grant would reopen marketing to an opted-out customer."""
        line = self.opted_out.consent_ids
        for user in (self.user_care_agent, self.user_manager):
            with self.subTest(user=user.login):
                self.assert_refused(user, "autorepair.consent", "create", {
                    "partner_id": self.opted_out.id, "purpose": "marketing", "granted": True,
                    "source": "form", "channel": "paper"})
                self.assert_refused(user, "autorepair.consent", "write", line.ids, {"granted": True})
                self.assert_refused(user, "autorepair.consent", "unlink", line.ids)

    def test_10_staff_call_the_trusted_consent_method(self):
        self.assert_refused(self.user_care_agent, "res.partner", "_record_consent", [self.opted_out.id],
                            "marketing", True)
        self.assert_refused(self.user_care_agent, "res.partner", "_consent_sync_blacklists",
                            [self.opted_out.id], False)

    # -------------------------------------------------------- SMS replies

    def test_11_staff_create_an_sms_reply(self):
        """A forged "T" would opt a customer out; a forged reply record would fake his choice."""
        for user in (self.user_care_agent, self.user_manager):
            with self.subTest(user=user.login):
                self.assert_refused(user, "autorepair.sms.reply", "create",
                                    {"number": "+8613800138033", "body": "T"})
                self.assert_refused(user, "autorepair.sms.reply", "_receive", "+8613800138033", "T")

    # -------------------------------------------------------- blacklists

    def test_12_agent_removes_a_blacklist_entry(self):
        """Taking the opted-out customer off Odoo's blacklists would let the
        standard composers reach him again."""
        phone_entry = self.env["phone.blacklist"].sudo().search([("number", "=", "+8613800138032")])
        mail_entry = self.env["mail.blacklist"].sudo().search([("email", "=", "liu@example.com")])
        self.assertTrue(phone_entry and mail_entry)
        agent = self.user_care_agent
        self.assert_refused(agent, "phone.blacklist", "unlink", phone_entry.ids)
        self.assert_refused(agent, "phone.blacklist", "write", phone_entry.ids, {"active": False})
        self.assert_refused(agent, "phone.blacklist", "remove", "+8613800138032")
        self.assert_refused(agent, "phone.blacklist.remove", "create",
                            {"phone": "+8613800138032", "reason": "客户同意"})
        self.assert_refused(agent, "mail.blacklist", "unlink", mail_entry.ids)
        self.assert_refused(agent, "mail.blacklist", "write", mail_entry.ids,
                            {"active": False})
        self.assert_refused(agent, "mail.blacklist.remove", "create",
                            {"email": "liu@example.com", "reason": "客户同意"})
