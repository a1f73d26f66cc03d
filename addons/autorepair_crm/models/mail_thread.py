from markupsafe import Markup

from odoo import models

from ..tools import mask_phones_in_text
from .base import MASKED_GROUP


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _creation_message(self):
        """Records created by data and demo files at install are created
        without a language (odoo/tools/convert.py): ``_`` then falls back to
        the user's language while the model's name is read in English, and a
        Chinese database logged "Service Order 创建". The whole message is
        written in the user's language, as ``_`` already does."""
        if not self.env.lang and self.env.user.lang:
            return super(MailThread, self.with_context(lang=self.env.user.lang))._creation_message()
        return super()._creation_message()

    def _notify_get_recipients_classify(self, message, recipients_data, model_description, msg_vals=None):
        """Workshop staff following a document get its messages by e-mail as
        they read them in the chatter: with the phone numbers masked. Each
        group of recipients keeps its buttons; its masked users get their own
        copy of it."""
        groups = super()._notify_get_recipients_classify(
            message, recipients_data, model_description, msg_vals=msg_vals)
        masked_group = self.env.ref(MASKED_GROUP, raise_if_not_found=False)
        if not masked_group:
            return groups
        masked = {pdata["id"] for pdata in recipients_data if masked_group.id in (pdata.get("groups") or ())}
        if not masked:
            return groups
        result = []
        for group_data in groups:
            masked_ids = [pid for pid in group_data["recipients"] if pid in masked]
            if masked_ids:
                result.append({**group_data, "recipients": masked_ids, "autorepair_masked": True})
                group_data = {**group_data, "recipients": [pid for pid in group_data["recipients"]
                                                           if pid not in masked]}
            if group_data["recipients"]:
                result.append(group_data)
        return result

    def _notify_by_email_render_layout(self, message, recipients_group, msg_vals=False, render_values=None):
        mail_body = super()._notify_by_email_render_layout(
            message, recipients_group, msg_vals=msg_vals, render_values=render_values)
        if recipients_group.get("autorepair_masked") and mail_body:
            # the body is the rendered layout (markup): numbers masked in its text
            mail_body = Markup(mask_phones_in_text(str(mail_body)))
        return mail_body
