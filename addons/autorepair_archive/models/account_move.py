from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """A service order's invoice posted settles it: its record is queued
        for the health archive. A credit note or a new invoice of an order
        already filed is a correction: the record is filed again."""
        posted = super()._post(soft=soft)
        invoices = posted.filtered(lambda move: move.move_type == "out_invoice")
        refunds = posted.filtered(lambda move: move.move_type == "out_refund")
        orders = invoices.autorepair_service_order_id | refunds.reversed_entry_id.autorepair_service_order_id
        if orders:
            self.env["autorepair.archive.filing"].sudo()._autorepair_queue(orders)
        return posted
