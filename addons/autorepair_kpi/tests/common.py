import datetime

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import TransactionCase

from odoo.addons.autorepair_crm.tests.common import add_role_users, make_vin
from odoo.addons.autorepair_workshop.tests.common import SIGNATURE, followup_answers, make_questionnaire

MONTH = datetime.date(2026, 9, 1)


def at(day, hour=10, month=9):
    """A UTC datetime of 2026 (Shanghai is 8 hours ahead: 10:00 UTC is the afternoon there)."""
    return datetime.datetime(2026, month, day, hour, 0)


class KpiCase(TransactionCase):
    """A month (September 2026) of one care agent, one advisor, two
    technicians and one insurance specialist, with figures small enough to
    count by hand (the expected figures are worked out in test_kpi). The
    orders go through the workshop's steps at their times: booked, received,
    approved, clocked through work logs, checked and delivered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, tz="Asia/Shanghai"))
        roles = {
            "agent": "autorepair_care.group_care_agent",
            "agent2": "autorepair_care.group_care_agent",
            "advisor": "autorepair_workshop.group_advisor",
            "technician": "autorepair_workshop.group_technician",
            "technician2": "autorepair_workshop.group_technician",
            "team_lead": "autorepair_workshop.group_team_lead",
            "inspector": "autorepair_workshop.group_inspector",
            "insurer": "autorepair_care.group_insurance",
            "sales": "autorepair_crm.group_sales",
            "care_manager": "autorepair_care.group_care_manager",
            "manager": "autorepair_crm.group_manager",
            "gm": "autorepair_crm.group_general_manager",
        }
        add_role_users(cls, "kpi", roles, **{role: {"name": f"KPI {role.replace('_', ' ').title()}"}
                                             for role in roles})
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        cls.model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        make_questionnaire(cls.env, brand)
        cls.customer_a = cls._customer("张伟", "13800138001", cls.user_agent)
        cls.customer_b = cls._customer("李娜", "13800138002", None)
        cls.customer_c = cls._customer("王芳", "13800138003", cls.user_agent)
        cls.vehicle_a = cls._vehicle(cls.customer_a, "川A10001", "LFV2A2BHRC100001")
        cls.vehicle_b = cls._vehicle(cls.customer_b, "川A10002", "LFV2A2BHRC100002")
        cls.vehicle_c = cls._vehicle(cls.customer_c, "川A10003", "LFV2A2BHRC100003")
        cls._care_fixture()
        cls._order_fixture()
        cls._complaint_fixture()
        cls._plan_fixture()
        cls._delivery_fixture()

    @classmethod
    def _customer(cls, name, mobile, agent):
        return cls.env["res.partner"].create({
            "name": name, "mobile": mobile, "is_autorepair_customer": True,
            "care_agent_id": agent and agent.id})

    @classmethod
    def _vehicle(cls, owner, plate, vin):
        return cls.env["fleet.vehicle"].create({
            "model_id": cls.model.id, "license_plate": plate, "vin_sn": make_vin(vin), "owner_id": owner.id})

    @classmethod
    def _task(cls, kind, vehicle, day, user, state="open", month=9, **vals):
        rule = cls.env.ref(f"autorepair_care.rule_{kind}")
        due = datetime.date(2026, month, day)
        return cls.env["autorepair.care.task"].create({
            "rule_id": rule.id, "kind": kind, "vehicle_id": vehicle.id, "partner_id": vehicle.owner_id.id,
            "due_date": due, "deadline": due + datetime.timedelta(days=10), "user_id": user.id, "state": state,
            **vals})

    @classmethod
    def _care_fixture(cls):
        agent, insurer = cls.user_agent, cls.user_insurer
        a, b, c = cls.vehicle_a, cls.vehicle_b, cls.vehicle_c
        # first maintenance: 3 of 4 reminded (one by the fallback SMS), 1 returned,
        # 1 failed without the fallback message
        cls._task("first_maintenance", a, 3, agent, "reminded")
        cls._task("first_maintenance", b, 4, agent, "returned")
        cls.fm_failed = cls._task("first_maintenance", c, 5, agent, "failed", failure_reason="unreachable")
        cls._task("first_maintenance", a, 6, agent, "failed", failure_reason="unreachable", message_state="queued",
                  message_channel="sms")
        # out of the month, and cancelled: not counted
        cls._task("first_maintenance", b, 2, agent, "reminded", month=10)
        cls._task("first_maintenance", c, 7, agent, "cancel")
        # periodic: 1 of 3 returned, one failed out of time
        cls._task("periodic_maintenance", a, 10, agent, "returned")
        cls._task("periodic_maintenance", b, 11, agent, "open")
        cls._task("periodic_maintenance", c, 12, agent, "failed", failure_reason="expired")
        # birthdays: one greeted on the day (10:00 in Shanghai), one not
        birthday = cls._task("birthday", a, 15, agent)
        with freeze_time(at(15, 2)):
            cls.env["autorepair.care.attempt"].with_user(agent).create({
                "task_id": birthday.id, "outcome": "reached", "date": at(15, 2)})
        cls._task("birthday", b, 16, agent)
        # insurance: 1 of 2 reminded
        cls._task("insurance", a, 20, insurer, "reminded")
        cls._task("insurance", b, 21, insurer, "failed", failure_reason="expired")

    @classmethod
    def _order(cls, vehicle, received, delivered=None, appointment=False, labour=0.0, actual=0.0, state=None,
               clocked_by=None):
        """An order through the workshop's own steps, each at its time: booked
        two days ahead (appointment) or a walk-in, received by the advisor,
        quoted and approved, its labour clocked by ``clocked_by`` (the booked
        technician by default) for ``actual`` hours (work logs), checked and
        delivered. Without delivery the work stays running; state "cancel"
        cancels it at reception."""
        received = fields.Datetime.to_datetime(received)
        delivered = delivered and fields.Datetime.to_datetime(delivered)
        advisor = cls.user_advisor
        vals = {"vehicle_id": vehicle.id, "partner_id": vehicle.owner_id.id}
        if appointment:
            # a booking reserves the technician; a walk-in has none until someone clocks its work
            vals.update(appointment_start=received, technician_id=cls.user_technician.id)
        with freeze_time(received - datetime.timedelta(days=2) if appointment else received):
            order = cls.env["autorepair.service.order"].with_user(advisor).create(vals)
        cls._receive(order, received)
        if state == "cancel":
            with freeze_time(received):
                order.with_user(advisor).action_cancel()
            return order
        clocked_by = clocked_by or cls.user_technician
        line = cls.env["autorepair.service.order.line"].with_user(advisor).create({
            "order_id": order.id, "line_type": "labour", "name": "保养工时", "quantity": labour or 1.0,
            "price_unit": 120.0, "technician_id": clocked_by.id})
        with freeze_time(received):
            order.with_user(advisor).action_send_quote()
            quote = order.quote_ids.filtered(lambda q: q.state == "sent")
            quote.with_user(advisor).action_decide(
                decisions={quote_line.id: "approved" for quote_line in quote.line_ids},
                signature=SIGNATURE, signed_by=vehicle.owner_id.name)
        start = received + datetime.timedelta(minutes=15)
        with freeze_time(start):
            line.with_user(clocked_by).action_start_work()
        if delivered:
            cls._finish(order, start + datetime.timedelta(hours=actual or labour or 1.0), delivered)
        return order

    @classmethod
    def _receive(cls, order, when):
        with freeze_time(when):
            order.with_user(cls.user_advisor).write({
                "identity_checked": True, "identity_document": "id_card",
                "odometer_in": 10000 + (when.date() - datetime.date(2026, 1, 1)).days * 50})
            order.with_user(cls.user_advisor).action_receive()

    @classmethod
    def _finish(cls, order, finished, delivered):
        """The running work stopped at ``finished``, the three checks passed
        and the car settled, paid and released at ``delivered``."""
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        with freeze_time(finished):
            for line in labour:
                line.with_user(line.technician_id).action_finish_work()
            order.with_user(labour[:1].technician_id).action_request_check()
            Check = cls.env["autorepair.quality.check"]
            Check.with_user(labour[:1].technician_id).create(
                {"order_id": order.id, "check_type": "self", "result": "pass"})
            Check.with_user(cls.user_team_lead).create({"order_id": order.id, "check_type": "peer", "result": "pass"})
            Check.with_user(cls.user_inspector).create(
                {"order_id": order.id, "check_type": "final", "result": "pass", "road_test_km": 5})
        with freeze_time(delivered):
            order.with_user(cls.user_advisor).write({
                "next_service_date": delivered.date() + datetime.timedelta(days=180),
                "next_service_km": order.odometer_in + 5000, "old_parts_offered": True})
            invoices = order.with_user(cls.user_advisor)._create_invoices()
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoices.ids).create({})._create_payments()
            order.with_user(cls.user_advisor).action_deliver()

    @classmethod
    def _order_fixture(cls):
        a, b, c = cls.vehicle_a, cls.vehicle_b, cls.vehicle_c
        cls.order1 = cls._order(a, at(5), at(6), appointment=True, labour=3, actual=2)
        # a walk-in, clocked by the second technician
        cls.order2 = cls._order(b, at(7), at(8), labour=2, actual=4, clocked_by=cls.user_technician2)
        cls._order(a, at(20), appointment=True)
        cls._order(b, at(21), appointment=True, state="cancel")
        cls._order(a, at(30, month=8), at(1), labour=1, actual=1)
        # the churn base month (March): A comes back in September, C never; B has no agent
        cls._order(a, at(10, month=3), at(10, 12, month=3))
        cls._order(c, at(12, month=3), at(12, 12, month=3))
        cls._order(b, at(13, month=3), at(13, 12, month=3))
        Followup = cls.env["autorepair.followup"]
        Followup.create({"order_id": cls.order1.id, "agent_id": cls.user_agent.id, "date": at(6, 20),
                         "answer_ids": followup_answers(cls.env, cls.order1, 5)})
        Followup.create({"order_id": cls.order2.id, "agent_id": cls.user_advisor.id, "date": at(10),
                         "answer_ids": followup_answers(
                             cls.env, cls.order2, {"attitude": 4, "quality": 4, "price": 3})})

    @classmethod
    def _complaint(cls, reported, deadline, responded=None, closed=None):
        complaint = cls.env["autorepair.complaint"].create({
            "subject": "空调异响", "partner_id": cls.customer_a.id, "channel": "phone",
            "user_id": cls.user_agent.id})
        closed_stage = cls.env["autorepair.complaint.stage"].search([("is_closed", "=", True)], limit=1)
        # the dates of a month past, written as the complaint flow would have left them
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE autorepair_complaint SET reported_date = %s, first_response_deadline = %s, "
            "first_response_date = %s, closed_date = %s, is_closed = %s, stage_id = COALESCE(%s, stage_id) "
            "WHERE id = %s",
            (reported, deadline, responded, closed, bool(closed), closed and closed_stage.id or None, complaint.id))
        complaint.invalidate_recordset()
        return complaint

    @classmethod
    def _complaint_fixture(cls):
        cls._complaint(at(3), at(3, 12), responded=at(3, 11), closed=at(10))
        cls._complaint(at(5), at(5, 12), responded=at(5, 15))
        cls._complaint(at(25), at(25, 12))
        cls._complaint(at(1, month=8), at(1, 12, month=8), responded=at(1, 11, month=8), closed=at(2))

    @classmethod
    def _deliver(cls, owner, plate, vin, delivered, call=None, check=None):
        """A new car handed over by the sales consultant at ``delivered``,
        called by him (``call``: date, answer) and checked by the care agent
        (``check``: date, answer), each step by its button at its time."""
        vehicle = cls._vehicle(owner, plate, vin)
        with freeze_time(delivered):
            delivery = cls.env["autorepair.sales.delivery"].with_user(cls.user_sales).create(
                {"vehicle_id": vehicle.id, "delivered_at": delivered})
        for step, user, done in (("call", cls.user_sales, call), ("check", cls.user_agent, check)):
            if done:
                with freeze_time(done[0]):
                    delivery.with_user(user).write({f"{step}_answer": done[1]})
                    getattr(delivery.with_user(user), f"action_record_{step}")()
        return delivery

    @classmethod
    def _delivery_fixture(cls):
        """The sales consultant's new cars of September: the first very
        satisfied to the care check; the second called a day and an hour
        after (late), satisfied at the check; the third called in time,
        satisfied, not yet checked; October's is not counted."""
        a, c = cls.customer_a, cls.customer_c
        cls.deliveries = (
            cls._deliver(a, "川A6N101", "LFV2A2BHRC600101", at(2), (at(2, 20), "very_satisfied"),
                         (at(5, 9), "very_satisfied"))
            | cls._deliver(c, "川A6N102", "LFV2A2BHRC600102", at(9), (at(10, 11), "very_satisfied"),
                           (at(12), "satisfied"))
            | cls._deliver(a, "川A6N103", "LFV2A2BHRC600103", at(20), (at(20, 12), "satisfied"))
        )
        cls._deliver(c, "川A6N104", "LFV2A2BHRC600104", at(1, month=10))

    @classmethod
    def _plan_fixture(cls):
        """October's improvement plan, submitted on October 3rd: on time."""
        cls.plan = cls.env["autorepair.kpi.plan"].with_user(cls.user_care_manager).create({
            "month": datetime.date(2026, 10, 1), "department": "care",
            "analysis": "<p>首保提醒率 75%：一位客户电话打不通，未发短信补救。</p>",
            "line_ids": [Command.create({
                "name": "打不通的客户当天发送首保短信", "user_id": cls.user_agent.id,
                "definition_id": cls.env.ref("autorepair_kpi.kpi_first_maintenance_reminder").id,
                "date_deadline": datetime.date(2026, 10, 15)})],
        })
        with freeze_time(at(3, month=10)):
            cls.plan.action_submit()

    def _statement(self, user, month=MONTH):
        return self.env["autorepair.kpi.statement"].search([("user_id", "=", user.id), ("month", "=", month)])

    def _figure(self, statement, code):
        return statement.value_ids.filtered(lambda v: v.definition_id.code == code)
