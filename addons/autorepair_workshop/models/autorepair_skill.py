from odoo import fields, models


class AutorepairSkill(models.Model):
    """What a technician can do (engine, electrical, body, paint, NEV battery...):
    appointments pick a technician by the skill the work needs."""

    _name = "autorepair.skill"
    _description = "Technician Skill"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    user_ids = fields.Many2many(
        "res.users", "autorepair_skill_res_users_rel", "skill_id", "user_id", string="Technicians"
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", help="Empty: shared by every company of the group.")
