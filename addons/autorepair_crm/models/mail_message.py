from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"
    # a number typed in a note, in a customer's e-mail, in an SMS: masked for
    # workshop staff in the chatter, its search and its previews (base.py)
    _autorepair_masked_text_fields = ("body", "preview", "subject")
