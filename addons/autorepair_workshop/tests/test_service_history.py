from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, new_portal_user

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestServiceHistory(ServiceOrderCase, HttpCase, RpcClientMixin):
    """The service history on screen (issue 13): every past visit of the car
    with its date, odometer, work, parts and amount, on the vehicle, the
    customer and the portal, with the work declined or deferred still open."""

    def _visit(self, odometer, lines, **decisions):
        """One visit through the real flow: received, quoted, decided, worked,
        checked, delivered. ``lines``: (type, name, quantity, price)."""
        order = self._order()
        order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": odometer})
        order.action_receive()
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create([
            {"order_id": order.id, "line_type": line_type, "name": name, "quantity": quantity, "price_unit": price,
             "technician_id": self.user_technician.id if line_type == "labour" else False}
            for line_type, name, quantity, price in lines
        ])
        self._approve_all(order, **decisions)
        self._work_and_check(order)
        order.write({"next_service_date": "2027-05-01", "next_service_km": odometer + 10000})
        self._release(order)
        return order

    def _history(self):
        first = self._visit(21000, [("labour", "更换机油", 1, 100), ("part", "机油滤清器", 1, 60),
                                    ("part", "机油 5W-30", 4, 80), ("other", "四轮定位", 1, 150)],
                            **{"四轮定位": "deferred"})
        second = self._visit(31000, [("labour", "更换刹车片", 1, 200), ("part", "前刹车片", 2, 300),
                                     ("labour", "清洗节气门", 1, 120)], **{"清洗节气门": "declined"})
        return first, second

    def test_vehicle_and_customer_history(self):
        first, second = self._history()
        current = self._order(requested_work="空调不凉")  # today's visit is not history yet
        vehicle = self.vehicle.with_user(self.user_advisor)
        self.assertEqual(vehicle.service_history_ids.sorted("delivered_date"), first | second)
        self.assertNotIn(current, vehicle.service_history_ids)
        self.assertEqual((first.odometer_in, first.history_work, first.history_parts),
                         (21000, "更换机油", "机油滤清器 × 1, 机油 5W-30 × 4"))
        self.assertEqual((second.history_work, second.history_parts), ("更换刹车片", "前刹车片 × 2"))
        self.assertTrue(first.amount_total > 0 and second.amount_total > 0)
        # the declined and the deferred work, still to offer
        self.assertEqual(sorted(vehicle.recommendation_line_ids.mapped("name")), ["四轮定位", "清洗节气门"])
        customer = self.customer.with_user(self.user_advisor)
        self.assertEqual(customer.service_history_ids, first | second)
        self.assertEqual(customer.service_recommendation_ids, vehicle.recommendation_line_ids)
        # done at a later visit: no longer open
        vehicle.recommendation_line_ids.filtered(lambda line: line.name == "四轮定位").action_close_recommendation()
        self.customer.invalidate_recordset(["service_recommendation_ids"])
        self.assertEqual(customer.service_recommendation_ids.mapped("name"), ["清洗节气门"])

    def test_readers_by_role(self):
        first, second = self._history()
        # the roles reading orders read the history, amounts as on the order they read today
        for user in (self.user_technician, self.user_care_agent, self.user_manager):
            orders = self.vehicle.with_user(user).service_history_ids
            self.assertEqual(orders, first | second, user.login)
            self.assertEqual(sorted(orders.mapped("amount_total")), sorted((first | second).mapped("amount_total")))
            self.assertEqual(self.customer.with_user(user).service_history_ids, first | second)
        # the customer file alone reads no order: the history is not his to read
        clerk = new_test_user(self.env, login="so_hist_clerk", groups="autorepair_crm.group_user",
                              company_id=self.env.company.id, company_ids=[self.env.company.id])
        for record, fname in ((self.vehicle, "service_history_ids"), (self.customer, "service_history_ids"),
                              (self.customer, "service_recommendation_ids")):
            with self.assertRaises(AccessError):
                record.with_user(clerk).read([fname])
            self._assert_rpc_refused(clerk, record._name, "read", [record.id], [fname])
        # and his forms show no history tab
        arch = self.env["res.partner"].with_user(clerk).get_view(
            self.env.ref("base.view_partner_form").id)["arch"]
        self.assertNotIn("service_history", arch)
        arch = self.env["res.partner"].with_user(self.user_advisor).get_view(
            self.env.ref("base.view_partner_form").id)["arch"]
        self.assertIn("service_history_ids", arch)

    def _snapshot(self):
        return self.vehicle.sudo().service_history_ids.ids

    def test_portal_history(self):
        first, second = self._history()
        other = self.env["res.partner"].create({"name": "李娜", "mobile": "13900139001",
                                                "is_autorepair_customer": True})
        portal = new_portal_user(self.env, "so_hist_portal", self.customer)
        new_portal_user(self.env, "so_hist_other", other)
        self.authenticate(portal.login, portal.login)
        page = self.url_open("/my/service_history")
        self.assertEqual(page.status_code, 200)
        for text in ("川A12345", "21000", "31000", "更换机油", "机油 5W-30 × 4", "前刹车片 × 2",
                     first.name, second.name, "Still recommended", "四轮定位", "清洗节气门"):
            self.assertIn(text, page.text)
        home = self.url_open("/my/home")
        self.assertIn("/my/service_history", home.text)
        # another customer sees none of it
        self.authenticate("so_hist_other", "so_hist_other")
        page = self.url_open("/my/service_history")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(first.name, page.text)
        self.assertNotIn("川A12345", page.text)
        self.assertIn("There is no past visit of your cars yet.", page.text)
        # nobody logged in: to the login page
        self.authenticate(None, None)
        page = self.url_open("/my/service_history", allow_redirects=False)
        self.assertEqual(page.status_code, 303)
        self.assertIn("/web/login", page.headers["Location"])

    def test_history_tab_tour(self):
        self._history()
        self.start_tour(f"/odoo/action-autorepair_crm.fleet_vehicle_action/{self.vehicle.id}",
                        "autorepair_workshop_service_history", login=self.user_advisor.login)
