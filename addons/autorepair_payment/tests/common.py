import json
import re
from html import unescape

from odoo.tests import HttpCase

from odoo.addons.autorepair_payment.tests.platforms import LocalAlipay, LocalWeChatPay
from odoo.addons.autorepair_workshop.tests.common import ServiceOrderCase


class PaymentProviderCase(ServiceOrderCase, HttpCase):
    """The workshop's company with WeChat Pay and Alipay enabled against the
    platforms played on localhost, and a settled order whose invoice the
    customer pays from the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wechat = LocalWeChatPay()
        cls.alipay = LocalAlipay()
        for platform in (cls.wechat, cls.alipay):
            platform.server.start()
            cls.addClassCleanup(platform.server.stop)
        company = cls.company_data["company"]
        # the cashier's payment methods, one journal each, as a chart loaded with the workshop has them
        company._autorepair_cashier_journals()
        cls.provider_wechat = cls._autorepair_provider("autorepair_payment.payment_provider_wechatpay", company,
                                                       cls.wechat.provider_values())
        cls.provider_alipay = cls._autorepair_provider("autorepair_payment.payment_provider_alipay", company,
                                                       cls.alipay.provider_values())

    def setUp(self):
        super().setUp()
        # the platforms live for the class: each test reads its own requests
        self.wechat.server.requests.clear()
        self.alipay.server.requests.clear()

    @classmethod
    def _autorepair_provider(cls, xmlid, company, values):
        provider = cls.env.ref(xmlid).copy({"company_id": company.id})
        provider.write({**values, "state": "enabled"})
        provider.with_context(active_test=False).payment_method_ids.active = True
        return provider

    def _settled_invoice(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        invoice = self._settle(order).filtered(lambda move: move.partner_id == self.customer)
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.amount_residual > 0)
        return invoice

    def _pay_now(self, invoice, provider):
        """What the portal's Pay Now sends (account_payment's /invoice/transaction
        route, as the customer's browser calls it): the transaction and the
        redirect form, followed to the QR page."""
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "access_token": invoice._portal_ensure_token(), "provider_id": provider.id,
            "payment_method_id": provider.payment_method_ids[:1].id, "token_id": None,
            "amount": invoice.amount_residual, "flow": "redirect", "tokenization_requested": False,
            "landing_route": invoice.access_url, "is_validation": False,
        }}
        response = self.url_open(f"/invoice/transaction/{invoice.id}", data=json.dumps(payload),
                                 headers={"Content-Type": "application/json"})
        body = response.json()
        self.assertNotIn("error", body, body.get("error"))
        result = body["result"]
        tx = self.env["payment.transaction"].search([("reference", "=", result["reference"])])
        self.assertEqual(tx.invoice_ids, invoice)
        return tx, result.get("redirect_form_html")

    def _follow_redirect_form(self, html):
        action = re.search(r'action="([^"]+)"', html).group(1)
        inputs = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))
        return self.url_open(unescape(action) + "?" + "&".join(f"{k}={v}" for k, v in inputs.items()))

    def _assert_paid(self, tx, invoice, journal):
        self.assertEqual(tx.state, "done")
        self.assertTrue(tx.payment_id, "the payment is posted at once")
        self.assertIn(tx.payment_id.state, ("in_process", "paid"))
        self.assertEqual(tx.payment_id.journal_id, journal)
        self.assertEqual(tx.payment_id.amount, tx.amount)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertFalse(invoice.amount_residual)
        self.assertEqual(tx.payment_id.reconciled_invoice_ids, invoice)
        # where the workshop keeps one journal per cashier method, the provider's payments go to it
        method = {"wechatpay": "wechat", "alipay": "alipay"}[tx.provider_code]
        method_journal = self.env["account.journal"].search([("company_id", "=", tx.company_id.id),
                                                             ("autorepair_payment_method", "=", method)])
        self.assertEqual(tx.payment_id.journal_id, method_journal)
