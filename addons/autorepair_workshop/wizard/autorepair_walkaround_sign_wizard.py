from odoo import api, fields, models


class AutorepairWalkaroundSignWizard(models.TransientModel):
    """The customer signs the walk-around sheet in the web client."""

    _name = "autorepair.walkaround.sign.wizard"
    _description = "Sign the Walk-Around Sheet"

    order_id = fields.Many2one("autorepair.service.order", required=True, readonly=True)
    signature = fields.Binary(string="Customer Signature", required=True)
    signed_by = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["autorepair.service.order"].browse(values.get("order_id"))
        if order and "signed_by" in fields_list:
            values.setdefault("signed_by", order.partner_id.name)
        return values

    def action_confirm(self):
        self.ensure_one()
        self.order_id.action_sign_walkaround(self.signature, self.signed_by)
        return {"type": "ir.actions.act_window_close"}
