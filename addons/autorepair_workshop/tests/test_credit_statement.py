from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, make_vin

from .common import ServiceOrderCase
from .test_statutory import pdf_text

STATEMENT_REPORT = "autorepair_workshop.autorepair_credit_statement_report"
OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


class CreditStatementCase(ServiceOrderCase):
    """A Chengdu logistics company settling monthly (挂账) with four vans, one of
    them driven by its staff member; a private customer paying at the desk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.resource_calendar_id.tz = "Asia/Shanghai"
        cls.env.company.phone = "028-85550000"
        cls.env["res.partner.bank"].create({
            "partner_id": cls.env.company.partner_id.id, "acc_number": "4402 2030 0910 0012 345",
            "acc_holder_name": cls.env.company.name,
            "bank_id": cls.env["res.bank"].create({"name": "中国工商银行成都高新支行"}).id,
        })
        cls.fleet = cls.env["res.partner"].create({
            "name": "成都蓉城物流有限公司", "is_company": True, "autorepair_credit_account": True,
            "email": "caiwu@rongcheng-wuliu.cn", "street": "成华大道8号", "city": "成都",
        })
        cls.driver = cls.env["res.partner"].create(
            {"name": "王师傅", "parent_id": cls.fleet.id, "mobile": "13900139000"})
        cls.vans = cls.env["fleet.vehicle"].create([{
            "model_id": cls.car_model.id, "license_plate": plate, "vin_sn": make_vin(f"LFV2A2BHRC9{index:05d}"),
            "owner_id": (cls.driver if index == 3 else cls.fleet).id,
        } for index, plate in enumerate(("川A0F001", "川A0F002", "川A0F003", "川A0F004"))])

    def _credit_release(self, order):
        """Settled, let out unpaid on a service manager's credit approval (挂账)."""
        invoices = self._settle(order)
        order.with_user(self.user_manager).action_approve_credit()
        self._release(order)
        return invoices

    def _pay(self, invoices, amount):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids).create({"amount": amount})._create_payments()

    def _van_order(self, van, when):
        """An order of ``van`` received, repaired and released on credit at ``when`` (UTC)."""
        with freeze_time(when):
            order = self._received_order(vehicle_id=van.id)
            self._approve_all(order)
            self._work_and_check(order)
            invoices = self._credit_release(order)
        return order, invoices

    def _fleet_month(self):
        """October: one van left open. November: three vans on credit (one of them
        the driver's, one half paid), the last at 23:30 on the 30th in Chengdu; the
        private customer paid. 1 December 00:30 in Chengdu: a van on December's."""
        october, self.oct_invoices = self._van_order(self.vans[0], "2026-10-15 03:00:00")
        self.nov = {}
        for van, when in ((self.vans[1], "2026-11-03 02:00:00"), (self.vans[3], "2026-11-12 06:00:00"),
                          (self.vans[2], "2026-11-30 15:30:00")):
            self.nov[van] = self._van_order(van, when)
        self._pay(self.nov[self.vans[1]][1], 300.0)
        with freeze_time("2026-11-20 03:00:00"):
            private = self._received_order()
            self._approve_all(private)
            self._work_and_check(private)
            self._pay(self._settle(private), private.amount_total)
            self._release(private)
        self.dec_order, _dec_invoices = self._van_order(self.vans[0], "2026-11-30 16:30:00")
        return october, private


@tagged("post_install", "-at_install")
class TestCreditStatement(CreditStatementCase):
    """The monthly statement of a fleet account: its cars released on credit in
    the month, invoiced, paid, open, and what earlier months still owe."""

    def test_monthly_statement_of_a_fleet(self):
        october, private = self._fleet_month()
        Statement = self.env["autorepair.credit.statement"]
        with freeze_time("2026-12-01 01:00:00"):  # 09:00 in Chengdu, the cron's run on the 1st
            Statement._cron_generate_statements()
            Statement._cron_generate_statements()
        statement = Statement.search([("partner_id", "=", self.fleet.id)])
        self.assertEqual(len(statement), 1, "one statement per account and month, however often the cron runs")
        self.assertEqual(statement.month, NOVEMBER)
        self.assertFalse(Statement.search([("partner_id", "=", private.partner_id.id)]), "a customer who pays")

        orders = [self.nov[van][0] for van in (self.vans[1], self.vans[3], self.vans[2])]
        self.assertEqual(statement.line_ids.order_id.ids, [order.id for order in orders],
                         "November's vans in the order they left, the driver's included, not October's "
                         "nor the one that left after midnight on 1 December")
        self.assertEqual(statement.line_ids.mapped("license_plate"), ["川A0F002", "川A0F004", "川A0F003"])
        self.assertEqual(statement.line_ids.mapped("date"), [date(2026, 11, 3), date(2026, 11, 12),
                                                              date(2026, 11, 30)])
        invoiced = sum(sum(invoices.mapped("amount_total")) for _order, invoices in self.nov.values())
        self.assertAlmostEqual(statement.amount_invoiced, invoiced)
        self.assertAlmostEqual(statement.amount_paid, 300.0)
        self.assertAlmostEqual(statement.amount_open, invoiced - 300.0)
        half_paid = statement.line_ids.filtered(lambda line: line.order_id == orders[0])
        self.assertAlmostEqual(half_paid.amount_paid, 300.0)
        self.assertEqual(half_paid.invoice_ids, self.nov[self.vans[1]][1])
        self.assertAlmostEqual(statement.amount_previous_open, sum(self.oct_invoices.mapped("amount_total")))
        self.assertAlmostEqual(statement.amount_due, statement.amount_open + statement.amount_previous_open)

        # sent by e-mail to the account, with the statement attached
        self.assertEqual(statement.state, "sent")
        message = statement.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.fleet)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn("川A0F004", message.attachment_ids.raw.decode())
        self.assertTrue(self.env["mail.notification"].search([
            ("mail_message_id", "=", message.id), ("res_partner_id", "=", self.fleet.id),
            ("notification_type", "=", "email")]))

        # December: the van that left after midnight, and the open balance brought forward
        with freeze_time("2027-01-01 01:00:00"):
            Statement._cron_generate_statements()
        december = Statement.search([("partner_id", "=", self.fleet.id), ("month", "=", date(2026, 12, 1))])
        self.assertEqual(december.line_ids.order_id, self.dec_order)
        self.assertAlmostEqual(december.amount_previous_open, statement.amount_due)

    def test_missed_first_caught_up(self):
        self._fleet_month()
        Statement = self.env["autorepair.credit.statement"]
        with freeze_time("2026-12-03 01:00:00"):
            Statement._cron_generate_statements()
        self.assertEqual(Statement.search([("partner_id", "=", self.fleet.id)]).month, NOVEMBER)

    def test_query_budget(self):
        """A month of three accounts costs the queries of a month of one."""
        for index, name in enumerate(("成都天府出租汽车有限公司", "四川蜀道快递有限公司")):
            fleet = self.env["res.partner"].create({"name": name, "is_company": True,
                                                    "autorepair_credit_account": True})
            van = self.env["fleet.vehicle"].create({
                "model_id": self.car_model.id, "license_plate": f"川A1T00{index}", "owner_id": fleet.id,
                "vin_sn": make_vin(f"LFV2A2BHRC8{index:05d}")})
            self._van_order(van, "2026-11-10 03:00:00")
        self._van_order(self.vans[0], "2026-10-10 03:00:00")
        self._van_order(self.vans[1], "2026-11-10 03:00:00")
        Statement = self.env["autorepair.credit.statement"]
        Statement._generate(date(2026, 9, 1), self.env.company)  # caches warmed by an empty month
        counts = []
        for month in (OCTOBER, NOVEMBER):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            statements = Statement._generate(month, self.env.company)
            self.env.flush_all()
            counts.append((len(statements), self.cr.sql_log_count - before))
        self.assertEqual([count for count, _queries in counts], [1, 3])
        self.assertLessEqual(counts[1][1], counts[0][1], "three accounts cost no more queries than one")

    def test_statement_document(self):
        self._fleet_month()
        statement = self.env["autorepair.credit.statement"]._generate(NOVEMBER, self.env.company)
        self.assertEqual(statement.partner_id, self.fleet)
        content, _kind = self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(
            STATEMENT_REPORT, statement.ids)
        text = " ".join(html.fromstring(content).text_content().split())
        order, invoices = self.nov[self.vans[1]]
        expected = {
            "title": "Monthly Statement 2026-11", "account": "成都蓉城物流有限公司", "plates": "川A0F002",
            "order": order.name, "invoice": invoices.name, "date": "11/03/2026",
            "amount": f"{sum(invoices.mapped('amount_total')):,.2f}", "paid": "300.00",
            "total invoiced": f"{statement.amount_invoiced:,.2f}", "total open": f"{statement.amount_open:,.2f}",
            "earlier months": f"{statement.amount_previous_open:,.2f}", "due": f"{statement.amount_due:,.2f}",
            "bank": "中国工商银行成都高新支行", "account number": "4402 2030 0910 0012 345",
            "shop phone": "028-85550000",
        }
        for item, value in expected.items():
            with self.subTest(item=item):
                self.assertIn(value, text)
        for plate in ("川A0F003", "川A0F004"):
            self.assertIn(plate, text)
        self.assertNotIn("川A0F001", text, "October's and December's van are not November's")

    def test_account_without_email_told_by_its_channel(self):
        self.fleet.email = False
        self.fleet.mobile = "13700137000"
        self._fleet_month()
        with freeze_time("2026-12-01 01:00:00"):
            self.env["autorepair.credit.statement"]._cron_generate_statements()
        statement = self.env["autorepair.credit.statement"].search([("partner_id", "=", self.fleet.id)])
        self.assertEqual(statement.state, "sent")
        sms = self.env["sms.sms"].search([("autorepair_kind", "=", "statement"), ("partner_id", "=", self.fleet.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("2026-11", sms.body)
        self.assertTrue(statement.message_ids.attachment_ids, "the PDF stays on the statement for the cashier")

    def test_refresh_a_draft_and_keep_a_sent_one(self):
        self._fleet_month()
        Statement = self.env["autorepair.credit.statement"]
        statement = Statement._generate(NOVEMBER, self.env.company)
        self.assertFalse(Statement._generate(NOVEMBER, self.env.company), "a second run adds nothing")
        self._pay(self.nov[self.vans[3]][1], sum(self.nov[self.vans[3]][1].mapped("amount_total")))
        statement.with_user(self.user_advisor).action_refresh()
        self.assertAlmostEqual(statement.amount_paid, 300.0 + sum(self.nov[self.vans[3]][1].mapped("amount_total")))
        statement.with_user(self.user_advisor).action_send()
        self.assertEqual(statement.state, "sent")
        with self.assertRaises(UserError):
            statement.with_user(self.user_advisor).action_refresh()
        with self.assertRaises(UserError):
            statement.with_user(self.user_manager).unlink()


@tagged("post_install", "-at_install")
class TestCreditStatementRights(CreditStatementCase, HttpCase, RpcClientMixin):
    """Users with invoicing rights (the cashier, advisors, managers) read and
    send the statements; nobody writes what they state."""

    def setUp(self):
        super().setUp()
        self._fleet_month()
        self.statement = self.env["autorepair.credit.statement"]._generate(NOVEMBER, self.env.company)

    def _snapshot(self):
        self.env.invalidate_all()
        statement = self.statement.sudo()
        return (statement.read(["state", "amount_invoiced", "amount_paid", "amount_previous_open", "partner_id",
                                "month", "name"]),
                statement.line_ids.read(["order_id", "amount", "amount_paid", "license_plate"]),
                self.env["autorepair.credit.statement"].sudo().search_count([]))

    def test_technician_reads_nothing(self):
        with self.assertRaises(AccessError):
            self.statement.with_user(self.user_technician).read(["amount_due"])
        self._assert_rpc_refused(self.user_technician, "autorepair.credit.statement", "read", [self.statement.id],
                                 ["amount_due"])
        self._assert_rpc_refused(self.user_technician, "autorepair.credit.statement", "action_send",
                                 [self.statement.id])

    def test_figures_not_forged(self):
        self.assertEqual(self.statement.with_user(self.user_advisor).amount_invoiced, self.statement.amount_invoiced)
        line = self.statement.line_ids[0]
        for user in (self.user_advisor, self.user_manager):
            for model, record, vals in (
                    ("autorepair.credit.statement", self.statement, {"amount_previous_open": 0}),
                    ("autorepair.credit.statement", self.statement, {"state": "sent"}),
                    ("autorepair.credit.statement", self.statement, {"partner_id": self.customer.id}),
                    ("autorepair.credit.statement", self.statement, {"line_ids": [(2, line.id)]}),
                    ("autorepair.credit.statement.line", line, {"amount_paid": line.amount})):
                with self.subTest(user=user.login, vals=vals):
                    self._assert_rpc_refused(user, model, "write", [record.id], vals)
            self._assert_rpc_refused(user, "autorepair.credit.statement", "create", {
                "name": "forged", "partner_id": self.customer.id, "month": "2026-11-01"})
        self._assert_rpc_refused(self.user_advisor, "autorepair.credit.statement", "unlink", [self.statement.id])

    def test_cashier_sends(self):
        self.assertTrue(self._jsonrpc_ok(self.user_advisor, "autorepair.credit.statement", "action_send",
                                         [self.statement.id]))
        self.assertEqual(self.statement.state, "sent")

    def test_the_pdf_sent(self):
        # rendered by wkhtmltopdf, not as the HTML Odoo's tests print by default; from the test's
        # thread: within a request of this test server, wkhtmltopdf's own requests would wait for it
        with mute_logger("odoo.addons.base.models.ir_actions_report"):
            self.statement.with_user(self.user_advisor).with_context(force_report_rendering=True).action_send()
        self.assertEqual(self.statement.state, "sent")
        attachment = self.statement.message_ids.attachment_ids
        self.assertEqual(attachment.mimetype, "application/pdf")
        text = pdf_text(attachment.raw)
        for expected in ("成都蓉城物流有限公司", "2026-11", "川A0F002", "川A0F003", "川A0F004",
                         self.nov[self.vans[1]][0].name, f"{self.statement.amount_due:,.2f}",
                         "中国工商银行成都高新支行", "4402 2030 0910 0012 345"):
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
