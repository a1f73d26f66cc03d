"""Maintenance packages (保养套餐): a package expands into its labour and
parts lines on the draft quote in one step, at the package price or at the
lines' prices; the package due for a car by km and months; who edits and who
applies them, in Python and over JSON-RPC."""

import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .common import ServiceOrderCase


class ServicePackageCase(ServiceOrderCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.autorepair_workshop_labour_rate = 150
        cls.oil_change = cls.env["autorepair.labour.operation"].create({
            "name": "更换机油机滤", "code": "T-JX001", "standard_hours": 0.5,
            "time_ids": [Command.create({"model_id": cls.car_model.id, "hours": 0.6})],
        })
        category = cls.env.ref("autorepair_workshop.product_category_parts")
        cls.oil = cls.env["product.product"].create({
            "name": "大众原厂机油 0W-20 (1升)", "default_code": "T-G052577M4", "is_storable": True, "is_oem": True,
            "categ_id": category.id, "list_price": 98, "standard_price": 55,
        })
        cls.oil_filter = cls.env["product.product"].create({
            "name": "机油滤清器 (EA888)", "default_code": "T-06L115562B", "is_storable": True, "is_oem": True,
            "categ_id": category.id, "list_price": 68, "standard_price": 38,
        })
        cls.small = cls._package("迈腾 10,000公里 小保养", 10000, 6, price=588, lines=[
            {"line_type": "labour", "labour_operation_id": cls.oil_change.id},
            {"line_type": "part", "product_id": cls.oil.id, "quantity": 5},
            {"line_type": "part", "product_id": cls.oil_filter.id},
        ])
        cls.big = cls._package("迈腾 20,000公里 大保养", 20000, 12, price=888, lines=[
            {"line_type": "labour", "labour_operation_id": cls.oil_change.id},
            {"line_type": "part", "product_id": cls.oil.id, "quantity": 5},
        ])
        # the dealer's own packages only: the demo's would compete for the car
        cls.env["autorepair.service.package"].search([("id", "not in", (cls.small | cls.big).ids)]).active = False

    @classmethod
    def _package(cls, name, km, months, price=0.0, lines=(), **vals):
        return cls.env["autorepair.service.package"].create({
            "name": name, "model_ids": [Command.set(cls.car_model.ids)], "interval_km": km,
            "interval_months": months, "pricing": "package" if price else "lines", "price": price,
            "line_ids": [Command.create(line) for line in lines], **vals,
        })

    def _apply(self, order, package, user=None):
        wizard = Form(self.env["autorepair.service.package.wizard"].with_user(user or self.user_advisor).with_context(
            default_order_id=order.id))
        wizard.package_id = package
        wizard.save().action_apply()
        return order.line_ids.filtered(lambda line: line.package_id == package)


@tagged("post_install", "-at_install")
class TestServicePackage(ServicePackageCase):

    def test_expand_at_package_price(self):
        """The 10,000 km package on a draft quote: the catalogue's hours for
        the car, the parts with their numbers, priced to the package price."""
        order = self._received_order(lines=0, need_type="periodic_maintenance")
        lines = self._apply(order, self.small)
        self.assertEqual(len(lines), 3)
        labour, oil, oil_filter = lines.sorted("id")
        self.assertEqual((labour.line_type, labour.labour_operation_id, labour.name, labour.quantity),
                         ("labour", self.oil_change, "更换机油机滤", 0.6), "the maker's hours for the 迈腾")
        self.assertEqual((oil.line_type, oil.product_id, oil.quantity, oil.part_number, oil.is_oem),
                         ("part", self.oil, 5, "T-G052577M4", True))
        self.assertEqual((oil_filter.product_id, oil_filter.quantity), (self.oil_filter, 1))
        # catalogue 0.6 h x 150 + 5 x 98 + 68 = 648, scaled to 588; the remainder on the filter
        self.assertEqual(labour.price_unit, 136.11)
        self.assertEqual(oil.price_unit, 88.93)
        self.assertAlmostEqual(oil_filter.price_unit, 588 - 81.67 - 444.65)
        self.assertAlmostEqual(order.amount_untaxed, 588.0)
        self.assertAlmostEqual(sum(line.price_subtotal for line in lines), 588.0)
        # on the draft quote, awaiting the customer's decision, marked as the package's
        self.assertEqual(lines.quote_id, order.quote_ids.filtered(lambda q: q.state == "draft"))
        self.assertEqual(set(lines.mapped("decision")), {"pending"})
        self.assertIn("迈腾 10,000公里 小保养", order.message_ids[0].body)
        # the customer signs the package like any quote: the approved amount is the package's, tax included
        self._approve_all(order)
        self.assertAlmostEqual(order.approved_amount, order.amount_total)
        self.assertAlmostEqual(order.amount_untaxed, 588.0)

    def test_expand_at_line_prices(self):
        self.small.write({"pricing": "lines", "price": 0})
        order = self._received_order(lines=0)
        labour, oil, oil_filter = self._apply(order, self.small).sorted("id")
        self.assertEqual((labour.quantity, labour.price_unit), (0.6, 150.0))
        self.assertEqual((oil.price_unit, oil_filter.price_unit), (98.0, 68.0))
        self.assertAlmostEqual(order.amount_untaxed, 648.0)

    def test_package_is_the_car_models(self):
        """A package of another model is refused; one of the brand (no model) fits."""
        other_model = self.env["fleet.vehicle.model"].create({"name": "朗逸", "brand_id": self.car_model.brand_id.id})
        other = self._package("朗逸 小保养", 10000, 6, price=400, lines=[
            {"line_type": "labour", "labour_operation_id": self.oil_change.id}],
            model_ids=[Command.set(other_model.ids)])
        order = self._received_order(lines=0)
        with self.assertRaises(UserError):
            order.with_user(self.user_advisor)._autorepair_add_package(other)
        other.write({"model_ids": [Command.clear()], "brand_id": self.car_model.brand_id.id})
        self.assertEqual(len(order.with_user(self.user_advisor)._autorepair_add_package(other)), 1)

    def test_package_needs_lines_and_price(self):
        with self.assertRaises(ValidationError):
            self._package("无价套餐", 10000, 6, pricing="package")
        with self.assertRaises(ValidationError):
            self._package("无间隔套餐", 0, 0, price=100)
        empty = self._package("空套餐", 10000, 6, price=100)
        with self.assertRaises(UserError):
            self._received_order(lines=0).with_user(self.user_advisor)._autorepair_add_package(empty)

    def test_package_lines_frozen_once_quoted(self):
        order = self._received_order(lines=0)
        lines = self._apply(order, self.small)
        order.action_send_quote()
        with self.assertRaises(UserError):
            lines[0].with_user(self.user_advisor).package_id = False

    def test_package_due_by_km(self):
        """A car at 20,000 km without a service here is due for the major
        service; after that service (at 21,000 km) the minor one at 30,000."""
        today = datetime.date(2026, 1, 15)
        self.assertEqual(self.vehicle._autorepair_package_due(today=today), self.big)
        self.assertEqual(self.vehicle._autorepair_package_due(odometer=9000, today=today), self.small)
        order = self._received_order(need_type="periodic_maintenance")
        self.assertEqual(order.package_due_id, self.big, "due at the odometer read at reception")
        self._approve_all(order)
        self._work_and_check(order)
        self._deliver(order)
        self.assertEqual(self.vehicle._autorepair_package_due(today=today), self.small)
        self.assertEqual(self._order().package_due_id, self.small)

    def test_package_due_by_months(self):
        """A car that drives little is due by months: the minor service at 18
        months since delivery, the major one at 24."""
        vehicle = self.env["fleet.vehicle"].create({
            "model_id": self.car_model.id, "license_plate": "川A66666", "owner_id": self.customer.id,
            "delivery_date": "2025-06-01",
            "odometer_ids": [Command.create({"value": 3000, "date": "2025-12-01"})],
        })
        self.assertEqual(vehicle._autorepair_package_due(today=datetime.date(2026, 11, 20)), self.small)
        self.assertEqual(vehicle._autorepair_package_due(today=datetime.date(2027, 5, 20)), self.big)

    def test_access_managers_edit_advisors_apply(self):
        for user in (self.user_advisor, self.user_technician, self.user_care_agent):
            self.assertEqual(self.small.with_user(user).name, "迈腾 10,000公里 小保养", "every role reads packages")
            with self.assertRaises(AccessError):
                self.small.with_user(user).write({"price": 1})
            with self.assertRaises(AccessError):
                self.env["autorepair.service.package"].with_user(user).create({
                    "name": "x", "interval_km": 5000, "pricing": "lines"})
            with self.assertRaises(AccessError):
                self.small.line_ids[0].with_user(user).quantity = 3
        self.small.with_user(self.user_manager).price = 598
        self.assertEqual(self.small.price, 598)
        order = self._received_order(lines=0)
        with self.assertRaises(AccessError):
            order.with_user(self.user_technician).action_open_package_wizard()
        with self.assertRaises(AccessError):
            order.with_user(self.user_technician)._autorepair_add_package(self.small)
        with self.assertRaises(AccessError):
            self._apply(order, self.small, user=self.user_technician)
        self.assertFalse(order.line_ids)
        self.assertEqual(len(self._apply(order, self.small, user=self.user_manager)), 3)

    def test_closed_order_takes_no_package(self):
        order = self._received_order(lines=1)
        order.with_user(self.user_advisor).action_cancel()
        with self.assertRaises(UserError):
            order.with_user(self.user_advisor)._autorepair_add_package(self.small)


@tagged("post_install", "-at_install")
class TestServicePackageRpc(ServicePackageCase, HttpCase, RpcClientMixin):

    def setUp(self):
        super().setUp()
        self.order = self._received_order(lines=0)

    def _snapshot(self):
        self.env.invalidate_all()
        return (self.small.sudo().read(["name", "price", "pricing", "interval_km", "active"]),
                self.small.sudo().line_ids.read(["quantity", "product_id"]),
                self.order.sudo().line_ids.ids,
                self.env["autorepair.service.package"].sudo().with_context(active_test=False).search_count([]))

    def test_rpc_only_managers_edit_packages(self):
        for user in (self.user_advisor, self.user_technician):
            self._assert_rpc_refused(user, "autorepair.service.package", "write", self.small.ids, {"price": 1},
                                     xmlrpc=True)
            self._assert_rpc_refused(user, "autorepair.service.package", "create",
                                     {"name": "x", "interval_km": 5000, "pricing": "lines"})
            self._assert_rpc_refused(user, "autorepair.service.package.line", "write", self.small.line_ids.ids,
                                     {"quantity": 9})
            self._assert_rpc_refused(user, "autorepair.service.package", "unlink", self.small.ids)
        self._jsonrpc_ok(self.user_manager, "autorepair.service.package", "write", self.small.ids, {"price": 598})
        self.assertEqual(self.small.price, 598)

    def test_rpc_advisor_applies_technician_refused(self):
        self._assert_rpc_refused(self.user_technician, "autorepair.service.order", "action_open_package_wizard",
                                 self.order.ids)
        self._assert_rpc_refused(self.user_technician, "autorepair.service.package.wizard", "create",
                                 {"order_id": self.order.id, "package_id": self.small.id})
        self._assert_rpc_refused(self.user_technician, "autorepair.service.order", "_autorepair_add_package",
                                 self.order.ids, self.small.id)
        action = self._jsonrpc_ok(self.user_advisor, "autorepair.service.order", "action_open_package_wizard",
                                  self.order.ids)
        self.assertEqual(action["res_model"], "autorepair.service.package.wizard")
        wizard_id = self._jsonrpc_ok(self.user_advisor, "autorepair.service.package.wizard", "create",
                                     {"order_id": self.order.id, "package_id": self.small.id})
        self._jsonrpc_ok(self.user_advisor, "autorepair.service.package.wizard", "action_apply", [wizard_id])
        self.env.invalidate_all()
        self.assertEqual(len(self.order.line_ids), 3)
        self.assertAlmostEqual(self.order.amount_untaxed, 588.0)
