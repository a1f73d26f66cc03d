from odoo import fields, models

AREAS = [("body", "Body"), ("interior", "Interior"), ("tyres", "Tyres"), ("underbody", "Underbody"),
         ("other", "Other")]


class AutorepairWalkaroundItem(models.Model):
    """A point of the walk-around route (环车检查) the manager configures."""

    _name = "autorepair.walkaround.item"
    _description = "Walk-Around Checklist Item"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    area = fields.Selection(AREAS, required=True, default="body")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", help="Empty: shared by every company of the group.")


class AutorepairWalkaroundLine(models.Model):
    _name = "autorepair.walkaround.line"
    _autorepair_redact_fields = ("note",)
    _description = "Walk-Around Result"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    item_id = fields.Many2one("autorepair.walkaround.item", string="Point", required=True, ondelete="restrict")
    area = fields.Selection(related="item_id.area")
    sequence = fields.Integer(related="item_id.sequence", store=True)
    condition = fields.Selection(
        [("ok", "OK"), ("attention", "Needs Attention"), ("damaged", "Damaged")], default="ok", required=True
    )
    note = fields.Char()


class AutorepairDamage(models.Model):
    """A damage point found at the walk-around, photographed with the customer present."""

    _name = "autorepair.damage"
    _autorepair_personal_fields = ("photo",)
    _autorepair_redact_fields = ("location", "description")
    _description = "Damage Point"
    _order = "order_id, id"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    location = fields.Char(required=True, help="e.g. left rear door")
    description = fields.Char(required=True, help="e.g. 5 cm scratch")
    photo = fields.Image(attachment=True, max_width=1920, max_height=1920)
