from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.autorepair_channel.tests.wechat_server import APPID, SECRET, LocalWeChat

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestWechatBindingShown(ServiceOrderCase, HttpCase):
    """The customer's WeChat binding QR code on his portal page, his quote and
    his settlement statement, while he is not bound."""

    def setUp(self):
        super().setUp()
        self.wechat = LocalWeChat()
        self.wechat.server.start()
        self.addCleanup(self.wechat.server.stop)
        self.order = self._received_order()

    def _setup_account(self):
        self.env.company.write({"autorepair_wechat_app_id": APPID, "autorepair_wechat_app_secret": SECRET,
                                "autorepair_wechat_endpoint": self.wechat.server.url})

    def _report(self, report_ref):
        content, _type = self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(
            report_ref, self.order.ids)
        return html.fromstring(content)

    def test_quote_and_statement_show_the_code(self):
        for report_ref in ("autorepair_workshop.autorepair_service_order_report_quote",
                           "autorepair_workshop.autorepair_service_order_report_statement"):
            self.assertFalse(self._report(report_ref).xpath("//div[@name='wechat_binding']"),
                             "no official account: no code")
        self._setup_account()
        for report_ref in ("autorepair_workshop.autorepair_service_order_report_quote",
                           "autorepair_workshop.autorepair_service_order_report_statement"):
            [block] = self._report(report_ref).xpath("//div[@name='wechat_binding']")
            self.assertTrue(block.xpath(".//img")[0].get("src").startswith("data:image/png;base64,"))
        self.assertEqual(len(self.wechat.requests_to("/cgi-bin/qrcode/create")), 1, "one code per customer")
        self.customer.sudo()._autorepair_wechat_bind("oBound000000000000000000")
        self.assertFalse(self._report("autorepair_workshop.autorepair_service_order_report_quote").xpath(
            "//div[@name='wechat_binding']"), "bound: no code")

    def test_portal_shows_the_code_to_the_customer(self):
        self._setup_account()
        portal_user = new_test_user(
            self.env, login="so_portal_wx", groups="base.group_portal", name=self.customer.name,
            partner_id=self.customer.id, company_id=self.env.company.id, company_ids=self.env.company.ids)
        self.authenticate(portal_user.login, portal_user.login)
        page = self.url_open(self.order.access_url)
        self.assertEqual(page.status_code, 200)
        [img] = html.fromstring(page.content).xpath("//section[@id='service_order_wechat']//img")
        self.assertTrue(img.get("src").startswith("data:image/png;base64,"))
        # the advisor looking at the page gets no code of his customer's
        self.authenticate(self.user_advisor.login, self.user_advisor.login)
        page = self.url_open(self.order.access_url)
        self.assertFalse(html.fromstring(page.content).xpath("//section[@id='service_order_wechat']"))
