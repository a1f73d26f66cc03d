from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.autorepair_workshop.tests.common import ServiceOrderCase, followup_answers

from .common import ComplaintCase

# 2026-11-18 is a Wednesday; Chengdu is UTC+8, the shop works 9-12 and 13-18
WED_10H = datetime(2026, 11, 18, 2, 0)


@tagged("post_install", "-at_install")
class TestComplaintDeadlines(ComplaintCase):

    def _deadlines(self, reported_utc, severity=None):
        complaint = self._complaint(reported_date=reported_utc, severity_id=(severity or self.severity_critical).id)
        return complaint.first_response_deadline, complaint.resolution_deadline

    @freeze_time("2026-11-24 12:00:00")
    def test_deadlines_follow_working_hours(self):
        cases = [
            # reported (UTC)              first response due (UTC)       what it shows
            (datetime(2026, 11, 18, 2, 0), datetime(2026, 11, 18, 4, 0)),   # Wed 10:00 -> 12:00
            (datetime(2026, 11, 18, 3, 30), datetime(2026, 11, 18, 6, 30)),  # 11:30 -> lunch -> 14:30
            (datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 23, 2, 0)),   # Fri 17:00 -> Mon 10:00
            (datetime(2026, 11, 21, 2, 0), datetime(2026, 11, 23, 3, 0)),   # Sat 10:00 -> Mon 11:00
            (datetime(2026, 11, 17, 14, 0), datetime(2026, 11, 18, 3, 0)),  # Tue 22:00 -> Wed 11:00
        ]
        for reported, expected in cases:
            with self.subTest(reported=reported):
                self.assertEqual(self._deadlines(reported)[0], expected)
        # critical: 8 working hours from Friday 17:00 end on Monday 17:00
        self.assertEqual(self._deadlines(datetime(2026, 11, 20, 9, 0))[1], datetime(2026, 11, 23, 9, 0))

    @freeze_time("2026-11-18 02:00:00")
    def test_response_time_is_a_setting(self):
        self.env.company.autorepair_complaint_response_hours = 1
        self.assertEqual(self._deadlines(WED_10H)[0], datetime(2026, 11, 18, 3, 0))

    def test_no_complaint_in_the_future(self):
        with self.assertRaises(ValidationError):
            self._complaint(reported_date=datetime(2099, 1, 1))


@tagged("post_install", "-at_install")
class TestComplaintEscalation(ComplaintCase):

    def test_escalation_twice_without_duplicates(self):
        with freeze_time(WED_10H):
            complaint = self._complaint(severity_id=self.severity_critical.id)
        Complaint = self.env["autorepair.complaint"]
        escalation = self.env.ref("autorepair_complaint.mail_activity_type_escalation")

        def escalations(user):
            return complaint.activity_ids.filtered(
                lambda a: a.activity_type_id == escalation and a.user_id == user)

        with freeze_time("2026-11-18 03:59:00"):  # 11:59, still in time
            self.assertEqual(Complaint._cron_escalate(), 0)
        with freeze_time("2026-11-18 04:30:00"):  # 12:30, no response yet
            self.assertEqual(Complaint._cron_escalate(), 1)
            self.assertEqual(Complaint._cron_escalate(), 0, "a second run escalates nothing twice")
        self.assertEqual(complaint.escalation_level, "1")
        self.assertEqual(len(escalations(self.user_manager)), 1)
        with freeze_time("2026-11-18 05:00:00"):
            complaint.response_note = "当天下午回店检查"
            complaint.with_user(self.user_care_agent).action_respond()
        # resolution due Wed 10:00 + 8 working hours = Thu 10:00; + 4 h = Thu 15:00 (07:00 UTC)
        with freeze_time("2026-11-19 06:00:00"):
            self.assertEqual(Complaint._cron_escalate(), 0, "still inside the second delay")
        with freeze_time("2026-11-19 07:30:00"):
            self.assertEqual(Complaint._cron_escalate(), 1)
            self.assertEqual(Complaint._cron_escalate(), 0)
        self.assertEqual(complaint.escalation_level, "2")
        self.assertEqual(len(escalations(self.user_general_manager)), 1)
        self.assertEqual(len(escalations(self.user_manager)), 1)

    def test_closed_complaints_are_not_escalated(self):
        with freeze_time(WED_10H):
            complaint = self._resolve(self._complaint())
            complaint.with_user(self.user_care_agent).action_customer_satisfied()
        with freeze_time("2026-12-30 02:00:00"):
            self.assertEqual(self.env["autorepair.complaint"]._cron_escalate(), 0)


@tagged("post_install", "-at_install")
class TestComplaintFlow(ComplaintCase):

    def test_agent_logs_a_phone_complaint_through_the_form(self):
        with Form(self.env["autorepair.complaint"].with_user(self.user_care_agent)) as form:
            form.subject = "保养后发动机灯亮"
            form.partner_id = self.customer
            form.service_order_id = self.order
            form.channel = "phone"
            form.category = "quality"
        complaint = form.record
        self.assertTrue(complaint.name.startswith("TS"))
        self.assertEqual(complaint.vehicle_id, self.vehicle)
        self.assertEqual(complaint.staff_ids, self.user_advisor | self.user_technician, "the order's staff")
        self.assertFalse(complaint.is_repeat)
        self.assertTrue(self._complaint().is_repeat, "a second complaint within a year is a repeat")

    def test_closing_needs_confirmation_and_not_satisfied_reopens(self):
        complaint = self._complaint().with_user(self.user_care_agent)
        with self.assertRaises(UserError):
            complaint.action_request_confirmation()
        with self.assertRaises(UserError):
            complaint.action_respond()  # no proposed solution yet
        self._resolve(complaint)
        with self.assertRaises(UserError):
            complaint.stage_id = self.env.ref("autorepair_complaint.stage_closed")
        # no context key stands in for the customer's confirmation, not even a manager's
        with self.assertRaises(UserError):
            complaint.with_user(self.user_manager).with_context(autorepair_confirmed=True).write(
                {"stage_id": self.env.ref("autorepair_complaint.stage_closed").id})
        self.assertFalse(complaint.is_closed)
        complaint.action_customer_not_satisfied()
        self.assertEqual(complaint.stage_id, self.env.ref("autorepair_complaint.stage_in_progress"))
        self.assertEqual(complaint.reopen_count, 1)
        self.assertFalse(complaint.is_closed)
        complaint.action_request_confirmation()
        complaint.action_customer_satisfied()
        self.assertTrue(complaint.is_closed)
        self.assertEqual(complaint.customer_satisfied, "satisfied")

    def test_low_followup_score_opens_a_complaint(self):
        Followup = self.env["autorepair.followup"].with_user(self.user_care_agent)
        Followup.create({"order_id": self.order.id, "remarks": "结算时多收了钱", "answer_ids": followup_answers(
            self.env, self.order, {"attitude": 4, "quality": 4, "price": 1}, {"price": "配件价格没说清楚"})})
        complaint = self.env["autorepair.complaint"].search([("service_order_id", "=", self.order.id)])
        self.assertEqual(len(complaint), 1)
        self.assertIn("结算时多收了钱", complaint.description)
        self.assertIn("配件价格没说清楚", complaint.description, "the suggestions go with the complaint")
        self.assertEqual(complaint.channel, "followup")
        self.assertEqual(complaint.category, "price", "the lowest answer names the category")
        self.assertEqual(complaint.partner_id, self.customer)
        Followup.create({"order_id": self.order.id, "answer_ids": followup_answers(self.env, self.order, 1)})
        self.assertEqual(self.env["autorepair.complaint"].search_count(
            [("service_order_id", "=", self.order.id)]), 1, "one complaint per order from follow-ups")
        Followup.create({"order_id": self.order.id, "answer_ids": followup_answers(
            self.env, self.order, {"attitude": 5, "quality": 5, "price": 4})})
        self.assertTrue(self.order.complaint_needed)

    def test_email_to_the_alias_opens_a_complaint(self):
        self.customer.email = "zhangwei@example.com"
        complaint_id = self.env["autorepair.complaint"].message_new({
            "subject": "等了三个小时还没修好", "email_from": "张伟 <zhangwei@example.com>",
            "author_id": self.customer.id, "body": "<p>太慢了</p>",
        })
        complaint = self.env["autorepair.complaint"].browse(complaint_id.id if hasattr(complaint_id, "id")
                                                             else complaint_id)
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(complaint.channel, "email")
        self.assertEqual(complaint.subject, "等了三个小时还没修好")

    def test_wrong_customer_links_refused(self):
        stranger = self.env["res.partner"].create({"name": "李四", "is_autorepair_customer": True})
        with self.assertRaises(ValidationError):
            self._complaint(partner_id=stranger.id, service_order_id=self.order.id)


@tagged("post_install", "-at_install")
class TestComplaintAccess(ComplaintCase):

    def test_privacy_by_role(self):
        complaint = self._complaint(service_order_id=self.order.id)
        other = self._complaint(subject="前台态度差")
        for user in (self.user_care_agent, self.user_care_manager, self.user_manager):
            with self.subTest(user=user.login):
                self.assertEqual(self.env["autorepair.complaint"].with_user(user).search(
                    [("id", "in", (complaint | other).ids)]), complaint | other)
        # the technician of the order sees that complaint, not the other one
        self.assertEqual(complaint.with_user(self.user_technician).read(["subject"])[0]["subject"], "空调异响")
        with self.assertRaises(AccessError):
            other.with_user(self.user_technician).read(["subject"])
        with self.assertRaises(AccessError):
            complaint.with_user(self.user_technician2).read(["subject"])
        with self.assertRaises(AccessError):
            complaint.with_user(self.user_technician).write({"subject": "改"})
        self.assertEqual(self.env["autorepair.complaint"].with_user(self.user_advisor2).search(
            [("id", "in", (complaint | other).ids)]), self.env["autorepair.complaint"])
        branch = self.env["res.company"].create({"name": "绵阳分店"})
        self.user_care_manager.write({"company_ids": [(4, branch.id)], "company_id": branch.id})
        self.assertFalse(self.env["autorepair.complaint"].with_user(self.user_care_manager).with_company(
            branch).search([("id", "=", complaint.id)]))


@tagged("post_install", "-at_install")
class TestComplaintCompensation(ServiceOrderCase):
    """Compensation goes through accounting; the worked case of RULEBOOK §7."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_care_agent.groups_id = [(4, cls.env.ref("autorepair_care.group_care_agent").id)]

    def _settled_order(self, lines):
        order = self._received_order(lines=0)
        self.env["autorepair.service.order.line"].create([
            {"order_id": order.id, "technician_id": self.user_technician.id, **line} for line in lines
        ])
        self._approve_all(order)
        self._work_and_check(order)
        order._create_invoices()
        return order

    def test_air_con_blower_case(self):
        """A car came back two days after service with an air-con noise; the
        advisor quoted a 200-yuan blower, then found the real part cost 1,000."""
        order = self._settled_order([
            {"line_type": "labour", "name": "更换空调鼓风机", "quantity": 1, "price_unit": 150},
            {"line_type": "part", "name": "空调鼓风机总成", "quantity": 1, "price_unit": 1000, "is_oem": True},
        ])
        Complaint = self.env["autorepair.complaint"].with_user(self.user_care_agent)
        complaint = Complaint.create({
            "subject": "鼓风机报价200元，结算却是1000元",
            "description": "客户保养后两天空调异响回店，顾问口头报价200元，换件后结算1000元，客户不满。",
            "service_order_id": order.id,
            "channel": "phone",
            "category": "price",
        })
        self.assertEqual(complaint.partner_id, self.customer)
        complaint.response_note = "服务经理致歉，出示原厂配件价格表，解释故障与保养无关，给予优惠"
        complaint.action_respond()
        self.assertTrue(complaint.first_response_date)

        complaint.write({
            "root_cause_category": "price_communication",
            "root_cause": "顾问未查配件价格即口头报价；技师诊断不完整；交车前未质检",
            "action_ids": [
                (0, 0, {"action_type": "corrective", "name": "技师诊断培训", "user_id": self.user_manager.id,
                        "date_due": "2026-12-15"}),
                (0, 0, {"action_type": "preventive", "name": "交车前质检", "user_id": self.user_inspector.id,
                        "date_due": "2026-12-01"}),
                (0, 0, {"action_type": "corrective", "name": "顾问配件价格培训", "user_id": self.user_manager.id,
                        "date_due": "2026-12-15"}),
            ],
            "compensation_ids": [(0, 0, {"compensation_type": "discount", "description": "鼓风机优惠",
                                         "amount": 300})],
        })
        compensation = complaint.compensation_ids
        with self.assertRaises(UserError, msg="a draft compensation must be settled first"):
            complaint.action_request_confirmation()
        with self.assertRaises(AccessError):
            compensation.with_user(self.user_care_agent).action_apply()
        compensation.with_user(self.user_manager).action_apply()
        credit_note = compensation.move_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.partner_id, self.customer)
        self.assertAlmostEqual(credit_note.amount_total, 300.0)
        self.assertEqual(credit_note.reversed_entry_id, order.invoice_ids)
        with self.assertRaises(UserError):
            compensation.amount = 500

        complaint.action_request_confirmation()
        complaint.action_customer_satisfied()
        self.assertTrue(complaint.is_closed)
        row = self.env["autorepair.complaint.report"].search([("complaint_id", "=", complaint.id)])
        self.assertEqual((row.nbr, row.closure_hit, row.satisfied), (1, 100.0, 100.0))

    def test_money_compensation_needs_an_amount_and_free_work_an_order(self):
        order = self._settled_order([{"line_type": "labour", "name": "四轮定位", "quantity": 1, "price_unit": 200}])
        complaint = self.env["autorepair.complaint"].with_user(self.user_care_agent).create({
            "subject": "方向盘跑偏", "service_order_id": order.id, "category": "quality"})
        with self.assertRaises(ValidationError):
            complaint.write({"compensation_ids": [(0, 0, {"compensation_type": "goodwill", "description": "补偿",
                                                          "amount": 0})]})
        complaint.write({"compensation_ids": [(0, 0, {"compensation_type": "free_work",
                                                      "description": "免费重新做四轮定位"})]})
        complaint.compensation_ids.with_user(self.user_manager).action_apply()
        free_order = complaint.compensation_ids.service_order_id
        self.assertEqual(free_order.vehicle_id, self.vehicle)
        line = self.env["autorepair.service.order.line"].with_context(default_order_id=free_order.id).create({
            "order_id": free_order.id, "line_type": "labour", "name": "四轮定位", "price_unit": 200})
        self.assertEqual(line.bill_to, "goodwill")
        self.assertEqual(line.price_total, 0.0, "the customer pays nothing for it")
