from odoo import api, fields, models

from .autorepair_channel_template import KINDS


class AutorepairWechatMessage(models.Model):
    """A notice queued for a customer's WeChat (the official account's
    template message), sent by the scheduler; when WeChat refuses it or the
    customer unfollowed, the same notice goes out by SMS instead."""

    _name = "autorepair.wechat.message"
    _description = "WeChat Notice"
    _order = "id desc"
    _rec_name = "kind"
    _autorepair_personal_fields = ("openid", "body")

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True,
                                 ondelete="cascade")
    openid = fields.Char(string="OpenID", readonly=True)
    kind = fields.Selection(KINDS, string="Notice", required=True, readonly=True)
    values = fields.Json(string="Template Values", readonly=True)
    body = fields.Text(string="Text", readonly=True, help="The notice's text, sent by SMS if WeChat fails.")
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", readonly=True)
    state = fields.Selection(
        [("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed"), ("fallback", "Sent by SMS Instead")],
        default="queued", required=True, readonly=True, index=True)
    wechat_msgid = fields.Char(string="WeChat Message ID", readonly=True)
    error = fields.Char(string="WeChat's Reason", readonly=True)
    tries = fields.Integer(readonly=True)

    @api.model
    def _autorepair_queue(self, record, kind, partner, body, values):
        """Queue a notice about ``record`` for the customer's WeChat and wake
        the sender."""
        raise NotImplementedError()
