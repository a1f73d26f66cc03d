from odoo import api, models

# a line's fields among the archive's items (labour hours, part numbers and quantities)
ARCHIVE_FIELDS = frozenset({"name", "quantity", "part_number", "product_id", "line_type", "decision"})


class AutorepairServiceOrderLine(models.Model):
    _inherit = "autorepair.service.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._autorepair_archive_changed()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if ARCHIVE_FIELDS.intersection(vals):
            self.order_id._autorepair_archive_changed()
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders.exists()._autorepair_archive_changed()
        return result
