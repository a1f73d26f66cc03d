from odoo import api, fields, models

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
    autorepair_tencent_status_url = fields.Char(
        string="Status Callback URL", compute="_compute_autorepair_tencent_callback_urls", groups=SECRET,
        help="Paste it as the delivery status callback (短信下发状态回调) in the SMS console's callback "
             "configuration (应用管理 > 回调配置); the cron also pulls the receipts when the pull API is enabled.")
    autorepair_tencent_reply_url = fields.Char(
        string="Reply Callback URL", compute="_compute_autorepair_tencent_callback_urls", groups=SECRET,
        help="Paste it as the reply callback (回复回调 / 上行短信) in the SMS console's callback configuration; "
             "a reply T or 退订 opts the customer out of marketing.")
    autorepair_wechat_app_id = fields.Char(related="company_id.autorepair_wechat_app_id", readonly=False)
    autorepair_wechat_app_secret = fields.Char(
        related="company_id.autorepair_wechat_app_secret", readonly=False, groups=SECRET)
    autorepair_wechat_token = fields.Char(
        related="company_id.autorepair_wechat_token", readonly=False, groups=SECRET)
    autorepair_wechat_aes_key = fields.Char(
        related="company_id.autorepair_wechat_aes_key", readonly=False, groups=SECRET)
    autorepair_wechat_endpoint = fields.Char(related="company_id.autorepair_wechat_endpoint", readonly=False)
    autorepair_wechat_callback_url = fields.Char(
        string="WeChat Server URL", compute="_compute_autorepair_wechat_callback_url",
        help="The server address (服务器地址 URL) to enter in the official account's server configuration "
             "(设置与开发 > 基本配置 > 服务器配置), with the token (令牌) and EncodingAESKey below.")

    @api.depends("company_id")
    def _compute_autorepair_tencent_callback_urls(self):
        # the callback token is the secret that authenticates Tencent's pushes
        for settings in self:
            base = settings.company_id.get_base_url().rstrip("/")
            token = settings.company_id.sudo().autorepair_sms_callback_token
            path = f"{base}/autorepair/sms/tencent/{token}"
            settings.autorepair_tencent_status_url = f"{path}/status" if token else False
            settings.autorepair_tencent_reply_url = f"{path}/reply" if token else False

    def _compute_autorepair_wechat_callback_url(self):
        for settings in self:
            base = settings.company_id.get_base_url()
            settings.autorepair_wechat_callback_url = f"{base}/autorepair/wechat/{settings.company_id.id}"
