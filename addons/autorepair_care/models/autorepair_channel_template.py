from odoo import fields, models


class AutorepairChannelTemplate(models.Model):
    """A care rule may have its own provider template (首保提示 and 生日祝福
    are approved as different texts); a rule without one uses the template of
    its kind of notice (care, broadcast)."""

    _inherit = "autorepair.channel.template"
    # a rule's own template before the general one of its kind (NULLs sort last)
    _order = "company_id, kind, provider, care_rule_id, id"

    care_rule_id = fields.Many2one(
        "autorepair.care.rule", string="Care Rule", index="btree_not_null", ondelete="cascade",
        help="Only for this care rule's reminders or broadcasts; empty: for every rule of the notice's kind.")

    def _autorepair_same_key_domain(self):
        return [*super()._autorepair_same_key_domain(), ("care_rule_id", "=", self.care_rule_id.id)]
