from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .platform_server import PASSWORD
from .test_archive_filing import ArchiveCase

SECRETS = ("autorepair_archive_url", "autorepair_archive_company_code", "autorepair_archive_password",
           "autorepair_archive_platform")


@tagged("post_install", "-at_install")
class TestArchiveSecurity(ArchiveCase):

    def test_credentials_for_administrators_only(self):
        for user in (self.user_advisor, self.user_manager, self.user_technician):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.company.with_user(user).read(["autorepair_archive_password"])
                with self.assertRaises(AccessError):
                    self.company.with_user(user).write({"autorepair_archive_url": "http://evil.example.com"})
        self.assertEqual(self.company.sudo().autorepair_archive_password, PASSWORD)

    def test_filings_written_by_the_system_only(self):
        order = self._settled_order()
        filing = order.archive_filing_ids
        for user in (self.user_advisor, self.user_manager):
            with self.subTest(user=user.login):
                self.assertEqual(filing.with_user(user).state, "pending")
                with self.assertRaises(AccessError):
                    filing.with_user(user).write({"state": "filed"})
        with self.assertRaises(AccessError):
            filing.with_user(self.user_technician).action_refile()
        with self.assertRaises(AccessError):
            self.env["autorepair.archive.export"].with_user(self.user_advisor).create({})


@tagged("post_install", "-at_install")
class TestArchiveSecurityRpc(HttpCase, RpcClientMixin):
    """The platform account over JSON-RPC, as the demo staff log in."""

    def setUp(self):
        super().setUp()
        self.company = self.env.ref("base.main_company")
        self.company.write({"autorepair_archive_url": "https://api.qcda.example.cn",
                            "autorepair_archive_company_code": "510104000123001",
                            "autorepair_archive_password": PASSWORD})

    def _snapshot(self):
        return self.company.sudo().read(list(SECRETS))

    def test_credentials_refused_over_rpc(self):
        for xmlid in ("autorepair_crm.user_demo_advisor", "autorepair_crm.user_demo_manager"):
            user = self.env.ref(xmlid)
            with self.subTest(user=user.login):
                self._assert_rpc_refused(user, "res.company", "read", [self.company.id], list(SECRETS))
                self._assert_rpc_refused(user, "res.company", "write", [self.company.id],
                                         {"autorepair_archive_url": "http://evil.example.com"})
                self._assert_rpc_refused(user, "res.config.settings", "create",
                                         {"autorepair_archive_password": "x"})


@tagged("post_install", "-at_install")
class TestArchivePrivacy(ArchiveCase):

    def test_erasure_cuts_the_customer_out_of_the_records_sent(self):
        order = self._settled_order()
        order.diagnosis = "张伟反映机油滤清器堵塞"
        self._run_cron()
        log = order.archive_filing_ids.log_ids
        self.assertIn("张伟", log.request)
        # paid and released: nothing of the customer's is open any more
        self._release(order)
        self.customer._autorepair_erase()
        self.assertNotIn("张伟", log.request)
        # the platform keeps the repair record: the fault without the name is filed over it
        self.assertEqual(order.archive_filing_ids.state, "corrected")
        self._run_cron()
        fault = self.platform.record_calls()[-1]["json"]["basicInfo"]["faultdescription"]
        self.assertEqual(fault, "***反映机油滤清器堵塞")
        self.assertEqual(order.archive_filing_ids.state, "filed")
