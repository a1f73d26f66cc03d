from odoo import fields, models

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED


class MailNotification(models.Model):
    _inherit = "mail.notification"
    _autorepair_personal_fields = ("sms_number",)

    # the number an SMS went to: a copy of the customer's, hidden as his is
    sms_number = fields.Char(groups=CONTACT_MASKED)
