from odoo import fields, models

# each workshop role's home, the most senior role first (the inspector is also a team lead)
HOME_ACTIONS = (
    ("autorepair_workshop.group_advisor", "autorepair_workshop.autorepair_service_order_action"),
    ("autorepair_workshop.group_inspector", "autorepair_workshop.autorepair_service_order_action_checks"),
    ("autorepair_workshop.group_technician", "autorepair_workshop.autorepair_service_order_line_action_work"),
)


class ResUsers(models.Model):
    _inherit = "res.users"

    autorepair_skill_ids = fields.Many2many(
        "autorepair.skill", "autorepair_skill_res_users_rel", "user_id", "skill_id", string="Workshop Skills"
    )

    def _autorepair_home_action(self):
        for group, xmlid in HOME_ACTIONS:
            if self.has_group(group):
                return self._autorepair_first_action(xmlid) or super()._autorepair_home_action()
        return super()._autorepair_home_action()
