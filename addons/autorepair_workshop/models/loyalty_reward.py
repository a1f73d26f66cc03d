from odoo import fields, models


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    # a labour voucher (工时券) is a coupon whose discount applies to the order's labour lines only
    autorepair_line_type = fields.Selection(
        [("labour", "Labour"), ("part", "Part"), ("other", "Other Charge")], string="On Service Lines",
        help="On a service order, the discount applies to lines of this type only (a labour voucher: labour).")
