from odoo import api, fields, models
from odoo.exceptions import UserError

PURPOSES = [
    ("service", "Service Reminders"),
    ("marketing", "Marketing"),
    ("resident_id", "Resident ID"),
]
SOURCES = [
    ("form", "Signed Form"),
    ("phone", "Phone Call"),
    ("wechat", "WeChat"),
    ("portal", "Customer Portal"),
    ("desk", "At the Desk"),
    ("sms_reply", "SMS Reply"),
]
CHANNELS = [
    ("paper", "Paper"),
    ("phone", "Phone Call"),
    ("sms", "SMS"),
    ("email", "Email"),
    ("wechat", "WeChat"),
    ("portal", "Customer Portal"),
    ("in_person", "In Person"),
]
# the channel a decision usually comes through, by its source
SOURCE_CHANNEL = {
    "form": "paper", "phone": "phone", "wechat": "wechat", "portal": "portal", "desk": "in_person",
    "sms_reply": "sms",
}


class AutorepairConsent(models.Model):
    """One decision of a customer about one purpose of processing (PIPL art.
    14-15): a grant or a withdrawal, on a day, from a source and through a
    channel. Append-only: lines are written by the suite's own code as the
    superuser (``res.partner._record_consent``) and never changed; the
    customer's current state per purpose is the latest line, stored on the
    partner for the care engine's SQL."""

    _name = "autorepair.consent"
    _description = "Customer Consent"
    _order = "date desc, id desc"
    _rec_name = "purpose"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, related="partner_id.company_id", store=True)
    purpose = fields.Selection(PURPOSES, required=True, readonly=True, index=True)
    granted = fields.Boolean(
        readonly=True, help="Set: the customer gave consent; cleared: the customer withdrew it (opt-out).")
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today,
                       help="The day the customer gave or withdrew the consent.")
    source = fields.Selection(SOURCES, required=True, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True,
                               help="How the customer's words reached the dealer.")
    user_id = fields.Many2one(
        "res.users", string="Recorded By", required=True, readonly=True, ondelete="restrict",
        default=lambda self: self.env.user)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("Consents are recorded from the customer's form, not created directly."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("A recorded consent cannot be changed: record a new decision instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A recorded consent cannot be deleted."))
