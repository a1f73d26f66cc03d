from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import InvalidInput, is_unsubscribe_reply, normalize_phone


class AutorepairSmsReply(models.Model):
    """An SMS a customer sent back, as the SMS provider's callback delivers
    it. A reply of T (TD, 退订) opts the customers with that number out of
    marketing (the 回T退订 line every marketing SMS carries). Recorded only
    by trusted code through ``_receive``; read by managers."""

    _name = "autorepair.sms.reply"
    _description = "Inbound SMS Reply"
    _order = "received desc, id desc"
    _rec_name = "number"
    _autorepair_personal_fields = ("number", "body")

    number = fields.Char(required=True, readonly=True, index=True,
                         help="The sender's number, in E.164 when it is a valid number.")
    body = fields.Char(readonly=True)
    received = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="set null")
    partner_ids = fields.Many2many("res.partner", string="Customers", readonly=True)
    action = fields.Selection(
        [("opt_out", "Opted Out of Marketing"), ("ignored", "Not an Unsubscribe Reply"),
         ("no_match", "No Customer with This Number")],
        string="Action Taken", readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("SMS replies are recorded by the SMS provider's callback only."))
        return super().create(vals_list)

    @api.model
    def _receive(self, number, body, received=None):
        """The entry point of the SMS providers' callbacks: record the reply
        and act on it. Trusted code only (the caller authenticated the
        provider); runs as the superuser.

        :return: the recorded reply
        """
        try:
            normalized = normalize_phone(number)
        except InvalidInput:
            normalized = ""
        reply = self.sudo().create({
            "number": normalized or (number or "").strip() or "?",
            "body": (body or "")[:500],
            "received": received or fields.Datetime.now(),
        })
        reply._process(normalized)
        return reply

    def _process(self, normalized):
        self.ensure_one()
        Partner = self.env["res.partner"].sudo()
        partners = Partner.browse()
        if normalized:
            partners = Partner.search([
                ("is_autorepair_customer", "=", True),
                "|", "|", ("mobile", "=", normalized), ("phone", "=", normalized),
                ("phone_sanitized", "=", normalized),
            ])
        if not is_unsubscribe_reply(self.body):
            action = "ignored"
        elif not partners:
            action = "no_match"
        else:
            action = "opt_out"
            partners.filtered(lambda p: not p.marketing_opt_out)._record_consent(
                "marketing", False, source="sms_reply", channel="sms")
        self.write({"partner_ids": [fields.Command.set(partners.ids)], "action": action,
                    "company_id": partners[:1].company_id.id})
