from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AutorepairCrmCase, make_vin


@tagged("post_install", "-at_install")
class TestAccess(AutorepairCrmCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", "13800138000", resident_id_consent=True,
                                     resident_id_number="11010519491231002X")
        cls.vehicle = cls._vehicle(owner=cls.customer)

    def test_technician_sees_vehicle_but_masked_phone(self):
        customer = self.customer.with_user(self.user_technician)
        vehicle = self.vehicle.with_user(self.user_technician)
        self.assertEqual(vehicle.read(["license_plate"])[0]["license_plate"], "川A12345")
        self.assertEqual(customer.read(["phone_masked"])[0]["phone_masked"], "138****8000")
        self.assertEqual(vehicle.read(["owner_phone_masked"])[0]["owner_phone_masked"], "138****8000")
        for fname in ("mobile", "phone", "phone_sanitized", "resident_id_number"):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                customer.read([fname])
        # the views the technician opens simply leave the raw number out
        form = self.env["res.partner"].with_user(self.user_technician).get_views([(False, "form")])
        arch = form["views"]["form"]["arch"]
        self.assertNotIn('name="mobile"', arch)
        self.assertIn('name="phone_masked"', arch)

    def test_front_office_reads_phone_not_resident_id(self):
        for user in (self.user_advisor, self.user_care_agent, self.user_sales, self.user_insurance):
            with self.subTest(user=user.login):
                customer = self.customer.with_user(user)
                self.assertEqual(customer.read(["mobile"])[0]["mobile"], "+8613800138000")
                with self.assertRaises(AccessError):
                    customer.read(["resident_id_number"])
        manager_view = self.customer.with_user(self.user_manager).read(["resident_id_number", "birthday"])[0]
        self.assertEqual(manager_view["resident_id_number"], "11010519491231002X")
        self.assertEqual(str(manager_view["birthday"]), "1949-12-31")

    def test_export_only_for_managers(self):
        for user in (self.user_technician, self.user_advisor, self.user_care_agent, self.user_care_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.customer.with_user(user).export_data(["name"])
                with self.assertRaises(AccessError):
                    self.vehicle.with_user(user).export_data(["license_plate"])
        rows = self.customer.with_user(self.user_manager).export_data(["name", "mobile"])["datas"]
        self.assertEqual(rows, [["张伟", "+8613800138000"]])
        self.assertTrue(self.user_manager.has_group("base.group_allow_export"))

    def test_workshop_cannot_edit_files(self):
        with self.assertRaises(AccessError):
            self.vehicle.with_user(self.user_technician).write({"color": "红色"})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_technician).write({"name": "改名"})
        with self.assertRaises(AccessError):
            self.env["fleet.vehicle"].with_user(self.user_inspector).create({
                "model_id": self.car_model.id, "license_plate": "川A00001",
            })
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_advisor).unlink()
        # the technician records the odometer at work
        reading = self.env["fleet.vehicle.odometer"].with_user(self.user_technician).create({
            "vehicle_id": self.vehicle.id, "value": 1200,
        })
        self.assertEqual(self.vehicle.odometer, reading.value)

    def test_manager_roles_imply_their_tiers(self):
        self.assertTrue(self.user_general_manager.has_group("autorepair_crm.group_manager"))
        self.assertTrue(self.user_manager.has_group("autorepair_workshop.group_advisor"))
        self.assertTrue(self.user_manager.has_group("autorepair_care.group_care_agent"))
        self.assertFalse(self.user_manager.has_group("autorepair_crm.group_contact_masked"))
        self.assertTrue(self.user_inspector.has_group("autorepair_workshop.group_technician"))
        self.assertTrue(self.user_inspector.has_group("autorepair_crm.group_contact_masked"))
        self.assertTrue(self.user_care_manager.has_group("autorepair_care.group_insurance"))

    def test_company_isolation(self):
        branch = self.env["res.company"].create({"name": "绵阳分店"})
        branch_advisor = self.env["res.users"].create({
            "name": "绵阳顾问", "login": "ar_branch_advisor", "company_id": branch.id,
            "company_ids": [branch.id],
            "groups_id": [(6, 0, [self.env.ref("autorepair_workshop.group_advisor").id])],
        })
        Partner = self.env["res.partner"].with_user(branch_advisor)
        Vehicle = self.env["fleet.vehicle"].with_user(branch_advisor)
        self.assertFalse(Partner.search([("id", "=", self.customer.id)]))
        self.assertFalse(Vehicle.search([("id", "=", self.vehicle.id)]))
        with self.assertRaises(AccessError):
            self.customer.with_user(branch_advisor).read(["name"])
        with self.assertRaises(AccessError):
            self.vehicle.with_user(branch_advisor).read(["license_plate"])
        # the branch files its own car with the same plate without seeing ours
        own = Vehicle.with_company(branch).create({
            "model_id": self.car_model.id, "license_plate": "川A12345", "vin_sn": make_vin("LFV2A2BHRC888888"),
        })
        self.assertEqual(own.company_id, branch)
        self.assertFalse(self.env["autorepair.vehicle.ownership"].with_user(branch_advisor).search(
            [("vehicle_id", "=", self.vehicle.id)]))
