from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AutorepairCrmCase, RpcClientMixin

ROLES = ("technician", "team_lead", "inspector", "care_agent", "advisor", "insurance", "sales",
         "care_manager", "manager", "general_manager")
MASKED_ROLES = ("technician", "team_lead", "inspector")


class RpcClientCase(AutorepairCrmCase, HttpCase, RpcClientMixin):
    """The customer-file fixtures, reached over real HTTP as each role."""


@tagged("post_install", "-at_install")
class TestRpcReads(RpcClientCase):
    """Every role reads customers and vehicles over JSON-RPC and XML-RPC: the
    masked phone with any other field, and every field the role is shown."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", "13800138000", district_id=cls.district_local.id)
        cls.vehicle = cls._vehicle("川A12345", owner=cls.customer)

    @mute_logger("odoo.http")
    def test_masked_phone_with_other_fields(self):
        for role in ROLES:
            user = getattr(self, f"user_{role}")
            with self.subTest(role=role):
                [row] = self._jsonrpc_ok(user, "res.partner", "read", [self.customer.id],
                                         ["phone_masked", "name", "district_id", "display_name"])
                self.assertEqual((row["phone_masked"], row["name"]), ("138****8000", "张伟"))
                [row] = self._jsonrpc_ok(user, "res.partner", "web_read", [self.customer.id], {
                    "name": {}, "phone_masked": {}, "autorepair_vehicle_ids": {"fields": {"display_name": {}}},
                })
                self.assertEqual(row["phone_masked"], "138****8000")
                self.assertEqual(row["autorepair_vehicle_ids"][0]["id"], self.vehicle.id)
                [row] = self._jsonrpc_ok(user, "fleet.vehicle", "web_read", [self.vehicle.id],
                                         {"license_plate": {}, "owner_phone_masked": {}, "owner_id": {}})
                self.assertEqual(row["owner_phone_masked"], "138****8000")
                [row] = self._xmlrpc(user, "res.partner", "read", [self.customer.id], ["name", "phone_masked"])
                self.assertEqual(row["phone_masked"], "138****8000")
                # the number itself stays hidden from the workshop
                result, error = self._jsonrpc(user, "res.partner", "read", [self.customer.id], ["name", "mobile"])
                if role in MASKED_ROLES:
                    self.assertEqual(error["name"], "odoo.exceptions.AccessError")
                    with self.assertRaises(Fault):
                        self._xmlrpc(user, "res.partner", "read", [self.customer.id], ["mobile"])
                else:
                    self.assertEqual(result[0]["mobile"], "+8613800138000")

    def test_every_field_shown_is_readable(self):
        for role in ROLES:
            user = getattr(self, f"user_{role}")
            for model, record in (("res.partner", self.customer), ("fleet.vehicle", self.vehicle)):
                with self.subTest(role=role, model=model):
                    fnames = list(self._jsonrpc_ok(user, model, "fields_get", attributes=["type"]))
                    [row] = self._jsonrpc_ok(user, model, "read", [record.id], fnames)
                    self.assertEqual(set(row), set(fnames) | {"id"})
                    [row] = self._jsonrpc_ok(user, model, "web_read", [record.id], {fname: {} for fname in fnames})
                    self.assertEqual(row["id"], record.id)
                    [row] = self._xmlrpc(user, model, "read", [record.id], fnames)
                    self.assertEqual(row["id"], record.id)
        # what a role may not read is not shown to it, and still shown to those who may
        hidden = {"technician": ["invoice_ids", "care_task_ids", "loyalty_move_ids", "mobile"],
                  "sales": ["invoice_ids", "care_task_ids"], "care_agent": ["invoice_ids"]}
        for role, fnames in hidden.items():
            shown = self._jsonrpc_ok(getattr(self, f"user_{role}"), "res.partner", "fields_get", attributes=["type"])
            self.assertFalse(set(fnames) & set(shown), role)
        shown = self._jsonrpc_ok(self.user_manager, "res.partner", "fields_get", attributes=["type"])
        self.assertLessEqual({"invoice_ids", "care_task_ids", "loyalty_move_ids", "mobile"}, set(shown))

    def test_forms_open_for_every_role(self):
        """The customer and vehicle forms, read the way the web client reads them."""
        for role in ROLES:
            user = getattr(self, f"user_{role}")
            for model, record in (("res.partner", self.customer), ("fleet.vehicle", self.vehicle)):
                with self.subTest(role=role, model=model):
                    [row] = self._jsonrpc_ok(user, model, "web_read", [record.id], self._form_spec(user, model))
                    self.assertEqual(row["id"], record.id)
