from odoo import api, fields, models
from odoo.exceptions import AccessError

# who moves the parts of service orders in the store besides the workshop's own steps (which run
# as the superuser after their role check): Odoo grants invoicing users (the advisor) write on
# stock moves and pickings, so the service orders' ones are guarded here
PARTS_KEEPERS = ("autorepair_workshop.group_storekeeper", "stock.group_stock_manager")


def check_parts_keeper(env, linked):
    """Refuse a change to the service orders' parts moves (linked: those
    touched) to anyone but the storekeeper and the stock manager."""
    if env.su or not linked:
        return
    if not any(env.user.has_group(group) for group in PARTS_KEEPERS):
        raise AccessError(env._("Only the storekeeper issues parts to the workshop and takes them back."))


class StockMove(models.Model):
    _inherit = "stock.move"

    autorepair_line_id = fields.Many2one(
        "autorepair.service.order.line", string="Service Order Line", index="btree_not_null",
        ondelete="set null", copy=False,
        help="The quote line whose part this move reserves, issues or returns.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_parts_keeper(self.env, any(vals.get("autorepair_line_id") for vals in vals_list))
        return super().create(vals_list)

    def write(self, vals):
        check_parts_keeper(self.env, vals.get("autorepair_line_id") or self.sudo().filtered("autorepair_line_id"))
        return super().write(vals)

    def unlink(self):
        check_parts_keeper(self.env, self.sudo().filtered("autorepair_line_id"))
        return super().unlink()

    def _prepare_merge_moves_distinct_fields(self):
        # two lines of the same part stay two moves: each line counts its own
        return [*super()._prepare_merge_moves_distinct_fields(), "autorepair_line_id"]

    def _prepare_move_split_vals(self, qty):
        # what a partial issue leaves reserved is still the line's part
        vals = super()._prepare_move_split_vals(qty)
        if self.autorepair_line_id:
            vals["autorepair_line_id"] = self.autorepair_line_id.id
        return vals

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
