from odoo import api, fields, models


class AutorepairCardTopUpWizard(models.TransientModel):
    """The cashier sells a top-up of a customer's stored-value card, or a
    count card: an invoice into the prepaid liability, the card credited
    once it is paid."""

    _name = "autorepair.card.top.up.wizard"
    _description = "Top Up a Stored-Value Card"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade")
    program_id = fields.Many2one(
        "loyalty.program", string="Card", required=True, ondelete="cascade",
        domain="[('program_type', 'in', ('ewallet', 'loyalty')), ('company_id', 'in', [False, company_id])]")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)
    amount = fields.Monetary(required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    bonus = fields.Float(compute="_compute_bonus")

    @api.onchange("program_id")
    def _onchange_program_id(self):
        # a count card is sold at its product's price
        program = self.program_id.sudo()
        if program and program.program_type != "ewallet":
            self.amount = program._autorepair_top_up_product().lst_price

    @api.depends("program_id", "amount")
    def _compute_bonus(self):
        for wizard in self:
            program = wizard.program_id.sudo()
            wizard.bonus = program._autorepair_top_up_points(wizard.amount)[1] if program else 0.0

    def action_confirm(self):
        self.ensure_one()
        card = self.program_id.sudo()._autorepair_card_for(self.partner_id)
        invoice = card.sudo(False)._autorepair_top_up_invoice(self.amount)
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": invoice.id,
            "view_mode": "form",
        }
