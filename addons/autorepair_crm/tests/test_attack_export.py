import json

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RpcClientMixin, make_vin

EXPORT = "base.group_allow_export"


@tagged("post_install", "-at_install")
class TestAttackExport(RpcClientMixin, HttpCase):
    """Export of personal data over the web client's own JSON-RPC, XML-RPC and
    the export route: refused to every role below the service manager (even
    one the administrator gave the export feature), the resident ID refused to
    everyone; nothing refused is logged, every export allowed is."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company

        def user(login, groups):
            return new_test_user(cls.env, login=login, groups=groups, company_id=company.id,
                                 company_ids=[company.id])

        # the export feature given by hand: the suite's own guard is what refuses
        cls.advisor = user("xa_advisor", f"autorepair_workshop.group_advisor,{EXPORT}")
        cls.sales = user("xa_sales", f"autorepair_crm.group_sales,{EXPORT}")
        cls.manager = user("xa_manager", "autorepair_crm.group_manager")
        cls.general_manager = user("xa_gm", "autorepair_crm.group_general_manager")
        cls.customer = cls.env["res.partner"].create({
            "name": "张伟", "mobile": "13800138000", "is_autorepair_customer": True, "street": "天府大道1号",
            "resident_id_consent": True, "resident_id_number": "11010519491231002X",
        })
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        cls.vehicle = cls.env["fleet.vehicle"].create({
            "model_id": model.id, "license_plate": "川A12345", "vin_sn": make_vin("LFV2A2BHRC123456"),
            "owner_id": cls.customer.id,
        })
        cls.invoice = cls.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": cls.customer.id, "company_id": company.id,
        })

    def _log_count(self):
        return self.env["autorepair.privacy.log"].search_count([])

    def _snapshot(self):
        self.env.invalidate_all()
        return (self._log_count(), self.customer.write_date, self.invoice.write_date)

    def assert_export_refused(self, user, model, record, fields, rpc="json"):
        before = self._snapshot()
        if rpc == "json":
            result, error = self._jsonrpc(user, model, "export_data", [record.id], fields)
            self.assertIsNone(result)
            self.assertIn("AccessError", error["name"])
        else:
            with self.assertRaisesRegex(Exception, "AccessError|never exported|service manager"):
                self._xmlrpc(user, model, "export_data", [record.id], fields)
        self.assertEqual(self._snapshot(), before, "nothing changed, nothing logged")

    def test_advisor_exports_invoice_mobile(self):
        self.assert_export_refused(self.advisor, "account.move", self.invoice, ["name", "partner_id/mobile"])

    def test_advisor_exports_invoice_customer_name(self):
        # a many2one column exports the customer's name
        self.assert_export_refused(self.advisor, "account.move", self.invoice, ["name", "partner_id"])
        self.assert_export_refused(self.advisor, "account.move", self.invoice,
                                   ["name", "commercial_partner_id/street"])

    def test_sales_exports_ownership_mobile_over_xmlrpc(self):
        self.assert_export_refused(self.sales, "autorepair.vehicle.ownership", self.vehicle.ownership_ids,
                                   ["date_from", "partner_id/mobile"], rpc="xml")

    def test_sales_exports_vehicle_owner(self):
        self.assert_export_refused(self.sales, "fleet.vehicle", self.vehicle, ["license_plate", "owner_id/phone"])

    def test_manager_exports_resident_id(self):
        self.assert_export_refused(self.manager, "res.partner", self.customer, ["name", "resident_id_number"])
        self.assert_export_refused(self.manager, "res.partner", self.customer, ["name", "resident_id_number"],
                                   rpc="xml")

    def test_general_manager_exports_resident_id_through_invoice(self):
        self.assert_export_refused(self.general_manager, "account.move", self.invoice,
                                   ["name", "partner_id/resident_id_number"])
        self.assert_export_refused(self.general_manager, "fleet.vehicle", self.vehicle,
                                   ["owner_id/resident_id_number"])

    def test_advisor_exports_through_export_route(self):
        """The web client's CSV export, the way its Export dialog posts it."""
        before = self._snapshot()
        self.authenticate(self.advisor.login, self.advisor.login)
        with mute_logger("odoo.addons.web.controllers.export"):
            response = self._post_export()
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("13800138000", response.text)
        self.assertEqual(self._snapshot(), before)

    def _post_export(self):
        return self.url_open("/web/export/csv", data={
            "data": json.dumps({
                "model": "account.move", "ids": [self.invoice.id], "domain": [], "import_compat": False,
                "fields": [{"name": "name", "label": "Number"}, {"name": "partner_id/mobile", "label": "Mobile"}],
            }),
            "csrf_token": http.Request.csrf_token(self),
        })

    def test_manager_export_is_logged(self):
        log_count = self._log_count()
        rows = self._jsonrpc_ok(self.manager, "account.move", "export_data", [self.invoice.id],
                                ["partner_id/name", "partner_id/mobile"])["datas"]
        self.assertEqual(rows, [["张伟", "+8613800138000"]])
        log = self.env["autorepair.privacy.log"].search([], order="id desc", limit=1)
        self.assertEqual(self._log_count(), log_count + 1)
        self.assertEqual((log.event, log.user_id, log.model, log.field_names, log.record_count),
                         ("export", self.manager, "account.move", "partner_id/name, partner_id/mobile", 1))
