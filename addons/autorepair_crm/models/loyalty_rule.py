from odoo import models


class LoyaltyRule(models.Model):
    _name = "loyalty.rule"
    _inherit = ["loyalty.rule", "autorepair.points.terms.mixin"]
