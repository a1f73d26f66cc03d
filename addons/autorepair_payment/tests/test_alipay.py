from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_payment.tests.common import PaymentProviderCase
from odoo.addons.autorepair_payment.tests.platforms import rsa_key

NOTIFY = "/payment/alipay/notify"


@tagged("post_install", "-at_install")
class TestAlipay(PaymentProviderCase):

    def _ordered(self):
        invoice = self._settled_invoice()
        tx, html = self._pay_now(invoice, self.provider_alipay)
        return invoice, tx, html

    def _notify(self, params):
        with mute_logger("odoo.addons.autorepair_payment.controllers.main"):
            return self.url_open(NOTIFY, data=params)

    def test_precreate_as_documented(self):
        """Pay Now calls alipay.trade.precreate signed RSA2 with the application
        key (checked by the local gateway), verifies Alipay's signed answer and
        shows its qr_code."""
        invoice, tx, html = self._ordered()
        [request] = self.alipay.server.requests
        params = {k: v[0] for k, v in request["query"].items()}
        self.assertEqual(params["method"], "alipay.trade.precreate")
        self.assertEqual(params["sign_type"], "RSA2")
        order = self.alipay.orders[tx.reference]
        self.assertEqual(order["total_amount"], f"{invoice.amount_residual:.2f}")
        self.assertTrue(order["notify_url"].endswith(NOTIFY))
        self.assertTrue(tx.autorepair_qr_code.startswith("https://qr.alipay.com/"))
        page = self._follow_redirect_form(html)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Scan with Alipay to pay", page.text)
        self.assertIn(tx.autorepair_qr_code, page.text, "the link that opens Alipay on a phone")

    def test_good_notification_pays_and_reconciles(self):
        invoice, tx, _html = self._ordered()
        response = self._notify(self.alipay.notification(tx.reference))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text, "success")
        self._assert_paid(tx, invoice, self.provider_alipay.journal_id)
        self.assertTrue(tx.provider_reference.startswith("2026120222001"))

    def test_bad_signature_refused_nothing_changes(self):
        invoice, tx, _html = self._ordered()
        response = self._notify(self.alipay.notification(tx.reference, key=rsa_key()))
        self.assertEqual(response.status_code, 400)
        self.assertNotEqual(response.text, "success")
        self.assertEqual(tx.state, "draft")
        self.assertFalse(tx.payment_id)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_tampered_parameters_refused(self):
        invoice, tx, _html = self._ordered()
        params = self.alipay.notification(tx.reference, trade_status="WAIT_BUYER_PAY")
        params["trade_status"] = "TRADE_SUCCESS"
        self.assertEqual(self._notify(params).status_code, 400)
        params = self.alipay.notification(tx.reference)
        params.pop("sign")
        self.assertEqual(self._notify(params).status_code, 400)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(tx.payment_id)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_wrong_amount_refused(self):
        invoice, tx, _html = self._ordered()
        self.assertEqual(self._notify(self.alipay.notification(tx.reference, total_amount="0.01")).status_code, 400)
        self.assertEqual(tx.state, "draft")
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_replayed_notification_pays_once(self):
        invoice, tx, _html = self._ordered()
        params = self.alipay.notification(tx.reference)
        self.assertEqual(self._notify(params).text, "success")
        payment = tx.payment_id
        self.assertEqual(self._notify(params).text, "success", "acknowledged, so that Alipay stops resending")
        self.assertEqual(tx.payment_id, payment)
        self.assertEqual(self.env["account.payment"].search_count([("payment_transaction_id", "=", tx.id)]), 1)
        self._assert_paid(tx, invoice, self.provider_alipay.journal_id)
