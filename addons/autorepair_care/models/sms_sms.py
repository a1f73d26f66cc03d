from odoo import fields, models


class SmsSms(models.Model):
    """A care reminder or broadcast remembers its care rule, whose own
    provider template it goes out as when the rule has one."""

    _inherit = "sms.sms"

    care_rule_id = fields.Many2one("autorepair.care.rule", string="Care Rule", readonly=True, ondelete="set null",
                                   index="btree_not_null")

    def _autorepair_template_domain(self):
        domain = super()._autorepair_template_domain()
        if self.care_rule_id:
            return [*domain, ("care_rule_id", "in", [self.care_rule_id.id, False])]
        return [*domain, ("care_rule_id", "=", False)]
