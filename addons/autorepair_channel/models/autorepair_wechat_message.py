import logging
from datetime import timedelta

from wechatpy.exceptions import WeChatClientException

from odoo import api, fields, models, modules
from odoo.exceptions import UserError

from .autorepair_channel_template import KINDS

_logger = logging.getLogger(__name__)

# WeChat's errcodes the sender acts on (全局返回码,
# https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html)
UNFOLLOWED = (43004,)  # require subscribe: the customer unfollowed the account
INVALID_OPENID = (40003,)  # the openid is not the account's (another AppID, a typo)
RATE_LIMITED = (45009,)  # api freq out of limit / daily quota reached: later
MAX_TRIES = 6
BATCH = 200


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
    next_try = fields.Datetime(readonly=True)

    @api.model
    def _autorepair_queue(self, record, kind, partner, body, values):
        """Queue a notice about ``record`` for the customer's WeChat and wake
        the sender."""
        company = record._autorepair_notice_company()
        message = self.sudo().create({
            "company_id": company.id, "partner_id": partner.id, "openid": partner.sudo().autorepair_wechat_openid,
            "kind": kind, "values": values, "body": body, "res_model": record._name, "res_id": record.id,
        })
        self.env.ref("autorepair_channel.ir_cron_autorepair_wechat_send").sudo()._trigger()
        return message

    # ------------------------------------------------------------------ sender

    @api.model
    def _cron_autorepair_send(self):
        """Send the queued notices that are due, a batch at a time, each
        committed once sent (a crash does not send it twice)."""
        now = fields.Datetime.now()
        domain = [("state", "=", "queued"), "|", ("next_try", "=", False), ("next_try", "<=", now)]
        messages = self.sudo().search(domain, order="id", limit=BATCH)
        messages._autorepair_send(auto_commit=not modules.module.current_test)
        if self.sudo().search_count(domain, limit=1):
            self.env.ref("autorepair_channel.ir_cron_autorepair_wechat_send").sudo()._trigger()

    def _autorepair_send(self, auto_commit=False):
        Template = self.env["autorepair.channel.template"]
        templates = {}  # one lookup per company and kind for the batch
        retry_at = []
        for message in self.sudo().filtered(lambda m: m.state == "queued"):
            partner = message.partner_id
            key = (message.company_id, message.kind)
            if key not in templates:
                templates[key] = Template._autorepair_find(message.company_id, "wechat", message.kind)
            template = templates[key]
            if not partner.autorepair_wechat_openid:
                message._autorepair_fallback(self.env._("The customer no longer follows the official account."))
            elif not template:
                message._autorepair_fallback(self.env._(
                    "%(company)s has no approved WeChat template for %(kind)s (After-Sales > Configuration > "
                    "Message Templates).", company=message.company_id.name, kind=message._autorepair_kind_label()))
            else:
                if message.openid != partner.autorepair_wechat_openid:
                    # bound again (another phone) since it was queued: his current WeChat
                    message.openid = partner.autorepair_wechat_openid
                next_try = message._autorepair_send_template(template)
                if next_try:
                    retry_at.append(next_try)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # a notice sent is never sent twice
        if retry_at:
            self.env.ref("autorepair_channel.ir_cron_autorepair_wechat_send").sudo()._trigger(min(retry_at))

    def _autorepair_send_template(self, template):
        """Send one notice as the template message; returns when to try again
        if WeChat asked to wait."""
        self.ensure_one()
        values = self.values or {}
        # 发送模板消息: POST /cgi-bin/message/template/send {touser, template_id, url,
        # data: {key: {"value": ...}}} -> {"errcode": 0, "msgid": ...}
        # (https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html)
        data = {name: {"value": value} for name, value in template._autorepair_params(values)}
        try:
            result = self.env["autorepair.wechat.token"]._autorepair_call(
                self.company_id, lambda client: client.message.send_template(
                    self.openid, template.code, data, url=values.get("link") or None))
        except UserError as error:
            self._autorepair_fallback(error.args[0])
            return False
        except WeChatClientException as error:
            reason = f"{error.errcode}: {error.errmsg}" if error.errcode else str(error.errmsg)
            if error.errcode in UNFOLLOWED + INVALID_OPENID:
                self.partner_id._autorepair_wechat_unbind(reason)
                self._autorepair_fallback(reason)
            elif (error.errcode in RATE_LIMITED or error.errcode is None) and self.tries + 1 < MAX_TRIES:
                # WeChat busy or unreachable: later, waiting longer each time
                next_try = fields.Datetime.now() + timedelta(minutes=5 * 2 ** self.tries)
                self.write({"tries": self.tries + 1, "next_try": next_try, "error": reason})
                return next_try
            else:
                # refused for this notice (43101 messages refused, 40037 template id, 47003 data...):
                # still bound, this one by SMS
                self._autorepair_fallback(reason)
            return False
        self.write({"state": "sent", "wechat_msgid": str(result.get("msgid") or ""), "error": False,
                    "tries": self.tries + 1})
        record = self._autorepair_record()
        if record is not None and hasattr(record, "message_post"):
            record.message_post(body=self.env._("Sent on WeChat to %(customer)s: %(text)s",
                                                customer=self.partner_id.name, text=self.body),
                                subtype_xmlid="mail.mt_note")
        return False

    def _autorepair_record(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        return record or None

    def _autorepair_kind_label(self):
        return dict(self._fields["kind"]._description_selection(self.env)).get(self.kind, self.kind)

    def _autorepair_fallback(self, reason):
        """Send the notice by SMS instead (the record's own SMS path: its
        chatter, the provider's template of the same kind)."""
        self.ensure_one()
        record = self._autorepair_record()
        partner = self.partner_id
        reachable = partner.phone_sanitized or partner.mobile or partner.phone
        if record is None or not hasattr(record, "_autorepair_queue_sms") or not reachable:
            self.write({"state": "failed", "error": reason, "tries": self.tries + 1})
            return
        record._autorepair_queue_sms(self.kind, partner, self.body, self.values or {})
        self.write({"state": "fallback", "error": reason, "tries": self.tries + 1})
