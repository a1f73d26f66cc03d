from odoo import api, fields, models

from ..models.autorepair_service_order_line import DECISIONS


class AutorepairQuoteDecisionWizard(models.TransientModel):
    """At the desk: the customer decides each line and signs the quote."""

    _name = "autorepair.quote.decision.wizard"
    _description = "Record the Customer's Decision"

    quote_id = fields.Many2one("autorepair.service.quote", required=True, readonly=True)
    currency_id = fields.Many2one(related="quote_id.currency_id")
    line_ids = fields.One2many("autorepair.quote.decision.wizard.line", "wizard_id", string="Lines")
    signature = fields.Binary(string="Customer Signature")
    signed_by = fields.Char()
    # the form opens from "Customer Declines All": every line starts declined
    decline_all = fields.Boolean(string="Declines All")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        quote = self.env["autorepair.service.quote"].browse(
            values.get("quote_id") or self.env.context.get("default_quote_id"))
        if quote and "line_ids" in fields_list:
            # where the form starts only: the customer's choice is what gets confirmed
            decision = "declined" if values.get("decline_all") else "approved"
            values["line_ids"] = [
                fields.Command.create({"line_id": line.id, "decision": decision}) for line in quote.line_ids
            ]
            values.setdefault("signed_by", quote.order_id.partner_id.name)
        return values

    def action_confirm(self):
        self.ensure_one()
        decisions = {line.line_id.id: line.decision for line in self.line_ids}
        if any(decision in ("approved", "alternative") for decision in decisions.values()):
            self.quote_id.action_decide(decisions=decisions, signature=self.signature, signed_by=self.signed_by)
        else:
            self.quote_id.action_decline_all(signature=self.signature, signed_by=self.signed_by, decisions=decisions)
        return {"type": "ir.actions.act_window_close"}


class AutorepairQuoteDecisionWizardLine(models.TransientModel):
    _name = "autorepair.quote.decision.wizard.line"
    _description = "Customer's Decision on a Line"

    wizard_id = fields.Many2one("autorepair.quote.decision.wizard", required=True, ondelete="cascade")
    line_id = fields.Many2one("autorepair.service.order.line", required=True, readonly=True)
    name = fields.Char(related="line_id.name")
    price_total = fields.Monetary(related="line_id.price_total", string="Quoted")
    currency_id = fields.Many2one(related="line_id.currency_id")
    alt_description = fields.Char(related="line_id.alt_description")
    alt_price_unit = fields.Float(related="line_id.alt_price_unit")
    risk_note = fields.Char(related="line_id.risk_note")
    decision = fields.Selection([d for d in DECISIONS if d[0] != "pending"], required=True, default="approved")
