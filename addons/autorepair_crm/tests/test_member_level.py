from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import AutorepairCrmCase


@tagged("post_install", "-at_install")
class TestMemberLevel(AutorepairCrmCase):
    """Member levels (会员等级) are each company's data: a customer reaches the
    highest level whose points or spend threshold he meets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Level = cls.env["autorepair.member.level"]
        Level.search([]).active = False
        cls.standard = Level.create({"name": "普卡", "sequence": 1})
        cls.silver = Level.create({"name": "银卡", "sequence": 2, "min_points": 1000, "min_spend": 3000,
                                   "labour_discount": 5})
        cls.gold = Level.create({"name": "金卡", "sequence": 3, "min_points": 5000, "min_spend": 20000,
                                 "labour_discount": 10, "parts_discount": 5})

    def _level(self, partner):
        partner.invalidate_recordset(["autorepair_member_level_id", "loyalty_points"])
        return partner.autorepair_member_level_id

    def _spend(self, partner, amount):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": partner.id,
            "invoice_line_ids": [(0, 0, {"name": "保养", "quantity": 1, "price_unit": amount, "tax_ids": []})],
        })
        invoice.action_post()
        return invoice

    def test_levels_by_points_or_spend(self):
        customer = self._customer()
        self.assertEqual(self._level(customer), self.standard, "everyone holds the entry level")
        card = customer._autorepair_points_card()
        card._autorepair_points_move(1000, "消费积分")
        self.assertEqual(self._level(customer), self.silver)
        self.assertEqual(self._level(customer).with_user(self.user_sales).name, "银卡")
        card._autorepair_points_move(-500, "兑换")
        self.assertEqual(self._level(customer), self.standard)
        self._spend(customer, 25000)
        self.assertEqual(self._level(customer), self.gold, "by the spend of the window")
        self.assertEqual((self.gold._discount_for("labour"), self.gold._discount_for("part"),
                          self.gold._discount_for("other")), (10, 5, 0))

    def test_levels_are_per_company(self):
        customer = self._customer()
        customer._autorepair_points_card()._autorepair_points_move(6000, "消费积分")
        other = self.env["res.company"].create({"name": "成都二店"})
        self.assertFalse(customer._autorepair_member_level(other), "no level in a company without levels")
        self.assertEqual(customer._autorepair_member_level(self.company), self.gold)
        self.assertEqual(customer._loyalty_balances(other), {}, "points are per company")

    def test_level_numbers_checked(self):
        for values in ({"min_points": -1}, {"labour_discount": 120}, {"parts_discount": -5}):
            with self.assertRaises(ValidationError):
                self.env["autorepair.member.level"].create({"name": "错误", **values})

    def test_staff_read_levels_managers_set_them(self):
        self.assertEqual(self.gold.with_user(self.user_sales).labour_discount, 10)
        with self.assertRaises(AccessError):
            self.gold.with_user(self.user_sales).labour_discount = 50
        self.gold.with_user(self.user_manager).labour_discount = 12
        self.assertEqual(self.gold.labour_discount, 12)
