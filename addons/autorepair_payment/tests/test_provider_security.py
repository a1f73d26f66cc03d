from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin
from odoo.addons.autorepair_payment.tests.common import PaymentProviderCase

SECRETS = ["wechatpay_mchid", "wechatpay_private_key", "wechatpay_apiv3_key", "wechatpay_platform_cert",
           "autorepair_gateway_url"]


@tagged("post_install", "-at_install")
class TestProviderSecurity(PaymentProviderCase, RpcClientMixin):

    def _snapshot(self):
        return self.provider_wechat.sudo().read(SECRETS)

    def test_without_credentials_nothing_shows(self):
        """As installed the providers are disabled and offered to nobody; they
        cannot be enabled without the merchant's credentials, nor with keys that
        do not load."""
        for xmlid in ("autorepair_payment.payment_provider_wechatpay", "autorepair_payment.payment_provider_alipay"):
            self.assertEqual(self.env.ref(xmlid).state, "disabled")
        company = self.company_data["company"]
        cny = self.env.ref("base.CNY")
        cny.active = True
        ours = self.provider_wechat | self.provider_alipay

        def offered(currency):
            return self.env["payment.provider"]._get_compatible_providers(
                company.id, self.customer.id, 805.0, currency_id=currency.id) & ours

        self.assertEqual(offered(cny), ours, "enabled with credentials: offered for renminbi")
        self.assertFalse(offered(self.env.ref("base.USD")), "both platforms settle renminbi only")
        self.provider_alipay.state = "disabled"
        self.assertEqual(offered(cny), self.provider_wechat)
        self.provider_wechat.state = "disabled"
        self.assertFalse(offered(cny))
        bare = self.env.ref("autorepair_payment.payment_provider_wechatpay").copy({"company_id": company.id})
        with self.assertRaises(ValidationError):
            bare.state = "enabled"
        with self.assertRaises(ValidationError):
            bare.write({**self.wechat.provider_values(), "wechatpay_private_key": "not a key", "state": "enabled"})
        bare_alipay = self.env.ref("autorepair_payment.payment_provider_alipay").copy({"company_id": company.id})
        with self.assertRaises(ValidationError):
            bare_alipay.write({**self.alipay.provider_values(), "alipay_public_key": "not a key", "state": "test"})

    def test_credentials_for_system_administrators_only(self):
        """The merchant's keys are the system administrators': a service
        manager neither reads nor writes them, as the role and over JSON-RPC;
        the fields stay theirs should another module open the providers wider."""
        Provider = self.env["payment.provider"]
        for fname in SECRETS + ["wechatpay_serial_no", "wechatpay_appid", "alipay_app_id",
                                "alipay_app_private_key", "alipay_public_key"]:
            self.assertEqual(Provider._fields[fname].groups, "base.group_system", fname)
        provider = self.provider_wechat.with_user(self.user_manager)
        for fname in SECRETS:
            with self.assertRaises(AccessError):
                provider.read([fname])
        self._assert_rpc_refused(self.user_manager, "payment.provider", "read", [provider.id], SECRETS)
        self._assert_rpc_refused(self.user_manager, "payment.provider", "write", [provider.id],
                                 {"autorepair_gateway_url": "http://attacker.example"})
        self._assert_rpc_refused(self.user_manager, "payment.provider", "write", [provider.id],
                                 {"wechatpay_platform_cert": "-----BEGIN CERTIFICATE-----"})
