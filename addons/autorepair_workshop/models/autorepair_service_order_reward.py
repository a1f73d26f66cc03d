import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

ADVISOR = "autorepair_workshop.group_advisor"

# what a card pays on an order, by its program and reward (see _autorepair_kind)
KINDS = [
    ("stored_value", "Stored Value"),  # 储值卡: a means of payment out of the prepaid liability
    ("points", "Points"),  # 积分: points exchanged for money off
    ("count", "Count Card"),  # 次卡: one use per unit of its service
    ("coupon", "Coupon"),  # 优惠券 / 工时券: a discount, on labour only for a labour voucher
]


class AutorepairServiceOrderReward(models.Model):
    """A member card, coupon or voucher redeemed on a service order at
    settlement, as sale_loyalty's reward lines are on a sale: the card is
    debited when the cashier applies it (under a lock of the card, so two
    desks cannot spend the same balance), the order's invoice carries the
    reward as a negative line, a credit note of that invoice gives back
    what it consumed. Created and removed only by the private methods
    below, after their checks."""

    _name = "autorepair.service.order.reward"
    _description = "Card or Coupon Redeemed on a Service Order"
    _order = "order_id, id"
    _check_company_auto = True

    order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", required=True, index=True, ondelete="cascade",
        readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    card_id = fields.Many2one("loyalty.card", string="Card or Coupon", required=True, index=True,
                              ondelete="restrict", readonly=True)
    program_id = fields.Many2one(related="card_id.program_id", store=True, string="Program")
    reward_id = fields.Many2one("loyalty.reward", string="Reward", required=True, ondelete="restrict", readonly=True)
    kind = fields.Selection(KINDS, required=True, readonly=True)
    description = fields.Char(readonly=True)
    points = fields.Float(string="Points Used", readonly=True)
    # a count card sold for money: the share of the prepaid liability its uses take out
    prepaid_amount = fields.Monetary(string="From Prepaid Money", readonly=True)
    amount = fields.Monetary(readonly=True, help="What the customer saves or pays with it, tax included.")
    # the order's line a count card pays for (its service)
    line_id = fields.Many2one("autorepair.service.order.line", string="Line", ondelete="restrict", readonly=True)
    invoice_line_ids = fields.One2many("account.move.line", "autorepair_reward_id", string="Invoice Lines",
                                       readonly=True)

    _sql_constraints = [
        ("card_order_unique", "UNIQUE(order_id, card_id)", "A card or coupon is applied once per order."),
    ]

    # ------------------------------------------------------------------ helpers

    @api.model
    def _autorepair_kind(self, reward):
        if reward.reward_type == "product":
            return "count"
        if reward.program_id.is_payment_program:
            return "stored_value"
        if reward.discount_mode == "per_point":
            return "points"
        return "coupon"

    @api.model
    def _autorepair_customer_items(self, order):
        """(line, total tax included, taxes) of what the customer himself pays
        on the order: not the maker's warranty lines, not the insurer's share."""
        items = []
        for partner, line, amount in order._invoice_items():
            if partner != order.partner_id:
                continue
            if amount is None:
                items.append((line, line.price_total, line.tax_ids))
            else:
                total = line.tax_ids.compute_all(
                    amount, line.currency_id, 1.0, product=line.product_id, partner=partner)["total_included"]
                items.append((line, total, line.tax_ids))
        return items

    @api.model
    def _autorepair_find_card(self, order, code):
        """The card or coupon of a typed code, in the order's company."""
        card = self.env["loyalty.card"].sudo().search([
            ("code", "=", (code or "").strip()), ("company_id", "in", [False, order.company_id.id])], limit=1)
        if not card:
            raise UserError(self.env._("No card or coupon has the code %(code)s.", code=code))
        return card

    def _autorepair_check_card(self, order, card, reward):
        today = fields.Date.context_today(self)
        program = card.program_id
        if reward.program_id != program or not reward.active or not program.active:
            raise UserError(self.env._("%(reward)s is not a reward of %(card)s.",
                                       reward=reward.description, card=card.code))
        if program.company_id and program.company_id != order.company_id:
            raise UserError(self.env._("%(card)s belongs to another company.", card=card.code))
        if (card.expiration_date and card.expiration_date < today) or (program.date_to and program.date_to < today) \
                or (program.date_from and program.date_from > today):
            raise UserError(self.env._("%(card)s has expired or is not valid yet.", card=card.code))
        if card.partner_id and card.partner_id.commercial_partner_id != order.partner_id.commercial_partner_id:
            raise UserError(self.env._("%(card)s is another customer's card.", card=card.code))
        if not order._autorepair_settleable():
            raise UserError(self.env._(
                "Cards and coupons are redeemed at settlement: %(order)s must have passed its final check and "
                "not be settled yet.",
                order=order.name))
        if card in order.reward_ids.card_id:
            raise UserError(self.env._("%(card)s is already applied on %(order)s.", card=card.code, order=order.name))

    def _autorepair_compute(self, order, card, reward, balance, amount=None):
        """(points, amount tax included, line) the reward takes on the order
        for a card holding ``balance`` points; ``amount``: what the cashier
        asks to pay with a stored-value card or with points."""
        currency = order.currency_id
        items = self._autorepair_customer_items(order)
        due = currency.round(sum(total for _line, total, _taxes in items) - sum(order.reward_ids.mapped("amount")))
        kind = self._autorepair_kind(reward)
        line = self.env["autorepair.service.order.line"]
        if kind == "count":
            matching = [(ln, total) for ln, total, _taxes in items if ln.product_id == reward.reward_product_id]
            if not matching:
                raise UserError(self.env._(
                    "%(order)s has no %(service)s for the count card to pay.",
                    order=order.name, service=reward.reward_product_id.display_name))
            line, total = matching[0]
            uses = min(math.floor(balance / (reward.required_points or 1.0)), math.floor(line.quantity or 0.0))
            if uses < 1:
                raise UserError(self.env._("%(card)s has no use left.", card=card.code))
            value = currency.round(total / line.quantity * uses)
            return uses * (reward.required_points or 1.0), min(value, due), line
        if kind in ("stored_value", "points"):
            per_point = reward.discount or 1.0
            value = currency.round(balance * per_point)
            amount = currency.round(amount) if amount else min(value, due)
            if currency.compare_amounts(amount, value) > 0:
                raise UserError(self.env._(
                    "%(card)s holds %(value)s: it cannot pay %(amount)s.", card=card.code, value=value, amount=amount))
            points = amount / per_point
            if kind == "points" and reward.required_points and points < reward.required_points:
                raise UserError(self.env._(
                    "At least %(points)s points are redeemed at a time.", points=reward.required_points))
            return points, amount, line
        # a coupon or voucher: a discount on the customer's lines (on labour only for a labour voucher)
        if balance < (reward.required_points or 1.0):
            raise UserError(self.env._("%(card)s has already been used.", card=card.code))
        base = sum(total for ln, total, _taxes in items if self._autorepair_applies(reward, ln))
        if not base:
            raise UserError(self.env._("%(reward)s applies to nothing on %(order)s.",
                                       reward=reward.description, order=order.name))
        value = base * reward.discount / 100 if reward.discount_mode == "percent" else reward.discount
        if reward.discount_max_amount:
            value = min(value, reward.discount_max_amount)
        return reward.required_points or 1.0, currency.round(min(value, base, due)), line

    @api.model
    def _autorepair_applies(self, reward, line):
        """Whether a coupon's discount applies to an order line: the reward's
        line type (a labour voucher: labour lines), its products when it names some."""
        if reward.autorepair_line_type and line.line_type != reward.autorepair_line_type:
            return False
        if reward.discount_applicability == "specific" and reward.discount_product_ids:
            return line.product_id in reward.discount_product_ids
        return True

    # ------------------------------------------------------------------ trusted paths

    @api.private
    def _autorepair_apply(self, order, card, reward, amount=None):
        """Redeem ``reward`` of ``card`` on ``order``: checked, the card
        locked and debited, the reward line recorded. Returns the reward line."""
        order.check_access("write")
        if not self.env.su and not self.env.user.has_group(ADVISOR):
            raise AccessError(self.env._("Only a service advisor redeems cards and coupons on an order."))
        card, reward = card.sudo(), reward.sudo()
        self._autorepair_check_card(order, card, reward)
        balance = card._autorepair_lock()
        points, value, line = self._autorepair_compute(order, card, reward, balance, amount=amount)
        if order.currency_id.compare_amounts(value, 0) <= 0:
            raise UserError(self.env._("Nothing is left to pay on %(order)s.", order=order.name))
        due = sum(total for _line, total, _taxes in self._autorepair_customer_items(order)) \
            - sum(order.reward_ids.mapped("amount"))
        if order.currency_id.compare_amounts(value, due) > 0:
            raise UserError(self.env._(
                "%(amount)s is more than the %(due)s left to pay on %(order)s.",
                amount=value, due=order.currency_id.round(due), order=order.name))
        if points > balance + 1e-6:
            raise UserError(self.env._("%(card)s holds %(balance)s points, not %(points)s.",
                                       card=card.code, balance=balance, points=points))
        description = self.env._("%(reward)s (%(card)s)", reward=reward.description or card.program_id.name,
                                 card=card.code)
        prepaid = 0.0
        if self._autorepair_kind(reward) == "count" and card.autorepair_prepaid_value and balance:
            # the uses' share of what the customer paid for the card, at most what they are worth here
            prepaid = min(value, order.currency_id.round(card.autorepair_prepaid_value * points / balance))
        card._autorepair_points_move(-points, self.env._("Redeemed on %(order)s", order=order.name), record=order,
                                     values={"autorepair_prepaid_value": card.autorepair_prepaid_value - prepaid})
        rec = self.sudo().create({
            "order_id": order.id,
            "card_id": card.id,
            "reward_id": reward.id,
            "kind": self._autorepair_kind(reward),
            "description": description,
            "points": points,
            "amount": value,
            "prepaid_amount": prepaid,
            "line_id": line.id,
        })
        order.message_post(body=self.env._("%(reward)s redeemed: %(amount)s.", reward=description, amount=value),
                           subtype_xmlid="mail.mt_note")
        return rec.sudo(False)

    def action_remove(self):
        """Take a redeemed card or coupon off an order not invoiced yet: the
        card gets back what it gave."""
        for rec in self:
            rec.order_id.check_access("write")
        if not self.env.su and not self.env.user.has_group(ADVISOR):
            raise AccessError(self.env._("Only a service advisor redeems cards and coupons on an order."))
        for rec in self.sudo():
            if not rec.order_id._autorepair_settleable() or rec.invoice_line_ids:
                raise UserError(self.env._(
                    "%(order)s has been invoiced: a credit note gives the card back what it paid.",
                    order=rec.order_id.name))
            rec.card_id._autorepair_lock()
            rec.card_id._autorepair_points_move(
                rec.points, self.env._("Taken off %(order)s", order=rec.order_id.name), record=rec.order_id,
                values={"autorepair_prepaid_value": rec.card_id.autorepair_prepaid_value + rec.prepaid_amount})
            rec.order_id.message_post(body=self.env._("%(reward)s taken off.", reward=rec.description),
                                      subtype_xmlid="mail.mt_note")
            rec.unlink()
        return True

    def _prepare_invoice_line_vals(self):
        """The invoice lines of the redeemed rewards: a stored-value card pays
        out of the prepaid liability (no tax: it is a means of payment); a
        discount (coupon, voucher, points, count card) reduces the lines it
        applies to, with their taxes, split per tax when they differ."""
        vals_list = []
        for rec in self.sudo():
            product = rec.reward_id.discount_line_product_id or rec.reward_id.reward_product_id
            if rec.kind == "stored_value":
                account = rec.company_id._autorepair_member_card_accounts()["prepaid"]
                vals_list.append({
                    "product_id": product.id, "name": rec.description, "quantity": 1.0,
                    "price_unit": -rec.amount, "tax_ids": [fields.Command.clear()], "account_id": account.id,
                    "autorepair_reward_id": rec.id,
                })
                continue
            items = self._autorepair_customer_items(rec.order_id)
            amount = rec.amount
            if rec.prepaid_amount:
                # a count card's use paid in advance: out of the prepaid liability (the revenue is
                # recognised now, with its VAT, on the service's line); any rest is a discount
                vals_list.append({
                    "product_id": product.id, "name": rec.description, "quantity": 1.0,
                    "price_unit": -rec.prepaid_amount, "tax_ids": [fields.Command.clear()],
                    "account_id": rec.company_id._autorepair_member_card_accounts()["prepaid"].id,
                    "autorepair_reward_id": rec.id,
                })
                amount = rec.currency_id.round(rec.amount - rec.prepaid_amount)
                if rec.currency_id.is_zero(amount):
                    continue
            if rec.kind == "count":
                items = [item for item in items if item[0] == rec.line_id]
            elif rec.kind == "coupon":
                items = [item for item in items if self._autorepair_applies(rec.reward_id, item[0])]
            by_taxes = {}
            for _line, total, taxes in items:
                by_taxes[taxes] = by_taxes.get(taxes, 0.0) + total
            base = sum(by_taxes.values()) or 1.0
            for taxes, total in by_taxes.items():
                share = rec.currency_id.round(amount * total / base)
                untaxed = taxes.with_context(force_price_include=True).compute_all(
                    share, rec.currency_id, 1.0, product=product, partner=rec.order_id.partner_id)["total_excluded"]
                vals_list.append({
                    "product_id": product.id, "name": rec.description, "quantity": 1.0, "price_unit": -untaxed,
                    "tax_ids": [fields.Command.set(taxes.ids)], "autorepair_reward_id": rec.id,
                })
        return vals_list

    @api.model
    def _autorepair_give_back(self, refunds):
        """A credit note of a service invoice gives each card back what the
        reversed reward lines consumed, in proportion to what it reverses;
        once per credit note and card (the card's history names the note)."""
        History = self.env["loyalty.history"].sudo()
        for refund in refunds:
            lines = refund.invoice_line_ids.filtered("autorepair_reward_id")
            for rec, rec_lines in lines.grouped("autorepair_reward_id").items():
                rec = rec.sudo()
                if History.search_count([("card_id", "=", rec.card_id.id), ("order_model", "=", refund._name),
                                         ("order_id", "=", refund.id)], limit=1):
                    continue
                invoiced = sum(rec.invoice_line_ids.filtered(
                    lambda ln: ln.move_id.move_type == "out_invoice" and ln.parent_state == "posted"
                ).mapped("price_subtotal"))
                if not invoiced:
                    continue
                ratio = min(1.0, sum(rec_lines.mapped("price_subtotal")) / invoiced)
                points = rec.points * ratio
                if rec.kind == "count":
                    points = round(points)
                rec.card_id._autorepair_lock()
                rec.card_id._autorepair_points_move(
                    points, self.env._("Given back by credit note %(refund)s of %(order)s",
                                       refund=refund.name, order=rec.order_id.name), record=refund,
                    values={"autorepair_prepaid_value": rec.card_id.autorepair_prepaid_value
                            + rec.currency_id.round(rec.prepaid_amount * ratio)})
