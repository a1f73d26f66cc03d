from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _autorepair_home_action(self):
        """The window a user of the suite lands on after login when he has no Home
        Action of his own: his work, not Discuss. Each addon returns the action of
        its roles and else asks super(); higher addons (managers' dashboards)
        come first. A user with no role of an addon (the sales consultant) lands on
        the customers when he may read the customer file."""
        self.ensure_one()
        return self.env["ir.actions.act_window"]

    def _autorepair_home(self):
        return self._autorepair_home_action() or (
            self.has_group("autorepair_crm.group_user")
            and self._autorepair_first_action("autorepair_crm.res_partner_action_customer"))

    def _autorepair_first_action(self, *xmlids):
        """The first of these actions that exists and that the user may open: a
        home action of a missing addon or of a group he lacks would show an error."""
        for xmlid in xmlids:
            action = self.env.ref(xmlid, raise_if_not_found=False)
            if action and (not action.sudo().groups_id or action.sudo().groups_id & self.groups_id):
                return action
        return self.env["ir.actions.act_window"]
