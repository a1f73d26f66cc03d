from odoo import api, fields, models
from odoo.exceptions import UserError

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


# what the advisor finds at a point of the route, with the customer beside him:
# everything but "normal" is printed in bold on the sheet he signs
CONDITIONS = [("ok", "Normal"), ("attention", "Needs Attention"), ("damaged", "Damaged"), ("missing", "Missing")]


class WalkaroundSheetMixin(models.AbstractModel):
    """What the customer signed stays as he signed it: the lines and damage
    points of a signed walk-around sheet are no longer changed, added or
    removed (the trusted paths, an erasure, run as the superuser)."""

    _name = "autorepair.walkaround.sheet.mixin"
    _description = "Part of the Walk-Around Sheet"

    def _check_sheet_open(self, orders):
        if self.env.su:
            return
        signed = orders.filtered("walkaround_signed_on")
        if signed:
            raise UserError(self.env._(
                "The customer has signed the walk-around sheet of %(order)s: it can no longer be changed. "
                "Record what was found later in the order's findings or its messages.",
                order=signed[0].name))

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["autorepair.service.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")})
        self._check_sheet_open(orders)
        return super().create(vals_list)

    def write(self, vals):
        orders = self.order_id
        if vals.get("order_id"):
            orders |= self.env["autorepair.service.order"].browse(vals["order_id"])
        self._check_sheet_open(orders)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        self._check_sheet_open(self.order_id)


class AutorepairWalkaroundLine(models.Model):
    _name = "autorepair.walkaround.line"
    _inherit = ["autorepair.walkaround.sheet.mixin"]
    _autorepair_redact_fields = ("note",)
    _description = "Walk-Around Result"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    item_id = fields.Many2one("autorepair.walkaround.item", string="Point", required=True, ondelete="restrict")
    area = fields.Selection(related="item_id.area")
    sequence = fields.Integer(related="item_id.sequence", store=True)
    condition = fields.Selection(CONDITIONS, default="ok", required=True)
    note = fields.Char(help="What was found, e.g. front-left tread about 2 mm.")


class AutorepairDamage(models.Model):
    """A damage point found at the walk-around, photographed with the customer present."""

    _name = "autorepair.damage"
    _inherit = ["autorepair.walkaround.sheet.mixin"]
    _autorepair_personal_fields = ("photo",)
    _autorepair_redact_fields = ("location", "description")
    _description = "Damage Point"
    _order = "order_id, id"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    location = fields.Char(required=True, help="e.g. left rear door")
    description = fields.Char(required=True, help="e.g. 5 cm scratch")
    photo = fields.Image(attachment=True, max_width=1920, max_height=1920)
