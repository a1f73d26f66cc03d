from odoo import fields, models

CHECK_TYPES = [("self", "Self-Check"), ("peer", "Peer Check"), ("final", "Final Check")]


class AutorepairCheckItem(models.Model):
    """A point of a quality checklist the manager configures, per kind of check."""

    _name = "autorepair.check.item"
    _description = "Quality Checklist Item"
    _order = "check_type, sequence, id"

    name = fields.Char(required=True, translate=True)
    check_type = fields.Selection(CHECK_TYPES, required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", help="Empty: shared by every company of the group.")
