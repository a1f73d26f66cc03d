import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, add_role_users, make_vin
from odoo.addons.autorepair_workshop.tests.common import followup_answers

from .common import MONTH, KpiCase, at


@tagged("post_install", "-at_install")
class TestWorkedMonth(KpiCase):
    """September 2026 worked through the real flows on top of the KPI
    fixture: a care agent books a customer's periodic maintenance on the
    phone, the advisor receives the car; a walk-in is clocked by two
    technicians in turn; the month's lost-customer list is handed in two days
    late. The corrected figures and the statement lines are counted by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_d = cls._customer("陈静", "13800138005", cls.user_agent)
        cls.vehicle_d = cls._vehicle(cls.customer_d, "川A10005", "LFV2A2BHRC100005")
        cls._care_call_booking()
        cls._shared_walk_in()
        cls._lost_list()

    @classmethod
    def _care_call_booking(cls):
        """The second agent reaches C's owner on the 9th and books the 12th;
        the advisor receives the car on the day."""
        task = cls._task("periodic_maintenance", cls.vehicle_c, 14, cls.user_agent2)
        with freeze_time(at(9)):
            cls.env["autorepair.care.attempt"].with_user(cls.user_agent2).create({
                "task_id": task.id, "outcome": "booked", "date": at(9), "appointment_start": at(12)})
        cls.booked = task.service_order_id
        cls._receive(cls.booked, at(12))

    @classmethod
    def _shared_walk_in(cls):
        """D's walk-in of the 14th (1.5 billed hours): the first technician
        clocks an hour, the job goes to the second, who clocks another hour;
        delivered on the 15th."""
        cls.walk_in = cls._order(cls.vehicle_d, at(14), labour=1.5)
        line = cls.walk_in.line_ids
        quarter = datetime.timedelta(minutes=15)
        with freeze_time(at(14, 11) + quarter):
            line.with_user(cls.user_technician).action_pause_work()
        line.with_user(cls.user_advisor).technician_id = cls.user_technician2
        with freeze_time(at(14, 11) + 2 * quarter):
            line.with_user(cls.user_technician2).action_start_work()
        cls._finish(cls.walk_in, at(14, 12) + 2 * quarter, at(15))

    @classmethod
    def _lost_list(cls):
        """September's list: a lost customer of the first agent, one about to
        be lost of the second; handed in by the care manager on October 3rd
        (due by the end of October 1st)."""
        cls._task("lost", cls.vehicle_a, 1, cls.user_agent, lost_class="local_in")
        cls._task("at_risk", cls.vehicle_b, 1, cls.user_agent2)
        cls.lost_list = cls.env["autorepair.care.lost.list"].create({"month": MONTH})
        with freeze_time(at(3, month=10)):
            cls.lost_list.with_user(cls.user_care_manager).action_submit()
        cls.env["autorepair.kpi.statement"]._close_month(MONTH)

    def assertFigure(self, user, code, numerator, denominator, value):
        figure = self._figure(self._statement(user), code)
        self.assertEqual(len(figure), 1, code)
        self.assertAlmostEqual(figure.numerator, numerator, places=2, msg=code)
        self.assertAlmostEqual(figure.denominator, denominator, places=2, msg=code)
        self.assertAlmostEqual(figure.value, value, places=1, msg=code)
        return figure

    def _line(self, user, xmlid):
        rule = self.env.ref(f"autorepair_kpi.{xmlid}")
        return self._statement(user).line_ids.filtered(lambda line: line.rule_id == rule)

    # ---------------------------------------------------------------- figures

    def test_care_call_booking_counts_for_the_advisor_who_received_it(self):
        self.assertEqual(self.booked.care_booking_agent_id, self.user_agent2, "the agent who made the call")
        self.assertEqual(self.booked.advisor_id, self.user_advisor, "the advisor who received the car")
        self.assertTrue(self.booked.is_appointment)
        # received in September, cancelled excluded: order 1, the running booking of the 20th
        # and the care-call booking were booked; the walk-ins of B and D were not
        figure = self.assertFigure(self.user_advisor, "appointment", 3, 5, 60.0)
        orders = self.env["autorepair.service.order"].search(figure.action_open_records()["domain"])
        self.assertIn(self.booked, orders)

    def test_appointment_rate_per_agent(self):
        """RULEBOOK §5, per agent: the care-call booking is the second agent's
        (C is the first agent's customer); the first agent answers for A's two
        bookings and D's walk-in; B has no agent."""
        self.assertFigure(self.user_agent, "appointment_agent", 2, 3, 66.7)
        figure = self.assertFigure(self.user_agent2, "appointment_agent", 1, 1, 100.0)
        orders = self.env["autorepair.service.order"].search(figure.action_open_records()["domain"])
        self.assertEqual(orders, self.booked)

    def test_labour_efficiency_per_technician_who_clocked(self):
        """Hours from the work logs: the first technician clocked order 1
        (3 billed for 2), August's order (1 for 1) and an hour of D's
        walk-in; the second the walk-in of B (2 for 4) and the other hour of
        D's; D's 1.5 billed hours are shared by the hours clocked."""
        logs = self.walk_in.line_ids.work_log_ids
        self.assertEqual(sorted(logs.mapped("duration")), [1.0, 1.0])
        self.assertEqual(logs.user_id, self.user_technician | self.user_technician2)
        self.assertFigure(self.user_technician, "labour_efficiency", 4.75, 4, 118.75)
        figure = self.assertFigure(self.user_technician2, "labour_efficiency", 2.75, 5, 55.0)
        orders = self.env["autorepair.service.order"].search(figure.action_open_records()["domain"])
        self.assertEqual(orders, self.order2 | self.walk_in, "the walk-ins he clocked, booked for nobody")

    # ------------------------------------------------------------ the lost list

    def test_lost_list_late_from_its_hand_in_date(self):
        """Handed in on October 3rd, due by the end of the 1st: 200 yuan for
        each agent with customers on it, the list behind the line."""
        self.assertEqual(self.lost_list.submitted_on, at(3, month=10))
        for agent in (self.user_agent, self.user_agent2):
            line = self._line(agent, "kpi_rule_lost_list_late")
            self.assertEqual((line.quantity, line.amount), (1, 200), agent.name)
            self.assertEqual(self.env["autorepair.care.lost.list"].search(line.action_open_records()["domain"]),
                             self.lost_list)
        self.assertFalse(self._line(self.user_insurer, "kpi_rule_lost_list_late"), "no customer on the list")

    def test_lost_list_on_time(self):
        Rule, period = self.env["autorepair.kpi.rule"], self.env["autorepair.kpi.definition"]._period(MONTH)
        # with the 5th of the month in Settings the list of the 3rd is on time
        self.env.company.autorepair_kpi_lost_list_deadline_day = 5
        with freeze_time(at(10, month=10)):
            self.assertEqual(Rule._count_events("lost_list_late", period), {})
        # a list not handed in is late once the deadline has passed, not before
        self.env.company.autorepair_kpi_lost_list_deadline_day = 1
        self.env.cr.execute("UPDATE autorepair_care_lost_list SET state = 'draft', submitted_on = NULL "
                            "WHERE id = %s", [self.lost_list.id])
        self.lost_list.invalidate_recordset()
        with freeze_time(at(1, 15, month=10)):  # 23:00 on October 1st in Shanghai
            self.assertEqual(Rule._count_events("lost_list_late", period), {})
        with freeze_time(at(1, 17, month=10)):
            self.assertEqual(set(Rule._count_events("lost_list_late", period)),
                             {self.user_agent.id, self.user_agent2.id})

    def test_hand_in_date_is_not_typed(self):
        lost_list = self.lost_list.with_user(self.user_care_manager)
        with self.assertRaises(AccessError):
            lost_list.write({"submitted_on": at(1, month=10)})
        with self.assertRaises(AccessError):
            lost_list.write({"state": "draft"})
        with self.assertRaises(UserError):
            lost_list.action_submit()
        with self.assertRaises(AccessError):
            self.env["autorepair.care.lost.list"].create({"month": datetime.date(2026, 8, 1)}).with_user(
                self.user_agent).action_submit()
        self.assertEqual(self.lost_list.submitted_on, at(3, month=10))

    # ------------------------------------------------------------------ amounts

    def test_satisfaction_under_80_forfeits_the_bonus(self):
        """The rule shipped with an amount of 0 takes the advisor's bonus of
        the month (RULEBOOK §6.8), carried over from his previous month and
        followed when the manager corrects it."""
        Statement = self.env["autorepair.kpi.statement"]
        august = Statement.search([("user_id", "=", self.user_advisor.id), ("month", "=", MONTH)]).copy(
            {"month": datetime.date(2026, 8, 1), "bonus": 1500})
        self.assertTrue(august)
        # one more follow-up of the month, poor: CSI (100 + 73.3 + 40) / 3 = 71.1
        self.env["autorepair.followup"].create({
            "order_id": self.walk_in.id, "agent_id": self.user_agent.id, "date": at(16),
            "answer_ids": followup_answers(self.env, self.walk_in, 2)})
        statement = self._statement(self.user_advisor)
        statement.unlink()
        Statement._close_month(MONTH, self.user_advisor)
        statement = self._statement(self.user_advisor)
        self.assertEqual(statement.bonus, 1500, "carried over from August")
        line = statement.line_ids.filtered(lambda line: line.rule_id == self.env.ref(
            "autorepair_kpi.kpi_rule_csi_bonus"))
        self.assertAlmostEqual(line.value, 71.1, places=1)
        self.assertEqual(line.amount, 1500)
        statement.with_user(self.user_manager).bonus = 1200
        self.assertEqual(line.amount, 1200)
        self.assertEqual(statement.penalty_total, 1200 + sum(
            (statement.line_ids - line).filtered(lambda line: line.kind == "penalty").mapped("amount")))

    def test_no_default_rule_without_amount(self):
        rules = self.env["autorepair.kpi.rule"].search([("amount", "=", 0), ("amount_is_bonus", "=", False)])
        self.assertFalse(rules, "every default rule has an amount")


@tagged("post_install", "-at_install")
class TestWorkedMonthRpc(HttpCase, RpcClientMixin):
    """The hand-in date and the booking agent are written by their steps
    only, over JSON-RPC as well: nothing changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "kpirpc", {"care_manager": "autorepair_care.group_care_manager",
                                        "advisor": "autorepair_workshop.group_advisor",
                                        "agent": "autorepair_care.group_care_agent"})
        cls.lost_list = cls.env["autorepair.care.lost.list"].create({"month": datetime.date(2026, 9, 1)})
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        customer = cls.env["res.partner"].create({"name": "张伟", "mobile": "13800138009",
                                                  "is_autorepair_customer": True})
        vehicle = cls.env["fleet.vehicle"].create({"model_id": model.id, "license_plate": "川A19999",
                                                   "vin_sn": make_vin("LFV2A2BHRC199999"), "owner_id": customer.id})
        cls.order = cls.env["autorepair.service.order"].with_user(cls.user_advisor).create(
            {"vehicle_id": vehicle.id})

    def _snapshot(self):
        self.env.invalidate_all()
        return (self.lost_list.state, self.lost_list.submitted_on, self.order.care_booking_agent_id.id)

    def test_typed_hand_in_refused(self):
        with mute_logger("odoo.http"):
            self._assert_rpc_refused(self.user_care_manager, "autorepair.care.lost.list", "write",
                                     [self.lost_list.id], {"submitted_on": "2026-10-01 00:00:00",
                                                           "state": "submitted"})

    def test_booking_credited_by_hand_refused(self):
        with mute_logger("odoo.http"):
            self._assert_rpc_refused(self.user_advisor, "autorepair.service.order", "write",
                                     [self.order.id], {"care_booking_agent_id": self.user_agent.id})
