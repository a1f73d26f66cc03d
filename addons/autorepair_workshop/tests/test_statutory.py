import random
from datetime import timedelta

from freezegun import freeze_time
from lxml import html

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.autorepair_workshop.models.res_company import GUARANTEE_MINIMUMS
from odoo.addons.autorepair_workshop.models.res_partner import USCC_ALPHABET, is_valid_uscc, uscc_check_char

from .common import ServiceOrderCase

STATEMENT = "autorepair_workshop.autorepair_service_order_report_statement"
CERTIFICATE = "autorepair_workshop.autorepair_service_order_report_certificate"
# real codes from business licences: Huawei Technologies, Sinopec
REAL_USCC = ("914403001922038216", "91110000802100433B")


def make_uscc(rng):
    """A code of the real format (registration authority 9 = market regulator,
    type 1 = company, a Sichuan region code) with a computed check character."""
    body = "91" + "510100" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


class StatutoryCase(ServiceOrderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({
            "autorepair_workshop_registration_number": "川交运管维备字510100000123",
            "phone": "028-85550000", "street": "武侯大道100号", "city": "成都",
        })

    def _ready_order(self, category=None, **vals):
        order = self._received_order(**vals)
        if category:
            order.repair_category = category
        self._approve_all(order)
        self._work_and_check(order)
        return order

    def _delivered_order(self, category=None, **vals):
        """Settled, paid and released."""
        order = self._ready_order(category, **vals)
        self._deliver(order)
        return order

    def _report_text(self, report_ref, order):
        """The text of the report as printed. Rendered as the HTML that
        wkhtmltopdf turns into the PDF: this machine has no pdftotext, and its
        wkhtmltopdf (unpatched Qt) hangs on the header and footer under tests."""
        content, _kind = self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(
            report_ref, order.ids)
        return " ".join(html.fromstring(content).text_content().split())


@tagged("post_install", "-at_install")
class TestStatement(StatutoryCase):
    """The settlement statement carries every item of JT/T 1133-2017, read back
    from the document the customer is handed."""

    def test_every_jtt_1133_item_on_the_statement(self):
        order = self._received_order(lines=0)
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        Line.create([
            {"order_id": order.id, "line_type": "labour", "name": "Replace oxygen sensor", "quantity": 1.5,
             "price_unit": 180.0, "technician_id": self.user_technician.id},
            {"order_id": order.id, "line_type": "part", "name": "Oxygen sensor", "part_number": "06J906262AA",
             "is_oem": True, "quantity": 1, "price_unit": 640.0},
            {"order_id": order.id, "line_type": "part", "name": "Gasket", "part_number": "N0138157",
             "quantity": 2, "price_unit": 15.0},
            {"order_id": order.id, "line_type": "other", "name": "Waste disposal", "quantity": 1, "price_unit": 30.0},
        ])
        self._approve_all(order)
        self._work_and_check(order)
        invoice = order._create_invoices()
        invoice.autorepair_fapiao_number = "25512000000012345678"
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({"amount": 500.0})._create_payments()
        # the rest on the customer's monthly account (挂账): the car leaves part paid
        self.customer.autorepair_credit_account = True
        order.with_user(self.user_manager).action_approve_credit()
        self._release(order)

        text = self._report_text(STATEMENT, order)
        company = self.env.company
        received = fields.Datetime.context_timestamp(order.with_user(self.user_advisor), order.received_date)
        delivered = fields.Datetime.context_timestamp(order.with_user(self.user_advisor), order.delivered_date)
        items = {
            "shop name": company.name, "address": "武侯大道100号",
            "registration number": "510100000123", "shop phone": "028-85550000",
            "customer": "张伟", "plate": "川A12345", "VIN": self.vehicle.vin_sn, "model": "迈腾",
            "odometer in": "21,000 km", "repair category": "Minor Repair",
            "date in": received.strftime("%m/%d/%Y"), "date out": delivered.strftime("%m/%d/%Y"),
            "labour item": "Replace oxygen sensor", "labour hours": "1.50", "labour rate": "180.00",
            "labour amount": "270.00", "part number": "06J906262AA", "part name": "Oxygen sensor",
            "part unit price": "640.00", "part amount": "640.00", "part qty": "2.00", "OEM": "OEM",
            "not OEM": "Non-OEM", "other charges": "Waste disposal", "total": f"{order.amount_total:,.2f}",
            "discounts": "Discounts", "amount paid": "500.00", "guarantee": "10 days or 2,000 km from completion",
            "guarantee end": "23,000 km", "fapiao number": "25512000000012345678",
        }
        for item, expected in items.items():
            with self.subTest(item=item):
                self.assertIn(expected, text)
        self.assertIn("Amount Paid", text)

    def test_guarantee_shown_before_delivery_from_the_settings(self):
        order = self._received_order()
        order.repair_category = "second_maintenance"
        html = self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(
            STATEMENT, order.ids)[0].decode()
        self.assertIn("30 days or 5,000 km", " ".join(html.split()))


@tagged("post_install", "-at_install")
class TestGuarantee(StatutoryCase):
    """The quality guarantee of order 2016 No. 37 per repair category, from
    completion, whichever comes first; a shop promises more, never less."""

    def test_minimums_per_category(self):
        for category, (days, km) in GUARANTEE_MINIMUMS.items():
            with self.subTest(category=category):
                self.assertEqual(self.env.company._autorepair_workshop_guarantee(category), (days, km))
        self.assertEqual(GUARANTEE_MINIMUMS["vehicle_overhaul"], (100, 20000))
        self.assertEqual(GUARANTEE_MINIMUMS["assembly_overhaul"], (100, 20000))
        self.assertEqual(GUARANTEE_MINIMUMS["second_maintenance"], (30, 5000))
        self.assertEqual(GUARANTEE_MINIMUMS["special_repair"], (30, 5000))
        self.assertEqual(GUARANTEE_MINIMUMS["first_maintenance"], (10, 2000))
        self.assertEqual(GUARANTEE_MINIMUMS["minor_repair"], (10, 2000))

    def test_never_less_than_the_minimum(self):
        for fname, value in (("autorepair_workshop_guarantee_days_vehicle_overhaul", 99),
                             ("autorepair_workshop_guarantee_km_minor_repair", 1999),
                             ("autorepair_workshop_guarantee_km_second_maintenance", 0)):
            with self.subTest(fname=fname), self.assertRaises(ValidationError):
                self.env.company.write({fname: value})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"autorepair_workshop_guarantee_days_special_repair": 10}).execute()
        # more is allowed
        self.env.company.write({"autorepair_workshop_guarantee_days_minor_repair": 30,
                                "autorepair_workshop_guarantee_km_minor_repair": 3000})
        self.assertEqual(self.env.company._autorepair_workshop_guarantee("minor_repair"), (30, 3000))

    def test_guarantee_from_completion(self):
        self.env.company.autorepair_workshop_guarantee_days_second_maintenance = 60
        for category, (days, km) in (("assembly_overhaul", (100, 20000)), ("second_maintenance", (60, 5000)),
                                     ("minor_repair", (10, 2000))):
            with self.subTest(category=category):
                order = self._delivered_order(category)
                completed = fields.Datetime.context_timestamp(order, order.delivered_date).date()
                self.assertEqual((order.guarantee_days, order.guarantee_km), (days, km))
                self.assertEqual(order.guarantee_end_date, completed + timedelta(days=days))
                self.assertEqual(order.guarantee_end_km, 21000 + km)
                self.assertIn(order, self.vehicle.guarantee_order_ids)
                self.assertEqual(self.vehicle.guarantee_order_count, len(self.vehicle.guarantee_order_ids))

    def test_category_from_the_need_and_required_to_settle(self):
        for need, category in (("first_maintenance", "first_maintenance"),
                               ("periodic_maintenance", "first_maintenance"), ("repair", "minor_repair"),
                               ("extra", False)):
            with self.subTest(need=need):
                self.assertEqual(self._order(need_type=need).repair_category, category)
        order = self._order(need_type="repair", repair_category="special_repair")
        self.assertEqual(order.repair_category, "special_repair", "the advisor's choice is kept")

        order = self._ready_order(need_type="extra")
        self.assertFalse(order.repair_category)
        with self.assertRaisesRegex(UserError, "repair category"):
            order._create_invoices()
        order.with_user(self.user_advisor).repair_category = "minor_repair"
        order._create_invoices()
        self.assertTrue(order.settled_date)
        with self.assertRaises(UserError):
            order.with_user(self.user_advisor).repair_category = "vehicle_overhaul"


@tagged("post_install", "-at_install")
class TestRework(StatutoryCase):
    """A car back within the guarantee of an earlier order is a rework (返修),
    counted for the technician and advisor of the first repair."""

    def test_rework_within_the_term(self):
        first = self._delivered_order("minor_repair")
        with freeze_time(fields.Datetime.now() + timedelta(days=5)):
            order = self._order()
            order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 22500})
            order.action_receive()
        self.assertTrue(order.is_rework)
        self.assertEqual(order.rework_of_id, first)
        self.assertEqual(order.rework_technician_id, self.user_technician, "who clocked the first repair")
        self.assertEqual(order.rework_advisor_id, self.user_advisor)
        self.assertIn(order, self.env["autorepair.service.order"].search([("is_rework", "=", True)]))

    def test_no_rework_past_the_km(self):
        self._delivered_order("minor_repair")
        # 2,000 km from 21,000
        order = self._order()
        order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 23001})
        order.action_receive()
        self.assertFalse(order.is_rework)

    def test_no_rework_past_the_days(self):
        self._delivered_order("minor_repair")
        with freeze_time(fields.Datetime.now() + timedelta(days=11)):
            order = self._order()
            order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 21100})
            order.action_receive()
        self.assertFalse(order.is_rework)

    def test_rework_flag_is_not_written_by_hand(self):
        first = self._delivered_order("minor_repair")
        order = self._order()
        with self.assertRaises(AccessError):
            order.with_user(self.user_advisor).write({"rework_of_id": first.id})
        with self.assertRaises(AccessError):
            order.with_user(self.user_manager).write({"certificate_number": "HG2026-000001"})


@tagged("post_install", "-at_install")
class TestCertificate(StatutoryCase):
    """A completion certificate for vehicle and assembly overhauls and
    second-level maintenance: numbered, with the final inspector's name."""

    def test_certificate_numbered(self):
        first = self._delivered_order("second_maintenance")
        second = self._delivered_order("assembly_overhaul")
        self.assertTrue(first.certificate_number.startswith("HG"))
        self.assertEqual(first.certificate_inspector_id, self.user_inspector)
        self.assertEqual(int(second.certificate_number[-6:]), int(first.certificate_number[-6:]) + 1)
        minor = self._delivered_order("minor_repair")
        self.assertFalse(minor.certificate_number)

        text = self._report_text(CERTIFICATE, first)
        for expected in (first.certificate_number, self.user_inspector.name, "川A12345", self.vehicle.vin_sn,
                         "Second-Level Maintenance", "510100000123", "30 days"):
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        with self.assertRaisesRegex(UserError, "no completion certificate"):
            self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(CERTIFICATE, minor.ids)


@tagged("post_install", "-at_install")
class TestFapiaoData(StatutoryCase):
    """The buyer's fapiao data on the partner, checked; the fapiao asked for
    on the order; the fapiao number on the invoice."""

    def test_uscc_check_digit(self):
        for code in REAL_USCC:
            self.assertTrue(is_valid_uscc(code), code)
        rng = random.Random(1133)
        for _ in range(20):
            code = make_uscc(rng)
            self.assertTrue(is_valid_uscc(code), code)
            wrong = code[:17] + next(c for c in USCC_ALPHABET if c != code[17])
            self.assertFalse(is_valid_uscc(wrong), wrong)
        for bad in ("91440300192203821", "9144030019220382160", "91440300I922038216", "91ABCDEF1922038216", ""):
            self.assertFalse(is_valid_uscc(bad), bad)

    def test_partner_tax_id_checked(self):
        partner = self.env["res.partner"].create({"name": "成都蓉城物流有限公司", "is_company": True})
        with self.assertRaises(ValidationError):
            partner.fapiao_tax_id = "914403001922038217"
        partner.fapiao_tax_id = " 9144 0300 1922 0382 16 "
        self.assertEqual(partner.fapiao_tax_id, "914403001922038216")
        with self.assertRaises(ValidationError):
            partner.fapiao_account = "6222-abc"

    def test_special_fapiao(self):
        buyer = self.env["res.partner"].create({"name": "成都蓉城物流有限公司", "is_company": True})
        self.customer.parent_id = buyer
        order = self._received_order()
        with self.assertRaisesRegex(ValidationError, "Buyer Tax ID"):
            order.with_user(self.user_advisor).fapiao_type = "special"
        # a bad tax ID never gets onto the partner, and without it no special fapiao
        with self.assertRaises(ValidationError):
            buyer.fapiao_tax_id = "91510100MA61234567"
        with self.assertRaises(ValidationError):
            order.with_user(self.user_advisor).fapiao_type = "special"
        buyer.write({"fapiao_tax_id": REAL_USCC[0], "fapiao_address": "成都市武侯区1号", "fapiao_phone": "028-1234567",
                     "fapiao_bank": "中国工商银行成都分行", "fapiao_account": "4402000000000000000"})
        order.with_user(self.user_advisor).fapiao_type = "special"
        self.assertEqual(order.fapiao_type, "special")

        private = self._received_order()
        self.vehicle.owner_id = self.env["res.partner"].create({"name": "李娜"})
        private.partner_id = self.vehicle.owner_id
        with self.assertRaisesRegex(ValidationError, "company"):
            private.with_user(self.user_advisor).fapiao_type = "special"
        private.with_user(self.user_advisor).fapiao_type = "ordinary"

    def test_fapiao_number_and_provider(self):
        order = self._ready_order("minor_repair")
        invoice = order._create_invoices()
        for bad in ("1234", "1234567a", "123456789012345678901"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                invoice.autorepair_fapiao_number = bad
        invoice.autorepair_fapiao_number = "12345678"
        invoice.autorepair_fapiao_number = "25512000000012345678"
        with self.assertRaisesRegex(UserError, "No fapiao provider"):
            invoice.action_autorepair_issue_fapiao()


@tagged("post_install", "-at_install")
class TestStatutoryRpc(StatutoryCase, HttpCase):
    """The statutory records cannot be forged over JSON-RPC."""

    def _refused(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, user.login)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as refusal:
            self.make_jsonrpc_request("/web/dataset/call_kw", {
                "model": model, "method": method, "args": list(args), "kwargs": kwargs})
        self.assertIn(refusal.exception.args[0], (
            "odoo.exceptions.AccessError", "odoo.exceptions.ValidationError", "odoo.exceptions.UserError"))
        self.env.invalidate_all()

    def test_rework_and_certificate_not_forged(self):
        first = self._delivered_order("second_maintenance")
        order = self._order()
        for vals in ({"rework_of_id": first.id}, {"certificate_number": "HG2026-999999"},
                     {"certificate_inspector_id": self.user_advisor.id}, {"guarantee_end_km": 999999},
                     {"is_rework": True}):
            self._refused(self.user_advisor, "autorepair.service.order", "write", [order.id], vals)
        self._refused(self.user_manager, "autorepair.service.order", "write", [first.id],
                      {"guarantee_end_date": "2030-01-01"})
        self.assertFalse(order.rework_of_id or order.certificate_number)
        self.assertNotEqual(first.guarantee_end_date, fields.Date.to_date("2030-01-01"))

    def test_bad_tax_id_refused_over_rpc(self):
        buyer = self.env["res.partner"].create({"name": "成都蓉城物流有限公司", "is_company": True})
        self._refused(self.user_advisor, "res.partner", "write", [buyer.id], {"fapiao_tax_id": "914403001922038217"})
        self.assertFalse(buyer.fapiao_tax_id)
