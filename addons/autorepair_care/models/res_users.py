from odoo import models

# the care manager watches the whole board; agents and insurance specialists call their own list
HOME_ACTIONS = (
    ("autorepair_care.group_care_manager", "autorepair_care.autorepair_care_task_action"),
    ("autorepair_care.group_care_agent", "autorepair_care.autorepair_care_task_action_my"),
    ("autorepair_care.group_insurance", "autorepair_care.autorepair_care_task_action_my"),
)


class ResUsers(models.Model):
    _inherit = "res.users"

    def _autorepair_home_action(self):
        # a workshop role comes first: an advisor who also makes care calls starts at the board
        action = super()._autorepair_home_action()
        if action:
            return action
        for group, xmlid in HOME_ACTIONS:
            if self.has_group(group):
                return self._autorepair_first_action(xmlid)
        return action
