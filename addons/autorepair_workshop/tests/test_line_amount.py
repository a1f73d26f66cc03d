from odoo.tests import tagged

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestLineAmount(ServiceOrderCase):
    """A line's amount with tax is defined once, on the line: the order's
    totals, the quote's quoted amount and the portal's review read it."""

    def test_amount_under_each_decision(self):
        order = self._received_order(lines=0)
        part, warranty, goodwill = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create([
            {"order_id": order.id, "line_type": "part", "name": "鼓风机总成", "quantity": 2, "price_unit": 500,
             "alt_type": "aftermarket", "alt_description": "品牌副厂件", "alt_price_unit": 300,
             "risk_note": "质保期一年"},
            {"order_id": order.id, "line_type": "labour", "name": "更换变速箱", "quantity": 3, "price_unit": 200,
             "bill_to": "warranty"},
            {"order_id": order.id, "line_type": "labour", "name": "检查空调", "quantity": 1, "price_unit": 80,
             "bill_to": "goodwill"},
        ])

        def taxed(amount):
            return self.tax.compute_all(amount, order.currency_id)["total_included"]

        self.assertAlmostEqual(part._amount_with_tax(), taxed(1000), msg="pending: as quoted")
        self.assertAlmostEqual(part._amount_with_tax("approved"), taxed(1000))
        self.assertAlmostEqual(part._amount_with_tax("alternative"), taxed(600))
        for decision in ("declined", "deferred"):
            self.assertEqual(part._amount_with_tax(decision), 0.0, decision)
        for line in warranty | goodwill:
            self.assertEqual(line._amount_with_tax("approved"), 0.0, "the maker or the dealer pays")
        self.assertAlmostEqual(order.amount_total, taxed(1000))

        quote = self._approve_all(order, **{"鼓风机总成": "alternative"})
        self.assertAlmostEqual(quote.amount_quoted, taxed(1000), msg="the amount quoted, before the decision")
        self.assertAlmostEqual(part.price_total, taxed(600))
        self.assertAlmostEqual(part.price_subtotal, 600)
        self.assertAlmostEqual(quote.approved_amount, taxed(600))
        self.assertEqual((warranty | goodwill).mapped("price_total"), [0.0, 0.0])
