import json
from urllib.parse import quote, urlencode

from lxml import html

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_amount

from .common import SIGNATURE, ServiceOrderCase

PUBLIC_URL = "https://service.tianfu-auto.example.com"


@tagged("post_install", "-at_install")
class TestCustomerLink(ServiceOrderCase, HttpCase):
    """The advisor gives the customer his order's link at the desk (copy, QR
    code, preview) or by SMS, on the company's public address; the customer
    decides on it as himself, in his language."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("web.base.url", "http://localhost:8069")
        self.order = self._quoted_order()

    def _quoted_order(self):
        order = self._received_order(lines=0)
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        self.labour, self.part = Line.create([
            {"order_id": order.id, "line_type": "labour", "name": "更换刹车片", "quantity": 1, "price_unit": 200},
            {"order_id": order.id, "line_type": "part", "name": "前刹车片", "quantity": 1, "price_unit": 1000,
             "is_oem": True},
        ])
        order.with_user(self.user_advisor).action_send_quote()
        return order

    # ------------------------------------------------------------ address

    def test_public_address_of_the_company(self):
        company = self.order.company_id.sudo()
        self.assertEqual(self.order.get_base_url(), "http://localhost:8069", "none set: the server's own")
        self.assertIn("http://localhost:8069", company._autorepair_workshop_link_warning())
        company.autorepair_workshop_public_url = PUBLIC_URL + "/"
        self.assertEqual(company.autorepair_workshop_public_url, PUBLIC_URL, "typed with a final slash or not")
        self.assertEqual(self.order.get_base_url(), PUBLIC_URL)
        self.assertFalse(company._autorepair_workshop_link_warning())
        for address in ("service.example.com", "ftp://service.example.com", "https://x.example.com/?a=1"):
            with self.assertRaises(ValidationError):
                company.autorepair_workshop_public_url = address
        for local in ("http://localhost:8069", "http://127.0.0.1", "http://192.168.1.20:8069", "http://odoo:8069"):
            self.assertTrue(company._autorepair_workshop_link_warning(local), local)
        settings = self.env["res.config.settings"].with_company(company).create({})
        self.assertFalse(settings.autorepair_workshop_link_warning)
        settings.autorepair_workshop_public_url = "http://192.168.1.20:8069"
        self.assertIn("192.168.1.20", settings.autorepair_workshop_link_warning, "warned before saving")

    def test_sms_amount_as_money_and_public_link(self):
        self.order.company_id.sudo().autorepair_workshop_public_url = PUBLIC_URL
        order = self._quoted_order()
        sms = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)], order="id desc", limit=1)
        amount = order.quote_awaiting_amount
        self.assertGreater(amount, 1000)
        self.assertEqual(amount, order.quote_ids.amount_quoted)
        self.assertIn(f"({format_amount(self.env, amount, order.currency_id)})", sms.body)
        self.assertIn(f"{amount:,.2f}", sms.body, "thousands separated, two decimals")
        self.assertIn(f"{PUBLIC_URL}/my/service_orders/{order.id}?access_token=", sms.body)
        self.assertNotIn("localhost", sms.body)

    # ------------------------------------------------------------ link at the desk

    def test_link_copy_qr_code_and_preview(self):
        action = self.order.with_user(self.user_advisor).action_open_customer_link()
        self.assertEqual(action["res_model"], "autorepair.customer.link.wizard")
        wizard = self.env[action["res_model"]].with_user(self.user_advisor).with_context(**action["context"]).create({})
        self.assertEqual(wizard.link, f"http://localhost:8069{self.order.get_portal_url()}")
        self.assertIn("localhost", wizard.warning, "the advisor is told the customer's phone cannot open it")
        self.assertEqual(wizard.quote_awaiting_amount, self.order.quote_ids.amount_quoted)
        self.assertTrue(wizard.qr_code_url.startswith(
            f"/report/barcode/?barcode_type=QR&value={quote(wizard.link, safe='')}"), wizard.qr_code_url)
        qr_code = self.url_open(wizard.qr_code_url)
        self.assertEqual((qr_code.status_code, qr_code.headers["Content-Type"]), (200, "image/png"))

        self.order.company_id.sudo().autorepair_workshop_public_url = PUBLIC_URL
        wizard.invalidate_recordset()
        self.assertTrue(wizard.link.startswith(f"{PUBLIC_URL}/my/service_orders/{self.order.id}?access_token="))
        self.assertFalse(wizard.warning)
        preview = wizard.action_preview()
        self.assertEqual((preview["type"], preview["target"]), ("ir.actions.act_url", "new"))
        self.assertTrue(preview["url"].startswith(f"/my/service_orders/{self.order.id}?access_token="),
                        "opened on the advisor's own address and session")
        self.assertIn("&preview=1", preview["url"])

        arch = self.env["autorepair.service.order"].with_user(self.user_advisor).get_views(
            [(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_open_customer_link"', arch)
        self.assertNotIn('name="action_open_customer_link"', self.env["autorepair.service.order"].with_user(
            self.user_technician).get_views([(False, "form")])["views"]["form"]["arch"])

    def test_link_handed_out_by_advisors_and_managers_only(self):
        self.order.with_user(self.user_manager).action_open_customer_link()
        for user in (self.user_technician, self.user_inspector):
            with self.assertRaises(AccessError):
                self.order.with_user(user).action_open_customer_link()
            with self.assertRaises(AccessError):
                self.env["autorepair.customer.link.wizard"].with_user(user).create({"order_id": self.order.id})

    def test_preview_shows_the_customers_page_without_deciding(self):
        self.authenticate(self.user_advisor.login, self.user_advisor.login)
        link = self.order.get_portal_url()
        staff_page = html.fromstring(self.url_open(link).content)
        self.assertFalse(staff_page.xpath("//input[@type='radio']"), "staff do not decide on the portal")

        choices = {f"decision_{self.labour.id}": "approved", f"decision_{self.part.id}": "approved"}
        page = html.fromstring(self.url_open(f"{link}&preview=1&{urlencode(choices)}").content)
        self.assertTrue(page.xpath("//div[@id='service_order_preview']"))
        radios = page.xpath("//input[@type='radio']")
        self.assertEqual(len(radios), 6, "every line with its choices, as the customer sees them")
        self.assertTrue(all(radio.xpath("ancestor::fieldset[@disabled]") for radio in radios), "shown, not usable")
        self.assertFalse(page.xpath("//div[@id='service_order_review']"), "no review, nothing to sign")
        self.assertIn("前刹车片", page.text_content())

        call_url = self.order.get_portal_url(suffix="/decide", query_string="&preview=1&" + urlencode(choices))
        result = self.make_jsonrpc_request(call_url, {"name": "张伟", "signature": SIGNATURE})
        self.assertIn("staff record it at the desk", result.get("error", ""))
        self.assertEqual(self.order.quote_ids.state, "sent")

    # ------------------------------------------------------------ the customer on the link

    def test_customer_without_login_is_the_author(self):
        """Through the SMS link, without logging in: the decision and the state
        change it brings are the customer's, not the public user's."""
        public_partner = self.env.ref("base.public_partner")
        before = self.order.message_ids
        choices = {f"decision_{self.labour.id}": "approved", f"decision_{self.part.id}": "declined"}
        review = self.url_open(f"{self.order.get_portal_url()}&{urlencode(choices)}")
        component = html.fromstring(review.content).xpath("//owl-component[@name='portal.signature_form']")[0]
        result = self.make_jsonrpc_request(json.loads(component.get("props"))["callUrl"],
                                           {"name": "张伟", "signature": SIGNATURE})
        self.assertTrue(result.get("force_refresh"), result)
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "approved")
        messages = (self.order.message_ids - before).sudo()
        self.assertTrue(messages.filtered("tracking_value_ids"), "the state change is in the chatter")
        self.assertEqual(messages.author_id, self.customer, "every message names the customer")
        self.assertNotIn(public_partner, messages.author_id)

    def test_portal_speaks_the_page_language(self):
        """The portal chatter's own words (mail's "The conversation is empty.")
        are loaded on the portal with the page's language."""
        modules = self.url_open("/website/translations/1?lang=en_US").json()["modules"]
        self.assertIn("mail", modules)
        self.assertIn("portal", modules)

    def test_no_placeholder_logo_on_the_portal(self):
        """A dealer without its own logo shows its name, not "Your logo"."""
        company = self.env.ref("base.main_company")
        company.logo = company._get_logo()
        self.assertTrue(company.uses_default_logo)
        self.env["ir.qweb"].clear_caches()
        page = html.fromstring(self.url_open(self.order.get_portal_url()).content)
        brand = page.xpath("//a[hasclass('navbar-brand')]")[0]
        self.assertFalse(brand.xpath(".//img"))
        self.assertEqual(brand.text_content().strip(), company.name)
