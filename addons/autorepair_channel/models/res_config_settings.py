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
        string="Status Report Address", compute="_compute_autorepair_aliyun_urls", groups=SECRET,
        help="Enter it in Aliyun's console, 通用设置 > 回执配置 > 状态报告接收, HTTP批量推送模式 "
             "(receipts of SendSms and SendBatchSms, SmsReport).")
    autorepair_aliyun_reply_url = fields.Char(
        string="Inbound SMS Address", compute="_compute_autorepair_aliyun_urls", groups=SECRET,
        help="Enter it in Aliyun's console, 通用设置 > 回执配置 > 上行消息接收, HTTP批量推送模式 "
             "(customers' replies, SmsUp: a reply of T or 退订 opts the customer out of marketing).")
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

    @api.depends("company_id")
    def _compute_autorepair_aliyun_urls(self):
        for settings in self:
            company = settings.company_id.sudo()
            base = f"{company.get_base_url()}/autorepair/sms/aliyun/{company.autorepair_sms_callback_token}"
            settings.autorepair_aliyun_report_url = f"{base}/report"
            settings.autorepair_aliyun_reply_url = f"{base}/reply"
