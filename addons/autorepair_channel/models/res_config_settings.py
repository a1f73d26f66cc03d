from odoo import fields, models

from .res_company import SECRET


class ResConfigSettings(models.TransientModel):
    """The company's SMS provider and official account. Credentials are
    shown and saved for system administrators only."""

    _inherit = "res.config.settings"

    autorepair_sms_provider = fields.Selection(related="company_id.autorepair_sms_provider", readonly=False)
    autorepair_sms_sign_name = fields.Char(related="company_id.autorepair_sms_sign_name", readonly=False)
    autorepair_sms_rate_limit = fields.Integer(related="company_id.autorepair_sms_rate_limit", readonly=False)
    autorepair_aliyun_access_key_id = fields.Char(
        related="company_id.autorepair_aliyun_access_key_id", readonly=False, groups=SECRET)
    autorepair_aliyun_access_key_secret = fields.Char(
        related="company_id.autorepair_aliyun_access_key_secret", readonly=False, groups=SECRET)
    autorepair_aliyun_endpoint = fields.Char(related="company_id.autorepair_aliyun_endpoint", readonly=False)
    autorepair_tencent_secret_id = fields.Char(
        related="company_id.autorepair_tencent_secret_id", readonly=False, groups=SECRET)
    autorepair_tencent_secret_key = fields.Char(
        related="company_id.autorepair_tencent_secret_key", readonly=False, groups=SECRET)
    autorepair_tencent_sdk_app_id = fields.Char(related="company_id.autorepair_tencent_sdk_app_id", readonly=False)
    autorepair_tencent_region = fields.Char(related="company_id.autorepair_tencent_region", readonly=False)
    autorepair_tencent_endpoint = fields.Char(related="company_id.autorepair_tencent_endpoint", readonly=False)
    autorepair_wechat_app_id = fields.Char(related="company_id.autorepair_wechat_app_id", readonly=False)
    autorepair_wechat_app_secret = fields.Char(
        related="company_id.autorepair_wechat_app_secret", readonly=False, groups=SECRET)
    autorepair_wechat_token = fields.Char(
        related="company_id.autorepair_wechat_token", readonly=False, groups=SECRET)
    autorepair_wechat_aes_key = fields.Char(
        related="company_id.autorepair_wechat_aes_key", readonly=False, groups=SECRET)
    autorepair_wechat_endpoint = fields.Char(related="company_id.autorepair_wechat_endpoint", readonly=False)
