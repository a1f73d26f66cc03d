from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.autorepair_crm.tests.common import add_role_users

from .common import SIGNATURE, ServiceOrderCase


class PartsCase(ServiceOrderCase):
    """The workshop's parts store with the front brake pads of the 迈腾 (2
    on the shelf at 260 each) and its oil filters (10 at 38), and the
    storekeeper (仓管员) who hands them over."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "pi", {"storekeeper": "autorepair_workshop.group_storekeeper"})
        cls.company = cls.env.company
        cls.store = cls.company.autorepair_parts_picking_type_id.default_location_src_id
        cls.workshop = cls.company.autorepair_consumption_location_id
        category = cls.env.ref("autorepair_workshop.product_category_parts")
        cls.pads = cls._part("前刹车片", "3Q0698151A", 260.0, 2, category)
        cls.filter = cls._part("机油滤清器", "06L115562B", 38.0, 10, category)

    @classmethod
    def _part(cls, name, code, cost, on_hand, category):
        product = cls.env["product.product"].create({
            "name": name, "default_code": code, "is_storable": True, "categ_id": category.id,
            "standard_price": cost, "list_price": cost * 2, "taxes_id": [Command.set(cls.tax.ids)],
        })
        cls.env["stock.quant"].with_context(inventory_mode=True).create({
            "product_id": product.id, "location_id": cls.store.id, "inventory_quantity": on_hand,
        }).action_apply_inventory()
        return product

    def _part_order(self, parts=None, approve=True):
        """A received order with a labour line and a line per (product, quantity), quoted and approved."""
        order = self._received_order(lines=0)
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        Line.create({"order_id": order.id, "line_type": "labour", "name": "前刹车片更换", "quantity": 1.0,
                     "price_unit": 200.0, "technician_id": self.user_technician.id})
        for product, quantity in parts or [(self.pads, 2)]:
            Line.create({"order_id": order.id, "line_type": "part", "product_id": product.id,
                         "quantity": quantity})
        if approve:
            self._approve_all(order)
        return order

    def _part_line(self, order, product=None):
        return order.line_ids.filtered(lambda line: line.product_id == (product or self.pads))

    def _issue(self, order, quantities, user=None, mode="issue"):
        """The storekeeper's wizard: {product: (scanned number, quantity)}."""
        order = order.with_user(user or self.user_storekeeper)
        action = order.action_open_parts_issue() if mode == "issue" else order.action_open_parts_return()
        wizard = Form(self.env[action["res_model"]].with_user(user or self.user_storekeeper).with_context(
            **action["context"]))
        for index in range(len(wizard.line_ids)):
            with wizard.line_ids.edit(index) as row:
                product = row.product_id
                if product in quantities:
                    row.scanned_code, row.quantity = quantities[product]
        return wizard.save().action_confirm()

    def _on_hand(self, product):
        return product.with_context(location=self.store.id).qty_available


@tagged("post_install", "-at_install")
class TestPartsReservation(PartsCase):

    def test_approval_reserves_in_one_picking(self):
        order = self._part_order([(self.pads, 2), (self.filter, 1)])
        pads, oil = self._part_line(order), self._part_line(order, self.filter)
        picking = order.sudo().parts_picking_ids
        self.assertEqual(len(picking), 1, "one parts picking per order")
        self.assertEqual((picking.picking_type_id, picking.location_id, picking.location_dest_id),
                         (self.company.autorepair_parts_picking_type_id, self.store, self.workshop))
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(len(pads.sudo().move_ids), 1)
        self.assertEqual((pads.sudo().move_ids.product_uom_qty, pads.sudo().move_ids.state), (2, "assigned"))
        self.assertEqual((pads.qty_reserved, pads.qty_missing, pads.qty_issued, pads.qty_to_issue), (2, 0, 0, 2))
        self.assertEqual((oil.qty_reserved, oil.qty_missing), (1, 0))
        self.assertFalse(order.parts_missing)
        self.assertTrue(order.parts_to_issue)
        # the labour line and the generic part (not a stocked product) move nothing
        self.assertFalse(order.line_ids.filtered(lambda line: line.line_type == "labour").sudo().move_ids)

    def test_shortage_told_and_ordered(self):
        order = self._part_order([(self.pads, 3)])
        pads = self._part_line(order)
        self.assertEqual((pads.qty_reserved, pads.qty_missing), (2, 1))
        self.assertIn("3Q0698151A", order.parts_missing)
        note = order.sudo().message_ids.filtered(lambda m: "Missing parts" in (m.body or ""))[:1]
        self.assertIn("3Q0698151A", note.body)
        self.assertIn(order.advisor_id.partner_id, note.partner_ids, "the advisor is told")
        # only the storekeeper (or a manager) orders; Odoo's replenishment gets the missing quantity
        with self.assertRaises(AccessError):
            order.with_user(self.user_advisor).action_order_missing_parts()
        action = order.with_user(self.user_storekeeper).action_order_missing_parts()
        orderpoint = self.env["stock.warehouse.orderpoint"].search(action["domain"])
        self.assertEqual((orderpoint.product_id, orderpoint.location_id, orderpoint.trigger, orderpoint.qty_to_order),
                         (self.pads, self.store, "manual", 1))

    def test_appointment_reserves_ahead_and_decline_releases(self):
        booked = self._order(appointment_start="2030-05-01 02:00:00")
        line = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": booked.id, "line_type": "part", "product_id": self.pads.id, "quantity": 1})
        self.assertEqual((line.decision, line.qty_reserved), ("pending", 1), "reserved for the booked car")
        booked.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 21000})
        booked.action_receive()
        self.assertEqual(line.qty_reserved, 1, "still held while the customer decides")
        booked.action_send_quote()
        quote = booked.quote_ids.filtered(lambda q: q.state == "sent")
        quote.with_user(self.user_advisor).action_decline_all(signature=SIGNATURE, signed_by="张伟")
        self.assertEqual(booked.state, "cancel")
        self.assertEqual(line.sudo().move_ids.mapped("state"), ["cancel"])
        self.assertEqual(line.qty_reserved, 0)

    def test_booking_changed_or_deleted_releases(self):
        booked = self._order(appointment_start="2030-05-01 02:00:00")
        line = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": booked.id, "line_type": "part", "product_id": self.pads.id, "quantity": 2})
        self.assertEqual(line.qty_reserved, 2)
        line.with_user(self.user_advisor).quantity = 1
        self.assertEqual((line.qty_reserved, self.pads.with_context(location=self.store.id).free_qty), (1, 1))
        moves = line.sudo().move_ids
        booked.with_user(self.user_manager).unlink()
        self.assertEqual(set(moves.mapped("state")), {"cancel"})
        self.assertEqual(self.pads.with_context(location=self.store.id).free_qty, 2)

    def test_deferred_line_and_cancelled_order_release(self):
        order = self._part_order([(self.pads, 1), (self.filter, 2)], approve=False)
        pads, oil = self._part_line(order), self._part_line(order, self.filter)
        self.assertFalse(order.sudo().parts_picking_ids, "nothing reserved before the customer approves")
        self._approve_all(order, **{oil.name: "deferred"})
        self.assertEqual((pads.qty_reserved, oil.qty_reserved), (1, 0))
        self.assertFalse(oil.sudo().move_ids)
        order.with_user(self.user_advisor).action_cancel()
        self.assertEqual(pads.sudo().move_ids.mapped("state"), ["cancel"])
        self.assertEqual(self.pads.with_context(location=self.store.id).free_qty, 2)


@tagged("post_install", "-at_install")
class TestPartsIssue(PartsCase):

    def _layers(self, product):
        return self.env["stock.valuation.layer"].search([("product_id", "=", product.id)], order="id")

    def test_issue_partially_then_return_with_valuation(self):
        order = self._part_order([(self.pads, 2)])
        pads = self._part_line(order)
        layers_before = self._layers(self.pads)
        self._issue(order, {self.pads: ("3Q0 698 151 A", 1)})
        self.assertEqual((pads.qty_issued, pads.qty_to_issue, pads.qty_reserved), (1, 1, 1),
                         "the rest stays reserved")
        done = pads.sudo().move_ids.filtered(lambda move: move.state == "done")
        self.assertEqual(done.location_dest_id, self.workshop)
        self.assertEqual(len(order.sudo().parts_picking_ids), 2, "the rest in Odoo's backorder")
        self.assertEqual(self._on_hand(self.pads), 1)
        # valued at the part's average cost: stock valuation credited, cost of goods sold debited
        layer = self._layers(self.pads) - layers_before
        self.assertEqual((layer.quantity, layer.value), (-1, -260))
        accounts = self.pads.product_tmpl_id.get_product_accounts()
        # the workshop consumption location books what it takes in to the cost of goods sold
        cogs = self.env.company.autorepair_consumption_location_id.valuation_in_account_id
        self.assertTrue(cogs)
        lines = layer.account_move_id.line_ids
        self.assertEqual(lines.filtered(lambda line: line.account_id == accounts["stock_valuation"]).credit, 260)
        self.assertEqual(lines.filtered(lambda line: line.account_id == cogs).debit, 260)
        # the rest, then one back unused: returned at the cost it was issued at
        self._issue(order, {self.pads: ("3Q0698151A", 1)})
        self.assertEqual((pads.qty_issued, pads.qty_to_issue), (2, 0))
        self.assertFalse(order.parts_to_issue)
        layers_before = self._layers(self.pads)
        self._issue(order, {self.pads: ("3q0698151a", 1)}, mode="return")
        self.assertEqual((pads.qty_issued, pads.qty_to_issue), (1, 1))
        back = pads.sudo().move_ids.filtered(lambda move: move.location_id == self.workshop)
        self.assertEqual((back.state, back.location_dest_id), ("done", self.store))
        self.assertTrue(back.origin_returned_move_id)
        layer = self._layers(self.pads) - layers_before
        self.assertEqual((layer.quantity, layer.value), (1, 260))
        lines = layer.account_move_id.line_ids
        self.assertEqual(lines.filtered(lambda line: line.account_id == accounts["stock_valuation"]).debit, 260)
        self.assertEqual(lines.filtered(lambda line: line.account_id == cogs).credit, 260)
        self.assertEqual(self._on_hand(self.pads), 1)

    def test_wrong_number_and_over_issue_refused(self):
        order = self._part_order([(self.pads, 2)])
        pads = self._part_line(order)
        with self.assertRaisesRegex(UserError, "does not match"):
            self._issue(order, {self.pads: ("06L115562B", 1)})
        with self.assertRaisesRegex(UserError, "does not match"):
            self._issue(order, {self.pads: ("", 1)})
        with self.assertRaisesRegex(UserError, "supplementary quote"):
            self._issue(order, {self.pads: ("3Q0698151A", 3)})
        self.assertEqual((pads.qty_issued, self._on_hand(self.pads)), (0, 2), "nothing moved")
        self._issue(order, {self.pads: ("3Q0698151A", 1)})
        with self.assertRaisesRegex(UserError, "only 1 were issued"):
            self._issue(order, {self.pads: ("3Q0698151A", 2)}, mode="return")
        self.assertEqual((pads.qty_issued, self._on_hand(self.pads)), (1, 1))

    def test_shortage_issues_what_is_there(self):
        order = self._part_order([(self.pads, 3)])
        pads = self._part_line(order)
        with self.assertRaisesRegex(UserError, "only 2"):
            self._issue(order, {self.pads: ("3Q0698151A", 3)})
        self._issue(order, {self.pads: ("3Q0698151A", 2)})
        self.assertEqual((pads.qty_issued, pads.qty_to_issue, pads.qty_missing), (2, 1, 1))

    def test_final_check_refused_until_issued(self):
        order = self._part_order([(self.pads, 2)])
        self._work(order)
        Check = self.env["autorepair.quality.check"]
        Check.with_user(self.user_technician).create({"order_id": order.id, "check_type": "self", "result": "pass"})
        Check.with_user(self.user_team_lead).create({"order_id": order.id, "check_type": "peer", "result": "pass"})
        with self.assertRaisesRegex(UserError, "3Q0698151A"):
            Check.with_user(self.user_inspector).create(
                {"order_id": order.id, "check_type": "final", "result": "pass", "road_test_km": 5})
        self._issue(order, {self.pads: ("3Q0698151A", 2)})
        Check.with_user(self.user_inspector).create(
            {"order_id": order.id, "check_type": "final", "result": "pass", "road_test_km": 5})
        self.assertEqual(order.state, "ready")

    def test_cancel_refused_until_returned(self):
        order = self._part_order([(self.pads, 1)])
        self._issue(order, {self.pads: ("3Q0698151A", 1)})
        with self.assertRaisesRegex(UserError, "takes them back"):
            order.with_user(self.user_advisor).action_cancel()
        self._issue(order, {self.pads: ("3Q0698151A", 1)}, mode="return")
        order.with_user(self.user_advisor).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(self._on_hand(self.pads), 2)

    def test_supplementary_quote_reserves_in_a_new_picking(self):
        order = self._part_order([(self.pads, 1)])
        self._issue(order, {self.pads: ("3Q0698151A", 1)})
        first = order.sudo().parts_picking_ids
        self.assertEqual(first.state, "done")
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "part", "product_id": self.filter.id, "quantity": 1})
        self._approve_all(order)
        self.assertEqual(len(order.sudo().parts_picking_ids - first), 1)
        self.assertEqual(self._part_line(order, self.filter).qty_reserved, 1)

    def test_only_the_storekeeper_issues(self):
        order = self._part_order([(self.pads, 2)])
        pads = self._part_line(order)
        Line = self.env["autorepair.service.order.line"]
        for user in (self.user_advisor, self.user_technician):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    order.with_user(user).action_open_parts_issue()
                with self.assertRaises(AccessError):
                    Line.with_user(user)._autorepair_issue_parts({pads: 1})
                with self.assertRaises(AccessError):
                    self.env["autorepair.parts.issue.wizard"].with_user(user).create({"order_id": order.id})
        self.assertEqual(pads.qty_issued, 0)
        # the service manager may stand in for the storekeeper
        self._issue(order, {self.pads: ("3Q0698151A", 2)}, user=self.user_manager)
        self.assertEqual(pads.qty_issued, 2)

    def test_batch_issue(self):
        orders = self.env["autorepair.service.order"]
        for _i in range(3):
            orders |= self._part_order([(self.filter, 2)])
        lines = orders.line_ids.filtered(lambda line: line.product_id == self.filter)
        moves = self.env["autorepair.service.order.line"].with_user(self.user_storekeeper)._autorepair_issue_parts(
            {line: line.qty_to_issue for line in lines})
        self.assertEqual(len(moves), 3)
        self.assertEqual(lines.mapped("qty_issued"), [2, 2, 2])
        self.assertEqual(self._on_hand(self.filter), 4)
