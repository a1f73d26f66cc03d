from lxml import html

from odoo.tests import tagged

from .common import SIGNATURE, ServiceOrderCase

QUOTE = "autorepair_workshop.autorepair_service_order_report_quote"
WALKAROUND = "autorepair_workshop.autorepair_service_order_report_walkaround"
STATEMENT = "autorepair_workshop.autorepair_service_order_report_statement"


def amount(value):
    """An amount as the monetary widget writes it, without the currency symbol."""
    return f"{value:,.2f}"


@tagged("post_install", "-at_install")
class TestServiceOrderReports(ServiceOrderCase):
    """The quote, walk-around sheet and settlement statement show the customer
    everything he checks: his car, each line and its price, what he declined,
    the alternatives and their risk, the totals and who checked the work."""

    def _render(self, report_ref, order):
        content, report_type = self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(
            report_ref, order.ids)
        self.assertEqual(report_type, "html")
        return html.fromstring(content)

    @staticmethod
    def _text(node):
        return " ".join(node.text_content().split())

    def _one(self, tree, xpath):
        nodes = tree.xpath(xpath)
        self.assertEqual(len(nodes), 1, f"one {xpath} expected, found {len(nodes)}")
        return nodes[0]

    def _settled_order(self):
        """Two quote rounds with an aftermarket alternative, a deferral, warranty
        and goodwill lines, carried through the checks and settled (not paid yet)."""
        order = self._received_order(requested_work="空调有异响")
        order.write({
            "fuel_level": "50", "valuables": "行车记录仪存储卡", "fault_codes": "B10AB",
            "diagnosis": "鼓风机轴承磨损",
        })
        order.walkaround_line_ids[:1].write({"condition": "damaged", "note": "左后门划痕"})
        self.env["autorepair.damage"].create({
            "order_id": order.id, "location": "左后门", "description": "5厘米划痕", "photo": SIGNATURE,
        })
        order.with_user(self.user_advisor).action_sign_walkaround(SIGNATURE, "张伟")
        blower = order.line_ids.filtered(lambda line: line.name == "项目1")
        blower.write({
            "name": "鼓风机总成", "is_oem": True, "part_number": "5Q0 819 021", "alt_type": "aftermarket",
            "alt_description": "品牌副厂件", "alt_price_unit": 120.0, "risk_note": "质保期一年",
        })
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create([
            {"order_id": order.id, "line_type": "part", "name": "前刹车片", "part_number": "3C0 698 151",
             "is_oem": True, "quantity": 1, "price_unit": 450.0, "alt_type": "deferral",
             "alt_description": "下次保养时更换", "risk_note": "制动距离变长"},
            {"order_id": order.id, "line_type": "part", "name": "水泵", "quantity": 1, "price_unit": 800.0,
             "bill_to": "warranty"},
            {"order_id": order.id, "line_type": "other", "name": "废油处理", "quantity": 1, "price_unit": 30.0},
            {"order_id": order.id, "line_type": "other", "name": "洗车", "quantity": 1, "price_unit": 50.0,
             "bill_to": "goodwill"},
        ])
        self._approve_all(order, **{"鼓风机总成": "alternative", "前刹车片": "deferred"})
        extra = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "part", "name": "空调滤芯", "part_number": "5Q0 819 653",
            "quantity": 1, "price_unit": 150.0,
        })
        order.with_user(self.user_advisor).action_send_quote()
        extra.quote_id.with_user(self.user_advisor).action_decide(
            decisions={extra.id: "approved"}, signature=SIGNATURE, signed_by="张伟")
        self._work_and_check(order)
        # the next service the advisor tells at the release, printed on the statement
        order.write({"next_service_date": "2027-05-01", "next_service_km": 31000, "old_parts_offered": True})
        order._create_invoices()
        return order

    def test_reports_are_in_the_print_menu(self):
        for report_ref in (QUOTE, WALKAROUND, STATEMENT):
            report = self.env.ref(report_ref)
            self.assertEqual(report.binding_model_id.model, "autorepair.service.order")
            self.assertEqual(report.binding_type, "report")
            self.assertEqual((report.paperformat_id.format, report.paperformat_id.orientation), ("A4", "Portrait"))

    def test_quote(self):
        order = self._settled_order()
        tree = self._render(QUOTE, order)
        self.assertEqual(self._text(self._one(tree, "//*[@name='plate']")), "川A12345")
        self.assertEqual(self._text(self._one(tree, "//*[@name='vin']")), self.vehicle.vin_sn)
        page = self._text(tree)
        for text in ("空调有异响", "鼓风机轴承磨损", "B10AB", "21,000"):
            self.assertIn(text, page)

        rounds = tree.xpath("//div[@name='quote_round']")
        self.assertEqual(len(rounds), 2, "the first quote and the supplementary quote, each on its own")
        self.assertIn("Quote 1", self._text(rounds[0]))
        self.assertIn("Quote 2", self._text(rounds[1]), "every round numbered")
        self.assertEqual(len(tree.xpath("//img[@name='signature']")), 2, "each round shows its signature")
        self.assertEqual(len(tree.xpath("//*[@name='signed_by'][normalize-space()='张伟']")), 2)

        for line in order.line_ids:
            with self.subTest(line=line.name):
                row = self._one(tree, f"//tr[@data-line-id='{line.id}']")
                text = self._text(row)
                self.assertIn(line.name, text)
                self.assertIn(amount(line.price_unit), text, "the unit price is shown")
                if line.decision in ("declined", "deferred") or line.bill_to != "customer":
                    self.assertTrue(row.xpath(".//del"), "a line the customer does not pay is struck through")
                else:
                    self.assertIn(amount(line.price_subtotal), self._text(self._one(row, "./td[@name='td_amount']")))

        blower = order.line_ids.filtered(lambda line: line.name == "鼓风机总成")
        row = self._one(tree, f"//tr[@data-line-id='{blower.id}']")
        self.assertEqual(self._text(self._one(row, ".//*[@name='oem']")), "OEM")
        self.assertEqual(self._text(self._one(row, ".//*[@name='part_number']")), "5Q0 819 021")
        self.assertIn("Alternative Approved", self._text(row))
        self.assertIn(amount(240.0), self._text(row), "2 aftermarket blowers at 120 are charged")
        alternative = self._text(row.getnext())
        for text in ("Aftermarket Part", "品牌副厂件", amount(120.0), amount(160.0), "质保期一年",
                     "Chosen by the customer"):
            self.assertIn(text, alternative)

        pads = order.line_ids.filtered(lambda line: line.name == "前刹车片")
        row = self._one(tree, f"//tr[@data-line-id='{pads.id}']")
        self.assertEqual(self._text(self._one(row, "./td[@name='td_decision']")), "Deferred")
        self.assertEqual(self._text(self._one(row, ".//del")).split()[-1], amount(450.0))
        self.assertIn("制动距离变长", self._text(row.getnext()))

        pump = order.line_ids.filtered(lambda line: line.name == "水泵")
        self.assertIn("Warranty (Maker)", self._text(self._one(tree, f"//tr[@data-line-id='{pump.id}']")))

        first_round = self._text(rounds[0])
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertIn(amount(sum(labour.mapped("price_subtotal"))),
                      self._text(rounds[0].xpath(".//td[@name='group_subtotal']")[0]), "labour comes first")
        self.assertIn(amount(order.quote_ids[0].approved_amount), first_round)
        self.assertIn(amount(order.amount_total), self._text(self._one(tree, "//*[@name='amount_total']")))

    def test_quote_awaiting_signature(self):
        order = self._received_order()
        order.with_user(self.user_advisor).action_send_quote()
        tree = self._render(QUOTE, order)
        self.assertFalse(tree.xpath("//img[@name='signature']"), "an unsigned quote leaves room to sign")
        for line in order.line_ids:
            row = self._one(tree, f"//tr[@data-line-id='{line.id}']")
            self.assertEqual(self._text(self._one(row, "./td[@name='td_decision']")), "Awaiting Decision")
            self.assertIn(amount(line.price_subtotal), self._text(row))
        self.assertIn(amount(order.amount_total), self._text(self._one(tree, "//*[@name='amount_total']")))

    def test_walkaround_sheet(self):
        order = self._settled_order()
        tree = self._render(WALKAROUND, order)
        page = self._text(tree)
        for text in ("川A12345", self.vehicle.vin_sn, "21,000", "1/2", "ID Card", "行车记录仪存储卡"):
            self.assertIn(text, page)
        rows = tree.xpath("//table[@name='walkaround_lines']/tbody/tr")
        self.assertEqual(len(rows), len(order.walkaround_line_ids))
        self.assertIn("Damaged 左后门划痕", self._text(rows[0]))
        damage = self._one(tree, "//table[@name='damages']/tbody/tr")
        self.assertIn("左后门 5厘米划痕", self._text(damage))
        photo = self._one(damage, ".//img[@name='damage_photo']")
        self.assertTrue(photo.get("src").startswith("data:image/png;base64,"))
        signature = self._one(tree, "//table[@name='walkaround_signature']")
        self.assertTrue(signature.xpath(".//img[@name='signature']"))
        self.assertIn("张伟", self._text(signature))

    def test_statement(self):
        order = self._settled_order()
        tree = self._render(STATEMENT, order)
        info = self._text(self._one(tree, "//table[@name='statement_info']"))
        for text in (self.env.company.name, "张伟", "川A12345", self.vehicle.vin_sn, "迈腾", "21,000"):
            self.assertIn(text, info)

        done = order.line_ids.filtered("is_approved")
        for group, line_type in (("labour", "labour"), ("parts", "part"), ("other", "other")):
            with self.subTest(group=group):
                table = self._text(self._one(tree, f"//table[@name='{group}']"))
                lines = done.filtered_domain([("line_type", "=", line_type)])
                for line in lines:
                    self.assertIn(line.name, table)
                subtotal = self._text(self._one(tree, f"//*[@name='{group}_subtotal']"))
                self.assertIn(amount(sum(lines.mapped("price_subtotal"))), subtotal)
        labour = self._text(self._one(tree, "//table[@name='labour']"))
        self.assertIn(f"项目0 1.50 {self.env.company.currency_id.symbol}", labour, "hours then rate")
        parts = self._text(self._one(tree, "//table[@name='parts']"))
        for text in ("鼓风机总成 (品牌副厂件)", "5Q0 819 021", "5Q0 819 653", amount(240.0)):
            self.assertIn(text, parts)
        self.assertNotIn("前刹车片", parts, "deferred work is not settled")
        recommendations = self._text(self._one(tree, "//table[@name='recommendations']"))
        self.assertIn("前刹车片 Deferred 制动距离变长", recommendations)

        self.assertIn(amount(order.amount_total), self._text(self._one(tree, "//*[@name='amount_total']")))
        self.assertIn(amount(800.0), self._text(self._one(tree, "//*[@name='warranty_amount']")))
        self.assertIn(amount(50.0), self._text(self._one(tree, "//*[@name='goodwill_amount']")))

        invoices = self._text(self._one(tree, "//table[@name='invoices']"))
        self.assertEqual(len(order.invoice_ids), 2, "the customer's invoice and the maker's warranty claim")
        for invoice in order.invoice_ids:
            self.assertIn(invoice.name, invoices)
        self.assertEqual(self._text(self._one(tree, "//*[@name='payment_state']")), "Not Paid")
        self.assertEqual(self._text(self._one(tree, "//*[@name='next_service_km']")), "31,000")
        self.assertIn("2027", self._text(self._one(tree, "//*[@name='next_service_date']")))

        checks = tree.xpath("//table[@name='checks']/tbody/tr")
        self.assertEqual(len(checks), 3)
        signers = (("Self-Check", self.user_technician), ("Peer Check", self.user_team_lead),
                   ("Final Check", self.user_inspector))
        for row, (kind, user) in zip(checks, signers, strict=True):
            self.assertIn(f"{kind} {user.name}", self._text(row))

    def test_pdf_rendering(self):
        """Every report renders through the PDF entry point the Print menu uses
        (HTML under tests: wkhtmltopdf is not called)."""
        order = self._settled_order()
        for report_ref in (QUOTE, WALKAROUND, STATEMENT):
            with self.subTest(report=report_ref):
                content, _report_type = self.env["ir.actions.report"].with_user(
                    self.user_advisor)._render_qweb_pdf(report_ref, order.ids)
                self.assertIn("川A12345", content.decode())
