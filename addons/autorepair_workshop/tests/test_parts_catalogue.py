from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, add_role_users

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestPartsCatalogue(ServiceOrderCase, RpcClientMixin, HttpCase):
    """The parts catalogue at the advisor's desk: a part is found by a
    fragment of its number or name, the parts that fit the order's car first;
    the line takes the part's number, OEM mark and price, offers its
    aftermarket equivalent as the alternative and shows the stock of the
    workshop's parts store. The storekeeper and the manager keep the
    catalogue; the technician only reads it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "pc", {"storekeeper": "autorepair_workshop.group_storekeeper"})
        cls.parts = cls.env.ref("autorepair_workshop.product_category_parts")
        cls.vehicle.model_year = "2021"
        brand = cls.car_model.brand_id
        cls.camry = cls.env["fleet.vehicle.model"].create({
            "name": "凯美瑞", "brand_id": cls.env["fleet.vehicle.model.brand"].create({"name": "广汽丰田"}).id})
        Product = cls.env["product.product"]
        part = {"is_storable": True, "type": "consu", "categ_id": cls.parts.id, "taxes_id": [cls.tax.id]}
        cls.oem_filter = Product.create({
            **part, "name": "机油滤清器 (测试EA888)", "default_code": "06L115466", "is_oem": True,
            "list_price": 68.0, "standard_price": 38.0,
            "fitment_ids": [(0, 0, {"model_id": cls.car_model.id, "year_from": 2017})],
        })
        cls.mann_filter = Product.create({
            **part, "name": "机油滤清器 曼牌 (测试EA888)", "default_code": "HU7020Z", "list_price": 45.0,
            "standard_price": 22.0, "oem_part_id": cls.oem_filter.product_tmpl_id.id,
            "fitment_ids": [(0, 0, {"model_id": cls.car_model.id, "year_from": 2017})],
        })
        cls.camry_filter = Product.create({
            **part, "name": "机油滤清器 (测试凯美瑞)", "default_code": "04152-YZZA6X", "is_oem": True,
            "list_price": 58.0, "fitment_ids": [(0, 0, {"model_id": cls.camry.id})],
        })
        # the old Magotan's pads: the car on the desk is a 2021
        cls.old_pads = Product.create({
            **part, "name": "前刹车片 (测试旧款迈腾)", "default_code": "3C0698151", "is_oem": True,
            "list_price": 420.0,
            "fitment_ids": [(0, 0, {"model_id": cls.car_model.id, "year_from": 2011, "year_to": 2016})],
        })
        # the maker's oil fits every car of the brand
        cls.oil = Product.create({
            **part, "name": "原厂机油 (测试)", "default_code": "G052577T", "is_oem": True, "list_price": 98.0,
            "fitment_ids": [(0, 0, {"brand_id": brand.id})],
        })
        company = cls.env.company
        cls.store = company.autorepair_parts_picking_type_id.default_location_src_id
        cls.env["stock.quant"]._update_available_quantity(cls.oem_filter, cls.store, 10)
        # another order already holds 3 of them: the forecast says 7
        move = cls.env["stock.move"].create({
            "name": "06L115466", "product_id": cls.oem_filter.id, "product_uom_qty": 3,
            "product_uom": cls.oem_filter.uom_id.id, "location_id": cls.store.id,
            "location_dest_id": company.autorepair_consumption_location_id.id, "company_id": company.id,
        })
        move._action_confirm()

    def _pick(self, fragment, user=None, **context):
        Product = self.env["product.product"].with_user(user or self.user_advisor)
        return Product.with_context(autorepair_vehicle_id=self.vehicle.id, **context).name_search(fragment, limit=8)

    def _snapshot(self):
        products = (self.oem_filter | self.env.ref("autorepair_workshop.product_labour")).sudo()
        return [(product.name, product.list_price, len(product.fitment_ids)) for product in products]

    # ---------------------------------------------------------------- picking

    def test_advisor_picks_the_part_on_the_quote(self):
        """By a fragment of the number, at the desk: the line takes the number,
        the OEM mark, the price and the equivalent as the alternative."""
        order = self._received_order(lines=0)
        picked = self._pick("115466")
        self.assertEqual(picked[0][0], self.oem_filter.id)
        self.assertIn("06L115466", picked[0][1])
        with Form(order.with_user(self.user_advisor)) as form:
            with form.line_ids.new() as line:
                line.line_type = "part"
                line.product_id = self.env["product.product"].browse(picked[0][0])
                self.assertEqual(line.name, "机油滤清器 (测试EA888)")
                self.assertEqual(line.part_number, "06L115466")
                self.assertTrue(line.is_oem)
                self.assertEqual(line.price_unit, 68.0)
                self.assertEqual(line.qty_available, 10.0)
                self.assertEqual(line.virtual_available, 7.0)
                line.quantity = 2
        line = order.line_ids
        self.assertRecordValues(line, [{
            "product_id": self.oem_filter.id, "part_number": "06L115466", "is_oem": True, "price_unit": 68.0,
            "alt_type": "aftermarket", "alt_product_id": self.mann_filter.id, "alt_price_unit": 45.0,
            "qty_available": 10.0, "virtual_available": 7.0,
        }])
        self.assertIn("HU7020Z", line.alt_description)
        self.assertTrue(line.risk_note)
        self.assertEqual(line.alt_difference, 46.0)
        # the customer takes the Mann filter: he pays its price
        self._approve_all(order, **{line.name: "alternative"})
        self.assertEqual(line.decision, "alternative")
        self.assertEqual(line._effective_price_unit(), 45.0)

    def test_other_part_picked_drops_the_offer(self):
        order = self._received_order(lines=0)
        line = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "part", "product_id": self.oem_filter.id, "quantity": 1})
        self.assertEqual(line.alt_product_id, self.mann_filter)
        with Form(line, view="autorepair_workshop.autorepair_service_order_line_view_form") as form:
            form.product_id = self.oil
            self.assertFalse(form.alt_type)
            self.assertFalse(form.alt_product_id)
            self.assertEqual(form.part_number, "G052577T")
            self.assertEqual(form.name, "原厂机油 (测试)")
            self.assertEqual(form.price_unit, 98.0)
        self.assertRecordValues(line, [{"alt_type": False, "alt_description": False, "alt_price_unit": 0.0,
                                        "risk_note": False, "qty_available": 0.0}])

    def test_the_generic_part_keeps_what_is_typed(self):
        """A part not in the catalogue is still quoted on the generic part with its number typed."""
        order = self._received_order(lines=0)
        line = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "part", "name": "雨刮片", "part_number": "3G1998002",
            "quantity": 1, "price_unit": 150.0})
        self.assertRecordValues(line, [{"product_id": self.env.ref("autorepair_workshop.product_part").id,
                                        "name": "雨刮片", "part_number": "3G1998002", "is_oem": False,
                                        "price_unit": 150.0, "alt_type": False}])

    def test_fitting_parts_come_first(self):
        """By name, for the Magotan of 2021: its filters before the Camry's; the
        old Magotan's pads do not fit a 2021; the brand's oil fits every model."""
        ids = [product_id for product_id, _name in self._pick("机油滤清器")]
        self.assertEqual(set(ids[:2]), {self.oem_filter.id, self.mann_filter.id})
        self.assertIn(self.camry_filter.id, ids[2:])
        fitting = [product_id for product_id, _name in self._pick("测试", autorepair_fitting_only=True)]
        self.assertEqual(set(fitting), {self.oem_filter.id, self.mann_filter.id, self.oil.id})
        self.assertNotIn(self.old_pads.id, fitting)
        # the same car of 2015 takes the old pads
        self.vehicle.model_year = "2015"
        fitting = [product_id for product_id, _name in self._pick("测试", autorepair_fitting_only=True)]
        self.assertIn(self.old_pads.id, fitting)
        self.assertNotIn(self.oem_filter.id, fitting)
        # without a car: Odoo's own search
        plain = self.env["product.product"].with_user(self.user_advisor).name_search("04152-YZZA6X")
        self.assertEqual([product_id for product_id, _name in plain], [self.camry_filter.id])

    def test_picking_over_jsonrpc(self):
        """The call the quote line's part field makes in the browser."""
        result = self._jsonrpc_ok(
            self.user_advisor, "product.product", "name_search", name="115466", args=[], operator="ilike",
            limit=8, context={"autorepair_vehicle_id": self.vehicle.id})
        self.assertEqual(result[0][0], self.oem_filter.id)
        result = self._jsonrpc_ok(
            self.user_advisor, "product.product", "name_search", name="机油滤清器", args=[],
            operator="ilike", limit=8, context={"autorepair_vehicle_id": self.vehicle.id})
        self.assertEqual({row[0] for row in result[:2]}, {self.oem_filter.id, self.mann_filter.id})
        self.assertIn(self.camry_filter.id, [row[0] for row in result[2:]])
        # the whole number, scanned: that part first, fitting or not
        result = self._jsonrpc_ok(
            self.user_advisor, "product.product", "name_search", name="04152-YZZA6X", args=[], limit=8,
            context={"autorepair_vehicle_id": self.vehicle.id})
        self.assertEqual(result[0][0], self.camry_filter.id)
        # the technician reads the catalogue too
        result = self._jsonrpc_ok(
            self.user_technician, "product.product", "name_search", name="HU7020", args=[], limit=8,
            context={"autorepair_vehicle_id": self.vehicle.id})
        self.assertEqual(result[0][0], self.mann_filter.id)

    # -------------------------------------------------------------- catalogue

    def test_fitment_and_equivalent_rules(self):
        other_brand_model = self.camry
        with self.assertRaises(ValidationError):
            self.env["autorepair.part.fitment"].create({
                "product_tmpl_id": self.oil.product_tmpl_id.id, "brand_id": self.car_model.brand_id.id,
                "model_id": other_brand_model.id})
        with self.assertRaises(ValidationError):
            self.oem_filter.fitment_ids.write({"year_from": 2022, "year_to": 2018})
        # an aftermarket part replaces an OEM part, not the other way round
        with self.assertRaises(ValidationError):
            self.camry_filter.oem_part_id = self.oem_filter.product_tmpl_id
        with self.assertRaises(ValidationError):
            self.mann_filter.oem_part_id = self.mann_filter.product_tmpl_id
        self.assertEqual(self.oem_filter.equivalent_ids, self.mann_filter.product_tmpl_id)
        # the model names its brand
        fitment = self.env["autorepair.part.fitment"].create({
            "product_tmpl_id": self.camry_filter.product_tmpl_id.id, "model_id": self.car_model.id})
        self.assertEqual(fitment.brand_id, self.car_model.brand_id)

    def test_storekeeper_and_manager_keep_the_catalogue(self):
        template = self.env["product.template"].with_user(self.user_storekeeper).create({
            "name": "火花塞 (测试)", "default_code": "06K905601X", "is_storable": True, "is_oem": True,
            "categ_id": self.parts.id, "list_price": 75.0,
            "fitment_ids": [(0, 0, {"model_id": self.car_model.id, "year_from": 2017})],
        })
        template.with_user(self.user_storekeeper).write({"list_price": 80.0})
        template.fitment_ids.with_user(self.user_storekeeper).write({"year_to": 2025})
        self.assertEqual(template.fitment_ids.year_to, 2025)
        self.oem_filter.with_user(self.user_manager).list_price = 70.0
        self.oem_filter.fitment_ids.with_user(self.user_manager).year_from = 2016
        # the storekeeper keeps parts, not the workshop's labour and charges
        labour = self.env.ref("autorepair_workshop.product_labour")
        with self.assertRaises(AccessError):
            labour.with_user(self.user_storekeeper).list_price = 1.0

    def test_technician_reads_but_does_not_edit_the_catalogue(self):
        filter_as_technician = self.oem_filter.with_user(self.user_technician)
        self.assertEqual(filter_as_technician.default_code, "06L115466")
        self.assertEqual(filter_as_technician.fitment_ids.model_id, self.car_model)
        self.assertEqual(filter_as_technician.equivalent_ids, self.mann_filter.product_tmpl_id)
        with self.assertRaises(AccessError):
            filter_as_technician.list_price = 1.0
        with self.assertRaises(AccessError):
            filter_as_technician.fitment_ids.year_from = 2000
        with self.assertRaises(AccessError):
            self.env["autorepair.part.fitment"].with_user(self.user_technician).create({
                "product_tmpl_id": self.oem_filter.product_tmpl_id.id, "model_id": self.camry.id})
        template = self.oem_filter.product_tmpl_id
        for user in (self.user_technician, self.user_advisor):
            self._assert_rpc_refused(user, "product.template", "write", [template.id], {"list_price": 1.0})
            self._assert_rpc_refused(user, "autorepair.part.fitment", "create", {
                "product_tmpl_id": template.id, "model_id": self.camry.id})
            self._assert_rpc_refused(user, "autorepair.part.fitment", "unlink", template.fitment_ids.ids)
        self._assert_rpc_refused(self.user_storekeeper, "product.template", "write",
                                 [self.env.ref("autorepair_workshop.product_labour").product_tmpl_id.id],
                                 {"name": "改"})

    # ------------------------------------------------------------ stock views

    def test_parts_stock_and_moves_of_the_workshop(self):
        action = self.env["stock.quant"].with_user(self.user_storekeeper)._autorepair_parts_stock_action()
        quants = self.env["stock.quant"].with_user(self.user_storekeeper).search(action["domain"])
        self.assertIn(self.oem_filter, quants.product_id)
        self.assertTrue(all(quant.location_id.parent_path.startswith(self.store.parent_path) for quant in quants))
        self.assertTrue(all(quant.product_id.categ_id == self.parts for quant in quants))
        action = self.env["stock.move"].with_user(self.user_storekeeper)._autorepair_parts_moves_action()
        moves = self.env["stock.move"].with_user(self.user_storekeeper).search(action["domain"])
        self.assertEqual(moves.product_id, self.oem_filter)
        self.assertEqual(moves.location_dest_id, self.env.company.autorepair_consumption_location_id)
