import json
import logging
import re
from urllib.parse import urljoin

from odoo import fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from odoo.addons.payment import utils as payment_utils

_logger = logging.getLogger(__name__)

try:
    from alipay.exceptions import AliPayException, AliPayValidationError
except ImportError:  # pragma: no cover
    AliPayException = AliPayValidationError = Exception

# Where the platforms send their notifications, and the page that shows the QR code.
WECHATPAY_NOTIFY_URL = "/payment/wechatpay/notify"
ALIPAY_NOTIFY_URL = "/payment/alipay/notify"
QR_URL = "/payment/autorepair/qr"
# Trade states that mean paid: WeChat Pay's trade_state, Alipay's trade_status.
WECHATPAY_PAID = ("SUCCESS",)
ALIPAY_PAID = ("TRADE_SUCCESS", "TRADE_FINISHED")
ALIPAY_CLOSED = ("TRADE_CLOSED",)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    autorepair_qr_code = fields.Char(
        string="Payment QR Code", readonly=True, copy=False,
        help="The code the platform returned for this payment (WeChat Pay's code_url, Alipay's qr_code): "
             "the customer scans it with the app.")

    def _compute_reference(self, provider_code, prefix=None, separator="-", **kwargs):
        """Both platforms take letters, digits and underscores in the merchant's
        order number (WeChat Pay out_trade_no: 6-32 characters; Alipay: 64),
        where Odoo's references carry the invoice's slashes."""
        if provider_code not in ("wechatpay", "alipay"):
            return super()._compute_reference(provider_code, prefix=prefix, separator=separator, **kwargs)
        prefix = prefix or self.sudo()._compute_reference_prefix(provider_code, "_", **kwargs) \
            or payment_utils.singularize_reference_prefix()
        prefix = re.sub(r"[^A-Za-z0-9_]", "_", prefix)[:26]
        return super()._compute_reference(provider_code, prefix=prefix, separator="_", **kwargs)

    # === OUTGOING: the order at the platform, its QR code === #

    def _get_specific_rendering_values(self, processing_values):
        """Create the payment at the platform (WeChat Pay Native, Alipay
        precreate), keep its QR code and send the customer to the page showing it."""
        values = super()._get_specific_rendering_values(processing_values)
        if self.provider_code not in ("wechatpay", "alipay"):
            return values
        if self.provider_code == "wechatpay":
            self.autorepair_qr_code = self._wechatpay_create_native()
        else:
            self.autorepair_qr_code = self._alipay_precreate()
        return {
            "api_url": urljoin(self.provider_id.get_base_url(), QR_URL),
            "reference": self.reference,
            "access_token": payment_utils.generate_access_token(self.reference),
        }

    def _autorepair_subject(self):
        """The order's description shown in the customer's app."""
        return self.env._("%(company)s %(reference)s", company=self.company_id.name, reference=self.reference)[:127]

    def _wechatpay_create_native(self):
        client = self.provider_id._autorepair_client()
        try:
            status, message = client.pay(
                description=self._autorepair_subject(), out_trade_no=self.reference,
                amount={"total": payment_utils.to_minor_currency_units(self.amount, self.currency_id),
                        "currency": self.currency_id.name},
                notify_url=urljoin(self.provider_id.get_base_url(), WECHATPAY_NOTIFY_URL))
            answer = json.loads(message) if isinstance(message, str) and message else {}
        except Exception as error:  # the SDK raises bare Exceptions (signature, network)
            _logger.warning("WeChat Pay order %s failed: %s", self.reference, error)
            raise ValidationError(self.env._(
                "WeChat Pay cannot be reached now; please try again or pay at the cashier.")) from error
        if status != 200 or not answer.get("code_url"):
            _logger.warning("WeChat Pay refused order %s: %s %s", self.reference, status, message)
            raise ValidationError(self.env._(
                "WeChat Pay refused the payment: %(reason)s", reason=answer.get("message") or status))
        return answer["code_url"]

    def _alipay_precreate(self):
        client = self.provider_id._autorepair_client()
        try:
            answer = client.api_alipay_trade_precreate(
                subject=self._autorepair_subject(), out_trade_no=self.reference,
                total_amount=self._alipay_amount(),
                notify_url=urljoin(self.provider_id.get_base_url(), ALIPAY_NOTIFY_URL))
        except AliPayValidationError as error:
            _logger.warning("Alipay answer for %s with a bad signature", self.reference)
            raise ValidationError(self.env._(
                "Alipay's answer could not be verified; please pay at the cashier.")) from error
        except AliPayException as error:
            _logger.warning("Alipay refused order %s: %s", self.reference, error)
            raise ValidationError(self.env._("Alipay refused the payment: %(reason)s", reason=error.message)) \
                from error
        except OSError as error:
            _logger.warning("Alipay order %s failed: %s", self.reference, error)
            raise ValidationError(self.env._(
                "Alipay cannot be reached now; please try again or pay at the cashier.")) from error
        if answer.get("code") != "10000" or not answer.get("qr_code"):
            raise ValidationError(self.env._(
                "Alipay refused the payment: %(reason)s", reason=answer.get("sub_msg") or answer.get("msg")))
        return answer["qr_code"]

    def _alipay_amount(self):
        """Alipay's total_amount: yuan with two decimals."""
        return f"{self.currency_id.round(self.amount):.2f}"

    # === INCOMING: notifications, already verified by the controller === #

    def _get_tx_from_notification_data(self, provider_code, notification_data):
        tx = super()._get_tx_from_notification_data(provider_code, notification_data)
        if provider_code not in ("wechatpay", "alipay") or len(tx) == 1:
            return tx
        reference = notification_data.get("out_trade_no")
        tx = self.search([("reference", "=", reference), ("provider_code", "=", provider_code)])
        if not tx:
            raise ValidationError(self.env._("No transaction found matching reference %(reference)s.",
                                             reference=reference))
        return tx

    def _process_notification_data(self, notification_data):
        """A verified notification: the paid amount must be the transaction's,
        for this provider's merchant; then the transaction is done (once: Odoo
        skips a transaction already done when a notification is replayed)."""
        result = super()._process_notification_data(notification_data)
        if self.provider_code == "wechatpay":
            self._wechatpay_process(notification_data)
        elif self.provider_code == "alipay":
            self._alipay_process(notification_data)
        return result

    def _wechatpay_process(self, data):
        provider = self.provider_id.sudo()
        total = (data.get("amount") or {}).get("total")
        if data.get("mchid") != provider.wechatpay_mchid or data.get("appid") != provider.wechatpay_appid:
            raise ValidationError(self.env._("The notification is for another merchant."))
        if total != payment_utils.to_minor_currency_units(self.amount, self.currency_id):
            raise ValidationError(self.env._("The notified amount differs from the transaction's."))
        self.provider_reference = data.get("transaction_id")
        state = data.get("trade_state")
        if state in WECHATPAY_PAID:
            self._set_done()
        elif state in ("CLOSED", "REVOKED"):
            self._set_canceled()
        elif state == "PAYERROR":
            self._set_error(self.env._("WeChat Pay: %(reason)s", reason=data.get("trade_state_desc") or state))
        else:
            self._set_pending()

    def _alipay_process(self, data):
        provider = self.provider_id.sudo()
        if data.get("app_id") != provider.alipay_app_id:
            raise ValidationError(self.env._("The notification is for another merchant."))
        if float_compare(float(data.get("total_amount") or 0), self.amount,
                         precision_rounding=self.currency_id.rounding):
            raise ValidationError(self.env._("The notified amount differs from the transaction's."))
        self.provider_reference = data.get("trade_no")
        status = data.get("trade_status")
        if status in ALIPAY_PAID:
            self._set_done()
        elif status in ALIPAY_CLOSED:
            self._set_canceled()
        else:
            self._set_pending()
