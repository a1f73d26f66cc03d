from odoo import models
from odoo.exceptions import AccessError


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    def _autorepair_check_points_terms(self):
        """A company's member points program earns and redeems at the rates
        of its Settings (``res.company._autorepair_sync_points_program``):
        nobody changes its rules and rewards by hand, whatever his rights on
        the other programs (a service manager configures the stored-value
        cards and coupons)."""
        if self.env.su or not self:
            return
        if self.env["res.company"].sudo().search_count([("autorepair_points_program_id", "in", self.ids)], limit=1):
            raise AccessError(self.env._(
                "The member points program follows the points rates of Settings: change them there."))

    def write(self, vals):
        self._autorepair_check_points_terms()
        return super().write(vals)

    def unlink(self):
        self._autorepair_check_points_terms()
        return super().unlink()

