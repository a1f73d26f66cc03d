from odoo import api, fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    autorepair_line_id = fields.Many2one(
        "autorepair.service.order.line", string="Service Order Line", index="btree_not_null",
        ondelete="set null", copy=False,
        help="The quote line whose part this move reserves, issues or returns.",
    )

    @api.model
    def _autorepair_parts_moves_action(self):
        """Parts moves: the parts issued to and returned from the workshop of the user's companies."""
        consumption = self.env.companies.sudo().autorepair_consumption_location_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Parts Moves"),
            "res_model": "stock.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("stock.view_move_tree").id, "list"),
                      (self.env.ref("stock.view_move_form").id, "form")],
            "search_view_id": [self.env.ref("stock.view_move_search").id],
            "domain": ["|", ("location_dest_id", "in", consumption.ids), ("location_id", "in", consumption.ids)],
            "context": {"search_default_done": 1, "create": False},
        }
