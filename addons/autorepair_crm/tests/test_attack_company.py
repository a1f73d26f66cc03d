from odoo.tests import HttpCase, new_test_user, tagged

from .common import RpcClientMixin, make_vin


@tagged("post_install", "-at_install")
class TestAttackDuplicateProbe(RpcClientMixin, HttpCase):
    """A user of one company of the group probes another company's file with
    the duplicate checks (phone, VIN, plate), naming that company in the new
    record: the refusal says only that the value is on file elsewhere, offers
    no button to the record, and nothing is created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.branch = cls.env["res.company"].create({"name": "绵阳分店"})
        cls.sales = new_test_user(cls.env, login="dp_sales", groups="autorepair_crm.group_sales",
                                  company_id=cls.company.id, company_ids=[cls.company.id])
        cls.other = cls.env["res.partner"].create({
            "name": "陈静", "mobile": "13600136000", "is_autorepair_customer": True, "company_id": cls.branch.id,
        })
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        cls.car_model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        cls.vin = make_vin("LFV2A2BHRC777777")
        cls.env["fleet.vehicle"].create({
            "model_id": cls.car_model.id, "license_plate": "川B77777", "vin_sn": cls.vin,
            "owner_id": cls.other.id, "company_id": cls.branch.id,
        })
        cls.leaks = ("陈静", "136****6000", "13600136000", "川B77777", "迈腾")

    def _counts(self):
        return (self.env["res.partner"].with_context(active_test=False).search_count([]),
                self.env["fleet.vehicle"].with_context(active_test=False).search_count([]))

    def assert_probe_refused(self, model, method, *args, **kwargs):
        before = self._counts()
        result, error = self._jsonrpc(self.sales, model, method, *args, **kwargs)
        self.assertIsNone(result)
        self.assertEqual(error["name"], "odoo.exceptions.ValidationError", "no RedirectWarning, no button")
        self.assertIn("another company", error["message"])
        for leak in self.leaks:
            self.assertNotIn(leak, str(error))
        self.assertEqual(self._counts(), before, "nothing created")

    def test_phone_probe_by_create(self):
        self.assert_probe_refused("res.partner", "create", [{
            "name": "探子", "mobile": "13600136000", "is_autorepair_customer": True, "company_id": self.branch.id,
        }])

    def test_phone_probe_from_the_form(self):
        # the form's save turns a duplicate into a warning with a button to the record
        self.assert_probe_refused("res.partner", "web_save", [], {
            "name": "探子", "mobile": "+86 136 0013 6000", "is_autorepair_customer": True,
            "company_id": self.branch.id,
        }, specification={"display_name": {}})

    def test_vin_probe(self):
        self.assert_probe_refused("fleet.vehicle", "web_save", [], {
            "model_id": self.car_model.id, "vin_sn": self.vin, "company_id": self.branch.id,
        }, specification={"display_name": {}})

    def test_plate_probe(self):
        self.assert_probe_refused("fleet.vehicle", "create", [{
            "model_id": self.car_model.id, "license_plate": "川b 77777", "company_id": self.branch.id,
        }])

    def test_quick_created_owner_in_user_company(self):
        """The owner field of the vehicle form creates its customer by name."""
        partner_id, _name = self._jsonrpc_ok(
            self.sales, "res.partner", "name_create", "王芳",
            context={"default_is_autorepair_customer": True, "allowed_company_ids": [self.company.id]})
        partner = self.env["res.partner"].browse(partner_id)
        self.assertEqual((partner.is_autorepair_customer, partner.company_id), (True, self.company))
