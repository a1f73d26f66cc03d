import logging
import os
import tempfile

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

try:  # the providers' SDKs (requirements.txt); without them the providers cannot be enabled
    from alipay import AliPay
    from alipay.utils import AliPayConfig
    from cryptography.x509 import load_pem_x509_certificate
    from wechatpayv3 import WeChatPay, WeChatPayType
except ImportError:  # pragma: no cover
    AliPay = AliPayConfig = WeChatPay = WeChatPayType = load_pem_x509_certificate = None

# The merchant's keys sign requests in the dealer's name and verify what the platform
# sends: read and written by system administrators only, used as the superuser.
SECRET = "base.group_system"

# The platforms' production gateways; the provider's own address (for a proxy, or
# a platform played locally by the tests) replaces them.
WECHATPAY_GATEWAY = "https://api.mch.weixin.qq.com"
ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do"
ALIPAY_SANDBOX_GATEWAY = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
# seconds the platform has to answer (Alipay's SDK takes it; WeChat Pay's has no setting)
TIMEOUT = 15

# The payment method (payment module's) each provider offers by default.
DEFAULT_PAYMENT_METHOD_CODES = {"wechatpay": {"wechat_pay"}, "alipay": {"alipay"}}
# The cashier's method (account.journal.autorepair_payment_method) whose journal
# takes the provider's payments, so each method's takings reconcile in one journal.
JOURNAL_METHODS = {"wechatpay": "wechat", "alipay": "alipay"}


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    code = fields.Selection(
        selection_add=[("wechatpay", "WeChat Pay"), ("alipay", "Alipay")],
        ondelete={"wechatpay": "set default", "alipay": "set default"})
    autorepair_gateway_url = fields.Char(
        string="Gateway Address", groups=SECRET,
        help="Leave empty for the platform's own gateway (Alipay's sandbox in test mode). Set only to go "
             "through a proxy.")
    # WeChat Pay API v3, direct merchant (直连商户), Native payment
    wechatpay_mchid = fields.Char(
        string="Merchant ID", required_if_provider="wechatpay", groups=SECRET,
        help="The merchant number (商户号) WeChat Pay gave the dealer.")
    wechatpay_appid = fields.Char(
        string="AppID", required_if_provider="wechatpay", groups=SECRET,
        help="The AppID of the official account or app bound to the merchant number.")
    wechatpay_serial_no = fields.Char(
        string="Merchant Certificate Serial Number", required_if_provider="wechatpay", groups=SECRET)
    wechatpay_private_key = fields.Text(
        string="Merchant Private Key", required_if_provider="wechatpay", groups=SECRET,
        help="The content of apiclient_key.pem: it signs every request in the dealer's name.")
    wechatpay_apiv3_key = fields.Char(
        string="APIv3 Key", required_if_provider="wechatpay", groups=SECRET,
        help="The 32-character key set in the merchant platform: it decrypts the payment notifications.")
    wechatpay_platform_cert = fields.Text(
        string="WeChat Pay Platform Certificate", required_if_provider="wechatpay", groups=SECRET,
        help="The platform certificate (PEM) whose key signs WeChat Pay's answers and notifications.")
    # Alipay open platform, RSA2 public-key mode
    alipay_app_id = fields.Char(
        string="Alipay App ID", required_if_provider="alipay", groups=SECRET)
    alipay_app_private_key = fields.Text(
        string="Application Private Key", required_if_provider="alipay", groups=SECRET,
        help="The application's RSA2 private key (PEM): it signs every request in the dealer's name.")
    alipay_public_key = fields.Text(
        required_if_provider="alipay", groups=SECRET,
        help="Alipay's public key (PEM), which verifies Alipay's answers and notifications.")

    @api.constrains("state", "wechatpay_private_key", "wechatpay_platform_cert", "alipay_app_private_key",
                    "alipay_public_key")
    def _check_autorepair_keys(self):
        """Keys that do not load are refused when entered, not at the customer's payment."""
        for provider in self.filtered(lambda p: p.code in JOURNAL_METHODS and p.state != "disabled").sudo():
            try:
                provider._autorepair_client()
            except ValidationError:
                raise
            except Exception as error:  # the SDKs raise bare Exceptions on a bad key
                raise ValidationError(self.env._(
                    "The keys of %(provider)s cannot be read: %(error)s",
                    provider=provider.name, error=error)) from error

    # === COMPUTES === #

    def _compute_journal_id(self):
        """The provider's payments go to the journal of the cashier's method (WeChat
        Pay, Alipay) of its company when there is one, else to Odoo's default."""
        result = super()._compute_journal_id()
        Journal = self.env["account.journal"]
        for provider in self.filtered(lambda p: p.code in JOURNAL_METHODS and p.state in ("enabled", "test")):
            journal = Journal.search([
                ("company_id", "=", provider.company_id.id),
                ("autorepair_payment_method", "=", JOURNAL_METHODS[provider.code]),
            ], limit=1)
            if journal and provider.journal_id != journal:
                provider.journal_id = journal
                if provider.id:
                    provider._ensure_payment_method_line()
        return result

    # === BUSINESS METHODS === #

    def _get_supported_currencies(self):
        """Both platforms settle domestic merchants in renminbi."""
        currencies = super()._get_supported_currencies()
        if self.code in JOURNAL_METHODS:
            currencies = currencies.filtered(lambda c: c.name == "CNY")
        return currencies

    def _get_default_payment_method_codes(self):
        codes = super()._get_default_payment_method_codes()
        return DEFAULT_PAYMENT_METHOD_CODES.get(self.code, codes)

    def _autorepair_client(self):
        """The SDK's client of this provider (as the superuser: it reads the keys)."""
        self.ensure_one()
        if WeChatPay is None or AliPay is None:
            raise ValidationError(self.env._(
                "The WeChat Pay and Alipay SDKs are not installed on the server (wechatpayv3, python-alipay-sdk)."))
        provider = self.sudo()
        if provider.code == "wechatpay":
            return provider._wechatpay_client()
        return provider._alipay_client()

    def _wechatpay_client(self):
        """WeChat Pay's SDK with the provider's platform certificate: it reads
        certificates from a directory only (else downloads them), hence the
        temporary one; the certificate stays in memory."""
        with tempfile.TemporaryDirectory(prefix="wechatpay") as cert_dir:
            certificate = self._wechatpay_certificate()
            with open(os.path.join(cert_dir, f"{certificate.serial_number:X}.pem"), "w", encoding="utf-8") as file:
                file.write(self.wechatpay_platform_cert)
            client = WeChatPay(
                wechatpay_type=WeChatPayType.NATIVE, mchid=self.wechatpay_mchid,
                private_key=self.wechatpay_private_key, cert_serial_no=self.wechatpay_serial_no,
                appid=self.wechatpay_appid, apiv3_key=self.wechatpay_apiv3_key, cert_dir=cert_dir, logger=_logger)
        # the SDK has no gateway setting: its address is an attribute of its core
        client._core._gate_way = (self.autorepair_gateway_url or WECHATPAY_GATEWAY).rstrip("/")
        return client

    def _wechatpay_certificate(self):
        try:
            return load_pem_x509_certificate(self.wechatpay_platform_cert.strip().encode())
        except ValueError as error:
            raise ValidationError(self.env._(
                "The WeChat Pay platform certificate is not a PEM certificate.")) from error

    def _alipay_client(self):
        client = AliPay(
            appid=self.alipay_app_id, app_private_key_string=self.alipay_app_private_key.strip(),
            alipay_public_key_string=self.alipay_public_key.strip(), sign_type="RSA2",
            debug=self.state == "test", config=AliPayConfig(timeout=TIMEOUT))
        if self.autorepair_gateway_url:
            client._gateway = self.autorepair_gateway_url  # the SDK's only gateway setting is debug
        return client
