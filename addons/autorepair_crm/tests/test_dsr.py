import json

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import AutorepairCrmCase

RESIDENT_ID = "11010519491231002X"


@tagged("post_install", "-at_install")
class TestDataSubjectRequests(AutorepairCrmCase):
    """Access report, correction and erasure of the customer file; the
    retention run. The workshop, care and complaint parts are tested in
    autorepair_complaint's test_dsr."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer(
            name="欧阳娜娜", mobile="13912345678", email="ouyang.nana@example.com", street="玉沙路199号附7号",
            city="成都", resident_id_consent=True, resident_id_number=RESIDENT_ID, comment="<p>喜欢周六上午来店</p>",
            district_id=cls.district_local.id,
        )
        cls.vehicle = cls._vehicle(owner=cls.customer)
        cls.customer._autorepair_points_card()._autorepair_points_move(50, "开业活动")
        cls.Log = cls.env["autorepair.privacy.log"]

    def _entries(self, event, partner=None):
        return self.Log.search([("event", "=", event), ("partner_id", "=", (partner or self.customer).id)])

    # ------------------------------------------------------------- access report

    def test_access_report(self):
        action = self.customer.with_user(self.user_manager).action_autorepair_access_report()
        entry = self._entries("access_report")
        self.assertEqual(len(entry), 1, "the report is logged once")
        self.assertEqual(entry.user_id, self.user_manager)
        files = self.env["ir.attachment"].search(
            [("res_model", "=", "autorepair.privacy.log"), ("res_id", "=", entry.id)])
        self.assertEqual(len(files), 2, "a PDF and a JSON file, kept on the log's entry")
        pdf = files.filtered(lambda f: f.mimetype != "application/json")
        self.assertEqual(action["url"], f"/web/content/{pdf.id}?download=true")

        data = json.loads(files.filtered(lambda f: f.mimetype == "application/json").raw)
        sections = data["sections"]
        for key in ("customer", "vehicles", "consents", "loyalty", "invoices", "processing"):
            self.assertIn(key, sections)
        [customer] = sections["customer"]["rows"]
        self.assertEqual(customer["Name"], "欧阳娜娜")
        self.assertEqual(customer["Mobile"], "+8613912345678")
        self.assertEqual(customer["Email"], "ouyang.nana@example.com")
        self.assertEqual(customer["Street"], "玉沙路199号附7号")
        self.assertEqual(customer["Birthday"], "1949-12-31")
        self.assertEqual(customer["Resident ID"], "on file")
        # each consent decision on record, with its purpose (the ID's own consent here)
        consents = sections["consents"]["rows"]
        self.assertIn(("Resident ID", True), [(row["Purpose"], row["Granted"]) for row in consents])
        [vehicle] = sections["vehicles"]["rows"]
        self.assertEqual(vehicle["License Plate"], "川A12345")
        self.assertEqual(vehicle["VIN"], self.vehicle.vin_sn)
        self.assertEqual(sections["loyalty"]["rows"][0]["Description"], "开业活动")
        self.assertEqual(sections["loyalty"]["rows"][0]["Issued"], 50)
        self.assertNotIn(RESIDENT_ID, files.filtered(lambda f: f.mimetype == "application/json").raw.decode(),
                         "the resident ID itself is never in a report")

        page = pdf.raw.decode()
        for text in ("欧阳娜娜", "+8613912345678", "川A12345", self.vehicle.vin_sn, "Vehicles", "Loyalty Points"):
            self.assertIn(text, page)
        self.assertNotIn(RESIDENT_ID, page)

    def test_access_report_refused(self):
        for user in (self.user_advisor, self.user_care_agent, self.user_sales, self.user_technician):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).action_autorepair_access_report()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ir.actions.report"].with_user(user)._render_qweb_pdf(
                    "autorepair_crm.report_personal_data", self.customer.ids)
        self.assertFalse(self._entries("access_report"))

    def test_report_printed_directly_is_logged(self):
        content, _type = self.env["ir.actions.report"].with_user(self.user_manager)._render_qweb_pdf(
            "autorepair_crm.report_personal_data", self.customer.ids)
        self.assertIn("欧阳娜娜", content.decode())
        self.assertEqual(len(self._entries("access_report")), 1)

    # ---------------------------------------------------------------- correction

    def test_correction_logged(self):
        self.customer.with_user(self.user_manager).write({
            "mobile": "13987654321", "street": "天府大道1号", "vehicle_use": "private",
        })
        entry = self._entries("correction")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.field_names, "mobile, street", "the changed personal fields, by name")
        self.assertEqual(entry.user_id, self.user_manager)
        values = " ".join(str(entry[fname]) for fname in ("field_names", "note", "model"))
        self.assertNotIn("13987654321", values)
        self.assertNotIn("天府大道", values)
        # what is not personal is not logged
        self.customer.with_user(self.user_manager).write({"vehicle_use": "company"})
        self.assertEqual(len(self._entries("correction")), 1)

    def test_erased_date_not_writable(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_manager).write({"autorepair_erased_date": "2026-01-01 00:00:00"})
        self.assertFalse(self.customer.autorepair_erased_date)

    # ------------------------------------------------------------------- erasure

    def _erase(self, partner=None, user=None, **vals):
        wizard = self.env["autorepair.erasure.wizard"].with_user(user or self.user_manager).create({
            "partner_id": (partner or self.customer).id, "reason": "客户书面申请", "confirm": True, **vals,
        })
        return wizard.action_erase()

    def test_erasure_of_the_customer_file(self):
        self.customer.message_post(body="欧阳娜娜来电 13912345678，地址玉沙路199号附7号")
        self.env["ir.attachment"].create({
            "name": "行驶证.jpg", "raw": "scan of 欧阳娜娜".encode(), "res_model": "res.partner",
            "res_id": self.customer.id,
        })
        self.customer.with_user(self.user_manager).action_autorepair_access_report()
        self._erase()
        customer = self.customer.with_context(active_test=False)
        self.assertEqual(customer.name, f"Erased Customer #{customer.id}")
        self.assertFalse(customer.active)
        self.assertTrue(customer.autorepair_erased_date)
        for fname in ("mobile", "phone", "email", "street", "city", "birthday", "comment", "image_1920",
                      "resident_id_number", "phone_sanitized", "email_normalized"):
            self.assertFalse(customer[fname], fname)
        self.assertFalse(self.vehicle.owner_id, "the car is unlinked from the person")
        self.assertEqual(self.vehicle.license_plate, "川A12345", "the car keeps its plate and VIN")
        self.assertEqual(customer.loyalty_points, 50, "the points ledger stays (no personal data)")
        attachments = self.env["ir.attachment"].search([
            "|", ("res_field", "=", False), ("res_field", "!=", False),
            "|", "&", ("res_model", "=", "res.partner"), ("res_id", "=", customer.id),
            "&", ("res_model", "=", "autorepair.privacy.log"), ("res_id", "in", self._entries("access_report").ids),
        ])
        self.assertFalse(attachments, "files and earlier access reports deleted")
        self.env.flush_all()
        for text in ("欧阳娜娜", "13912345678", "玉沙路199号", "ouyang.nana", RESIDENT_ID):
            self.env.cr.execute("SELECT count(*) FROM mail_message WHERE body ILIKE %s", [f"%{text}%"])
            self.assertEqual(self.env.cr.fetchone()[0], 0, text)
            self.env.cr.execute("SELECT count(*) FROM res_partner WHERE res_partner::text ILIKE %s", [f"%{text}%"])
            self.assertEqual(self.env.cr.fetchone()[0], 0, text)
        entry = self._entries("erasure")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.user_id, self.user_manager)
        self.assertIn("res.partner.mobile", entry.field_names)
        self.assertEqual(entry.note, "客户书面申请")
        # consent and opt-out facts stay; a second erasure does nothing more
        self._erase(partner=customer)
        self.assertEqual(len(self._entries("erasure")), 1)

    def test_erasure_needs_confirmation_and_a_manager(self):
        with self.assertRaises(UserError):
            self._erase(confirm=False)
        for user in (self.user_advisor, self.user_care_manager, self.user_sales):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._erase(user=user)
        self.assertEqual(self.customer.name, "欧阳娜娜")
        self.assertFalse(self._entries("erasure"))

    def test_erasure_refused_for_staff_accounts(self):
        with self.assertRaises(UserError) as caught:
            self._erase(partner=self.user_advisor.partner_id)
        self.assertIn("user account", str(caught.exception))
        self.assertTrue(self.user_advisor.active)

    # ----------------------------------------------------------------- retention

    def _age(self, partners, created):
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET create_date = %s WHERE id = ANY(%s)", [created, partners.ids])
        self.env.cr.execute("""UPDATE loyalty_history h SET create_date = %s FROM loyalty_card c
                                WHERE c.id = h.card_id AND c.partner_id = ANY(%s)""", [created, partners.ids])
        self.env.invalidate_all()

    def test_retention_setting(self):
        self.assertEqual(self.company.autorepair_crm_retention_years, 5)
        with self.assertRaises(ValidationError):
            self.company.autorepair_crm_retention_years = -1

    def test_retention_run_twice(self):
        absent = self._customer(name="李四海", mobile="13700001111")
        recent = self._customer(name="赵六", mobile="13700002222")
        staff = self.user_advisor.partner_id
        staff.write({"is_autorepair_customer": True, "company_id": self.company.id})
        self._age(self.customer | absent | staff, "2019-03-01")
        self._age(recent, "2024-06-01")
        Partner = self.env["res.partner"]
        with freeze_time("2026-03-02"):
            self.assertEqual(Partner._cron_autorepair_retention(), 2)
            self.assertEqual(Partner._cron_autorepair_retention(), 0, "a second run has nothing left to do")
        for partner in (self.customer, absent):
            self.assertTrue(partner.autorepair_erased_date)
            self.assertEqual(len(self._entries("retention", partner)), 1)
        self.assertFalse(recent.autorepair_erased_date, "absent less than five years")
        self.assertEqual(recent.name, "赵六")
        self.assertFalse(staff.autorepair_erased_date, "a staff account is skipped")
        self.assertFalse(self._entries("erasure"))

    def test_retention_off_and_batched(self):
        others = self.env["res.partner"].browse([
            self._customer(name=f"客户{i}", mobile=f"1370000{3000 + i}").id for i in range(3)])
        self._age(self.customer | others, "2015-01-01")
        self.env["ir.config_parameter"].set_param("autorepair_crm.retention_batch_size", "2")
        Partner = self.env["res.partner"]
        self.company.autorepair_crm_retention_years = 0
        with freeze_time("2026-03-02"):
            self.assertEqual(Partner._cron_autorepair_retention(), 0, "0 years keeps customers for ever")
            self.company.autorepair_crm_retention_years = 10
            self.assertEqual(Partner._cron_autorepair_retention(), 2, "one batch per call")
            self.assertEqual(Partner._cron_autorepair_retention(), 2)
            self.assertEqual(Partner._cron_autorepair_retention(), 0)
        self.assertTrue(all((self.customer | others).mapped("autorepair_erased_date")))
