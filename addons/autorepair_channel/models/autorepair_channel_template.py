from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The notices the suite sends a customer; each addon that sends one names its
# kind when it queues the SMS or WeChat message (``autorepair_kind``).
KINDS = [
    ("care", "Care Reminder"),
    ("quote", "Quote Ready"),
    ("car_ready", "Car Ready"),
    ("delay", "Delay Notice"),
    ("followup", "Follow-up"),
    ("broadcast", "Broadcast"),
    ("appointment", "Appointment Confirmation"),
    ("appointment_reminder", "Appointment Reminder"),
    ("statement", "Monthly Statement"),
]
# What a template's parameter can hold: the values every notice offers
# (``mail.thread._autorepair_channel_values``), empty when a record has none.
VALUE_SOURCES = [
    ("customer", "Customer Name"),
    ("plate", "Plate"),
    ("vehicle", "Vehicle"),
    ("date", "Date"),
    ("time", "Time"),
    ("link", "Portal Link"),
    ("company", "Shop Name"),
    ("company_phone", "Shop Phone"),
    ("order", "Order Number"),
    ("amount", "Amount"),
    ("advisor", "Advisor"),
    ("reason", "Reason"),
    ("text", "Message Text"),
]
TEMPLATE_PROVIDERS = [
    ("aliyun", "Aliyun SMS"),
    ("tencent", "Tencent Cloud SMS"),
    ("wechat", "WeChat Official Account"),
]


class AutorepairChannelTemplate(models.Model):
    """A template approved in a provider's console (阿里云/腾讯云短信模板, 公众号
    模板消息) for one kind of notice: its code and the ordered parameters
    drawn from the record. Mainland providers send nothing but approved
    templates, so a notice whose kind has no approved template here is not
    sent, and its SMS says why."""

    _name = "autorepair.channel.template"
    _description = "Provider Message Template"
    _order = "company_id, kind, provider, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, ondelete="cascade")
    kind = fields.Selection(KINDS, required=True, index=True)
    provider = fields.Selection(TEMPLATE_PROVIDERS, required=True)
    code = fields.Char(
        string="Template Code", required=True,
        help="The template's code in the provider's console: 模板CODE (SMS_…) at Aliyun, 模板ID at Tencent "
             "Cloud, 模板ID of the official account's template message.")
    approved = fields.Boolean(
        help="Set once the provider approved the template (审核通过). Unapproved templates are not used.")
    content = fields.Text(
        string="Approved Text",
        help="The template's text as approved in the console, with its variables, for reference.")
    param_ids = fields.One2many("autorepair.channel.template.param", "template_id", string="Parameters", copy=True)

    @api.constrains("company_id", "kind", "provider", "approved", "active")
    def _check_one_approved(self):
        for template in self.filtered(lambda t: t.approved and t.active):
            if self.search_count(template._autorepair_same_key_domain() + [("id", "!=", template.id)], limit=1):
                raise ValidationError(self.env._(
                    "%(company)s already has an approved %(provider)s template for %(kind)s: archive it or "
                    "clear its approval first.", company=template.company_id.name,
                    provider=template._autorepair_label("provider"), kind=template._autorepair_label("kind")))

    def _autorepair_same_key_domain(self):
        """The templates that would serve the same notices as this one."""
        self.ensure_one()
        return [("company_id", "=", self.company_id.id), ("kind", "=", self.kind), ("provider", "=", self.provider),
                ("approved", "=", True)]

    def _autorepair_label(self, fname):
        return dict(self._fields[fname]._description_selection(self.env)).get(self[fname], "")

    @api.model
    def _autorepair_find(self, company, provider, kind, extra_domain=()):
        """The approved template of this kind for the company's provider, or
        an empty recordset."""
        return self.sudo().search([
            ("company_id", "=", company.id), ("provider", "=", provider), ("kind", "=", kind),
            ("approved", "=", True), *extra_domain,
        ], limit=1)

    def _autorepair_params(self, values):
        """The template's parameters filled from a notice's values, in order:
        ``[(name, value), ...]``, each value cut to the parameter's length."""
        self.ensure_one()
        return [(param.name, param._autorepair_value(values)) for param in self.param_ids]
