import json
from datetime import timedelta
from urllib.parse import urlencode

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, new_portal_user

from .common import SIGNATURE, ServiceOrderCase

# what a visitor must never see of 张伟's order
SECRETS = ("鼓风机总成", "5Q0 819 021", "空调有异响", "川A12345")


class PortalAttackCase(ServiceOrderCase, HttpCase):
    """张伟's order with a quote sent, his portal user, and another customer
    (李娜) with her own portal user and order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_portal_user(cls.env, "so_att_zhang", cls.customer)
        cls.other_customer = cls.env["res.partner"].create({
            "name": "李娜", "mobile": "13900139000", "is_autorepair_customer": True,
        })
        cls.other_portal_user = new_portal_user(cls.env, "so_att_li", cls.other_customer)
        cls.other_vehicle = cls.env["fleet.vehicle"].create({
            "model_id": cls.car_model.id, "license_plate": "川A54321", "owner_id": cls.other_customer.id,
        })

    def setUp(self):
        super().setUp()
        self.order = self._received_order(lines=0, requested_work="空调有异响")
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        self.lines = Line.create([
            {"order_id": self.order.id, "line_type": "labour", "name": "更换鼓风机", "quantity": 1.5,
             "price_unit": 200},
            {"order_id": self.order.id, "line_type": "part", "name": "鼓风机总成", "part_number": "5Q0 819 021",
             "quantity": 1, "price_unit": 1000},
        ])
        self.order.with_user(self.user_advisor).action_send_quote()
        self.quote = self.order.quote_ids
        self.token = self.order.access_token
        self.assertTrue(self.token, "the quote went out with a link")

    # ------------------------------------------------------------------ helpers

    def _query(self, access_token=None, decision="approved"):
        query = {f"decision_{line.id}": decision for line in self.lines}
        if access_token is not None:
            query["access_token"] = access_token
        return urlencode(query)

    def _page(self, access_token=None, order=None):
        order = order or self.order
        suffix = f"?access_token={access_token}" if access_token is not None else ""
        return self.url_open(f"/my/service_orders/{order.id}{suffix}")

    def _decide(self, access_token=None, signature=SIGNATURE, order=None):
        order = order or self.order
        return self.make_jsonrpc_request(
            f"/my/service_orders/{order.id}/decide?{self._query(access_token)}",
            {"name": "张伟", "signature": signature})

    def _state(self):
        """What a refused attempt must leave as it was."""
        self.env.invalidate_all()
        return {
            "quote": (self.quote.state, self.quote.signature, self.quote.approval_channel),
            "lines": tuple(self.quote.line_ids.mapped("decision")),
            "order": (self.order.state, self.order.approved_amount),
            "messages": self.order.message_ids.ids,
        }

    def _assert_no_data(self, response):
        for secret in SECRETS:
            self.assertNotIn(secret, response.text)

    def _assert_expired_page(self, response):
        self.assertEqual(response.status_code, 403, "refused, not a server error")
        self.assertIn("service_order_link_expired", response.text, "a page that says the link expired")
        self.assertIn("This link has expired", response.text)
        self._assert_no_data(response)


@tagged("post_install", "-at_install")
class TestPortalAttacks(PortalAttackCase):
    """Portal routes as an outsider: logged out, with a wrong, expired or used
    link, as another customer, beyond the decision rate limit."""

    def test_logged_out_without_link(self):
        before = self._state()
        page = self._page()
        self.assertNotIn(f"/my/service_orders/{self.order.id}", page.url, "sent away to log in")
        self._assert_no_data(page)
        self.assertTrue(self._decide().get("error"))
        self.assertEqual(self._state(), before)

    def test_wrong_link(self):
        before = self._state()
        self._assert_expired_page(self._page("not-the-token"))
        self._assert_expired_page(self._page(self.token[:-1] + ("0" if self.token[-1] != "0" else "1")))
        self.assertTrue(self._decide("not-the-token").get("error"))
        self.assertEqual(self._state(), before)

    def test_expired_link(self):
        self.order.sudo().access_token_expiry = fields.Datetime.now() - timedelta(seconds=1)
        before = self._state()
        self._assert_expired_page(self._page(self.token))
        result = self._decide(self.token)
        self.assertIn("expired", result.get("error", ""))
        # nor the portal chatter: neither read nor post with the expired link
        with mute_logger("odoo.http"):
            response = self.url_open("/mail/chatter_fetch", data=json.dumps({"params": {
                "thread_model": "autorepair.service.order", "thread_id": self.order.id, "token": self.token,
            }}), headers={"Content-Type": "application/json"})
            self.assertIn("error", response.json())
            response = self.url_open("/mail/message/post", data=json.dumps({"params": {
                "thread_model": "autorepair.service.order", "thread_id": self.order.id, "token": self.token,
                "post_data": {"body": "我同意", "message_type": "comment"},
            }}), headers={"Content-Type": "application/json"})
            self.assertIn("error", response.json())
        self.assertEqual(self._state(), before)
        self.assertEqual(self.order.access_token, self.token, "the dead link is not revived by trying it")

    def test_used_link_after_the_decision(self):
        self.assertNotIn("error", self._decide(self.token))
        after_decision = self._state()
        self.assertEqual(after_decision["quote"][0], "decided")
        # the link from the SMS, opened again
        page = self._page(self.token)
        self._assert_expired_page(page)
        self.assertIn("error", self._decide(self.token, signature=SIGNATURE))
        self.assertEqual(self._state(), after_decision)

    def test_link_ends_with_a_desk_decision(self):
        self.quote.with_user(self.user_advisor).action_decide(
            decisions={line.id: "approved" for line in self.lines}, signature=SIGNATURE)
        decided = self._state()
        self._assert_expired_page(self._page(self.token))
        self.assertTrue(self._decide(self.token).get("error"))
        self.assertEqual(self._state(), decided)

    def test_other_customer_logged_in(self):
        before = self._state()
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        self.assertNotIn(self.order.name, self.url_open("/my/service_orders").text)
        page = self._page()
        self.assertNotIn(f"/my/service_orders/{self.order.id}", page.url)
        self._assert_no_data(page)
        self.assertTrue(self._decide().get("error"))
        # her own order's link does not open his
        other_order = self.env["autorepair.service.order"].create({"vehicle_id": self.other_vehicle.id})
        other_token = other_order._portal_ensure_token()
        self._assert_expired_page(self._page(other_token))
        self.assertTrue(self._decide(other_token).get("error"))
        self.assertEqual(self._state(), before)

    def test_other_customer_downloads_no_pdf(self):
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        for report in ("report_service_order_quote", "report_service_order_walkaround",
                       "report_service_order_statement"):
            with mute_logger("odoo.http", "odoo.addons.web.controllers.report"):
                response = self.url_open(f"/report/pdf/autorepair_workshop.{report}/{self.order.id}")
            self.assertNotEqual(response.headers.get("Content-Type"), "application/pdf", report)
            self._assert_no_data(response)
        # logged out: sent to the login page
        self.authenticate(None, None)
        response = self.url_open(f"/report/pdf/autorepair_workshop.report_service_order_quote/{self.order.id}")
        self.assertNotEqual(response.headers.get("Content-Type"), "application/pdf")
        self._assert_no_data(response)

    def test_decision_beyond_the_rate_limit(self):
        limit = self.env.company._autorepair_workshop_setting("portal_decision_attempts")
        before = self._state()
        for _attempt in range(limit):
            self.assertIn("sign", self._decide(self.token, signature=False).get("error", ""))
        result = self._decide(self.token)
        self.assertIn("Too many attempts", result.get("error", ""))
        self.assertEqual(self._state(), before, "refused even with the right link and a signature")

    def test_guessing_links_is_rate_limited_by_address(self):
        limit = self.env.company._autorepair_workshop_setting("portal_decision_attempts")
        before = self._state()
        for attempt in range(limit):
            self.assertTrue(self._decide(f"guess-{attempt}").get("error"))
        self.assertIn("Too many attempts", self._decide(self.token).get("error", ""))
        self.assertEqual(self._state(), before)
        # once the window has passed, the customer's own link works again
        self.env["autorepair.portal.attempt"].sudo().search([]).attempted_on = (
            fields.Datetime.now() - timedelta(minutes=11))
        self.assertNotIn("error", self._decide(self.token))
        self.assertEqual(self._state()["quote"][0], "decided")


@tagged("post_install", "-at_install")
class TestLinkNotHandedToStaff(PortalAttackCase, RpcClientMixin):
    """The link decides the quote in the customer's name: a technician, who
    reads the order, gets it by no public path (read, search, get_portal_url)."""

    def _snapshot(self):
        return self._state(), self.order.sudo().access_token

    def test_technician_gets_no_link(self):
        order_id = self.order.id
        calls = [
            ("read", [order_id], ["access_token"]),
            ("search_read", [("id", "=", order_id)], ["access_token"]),
            ("web_read", [order_id], {"access_token": {}}),
            ("search_count", [("access_token", "=", self.token)]),
            ("get_portal_url", [order_id]),
            ("action_open_customer_link", [order_id]),
        ]
        for method, *args in calls:
            with self.subTest(method=method):
                self._assert_rpc_refused(self.user_technician, "autorepair.service.order", method, *args,
                                         refusals=("odoo.exceptions.AccessError",))

    def test_technician_opens_no_customer_link(self):
        """The desk's link dialog shows the link: refused to the technician when
        made by hand too, not only through the order's button."""
        self._assert_rpc_refused(self.user_technician, "autorepair.customer.link.wizard", "create",
                                 {"order_id": self.order.id}, refusals=("odoo.exceptions.AccessError",))

    def test_advisor_hands_it_out(self):
        url = self._jsonrpc_ok(self.user_advisor, "autorepair.service.order", "get_portal_url", [self.order.id])
        self.assertIn(f"access_token={self.token}", url)


@tagged("post_install", "-at_install")
class TestPortalLink(PortalAttackCase):
    """The link's life: issued with each quote for the company's number of days,
    renewed when dead, ended by the decision."""

    def test_link_valid_for_the_company_days(self):
        self.assertEqual(self.env.company.autorepair_workshop_portal_link_days, 7)
        expiry = self.order.access_token_expiry
        self.assertAlmostEqual(expiry, fields.Datetime.now() + timedelta(days=7), delta=timedelta(minutes=5))
        page = self._page(self.token)
        self.assertEqual(page.status_code, 200)
        self.assertIn("鼓风机总成", page.text)

    def test_each_quote_gets_a_new_link(self):
        self.env.company.autorepair_workshop_portal_link_days = 2
        self.quote.with_user(self.user_advisor).action_decide(
            decisions={line.id: "approved" for line in self.lines}, signature=SIGNATURE)
        self.assertFalse(self.order.access_token, "the decision ends the link")
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": self.order.id, "line_type": "other", "name": "清洗空调滤网", "quantity": 1,
            "price_unit": 80})
        self.order.with_user(self.user_advisor).action_send_quote()
        self.assertTrue(self.order.access_token)
        self.assertNotEqual(self.order.access_token, self.token)
        self.assertAlmostEqual(self.order.access_token_expiry, fields.Datetime.now() + timedelta(days=2),
                               delta=timedelta(minutes=5))
        self._assert_expired_page(self._page(self.token))
        self.assertEqual(self._page(self.order.access_token).status_code, 200)

    def test_expired_link_is_renewed_for_whoever_may_see_the_order(self):
        self.order.sudo().access_token_expiry = fields.Datetime.now() - timedelta(days=1)
        self.assertFalse(self.order._portal_token_valid(self.token))
        url = self.order.get_portal_url()
        self.assertNotIn(self.token, url, "a link sent again is a new one")
        self.assertTrue(self.order._portal_token_valid(self.order.access_token))

    def test_customer_logged_in_needs_no_link(self):
        self.order.sudo().access_token_expiry = fields.Datetime.now() - timedelta(days=1)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self._page()
        self.assertEqual(page.status_code, 200)
        self.assertIn("鼓风机总成", page.text)

    def test_link_days_checked(self):
        with self.assertRaises(ValidationError):
            self.env.company.autorepair_workshop_portal_link_days = 0

    def test_old_attempts_are_vacuumed(self):
        Attempt = self.env["autorepair.portal.attempt"].sudo()
        self.assertTrue(Attempt._allow_attempt("quote_decision", ["ip:10.0.0.1"], 5, 10))
        attempt = Attempt.search([], order="id desc", limit=1)
        self.assertNotIn("10.0.0.1", attempt.key, "no address kept in clear")
        attempt.attempted_on = fields.Datetime.now() - timedelta(days=2)
        Attempt._gc_attempts()
        self.assertFalse(attempt.exists())
