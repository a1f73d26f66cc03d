from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _autorepair_home_action(self):
        # managers start at the month's figures
        if self.has_group("autorepair_crm.group_manager"):
            action = self._autorepair_first_action("autorepair_kpi.autorepair_kpi_dashboard_action")
            if action:
                return action
        return super()._autorepair_home_action()
