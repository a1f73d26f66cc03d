from odoo import fields, models

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED


class SmsResendRecipient(models.TransientModel):
    _inherit = "sms.resend.recipient"

    # copied from the failed SMS's notification: hidden as the number is
    sms_number = fields.Char(groups=CONTACT_MASKED)
