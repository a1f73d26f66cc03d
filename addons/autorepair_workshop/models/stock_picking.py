from odoo import api, fields, models

from .stock_move import check_parts_keeper


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # the parts issue (领料) or return (退料) of one service order; a backorder keeps it
    autorepair_order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", index="btree_not_null", ondelete="set null",
        check_company=True, readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_parts_keeper(self.env, any(vals.get("autorepair_order_id") for vals in vals_list))
        return super().create(vals_list)

    def write(self, vals):
        check_parts_keeper(self.env, vals.get("autorepair_order_id") or self.sudo().filtered("autorepair_order_id"))
        return super().write(vals)

    def unlink(self):
        check_parts_keeper(self.env, self.sudo().filtered("autorepair_order_id"))
        return super().unlink()

    def button_validate(self):
        check_parts_keeper(self.env, self.sudo().filtered("autorepair_order_id"))
        return super().button_validate()
