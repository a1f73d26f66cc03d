from xmlrpc.client import Fault

from odoo import http
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AutorepairCrmCase, RpcClientMixin, make_vin

ROLES = ("technician", "team_lead", "inspector", "care_agent", "advisor", "insurance", "sales",
         "care_manager", "manager", "general_manager")
MASKED_ROLES = ("technician", "team_lead", "inspector")
IMPORT_OPTIONS = {
    "import_skip_records": [], "import_set_empty_fields": [], "fallback_values": {},
    "name_create_enabled_fields": {}, "encoding": "utf-8", "separator": ",", "quoting": '"',
    "date_format": "", "datetime_format": "", "float_thousand_separator": ",", "float_decimal_separator": ".",
    "advanced": False, "has_headers": True, "keep_matches": False, "limit": 2000, "skip": 0,
}


class RpcClientCase(AutorepairCrmCase, HttpCase, RpcClientMixin):
    """The customer-file fixtures, reached over real HTTP as each role."""

    @classmethod
    def _setup_file_on_record(cls):
        """A customer and his car on file, for the incoming rows to clash with."""
        cls.customer = cls._customer("张伟", "13800138000")
        cls.vin = make_vin("LFV2A2BHRC123456")
        cls.vehicle = cls._vehicle("川A12345", vin=cls.vin, owner=cls.customer)


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
                    self._assert_reads_every_field(user, model, record)
        # what a role may not read is not shown to it, and still shown to those who may
        hidden = {"technician": ["invoice_ids", "care_task_ids", "loyalty_adjustment_ids", "mobile"],
                  "sales": ["invoice_ids", "care_task_ids"], "care_agent": ["invoice_ids"]}
        for role, fnames in hidden.items():
            shown = self._jsonrpc_ok(getattr(self, f"user_{role}"), "res.partner", "fields_get", attributes=["type"])
            self.assertFalse(set(fnames) & set(shown), role)
        shown = self._jsonrpc_ok(self.user_manager, "res.partner", "fields_get", attributes=["type"])
        self.assertLessEqual({"invoice_ids", "care_task_ids", "loyalty_adjustment_ids", "mobile"}, set(shown))

    def test_forms_open_for_every_role(self):
        """The customer and vehicle forms, read the way the web client reads them."""
        for role in ROLES:
            user = getattr(self, f"user_{role}")
            for model, record in (("res.partner", self.customer), ("fleet.vehicle", self.vehicle)):
                with self.subTest(role=role, model=model):
                    [row] = self._jsonrpc_ok(user, model, "web_read", [record.id], self._form_spec(user, model))
                    self.assertEqual(row["id"], record.id)


@tagged("post_install", "-at_install")
class TestRpcBatches(RpcClientCase):
    """An integrator pushes 100 customers or cars in one call: one bad row
    refuses the call, and the refusal names that row and its value."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_file_on_record()

    def _counts(self):
        return (self.env["res.partner"].with_context(active_test=False).search_count([]),
                self.env["fleet.vehicle"].with_context(active_test=False).search_count([]))

    def _refused_everywhere(self, model, vals_list, *expected):
        before = self._counts()
        result, error = self._jsonrpc(self.user_advisor, model, "create", vals_list)
        self.assertIsNone(result)
        self.assertEqual(error["name"], "odoo.exceptions.ValidationError")
        for text in expected:
            self.assertIn(text, error["message"])
        with self.assertRaises(Fault) as fault:
            self._xmlrpc(self.user_advisor, model, "create", vals_list)
        for text in expected:
            self.assertIn(text, fault.exception.faultString)
        self.env.invalidate_all()
        self.assertEqual(self._counts(), before, "nothing of the batch is saved")
        return error["message"]

    @mute_logger("odoo.http")
    def test_customers(self):
        rows = [{"name": f"客户{i:03d}", "mobile": f"1390000{i:04d}", "is_autorepair_customer": True}
                for i in range(100)]
        rows[57]["mobile"] = "138 0013 8000"
        message = self._refused_everywhere("res.partner", rows, "Row 58 of 100", "客户057", "138****8000", "张伟")
        self.assertNotIn("13800138000", message, "the number is shown masked")
        rows[57]["mobile"] = "13900000007"
        self._refused_everywhere("res.partner", rows, "Row 8 of 100", "客户007", "139****0007", "客户057",
                                 "row 58")
        rows[57]["mobile"] = "12345"
        self._refused_everywhere("res.partner", rows, "Row 58 of 100", "12345")
        rows[57]["mobile"] = "13900000057"
        ids = self._jsonrpc_ok(self.user_advisor, "res.partner", "create", rows)
        self.assertEqual(len(ids), 100)
        self.assertEqual(self.customer.mobile, "+8613800138000")

    @mute_logger("odoo.http")
    def test_vehicles(self):
        rows = [{"model_id": self.car_model.id, "license_plate": f"川B{i:05d}"} for i in range(100)]
        rows[42]["vin_sn"] = self.vin.lower()
        self._refused_everywhere("fleet.vehicle", rows, "Row 43 of 100", self.vin, "川A12345")
        rows[42] = {"model_id": self.car_model.id, "license_plate": "川a 12345"}
        self._refused_everywhere("fleet.vehicle", rows, "Row 43 of 100", "川A12345", "already on file")
        rows[42] = {"model_id": self.car_model.id, "license_plate": "川B00007"}
        self._refused_everywhere("fleet.vehicle", rows, "Row 43 of 100", "川B00007", "row 8")
        bad_vin = self.vin[:8] + "X" + self.vin[9:]
        rows[42] = {"model_id": self.car_model.id, "license_plate": "川B00042", "vin_sn": bad_vin}
        self._refused_everywhere("fleet.vehicle", rows, "Row 43 of 100", bad_vin)
        rows[42] = {"model_id": self.car_model.id, "license_plate": "川B00042"}
        ids = self._jsonrpc_ok(self.user_advisor, "fleet.vehicle", "create", rows)
        self.assertEqual(len(ids), 100)

    @mute_logger("odoo.http")
    def test_one_plate_for_two_cars_at_once(self):
        cars = self._vehicle("川A00001", vin=False) + self._vehicle("川A00002", vin=False)
        _result, error = self._jsonrpc(self.user_advisor, "fleet.vehicle", "write", cars.ids,
                                       {"license_plate": "川A00003"})
        self.assertIn("川A00003", error["message"])
        self.assertEqual(cars.mapped("license_plate"), ["川A00001", "川A00002"])


@tagged("post_install", "-at_install")
class TestImport(RpcClientCase):
    """Odoo's own import of a CSV, driven over HTTP as the web client does
    it: each refused row is reported once, against its own row, naming the
    value; the import saves all or nothing, and nothing on file changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_file_on_record()
        # the model column holds a name that only this model has
        cls.env["fleet.vehicle.model"].create({"name": "迈腾导入款", "brand_id": cls.car_model.brand_id.id})

    def _import(self, model, csv_text, fields, dryrun):
        wizard_id = self._jsonrpc_ok(self.user_advisor, "base_import.import", "create", {"res_model": model})
        response = self.url_open("/base_import/set_file", data={
            "csrf_token": http.Request.csrf_token(self), "id": wizard_id,
        }, files={"ufile": ("file.csv", csv_text.encode(), "text/csv")})
        response.raise_for_status()
        preview = self._jsonrpc_ok(self.user_advisor, "base_import.import", "parse_preview", [wizard_id],
                                   dict(IMPORT_OPTIONS))
        self.assertFalse(preview.get("error"))
        return self._jsonrpc_ok(self.user_advisor, "base_import.import", "execute_import", [wizard_id], fields,
                                preview["headers"], dict(IMPORT_OPTIONS), dryrun=dryrun)

    def _assert_rows_refused(self, result, expected):
        """expected: {data row index: texts its one message must hold}"""
        self.assertFalse(result["ids"], "an import with errors saves nothing")
        errors = [message for message in result["messages"] if message["type"] == "error"]
        self.assertEqual(sorted(message["rows"]["from"] for message in errors), sorted(expected),
                         "one message per refused row, none on a good row")
        for message in errors:
            for text in expected[message["rows"]["from"]]:
                self.assertIn(text, message["message"])
            self.assertNotIn("Unknown error", message["message"])

    @mute_logger("odoo.http")
    def test_customers(self):
        csv_text = (
            "name,mobile,is_autorepair_customer\n"
            "李娜,13900139000,1\n"
            "王芳,138 0013 8000,1\n"      # 张伟's number, typed otherwise
            "刘洋,13700137000,1\n"
            "赵敏,12345,1\n"              # no phone number at all
            "孙丽,+86 139-0013-9000,1\n"  # 李娜's, two rows above
        )
        expected = {1: ["王芳", "138****8000", "张伟"], 3: ["12345"], 4: ["孙丽", "139****9000", "李娜"]}
        before = self.env["res.partner"].search_count([])
        for dryrun in (True, False):
            with self.subTest(dryrun=dryrun):
                result = self._import("res.partner", csv_text, ["name", "mobile", "is_autorepair_customer"], dryrun)
                self._assert_rows_refused(result, expected)
                self.assertEqual(self.env["res.partner"].search_count([]), before)
        self.assertEqual(self.customer.mobile, "+8613800138000")
        good_rows = "\n".join(csv_text.splitlines()[i] for i in (0, 1, 3)) + "\n"
        result = self._import("res.partner", good_rows, ["name", "mobile", "is_autorepair_customer"], False)
        self.assertFalse(result["messages"])
        self.assertEqual(self.env["res.partner"].browse(result["ids"]).mapped("mobile"),
                         ["+8613900139000", "+8613700137000"])

    @mute_logger("odoo.http")
    def test_vehicles(self):
        bad_vin = self.vin[:8] + ("1" if self.vin[8] != "1" else "2") + self.vin[9:]
        csv_text = (
            "model_id,license_plate,vin_sn\n"
            f"迈腾导入款,川A54321,{make_vin('LFV2A2BHRC654321')}\n"
            f"迈腾导入款,川a 12345,{make_vin('LFV2A2BHRC777777')}\n"   # plate on file
            f"迈腾导入款,川B11111,{self.vin}\n"                       # VIN on file
            f"迈腾导入款,川C22222,{bad_vin}\n"                         # check digit wrong
            f"迈腾导入款,川D33333,{make_vin('LFV2A2BHRC888888')}\n"
        )
        fields = ["model_id", "license_plate", "vin_sn"]
        expected = {1: ["川A12345", "already on file"], 2: [self.vin, "川A12345"], 3: [bad_vin]}
        before = self.env["fleet.vehicle"].with_context(active_test=False).search_count([])
        for dryrun in (True, False):
            with self.subTest(dryrun=dryrun):
                self._assert_rows_refused(self._import("fleet.vehicle", csv_text, fields, dryrun), expected)
                self.assertEqual(self.env["fleet.vehicle"].with_context(active_test=False).search_count([]), before)
        # a single bad row is not filed against the batch's first row as well
        lone_bad = "\n".join(csv_text.splitlines()[i] for i in (0, 1, 4)) + "\n"
        self._assert_rows_refused(self._import("fleet.vehicle", lone_bad, fields, True), {1: [bad_vin]})
        good_rows = "\n".join(csv_text.splitlines()[i] for i in (0, 1, 5)) + "\n"
        result = self._import("fleet.vehicle", good_rows, fields, False)
        self.assertFalse(result["messages"])
        self.assertEqual(self.env["fleet.vehicle"].browse(result["ids"]).mapped("license_plate"),
                         ["川A54321", "川D33333"])
        self.assertEqual((self.vehicle.license_plate, self.vehicle.vin_sn), ("川A12345", self.vin))
