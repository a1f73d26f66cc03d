from datetime import timedelta

from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin

from .common import TZ, browser_in_china


@tagged("post_install", "-at_install")
class TestCareTour(HttpCase):
    """The care department's morning in the demo dealer, as its demo staff:
    the agent's calls of the day from his home, the manager's board."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, tz=TZ))
        cls.agent = cls.env.ref("autorepair_crm.user_demo_care_agent")
        cls.model = cls.env["fleet.vehicle.model"].create({
            "name": "迈腾", "brand_id": cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"}).id,
        })
        cls.today = cls.env["autorepair.care.rule"]._care_today()

    def _customer(self, name, mobile, plate, serial, agent=None):
        customer = self.env["res.partner"].create({
            "name": name, "mobile": mobile, "is_autorepair_customer": True, "care_agent_id": agent and agent.id,
        })
        vehicle = self.env["fleet.vehicle"].create({
            "model_id": self.model.id, "license_plate": plate, "vin_sn": make_vin("LFV2A2BH" + serial),
            "owner_id": customer.id,
        })
        return customer, vehicle

    def _task(self, rule, customer, vehicle=None, due_before=0, **vals):
        """A task of the daily run, due ``due_before`` days before it was made
        (the first run of a dealer), scheduled as the run does."""
        task = self.env["autorepair.care.task"].create({
            "rule_id": rule.id, "kind": rule.kind, "partner_id": customer.id, "vehicle_id": vehicle and vehicle.id,
            "user_id": customer.care_agent_id.id, "due_date": self.today - timedelta(days=due_before),
            "next_call_date": self.today, "deadline": self.today + timedelta(days=rule.window_days), **vals,
        })
        task._schedule(self.today)
        return task

    def test_agent_logs_outcome_and_books(self):
        first = self.env.ref("autorepair_care.rule_first_maintenance")
        lost = self.env.ref("autorepair_care.rule_lost")
        customer, vehicle = self._customer("唐小龙", "13800139001", "川A77701", "RC770001", self.agent)
        reached = self._task(first, customer, vehicle, due_before=3)
        customer, vehicle = self._customer("宋佳", "13800139002", "川A77702", "RC770002", self.agent)
        booked = self._task(lost, customer, due_before=1, last_visit_date=self.today - timedelta(days=120),
                            absent_days=120, lost_class="local_out")
        self.assertEqual((reached | booked).activity_ids.mapped("date_deadline"), [self.today] * 2)
        with browser_in_china():
            # from the agent's home after login: today's calls
            self.start_tour("/odoo", "autorepair_care_agent_calls", login=self.agent.login)
        self.assertEqual(reached.state, "reminded")
        self.assertEqual(booked.state, "booked")
        order = booked.service_order_id
        self.assertEqual((order.state, order.need_type, order.vehicle_id.license_plate),
                         ("draft", "periodic_maintenance", "川A77702"))
        self.assertTrue(order.appointment_start)

    def test_manager_sees_every_call_with_its_agent(self):
        manager = self.env.ref("autorepair_crm.user_demo_care_manager")
        first = self.env.ref("autorepair_care.rule_first_maintenance")
        customer, vehicle = self._customer("王芳", "13800139003", "川A77703", "RC770003")
        # due today: the board shows this month's calls
        task = self._task(first, customer, vehicle)
        self.assertEqual(task.user_id, self.agent, "the dealer's care agent, the only one of the demo")
        with browser_in_china():
            # from the care manager's home after login: the care board
            self.start_tour("/odoo", "autorepair_care_manager_board", login=manager.login)
