from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.autorepair_crm.tests.common import CompanySettingsMixin, make_vin

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestWorkshopSettings(CompanySettingsMixin, ServiceOrderCase):
    """The workshop's numbers are each company's, checked wherever they are
    written; the settlement sizes are system parameters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_settings()

    def _branch_order(self, **vals):
        """An order of the second company, as its advisor would open it."""
        env = self.env(context=dict(self.env.context, allowed_company_ids=self.company_2.ids))
        customer = env["res.partner"].create({"name": "李娜", "mobile": "13900139000", "is_autorepair_customer": True})
        vehicle = env["fleet.vehicle"].create({
            "model_id": self.car_model.id, "license_plate": "川A54321", "vin_sn": make_vin("LFV2A2BHRC654321"),
            "owner_id": customer.id,
        })
        return env["autorepair.service.order"].create({"vehicle_id": vehicle.id, "need_type": "repair", **vals})

    def test_saved_per_company(self):
        self.assert_saved_per_company(
            autorepair_workshop_labour_rate=180, autorepair_workshop_appointment_default_hours=1.5,
            autorepair_workshop_followup_delay_hours=48,
            autorepair_workshop_csi_low_score=3, autorepair_workshop_goodwill_approval_amount=800,
        )

    def test_refused(self):
        self.assert_refused(
            {"autorepair_workshop_labour_rate": -1},
            {"autorepair_workshop_goodwill_approval_amount": -1},
            {"autorepair_workshop_csi_low_score": 6},
            {"autorepair_workshop_followup_delay_hours": -1},
            {"autorepair_workshop_appointment_default_hours": 0},
        )

    def test_each_company_its_rate_and_appointment_length(self):
        self.company_1.write({"autorepair_workshop_labour_rate": 150,
                              "autorepair_workshop_appointment_default_hours": 1})
        self.company_2.write({"autorepair_workshop_labour_rate": 200,
                              "autorepair_workshop_appointment_default_hours": 2})
        start = fields.Datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        orders = self._order(appointment_start=start) | self._branch_order(appointment_start=start)
        self.assertEqual(orders.company_id, self.company_1 | self.company_2)
        lines = self.env["autorepair.service.order.line"].create([
            {"order_id": order.id, "line_type": "labour", "name": "更换氧传感器", "quantity": 1} for order in orders
        ])
        self.assertEqual(lines.mapped("price_unit"), [150, 200], "each company's labour rate")
        self.assertEqual(orders.mapped("occupation_end"),
                         [start + timedelta(hours=1), start + timedelta(hours=2)], "each company's booking length")

    def test_settlement_sizes_are_system_parameters(self):
        Settings = self.env["res.config.settings"]
        for key in ("settlement_inline_limit", "settlement_batch_size"):
            self.assertNotIn(f"autorepair_workshop_{key}", self.env["res.company"]._fields)
            self.assertFalse([name for name in Settings._fields if key in name], "not in the manager's Settings")
        self.assertEqual(self.company_2._autorepair_workshop_setting("settlement_batch_size"), 100, "the default")
        self.env["ir.config_parameter"].set_param("autorepair_workshop.settlement_batch_size", "250")
        for company in (self.company_1, self.company_2):
            self.assertEqual(company._autorepair_workshop_setting("settlement_batch_size"), 250)
