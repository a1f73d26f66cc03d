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
    autorepair_aliyun_report_url = fields.Char(
        string="Status Report Address", compute="_compute_autorepair_callback_urls", groups=SECRET,
        help="Enter it in Aliyun's console, 通用设置 > 回执配置 > 状态报告接收, HTTP批量推送模式 "
             "(receipts of SendSms and SendBatchSms, SmsReport).")
    autorepair_aliyun_reply_url = fields.Char(
        string="Inbound SMS Address", compute="_compute_autorepair_callback_urls", groups=SECRET,
        help="Enter it in Aliyun's console, 通用设置 > 回执配置 > 上行消息接收, HTTP批量推送模式 "
             "(customers' replies, SmsUp: a reply of T or 退订 opts the customer out of marketing).")
    autorepair_tencent_secret_id = fields.Char(
        related="company_id.autorepair_tencent_secret_id", readonly=False, groups=SECRET)
    autorepair_tencent_secret_key = fields.Char(
        related="company_id.autorepair_tencent_secret_key", readonly=False, groups=SECRET)
    autorepair_tencent_sdk_app_id = fields.Char(related="company_id.autorepair_tencent_sdk_app_id", readonly=False)
    autorepair_tencent_region = fields.Char(related="company_id.autorepair_tencent_region", readonly=False)
    autorepair_tencent_endpoint = fields.Char(related="company_id.autorepair_tencent_endpoint", readonly=False)
    autorepair_tencent_status_url = fields.Char(
        string="Status Callback URL", compute="_compute_autorepair_callback_urls", groups=SECRET,
        help="Paste it as the delivery status callback (短信下发状态回调) in the SMS console's callback "
             "configuration (应用管理 > 回调配置); the cron also pulls the receipts when the pull API is enabled.")
    autorepair_tencent_reply_url = fields.Char(
        string="Reply Callback URL", compute="_compute_autorepair_callback_urls", groups=SECRET,
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
        string="WeChat Server URL", compute="_compute_autorepair_callback_urls",
        help="The server address (服务器地址 URL) to enter in the official account's server configuration "
             "(设置与开发 > 基本配置 > 服务器配置), with the token (令牌) and EncodingAESKey below.")

    @api.depends("company_id")
    def _compute_autorepair_callback_urls(self):
        """The addresses to enter in the providers' consoles. The SMS ones
        carry the company's callback token: the secret that authenticates
        pushes the providers do not sign."""
        for settings in self:
            company = settings.company_id.sudo()
            base = company.get_base_url().rstrip("/")
            token = company.autorepair_sms_callback_token
            aliyun, tencent = (f"{base}/autorepair/sms/{provider}/{token}" for provider in ("aliyun", "tencent"))
            settings.autorepair_aliyun_report_url = f"{aliyun}/report" if token else False
            settings.autorepair_aliyun_reply_url = f"{aliyun}/reply" if token else False
            settings.autorepair_tencent_status_url = f"{tencent}/status" if token else False
            settings.autorepair_tencent_reply_url = f"{tencent}/reply" if token else False
            settings.autorepair_wechat_callback_url = f"{base}/autorepair/wechat/{company.id}"
