from odoo import api, fields, models


class AutorepairRewardApplyWizard(models.TransientModel):
    """The cashier picks one of the customer's cards, or types a coupon's
    code, and the reward to redeem on the order at settlement."""

    _name = "autorepair.reward.apply.wizard"
    _description = "Redeem a Card or Coupon on a Service Order"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="order_id.partner_id")
    company_id = fields.Many2one(related="order_id.company_id")
    code = fields.Char(string="Coupon Code", help="The code printed on a coupon or voucher.")
    card_id = fields.Many2one(
        "loyalty.card", string="Card", compute="_compute_card_id", store=True, readonly=False,
        domain="[('partner_id', 'child_of', partner_id), ('points', '>', 0),"
               " ('company_id', 'in', [False, company_id])]")
    balance = fields.Float(related="card_id.points", string="Balance")
    reward_id = fields.Many2one(
        "loyalty.reward", string="Reward", compute="_compute_reward_id", store=True, readonly=False,
        domain="[('program_id', '=', program_id)]")
    program_id = fields.Many2one(related="card_id.program_id")
    needs_amount = fields.Boolean(compute="_compute_needs_amount")
    amount = fields.Float(string="Amount to Use", help="Empty: as much as the card holds, up to what is due.")

    @api.depends("code")
    def _compute_card_id(self):
        for wizard in self.filtered("code"):
            wizard.card_id = self.env["autorepair.service.order.reward"]._autorepair_find_card(
                wizard.order_id, wizard.code)

    @api.depends("card_id")
    def _compute_reward_id(self):
        for wizard in self:
            wizard.reward_id = wizard.card_id.sudo().program_id.reward_ids[:1]

    @api.depends("reward_id")
    def _compute_needs_amount(self):
        Reward = self.env["autorepair.service.order.reward"]
        for wizard in self:
            wizard.needs_amount = bool(wizard.reward_id) and Reward._autorepair_kind(
                wizard.reward_id.sudo()) in ("stored_value", "points")

    def action_apply(self):
        self.ensure_one()
        card = self.card_id
        if self.code:
            card = self.env["autorepair.service.order.reward"]._autorepair_find_card(self.order_id, self.code)
        reward = self.reward_id
        if reward.sudo().program_id != card.sudo().program_id:
            reward = card.sudo().program_id.reward_ids[:1]
        self.env["autorepair.service.order.reward"]._autorepair_apply(
            self.order_id, card, reward, amount=self.amount or None)
        return {"type": "ir.actions.act_window_close"}
