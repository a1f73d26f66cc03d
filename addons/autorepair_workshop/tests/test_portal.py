import json
from urllib.parse import urlencode

from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged

from .common import SIGNATURE, ServiceOrderCase


@tagged("post_install", "-at_install")
class TestServiceOrderPortal(ServiceOrderCase, HttpCase):
    """The customer follows his order and decides its quote on the portal,
    through real HTTP requests as a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.portal_user = new_test_user(
            cls.env, login="so_portal_zhang", groups="base.group_portal", name=cls.customer.name,
            partner_id=cls.customer.id, company_id=company.id, company_ids=[company.id],
        )
        cls.other_portal_user = new_test_user(
            cls.env, login="so_portal_li", groups="base.group_portal", name="李娜",
            company_id=company.id, company_ids=[company.id],
        )

    def setUp(self):
        super().setUp()
        self.order = self._received_order(lines=0, requested_work="空调有异响")
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        self.labour, self.part, self.cleaning = Line.create([
            {"order_id": self.order.id, "line_type": "labour", "name": "更换鼓风机", "quantity": 1.5,
             "price_unit": 200},
            {"order_id": self.order.id, "line_type": "part", "name": "鼓风机总成", "part_number": "5Q0 819 021",
             "is_oem": True, "quantity": 1, "price_unit": 1000, "alt_type": "aftermarket",
             "alt_description": "品牌副厂件", "alt_price_unit": 600, "risk_note": "质保期一年"},
            {"order_id": self.order.id, "line_type": "other", "name": "清洗空调滤网", "quantity": 1,
             "price_unit": 80},
        ])
        self.order.with_user(self.user_advisor).action_send_quote()
        self.quote = self.order.quote_ids
        self.assertEqual((self.order.state, self.quote.state), ("quoted", "sent"))

    def _choices(self, labour="approved", part="alternative", cleaning="deferred"):
        return {f"decision_{self.labour.id}": labour, f"decision_{self.part.id}": part,
                f"decision_{self.cleaning.id}": cleaning}

    def _call_url(self, page):
        """The URL the portal's signature form posts to, as the review page sets it."""
        component = html.fromstring(page.content).xpath("//owl-component[@name='portal.signature_form']")
        self.assertTrue(component, "the review page carries the signature pad")
        return json.loads(component[0].get("props"))["callUrl"]

    def test_customer_lists_and_sees_his_order(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["service_order_count", "service_quote_count"]})
        self.assertEqual(counters, {"service_order_count": 1, "service_quote_count": 1})

        page = self.url_open("/my/service_orders")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order.name, page.text)
        self.assertIn("川A12345", page.text)

        page = self.url_open(self.order.access_url)
        self.assertEqual(page.status_code, 200)
        tree = html.fromstring(page.content)
        for text in ("更换鼓风机", "鼓风机总成", "5Q0 819 021", "品牌副厂件", "质保期一年", "空调有异响"):
            self.assertIn(text, page.text)
        self.assertTrue(tree.xpath("//span[hasclass('badge')][text()='OEM']"))
        self.assertEqual(
            tree.xpath("//section[@id='service_order_progress']//li[@aria-current='step']")[0].text_content().strip(),
            "Quoted")
        radios = {(radio.get("name"), radio.get("value")) for radio in tree.xpath("//input[@type='radio']")}
        self.assertIn((f"decision_{self.part.id}", "alternative"), radios)
        self.assertNotIn((f"decision_{self.labour.id}", "alternative"), radios,
                         "the alternative is offered only where the shop gave one")
        self.assertIn((f"decision_{self.cleaning.id}", "deferred"), radios)

    def test_customer_decides_and_signs(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        review = self.url_open(f"{self.order.access_url}?{urlencode(self._choices())}")
        self.assertEqual(review.status_code, 200)
        self.assertFalse(html.fromstring(review.content).xpath("//input[@type='radio']"),
                         "the choices are shown back for review, not editable")
        # labour 1.5 h x 200 and the aftermarket part 600, with the sales tax
        expected = self.labour.tax_ids.compute_all(900.0, self.order.currency_id)["total_included"]
        review_text = html.fromstring(review.content).xpath("//div[@id='service_order_review']")[0].text_content()
        self.assertIn(f"{expected:,.2f}", review_text, "the customer sees what he signs for")

        result = self.make_jsonrpc_request(self._call_url(review), {"name": "张伟", "signature": SIGNATURE})
        self.assertTrue(result.get("force_refresh"), result)
        self.env.invalidate_all()
        self.assertEqual(self.quote.state, "decided")
        self.assertEqual(self.quote.approval_channel, "portal")
        self.assertEqual(self.quote.signed_by, "张伟")
        self.assertTrue(self.quote.signature)
        self.assertEqual((self.labour.decision, self.part.decision, self.cleaning.decision),
                         ("approved", "alternative", "deferred"))
        self.assertEqual(self.order.state, "approved")
        self.assertAlmostEqual(self.order.approved_amount, expected)
        self.assertEqual(self.vehicle.recommendation_line_ids, self.cleaning, "deferred work stays recommended")
        message = self.order.message_ids.filtered(lambda m: "Customer Portal" in (m.body or ""))
        self.assertEqual(message.author_id, self.customer, "the chatter names the customer who signed")

        page = self.url_open(result["redirect_url"])
        self.assertIn("Your decision is recorded", page.text)
        self.assertFalse(html.fromstring(page.content).xpath("//input[@type='radio']"))

    def test_refused_decision_changes_nothing(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        choices = self._choices(labour="declined", part="declined", cleaning="deferred")
        review = self.url_open(f"{self.order.access_url}?{urlencode(choices)}")
        self.assertIn("Approve at least one line", review.text)
        self.assertFalse(html.fromstring(review.content).xpath("//owl-component"), "nothing to sign")

        messages = self.order.message_ids
        call_url = self.order.get_portal_url(suffix="/decide", query_string="&" + urlencode(choices))
        result = self.make_jsonrpc_request(call_url, {"name": "张伟", "signature": SIGNATURE})
        self.assertIn("Approve at least one line", result.get("error", ""))
        self.env.invalidate_all()
        self.assertEqual(self.quote.state, "sent")
        self.assertEqual(set(self.quote.line_ids.mapped("decision")), {"pending"}, "no line half decided")
        self.assertEqual(self.order.state, "quoted")
        self.assertEqual(self.order.message_ids, messages)

        call_url = call_url.replace("=declined", "=approved")
        result = self.make_jsonrpc_request(call_url, {"name": "张伟"})
        self.assertIn("sign", result.get("error", ""), "no decision without a signature")
        # refused by the model half-way: the lines already written are rolled back
        result = self.make_jsonrpc_request(call_url, {"name": "张伟", "signature": "bm90IGFuIGltYWdl"})
        self.assertTrue(result.get("error"), "a signature that is no image is refused")
        self.env.invalidate_all()
        self.assertEqual(self.quote.state, "sent")
        self.assertEqual(set(self.quote.line_ids.mapped("decision")), {"pending"})

    def test_other_customer_is_turned_away(self):
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        self.assertNotIn(self.order.name, self.url_open("/my/service_orders").text)
        page = self.url_open(self.order.access_url)
        self.assertNotIn(f"/my/service_orders/{self.order.id}", page.url, "redirected away from the order")
        self.assertNotIn("鼓风机总成", page.text)

        call_url = f"{self.order.access_url}/decide?{urlencode(self._choices())}"
        result = self.make_jsonrpc_request(call_url, {"name": "李娜", "signature": SIGNATURE})
        self.assertTrue(result.get("error"))
        self.env.invalidate_all()
        self.assertEqual(self.quote.state, "sent")

    def test_access_token_without_login(self):
        page = self.url_open(self.order.access_url)
        self.assertNotIn(f"/my/service_orders/{self.order.id}", page.url, "no token, no login: no order")

        page = self.url_open(self.order.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order.name, page.text)
        self.assertIn("鼓风机总成", page.text)
        wrong_token = self.url_open(f"{self.order.access_url}?access_token=not-the-token")
        self.assertNotIn("鼓风机总成", wrong_token.text)

    def test_settled_order_shows_invoice_and_payment(self):
        self.quote.with_user(self.user_advisor).action_decide(
            decisions={line.id: "approved" for line in self.quote.line_ids}, signature=SIGNATURE)
        self._work_and_check(self.order)
        invoice = self.order.with_user(self.user_advisor)._create_invoices()
        self.assertEqual(self.order.state, "ready", "settled: the car waits for the payment")

        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(self.order.access_url)
        tree = html.fromstring(page.content)
        self.assertEqual(tree.xpath("//section[@id='service_order_progress']//li[@aria-current='step']")[0]
                         .text_content().strip(), "Ready for Delivery")
        invoices = tree.xpath("//section[@id='service_order_invoices']")
        self.assertTrue(invoices, "the invoices are listed once settled")
        self.assertIn(invoice.name, invoices[0].text_content())
        self.assertIn("Not Paid", invoices[0].text_content())

        self._release(self.order)
        tree = html.fromstring(self.url_open(self.order.access_url).content)
        steps = tree.xpath("//section[@id='service_order_progress']//li")
        self.assertEqual(steps[-1].get("aria-current"), "step")
        self.assertEqual(steps[-1].text_content().strip(), "Settled")
        self.assertNotIn("Delivered", [step.text_content().strip() for step in steps], "not a step any more")
