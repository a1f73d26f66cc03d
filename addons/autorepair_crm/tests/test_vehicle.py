from datetime import date

from freezegun import freeze_time

from odoo.exceptions import RedirectWarning, ValidationError
from odoo.tests import Form, tagged

from .common import AutorepairCrmCase, make_vin


@tagged("post_install", "-at_install")
class TestVehicle(AutorepairCrmCase):

    def test_advisor_registers_vehicle_through_form(self):
        owner = self._customer()
        vin = make_vin("LFV2A2BHRC654321")
        with Form(self.env["fleet.vehicle"].with_user(self.user_advisor),
                  view="autorepair_crm.fleet_vehicle_view_form") as form:
            form.license_plate = " 川a·d1234５ "
            form.vin_sn = vin.lower()
            form.model_id = self.car_model
            form.owner_id = owner
            form.delivery_date = date(2025, 3, 1)
            form.warranty_end_date = date(2028, 3, 1)
            form.warranty_end_km = 100000
        vehicle = form.record
        self.assertEqual(vehicle.license_plate, "川AD12345")
        self.assertEqual(vehicle.vin_sn, vin)
        self.assertFalse(vehicle.vin_check_warning)
        self.assertEqual(vehicle.ownership_ids.partner_id, owner)
        self.assertEqual(vehicle.ownership_ids.date_from, date(2025, 3, 1))
        self.assertEqual(owner.autorepair_vehicle_ids, vehicle)

    def test_owner_becomes_customer_and_change_is_history(self):
        first = self.env["res.partner"].create({"name": "赵敏"})
        vehicle = self._vehicle(owner=first)
        self.assertTrue(first.is_autorepair_customer)
        second = self._customer("钱军", "13900139001")
        with freeze_time("2026-06-01"):
            vehicle.owner_id = second
        history = vehicle.ownership_ids.sorted("id")
        self.assertEqual(history.partner_id, first | second)
        self.assertEqual(history[0].date_to, date(2026, 6, 1))
        self.assertFalse(history[1].date_to)

    def test_import_vin_without_check_digit_is_flagged(self):
        vehicle = self._vehicle(vin="WDDWF4KB1JR456789")
        self.assertTrue(vehicle.vin_check_warning)
        good = make_vin("LFV2A2BHRC999999")
        wrong_digit = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
        with self.assertRaises(ValidationError, msg="made in China: the check digit is mandatory"):
            self._vehicle("川A54321", vin=wrong_digit)

    def test_duplicate_vin_and_plate_refused_with_pointer(self):
        existing = self._vehicle("川A12345", make_vin("LFV2A2BHRC111111"))
        count = self.env["fleet.vehicle"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self._vehicle("川A99999", make_vin("LFV2A2BHRC111111").lower())
        self.assertIn(make_vin("LFV2A2BHRC111111"), caught.exception.args[0])
        self.assertIn(existing.display_name, caught.exception.args[0])
        with self.assertRaises(ValidationError) as caught:
            self._vehicle("川a 12345", make_vin("LFV2A2BHRC222222"))
        self.assertIn("川A12345", caught.exception.args[0])
        self.assertEqual(self.env["fleet.vehicle"].search_count([]), count)
        # the form offers to open the vehicle on file
        form = Form(self.env["fleet.vehicle"].with_user(self.user_advisor),
                    view="autorepair_crm.fleet_vehicle_view_form")
        form.model_id = self.car_model
        form.license_plate = "川A 12345"
        with self.assertRaises(RedirectWarning) as caught:
            form.save()
        self.assertEqual(caught.exception.args[1]["res_id"], existing.id)
        self.assertEqual(self.env["fleet.vehicle"].search_count([]), count)
        # a scrapped car gives its plate back, never its VIN
        existing.active = False
        reissued = self._vehicle("川A12345", make_vin("LFV2A2BHRC333333"))
        self.assertEqual(reissued.license_plate, "川A12345")
        with self.assertRaises(ValidationError):
            self._vehicle("川A77777", make_vin("LFV2A2BHRC111111"))

    def test_vehicle_needs_plate_or_vin(self):
        owner = self._customer()
        with self.assertRaises(ValidationError):
            self.env["fleet.vehicle"].create({"model_id": self.car_model.id, "owner_id": owner.id})
        new_car = self.env["fleet.vehicle"].create({
            "model_id": self.car_model.id, "vin_sn": make_vin("LFV2A2BHRC444444"), "owner_id": owner.id,
        })
        self.assertFalse(new_car.license_plate, "a new car waits for its plate")
        with self.assertRaises(ValidationError):
            new_car.vin_sn = False
        # fleet's company cars, on order, have neither yet: not a customer's car
        company_car = self.env["fleet.vehicle"].create({"model_id": self.car_model.id})
        with self.assertRaises(ValidationError):
            company_car.owner_id = owner

    @freeze_time("2026-11-20")
    def test_odometer_history_and_km_per_day(self):
        vehicle = self._vehicle(delivery_date=date(2026, 1, 1))
        Odometer = self.env["fleet.vehicle.odometer"].with_user(self.user_advisor)
        self.assertEqual(vehicle.km_per_day, 35.0, "fallback from Settings without history")
        self.assertFalse(vehicle.km_per_day_estimated)
        Odometer.create({"vehicle_id": vehicle.id, "date": "2026-05-01", "value": 6000})
        Odometer.create({"vehicle_id": vehicle.id, "date": "2026-11-01", "value": 15000})
        self.assertEqual(vehicle.odometer, 15000)
        self.assertTrue(vehicle.km_per_day_estimated)
        self.assertAlmostEqual(vehicle.km_per_day, 15000 / 304, places=1)

        count = Odometer.search_count([("vehicle_id", "=", vehicle.id)])
        for bad in (
            {"date": "2026-11-10", "value": 14000},  # backwards
            {"date": "2026-06-01", "value": 16000},  # higher than a later reading
            {"date": "2026-12-01", "value": 16000},  # future
            {"date": "2026-11-02", "value": 150000},  # a digit too many
        ):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                Odometer.create({"vehicle_id": vehicle.id, **bad})
        self.assertEqual(Odometer.search_count([("vehicle_id", "=", vehicle.id)]), count)

        # a replaced cluster restarts low; the latest reading is the odometer
        Odometer.create({"vehicle_id": vehicle.id, "date": "2026-11-10", "value": 20, "is_meter_change": True})
        self.assertEqual(vehicle.odometer, 20)
        Odometer.create({"vehicle_id": vehicle.id, "date": "2026-11-18", "value": 420})
        self.assertEqual(vehicle.odometer, 420)

    def test_warranty_state_by_date_km_and_cron(self):
        owner = self._customer()
        with freeze_time("2026-11-20"):
            vehicle = self._vehicle(owner=owner, warranty_end_date="2026-11-30", warranty_end_km=100000)
            self.assertEqual(vehicle.warranty_state, "in")
            self.assertEqual(owner.warranty_state, "in")
        with freeze_time("2026-12-01"):
            Vehicle = self.env["fleet.vehicle"]
            self.assertEqual(Vehicle._cron_update_warranty_state(), 1)
            self.assertEqual(vehicle.warranty_state, "out")
            self.assertEqual(owner.warranty_state, "out")
            self.assertEqual(Vehicle._cron_update_warranty_state(), 0, "a second run changes nothing")
        with freeze_time("2026-11-20"):
            other = self._vehicle("川A67890", make_vin("LFV2A2BHRC555555"),
                                  warranty_end_date="2029-01-01", warranty_end_km=60000)
            self.env["fleet.vehicle.odometer"].create({"vehicle_id": other.id, "date": "2026-11-20", "value": 60001})
            self.assertEqual(other.warranty_state, "out", "the mileage ends the warranty too")

    def test_dates_out_of_order(self):
        with self.assertRaises(ValidationError):
            self._vehicle(delivery_date="2026-05-01", warranty_end_date="2025-05-01")
        with self.assertRaises(ValidationError):
            self._vehicle(warranty_end_km=-1)

    def test_fragment_search(self):
        owner = self._customer(mobile="13812345678")
        vehicle = self._vehicle("川AD12345", make_vin("LFV2A2BHRC777777"), owner=owner)
        Vehicle = self.env["fleet.vehicle"].with_user(self.user_advisor)
        self.assertEqual(Vehicle.search([("plate_search", "ilike", "ad123")]), vehicle)
        self.assertEqual(Vehicle.search([("plate_search", "ilike", "Ｄ１２")]), vehicle)
        self.assertEqual(Vehicle.search([("vin_search", "ilike", vehicle.vin_sn[-6:].lower())]), vehicle)
        self.assertEqual(Vehicle.name_search("D1234")[0][0], vehicle.id)
        Partner = self.env["res.partner"].with_user(self.user_advisor)
        self.assertEqual(Partner.search([("phone_search", "ilike", "1234 5678")]), owner)
        self.assertEqual(Partner.search([("autorepair_vehicle_ids.plate_search", "ilike", "d1234")]), owner)
