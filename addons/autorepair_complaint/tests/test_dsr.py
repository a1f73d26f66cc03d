import json

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.autorepair_crm.tests.common import make_vin
from odoo.addons.autorepair_workshop.tests.common import SIGNATURE, ServiceOrderCase, followup_answers

NAME = "欧阳娜娜"
MOBILE = "13912345678"
EMAIL = "ouyang.nana@example.com"
STREET = "玉沙路199号附7号"
RESIDENT_ID = "11010519491231002X"
# every table the suite writes a customer's data to, or Odoo writes it to for the suite
SCANNED_TABLES = (
    "res_partner", "res_users", "fleet_vehicle", "autorepair_vehicle_ownership", "autorepair_loyalty_adjustment",
    "loyalty_card", "loyalty_history",
    "autorepair_service_order", "autorepair_service_order_line", "autorepair_service_quote",
    "autorepair_walkaround_line", "autorepair_damage", "autorepair_followup", "autorepair_followup_answer",
    "autorepair_care_task",
    "autorepair_care_attempt", "autorepair_complaint", "autorepair_complaint_compensation",
    "autorepair_privacy_log", "mail_message", "mail_tracking_value", "mail_notification", "mail_mail",
    "mail_activity", "sms_sms", "ir_attachment",
)


@tagged("post_install", "-at_install")
class TestErasureEverywhere(ServiceOrderCase):
    """A customer with the whole history the suite keeps: a settled and paid
    repair with walk-around, signatures, damage photo, quote decisions and a
    follow-up call; care reminders and calls; a complaint; messages, tracking
    and SMS. The access report shows it all; the erasure leaves no personal
    value of the person in any table, and the invoice and repair record with
    their totals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls.env["res.partner"].create({
            "name": NAME, "mobile": MOBILE, "email": EMAIL, "street": STREET, "city": "成都",
            "resident_id_consent": True, "resident_id_number": RESIDENT_ID, "comment": f"<p>{NAME}喜欢周六上午来店</p>",
            "is_autorepair_customer": True, "care_agent_id": cls.user_care_agent.id, "image_1920": SIGNATURE,
            "marketing_opt_out": True,
        })
        cls.car = cls.env["fleet.vehicle"].create({
            "model_id": cls.car_model.id, "license_plate": "川A88888", "vin_sn": make_vin("LFV2A2BHRC654321"),
            "owner_id": cls.person.id,
        })
        cls.env["fleet.vehicle.odometer"].create({"vehicle_id": cls.car.id, "value": 15000, "date": "2026-01-10"})

    def _history(self):
        """The repair (settled and paid), care, complaint and messages of the person."""
        order = self._received_order(vehicle_id=self.car.id, requested_work=f"{NAME}说空调有异响")
        order.diagnosis = f"鼓风机轴承磨损，已电话{MOBILE}告知"
        self.env["autorepair.damage"].create({
            "order_id": order.id, "location": "左后门", "description": "5厘米划痕", "photo": SIGNATURE})
        order.with_user(self.user_advisor).action_sign_walkaround(SIGNATURE, NAME)
        self._approve_all(order)
        order.quote_ids.sudo().signed_by = NAME
        self._work_and_check(order)
        order.with_user(self.user_advisor).action_create_invoice()
        invoice = order.invoice_ids
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({})._create_payments()
        self._release(order)
        self.env["autorepair.followup"].with_user(self.user_care_agent).create({
            "order_id": order.id,
            "answer_ids": followup_answers(self.env, order, {"attitude": 5, "quality": 4, "price": 5},
                                           {"quality": f"{NAME}希望下次提前电话{MOBILE}"}),
            "remarks": f"{NAME}很满意，电话{MOBILE}",
        })
        rule = self.env.ref("autorepair_care.rule_periodic_maintenance")
        task = self.env["autorepair.care.task"].create({
            "rule_id": rule.id, "kind": rule.kind, "vehicle_id": self.car.id, "partner_id": self.person.id,
            "due_date": "2027-05-01", "deadline": "2027-05-10", "user_id": self.user_care_agent.id,
            "no_return_note": f"{NAME}说下月来",
            "other_shop_name": "路边店",
        })
        self.env["autorepair.care.attempt"].with_user(self.user_care_agent).create({
            "task_id": task.id, "outcome": "no_answer", "note": f"打{MOBILE}无人接听",
        })
        other = self.env["res.partner"].create(
            {"name": "王五", "mobile": "13600001111", "is_autorepair_customer": True})
        complaint = self.env["autorepair.complaint"].create({
            "subject": f"{NAME}投诉空调", "partner_id": other.id, "channel": "phone",
            "description": f"{NAME}（{MOBILE}）说空调还响", "response_note": f"已致电{NAME}",
        })
        tracked = self.env(context={})
        # records created without tracking are discarded from it until the transaction's end
        self.env.flush_all()
        self.env.cr.precommit.run()
        complaint.with_env(tracked).write({"partner_id": self.person.id, "subject": f"{NAME}再次投诉 {MOBILE}"})
        complaint.write({"stage_id": self.env.ref("autorepair_complaint.stage_closed").id})
        self.person.with_env(tracked).message_post(body=f"{NAME}来电，住{STREET}，邮箱{EMAIL}")
        order.with_env(tracked).message_post(body=f"已通知{NAME} {MOBILE}")
        message = task.with_env(tracked).message_post(body=f"短信发给{MOBILE}")
        self.env["mail.notification"].create({
            "mail_message_id": message.id, "res_partner_id": self.person.id, "notification_type": "sms",
            "sms_number": f"+86{MOBILE}",
        })
        self.env["sms.sms"].create({"number": f"+86{MOBILE}", "body": f"{NAME}您好", "partner_id": self.person.id})
        self.env["ir.attachment"].create({
            "name": f"{NAME}行驶证.jpg", "raw": b"scan", "res_model": "fleet.vehicle", "res_id": self.car.id})
        # the invoice as sent: its chatter names the person, its file is the document kept by law
        invoice_file = self.env["ir.attachment"].create({
            "name": f"{invoice.name}.pdf", "raw": b"%PDF-1.4", "res_model": "account.move", "res_id": invoice.id})
        invoice.with_env(tracked).message_post(body=f"发票已发送给{NAME} {EMAIL}", attachment_ids=invoice_file.ids)
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking values
        return order, invoice, task, complaint

    def _scan(self):
        """(table, column, text) of every personal value of the person left in the scanned tables."""
        self.env.flush_all()
        found = []
        texts = (NAME, MOBILE, EMAIL, STREET, "玉沙路199号", RESIDENT_ID)
        for table in SCANNED_TABLES:
            self.env.cr.execute("""
                SELECT column_name FROM information_schema.columns
                 WHERE table_name = %s AND data_type IN ('character varying', 'text', 'jsonb')""", [table])
            for (column,) in self.env.cr.fetchall():
                for text in texts:
                    self.env.cr.execute(SQL("SELECT count(*) FROM %s WHERE %s::text ILIKE %s",
                                            SQL.identifier(table), SQL.identifier(column), f"%{text}%"))
                    if self.env.cr.fetchone()[0]:
                        found.append((table, column, text))
        return found

    def test_access_report_every_section(self):
        order, invoice, _task, complaint = self._history()
        self.person.with_user(self.user_manager).action_autorepair_access_report()
        entry = self.env["autorepair.privacy.log"].search(
            [("partner_id", "=", self.person.id), ("event", "=", "access_report")])
        files = self.env["ir.attachment"].search([("res_model", "=", entry._name), ("res_id", "=", entry.id)])
        data = json.loads(files.filtered(lambda f: f.mimetype == "application/json").raw)["sections"]
        rows = {key: section["rows"] for key, section in data.items()}
        self.assertEqual(rows["customer"][0]["Name"], NAME)
        self.assertEqual(rows["vehicles"][0]["License Plate"], "川A88888")
        self.assertEqual(rows["vehicles"][0]["VIN"], self.car.vin_sn)
        [order_row] = rows["service_orders"]
        self.assertEqual(order_row["Order Number"], order.name)
        self.assertEqual(order_row["Odometer In"], 21000)
        self.assertAlmostEqual(order_row["Total"], order.amount_total)
        self.assertEqual(len(rows["work"]), len(order.line_ids))
        self.assertEqual(rows["quotes"][0]["Signed By"], NAME)
        self.assertEqual(rows["damages"][0]["Location"], "左后门")
        self.assertIn(MOBILE, rows["followups"][0]["Remarks"])
        self.assertIn(MOBILE, "".join(row["Suggestion"] or "" for row in rows["followup_answers"]))
        self.assertEqual(rows["care_tasks"][0]["What the Customer Said"], f"{NAME}说下月来")
        self.assertIn(MOBILE, rows["care_attempts"][0]["Notes"])
        self.assertEqual(rows["complaints"][0]["Number"], complaint.name)
        self.assertEqual(rows["invoices"][0]["Number"], invoice.name)
        self.assertAlmostEqual(rows["invoices"][0]["Total"], invoice.amount_total)
        self.assertTrue(rows["loyalty"], "points from the paid invoice")
        self.assertTrue(rows["consents"])
        page = files.filtered(lambda f: f.mimetype != "application/json").raw.decode()
        for text in (NAME, order.name, invoice.name, complaint.name, "川A88888", "Care Reminders", "Complaints"):
            self.assertIn(text, page)

    def test_erasure_leaves_nothing_personal(self):
        order, invoice, task, complaint = self._history()
        before = {table for table, _column, _text in self._scan()}
        self.assertLessEqual({
            "res_partner", "autorepair_service_order", "autorepair_service_quote", "autorepair_followup",
            "autorepair_followup_answer", "autorepair_care_task", "autorepair_care_attempt", "autorepair_complaint",
            "mail_message", "mail_tracking_value", "mail_notification", "sms_sms", "ir_attachment",
        }, before, "the scan finds the person everywhere before the erasure")
        totals = (order.amount_untaxed, order.amount_total, invoice.amount_total, invoice.amount_residual)
        lines = [(line.name, line.quantity, line.price_total) for line in order.line_ids]
        self.person.with_user(self.user_manager).action_autorepair_access_report()

        self.env["autorepair.erasure.wizard"].with_user(self.user_manager).create({
            "partner_id": self.person.id, "reason": "客户书面申请", "confirm": True,
        }).action_erase()

        self.assertEqual(self._scan(), [], "no personal value of the person left in any table")
        self.env.invalidate_all()
        # the statutory repair record and the invoice stay, totals unchanged
        self.assertEqual(order.state, "done")
        self.assertEqual((order.amount_untaxed, order.amount_total, invoice.amount_total, invoice.amount_residual),
                         totals)
        self.assertEqual([(line.name, line.quantity, line.price_total) for line in order.line_ids], lines)
        self.assertEqual(order.odometer_in, 21000)
        self.assertEqual(order.license_plate, "川A88888")
        self.assertEqual(order.requested_work, "***说空调有异响", "the work asked for stays, without the name")
        self.assertEqual(order.diagnosis, "鼓风机轴承磨损，已电话***告知")
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "paid"))
        kept = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", invoice.id), ("name", "=", f"{invoice.name}.pdf")])
        self.assertTrue(kept, "the invoice as issued is kept")
        self.assertEqual(order.partner_id, self.person, "the record names the pseudonymised customer")
        self.assertFalse(order.walkaround_signature)
        self.assertFalse(order.damage_ids.photo)
        self.assertEqual(task.state, "cancel", "nobody calls an erased customer")
        self.assertFalse(complaint.description)
        self.assertTrue(self.person.marketing_opt_out, "the opt-out stays: no marketing ever again")
        self.assertEqual(self.car.vin_sn, make_vin("LFV2A2BHRC654321"))
        log = self.env["autorepair.privacy.log"].search(
            [("partner_id", "=", self.person.id), ("event", "=", "erasure")])
        self.assertEqual(len(log), 1)
        for model in ("autorepair.service.order", "autorepair.service.quote", "autorepair.damage",
                      "autorepair.followup", "autorepair.followup.answer", "autorepair.care.task",
                      "autorepair.care.attempt", "autorepair.complaint"):
            self.assertIn(model, log.field_names)

    def test_erasure_refused_while_open(self):
        order = self._received_order(vehicle_id=self.car.id)
        wizard = self.env["autorepair.erasure.wizard"].with_user(self.user_manager).create({
            "partner_id": self.person.id, "reason": "客户书面申请", "confirm": True,
        })
        with self.assertRaises(UserError) as caught:
            wizard.action_erase()
        self.assertIn(order.name, str(caught.exception))
        self._approve_all(order)
        self._work_and_check(order)
        order.with_user(self.user_advisor).action_create_invoice()
        with self.assertRaises(UserError) as caught:
            wizard.action_erase()
        self.assertIn(order.invoice_ids.name, str(caught.exception), "an unpaid invoice holds the erasure back")
        complaint = self.env["autorepair.complaint"].create({
            "subject": "空调", "partner_id": self.person.id, "channel": "phone"})
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=order.invoice_ids.ids).create({})._create_payments()
        self._release(order)
        with self.assertRaises(UserError) as caught:
            wizard.action_erase()
        self.assertIn(complaint.name, str(caught.exception))
        self.assertEqual(self.person.name, NAME)
        self.assertEqual(self.person.mobile, f"+86{MOBILE}")
        self.assertFalse(self.env["autorepair.privacy.log"].search(
            [("partner_id", "=", self.person.id), ("event", "=", "erasure")]))
