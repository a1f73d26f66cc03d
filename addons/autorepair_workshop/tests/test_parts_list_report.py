from lxml import html

from odoo.tests import tagged

from .test_parts_cost import PartsStockCase

PARTS_LIST = "autorepair_workshop.autorepair_service_order_report_parts_list"


@tagged("post_install", "-at_install")
class TestPartsListReport(PartsStockCase):
    """The parts list (领料单) the storekeeper prints: the order, its car and
    advisor, each approved part with its number and what is left to issue,
    the parts store, and where the storekeeper and the technician sign."""

    @staticmethod
    def _text(node):
        return " ".join(node.text_content().split())

    def _render(self, user, order):
        # the PDF report: in tests Odoo renders its HTML instead of calling wkhtmltopdf
        content, report_type = self.env["ir.actions.report"].with_user(user)._render_qweb_pdf(PARTS_LIST, order.ids)
        self.assertEqual(report_type, "html")
        return html.fromstring(content)

    def test_in_the_print_menu_of_storekeeper_and_advisor(self):
        report = self.env.ref(PARTS_LIST)
        for user, shown in ((self.user_storekeeper, True), (self.user_advisor, True),
                            (self.user_technician, False)):
            bindings = self.env["ir.actions.actions"].with_user(user).get_bindings("autorepair.service.order")
            self.assertEqual(report.id in [action["id"] for action in bindings.get("report", [])], shown, user.login)

    def test_parts_list(self):
        order = self._received_order(lines=0)
        filter_line = self._part_line(order, qty=3)
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        pads = Line.create({"order_id": order.id, "line_type": "part", "name": "前刹车片", "part_number": "3C0698151",
                            "quantity": 1, "price_unit": 450.0, "alt_type": "aftermarket",
                            "alt_description": "品牌副厂件", "alt_price_unit": 300.0, "risk_note": "质保一年"})
        Line.create([
            {"order_id": order.id, "line_type": "part", "name": "雨刮片", "part_number": "5G1955427",
             "quantity": 2, "price_unit": 150.0},
            {"order_id": order.id, "line_type": "labour", "name": "更换机油机滤", "quantity": 1, "price_unit": 200.0},
        ])
        self._approve_all(order, **{"前刹车片": "alternative", "雨刮片": "declined"})
        self._issue(filter_line, 2)

        tree = self._render(self.user_storekeeper, order)
        text = self._text(tree)
        self.assertIn("Parts List", text)
        info = self._text(tree.xpath("//table[@name='order_info']")[0])
        for expected in (order.name, "川A12345", "迈腾", self.user_advisor.name, self.store.display_name):
            self.assertIn(expected, info)
        rows = [[self._text(cell) for cell in row.xpath("td")] for row in tree.xpath("//tr[@name='part_line']")]
        self.assertEqual(rows, [
            ["06L115562B", "机油滤清器 OEM", "3.00", "2.00", "1.00", ""],
            ["3C0698151", "前刹车片 (品牌副厂件)", "1.00", "0.00", "1.00", ""],
        ], "the approved parts only: not the declined one, nor the labour")
        signature = self._text(tree.xpath("//table[@name='parts_signature']")[0])
        self.assertIn("Issued by (Storekeeper)", signature)
        self.assertIn("Received by (Technician)", signature)
        self.assertTrue(pads.is_approved)

    def test_no_part(self):
        order = self._received_order(lines=1)
        tree = self._render(self.user_advisor, order)
        self.assertFalse(tree.xpath("//tr[@name='part_line']"))
        self.assertIn("No approved part on this order.", self._text(tree))
