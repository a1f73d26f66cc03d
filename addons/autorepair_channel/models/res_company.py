import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

SMS_PROVIDERS = [
    ("iap", "Odoo IAP (outside mainland China)"),
    ("aliyun", "Aliyun SMS"),
    ("tencent", "Tencent Cloud SMS"),
]
# The credentials of a company's SMS provider and official account: read and
# written by system administrators only (a leaked AccessKey sends SMS on the
# dealer's account); the sending code reads them as the superuser.
SECRET = "base.group_system"


class ResCompany(models.Model):
    _inherit = "res.company"

    autorepair_sms_provider = fields.Selection(
        SMS_PROVIDERS, string="SMS Provider", default="iap", required=True,
        help="Who sends this company's SMS. Mainland numbers need a domestic provider with a registered "
             "signature and approved templates; Odoo IAP stays for dealers outside the mainland.")
    autorepair_sms_sign_name = fields.Char(
        string="SMS Signature",
        help="The signature (签名) registered and approved in the provider's console, without the brackets, "
             "e.g. 成都锦城汽车服务. It is printed as 【签名】 at the head of every SMS.")
    autorepair_sms_rate_limit = fields.Integer(
        string="SMS per Second", default=20,
        help="The most messages per second the provider accepts for this account (its QPS / 频率限制); "
             "bigger batches are spread out instead of refused half-way.")
    autorepair_sms_callback_token = fields.Char(
        string="Callback Token", groups=SECRET, copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        help="The secret part of the receipt and reply callback addresses given to the provider.")
    # Aliyun SMS (阿里云短信服务, Dysmsapi 2017-05-25)
    autorepair_aliyun_access_key_id = fields.Char(
        string="AccessKey ID", groups=SECRET, copy=False,
        help="The AccessKey ID of a RAM user (RAM 用户) given the AliyunDysmsFullAccess permission, from the "
             "console's AccessKey 管理; better a RAM user's than the main account's.")
    autorepair_aliyun_access_key_secret = fields.Char(
        string="AccessKey Secret", groups=SECRET, copy=False,
        help="The AccessKey Secret shown once when the AccessKey was created (创建 AccessKey).")
    autorepair_aliyun_endpoint = fields.Char(
        string="Aliyun Endpoint", default="dysmsapi.aliyuncs.com",
        help="The SMS service's endpoint (服务接入点), dysmsapi.aliyuncs.com for the mainland, called over HTTPS; "
             "a full address such as http://host:port is used as it is.")
    # Tencent Cloud SMS (腾讯云短信, API 2021-01-11)
    autorepair_tencent_secret_id = fields.Char(string="SecretId", groups=SECRET, copy=False)
    autorepair_tencent_secret_key = fields.Char(string="SecretKey", groups=SECRET, copy=False)
    autorepair_tencent_sdk_app_id = fields.Char(
        string="SmsSdkAppId", help="The SMS application's SDKAppID (应用 ID), shown under 应用管理 > 应用列表.")
    autorepair_tencent_region = fields.Char(
        string="Tencent Region", default="ap-guangzhou",
        help="The region (地域) of the SMS API, ap-guangzhou for mainland numbers.")
    autorepair_tencent_endpoint = fields.Char(
        string="Tencent Endpoint", default="sms.tencentcloudapi.com",
        help="The API's domain (接入域名), sms.tencentcloudapi.com.")
    # WeChat official account (微信公众号)
    autorepair_wechat_app_id = fields.Char(
        string="AppID", copy=False,
        help="The official account's developer ID (开发者ID AppID), under 设置与开发 > 基本配置.")
    autorepair_wechat_app_secret = fields.Char(
        string="AppSecret", groups=SECRET, copy=False,
        help="The developer password (开发者密码 AppSecret), under 设置与开发 > 基本配置.")
    autorepair_wechat_token = fields.Char(
        string="Server Token", groups=SECRET, copy=False,
        default=lambda self: secrets.token_hex(16),
        help="The token (令牌 Token) entered in the server configuration (服务器配置); WeChat signs every "
             "event it sends with it.")
    autorepair_wechat_aes_key = fields.Char(
        string="EncodingAESKey", groups=SECRET, copy=False,
        help="The message encryption key (消息加解密密钥) of the server configuration, for the safe mode "
             "(安全模式); empty in plain-text mode (明文模式).")
    autorepair_wechat_endpoint = fields.Char(
        string="WeChat API", default="https://api.weixin.qq.com",
        help="The address of WeChat's API, https://api.weixin.qq.com.")

    def init(self):
        result = super().init()
        # A column's default is computed once for the rows that exist when the
        # column is added: every company of the database would share one
        # secret, and one company's callback address would act on another's.
        for column, make in (("autorepair_sms_callback_token", lambda: secrets.token_urlsafe(24)),
                             ("autorepair_wechat_token", lambda: secrets.token_hex(16))):
            self.env.cr.execute(SQL(
                "SELECT id FROM res_company WHERE %(col)s IS NULL OR %(col)s IN "
                "(SELECT %(col)s FROM res_company GROUP BY %(col)s HAVING count(*) > 1)",
                col=SQL.identifier(column)))
            for (company_id,) in self.env.cr.fetchall():
                self.env.cr.execute(SQL("UPDATE res_company SET %s = %s WHERE id = %s",
                                        SQL.identifier(column), make(), company_id))
        return result

    @api.constrains("autorepair_sms_rate_limit")
    def _check_autorepair_sms_rate_limit(self):
        for company in self:
            if company.autorepair_sms_rate_limit < 1:
                raise ValidationError(self.env._("The SMS per second must be at least 1."))

    @api.constrains("autorepair_sms_provider", "autorepair_sms_sign_name")
    def _check_autorepair_sms_sign_name(self):
        for company in self:
            if company.autorepair_sms_provider != "iap" and not (company.autorepair_sms_sign_name or "").strip():
                raise ValidationError(self.env._(
                    "Enter the SMS signature registered with %(provider)s: mainland SMS cannot be sent "
                    "without it.", provider=dict(SMS_PROVIDERS)[company.autorepair_sms_provider]))
