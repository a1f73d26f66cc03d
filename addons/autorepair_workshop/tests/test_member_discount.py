from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestMemberDiscount(ServiceOrderCase):
    """A member's level (autorepair_crm) gives its labour and parts discounts
    to the lines of his quotes; what he was quoted stays, and the invoice
    carries the same discount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Level = cls.env["autorepair.member.level"]
        Level.search([("company_id", "=", cls.env.company.id)]).active = False
        cls.gold = Level.create({"name": "金卡", "min_points": 1000, "labour_discount": 10, "parts_discount": 5})

    def _make_gold(self):
        self.customer._autorepair_points_card()._autorepair_points_move(1000, "消费积分")

    def test_quote_lines_of_a_member(self):
        self._make_gold()
        order = self._received_order(lines=3)  # labour, part, labour at 200
        self.assertEqual(order.partner_member_level_id, self.gold)
        self.assertEqual(order.line_ids.mapped("discount"), [10, 5, 10])
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")[:1]
        self.assertAlmostEqual(labour.price_subtotal, 1.5 * 200 * 0.9)
        # an extra charge and what the maker pays take no member discount
        other = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "other", "name": "环保费", "quantity": 1, "price_unit": 20})
        self.assertEqual(other.discount, 0)
        other.bill_to = "warranty"
        self.assertEqual(other.discount, 0)
        other.unlink()

        self._approve_all(order)
        # frozen once quoted: the level's change does not touch the approved lines
        self.gold.labour_discount = 20
        self.customer._autorepair_points_card()._autorepair_points_move(-1000, "兑换")
        order.line_ids.invalidate_recordset()
        self.assertEqual(order.line_ids.mapped("discount"), [10, 5, 10])
        with self.assertRaises(UserError):
            labour.with_user(self.user_advisor).discount = 30

        self._work_and_check(order)
        order.with_user(self.user_advisor).action_create_invoice()
        invoice = order.invoice_ids
        self.assertEqual(sorted(invoice.invoice_line_ids.mapped("discount")), [5, 10, 10])
        expected = (1.5 * 200 * 0.9) * 2 + 2 * 200 * 0.95
        self.assertAlmostEqual(invoice.amount_untaxed, expected)
        self.assertAlmostEqual(order.amount_untaxed, expected)

    def test_no_level_no_discount(self):
        order = self._received_order(lines=2)
        self.assertFalse(order.partner_member_level_id)
        self.assertEqual(order.line_ids.mapped("discount"), [0, 0])
