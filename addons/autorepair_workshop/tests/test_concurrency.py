import time
from functools import partial

from psycopg2.errors import SerializationFailure

from odoo import Command
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import CommittedCase, make_vin

from .common import SIGNATURE

WAIT = 0.5  # seconds a blocked transaction is left waiting before the other one commits


class ErrorCode:
    """Equal to any exception of the given class: a join() outcome compared in one assertion."""

    def __init__(self, cls):
        self.cls = cls

    def __eq__(self, other):
        return isinstance(other, self.cls)

    def __repr__(self):
        return self.cls.__name__


SERIALIZATION_FAILURE = ErrorCode(SerializationFailure)


class WorkshopConcurrencyCase(CommittedCase):
    """A car with its owner, an advisor and a storekeeper, committed: two
    transactions (the desk and the portal, two storekeepers) see them."""

    def setUp(self):
        super().setUp()
        with self.committed() as env:
            company = env.ref("base.main_company")
            users = {
                role: new_test_user(env, login=f"cc_{role}", groups=group, company_id=company.id,
                                    company_ids=[company.id], tz="Asia/Shanghai", notification_type="inbox")
                for role, group in (("advisor", "autorepair_workshop.group_advisor"),
                                    ("storekeeper", "autorepair_workshop.group_storekeeper"))
            }
            self.advisor_id, self.storekeeper_id = users["advisor"].id, users["storekeeper"].id
            brand = env["fleet.vehicle.model.brand"].create({"name": "一汽-大众 (并发)"})
            car_model = env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
            customer = env["res.partner"].create({"name": "张伟", "mobile": "13800138111",
                                                  "is_autorepair_customer": True})
            self.customer_id = customer.id
            self.vehicle_id = env["fleet.vehicle"].create({
                "model_id": car_model.id, "license_plate": "川A9C001", "vin_sn": make_vin("LFV2A2BHRC9C0001"),
                "owner_id": customer.id,
            }).id
            store = company._autorepair_parts_store()
            self.pads_id = env["product.product"].create({
                "name": "前刹车片", "default_code": "3Q0698151C", "is_storable": True, "standard_price": 260.0,
                "list_price": 520.0, "categ_id": env.ref("autorepair_workshop.product_category_parts").id,
            }).id
            env["stock.quant"].with_context(inventory_mode=True).create({
                "product_id": self.pads_id, "location_id": store.id, "inventory_quantity": 4,
            }).action_apply_inventory()

    def _quoted_order(self, parts=0):
        """A received order with a labour line (and a line of ``parts`` brake
        pads), its quote sent to the customer; committed. (order, quote) ids."""
        with self.committed(self.advisor_id) as env:
            order = env["autorepair.service.order"].create({"vehicle_id": self.vehicle_id, "need_type": "repair"})
            order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 21000})
            order.action_receive()
            Line = env["autorepair.service.order.line"]
            Line.create({"order_id": order.id, "line_type": "labour", "name": "前刹车片更换", "quantity": 1.0,
                         "price_unit": 200.0})
            if parts:
                Line.create({"order_id": order.id, "line_type": "part", "product_id": self.pads_id,
                             "quantity": parts})
            order.action_send_quote()
            return order.id, order.quote_ids.filtered(lambda q: q.state == "sent").id

    def _state(self, order_id, quote_id):
        with self.committed() as env:
            quote = env["autorepair.service.quote"].browse(quote_id)
            notes = env["mail.message"].search_count([
                ("model", "=", "autorepair.service.order"), ("res_id", "=", order_id),
                ("body", "ilike", "decided by")])
            return {"state": quote.state, "channel": quote.approval_channel, "signed_by": quote.signed_by,
                    "decisions": sorted(quote.line_ids.mapped("decision")), "notes": notes,
                    "order": quote.order_id.state}


@tagged("post_install", "-at_install")
class TestQuoteDecidedTwiceAtOnce(WorkshopConcurrencyCase):
    """The customer signs the quote on his phone while the advisor records
    his answer at the desk: one decision is kept, the other is refused with
    a message saying who decided, and nothing is recorded twice."""

    def _desk(self, env, quote_id):
        quote = env["autorepair.service.quote"].browse(quote_id)
        return quote.action_decide({line.id: "approved" for line in quote.line_ids}, SIGNATURE, "张伟 (前台)")

    def _portal(self, env, quote_id):
        # what the portal's route calls once it has checked the visitor: the model's method, as sudo
        quote = env["autorepair.service.quote"].sudo().browse(quote_id)
        return quote._record_decisions({line.id: "deferred" for line in quote.line_ids}, SIGNATURE,
                                       "张伟", "portal", decline_all=True)

    @mute_logger("odoo.service.model", "odoo.sql_db")
    def test_portal_waits_for_the_desk_then_is_refused(self):
        order_id, quote_id = self._quoted_order()
        desk = self.transaction(self.advisor_id)
        self._desk(desk, quote_id)
        portal = self.transaction()
        join = self.in_thread(partial(self._portal, portal, quote_id))
        time.sleep(WAIT)
        self.assertTrue(join.thread.is_alive(), "the portal's request waits for the desk's decision to end")
        desk.cr.commit()
        self.assertEqual(join(), ("error", SERIALIZATION_FAILURE))
        # what Odoo's RPC layer does with it: roll back and try again (here, since the test
        # runner's registry lock keeps the retry out of the thread)
        portal.cr.rollback()
        portal.reset()
        with self.assertRaises(UserError) as refused:
            retrying(partial(self._portal, portal, quote_id), portal)
        self.assertIn("already decided", refused.exception.args[0])
        self.assertIn("At the Desk", refused.exception.args[0])
        portal.cr.rollback()
        self.assertEqual(self._state(order_id, quote_id), {
            "state": "decided", "channel": "desk", "signed_by": "张伟 (前台)", "decisions": ["approved"],
            "notes": 1, "order": "approved"})

    @mute_logger("odoo.service.model", "odoo.sql_db")
    def test_desk_started_before_the_portal_committed_is_refused(self):
        """The advisor's request read the quote as awaiting (its snapshot)
        before the customer's signature was committed: PostgreSQL refuses
        the desk's write, Odoo's RPC layer retries it, and the retry sees
        the quote decided."""
        order_id, quote_id = self._quoted_order()
        desk = self.transaction(self.advisor_id)
        desk["autorepair.service.quote"].browse(quote_id).read(["state", "line_ids"])
        with self.committed() as portal:
            self._portal(portal, quote_id)
        with self.assertRaises(UserError) as refused:
            retrying(partial(self._desk, desk, quote_id), desk)
        self.assertIn("already decided", refused.exception.args[0])
        self.assertIn("Customer Portal", refused.exception.args[0])
        desk.cr.rollback()
        self.assertEqual(self._state(order_id, quote_id), {
            "state": "decided", "channel": "portal", "signed_by": "张伟", "decisions": ["deferred"],
            "notes": 1, "order": "cancel"})


@tagged("post_install", "-at_install")
class TestPartIssuedTwiceAtOnce(WorkshopConcurrencyCase):
    """Two storekeepers hand over the same approved brake pads at once (the
    order's wizard open on two counters): the store issues them once."""

    def _issue(self, env, order_id):
        order = env["autorepair.service.order"].browse(order_id)
        wizard = env["autorepair.parts.issue.wizard"].create({
            "order_id": order.id, "mode": "issue",
            # both counters typed the 2 approved pads into the wizard
            "line_ids": [Command.create({"order_line_id": line.id, "scanned_code": "3Q0698151C", "quantity": 2})
                         for line in order.line_ids.filtered(lambda line: line.line_type == "part")],
        })
        return wizard.action_confirm()

    def _stock(self, order_id):
        with self.committed() as env:
            line = env["autorepair.service.order"].browse(order_id).line_ids.filtered(lambda li: li.line_type == "part")
            moves = env["stock.move"].search([("product_id", "=", self.pads_id), ("state", "=", "done"),
                                               ("location_dest_id.usage", "=", "production")])
            return line.qty_issued, sum(moves.mapped("quantity")), env["product.product"].browse(
                self.pads_id).qty_available

    def _approved_order(self):
        order_id, quote_id = self._quoted_order(parts=2)
        with self.committed(self.advisor_id) as env:
            quote = env["autorepair.service.quote"].browse(quote_id)
            quote.action_decide({line.id: "approved" for line in quote.line_ids}, SIGNATURE, "张伟")
        return order_id

    @mute_logger("odoo.service.model", "odoo.sql_db")
    def test_second_counter_waits_then_is_refused(self):
        order_id = self._approved_order()
        first = self.transaction(self.storekeeper_id)
        self._issue(first, order_id)
        second = self.transaction(self.storekeeper_id)
        join = self.in_thread(partial(self._issue, second, order_id))
        time.sleep(WAIT)
        self.assertTrue(join.thread.is_alive(), "the second counter waits for the first issue to end")
        first.cr.commit()
        self.assertEqual(join(), ("error", SERIALIZATION_FAILURE))
        second.cr.rollback()
        second.reset()
        with self.assertRaises(UserError) as refused:
            retrying(partial(self._issue, second, order_id), second)
        self.assertIn("already been issued", refused.exception.args[0])
        second.cr.rollback()
        self.assertEqual(self._stock(order_id), (2.0, 2.0, 2.0), "issued once: 2 of the 4 pads left")

    @mute_logger("odoo.service.model", "odoo.sql_db")
    def test_second_counter_started_before_the_first_committed_is_refused(self):
        order_id = self._approved_order()
        second = self.transaction(self.storekeeper_id)
        second["autorepair.service.order"].browse(order_id).line_ids.read(["qty_to_issue"])
        with self.committed(self.storekeeper_id) as first:
            self._issue(first, order_id)
        with self.assertRaises(UserError) as refused:
            retrying(partial(self._issue, second, order_id), second)
        self.assertIn("already been issued", refused.exception.args[0])
        second.cr.rollback()
        self.assertEqual(self._stock(order_id), (2.0, 2.0, 2.0))
