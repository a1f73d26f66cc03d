from odoo import models


class LoyaltyReward(models.Model):
    _name = "loyalty.reward"
    _inherit = ["loyalty.reward", "autorepair.points.terms.mixin"]
