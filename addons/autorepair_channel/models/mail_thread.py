from odoo import models


class MailThread(models.AbstractModel):
    """How the suite's records tell a customer something (a notice): on WeChat
    when he prefers it and follows the company's official account, by SMS
    otherwise, and by SMS again when WeChat fails. Each notice has a kind
    (``KINDS``) and the values its provider templates take."""

    _inherit = "mail.thread"

    def _autorepair_channel_values(self, partner):
        """The values a template of a notice about this record can take
        (``VALUE_SOURCES``); records add theirs (plate, link, date...)."""
        self.ensure_one()
        company = self._autorepair_notice_company()
        return {
            "customer": partner.name or "",
            "company": company.name or "",
            "company_phone": company.phone or "",
        }

    def _autorepair_notice_company(self):
        """The company whose provider and account tell the customer about
        this record: the record's, else the current one."""
        self.ensure_one()
        return self["company_id"] if "company_id" in self._fields and self["company_id"] else self.env.company

    def _autorepair_send_notice(self, kind, partner, body, values=None):
        """Send one notice of ``kind`` about this record to ``partner``: its
        text ``body`` (what the chatter and Odoo IAP show) and the template
        values (``values`` added to the record's own). The caller checked the
        customer's consent for the notice's purpose.

        :return: ``"wechat"``, ``"sms"``, or False when the customer can be
            reached by neither (the chatter says so)
        """
        self.ensure_one()
        values = {**self._autorepair_channel_values(partner), **(values or {})}
        channel = partner._autorepair_notice_channel()
        if channel == "wechat":
            self.env["autorepair.wechat.message"]._autorepair_queue(self, kind, partner, body, values)
        elif channel == "sms":
            self._autorepair_queue_sms(kind, partner, body, values)
        else:
            self.message_post(body=self.env._(
                "Not sent to %(customer)s: no mobile number and no WeChat bound. %(text)s",
                customer=partner.name, text=body), subtype_xmlid="mail.mt_note")
        return channel

    def _autorepair_queue_sms(self, kind, partner, body, values):
        """Queue the notice as an SMS to the customer's mobile, logged in the
        chatter, for the company's provider to send as its template."""
        self.ensure_one()
        message = self._message_sms(body, partner_ids=partner.ids, put_in_queue=True)
        # its company is the record's, set as the SMS is created
        self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)]).write({
            "autorepair_kind": kind, "autorepair_values": values,
            **self._autorepair_sms_values(),
        })
        return message

    def _autorepair_sms_values(self):
        """What else an SMS about this record carries (a care rule: its own
        template)."""
        return {}
