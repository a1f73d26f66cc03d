from odoo import models


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    def _autorepair_is_prepaid(self):
        """Whether the program's cards are sold for money held in the prepaid
        liability: stored value, and count cards (a loyalty program whose
        reward is a service and whose rules name the card's product)."""
        self.ensure_one()
        return self.program_type == "ewallet" or (
            self.program_type == "loyalty" and self.reward_ids[:1].reward_type == "product"
            and bool(self.rule_ids.product_ids))

    def _autorepair_top_up_points(self, amount):
        """(points, bonus points) a top-up of ``amount`` earns on this
        stored-value program, by its rules: the money rules give points per
        yuan paid (1 per yuan: the balance is the money), the best order rule
        whose minimum is reached gives the bonus (top up 1000, get 100)."""
        self.ensure_one()
        rules = self.rule_ids.filtered(lambda rule: rule.active and rule.minimum_amount <= amount)
        if self.program_type != "ewallet":
            # a count card (次卡) sold: the uses its rules give per card bought, no bonus
            return sum(rule.reward_point_amount * (amount if rule.reward_point_mode == "money" else 1.0)
                       for rule in rules), 0.0
        points = sum(rule.reward_point_amount * amount for rule in rules if rule.reward_point_mode == "money")
        bonus = max([rule.reward_point_amount for rule in rules if rule.reward_point_mode == "order"] or [0.0])
        return points, bonus

    def _autorepair_top_up_product(self):
        """The product a top-up is invoiced with: the one the program's rules name."""
        self.ensure_one()
        return self.rule_ids.product_ids[:1] or self.reward_ids[:1].discount_line_product_id

    def _autorepair_card_for(self, partner):
        """The customer's card of this program (one per customer), created on first use."""
        self.ensure_one()
        partner = partner.commercial_partner_id
        card = self.env["loyalty.card"].sudo().search(
            [("program_id", "=", self.id), ("partner_id", "=", partner.id)], limit=1)
        return card or card.create({"program_id": self.id, "partner_id": partner.id, "points": 0.0})
