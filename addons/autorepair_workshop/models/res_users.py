from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    autorepair_skill_ids = fields.Many2many(
        "autorepair.skill", "autorepair_skill_res_users_rel", "user_id", "skill_id", string="Workshop Skills"
    )
