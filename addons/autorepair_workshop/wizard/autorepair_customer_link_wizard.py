from urllib.parse import urlencode

from odoo import api, fields, models


class AutorepairCustomerLinkWizard(models.TransientModel):
    """The order's link as the advisor gives it at the desk: copied into a
    chat, scanned from the screen with the customer's phone, or previewed as
    the customer will see it. Opened by ``action_open_customer_link``, which
    refuses whoever may not hand the link out."""

    _name = "autorepair.customer.link.wizard"
    _description = "Customer Link"

    order_id = fields.Many2one("autorepair.service.order", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="order_id.partner_id")
    license_plate = fields.Char(related="order_id.license_plate")
    currency_id = fields.Many2one(related="order_id.currency_id")
    quote_awaiting_amount = fields.Monetary(related="order_id.quote_awaiting_amount")
    valid_until = fields.Datetime(related="order_id.access_token_expiry")
    link = fields.Char(compute="_compute_link")
    qr_code_url = fields.Char(compute="_compute_link", string="QR Code")
    warning = fields.Char(compute="_compute_link")

    @api.depends("order_id")
    def _compute_link(self):
        for wizard in self:
            order = wizard.order_id
            if not order:
                wizard.link = wizard.qr_code_url = wizard.warning = False
                continue
            wizard.link = order.get_base_url() + order.get_portal_url()
            # drawn by Odoo's own barcode route; quiet zone around it so that phones read it off a screen
            wizard.qr_code_url = "/report/barcode/?" + urlencode({
                "barcode_type": "QR", "value": wizard.link, "width": 240, "height": 240, "quiet": 1, "barLevel": "M"})
            wizard.warning = order.company_id._autorepair_workshop_link_warning()

    def action_preview(self):
        """The page as the customer sees it, opened on the advisor's own
        address and session: shown, not decided (the portal refuses staff
        decisions)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": self.order_id.get_portal_url(query_string="&preview=1"),
            "target": "new",
        }
