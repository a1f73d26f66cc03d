from odoo import fields, models
from odoo.exceptions import UserError


class AutorepairErasureWizard(models.TransientModel):
    """A customer's request for erasure (PIPL art. 47), confirmed by a
    service manager: the reason is logged, the person anonymised everywhere
    (see res.partner._autorepair_erase)."""

    _name = "autorepair.erasure.wizard"
    _description = "Erase a Customer's Personal Data"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade")
    reason = fields.Char(
        required=True, help="Why the data is erased, e.g. the customer's written request of a date.")
    confirm = fields.Boolean(
        string="I confirm the erasure",
        help="Names, phones, addresses, IDs, photos, signatures and message texts are anonymised and cannot "
        "be recovered. Invoices and repair records stay, without the person's data, for their legal period.",
    )

    def action_erase(self):
        self.ensure_one()
        partner = self.partner_id.with_env(self.env)
        partner._autorepair_check_dsr_access()
        if not self.confirm:
            raise UserError(self.env._("Tick the confirmation: an erasure cannot be undone."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason of the erasure."))
        partner._autorepair_erase("erasure", reason=self.reason.strip())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The customer's personal data has been erased."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
