from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    autorepair_line_id = fields.Many2one(
        "autorepair.service.order.line", string="Service Order Line", index="btree_not_null",
        ondelete="set null", copy=False,
        help="The quote line whose part this move reserves, issues or returns.",
    )
