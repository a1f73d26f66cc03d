from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AutorepairCrmCase, make_vin


@tagged("post_install", "-at_install")
class TestExportPrivacy(AutorepairCrmCase):
    """Export of personal data: managers only, never the resident ID, each
    export in the privacy log (who, model, fields, rows)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer(
            "张伟", "13800138000", resident_id_consent=True, resident_id_number="11010519491231002X")
        cls.customer2 = cls._customer("李娜", "13900139000")
        cls.vehicle = cls._vehicle(owner=cls.customer)
        cls.Log = cls.env["autorepair.privacy.log"]

    def _logs(self):
        return self.Log.search([("event", "=", "export")])

    def test_manager_export_logged(self):
        before = self._logs()
        partners = self.customer | self.customer2
        rows = partners.with_user(self.user_manager).export_data(["name", "mobile"])["datas"]
        self.assertEqual(len(rows), 2)
        log = self._logs() - before
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.user_manager)
        self.assertEqual(log.model, "res.partner")
        self.assertEqual(log.field_names, "name, mobile")
        self.assertEqual(log.record_count, 2)
        self.assertEqual(log.company_id, self.env.company)

    def test_export_through_relation_logged(self):
        before = self._logs()
        rows = self.vehicle.with_user(self.user_manager).export_data(["license_plate", "owner_id/mobile"])["datas"]
        self.assertEqual(rows, [["川A12345", "+8613800138000"]])
        log = self._logs() - before
        self.assertEqual((log.model, log.field_names, log.record_count),
                         ("fleet.vehicle", "license_plate, owner_id/mobile", 1))

    def test_export_without_personal_data_not_logged(self):
        before = self._logs()
        self.customer.with_user(self.user_manager).export_data(["value_class", "id"])
        self.assertEqual(self._logs(), before)

    def test_resident_id_never_exported(self):
        before = self._logs()
        for user in (self.user_manager, self.user_general_manager, self.env.ref("base.user_admin")):
            for model, records, path in (
                ("res.partner", self.customer, "resident_id_number"),
                ("res.partner", self.customer, "resident_id_number/id"),
                ("fleet.vehicle", self.vehicle, "owner_id/resident_id_number"),
                ("autorepair.vehicle.ownership", self.vehicle.ownership_ids, "partner_id/resident_id_number"),
            ):
                with self.subTest(user=user.login, model=model, path=path), self.assertRaises(AccessError):
                    records.with_user(user).export_data(["name" if model == "res.partner" else "id", path])
        self.assertEqual(self._logs(), before, "nothing refused is logged")
        # the birthday derived from it is personal data, not the ID itself
        rows = self.customer.with_user(self.user_manager).export_data(["birthday"])["datas"]
        self.assertEqual(str(rows[0][0]), "1949-12-31")
        # the superuser's own code paths (an access report) are trusted
        self.assertEqual(self.customer.sudo().export_data(["resident_id_number"])["datas"], [["11010519491231002X"]])

    def test_non_manager_refused_on_any_model(self):
        # even a sales consultant the administrator gave the export feature
        self.user_sales.groups_id += self.env.ref("base.group_allow_export")
        ownership = self.vehicle.ownership_ids.with_user(self.user_sales)
        before = self._logs()
        for path in ("partner_id/mobile", "partner_id", "partner_id/display_name", "partner_id/street"):
            with self.subTest(path=path), self.assertRaises(AccessError):
                ownership.export_data(["date_from", path])
        self.assertEqual(self._logs(), before)
        # data that is not personal still exports
        self.assertEqual(len(ownership.export_data(["date_from", "partner_id/.id"])["datas"]), 1)

    def test_personal_reach(self):
        Partner, Users = self.env["res.partner"], self.env["res.users"]
        self.assertIn(("res.partner", "mobile"), Partner._autorepair_path_reach(["mobile"]))
        # a field of res.users delegated to its partner, a display name computed from the name
        self.assertIn(("res.partner", "name"), Users._autorepair_path_reach(["name"]))
        self.assertIn(("res.partner", "name"), Partner._autorepair_path_reach(["display_name"]))
        self.assertIn(("res.partner", "mobile"), Partner._autorepair_path_reach(["phone_masked"]))
        self.assertFalse(Partner._autorepair_path_reach(["value_class"]))
        self.assertFalse(Partner._autorepair_path_reach(["birthday"], derived=False, unexportable=True))
        self.assertTrue(Partner._autorepair_path_reach(["resident_id_number"], derived=False, unexportable=True))

    def test_default_user_template_has_no_export(self):
        template = self.env.ref("base.default_user")
        self.assertNotIn(self.env.ref("base.group_allow_export"), template.groups_id)
        # a user created after install through the user form, with its defaults
        form = Form(self.env["res.users"])
        form.name = "新员工"
        form.login = "new_staff"
        user = form.save()
        self.assertTrue(user.has_group("base.group_user"))
        self.assertFalse(user.has_group("base.group_allow_export"))
        with self.assertRaises(UserError):
            self.env["autorepair.time.slot"].with_user(user).search([]).export_data(["name"])
        # the service manager keeps it
        self.assertTrue(self.user_manager.has_group("base.group_allow_export"))


@tagged("post_install", "-at_install")
class TestCompanyOfCreatedRecords(AutorepairCrmCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create({"name": "绵阳分店"})

    def test_quick_created_owner_belongs_to_user_company(self):
        # the owner many2one of the vehicle form: name_create with the form's context
        Partner = self.env["res.partner"].with_user(self.user_sales).with_context(
            default_is_autorepair_customer=True)
        partner_id, _name = Partner.name_create("王芳")
        partner = self.env["res.partner"].browse(partner_id)
        self.assertTrue(partner.is_autorepair_customer)
        self.assertEqual(partner.company_id, self.env.company)

    def test_owner_made_customer_by_vehicle_gets_its_company(self):
        contact = self.env["res.partner"].create({"name": "赵六", "mobile": "13700137000"})
        self.assertFalse(contact.company_id)
        vehicle = self._vehicle(plate="川A54321", vin=make_vin("LFV2A2BHRC654321"))
        vehicle.owner_id = contact
        self.assertTrue(contact.is_autorepair_customer)
        self.assertEqual(contact.company_id, vehicle.company_id)

    def test_duplicate_in_other_company_names_nothing(self):
        other = self._customer("陈静", "13600136000", company_id=self.branch.id)
        self._vehicle(plate="川B11111", vin=make_vin("LFV2A2BHRC111111"), owner=other, company_id=self.branch.id)
        Partner = self.env["res.partner"].with_user(self.user_sales)
        with self.assertRaises(ValidationError) as caught:
            Partner.create({"name": "探子", "mobile": "13600136000", "is_autorepair_customer": True,
                            "company_id": self.branch.id})
        message = caught.exception.args[0]
        self.assertIn("another company", message)
        for leak in ("陈静", "136****6000", "13600136000"):
            self.assertNotIn(leak, message)
        self.assertFalse(getattr(caught.exception, "autorepair_existing", None))
        Vehicle = self.env["fleet.vehicle"].with_user(self.user_sales)
        for vals in ({"vin_sn": make_vin("LFV2A2BHRC111111")}, {"license_plate": "川B11111"}):
            with self.subTest(vals=vals), self.assertRaises(ValidationError) as caught:
                Vehicle.create({"model_id": self.car_model.id, "company_id": self.branch.id, **vals})
            self.assertIn("another company", caught.exception.args[0])
            self.assertNotIn("川B11111", caught.exception.args[0])
            self.assertNotIn("陈静", caught.exception.args[0])
        # in his own company the user is still shown the customer on file
        self._customer("张伟", "13800138000")
        with self.assertRaises(ValidationError) as caught:
            Partner.create({"name": "张三", "mobile": "13800138000", "is_autorepair_customer": True})
        self.assertIn("张伟", caught.exception.args[0])
