from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ServiceOrderCase


class MemberCardCase(ServiceOrderCase):
    """The shop's programs on Odoo's loyalty: a stored-value card topping up
    1000 get 100, a ten-wash count card, a labour voucher, a birthday coupon
    and a points card (100 points = 1 yuan)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.top_up_product = Product.create({"name": "储值卡充值", "type": "service", "taxes_id": False})
        cls.wash = Product.create({"name": "精致洗车", "type": "service", "list_price": 50,
                                   "taxes_id": [Command.set(cls.tax.ids)]})
        Program = cls.env["loyalty.program"]
        cls.stored_value = Program.create({
            "name": "储值卡", "program_type": "ewallet", "trigger": "auto", "applies_on": "future",
            "company_id": cls.env.company.id,
            "rule_ids": [
                Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0,
                                "product_ids": [Command.set(cls.top_up_product.ids)]}),
                Command.create({"reward_point_mode": "order", "reward_point_amount": 100, "minimum_qty": 0,
                                "minimum_amount": 1000, "product_ids": [Command.set(cls.top_up_product.ids)]}),
            ],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "per_point", "discount": 1,
                "discount_applicability": "order", "required_points": 1, "description": "储值卡支付"})],
        })
        cls.wash_card_program = Program.create({
            "name": "洗车次卡", "program_type": "loyalty", "trigger": "auto", "applies_on": "future",
            "company_id": cls.env.company.id, "rule_ids": [Command.clear()],
            "reward_ids": [Command.create({"reward_type": "product", "reward_product_id": cls.wash.id,
                                           "required_points": 1, "description": "洗车次卡抵扣"})],
        })
        cls.voucher_program = Program.create({
            "name": "工时券", "program_type": "coupons", "trigger": "with_code", "applies_on": "current",
            "company_id": cls.env.company.id, "rule_ids": [Command.clear()],
            "communication_plan_ids": [Command.clear()],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "percent", "discount": 100,
                "discount_applicability": "order", "autorepair_line_type": "labour", "required_points": 1,
                "description": "工时券"})],
        })
        cls.coupon_program = Program.create({
            "name": "生日优惠券", "program_type": "coupons", "trigger": "with_code", "applies_on": "current",
            "company_id": cls.env.company.id, "rule_ids": [Command.clear()],
            "communication_plan_ids": [Command.clear()],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "per_order", "discount": 50,
                "discount_applicability": "order", "required_points": 1, "description": "生日券减50元"})],
        })
        cls.points_program = Program.create({
            "name": "会员积分", "program_type": "loyalty", "trigger": "auto", "applies_on": "both",
            "company_id": cls.env.company.id,
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "per_point", "discount": 0.01,
                "discount_applicability": "order", "required_points": 100, "description": "积分抵现"})],
        })
        cls.accounts = cls.env.company._autorepair_member_card_accounts()
        cls.Reward = cls.env["autorepair.service.order.reward"]

    def _card(self, program, points=0.0, partner=None, code=None):
        vals = {"program_id": program.id, "points": points}
        if partner is not False:
            vals["partner_id"] = (partner or self.customer).id
        if code:
            vals["code"] = code
        return self.env["loyalty.card"].create(vals)

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({})._create_payments()

    def _top_up(self, amount):
        wizard = self.env["autorepair.card.top.up.wizard"].with_user(self.user_advisor).create({
            "partner_id": self.customer.id, "program_id": self.stored_value.id, "amount": amount})
        invoice = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        self._pay(invoice)
        return invoice

    def _delivered_order(self, lines=2):
        order = self._received_order(lines=lines)  # labour 1.5 h x 200 + part 2 x 200: 700 untaxed
        self._approve_all(order)
        self._work_and_check(order)
        return order

    def _redeem(self, order, card=None, code=None, amount=0.0, user=None):
        vals = {"order_id": order.id, "code": code, "amount": amount}
        if card:
            vals["card_id"] = card.id
        wizard = self.env["autorepair.reward.apply.wizard"].with_user(user or self.user_advisor).create(vals)
        wizard.action_apply()
        return order.reward_ids.filtered(lambda r: r.card_id == (card or wizard.card_id))

    def _settle(self, order):
        order.with_user(self.user_advisor).action_create_invoice()
        return order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")

    def _account_balance(self, account):
        self.env.flush_all()
        lines = self.env["account.move.line"].search([("account_id", "=", account.id), ("parent_state", "=", "posted")])
        return sum(lines.mapped("balance"))

    def _items(self, move, account):
        return sorted((line.debit, line.credit) for line in move.line_ids if line.account_id == account)


@tagged("post_install", "-at_install")
class TestStoredValue(MemberCardCase):

    def test_top_up_goes_to_the_prepaid_liability_with_its_bonus(self):
        invoice = self._top_up(1000)
        card = invoice.autorepair_top_up_card_id
        self.assertEqual(card.partner_id, self.customer)
        prepaid, bonus = self.accounts["prepaid"], self.accounts["bonus"]
        self.assertEqual(prepaid.account_type, "liability_current")
        # the invoice: receivable 1000 / prepaid liability 1000, no VAT on prepaid money
        self.assertEqual(self._items(invoice, prepaid), [(0.0, 1000.0)])
        self.assertFalse(invoice.line_ids.filtered("tax_line_id"))
        self.assertEqual(card.points, 1100)
        self.assertEqual(card.autorepair_bonus_points, 100)
        entry = card.autorepair_top_up_ids.filtered(lambda m: m.move_type == "entry")
        self.assertEqual(self._items(entry, bonus), [(100.0, 0.0)])
        self.assertEqual(self._items(entry, prepaid), [(0.0, 100.0)])
        # the liability is what the cards hold
        self.assertEqual(-self._account_balance(prepaid), card.points)
        # the paid hook again (in payment, then paid): credited once
        invoice._invoice_paid_hook()
        self.assertEqual(card.points, 1100)
        self.assertEqual(len(card.history_ids), 1)

    def test_a_credited_top_up_is_not_reversed(self):
        invoice = self._top_up(500)
        reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "reason": "退款", "journal_id": invoice.journal_id.id})
        with self.assertRaises(UserError):
            reversal.refund_moves()
            self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)]).action_post()

    def test_unpaid_top_up_credits_nothing(self):
        card = self.stored_value._autorepair_card_for(self.customer)
        card.with_user(self.user_advisor)._autorepair_top_up_invoice(500)
        self.assertEqual(card.points, 0)
        with self.assertRaises(AccessError):
            card.with_user(self.user_technician)._autorepair_top_up_invoice(500)

    def test_consumption_on_an_order_debits_the_liability(self):
        card = self._top_up(1000).autorepair_top_up_card_id
        order = self._delivered_order()
        reward = self._redeem(order, card=card, amount=500)
        self.assertEqual((reward.kind, reward.amount, reward.points), ("stored_value", 500, 500))
        self.assertEqual(card.points, 600, "debited when redeemed")
        history = card.history_ids.filtered(lambda h: h.order_model == order._name)
        self.assertEqual((history.order_id, history.used), (order.id, 500))
        invoice = self._settle(order)
        prepaid = self.accounts["prepaid"]
        self.assertEqual(self._items(invoice, prepaid), [(500.0, 0.0)])
        self.assertEqual(invoice.amount_total, 805 - 500)  # 700 + 15% VAT, less the card
        self.assertEqual(invoice.amount_tax, 105, "the card is a payment: the VAT is unchanged")
        self.assertEqual(-self._account_balance(prepaid), card.points)

    def test_balance_and_due_limit_what_a_card_pays(self):
        card = self._card(self.stored_value, 100)
        order = self._delivered_order()
        with self.assertRaises(UserError):
            self._redeem(order, card=card, amount=150)
        reward = self._redeem(order, card=card)
        self.assertEqual(reward.amount, 100, "empty amount: what the card holds")
        big = self._card(self.stored_value, 5000, code="SV-BIG")
        reward = self._redeem(order, card=big)
        self.assertEqual(reward.amount, 705, "never more than is left to pay")
        self.assertEqual(big.points, 5000 - 705)

    def test_refund_of_the_balance_forfeits_the_bonus(self):
        card = self._top_up(1000).autorepair_top_up_card_id
        order = self._delivered_order()
        self._redeem(order, card=card, amount=300)
        self._settle(order)
        with self.assertRaises(AccessError):
            card.with_user(self.user_advisor).action_autorepair_refund_balance()
        card.with_user(self.user_manager).action_autorepair_refund_balance()
        self.assertEqual((card.points, card.autorepair_bonus_points), (0, 0))
        prepaid, bonus = self.accounts["prepaid"], self.accounts["bonus"]
        refund = card.autorepair_top_up_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(self._items(refund, prepaid), [(700.0, 0.0)], "the money paid back: 800 less the bonus")
        self.assertEqual(refund.amount_total, 700)
        forfeit = card.autorepair_top_up_ids.filtered(lambda m: m.move_type == "entry").sorted("id")[-1]
        self.assertEqual(self._items(forfeit, prepaid), [(100.0, 0.0)])
        self.assertEqual(self._items(forfeit, bonus), [(0.0, 100.0)])
        self.assertEqual(self._account_balance(prepaid), 0, "nothing held any more")
        self.assertEqual(self._account_balance(bonus), 0, "the forfeited bonus cost nothing")

    def test_credit_note_gives_back_what_the_invoice_consumed(self):
        card = self._top_up(1000).autorepair_top_up_card_id
        order = self._delivered_order()
        self._redeem(order, card=card, amount=500)
        coupon = self._card(self.coupon_program, 1, partner=False, code="BDAY-0001")
        self._redeem(order, code="BDAY-0001")
        self.assertEqual(coupon.points, 0)
        invoice = self._settle(order)
        self.assertEqual(invoice.amount_total, 805 - 500 - 50)
        reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "reason": "退款", "journal_id": invoice.journal_id.id})
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.action_post()
        self.assertEqual(card.points, 1100, "the stored value is back")
        self.assertEqual(coupon.points, 1, "the coupon can be used again")
        prepaid = self.accounts["prepaid"]
        self.assertEqual(self._items(refund, prepaid), [(0.0, 500.0)])
        self.assertEqual(-self._account_balance(prepaid), card.points)
        # given back once per credit note
        self.env["autorepair.service.order.reward"]._autorepair_give_back(refund)
        self.assertEqual(card.points, 1100)

    def test_a_copy_of_the_invoice_cannot_spend_the_card_again(self):
        card = self._card(self.stored_value, 300)
        order = self._delivered_order()
        self._redeem(order, card=card)
        invoice = self._settle(order)
        copy = invoice.copy()
        self.assertTrue(copy.invoice_line_ids.filtered("autorepair_reward_id"))
        with self.assertRaises(UserError):
            copy.action_post()

    def test_two_desks_cannot_spend_the_same_balance(self):
        """Desk B read the card at 100 before desk A spent 80 of it: B's
        redemption reads the balance under the card's lock, not its copy."""
        card = self._card(self.stored_value, 100)
        order_a, order_b = self._delivered_order(), self._delivered_order()
        desk_b_card = card.with_user(self.user_advisor)
        self.assertEqual(desk_b_card.points, 100)
        # desk A's spending, committed by another transaction (written behind the ORM's back)
        self.env.cr.execute("UPDATE loyalty_card SET points = 20 WHERE id = %s", [card.id])
        with self.assertRaises(UserError):
            self._redeem(order_b, card=desk_b_card, amount=80)
        self.assertFalse(order_b.reward_ids)
        self._redeem(order_a, card=card, amount=20)
        self.assertEqual(card.points, 0)


@tagged("post_install", "-at_install")
class TestCouponsAndCounts(MemberCardCase):

    def test_count_card_pays_its_service(self):
        card = self._card(self.wash_card_program, 10)
        order = self._received_order(lines=1)
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "other", "product_id": self.wash.id, "name": "精致洗车",
            "quantity": 1, "price_unit": 50})
        self._approve_all(order)
        self._work_and_check(order)
        reward = self._redeem(order, card=card)
        self.assertEqual((reward.kind, reward.points, reward.amount), ("count", 1, 57.5))
        self.assertEqual(card.points, 9, "one wash used")
        invoice = self._settle(order)
        line = invoice.invoice_line_ids.filtered("autorepair_reward_id")
        self.assertEqual((line.price_subtotal, line.tax_ids), (-50, self.tax))
        self.assertEqual(invoice.amount_total, 1.5 * 200 * 1.15)

    def test_count_card_sold_into_the_liability(self):
        """Ten washes sold for 300: the money waits in the prepaid liability;
        each wash used takes its 30 out, the revenue and its VAT recognised
        on the order's invoice, the customer paying nothing for the wash."""
        card_product = self.env["product.product"].create({
            "name": "洗车次卡（10次）", "type": "service", "list_price": 300, "taxes_id": False})
        self.wash_card_program.rule_ids = [Command.create({
            "reward_point_mode": "order", "reward_point_amount": 10, "minimum_qty": 0,
            "product_ids": [Command.set(card_product.ids)]})]
        wizard = self.env["autorepair.card.top.up.wizard"].with_user(self.user_advisor).new({
            "partner_id": self.customer.id, "program_id": self.wash_card_program.id})
        wizard._onchange_program_id()
        self.assertEqual(wizard.amount, 300)
        card = self.wash_card_program._autorepair_card_for(self.customer)
        sale = card.with_user(self.user_advisor)._autorepair_top_up_invoice(300)
        self._pay(sale)
        prepaid = self.accounts["prepaid"]
        self.assertEqual(self._items(sale, prepaid), [(0.0, 300.0)])
        self.assertEqual((card.points, card.autorepair_prepaid_value), (10, 300))
        order = self._received_order(lines=1)
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "other", "product_id": self.wash.id, "name": "精致洗车",
            "quantity": 1, "price_unit": 50})
        self._approve_all(order)
        self._work_and_check(order)
        reward = self._redeem(order, card=card)
        self.assertEqual((reward.amount, reward.prepaid_amount), (57.5, 30))
        self.assertEqual((card.points, card.autorepair_prepaid_value), (9, 270))
        invoice = self._settle(order)
        self.assertEqual(self._items(invoice, prepaid), [(30.0, 0.0)])
        self.assertAlmostEqual(invoice.amount_total, 345, delta=0.01, msg="the wash is free for the customer")
        self.assertEqual(-self._account_balance(prepaid), card.autorepair_prepaid_value)

    def test_count_card_needs_its_service_on_the_order(self):
        card = self._card(self.wash_card_program, 10)
        order = self._delivered_order()
        with self.assertRaises(UserError):
            self._redeem(order, card=card)
        self.assertEqual(card.points, 10)

    def test_labour_voucher_only_on_labour(self):
        self._card(self.voucher_program, 1, partner=False, code="GS-0001")
        order = self._delivered_order()
        reward = self._redeem(order, code="GS-0001")
        self.assertEqual(reward.amount, 345, "the labour line, 300 + 15% VAT; not the parts")
        invoice = self._settle(order)
        line = invoice.invoice_line_ids.filtered("autorepair_reward_id")
        self.assertEqual(line.price_subtotal, -300)
        self.assertEqual(invoice.amount_total, 460)
        # used: a second order cannot take it
        other = self._delivered_order()
        with self.assertRaises(UserError):
            self._redeem(other, code="GS-0001")

    def test_voucher_with_nothing_to_discount(self):
        """A voucher for other charges on an order of labour and parts only
        discounts nothing: refused, the voucher kept."""
        self.voucher_program.reward_ids.autorepair_line_type = "other"
        coupon = self._card(self.voucher_program, 1, partner=False, code="GS-0002")
        order = self._delivered_order()
        with self.assertRaises(UserError):
            self._redeem(order, code="GS-0002")
        self.assertEqual(coupon.points, 1)

    def test_points_redeemed_as_money(self):
        card = self._card(self.points_program, 1000)
        order = self._delivered_order()
        reward = self._redeem(order, card=card, amount=5)
        self.assertEqual((reward.kind, reward.points, reward.amount), ("points", 500, 5))
        self.assertEqual(card.points, 500)
        with self.assertRaises(UserError):
            self._redeem(self._delivered_order(), card=card, amount=0.5)  # 50 points: below the 100 minimum

    def test_only_the_customers_card_and_only_at_settlement(self):
        other = self.env["res.partner"].create({"name": "李娜", "is_autorepair_customer": True})
        card = self._card(self.stored_value, 100, partner=other)
        order = self._delivered_order()
        with self.assertRaises(UserError):
            self._redeem(order, card=card)
        mine = self._card(self.stored_value, 100)
        early = self._received_order()
        with self.assertRaises(UserError):
            self._redeem(early, card=mine)
        with self.assertRaises(AccessError):
            self.Reward.with_user(self.user_technician)._autorepair_apply(order, mine, self.stored_value.reward_ids)
        self.assertEqual(mine.points, 100)

    def test_taking_a_card_off_gives_it_back(self):
        card = self._card(self.stored_value, 100)
        order = self._delivered_order()
        reward = self._redeem(order, card=card)
        self.assertEqual(card.points, 0)
        reward.with_user(self.user_advisor).action_remove()
        self.assertEqual(card.points, 100)
        self.assertFalse(order.reward_ids)
        reward = self._redeem(order, card=card)
        self._settle(order)
        with self.assertRaises(UserError):
            reward.with_user(self.user_advisor).action_remove()

    def test_points_earned_on_a_paid_invoice_pay_at_the_next_visit(self):
        """The company's own points program (crm): points earned on a paid
        invoice are redeemed at the next settlement by its first reward, at
        the rate of Settings, and the customer's balance shows what is left."""
        company = self.env.company
        invoice = self._settle(self._delivered_order())
        self._pay(invoice)
        card = self.customer._autorepair_points_card(company)
        self.assertEqual(card.program_id, company.autorepair_points_program_id)
        earned = card.points
        self.assertEqual(earned, int(invoice.amount_total * company._autorepair_crm_setting("points_per_yuan")))
        per_yuan = company._autorepair_crm_setting("points_redeem_per_yuan")
        reward = self._redeem(self._delivered_order(), card=card, amount=2)
        self.assertEqual((reward.kind, reward.points, reward.amount), ("points", 2 * per_yuan, 2))
        self.assertEqual(card.points, earned - 2 * per_yuan)
        self.customer.invalidate_recordset(["loyalty_points"])
        self.assertEqual(self.customer.loyalty_points, earned - 2 * per_yuan)
