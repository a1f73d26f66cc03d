from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import corpus
from .common import AutorepairCrmCase


@tagged("post_install", "-at_install")
class TestBadInput(AutorepairCrmCase):
    """Every corpus entry goes through the ORM as staff would type it: the bad
    ones are refused with a message and leave nothing behind, the good ones are
    stored normalised."""

    def _assert_refused(self, model, create_vals, raw):
        Model = self.env[model]
        count = Model.with_context(active_test=False).search_count([])
        with self.subTest(raw=raw), self.assertRaises(ValidationError) as caught:
            Model.create(create_vals)
        self.assertTrue(str(caught.exception.args[0]).strip(), "a message says what is wrong")
        self.assertEqual(Model.with_context(active_test=False).search_count([]), count)

    def test_invalid_vins_refused(self):
        # typed on a customer's car, which needs a plate or a VIN: an empty one is refused too
        vals = {"model_id": self.car_model.id, "owner_id": self._customer().id}
        for raw in corpus.INVALID_VINS:
            self._assert_refused("fleet.vehicle", {**vals, "vin_sn": raw}, raw)

    def test_invalid_plates_refused(self):
        vals = {"model_id": self.car_model.id, "owner_id": self._customer().id}
        for raw in corpus.INVALID_PLATES:
            self._assert_refused("fleet.vehicle", {**vals, "license_plate": raw}, raw)

    def test_invalid_phones_refused(self):
        # an empty phone is no phone: a customer may give none
        for raw in filter(str.strip, corpus.INVALID_PHONES):
            self._assert_refused("res.partner", {"name": "测试", "is_autorepair_customer": True, "mobile": raw}, raw)

    @freeze_time(corpus.RESIDENT_ID_TODAY)
    def test_invalid_resident_ids_refused(self):
        for raw in filter(str.strip, corpus.INVALID_RESIDENT_IDS):
            self._assert_refused(
                "res.partner", {"name": "测试", "is_autorepair_customer": True, "resident_id_number": raw}, raw
            )

    def test_invalid_odometer_readings_refused(self):
        for index, (existing, new) in enumerate(corpus.INVALID_ODOMETER_SEQUENCES):
            vehicle = self._vehicle(plate=f"川A{index:05d}", vin=False)
            self.env["fleet.vehicle.odometer"].create([
                {"vehicle_id": vehicle.id, "date": r.date, "value": r.value, "is_meter_change": r.is_meter_change}
                for r in existing
            ])
            self._assert_refused("fleet.vehicle.odometer", {
                "vehicle_id": vehicle.id, "date": new.date, "value": new.value, "is_meter_change": new.is_meter_change,
            }, new)

    @freeze_time(corpus.RESIDENT_ID_TODAY)
    def test_valid_inputs_stored_normalised(self):
        vehicle = self._vehicle()
        for raw, expected in corpus.VALID_VINS + corpus.VALID_VINS_WITHOUT_CHECK_DIGIT:
            with self.subTest(vin=raw):
                vehicle.vin_sn = raw
                self.assertEqual(vehicle.vin_sn, expected)
        for raw, expected in corpus.VALID_PLATES:
            with self.subTest(plate=raw):
                vehicle.license_plate = raw
                self.assertEqual(vehicle.license_plate, expected)
        customer = self._customer(resident_id_consent=True)
        for raw, expected in corpus.VALID_PHONES:
            with self.subTest(phone=raw):
                customer.mobile = raw
                self.assertEqual(customer.mobile, expected)
        for raw, expected in corpus.VALID_LANDLINES:
            with self.subTest(landline=raw):
                customer.phone = raw
                self.assertEqual(customer.phone, expected)
        for raw, expected in corpus.VALID_RESIDENT_IDS:
            with self.subTest(resident_id=raw):
                customer.resident_id_number = raw
                self.assertEqual(customer.resident_id_number, expected)
                self.assertEqual(customer.birthday.strftime("%Y%m%d"), expected[6:14])

    def test_valid_odometer_sequences_accepted(self):
        for index, (existing, new) in enumerate(corpus.VALID_ODOMETER_SEQUENCES):
            with self.subTest(new=new):
                vehicle = self._vehicle(plate=f"川B{index:05d}", vin=False)
                self.env["fleet.vehicle.odometer"].create([
                    {"vehicle_id": vehicle.id, "date": r.date, "value": r.value, "is_meter_change": r.is_meter_change}
                    for r in existing + [new]
                ])
                self.assertEqual(len(vehicle.odometer_ids), len(existing) + 1)

    def test_corpus_size(self):
        invalid = (len(corpus.INVALID_VINS) + len(corpus.INVALID_PLATES) + len(corpus.INVALID_PHONES)
                   + len(corpus.INVALID_RESIDENT_IDS) + len(corpus.INVALID_ODOMETER_SEQUENCES))
        valid = (len(corpus.VALID_VINS) + len(corpus.VALID_PLATES) + len(corpus.VALID_PHONES)
                 + len(corpus.VALID_RESIDENT_IDS) + len(corpus.VALID_ODOMETER_SEQUENCES))
        self.assertGreaterEqual(invalid, 100)
        self.assertGreaterEqual(valid, 100)
