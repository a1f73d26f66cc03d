from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    autorepair_service_order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", index="btree_not_null", readonly=True, copy=False,
        ondelete="restrict",
    )

    def _invoice_paid_hook(self):
        """Points in proportion to what the customer paid (RULEBOOK §9), once per invoice:
        not for what the maker (warranty) or the insurer (accident repair) paid."""
        res = super()._invoice_paid_hook()
        self.sudo().filtered(
            lambda move: move.autorepair_service_order_id and move.move_type == "out_invoice"
            and move.commercial_partner_id == move.autorepair_service_order_id.sudo().partner_id.commercial_partner_id
        )._autorepair_earn_points()
        return res

    def _post(self, soft=True):
        """A credit note of a service-order invoice takes back the points that
        invoice earned, in proportion to what it refunds (once per credit note)."""
        posted = super()._post(soft=soft)
        refunds = posted.filtered(lambda move: move.move_type == "out_refund"
                                  and move.reversed_entry_id.autorepair_service_order_id)
        if refunds:
            refunds.sudo()._autorepair_take_back_points()
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
