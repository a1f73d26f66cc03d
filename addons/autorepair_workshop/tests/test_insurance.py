from contextlib import contextmanager

from lxml import html

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, add_role_users

from .common import ServiceOrderCase


class InsuranceCase(ServiceOrderCase):
    """An accident repair (事故车) of the customer's car, claimed with 中国人保."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "ins", {"insurance": "autorepair_care.group_insurance"})
        cls.insurer = cls.env["res.partner"].create({
            "name": "中国人民财产保险股份有限公司成都市分公司", "is_company": True, "city": "成都市"})
        cls.maker = cls.vehicle.model_id.brand_id.warranty_partner_id

    def _accident_order(self, lines):
        """A received order with the given lines, approved by the customer; with
        the free check of the car (goodwill labour) when no labour is given, so
        that the car goes through the workshop."""
        if not any(vals["line_type"] == "labour" for vals in lines):
            lines = [*lines, {"line_type": "labour", "name": "事故车检查", "quantity": 0.5, "price_unit": 100,
                              "bill_to": "goodwill"}]
        order = self._received_order(lines=0)
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create([
            {"order_id": order.id, "technician_id": self.user_technician.id if vals["line_type"] == "labour" else False,
             **vals}
            for vals in lines
        ])
        self._approve_all(order)
        return order

    def _claim(self, order, assessed, deductible=0.0, **vals):
        """The advisor enters the claim and the assessor's amounts (by line name)."""
        order.with_user(self.user_advisor).write({
            "is_insurance": True, "insurer_id": self.insurer.id, "claim_number": "PDAA202651010000012345",
            "deductible": deductible, **vals})
        for line in order.line_ids:
            if line.name in assessed:
                line.with_user(self.user_advisor).assessed_amount = assessed[line.name]

    def _settle(self, order):
        self._work_and_check(order)
        return super()._settle(order)

    @contextmanager
    def _refused(self, exception, text):
        """Refused with a message saying why, and nothing written (in a savepoint)."""
        with self.assertRaises(exception) as refusal:
            yield
        self.assertIn(text, str(refusal.exception))

    def _line(self, order, name):
        return order.line_ids.filtered(lambda line: line.name == name)

    def _items(self, invoice, display_type):
        return invoice.line_ids.filtered(lambda item: item.display_type == display_type)


@tagged("post_install", "-at_install")
class TestInsurance(InsuranceCase):

    def test_insurer_and_customer_invoices(self):
        """The insurer pays each line up to its assessment, less the deductible;
        the customer the rest; warranty still goes to the maker and goodwill stays
        free: checked on the journal items of the posted invoices."""
        order = self._accident_order([
            {"line_type": "labour", "name": "钣金修复", "quantity": 3, "price_unit": 200},
            {"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500},
            {"line_type": "part", "name": "雾灯", "quantity": 2, "price_unit": 150},
            {"line_type": "part", "name": "保修件", "quantity": 1, "price_unit": 800, "bill_to": "warranty"},
            {"line_type": "other", "name": "洗车", "quantity": 1, "price_unit": 50, "bill_to": "goodwill"},
        ])
        # labour 600 assessed at 500 (100 refused), bumper in full, fog lights refused;
        # the deductible of 200 comes off the first line the insurer pays
        self._claim(order, {"钣金修复": 500, "前保险杠": 1500, "雾灯": 0}, deductible=200)
        labour, bumper, fog = order.line_ids[:3]
        self.assertEqual((labour.insurer_share, labour.customer_share), (300.0, 300.0))
        self.assertEqual((bumper.insurer_share, bumper.customer_share), (1500.0, 0.0))
        self.assertEqual((fog.insurer_share, fog.customer_share), (0.0, 300.0))
        self.assertAlmostEqual(order.assessed_total, 2000.0)
        self.assertAlmostEqual(order.insurer_amount, 1800.0 * 1.15)
        self.assertAlmostEqual(order.customer_amount, 600.0 * 1.15)
        self.assertAlmostEqual(order.amount_total, 2400.0 * 1.15, msg="the customer's lines, whoever pays them")

        invoices = self._settle(order)
        self.assertEqual((order.state, bool(order.settled_date)), ("ready", True), "settled, waiting for its release")
        by_partner = {move.partner_id: move for move in invoices}
        self.assertEqual(set(by_partner), {self.insurer, self.customer, self.maker})
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        insurer_inv, customer_inv = by_partner[self.insurer], by_partner[self.customer]
        self.assertEqual(insurer_inv.ref, "PDAA202651010000012345", "the insurer pays against the claim number")
        self.assertEqual(customer_inv.ref, "川A12345")

        # insurer: half the labour (the deductible took the other 200 + the 100 refused) and the bumper
        revenue = self._items(insurer_inv, "product")
        self.assertEqual(sorted(revenue.mapped("credit")), [300.0, 1500.0])
        self.assertEqual(revenue.sorted("credit").mapped("quantity"), [1.0, 1.0])
        self.assertEqual(revenue.filtered(lambda item: item.credit == 1500).price_unit, 1500.0)
        self.assertEqual(revenue.autorepair_line_id, labour | bumper)
        self.assertEqual(revenue.tax_ids, self.tax)
        self.assertEqual(self._items(insurer_inv, "tax").credit, 270.0)
        [receivable] = self._items(insurer_inv, "payment_term")
        self.assertEqual((receivable.partner_id, receivable.debit), (self.insurer, 2070.0))
        self.assertEqual(set(insurer_inv.line_ids.partner_id), {self.insurer})

        # customer: the other half of the labour, the fog lights, the free car wash
        revenue = self._items(customer_inv, "product")
        self.assertEqual(sorted(revenue.mapped("credit")), [0.0, 300.0, 300.0])
        fog_item = revenue.filtered(lambda item: item.autorepair_line_id == fog)
        self.assertEqual((fog_item.quantity, fog_item.price_unit), (2.0, 150.0),
                         "a line paid by one payer stays as quoted")
        self.assertIn("钣金修复", revenue.filtered(lambda item: item.autorepair_line_id == labour).name)
        self.assertEqual(self._items(customer_inv, "tax").credit, 90.0)
        [receivable] = self._items(customer_inv, "payment_term")
        self.assertEqual((receivable.partner_id, receivable.debit), (self.customer, 690.0))

        # the maker's warranty claim as before
        self.assertAlmostEqual(by_partner[self.maker].amount_total, 920.0)
        self.assertAlmostEqual(insurer_inv.amount_total + customer_inv.amount_total, order.amount_total)
        self.assertEqual(order.payment_state, "not_paid", "the customer's own invoice")

    def test_points_for_what_the_customer_paid(self):
        """Loyalty points are the customer's spend: the insurer's paid invoice earns none."""
        order = self._accident_order([{"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500}])
        self._claim(order, {"前保险杠": 1200}, deductible=200)
        invoices = self._settle(order)
        for invoice in invoices:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids).create({})._create_payments()
        self.assertLessEqual(set(invoices.mapped("payment_state")), {"paid", "in_payment"})
        earned = self.env["loyalty.history"].search([("autorepair_points_invoice_id", "in", invoices.ids)])
        self.assertEqual(earned.card_id.partner_id, self.customer)
        self.assertEqual(earned.issued, 575)
        self.assertEqual(order.payment_state, "paid")

    def test_shares_add_up_to_the_order_total(self):
        """Each share is taxed on its own invoice: the order's total is what the
        invoices say, to the cent, even where taxing the halves rounds apart."""
        order = self._accident_order([
            {"line_type": "part", "name": "大灯总成", "quantity": 1, "price_unit": 100.05},
            {"line_type": "part", "name": "翼子板", "quantity": 3, "price_unit": 33.35},
        ])
        self._claim(order, {"大灯总成": 50.03, "翼子板": 66.71})
        invoices = self._settle(order)
        self.assertEqual(len(invoices), 2)
        self.assertEqual(invoices.currency_id.compare_amounts(sum(invoices.mapped("amount_total")), order.amount_total),
                         0, f"{invoices.mapped('amount_total')} against {order.amount_total}")
        self.assertEqual(
            invoices.currency_id.compare_amounts(sum(invoices.mapped("amount_untaxed")), order.amount_untaxed), 0)
        insurer_inv = invoices.filtered(lambda move: move.partner_id == self.insurer)
        self.assertAlmostEqual(insurer_inv.amount_untaxed, 116.74)
        self.assertAlmostEqual(order.insurer_amount, insurer_inv.amount_total)
        self.assertAlmostEqual(order.customer_amount, (invoices - insurer_inv).amount_total)

    def test_deductible_above_the_assessment(self):
        """A deductible larger than what the insurer accepted leaves him nothing
        to pay: the customer pays the whole order, on one invoice."""
        order = self._accident_order([
            {"line_type": "part", "name": "后视镜", "quantity": 1, "price_unit": 400},
        ])
        self._claim(order, {"后视镜": 300}, deductible=1000)
        mirror = self._line(order, "后视镜")
        self.assertEqual((mirror.insurer_share, mirror.customer_share), (0.0, 400.0))
        invoices = self._settle(order)
        self.assertEqual(invoices.partner_id, self.customer)
        self.assertAlmostEqual(invoices.amount_total, 460.0)

    def test_statement_says_who_pays(self):
        """The settlement statement (JT/T 1133) of an accident repair names the
        insurer and the claim, with what he and the customer pay."""
        order = self._accident_order([{"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500}])
        self._claim(order, {"前保险杠": 1200}, deductible=200)
        invoices = self._settle(order)
        content, _type = self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(
            "autorepair_workshop.autorepair_service_order_report_statement", order.ids)
        tree = html.fromstring(content)
        [insurer_row] = tree.xpath("//td[@name='insurer_amount']/..")
        text = " ".join(insurer_row.text_content().split())
        self.assertIn(self.insurer.name, text)
        self.assertIn("PDAA202651010000012345", text)
        self.assertIn("1,150.00", text)
        [customer_cell] = tree.xpath("//td[@name='customer_amount']")
        self.assertIn("575.00", customer_cell.text_content())
        self.assertEqual(invoices.mapped("amount_total"), [1150.0, 575.0])

    def test_settlement_refused_without_insurer_or_claim(self):
        order = self._accident_order([{"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500}])
        self._claim(order, {"前保险杠": 1500}, claim_number=False)
        self._work_and_check(order)
        advisor_order = order.with_user(self.user_advisor)
        with self.assertRaisesRegex(UserError, "insurer and claim number"):
            advisor_order.action_create_invoice()
        advisor_order.write({"claim_number": "PDAA202651010000012345", "insurer_id": False})
        with self.assertRaisesRegex(UserError, "insurer and claim number"):
            advisor_order.action_create_invoice()
        with self.assertRaisesRegex(UserError, "insurer and claim number"):
            advisor_order._queue_settlement()
        self.assertFalse(order.settled_date)
        self.assertFalse(order.sudo().invoice_ids)
        advisor_order.insurer_id = self.insurer
        advisor_order.action_create_invoice()
        insurer_invoice = order.sudo().invoice_ids.filtered(lambda move: move.partner_id == self.insurer)
        self.assertAlmostEqual(insurer_invoice.amount_total, 1725.0)
        self.assertFalse(order.sudo().invoice_ids.filtered(lambda move: move.partner_id == self.customer).amount_total,
                         "the customer's invoice holds only the free check")

    def test_assessment_rules(self):
        order = self._accident_order([
            {"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500},
            {"line_type": "part", "name": "保修件", "quantity": 1, "price_unit": 800, "bill_to": "warranty"},
        ])
        lines = order.line_ids.with_user(self.user_advisor)
        bumper, warranty = (lines.filtered(lambda line: line.name == name) for name in ("前保险杠", "保修件"))
        with self._refused(ValidationError, "cannot exceed the line's amount of 1500.0"):
            bumper.assessed_amount = 1500.01
        with self._refused(ValidationError, "cannot be negative"):
            bumper.assessed_amount = -1
        with self._refused(ValidationError, "warranty or goodwill"):
            warranty.assessed_amount = 100
        with self._refused(ValidationError, "must be a company"):
            order.with_user(self.user_advisor).insurer_id = self.customer
        with self._refused(ValidationError, "cannot be negative"):
            order.with_user(self.user_advisor).deductible = -10
        self.env.invalidate_all()
        self.assertFalse(bumper.assessed_amount)
        self.assertFalse(warranty.assessed_amount)
        self.assertFalse(order.insurer_id)
        self.assertFalse(order.deductible)

    def test_who_enters_the_assessment(self):
        """The advisor enters the claim and the assessment; the insurance
        specialist reads them; nobody changes them once invoiced."""
        order = self._accident_order([{"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500}])
        self._claim(order, {"前保险杠": 1200}, deductible=100)
        line = self._line(order, "前保险杠")
        with self.assertRaises(AccessError):
            line.with_user(self.user_technician).assessed_amount = 1500
        with self.assertRaises(AccessError):
            order.with_user(self.user_technician).deductible = 0
        with self.assertRaises(AccessError):
            line.with_user(self.user_insurance).assessed_amount = 1500
        self.assertEqual(line.with_user(self.user_insurance).read(["assessed_amount", "insurer_share"]),
                         [{"id": line.id, "assessed_amount": 1200.0, "insurer_share": 1100.0}])
        self.assertEqual(order.with_user(self.user_insurance).claim_number, "PDAA202651010000012345")
        self._settle(order)
        for user in (self.user_advisor, self.user_manager):
            with self.assertRaisesRegex(UserError, "has been invoiced"):
                line.with_user(user).assessed_amount = 1500
            for vals in ({"deductible": 0}, {"claim_number": "X"}, {"insurer_id": False}, {"is_insurance": False}):
                with self.assertRaisesRegex(UserError, "has been invoiced"):
                    order.with_user(user).write(vals)
        self.assertEqual((line.assessed_amount, order.deductible), (1200.0, 100.0))

    def test_advisor_form(self):
        """The advisor marks the order as an accident repair and types the
        assessor's amounts in the Insurance tab; the totals follow as he types
        (the web client sends the changed rows only)."""
        order = self._accident_order([
            {"line_type": "labour", "name": "钣金修复", "quantity": 3, "price_unit": 200},
            {"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500},
        ])
        labour, bumper = order.line_ids
        with Form(order.with_user(self.user_advisor)) as form:
            form.is_insurance = True
            form.insurer_id = self.insurer
            form.claim_number = "PDAA202651010000099999"
            form.deductible = 100
            with form.assessment_line_ids.edit(0) as row:
                row.assessed_amount = 600
            with form.assessment_line_ids.edit(1) as row:
                row.assessed_amount = 1000
        self.assertEqual(order.line_ids.mapped("assessed_amount"), [600.0, 1000.0])
        self.assertEqual(order.line_ids.mapped("insurer_share"), [500.0, 1000.0])
        self.assertAlmostEqual(order.insurer_amount, 1500 * 1.15)
        self.assertAlmostEqual(order.customer_amount, 600 * 1.15)
        spec = {"insurer_amount": {}, "customer_amount": {}, "amount_total": {},
                "assessment_line_ids": {"fields": {"assessed_amount": {}, "insurer_share": {}}}}
        result = order.with_user(self.user_advisor).onchange(
            {"assessment_line_ids": [Command.update(bumper.id, {"assessed_amount": 1500})]},
            ["assessment_line_ids"], spec)["value"]
        self.assertAlmostEqual(result["insurer_amount"], 2000 * 1.15)
        self.assertAlmostEqual(result["customer_amount"], 100 * 1.15)
        self.assertEqual(labour.assessed_amount, 600, "nothing saved by the onchange")
        # and in the line's own form
        with Form(bumper.with_user(self.user_advisor)) as line_form:
            self.assertTrue(line_form.order_is_insurance)
            line_form.assessed_amount = 1200
        self.assertEqual(bumper.insurer_share, 1200.0)
        self.assertAlmostEqual(order.insurer_amount, 1955.0)


@tagged("post_install", "-at_install")
class TestInsuranceRpc(InsuranceCase, HttpCase, RpcClientMixin):
    """Once invoiced, the assessment is what the invoices say: no role changes
    it over JSON-RPC, nor does a technician or the insurance specialist before."""

    def setUp(self):
        super().setUp()
        self.order = self._accident_order([
            {"line_type": "part", "name": "前保险杠", "quantity": 1, "price_unit": 1500}])
        self._claim(self.order, {"前保险杠": 1200}, deductible=100)

    def _snapshot(self):
        self.env.invalidate_all()
        return (self.order.sudo().read(["is_insurance", "insurer_id", "claim_number", "deductible", "amount_total"]),
                self.order.line_ids.sudo().read(["assessed_amount"]),
                self.order.sudo().invoice_ids.read(["amount_total", "partner_id"]))

    def _attacks(self, users):
        for user in users:
            self._assert_rpc_refused(user, "autorepair.service.order.line", "write",
                                     self._line(self.order, "前保险杠").ids,
                                     {"assessed_amount": 1500})
            for vals in ({"deductible": 0}, {"claim_number": "X"}, {"insurer_id": False}, {"is_insurance": False}):
                self._assert_rpc_refused(user, "autorepair.service.order", "write", self.order.ids, vals)

    def test_before_settlement(self):
        self._attacks([self.user_technician, self.user_insurance])
        result = self._jsonrpc_ok(self.user_insurance, "autorepair.service.order", "read", self.order.ids,
                                  ["insurer_id", "claim_number", "insurer_amount", "customer_amount"])
        self.assertEqual(result[0]["claim_number"], "PDAA202651010000012345")
        self.assertAlmostEqual(result[0]["insurer_amount"], 1100 * 1.15)
        # the advisor corrects the assessment until the invoices are made
        bumper = self._line(self.order, "前保险杠")
        self._jsonrpc_ok(self.user_advisor, "autorepair.service.order.line", "write", bumper.ids,
                         {"assessed_amount": 1300})
        self.env.invalidate_all()
        self.assertEqual(bumper.insurer_share, 1200.0)

    def test_after_settlement(self):
        self._settle(self.order)
        self._attacks([self.user_advisor, self.user_manager, self.user_technician, self.user_insurance])

    def test_every_role_reads_the_settled_claim(self):
        """An accident repair's shares are computed for every role that opens
        the order, over JSON-RPC and XML-RPC: never the reason it is refused."""
        self._settle(self.order)
        for user in (self.user_technician, self.user_inspector, self.user_care_agent, self.user_insurance,
                     self.user_advisor, self.user_manager):
            with self.subTest(user=user.login):
                self._assert_reads_every_field(user, "autorepair.service.order", self.order)
                [row] = self._jsonrpc_ok(user, "autorepair.service.order.line", "read",
                                         self._line(self.order, "前保险杠").ids,
                                         ["assessed_amount", "insurer_share", "customer_share"])
                self.assertEqual((row["assessed_amount"], row["insurer_share"], row["customer_share"]),
                                 (1200.0, 1100.0, 400.0))
