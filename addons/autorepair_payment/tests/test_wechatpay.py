import json
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_payment.tests.common import PaymentProviderCase
from odoo.addons.autorepair_payment.tests.platforms import rsa_key, sign

NOTIFY = "/payment/wechatpay/notify"


@tagged("post_install", "-at_install")
class TestWeChatPay(PaymentProviderCase):

    def _ordered(self):
        invoice = self._settled_invoice()
        tx, html = self._pay_now(invoice, self.provider_wechat)
        return invoice, tx, html

    def _notify(self, headers, body, refused=True):
        if not refused:
            return self.url_open(NOTIFY, data=body, headers=headers)
        with mute_logger("odoo.addons.autorepair_payment.controllers.main"):
            return self.url_open(NOTIFY, data=body, headers=headers)

    def test_native_order_as_documented(self):
        """Pay Now places a Native order signed by the merchant (the local
        platform checks the WECHATPAY2-SHA256-RSA2048 signature), verifies the
        platform's signed answer and shows its code_url as a QR code."""
        invoice, tx, html = self._ordered()
        [request] = self.wechat.server.requests
        self.assertRegex(request["headers"]["authorization"],
                         r'^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="\w+",signature="[^"]+",'
                         r'timestamp="\d+",serial_no="444F4864EA9B34415D4F5A7C5F4C1A12AB3C4D5E"$')
        order = request["json"]
        self.assertEqual(order["out_trade_no"], tx.reference)
        self.assertRegex(tx.reference, r"^[A-Za-z0-9_]{6,32}$", "no slash of the invoice's number")
        self.assertEqual(order["amount"]["total"], round(invoice.amount_residual * 100))
        self.assertTrue(order["notify_url"].endswith(NOTIFY))
        self.assertIn(self.company_data["company"].name, order["description"])
        self.assertTrue(tx.autorepair_qr_code.startswith("weixin://wxpay/bizpayurl?pr="))
        self.assertEqual(tx.state, "draft")
        page = self._follow_redirect_form(html)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Scan with WeChat to pay", page.text)
        self.assertIn("/report/barcode/?barcode_type=QR", page.text)
        with mute_logger("odoo.http"):
            forged = self.url_open(f"/payment/autorepair/qr?reference={tx.reference}&access_token=forged")
        self.assertEqual(forged.status_code, 403)

    def test_platform_refusal_or_bad_answer_is_shown(self):
        """A platform answer not signed by the platform certificate is not trusted."""
        invoice = self._settled_invoice()
        # the answers now carry another key's signature
        with patch.object(self.wechat, "platform_key", rsa_key()), \
                mute_logger("odoo.http", "odoo.addons.autorepair_payment.models.payment_transaction"):
            response = self.url_open(f"/invoice/transaction/{invoice.id}", data=json.dumps({
                "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                    "access_token": invoice._portal_ensure_token(), "provider_id": self.provider_wechat.id,
                    "payment_method_id": self.provider_wechat.payment_method_ids[:1].id, "token_id": None,
                    "amount": invoice.amount_residual, "flow": "redirect", "tokenization_requested": False,
                    "landing_route": invoice.access_url, "is_validation": False}}),
                headers={"Content-Type": "application/json"})
        error = response.json()["error"]["data"]
        self.assertIn("WeChat Pay cannot be reached now", error["message"])

    def test_good_notification_pays_and_reconciles(self):
        invoice, tx, _html = self._ordered()
        headers, body = self.wechat.notification(tx.reference)
        response = self._notify(headers, body, refused=False)
        self.assertEqual(response.status_code, 204, response.text)
        self._assert_paid(tx, invoice, self.provider_wechat.journal_id)
        self.assertTrue(tx.provider_reference.startswith("42000000"))
        self.assertEqual(tx.payment_id.payment_method_line_id.payment_provider_id, self.provider_wechat)

    def test_bad_signature_refused_nothing_changes(self):
        invoice, tx, _html = self._ordered()
        headers, body = self.wechat.notification(tx.reference, key=rsa_key())
        response = self._notify(headers, body)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "FAIL")
        self.assertEqual(tx.state, "draft")
        self.assertFalse(tx.payment_id)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_tampered_body_refused(self):
        """The body changed after signing (another order's number) does not verify."""
        invoice, tx, _html = self._ordered()
        headers, body = self.wechat.notification(tx.reference)
        tampered = json.loads(body)
        tampered["event_type"] = "TRANSACTION.SUCCESS "
        self.assertEqual(self._notify(headers, json.dumps(tampered)).status_code, 401)
        # a resource not encrypted with the APIv3 key: the signature is right, decryption fails
        data = json.loads(body)
        data["resource"]["ciphertext"] = data["resource"]["ciphertext"][:-4] + "AAAA"
        body2 = json.dumps(data)
        headers2 = dict(headers)
        headers2["Wechatpay-Signature"] = sign(
            self.wechat.platform_key,
            f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n{body2}\n")
        self.assertEqual(self._notify(headers2, body2).status_code, 401)
        unsigned = {k: v for k, v in headers.items() if k != "Wechatpay-Signature"}
        self.assertEqual(self._notify(unsigned, body).status_code, 401)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(tx.payment_id)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_wrong_amount_refused(self):
        """Signed by the platform but for another amount: the transaction is not done."""
        invoice, tx, _html = self._ordered()
        headers, body = self.wechat.notification(tx.reference, amount={"total": 1, "currency": "CNY"})
        self.assertEqual(self._notify(headers, body).status_code, 400)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(tx.provider_reference)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_replayed_notification_pays_once(self):
        invoice, tx, _html = self._ordered()
        headers, body = self.wechat.notification(tx.reference)
        self.assertEqual(self._notify(headers, body, refused=False).status_code, 204)
        payment = tx.payment_id
        self.assertEqual(self._notify(headers, body, refused=False).status_code, 204)
        # WeChat Pay resends until acknowledged, with a fresh signature
        headers2, body2 = self.wechat.notification(tx.reference)
        self.assertEqual(self._notify(headers2, body2, refused=False).status_code, 204)
        self.assertEqual(tx.payment_id, payment)
        self.assertEqual(self.env["account.payment"].search_count([("payment_transaction_id", "=", tx.id)]), 1)
        self._assert_paid(tx, invoice, self.provider_wechat.journal_id)

    def test_stale_notification_refused(self):
        invoice, tx, _html = self._ordered()
        headers, body = self.wechat.notification(tx.reference)
        headers["Wechatpay-Timestamp"] = str(int(headers["Wechatpay-Timestamp"]) - 3600)
        self.assertEqual(self._notify(headers, body).status_code, 401)
        self.assertEqual(tx.state, "draft")
