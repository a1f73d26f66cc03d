from odoo.tests import tagged

from .test_attack_company import TwoCompaniesCase


@tagged("post_install", "-at_install")
class TestAttackExportSuite(TwoCompaniesCase):
    """Customers' phones, names, signatures and words exported from the
    suite's own documents (care tasks, service orders, complaints, the
    complaint analysis) by the staff below the service manager, even with
    the export feature given by hand; the resident ID by a manager. Each
    refused, nothing changed, nothing logged."""

    def _snapshot(self, partner):
        self.env.invalidate_all()
        return self._log_count(), partner.write_date, partner.mobile

    def assert_export_refused(self, user, model, record, fields):
        before = self._snapshot(self.data[self.company]["customer"])
        result, error = self._jsonrpc(user, model, "export_data", [record.id], fields)
        self.assertIsNone(result)
        self.assertIn("AccessError", error["name"])
        self.assertNotIn("13800138001", str(error))
        self.assertEqual(self._snapshot(self.data[self.company]["customer"]), before, "nothing changed, nothing logged")

    def test_care_agent_exports_task_phones(self):
        task = self.data[self.company]["task"]
        for fields in (["partner_mobile"], ["partner_phone"], ["partner_id/mobile"], ["no_return_note"]):
            with self.subTest(fields=fields):
                self.assert_export_refused(self.care_agent, "autorepair.care.task", task, ["due_date", *fields])

    def test_advisor_exports_order_mobile(self):
        order = self.data[self.company]["order"]
        self.assert_export_refused(self.advisor, "autorepair.service.order", order, ["name", "partner_id/mobile"])
        self.assert_export_refused(self.advisor, "autorepair.service.order", order,
                                   ["name", "vehicle_id/owner_id/mobile"])

    def test_advisor_exports_walkaround_signature_and_photos(self):
        order = self.data[self.company]["order"]
        self.assert_export_refused(self.advisor, "autorepair.service.order", order, ["name", "walkaround_signature"])
        self.assert_export_refused(self.advisor, "autorepair.damage", self.data[self.company]["damage"],
                                   ["location", "photo"])

    def test_care_agent_exports_complaint_contact(self):
        complaint = self.data[self.company]["complaint"]
        for fields in (["partner_id/mobile"], ["partner_id/street"], ["description"]):
            with self.subTest(fields=fields):
                self.assert_export_refused(self.care_agent, "autorepair.complaint", complaint, ["name", *fields])

    def test_advisor_exports_complaint_analysis_names(self):
        report = self.env["autorepair.complaint.report"].browse(self.data[self.company]["complaint"].id)
        self.assert_export_refused(self.advisor, "autorepair.complaint.report", report, ["reported_date", "partner_id"])

    def test_manager_exports_resident_id_from_documents(self):
        data = self.data[self.company]
        for model, record in (("autorepair.care.task", data["task"]), ("autorepair.complaint", data["complaint"]),
                              ("autorepair.service.order", data["order"])):
            with self.subTest(model=model):
                self.assert_export_refused(self.manager, model, record, ["id", "partner_id/resident_id_number"])

    def test_manager_export_logged(self):
        order = self.data[self.company]["order"]
        before = self._log_count()
        rows = self._jsonrpc_ok(self.manager, "autorepair.service.order", "export_data", [order.id],
                                ["name", "partner_id/mobile"])["datas"]
        self.assertEqual(rows[0][1], "+8613800138001")
        log = self.env["autorepair.privacy.log"].search([], order="id desc", limit=1)
        self.assertEqual(self._log_count(), before + 1)
        self.assertEqual((log.user_id, log.model, log.field_names, log.record_count),
                         (self.manager, "autorepair.service.order", "name, partner_id/mobile", 1))
