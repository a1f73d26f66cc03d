from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    autorepair_service_order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", index="btree_not_null", readonly=True, copy=False,
        ondelete="restrict",
    )

    def _invoice_paid_hook(self):
        """Points in proportion to what the customer paid (RULEBOOK §9), once per invoice."""
        res = super()._invoice_paid_hook()
        self.env["autorepair.loyalty.move"].sudo()._earn_for_invoices(
            self.filtered(lambda move: move.autorepair_service_order_id and move.move_type == "out_invoice"))
        return res

    def _post(self, soft=True):
        """A credit note of a service-order invoice takes back the points that
        invoice earned, in proportion to what it refunds (once per credit note)."""
        posted = super()._post(soft=soft)
        refunds = posted.filtered(lambda move: move.move_type == "out_refund"
                                  and move.reversed_entry_id.autorepair_service_order_id)
        if refunds:
            self.env["autorepair.loyalty.move"].sudo()._take_back_for_refunds(refunds)
        return posted


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    autorepair_line_id = fields.Many2one(
        "autorepair.service.order.line", string="Service Order Line", index="btree_not_null", copy=False,
        ondelete="set null",
    )

    def _eligible_for_cogs(self):
        """A service order's parts were booked to the cost of goods sold when
        the storekeeper issued them (the consumption location's accounts), and
        back when he took them back: anglo-saxon invoicing must not book their
        cost a second time, on the invoice nor on its credit note."""
        move = self.move_id
        return super()._eligible_for_cogs() and not (
            self.autorepair_line_id or move.autorepair_service_order_id
            or move.reversed_entry_id.autorepair_service_order_id)
