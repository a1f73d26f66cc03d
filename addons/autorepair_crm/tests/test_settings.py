from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.res_company import SETTINGS, typed_parameter
from .common import AutorepairCrmCase, CompanySettingsMixin, make_vin


@tagged("post_install", "-at_install")
class TestCrmSettings(CompanySettingsMixin, AutorepairCrmCase):
    """The customer file's business numbers are each company's; the plate
    character sets, national rules, are system parameters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_settings()

    def _company_vehicle(self, company, plate, vin16, **vals):
        return self._vehicle(plate=plate, vin=make_vin(vin16), company_id=company.id, **vals)

    def test_saved_per_company(self):
        self.assert_saved_per_company(
            autorepair_crm_abc_window_months=6, autorepair_crm_abc_a_visits=6, autorepair_crm_abc_a_spend=12000,
            autorepair_crm_odometer_max_km_per_day=800, autorepair_crm_km_per_day_fallback=60,
            autorepair_crm_km_per_day_min_days=14, autorepair_crm_points_per_yuan=2,
        )

    def test_refused(self):
        self.assert_refused(
            {"autorepair_crm_points_per_yuan": -1},
            {"autorepair_crm_abc_window_months": 0},
            {"autorepair_crm_abc_b_spend": -5},
            {"autorepair_crm_abc_a_visits": 1, "autorepair_crm_abc_b_visits": 2},
            {"autorepair_crm_odometer_max_km_per_day": 0},
            {"autorepair_crm_km_per_day_fallback": -35},
        )

    def test_technical_settings_are_not_in_settings(self):
        Settings = self.env["res.config.settings"]
        for key in ("plate_provinces", "plate_nev_letters", "plate_suffixes"):
            self.assertNotIn(f"autorepair_crm_{key}", self.env["res.company"]._fields, "not per company")
            self.assertFalse([f for f in Settings._fields if key in f], "not in the manager's Settings")

    @freeze_time("2026-11-20")
    def test_km_per_day_and_odometer_per_company(self):
        self.company_2.write({"autorepair_crm_km_per_day_fallback": 50, "autorepair_crm_odometer_max_km_per_day": 100})
        first = self._company_vehicle(self.company_1, "川A11111", "LFV2A2BHRC111111", delivery_date=date(2026, 1, 1))
        second = self._company_vehicle(self.company_2, "川A22222", "LFV2A2BHRC222222", delivery_date=date(2026, 1, 1))
        self.assertEqual((first.km_per_day, second.km_per_day), (35.0, 50.0), "each company's default km per day")
        Odometer = self.env["fleet.vehicle.odometer"]
        Odometer.create({"vehicle_id": first.id, "date": "2026-11-10", "value": 5000})
        Odometer.create({"vehicle_id": first.id, "date": "2026-11-11", "value": 5500})  # 500 km in a day
        Odometer.create({"vehicle_id": second.id, "date": "2026-11-10", "value": 5000})
        with self.assertRaises(ValidationError, msg="over the second company's 100 km a day"):
            Odometer.create({"vehicle_id": second.id, "date": "2026-11-11", "value": 5500})

    def test_plate_character_sets_are_system_parameters(self):
        ICP = self.env["ir.config_parameter"].sudo()
        self.assertEqual(self._vehicle(plate="京A12345").license_plate, "京A12345")
        ICP.set_param("autorepair_crm.plate_provinces", "川, 渝")
        with self.assertRaises(ValidationError):
            self._vehicle(plate="京B12345", vin=make_vin("LFV2A2BHRC333333"))
        for company in (self.company_1, self.company_2):
            self.assertEqual(company._autorepair_crm_setting("plate_provinces"), "川, 渝", "the same in every company")
        ICP.set_param("autorepair_crm.plate_provinces", " ")
        self.assertEqual(self.company_2._autorepair_crm_setting("plate_provinces"), SETTINGS["plate_provinces"])

    def test_accessor(self):
        self.company_2.autorepair_crm_points_per_yuan = 3
        Company = self.env["res.company"]
        self.assertEqual(Company.with_context(allowed_company_ids=self.company_2.ids)
                         ._autorepair_crm_setting("points_per_yuan"), 3, "no company: the current one")
        self.assertEqual(self.company_1._autorepair_crm_setting("points_per_yuan"), 1.0)
        with self.assertRaises(KeyError):
            self.company_1._autorepair_crm_setting("points_per_euro")

    def test_typed_parameter(self):
        for value, default, expected in (
            (None, 2000, 2000), ("", 2000, 2000), ("500", 2000, 500), ("500.0", 2000, 500),
            ("many", 2000, 2000), ("0", 2000, 2000), ("-3", 31, 31), ("1.5", 1.0, 1.5), ("川", "京", "川"),
        ):
            with self.subTest(value=value):
                result = typed_parameter(value, default)
                self.assertEqual(result, expected)
                self.assertIs(type(result), type(default))
