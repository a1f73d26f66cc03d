from odoo import fields, models


class AutorepairBay(models.Model):
    """A workshop bay (工位): appointments reserve one so that it is never booked twice."""

    _name = "autorepair.bay"
    _description = "Workshop Bay"
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    active = fields.Boolean(default=True)
