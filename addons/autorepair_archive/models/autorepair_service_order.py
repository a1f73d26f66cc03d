from odoo import api, fields, models

from .autorepair_archive_filing import READERS, STATES

# the order's fields among the archive's items: changed after filing, the record is filed again
ARCHIVE_FIELDS = frozenset({
    "vehicle_id", "odometer_in", "received_date", "repair_category", "diagnosis", "requested_work", "name",
})


class AutorepairServiceOrder(models.Model):
    _inherit = "autorepair.service.order"

    archive_filing_ids = fields.One2many(
        "autorepair.archive.filing", "order_id", string="Health Archive Filing", readonly=True, groups=READERS)
    archive_state = fields.Selection(
        STATES, string="Health Archive", compute="_compute_archive_state", groups=READERS,
        help="Where the order's record with the province's health archive (汽车维修电子健康档案) stands.")

    @api.depends("archive_filing_ids.state")
    def _compute_archive_state(self):
        for order in self:
            order.archive_state = order.archive_filing_ids[:1].state or False

    def write(self, vals):
        result = super().write(vals)
        if ARCHIVE_FIELDS.intersection(vals):
            self._autorepair_archive_changed()
        return result

    def _autorepair_archive_changed(self):
        """These orders' archive items changed: a filed record is sent again."""
        settled = self.filtered(lambda order: order.state == "delivered" or order._autorepair_is_settled())
        if settled:
            filings = self.env["autorepair.archive.filing"].sudo().search([("order_id", "in", settled.ids)])
            filings._autorepair_changed()

    def action_view_archive_filing(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "autorepair.archive.filing",
            "res_id": self.archive_filing_ids[:1].id,
            "view_mode": "form",
        }
