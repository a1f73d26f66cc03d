import base64
import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.autorepair_workshop.tests.common import ServiceOrderCase

from .platform_server import COMPANY_CODE, PASSWORD, LocalArchivePlatform


class ArchiveCase(ServiceOrderCase):
    """Settled orders of the Chengdu workshop and the province's archive
    platform played on localhost."""

    def setUp(self):
        super().setUp()
        self.platform = self._platform()
        self.company = self.user_advisor.company_id
        self.company.sudo().write({
            "autorepair_archive_url": self.platform.server.url,
            "autorepair_archive_company_code": COMPANY_CODE,
            "autorepair_archive_password": PASSWORD,
        })
        self.cron = self.env.ref("autorepair_archive.ir_cron_autorepair_archive_file")

    def _platform(self, **kwargs):
        platform = LocalArchivePlatform(**kwargs)
        platform.server.start()
        self.addCleanup(platform.server.stop)
        return platform

    def _settled_order(self):
        """An order received at 21000 km, a labour item of 1.5 h and two
        parts 06L115562 approved, worked, checked and settled (invoiced)."""
        order = self._received_order(lines=2, requested_work="发动机故障灯亮，怠速抖动")
        order.line_ids.filtered(lambda line: line.line_type == "part").write(
            {"name": "机油滤清器", "part_number": "06L115562"})
        order.line_ids.filtered(lambda line: line.line_type == "labour").name = "更换机油滤清器"
        order.write({"repair_category": "minor_repair", "diagnosis": "机油滤清器堵塞，更换后故障消失"})
        self._approve_all(order)
        self._work_and_check(order)
        order.with_user(self.user_advisor).action_create_invoice()
        return order

    def _run_cron(self):
        self.cron.method_direct_trigger()
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestArchiveFiling(ArchiveCase):

    def test_settled_order_filed_with_its_items(self):
        order = self._settled_order()
        filing = order.archive_filing_ids
        self.assertRecordValues(filing, [{"state": "pending", "settlement_date": fields.Date.context_today(order)}])
        self.assertEqual(order.archive_state, "pending")
        self._run_cron()
        [login] = self.platform.login_calls()
        self.assertEqual(login["json"], {"companycode": COMPANY_CODE, "companypassword": PASSWORD})
        [call] = self.platform.record_calls()
        self.assertEqual(call["json"]["access_token"], self.platform.tokens[0])
        self.assertEqual(call["json"]["basicInfo"], {
            "vehicleplatenumber": "川A12345",
            "companyname": self.company.name,
            "vin": self.vehicle.vin_sn,
            "repairdate": order.received_date.strftime("%Y%m%d"),
            "repairmileage": "21000",
            "settledate": order.invoice_ids[:1].invoice_date.strftime("%Y%m%d"),
            "faultdescription": "机油滤清器堵塞，更换后故障消失",
            "costlistcode": order.name,
        })
        self.assertEqual(call["json"]["vehiclepartslist"],
                         [{"partsname": "机油滤清器", "partscode": "06L115562", "partsquantity": "2"}])
        self.assertEqual(call["json"]["repairprojectlist"],
                         [{"repairproject": "更换机油滤清器", "workinghours": "1.5"}])
        self.assertRecordValues(filing, [{"state": "filed", "platform_ref": order.name, "reason": False,
                                          "filed_count": 1, "tries": 1}])
        self.assertEqual(order.archive_state, "filed")
        self.assertEqual(filing.log_ids.mapped("result"), ["filed"])
        self.assertNotIn(self.platform.tokens[0], filing.log_ids.request, "the token is not kept")
        self.assertIn(order.name, self.platform.records)

    def test_cron_twice_files_once(self):
        order = self._settled_order()
        self._run_cron()
        self._run_cron()
        self.assertEqual(len(self.platform.record_calls()), 1)
        self.assertEqual(order.archive_filing_ids.state, "filed")
        self.assertEqual(len(self.env["autorepair.archive.filing"].search([("order_id", "=", order.id)])), 1)

    def test_refusal_kept_with_the_platform_reason(self):
        order = self._settled_order()
        self.platform.answers.append((200, {"code": "-3", "status": "车辆识别代码与号牌号码不一致"}))
        self._run_cron()
        filing = order.archive_filing_ids
        self.assertRecordValues(filing, [{"state": "refused", "reason": "-3 车辆识别代码与号牌号码不一致"}])
        self._run_cron()
        self.assertEqual(len(self.platform.record_calls()), 1, "a refused record waits to be put right")
        filing.with_user(self.user_advisor).action_refile()
        self.assertEqual(filing.state, "pending")
        self._run_cron()
        self.assertEqual(filing.state, "filed")
        self.assertEqual(filing.log_ids.mapped("result"), ["filed", "refused"])

    def test_unreachable_platform_retried_with_backoff(self):
        order = self._settled_order()
        filing = order.archive_filing_ids
        # Odoo's tests raise any timeout below 10 s to 10 s
        self.env["ir.config_parameter"].sudo().set_param("autorepair_archive.timeout", "10")
        start = datetime(2026, 12, 2, 9, 0)
        self.platform.answers += [(503, "Service Unavailable"), ("sleep", 10.5)]
        with freeze_time(start):
            self._run_cron()
            self.assertRecordValues(filing, [{"state": "pending", "tries": 1,
                                              "next_try": start + timedelta(minutes=5)}])
            self.assertIn("503", filing.reason)
            self._run_cron()
            self.assertEqual(len(self.platform.record_calls()), 1, "not due yet")
        with freeze_time(start + timedelta(minutes=5)):
            self._run_cron()  # the platform takes longer than the timeout
            self.assertRecordValues(filing, [{"state": "pending", "tries": 2,
                                              "next_try": start + timedelta(minutes=15)}])
        with freeze_time(start + timedelta(minutes=15)):
            self._run_cron()
        self.assertRecordValues(filing, [{"state": "filed", "tries": 3}])
        self.assertEqual(len(self.platform.record_calls()), 3)
        self.assertEqual(len(self.platform.records), 1)

    def test_given_up_after_the_last_try(self):
        order = self._settled_order()
        self.env["ir.config_parameter"].sudo().set_param("autorepair_archive.max_tries", "2")
        self.platform.answers += [(502, "Bad Gateway"), (502, "Bad Gateway")]
        self._run_cron()
        self.env["autorepair.archive.filing"].sudo().search([("order_id", "=", order.id)]).next_try = False
        self._run_cron()
        self.assertRecordValues(order.archive_filing_ids, [{"state": "refused", "tries": 2}])
        self.assertIn("502", order.archive_filing_ids.reason)

    def test_wrong_password_sends_nothing(self):
        order = self._settled_order()
        self.company.sudo().autorepair_archive_password = "wrong"
        self._run_cron()
        self.assertFalse(self.platform.record_calls())
        filing = order.archive_filing_ids
        self.assertRecordValues(filing, [{"state": "pending", "tries": 1}])
        self.assertIn("密码错误", filing.reason)

    def test_company_without_account_waits(self):
        order = self._settled_order()
        self.company.sudo().autorepair_archive_url = False
        self._run_cron()
        self.assertFalse(self.platform.server.requests)
        self.assertRecordValues(order.archive_filing_ids, [{"state": "pending", "tries": 0}])

    def test_correction_after_filing_refiled(self):
        order = self._settled_order()
        self._run_cron()
        filing = order.archive_filing_ids
        # the odometer was misread at reception: corrected on the settled order
        order.odometer_in = 21500
        self.assertEqual(filing.state, "corrected")
        self.assertEqual(order.archive_state, "corrected")
        self._run_cron()
        self._run_cron()
        calls = self.platform.record_calls()
        self.assertEqual(len(calls), 2)
        self.assertEqual(calls[1]["json"]["basicInfo"]["repairmileage"], "21500")
        self.assertEqual(calls[1]["json"]["basicInfo"]["costlistcode"], order.name, "the same record, corrected")
        self.assertEqual(self.platform.records[order.name]["basicInfo"]["repairmileage"], "21500")
        self.assertRecordValues(filing, [{"state": "filed", "filed_count": 2}])
        self.assertEqual(filing.log_ids.mapped("kind"), ["refile", "file"])

    def test_credit_note_refiles_only_a_changed_record(self):
        order = self._settled_order()
        self._run_cron()
        filing = order.archive_filing_ids
        invoice = order.invoice_ids.filtered(lambda move: move.move_type == "out_invoice")
        invoice._reverse_moves([{"invoice_date": invoice.invoice_date}], cancel=True)
        self.assertEqual(filing.state, "corrected")
        self._run_cron()
        # the platform's items (no amounts) are what it holds already
        self.assertEqual(len(self.platform.record_calls()), 1)
        self.assertRecordValues(filing, [{"state": "filed", "filed_count": 1}])

    def test_order_lacking_items_not_sent(self):
        order = self._settled_order()
        order.write({"diagnosis": False, "requested_work": False})
        self._run_cron()
        self.assertFalse(self.platform.record_calls())
        filing = order.archive_filing_ids
        self.assertEqual(filing.state, "refused")
        self.assertIn("fault description", filing.reason)
        order.diagnosis = "刹车异响"
        self.assertEqual(filing.state, "pending", "put right, it goes again")
        self._run_cron()
        self.assertEqual(filing.state, "filed")

    def test_batches_per_run(self):
        self.env["ir.config_parameter"].sudo().set_param("autorepair_archive.batch_size", "1")
        orders = self._settled_order() | self._settled_order()
        self._run_cron()
        self.assertEqual(sorted(orders.archive_filing_ids.mapped("state")), ["filed", "pending"])
        self.assertEqual(len(self.platform.login_calls()), 1)
        self._run_cron()
        self.assertEqual(orders.archive_filing_ids.mapped("state"), ["filed", "filed"])

    def test_guangdong_interface(self):
        platform = self._platform(guangdong=True)
        self.company.sudo().write({"autorepair_archive_platform": "guangdong",
                                   "autorepair_archive_url": platform.server.url})
        order = self._settled_order()
        self._run_cron()
        [login] = platform.login_calls()
        message = json.loads(login["query"]["companydata"][0])
        self.assertEqual(message["body"], {"companycode": COMPANY_CODE, "companypassword": PASSWORD})
        [call] = platform.record_calls()
        body = json.loads(call["query"]["repairdata"][0])["body"]
        self.assertEqual(body["vehicleplatecolor"], "蓝")
        self.assertEqual(body["costlistcode"], order.name)
        self.assertEqual(body["vehiclePartsList"],
                         [{"partsname": "机油滤清器", "partscode": "06L115562", "partsquantity": "2"}])
        self.assertEqual(order.archive_filing_ids.state, "filed")


@tagged("post_install", "-at_install")
class TestArchiveMonthFile(ArchiveCase):

    def test_month_file(self):
        with freeze_time("2026-10-30 03:00:00"):
            october = self._settled_order()
        with freeze_time("2026-11-02 03:00:00"):
            november = self._settled_order()
        self.user_manager.company_ids |= self.company
        wizard = self.env["autorepair.archive.export"].with_user(self.user_manager).create(
            {"company_id": self.company.id, "month": "2026-11-15"})
        wizard.action_export()
        self.assertEqual(wizard.file_name, f"jtt1132_{COMPANY_CODE}_202611.json")
        content = json.loads(base64.b64decode(wizard.file_data))
        self.assertEqual((content["companycode"], content["month"], content["count"]), (COMPANY_CODE, "202611", 1))
        [record] = content["records"]
        self.assertEqual(record["basicInfo"]["costlistcode"], november.name)
        self.assertEqual(record["basicInfo"]["settledate"], "20261102")
        self.assertEqual(record["basicInfo"]["repaircategory"], "Minor Repair")
        self.assertEqual(record["basicInfo"]["settleamount"], f"{november.amount_total:.2f}")
        self.assertEqual(record["repairprojectlist"], [{"repairproject": "更换机油滤清器", "workinghours": "1.5"}])
        self.assertNotEqual(october.name, november.name)


@tagged("post_install", "-at_install")
class TestArchiveQueueBudget(ArchiveCase):

    def test_queue_costs_the_same_for_one_or_many_orders(self):
        """Settling or correcting a batch of orders queues their filings in a
        few queries, not a few per order."""
        orders = self._settled_order() | self._settled_order() | self._settled_order()
        self._run_cron()
        Filing = self.env["autorepair.archive.filing"].sudo()
        counts = []
        for batch in (orders[:1], orders):
            self.env.invalidate_all()
            Filing.search([("order_id", "in", orders.ids)]).write({"state": "filed"})
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            Filing._autorepair_queue(batch)
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(set(orders.archive_filing_ids.mapped("state")), {"corrected"})
