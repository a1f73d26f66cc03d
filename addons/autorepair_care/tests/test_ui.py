import datetime

from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import add_role_users, make_vin


@tagged("post_install", "-at_install")
class TestCareTour(HttpCase):
    """An agent's morning: one call reached from the list in a click, one
    opened with its script and booked."""

    def test_agent_logs_outcome_and_books(self):
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        add_role_users(self, "care_tour", {"agent": "autorepair_care.group_care_agent"})
        agent = self.user_agent
        model = env["fleet.vehicle.model"].create({
            "name": "迈腾", "brand_id": env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"}).id,
        })
        rule = env.ref("autorepair_care.rule_first_maintenance")
        Task = env["autorepair.care.task"]
        tasks = Task
        for name, mobile, plate, serial in (("唐小龙", "13800139001", "川A77701", "RC770001"),
                                            ("宋佳", "13800139002", "川A77702", "RC770002")):
            customer = env["res.partner"].create({
                "name": name, "mobile": mobile, "is_autorepair_customer": True, "care_agent_id": agent.id,
            })
            vehicle = env["fleet.vehicle"].create({
                "model_id": model.id, "license_plate": plate, "vin_sn": make_vin("LFV2A2BH" + serial),
                "owner_id": customer.id,
            })
            # due on the dealer's day, and on the list of the browser's (the machine's time zone,
            # a day behind China's from 16:00 UTC): the earlier of the two
            today = min(rule._care_today(), datetime.date.today())
            tasks |= Task.create({
                "rule_id": rule.id, "kind": rule.kind, "vehicle_id": vehicle.id, "partner_id": customer.id,
                "user_id": agent.id, "due_date": today, "deadline": today, "next_call_date": today,
            })
        tasks._schedule()
        self.start_tour("/odoo/action-autorepair_care.autorepair_care_task_action_my", "autorepair_care_agent_calls",
                        login="care_tour_agent")
        reached, booked = tasks
        self.assertEqual(reached.state, "reminded")
        self.assertEqual(booked.state, "booked")
        order = booked.service_order_id
        self.assertEqual((order.state, order.need_type, order.vehicle_id.license_plate),
                         ("draft", "first_maintenance", "川A77702"))
        self.assertTrue(order.appointment_start)
