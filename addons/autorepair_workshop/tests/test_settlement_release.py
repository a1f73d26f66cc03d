"""Settlement before release (收银 then 放行, issue 15): the cashier settles a
car once its final check has passed; the advisor lets it out once it is paid,
or once a service manager approved credit (挂账) for a credit account; the
gate pass (出门证) records who let it out."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .common import ServiceOrderCase

GATE_PASS = "autorepair_workshop.report_gate_pass"


class SettlementCase(ServiceOrderCase):

    def _ready_order(self, **vals):
        order = self._received_order(**vals)
        self._approve_all(order)
        self._work_and_check(order)
        order.write({"next_service_date": "2027-05-01", "next_service_km": 31000, "old_parts_offered": True})
        self.assertEqual(order.state, "ready")
        return order

    def _fleet(self):
        """The car of a fleet company that pays monthly (a credit account)."""
        fleet = self.env["res.partner"].create({"name": "成都顺风物流有限公司", "is_company": True,
                                                "is_autorepair_customer": True, "autorepair_credit_account": True})
        self.vehicle.owner_id = fleet
        return fleet


@tagged("post_install", "-at_install")
class TestSettlementBeforeRelease(SettlementCase):

    def test_settled_when_ready_released_once_paid(self):
        order = self._ready_order()
        invoices = self._settle(order)
        self.assertEqual(invoices.mapped("state"), ["posted"])
        self.assertEqual(order.state, "ready", "the car waits in the workshop for its release")
        self.assertTrue(order.settled_date)
        self.assertEqual(order.payment_state, "not_paid")
        self.assertEqual(order.amount_due, invoices.amount_total)
        with self.assertRaisesRegex(UserError, "already settled"):
            self._settle(order)
        self.assertEqual(len(order.invoice_ids), 1, "invoiced once")

        # unpaid: the advisor cannot let it out; part paid: still not
        deliver = order.with_user(self.user_advisor).action_deliver
        with self.assertRaisesRegex(UserError, r"cannot leave: the customer still owes"):
            deliver()
        self._pay_order(order, amount=100)
        self.assertEqual(order.payment_state, "partial")
        with self.assertRaisesRegex(UserError, "cannot leave"):
            deliver()
        self.assertEqual(order.state, "ready")
        self.assertFalse(order.released_by_id)

        self._pay_order(order)
        self.assertEqual(order.payment_state, "paid")
        with freeze_time("2026-06-01 02:30:00"):
            deliver()
        self.assertEqual(order.state, "done", "settled and delivered")
        self.assertEqual(order.released_by_id, self.user_advisor)
        self.assertEqual(str(order.delivered_date), "2026-06-01 02:30:00")
        self.assertTrue(order.gate_pass_number)
        self.assertEqual(self.vehicle.next_service_km, 31000)

    def test_not_released_before_settlement(self):
        order = self._ready_order()
        with self.assertRaisesRegex(UserError, "not settled"):
            order.with_user(self.user_advisor).action_deliver()
        self.assertEqual(order.state, "ready")

    def test_not_settled_before_the_final_check(self):
        order = self._received_order()
        self._approve_all(order)
        self._work(order)
        with self.assertRaisesRegex(UserError, "invoiced once its final check has passed"):
            self._settle(order)
        self.assertFalse(order.invoice_ids)

    def test_only_advisors_release(self):
        order = self._ready_order()
        self._settle(order)
        self._pay_order(order)
        for user in (self.user_technician, self.user_inspector, self.user_care_agent):
            with self.assertRaises(AccessError):
                order.with_user(user).action_deliver()
        self.assertEqual(order.state, "ready")

    def test_nothing_owed_by_the_customer(self):
        """Warranty work is the maker's invoice, on account: the customer owes
        nothing and the car leaves once settled."""
        order = self._received_order(lines=1)
        order.line_ids.bill_to = "warranty"
        self._approve_all(order)
        self._work_and_check(order)
        order.write({"next_service_date": "2027-05-01", "next_service_km": 31000})
        invoices = self._settle(order)
        self.assertEqual(invoices.commercial_partner_id, self.car_model.brand_id.warranty_partner_id)
        self.assertEqual(invoices.payment_state, "not_paid", "the maker pays on account")
        order.with_user(self.user_advisor).action_deliver()
        self.assertEqual(order.state, "done")

    def test_delivered_before_the_upgrade_still_settles(self):
        """An order an earlier version delivered unsettled is invoiced to done."""
        order = self._ready_order()
        order.sudo().write({"state": "delivered", "delivered_date": "2026-05-01 08:00:00"})
        invoices = self._settle(order)
        self.assertEqual(order.state, "done")
        self.assertTrue(order.settled_date)
        self.assertEqual(invoices.state, "posted")

    def test_settled_order_is_closed_to_changes(self):
        order = self._ready_order()
        self._settle(order)
        with self.assertRaisesRegex(UserError, "is closed"):
            self.env["autorepair.service.order.line"].with_user(self.user_advisor).create(
                {"order_id": order.id, "line_type": "labour", "name": "加项", "quantity": 1, "price_unit": 100})
        with self.assertRaisesRegex(UserError, "is settled"):
            order.with_user(self.user_advisor).repair_category = "special_repair"

    def test_to_release_filter(self):
        waiting = self._ready_order()
        self._settle(waiting)
        Order = self.env["autorepair.service.order"].with_user(self.user_advisor)
        action_filter = self.env.ref("autorepair_workshop.autorepair_service_order_view_search")
        self.assertIn('name="to_release"', action_filter.arch)
        found = Order.search([("state", "=", "ready"), ("settled_date", "!=", False)])
        self.assertIn(waiting, found)
        self._pay_order(waiting)
        self._release(waiting)
        self.assertNotIn(waiting, Order.search([("state", "=", "ready"), ("settled_date", "!=", False)]))


@tagged("post_install", "-at_install")
class TestCreditApproval(SettlementCase):

    def test_manager_approves_credit_for_a_credit_account(self):
        fleet = self._fleet()
        order = self._ready_order()
        self.assertEqual(order.partner_id, fleet)
        with self.assertRaisesRegex(UserError, "must be settled"):
            order.with_user(self.user_manager).action_approve_credit()
        self._settle(order)
        with self.assertRaisesRegex(UserError, "cannot leave"):
            order.with_user(self.user_advisor).action_deliver()
        with freeze_time("2026-06-02 01:00:00"):
            order.with_user(self.user_manager).action_approve_credit()
        self.assertEqual(order.credit_approved_by_id, self.user_manager)
        self.assertEqual(str(order.credit_approved_date), "2026-06-02 01:00:00")
        with self.assertRaisesRegex(UserError, "already approved"):
            order.with_user(self.user_manager).action_approve_credit()
        order.with_user(self.user_advisor).action_deliver()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.payment_state, "not_paid", "on the monthly statement")
        self.assertEqual(order.released_by_id, self.user_advisor)

    def test_refused_for_a_customer_without_credit_account(self):
        order = self._ready_order()
        self._settle(order)
        with self.assertRaisesRegex(UserError, "is not a credit account"):
            order.with_user(self.user_manager).action_approve_credit()
        self.assertFalse(order.credit_approved_by_id)

    def test_refused_for_a_paid_order(self):
        self._fleet()
        order = self._ready_order()
        self._settle(order)
        self._pay_order(order)
        with self.assertRaisesRegex(UserError, "owes nothing"):
            order.with_user(self.user_manager).action_approve_credit()

    def test_refused_to_other_roles(self):
        self._fleet()
        order = self._ready_order()
        self._settle(order)
        for user in (self.user_advisor, self.user_technician, self.user_inspector):
            with self.assertRaises(AccessError):
                order.with_user(user).action_approve_credit()
        self.assertFalse(order.credit_approved_by_id)

    def test_only_managers_open_credit_accounts(self):
        customer = self.customer.with_user(self.user_advisor)
        with self.assertRaisesRegex(AccessError, "Only a service manager"):
            customer.autorepair_credit_account = True
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_advisor).create(
                {"name": "某车队", "is_company": True, "autorepair_credit_account": True})
        self.customer.with_user(self.user_manager).autorepair_credit_account = True
        self.assertTrue(self.customer.autorepair_credit_account)
        # writing the same value again is no change
        customer.write({"autorepair_credit_account": True, "fapiao_title": "张伟"})
        with self.assertRaises(AccessError):
            customer.autorepair_credit_account = False


@tagged("post_install", "-at_install")
class TestGatePass(SettlementCase):

    def _render(self, order, user=None):
        html, _kind = self.env["ir.actions.report"].with_user(user or self.user_advisor)._render_qweb_html(
            GATE_PASS, order.ids)
        return html.decode()

    def test_gate_pass_paid(self):
        order = self._ready_order()
        self._settle(order)
        with self.assertRaisesRegex(UserError, "gate pass is printed once the car is released"):
            order.with_user(self.user_advisor).action_print_gate_pass()
        with self.assertRaisesRegex(UserError, "has not been released"):
            self._render(order)
        self._release(order)
        action = order.with_user(self.user_advisor).action_print_gate_pass()
        self.assertEqual(action["report_name"], GATE_PASS)
        html = self._render(order)
        for item in (order.gate_pass_number, "川A12345", self.vehicle.vin_sn, order.name, "张伟",
                     self.user_advisor.name, "Paid", "Released On"):
            self.assertIn(item, html)
        self.assertNotIn("On credit", html)

    def test_gate_pass_on_credit(self):
        self._fleet()
        order = self._ready_order()
        self._settle(order)
        order.with_user(self.user_manager).action_approve_credit()
        self._release(order)
        html = self._render(order)
        for item in ("On credit", self.user_manager.name, "成都顺风物流有限公司", order.gate_pass_number):
            self.assertIn(item, html)

    def test_gate_pass_numbers_differ(self):
        first, second = self._ready_order(), self._ready_order()
        self._release(first)
        self._release(second)
        self.assertTrue(first.gate_pass_number)
        self.assertNotEqual(first.gate_pass_number, second.gate_pass_number)


@tagged("post_install", "-at_install")
class TestReleaseOverRpc(SettlementCase, HttpCase, RpcClientMixin):
    """The same refusals over JSON-RPC, the way the web client calls."""

    def _snapshot(self):
        self.env.invalidate_all()
        order = self.order.sudo()
        return (order.state, order.released_by_id.id, order.credit_approved_by_id.id, order.gate_pass_number,
                self.customer.sudo().autorepair_credit_account)

    def test_release_and_credit_refused_over_rpc(self):
        self.order = order = self._ready_order()
        self._settle(order)
        model = order._name
        # unpaid: the advisor cannot release; he cannot approve credit either
        self._assert_rpc_refused(self.user_advisor, model, "action_deliver", order.ids)
        self._assert_rpc_refused(self.user_advisor, model, "action_approve_credit", order.ids)
        # not a credit account: the manager cannot approve
        self._assert_rpc_refused(self.user_manager, model, "action_approve_credit", order.ids)
        # workflow fields are not written by hand
        for vals in ({"credit_approved_by_id": self.user_manager.id}, {"released_by_id": self.user_advisor.id},
                     {"state": "done"}, {"gate_pass_number": "CM-FAKE"}):
            self._assert_rpc_refused(self.user_advisor, model, "write", order.ids, vals)
        # only a service manager opens a credit account
        self._assert_rpc_refused(self.user_advisor, "res.partner", "write", self.customer.ids,
                                 {"autorepair_credit_account": True})
        self._jsonrpc_ok(self.user_manager, "res.partner", "write", self.customer.ids,
                         {"autorepair_credit_account": True})
        self._jsonrpc_ok(self.user_manager, model, "action_approve_credit", order.ids)
        self._jsonrpc_ok(self.user_advisor, model, "action_deliver", order.ids)
        order.invalidate_recordset()
        self.assertEqual((order.state, order.released_by_id, order.credit_approved_by_id),
                         ("done", self.user_advisor, self.user_manager))
