from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import CompanySettingsMixin, RpcClientMixin, add_role_users, make_vin

from .common import ServiceOrderCase


class LabourCatalogueCase(ServiceOrderCase):
    """A workshop with its labour catalogue: an oil change with the maker's
    hours for the 迈腾, a battery change (electrical) without model hours, the
    rate of each category in the company's settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "lc", {"storekeeper": "autorepair_workshop.group_storekeeper"})
        cls.env.company.write({
            "autorepair_workshop_labour_rate": 150, "autorepair_workshop_labour_rate_electrical": 180,
            "autorepair_workshop_labour_rate_body": 160, "autorepair_workshop_labour_rate_paint": 0,
        })
        Operation = cls.env["autorepair.labour.operation"]
        cls.oil_change = Operation.create({
            "name": "更换机油机滤", "code": "T-JX001", "category": "mechanical", "standard_hours": 0.5,
            "time_ids": [(0, 0, {"model_id": cls.car_model.id, "hours": 0.6})],
        })
        cls.battery = Operation.create({
            "name": "更换蓄电池", "code": "T-DG001", "category": "electrical", "standard_hours": 0.3,
        })
        cls.paint = Operation.create({
            "name": "喷漆(每幅)", "code": "T-PQ001", "category": "paint", "standard_hours": 2})
        cls.camry = cls.env["fleet.vehicle.model"].create({
            "name": "凯美瑞", "brand_id": cls.env["fleet.vehicle.model.brand"].create({"name": "广汽丰田"}).id})

    def _labour(self, order, operation, **vals):
        return self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "labour", "labour_operation_id": operation.id, **vals})

    def _notes(self, order):
        return order.message_ids.filtered(lambda message: "catalogue" in (message.body or ""))


@tagged("post_install", "-at_install")
class TestLabourCatalogue(LabourCatalogueCase):
    """A labour line picks its operation from the catalogue: the maker's hours
    for the car's model at the category's rate, other hours or another price
    only with a reason, noted on the order."""

    def test_advisor_picks_an_operation_in_the_grid(self):
        order = self._received_order(lines=0)
        with Form(order.with_user(self.user_advisor)) as form:
            with form.line_ids.new() as line:
                line.line_type = "labour"
                line.labour_operation_id = self.oil_change
                self.assertEqual(line.name, "更换机油机滤", "the operation names the line")
                self.assertEqual(line.quantity, 0.6, "the maker's hours for the 迈腾, not the default 0.5")
                self.assertEqual(line.price_unit, 150, "the mechanical rate")
                self.assertFalse(line.is_price_overridden)
            with form.line_ids.new() as line:
                line.labour_operation_id = self.battery
                self.assertEqual(line.quantity, 0.3, "no hours for the 迈腾: the operation's own")
                self.assertEqual(line.price_unit, 180, "the electrical rate")
            with form.line_ids.new() as line:
                line.labour_operation_id = self.paint
                self.assertEqual(line.price_unit, 150, "no paint rate set: the labour rate")
        oil, battery, paint = order.line_ids.sorted("id")
        self.assertEqual((oil.quantity, oil.price_unit, oil.price_subtotal), (0.6, 150, 90))
        self.assertEqual((oil.catalogue_hours, oil.catalogue_price_unit), (0.6, 150))
        self.assertEqual((battery.labour_operation_id, battery.price_subtotal), (self.battery, 54))
        self.assertEqual(paint.price_subtotal, 300)
        self.assertFalse(self._notes(order), "nothing overridden, nothing noted")
        self.assertEqual(order.amount_untaxed, 444)

    def test_hours_follow_the_car_model(self):
        camry_owner = self.env["res.partner"].create({"name": "王芳", "mobile": "13900139001",
                                                      "is_autorepair_customer": True})
        camry = self.env["fleet.vehicle"].create({
            "model_id": self.camry.id, "license_plate": "川A88888", "vin_sn": make_vin("LVGBE40K8RG00001"),
            "owner_id": camry_owner.id,
        })
        time = self.env["autorepair.labour.time"].create({"operation_id": self.oil_change.id,
                                                          "model_id": self.camry.id, "hours": 0.4})
        self.assertIn("更换机油机滤 · ", time.display_name, "named in the staff's words, not by its model")
        self.assertIn("凯美瑞", time.display_name)
        line = self._labour(self._order(vehicle_id=camry.id), self.oil_change)
        self.assertEqual((line.quantity, line.price_unit), (0.4, 150))
        # the catalogue's method, for a caller without a line yet (a maintenance package)
        Line = self.env["autorepair.service.order.line"]
        self.assertEqual(Line._autorepair_catalogue_price(self.oil_change, self.car_model, self.env.company),
                         {"quantity": 0.6, "price_unit": 150})
        self.assertEqual(Line._autorepair_catalogue_price(self.battery, self.camry, self.env.company),
                         {"quantity": 0.3, "price_unit": 180})
        self.assertEqual(Line._autorepair_catalogue_price(Line.labour_operation_id, self.camry, self.env.company),
                         {"price_unit": 150}, "labour outside the catalogue: the labour rate only")

    def test_override_needs_a_reason(self):
        order = self._received_order(lines=0)
        line = self._labour(order, self.oil_change)
        form = Form(order.with_user(self.user_advisor))
        with self.assertRaises(AssertionError, msg="the grid asks for the reason before the row is left"):
            with form.line_ids.edit(0) as row:
                row.price_unit = 180
                self.assertTrue(row.is_price_overridden)
        with Form(order.with_user(self.user_advisor)) as form:
            with form.line_ids.edit(0) as row:
                row.price_unit = 180
                row.price_override_reason = "老客户，按原工时单价"
        self.assertEqual((line.price_unit, line.price_override_reason), (180, "老客户，按原工时单价"))
        [note] = self._notes(order)
        self.assertIn("老客户，按原工时单价", note.body)
        self.assertIn("0.6 h", note.body)

        # the server refuses it from any caller: other hours, another price, or a reason taken away
        for vals in ({"quantity": 1.0, "price_unit": 150, "price_override_reason": False},
                     {"price_override_reason": " "}):
            with self.assertRaises(ValidationError) as refusal:
                line.with_user(self.user_advisor).write(vals)
            self.assertIn("更换机油机滤", str(refusal.exception), "the message names the line")
        with self.assertRaises(ValidationError):
            self._labour(order, self.battery, price_unit=100)
        self.assertEqual(len(order.line_ids), 1)
        # hours differing from the maker's, with a reason: kept and noted
        line.with_user(self.user_advisor).write({"quantity": 1.0, "price_override_reason": "加装油底壳护板后拆装费时"})
        self.assertEqual((line.quantity, line.price_unit), (1.0, 180))
        self.assertEqual(len(self._notes(order)), 2)
        # back to the catalogue: no override, no reason needed
        line.with_user(self.user_advisor).write({"quantity": 0.6, "price_unit": 150, "price_override_reason": False})
        self.assertFalse(line.is_price_overridden)
        self.assertEqual(len(self._notes(order)), 2)

    def test_quoted_line_keeps_its_operation_and_reason(self):
        order = self._received_order(lines=0)
        line = self._labour(order, self.oil_change, price_unit=120, price_override_reason="会员八折")
        self._approve_all(order)
        for vals in ({"labour_operation_id": self.battery.id}, {"price_override_reason": "改"},
                     {"labour_operation_id": False}):
            with self.assertRaises(UserError):
                line.with_user(self.user_advisor).write(vals)
        # a later change of the catalogue or the rates does not move what the customer signed for
        self.oil_change.time_ids.hours = 0.8
        self.env.company.autorepair_workshop_labour_rate = 200
        self.vehicle.model_id = self.camry
        self.env.flush_all()
        self.assertEqual((line.quantity, line.price_unit, line.catalogue_hours, line.catalogue_price_unit),
                         (0.6, 120, 0.6, 150))
        self.assertEqual(line.labour_operation_id, self.oil_change)

    def test_draft_line_repriced_with_the_car(self):
        order = self._received_order(lines=0)
        line = self._labour(order, self.oil_change)
        self.vehicle.model_id = self.camry
        self.assertEqual((line.quantity, line.catalogue_hours), (0.5, 0.5), "the 凯美瑞 has no hours: the default")

    def test_only_labour_lines_take_an_operation(self):
        order = self._received_order(lines=0)
        with self.assertRaises(ValidationError):
            self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
                "order_id": order.id, "line_type": "part", "name": "机油", "labour_operation_id": self.oil_change.id})
        line = self._labour(order, self.oil_change)
        with Form(line.with_user(self.user_advisor)) as form:
            form.line_type = "other"
        self.assertFalse(line.labour_operation_id, "a line that is no longer labour leaves the catalogue")

    def test_line_without_operation_at_the_labour_rate(self):
        order = self._received_order(lines=0)
        line = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "labour", "name": "检查异响", "quantity": 1.5})
        self.assertEqual(line.price_unit, 150, "the mechanical rate is the default rate")
        line.price_unit = 300
        self.assertFalse(line.is_price_overridden, "no catalogue, nothing to override")

    def test_catalogue_search_by_code(self):
        Operation = self.env["autorepair.labour.operation"].with_user(self.user_advisor)
        self.assertEqual(Operation.name_search("T-DG0"), [(self.battery.id, "[T-DG001] 更换蓄电池")])
        self.assertIn(self.oil_change.id, [row[0] for row in Operation.name_search("机油")])

    def test_only_managers_edit_the_catalogue(self):
        Operation = self.env["autorepair.labour.operation"]
        Time = self.env["autorepair.labour.time"]
        for user in (self.user_advisor, self.user_technician, self.user_team_lead, self.user_inspector,
                     self.user_storekeeper, self.user_care_agent):
            with self.subTest(user=user.login):
                self.assertEqual(self.oil_change.with_user(user).time_ids.hours, 0.6, "every role reads it")
                with self.assertRaises(AccessError):
                    self.oil_change.with_user(user).standard_hours = 2
                with self.assertRaises(AccessError):
                    Operation.with_user(user).create({"name": "私加工时", "category": "mechanical"})
                with self.assertRaises(AccessError):
                    self.oil_change.time_ids.with_user(user).hours = 3
                with self.assertRaises(AccessError):
                    Time.with_user(user).create({"operation_id": self.battery.id, "model_id": self.car_model.id,
                                                 "hours": 1})
                with self.assertRaises(AccessError):
                    self.paint.with_user(user).unlink()
        self.oil_change.with_user(self.user_manager).write({"standard_hours": 0.7, "time_ids": [
            (1, self.oil_change.time_ids.id, {"hours": 0.8})]})
        self.assertEqual((self.oil_change.standard_hours, self.oil_change.time_ids.hours), (0.7, 0.8))


@tagged("post_install", "-at_install")
class TestLabourRateSettings(CompanySettingsMixin, LabourCatalogueCase):
    """The rate of each labour category is each company's, in Settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_settings()

    def test_rates_per_company_in_settings(self):
        self.assert_saved_per_company(
            autorepair_workshop_labour_rate=170, autorepair_workshop_labour_rate_electrical=190,
            autorepair_workshop_labour_rate_body=175, autorepair_workshop_labour_rate_paint=220)
        self.assertEqual(self.company_2._autorepair_workshop_labour_rate("paint"), 220)
        self.assertEqual(self.company_1._autorepair_workshop_labour_rate("paint"), 150, "no paint rate: labour rate")
        self.assertEqual(self.company_1._autorepair_workshop_labour_rate("electrical"), 180)

    def test_negative_rate_refused(self):
        self.assert_refused(
            {"autorepair_workshop_labour_rate_electrical": -1},
            {"autorepair_workshop_labour_rate_body": -5},
            {"autorepair_workshop_labour_rate_paint": -0.5},
        )

    def test_settings_show_every_rate(self):
        form = self.settings_form(self.company_1)
        self.assertEqual((form.autorepair_workshop_labour_rate, form.autorepair_workshop_labour_rate_electrical,
                          form.autorepair_workshop_labour_rate_body, form.autorepair_workshop_labour_rate_paint),
                         (150, 180, 160, 0))


@tagged("post_install", "-at_install")
class TestLabourCatalogueRpc(RpcClientMixin, LabourCatalogueCase, HttpCase):
    """The catalogue and a quoted line's pricing kept by the server over
    JSON-RPC (and XML-RPC), the way the web client or a script sends it."""

    def _snapshot(self):
        self.env.invalidate_all()
        operations = self.env["autorepair.labour.operation"].with_context(active_test=False).search([])
        lines = self.env["autorepair.service.order.line"].search([("labour_operation_id", "!=", False)])
        return {
            "operations": operations.read(["name", "standard_hours", "category", "active"]),
            "times": operations.time_ids.read(["model_id", "hours"]),
            "lines": lines.read(["quantity", "price_unit", "price_override_reason", "labour_operation_id"]),
        }

    def test_only_managers_edit_the_catalogue(self):
        op = "autorepair.labour.operation"
        for user in (self.user_advisor, self.user_technician, self.user_storekeeper):
            with self.subTest(user=user.login):
                self._assert_rpc_refused(user, op, "write", [self.oil_change.id], {"standard_hours": 3}, xmlrpc=True)
                self._assert_rpc_refused(user, op, "create", [{"name": "私加工时", "category": "paint"}])
                self._assert_rpc_refused(user, op, "unlink", [self.paint.id])
                self._assert_rpc_refused(user, "autorepair.labour.time", "write", self.oil_change.time_ids.ids,
                                         {"hours": 5})
                self._assert_rpc_refused(user, "autorepair.labour.time", "create", [{
                    "operation_id": self.battery.id, "model_id": self.car_model.id, "hours": 1}])
                rows = self._jsonrpc_ok(user, op, "search_read", [("code", "=", "T-JX001")], ["standard_hours"])
                self.assertEqual(rows[0]["standard_hours"], 0.5, "they read it")
        self._jsonrpc_ok(self.user_manager, op, "write", [self.oil_change.id], {"standard_hours": 0.7})
        self.assertEqual(self.oil_change.standard_hours, 0.7)

    def test_override_without_reason_refused(self):
        order = self._received_order(lines=0)
        line = self._labour(order, self.oil_change)
        model = "autorepair.service.order.line"
        error = self._assert_rpc_refused(self.user_advisor, model, "write", [line.id], {"price_unit": 99},
                                         refusals=("odoo.exceptions.ValidationError",))
        self.assertIn("更换机油机滤", error["message"])
        self._assert_rpc_refused(self.user_advisor, model, "create", [{
            "order_id": order.id, "line_type": "labour", "labour_operation_id": self.battery.id, "quantity": 2}],
            refusals=("odoo.exceptions.ValidationError",))
        self._jsonrpc_ok(self.user_advisor, model, "write", [line.id], {"price_unit": 99,
                                                                        "price_override_reason": "返修免半价"})
        self.assertEqual(line.price_unit, 99)
        self._approve_all(order)
        self._assert_rpc_refused(self.user_advisor, model, "write", [line.id], {"price_override_reason": False})
        self._assert_rpc_refused(self.user_manager, model, "write", [line.id],
                                 {"labour_operation_id": self.battery.id})
