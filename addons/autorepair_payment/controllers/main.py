import json
import logging
import time

from werkzeug.exceptions import Forbidden, NotFound

from odoo import SUPERUSER_ID, http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.payment import utils as payment_utils

from ..models.payment_transaction import (
    ALIPAY_NOTIFY_URL,
    QR_URL,
    WECHATPAY_NOTIFY_URL,
)

_logger = logging.getLogger(__name__)

# WeChat Pay signs a timestamp: older notifications are refused as replays (its
# guide: 5 minutes); a notification replayed within them finds its transaction done.
WECHATPAY_MAX_AGE = 300


class AutorepairPaymentController(http.Controller):

    @http.route(QR_URL, type="http", auth="public", methods=["GET"], website=True, sitemap=False)
    def autorepair_payment_qr(self, reference=None, access_token=None, **_query):
        """The QR code of a payment, for the customer to scan with WeChat or Alipay."""
        if not reference or not payment_utils.check_access_token(access_token, reference):
            raise Forbidden()
        tx_sudo = request.env["payment.transaction"].sudo().search([
            ("reference", "=", reference), ("provider_code", "in", ("wechatpay", "alipay"))], limit=1)
        if not tx_sudo or not tx_sudo.autorepair_qr_code:
            raise NotFound()
        return request.render("autorepair_payment.qr_page", {"tx": tx_sudo})

    # === WeChat Pay: JSON body, signed headers, resource encrypted with the APIv3 key === #

    @http.route(WECHATPAY_NOTIFY_URL, type="http", auth="public", methods=["POST"], csrf=False,
                save_session=False)
    def wechatpay_notify(self):
        """WeChat Pay's payment notification (支付通知): the signature over
        timestamp\\nnonce\\nbody\\n is checked with the platform certificate
        before the resource is decrypted; only then is the transaction done and
        its payment posted. Anything else is refused and changes nothing."""
        body = request.httprequest.get_data(as_text=True)
        headers = request.httprequest.headers
        serial, timestamp = headers.get("Wechatpay-Serial"), headers.get("Wechatpay-Timestamp")
        if not (serial and timestamp and headers.get("Wechatpay-Signature") and headers.get("Wechatpay-Nonce")):
            return self._wechatpay_refuse(401, "unsigned notification")
        try:
            serial_number, age = int(serial, 16), abs(time.time() - int(timestamp))
        except ValueError:
            return self._wechatpay_refuse(401, "malformed signature headers")
        if age > WECHATPAY_MAX_AGE:
            return self._wechatpay_refuse(401, "stale notification")
        provider = self._wechatpay_provider(serial_number)
        if not provider:
            return self._wechatpay_refuse(401, f"unknown platform certificate {serial}")
        try:
            data = provider._autorepair_client().callback(headers, body)
        except ValueError:  # signed, but not the JSON WeChat Pay sends
            data = None
        if not data or not isinstance(data.get("resource"), dict):
            return self._wechatpay_refuse(401, "bad signature or undecryptable resource")
        if not self._autorepair_handle(provider, "wechatpay", data["resource"]):
            return self._wechatpay_refuse(400, "notification not applicable")
        return request.make_response("", status=204)

    def _wechatpay_provider(self, serial_number):
        providers = request.env["payment.provider"].sudo().search([
            ("code", "=", "wechatpay"), ("state", "!=", "disabled")])
        for provider in providers:
            try:
                if provider._wechatpay_certificate().serial_number == serial_number:
                    return provider
            except ValidationError:
                continue
        return None

    def _wechatpay_refuse(self, status, reason):
        _logger.warning("WeChat Pay notification refused: %s", reason)
        payload = json.dumps({"code": "FAIL", "message": reason})
        return request.make_response(payload, headers=[("Content-Type", "application/json")], status=status)

    # === Alipay: form parameters signed RSA2 over the sorted parameters === #

    @http.route(ALIPAY_NOTIFY_URL, type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def alipay_notify(self, **_form):
        """Alipay's asynchronous notification (异步通知): RSA2 over the sorted
        parameters (without sign and sign_type) with Alipay's public key; Alipay
        stops resending when it reads "success"."""
        params = request.httprequest.form.to_dict()
        signature = params.pop("sign", None)
        if not signature or params.get("sign_type") != "RSA2":
            return self._alipay_refuse("unsigned notification")
        providers = request.env["payment.provider"].sudo().search([
            ("code", "=", "alipay"), ("state", "!=", "disabled"), ("alipay_app_id", "=", params.get("app_id"))])
        provider = next((p for p in providers if self._alipay_verified(p, params, signature)), None)
        if not provider:
            return self._alipay_refuse("bad signature")
        if not self._autorepair_handle(provider, "alipay", params):
            return self._alipay_refuse("notification not applicable")
        return request.make_response("success", headers=[("Content-Type", "text/plain")])

    @staticmethod
    def _alipay_verified(provider, params, signature):
        try:
            return provider._autorepair_client().verify(dict(params), signature)
        except (ValueError, TypeError) as error:  # an undecodable signature
            _logger.warning("Alipay signature unreadable: %s", error)
            return False

    def _alipay_refuse(self, reason):
        _logger.warning("Alipay notification refused: %s", reason)
        return request.make_response("fail", headers=[("Content-Type", "text/plain")], status=400)

    # === both === #

    def _autorepair_handle(self, provider, code, data):
        """Apply a verified notification to its transaction of this provider and
        post the payment at once (the cashier sees the invoice paid before the car
        leaves); False when it does not apply. A replay finds the transaction done
        and its payment posted: nothing is added."""
        try:
            with request.env.cr.savepoint():
                tx_sudo = request.env["payment.transaction"].sudo()._get_tx_from_notification_data(code, data)
                if tx_sudo.provider_id != provider:
                    raise ValidationError(request.env._("The notification is for another merchant."))
                tx_sudo._process_notification_data(data)
        except ValidationError as error:
            _logger.warning("%s notification not applied: %s", code, error)
            return False
        if tx_sudo.state == "done" and not tx_sudo.is_post_processed:
            try:
                with request.env.cr.savepoint():
                    # as Odoo's post-processing cron does: the payment, and what it
                    # triggers (the customer's member points), are not the public user's
                    tx_sudo.with_user(SUPERUSER_ID)._post_process()
            except Exception:  # the transaction stays done: Odoo's cron posts the payment later
                _logger.exception("payment of transaction %s left to the post-processing cron", tx_sudo.reference)
        return True
