import datetime

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.autorepair_crm.tools.odometer import project_date_for_km

from .common import TODAY, CareCase, days


@tagged("post_install", "-at_install")
class TestCareRules(CareCase):
    """Each rule kind as shipped: the task is due on the rulebook's day, for
    the customer's care agent, with the agent's activity."""

    def assertDue(self, rule, record, due_date, user=None):
        task = self.tasks(rule, record)
        self.assertEqual(len(task), 1, f"one {rule.name} task for {record.display_name}")
        self.assertEqual(task.due_date, due_date)
        self.assertEqual(task.deadline, due_date + days(rule.window_days))
        self.assertEqual(task.state, "open")
        agent = user or self.user_care_agent
        self.assertEqual(task.user_id, agent)
        activity = task.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual((activity.user_id, activity.activity_type_id), (agent, rule.activity_type_id))
        return task

    def driven_car(self, plate, km_now, target_km, **vals):
        """A car read at 5,000 km 300 days ago and at km_now two days ago, and
        the day it is projected to reach target_km."""
        vehicle = self._car(plate, self._client("王强", "13800138002"), delivery_date=TODAY - days(400), **vals)
        self.env["fleet.vehicle.odometer"].create([
            {"vehicle_id": vehicle.id, "date": TODAY - days(300), "value": 5000},
            {"vehicle_id": vehicle.id, "date": TODAY - days(2), "value": km_now},
        ])
        return vehicle, project_date_for_km(vehicle.odometer_date, vehicle.odometer, target_km, vehicle.km_per_day)

    def test_first_maintenance_two_months_after_delivery(self):
        customer = self._client("李娜", "13800138001")
        due = self._car("川A10001", customer, delivery_date=TODAY - days(60))
        early = self._car("川A10002", customer, delivery_date=TODAY - days(59))
        self.run_day(TODAY)
        task = self.assertDue(self.rule_first, due, TODAY)
        self.assertFalse(self.tasks(self.rule_first, early))
        self.assertIn("川A10001", task.script)
        self.assertIn("李娜", task.script)
        self.run_day(TODAY + days(1))
        self.assertDue(self.rule_first, early, TODAY + days(1))

    def test_first_maintenance_not_when_already_done(self):
        customer = self._client("李娜", "13800138001")
        vehicle = self._car("川A10001", customer, delivery_date=TODAY - days(60))
        self.env["autorepair.service.order"].create({
            "vehicle_id": vehicle.id, "partner_id": customer.id, "need_type": "first_maintenance",
            "state": "done", "delivered_date": datetime.datetime(2025, 5, 20, 8, 0),
        })
        self.run_day(TODAY)
        self.assertFalse(self.tasks(self.rule_first, vehicle))

    def test_periodic_maintenance_by_date(self):
        customer = self._client("王强", "13800138002")
        vehicle = self._car("川A10003", customer, next_service_date=TODAY + days(7), next_service_km=90000)
        self.run_day(TODAY)
        self.assertDue(self.rule_periodic, vehicle, TODAY)

    def test_periodic_maintenance_by_km_projected(self):
        """A car driven a lot reaches its next service mileage before its
        date: due a week before the projected day."""
        vehicle, projected = self.driven_car("川A10004", 19500, 20000, next_service_date=TODAY + days(120),
                                             next_service_km=20000)
        self.assertTrue(vehicle.km_per_day_estimated)
        self.assertLess(projected, TODAY + days(120))
        self.run_day(projected - days(7))
        task = self.assertDue(self.rule_periodic, vehicle, projected - days(7))
        self.assertEqual(task.due_km, 20000)

    def test_km_projection_in_sql_matches_python(self):
        customer = self._client("王强", "13800138002")
        vehicle = self._car("川A10005", customer, delivery_date=TODAY - days(500))
        self.env["fleet.vehicle.odometer"].create([
            {"vehicle_id": vehicle.id, "date": TODAY - days(200), "value": 8000},
            {"vehicle_id": vehicle.id, "date": TODAY - days(3), "value": 15250},
        ])
        sql = self.rule_periodic._sql_date_for_km(SQL("t.km"))
        self.env.flush_all()
        for target in (100, 15250, 15251, 20000, 123456):
            self.env.cr.execute(SQL(
                "SELECT %s FROM fleet_vehicle v, (SELECT %s::integer AS km) t WHERE v.id = %s",
                sql, target, vehicle.id))
            expected = project_date_for_km(vehicle.odometer_date, vehicle.odometer, target, vehicle.km_per_day)
            self.assertEqual(self.env.cr.fetchone()[0], expected, f"target {target} km")

    def test_periodic_maintenance_interval_without_next_service(self):
        """No next service given (imported car): every interval after the
        delivery or the last maintenance."""
        customer = self._client("王强", "13800138002")
        vehicle = self._car("川A10006", customer, delivery_date=TODAY - days(173))
        self.env["fleet.vehicle.odometer"].create({"vehicle_id": vehicle.id, "date": TODAY - days(1), "value": 900})
        self.run_day(TODAY)
        self.assertDue(self.rule_periodic, vehicle, TODAY)

    def test_warranty_expiry_a_month_before(self):
        customer = self._client("赵敏", "13800138003")
        vehicle = self._car("川A10007", customer, delivery_date=TODAY - days(1000),
                            warranty_end_date=TODAY + days(30), warranty_end_km=100000)
        self.run_day(TODAY)
        self.assertDue(self.rule_warranty, vehicle, TODAY)

    def test_warranty_expiry_by_km_first(self):
        """Driven a lot: the warranty's mileage comes before its date; the
        reminder is due a month before the projected day."""
        vehicle, projected = self.driven_car("川A10011", 50000, 56000, warranty_end_date=TODAY + days(700),
                                             warranty_end_km=56000)
        self.assertLess(projected, TODAY + days(100))
        self.run_day(projected - days(31))
        self.assertFalse(self.tasks(self.rule_warranty, vehicle))
        self.run_day(projected - days(30))
        task = self.assertDue(self.rule_warranty, vehicle, projected - days(30))
        self.assertEqual(task.due_km, 56000)

    def test_annual_inspection(self):
        customer = self._client("赵敏", "13800138003")
        vehicle = self._car("川A10008", customer, inspection_due_date=TODAY + days(30))
        self.run_day(TODAY)
        self.assertDue(self.rule_inspection, vehicle, TODAY)

    def test_insurance_renewal_for_the_insurance_specialist(self):
        self.rule_insurance.user_id = self.user_insurance
        customer = self._client("赵敏", "13800138003")
        vehicle = self._car("川A10009", customer, insurance_expiry_date=TODAY + days(60))
        self.run_day(TODAY)
        self.assertDue(self.rule_insurance, vehicle, TODAY, user=self.user_insurance)

    def test_insurance_with_a_care_manager_until_a_specialist_is_set(self):
        """Nobody's call is nobody's: without its specialist the insurance
        rule's calls wait with a care manager (not with a service manager),
        and go to the specialist once he is set."""
        self.rule_insurance.user_id = False
        customer = self._client("赵敏", "13800138003")
        vehicle = self._car("川A10009", customer, insurance_expiry_date=TODAY + days(60))
        self.run_day(TODAY)
        task = self.tasks(self.rule_insurance, vehicle)
        holder = task.user_id
        self.assertTrue(holder.has_group("autorepair_care.group_care_manager"))
        self.assertFalse(holder.has_group("autorepair_crm.group_manager"))
        self.assertEqual(task.activity_ids.user_id, holder)
        self.rule_insurance.user_id = self.user_insurance
        self.assertEqual(task.user_id, self.user_insurance)
        self.assertEqual(task.activity_ids.user_id, self.user_insurance, "the call comes to the specialist")

    def test_birthday_on_the_day(self):
        customer = self._client("孙丽", "13800138004", birthday=datetime.date(1985, 6, 10),
                                marketing_consent=True, marketing_consent_date=TODAY, marketing_consent_source="form")
        self.run_day(TODAY)
        self.assertDue(self.rule_birthday, customer, TODAY)

    def test_birthday_on_29_february(self):
        customer = self._client("孙丽", "13800138004", birthday=datetime.date(1992, 2, 29),
                                marketing_consent=True, marketing_consent_date=TODAY, marketing_consent_source="form")
        self.run_day(datetime.date(2025, 2, 28))
        self.assertEqual(self.tasks(self.rule_birthday, customer).due_date, datetime.date(2025, 2, 28))

    def test_declined_work_a_month_after_the_visit(self):
        customer = self._client("周杰", "13800138005")
        vehicle = self._car("川A10010", customer)
        order = self.env["autorepair.service.order"].create({
            "vehicle_id": vehicle.id, "partner_id": customer.id, "need_type": "repair",
        })
        line = self.env["autorepair.service.order.line"].create({
            "order_id": order.id, "line_type": "labour", "name": "Front brake pads", "price_unit": 300,
        })
        line.write({"decision": "declined", "recommendation_state": "open"})
        order.write({"state": "delivered", "delivered_date": datetime.datetime(2025, 5, 11, 6, 0)})
        self.run_day(TODAY)
        task = self.assertDue(self.rule_recommendation, vehicle, TODAY)
        self.assertEqual(task.work_summary, "Front brake pads")
        self.assertIn("Front brake pads", task.script)

    def test_lost_customers_in_six_classes(self):
        """On the first of the month: lost (90-360 days), about to be lost
        (60-89), by region and warranty; the month's list counts them."""
        first = datetime.date(2025, 7, 1)
        local = self.district_local
        remote = self.district_remote
        cases = {
            "local_in": (100, local, first + days(400)),
            "local_out": (150, local, TODAY - days(1)),
            "remote_in": (200, remote, first + days(400)),
            "remote_out": (359, remote, TODAY - days(1)),
            "at_risk": (70, local, first + days(400)),
            "too_old": (400, local, first + days(400)),
            "recent": (30, local, first + days(400)),
        }
        customers = {}
        for index, (key, (absent, district, warranty_end)) in enumerate(cases.items()):
            customer = self._client(f"客户{key}", f"1390000{index:04d}", district_id=district.id)
            delivery = first - days(absent)
            self._car(f"川B2000{index}", customer, delivery_date=delivery,
                      warranty_end_date=max(warranty_end, delivery), warranty_end_km=100000)
            customers[key] = customer
        self.run_day(first)
        for key in ("local_in", "local_out", "remote_in", "remote_out"):
            task = self.tasks(self.rule_lost, customers[key])
            self.assertEqual(len(task), 1, key)
            self.assertEqual((task.lost_class, task.due_date), (key, first))
            self.assertEqual(task.absent_days, cases[key][0])
        self.assertEqual(len(self.tasks(self.rule_at_risk, customers["at_risk"])), 1)
        self.assertFalse(self.tasks(self.rule_lost, customers["at_risk"]))
        for key in ("too_old", "recent"):
            self.assertFalse(self.Task.search([("partner_id", "=", customers[key].id),
                                               ("kind", "in", ("lost", "at_risk"))]), key)
        lost_list = self.env["autorepair.care.lost.list"].search(
            [("month", "=", first), ("company_id", "=", self.company.id)])
        self.assertEqual(len(lost_list), 1)
        fixture = self.Task.search([("rule_id", "=", self.rule_lost.id), ("due_date", "=", first)])
        self.assertEqual(lost_list.lost_count, len(fixture))
        self.assertGreaterEqual(lost_list.local_in_count, 1)
        self.assertGreaterEqual(lost_list.remote_out_count, 1)
        action = lost_list.with_context(care_class="remote_out").action_open_tasks()
        self.assertIn(customers["remote_out"], self.Task.search(action["domain"]).partner_id)
        self.assertNotIn(customers["local_in"], self.Task.search(action["domain"]).partner_id)
        # the next days of the month add nobody to the list
        self.run_day(first + days(1))
        self.assertEqual(len(self.tasks(self.rule_lost, customers["local_in"])), 1)
