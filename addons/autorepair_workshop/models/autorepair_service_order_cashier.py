from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from .autorepair_service_order import WORKSHOP_READERS

CASHIER = "autorepair_workshop.group_cashier"
MANAGER = "autorepair_crm.group_manager"


class AutorepairServiceOrder(models.Model):
    """The cashier's desk (收银) on the order: the customer's payment of its
    invoices, split across methods (autorepair.payment.wizard)."""

    _inherit = "autorepair.service.order"

    # the settlement statement the cashier prints names who checked the work
    check_ids = fields.One2many(groups=f"{WORKSHOP_READERS},{CASHIER}")
    payment_ids = fields.One2many(
        "account.payment", "autorepair_service_order_id", string="Payments Taken", readonly=True,
        groups="account.group_account_invoice,account.group_account_readonly")

    def action_open_payment_wizard(self):
        """The cashier takes the customer's payment of the settled order (收款)."""
        self.ensure_one()
        if not self.env.user.has_groups(f"{CASHIER},{MANAGER}"):
            raise AccessError(self.env._("Only a cashier takes payments at the desk."))
        if not self._autorepair_open_invoices():
            raise UserError(self.env._(
                "%(order)s has no invoice of the customer left to pay: settle it first.", order=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Take Payment"),
            "res_model": "autorepair.payment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _autorepair_open_invoices(self):
        """The customer's posted invoices of the order still to pay (the
        insurer's and the maker's are settled on account)."""
        self.ensure_one()
        return self.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
            and move.commercial_partner_id == self.partner_id.commercial_partner_id
            and move.payment_state in ("not_paid", "partial"))
