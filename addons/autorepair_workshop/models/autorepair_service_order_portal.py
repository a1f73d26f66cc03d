import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq


class AutorepairServiceOrder(models.Model):
    """The order's portal link (``access_token``, sent with each quote) opens
    it without logging in for the company's number of days, and no longer once
    the quote is decided. Every check of the link goes through
    ``_portal_token_valid``; the logged-in customer needs no link."""

    _inherit = "autorepair.service.order"

    # the link opens the order as its customer and decides his quote: read by
    # those who send it (advisors, managers), handed out to nobody else, so
    # that a technician cannot approve work in the customer's name
    access_token = fields.Char(groups="autorepair_workshop.group_advisor,autorepair_crm.group_manager")
    access_token_expiry = fields.Datetime(string="Portal Link Valid Until", readonly=True, copy=False)

    # what the customer is asked to decide now: the amount of the quote the link is sent with
    quote_awaiting_amount = fields.Monetary(
        compute="_compute_quote_awaiting_amount", string="Quote Awaiting Approval",
        help="What the quotes sent to the customer and not yet decided come to, tax included.")

    @api.depends("quote_ids.state", "quote_ids.amount_quoted")
    def _compute_quote_awaiting_amount(self):
        for order in self:
            order.quote_awaiting_amount = sum(
                order.quote_ids.filtered(lambda quote: quote.state == "sent").mapped("amount_quoted"))

    def get_base_url(self):
        """Customer links (SMS, e-mail, QR code) open on the company's public
        address when it has one, not on the address the server was last
        reached at (localhost behind a proxy)."""
        self.ensure_one()
        return self.company_id._autorepair_workshop_setting("public_url") or super().get_base_url()

    def action_open_customer_link(self):
        """The order's link shown at the desk: copied into a chat, scanned from
        the screen, or previewed as the customer sees it."""
        self.ensure_one()
        if self.state == "cancel":
            raise UserError(self.env._("%(order)s is cancelled: it has no link to give.", order=self.name))
        self._portal_ensure_token()  # refused to those who may not hand it out
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customer Link of %(order)s", order=self.name),
            "res_model": "autorepair.customer.link.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _portal_token_valid(self, access_token):
        """Whether ``access_token`` is this order's link and still valid."""
        self.ensure_one()
        order_sudo = self.sudo()
        return bool(
            access_token and order_sudo.access_token and isinstance(access_token, str)
            and consteq(order_sudo.access_token, access_token)
            and order_sudo.access_token_expiry and order_sudo.access_token_expiry > fields.Datetime.now()
        )

    def _portal_ensure_token(self):
        """The valid link of the order, a new one when it has none or it expired."""
        if not self.env.su and not self._fields["access_token"].is_accessible(self.env):
            # get_portal_url and the share wizard are public: they must not hand it out
            raise AccessError(self.env._("Only a service advisor or a manager hands out a customer's quote link."))
        for order in self:
            if not order.sudo()._portal_token_valid(order.sudo().access_token):
                order._portal_renew_token()
        return self.access_token

    def _portal_renew_token(self):
        """A new link, valid for the company's number of days: each quote sent
        gets its own, and the links sent before no longer open the order."""
        now = fields.Datetime.now()
        for order in self:
            days = order.company_id._autorepair_workshop_setting("portal_link_days")
            order.sudo().write({"access_token": str(uuid.uuid4()), "access_token_expiry": now + timedelta(days=days)})

    def _portal_expire_token(self):
        """The link has done its work (the quote is decided): it opens nothing any more."""
        self.sudo().write({"access_token": False, "access_token_expiry": False})

    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        """The portal chatter: an expired link gives no access to the messages either."""
        if kwargs.get("token"):
            order = self.browse(thread_id).sudo().exists()
            if not order or not order._portal_token_valid(kwargs["token"]):
                kwargs = {**kwargs, "token": None}
        return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
