"""The first- and periodic-maintenance reminders name the maintenance
package (保养套餐) due for the car, in the task and in the agent's script."""

from odoo import Command
from odoo.tests import tagged

from .common import TODAY, CareCase, days


@tagged("post_install", "-at_install")
class TestCarePackageDue(CareCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        operation = cls.env["autorepair.labour.operation"].create({
            "name": "更换机油机滤", "code": "T-JX001", "standard_hours": 0.5})
        oil = cls.env["product.product"].create({"name": "原厂机油 0W-20 (1升)", "list_price": 98})
        Package = cls.env["autorepair.service.package"]
        Package.search([]).active = False
        lines = [Command.create({"line_type": "labour", "labour_operation_id": operation.id}),
                 Command.create({"line_type": "part", "product_id": oil.id, "quantity": 5})]
        cls.small = Package.create({
            "name": "迈腾 10,000公里 小保养", "model_ids": [Command.set(cls.car_model.ids)], "interval_km": 10000,
            "interval_months": 6, "pricing": "package", "price": 588, "line_ids": lines})
        cls.big = Package.create({
            "name": "迈腾 20,000公里 大保养", "model_ids": [Command.set(cls.car_model.ids)], "interval_km": 20000,
            "interval_months": 12, "pricing": "lines", "line_ids": lines})

    def test_first_maintenance_names_the_package(self):
        vehicle = self._car("川A10001", self._client("李娜", "13800138001"), delivery_date=TODAY - days(60))
        self.run_day(TODAY)
        task = self.tasks(self.rule_first, vehicle)
        self.assertEqual(task.package_id, self.small)
        script = task.with_user(self.user_care_agent).script
        self.assertIn("迈腾 10,000公里 小保养", script)
        self.assertIn("更换机油机滤", script)
        self.assertIn("588", script)

    def test_periodic_maintenance_names_the_package_at_its_km(self):
        """Due at 20,000 km: the major service, which includes the minor one."""
        vehicle = self._car("川A10004", self._client("王强", "13800138002"), delivery_date=TODAY - days(400),
                            next_service_date=TODAY + days(7), next_service_km=20000)
        self.env["fleet.vehicle.odometer"].create({"vehicle_id": vehicle.id, "date": TODAY - days(2), "value": 19500})
        self.run_day(TODAY)
        task = self.tasks(self.rule_periodic, vehicle)
        self.assertEqual(task.due_km, 20000)
        self.assertEqual(task.with_user(self.user_care_agent).package_id, self.big)
        self.assertIn("迈腾 20,000公里 大保养", task.with_user(self.user_care_agent).script)

    def test_no_package_no_empty_line(self):
        (self.small | self.big).active = False
        vehicle = self._car("川A10001", self._client("李娜", "13800138001"), delivery_date=TODAY - days(60))
        self.run_day(TODAY)
        task = self.tasks(self.rule_first, vehicle)
        self.assertFalse(task.package_id)
        self.assertNotIn("<br/><br/>", task.script)
        self.assertNotIn("maintenance due is", task.script)
