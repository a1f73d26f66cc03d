from odoo import fields, models

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED


class ResPartner(models.Model):
    _inherit = "res.partner"

    # sms makes the customer a mail.thread.phone: its number search is a
    # number read a digit at a time, for those who read the number only
    phone_mobile_search = fields.Char(groups=CONTACT_MASKED)
