from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common import ServiceOrderCase


def _search_groups(arch):
    """The filters of a search view by the group they OR with: a separator
    (or a <group>) starts a new group, and groups are ANDed."""
    groups, rank = {}, 0
    for node in etree.fromstring(arch).iter("filter", "separator", "group"):
        if node.tag == "filter":
            groups[node.get("name")] = rank
        else:
            rank += 1
    return groups


@tagged("post_install", "-at_install")
class TestAdvisorDesk(ServiceOrderCase):
    """What the advisor reads at a glance: the board, the calendar, the order's
    customer and car, the quote grid and its numbered rounds."""

    def test_quote_rounds_numbered(self):
        order = self._received_order()
        first = self._approve_all(order)
        self.assertEqual(first.name, "Quote 1", "the first round is numbered too")
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "labour", "name": "追加：更换刹车片", "quantity": 1, "price_unit": 300,
        })
        second = order.quote_ids - first
        self.assertEqual(second.name, "Quote 2")
        self.assertEqual(order.line_ids.filtered(lambda line: line.quote_id == second).quote_id.display_name, "Quote 2")

    def test_customer_phone_and_vin_on_the_order(self):
        order = self._order()
        Order = self.env["autorepair.service.order"]
        [row] = order.with_user(self.user_advisor).read(["vin_sn", "partner_phone", "partner_phone_masked"])
        self.assertEqual(row["vin_sn"], self.vehicle.vin_sn)
        self.assertEqual(row["partner_phone"], "+8613800138000", "the advisor calls the customer")
        [row] = order.with_user(self.user_technician).read(["vin_sn", "partner_phone_masked"])
        self.assertEqual(row["partner_phone_masked"], "138****8000")
        with self.assertRaises(AccessError, msg="the technician never reads the number"):
            order.with_user(self.user_technician).read(["partner_phone"])
        # the form shows each role its own field
        arch = Order.with_user(self.user_advisor).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="partner_phone"', arch)
        self.assertIn('name="vin_sn"', arch)
        arch = Order.with_user(self.user_technician).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="partner_phone_masked"', arch)
        self.assertNotIn('name="partner_phone"', arch)

    def test_calendar_event_says_plate_customer_need(self):
        order = self._order(need_type="periodic_maintenance")
        self.assertEqual(order.calendar_title, "川A12345 · 张伟 · Periodic Maintenance")
        arch = self.env["autorepair.service.order"].get_views([(False, "calendar")])["views"]["calendar"]["arch"]
        self.assertIn('create_name_field="calendar_title"', arch, "the event's title, its time shown beside it")

    def test_today_filter_narrows_the_workshop(self):
        arch = self.env["autorepair.service.order"].get_views([(False, "search")])["views"]["search"]["arch"]
        groups = _search_groups(arch)
        self.assertNotEqual(groups["today"], groups["open"], "today's appointments AND in the workshop")
        self.assertNotEqual(groups["quoted"], groups["open"], "awaiting approval AND in the workshop")

    def test_quote_grid_shows_what_the_advisor_edits(self):
        arch = self.env["autorepair.service.order"].with_user(self.user_advisor).get_views(
            [(False, "form")])["views"]["form"]["arch"]
        grid = etree.fromstring(arch).xpath("//field[@name='line_ids']/list")[0]
        shown = [node.get("name") for node in grid.iter("field")
                 if node.get("column_invisible") not in ("1", "True") and node.get("optional") != "hide"
                 and node.get("widget") != "handle"]
        # labour from the catalogue, the part picked for the car (its number in the picked part's name),
        # what the store holds of it, lacks (缺件) and has issued; the override's reason where the
        # price is not the catalogue's; the member level's discount
        self.assertEqual(shown, ["line_type", "labour_operation_id", "product_id", "name", "is_oem", "qty_available",
                                 "quantity", "price_unit", "discount", "price_override_reason", "price_total",
                                 "decision", "technician_id", "qty_missing", "qty_issued"])
        self.assertEqual(grid.get("open_form_view"), "1", "the rest in the line's form")
        form = self.env["autorepair.service.order.line"].get_views([(False, "form")])["views"]["form"]["arch"]
        for fname in ("alt_type", "alt_product_id", "alt_description", "alt_price_unit", "risk_note", "bill_to",
                      "tax_ids", "work_state", "actual_hours", "qty_available", "virtual_available", "discount"):
            self.assertIn(f'name="{fname}"', form)

    def test_vat_13_percent(self):
        """The dealer's VAT: a 13% sale tax made the company's default, on the
        workshop's products, so new quote lines and their invoices carry it."""
        company = self.env.company
        company._autorepair_workshop_vat(13.0)
        vat = company.account_sale_tax_id
        self.assertEqual((vat.amount, vat.amount_type, vat.type_tax_use), (13.0, "percent", "sale"))
        company._autorepair_workshop_vat(13.0)
        self.assertEqual(company.account_sale_tax_id, vat, "found again, not duplicated")
        for xmlid in ("product_labour", "product_part", "product_other"):
            taxes = self.env.ref(f"autorepair_workshop.{xmlid}").taxes_id.filtered(lambda t: t.company_id == company)
            self.assertEqual(taxes, vat, xmlid)
        order = self._received_order()
        self.assertEqual(order.line_ids.tax_ids, vat)
        self.assertAlmostEqual(order.amount_tax, order.amount_untaxed * 0.13, places=2)


@tagged("post_install", "-at_install")
class TestAdvisorDeskDemo(TransactionCase):
    """The demo dealer charges 13% VAT on parts and labour, as a Chinese dealer does."""

    def test_demo_vat(self):
        company = self.env.ref("base.main_company")
        if not company.account_sale_tax_id:
            self.fail("the demo company has a chart of accounts")
        self.assertEqual(company.account_sale_tax_id.amount, 13.0)
        quoted = self.env.ref("autorepair_workshop.so_demo_quoted")
        self.assertTrue(quoted.line_ids)
        self.assertEqual(set(quoted.line_ids.tax_ids.mapped("amount")), {13.0})
        self.assertGreater(quoted.amount_tax, 0)
        invoices = self.env.ref("autorepair_workshop.so_demo_settled_1").sudo().invoice_ids
        self.assertTrue(invoices, "the demo settlement posted an invoice")
        self.assertGreater(sum(invoices.mapped("amount_tax")), 0, "the invoice carries VAT")
