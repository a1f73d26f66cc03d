import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .autorepair_channel_template import VALUE_SOURCES

# Brackets are the signature's (【】) and line breaks split a template:
# providers refuse both inside a variable.
_FORBIDDEN = re.compile(r"[【】\r\n\t]+")


class AutorepairChannelTemplateParam(models.Model):
    """One variable of a provider template: its name in the template (Aliyun's
    ${name}, the key of a WeChat template message; Tencent Cloud's {1}, {2}
    go by order) and the value of the notice it carries."""

    _name = "autorepair.channel.template.param"
    _description = "Provider Template Parameter"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one("autorepair.channel.template", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Variable", required=True,
                       help="The variable's name in the template (name for ${name}; 1 for Tencent Cloud's {1}).")
    source = fields.Selection(VALUE_SOURCES, string="Value", required=True)
    max_length = fields.Integer(
        default=20,
        help="The provider's limit for this variable's type, in characters; longer values are cut.")

    @api.constrains("max_length")
    def _check_max_length(self):
        for param in self:
            if param.max_length < 1:
                raise ValidationError(self.env._("A template variable holds at least one character."))

    def _autorepair_value(self, values):
        self.ensure_one()
        value = _FORBIDDEN.sub(" ", str(values.get(self.source) or "")).strip()
        return value[:self.max_length].strip()
