from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _autorepair_parts_stock_action(self):
        """Parts stock (配件库存): what the parts stores of the user's companies hold."""
        parts = self.env.ref("autorepair_workshop.product_category_parts")
        stores = self.env.companies._autorepair_parts_store()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Parts Stock"),
            "res_model": "stock.quant",
            "view_mode": "list",
            "views": [(self.env.ref("stock.view_stock_quant_tree").id, "list")],
            "search_view_id": [self.env.ref("stock.quant_search_view").id],
            "domain": [("location_id", "child_of", stores.ids),
                       ("product_id.categ_id", "child_of", parts.id)],
            "context": {},
        }
