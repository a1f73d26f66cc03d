"""Fast tests of the ORM-free domain tools: no database cursor is opened."""

import unicodedata
from datetime import date
from types import SimpleNamespace

from odoo.api import Environment
from odoo.tests import BaseCase, tagged

from ..tools import (
    InvalidInput,
    Reading,
    Thresholds,
    check_new_reading,
    check_plate,
    check_resident_id,
    check_vin,
    classify,
    estimate_km_per_day,
    mask_phone,
    normalize_phone,
    normalize_plate,
    normalize_resident_id,
    normalize_vin,
    project_date_for_km,
    resident_id_check_character,
    vin_check_digit,
)
from . import corpus


class ToolsCase(BaseCase):
    def assertInvalid(self, func, *args, contains=(), **kwargs):
        """Assert that ``func`` refuses its input with a message (in English)
        holding every string of ``contains``."""
        with self.assertRaises(InvalidInput) as catcher:
            func(*args, **kwargs)
        message = str(catcher.exception)
        for fragment in contains:
            self.assertIn(fragment, message)


@tagged("post_install", "-at_install")
class TestInvalidInput(ToolsCase):
    def test_message_is_lazy_and_formats_through_env(self):
        with self.assertRaises(InvalidInput) as catcher:
            check_vin("LFV2A21K9A401234")
        expected = "The VIN LFV2A21K9A401234 has 16 characters; a VIN has 17."
        self.assertEqual(str(catcher.exception.message), expected)
        self.assertEqual(str(catcher.exception), expected)
        # what a model does: ValidationError(self.env._(exc.message)); env._
        # only reads the env's language, so a stand-in env is enough here
        for lang in ("en_US", None):
            self.assertEqual(
                Environment._(SimpleNamespace(lang=lang), catcher.exception.message),
                expected,
            )

    def test_is_a_value_error(self):
        self.assertTrue(issubclass(InvalidInput, ValueError))


@tagged("post_install", "-at_install")
class TestVin(ToolsCase):
    def test_valid_corpus(self):
        for raw, expected in corpus.VALID_VINS:
            with self.subTest(raw=raw):
                self.assertEqual(check_vin(raw), (expected, True))

    def test_valid_without_check_digit(self):
        for raw, expected in corpus.VALID_VINS_WITHOUT_CHECK_DIGIT:
            with self.subTest(raw=raw):
                self.assertEqual(check_vin(raw), (expected, False))
                self.assertNotEqual(vin_check_digit(expected), expected[8])

    def test_invalid_corpus(self):
        for raw in corpus.INVALID_VINS:
            with self.subTest(raw=raw):
                # the message shows the VIN as read, so the user can find the typo
                self.assertInvalid(check_vin, raw, contains=[normalize_vin(raw)])

    def test_normalize(self):
        self.assertEqual(normalize_vin(None), "")
        self.assertEqual(normalize_vin(""), "")
        self.assertEqual(normalize_vin(" lfv-2a2.1k 9a4012345 "), "LFV2A21K9A4012345")
        self.assertEqual(
            normalize_vin("ＬＦＶ２Ａ２１Ｋ９Ａ４０１２３４５"), "LFV2A21K9A4012345"
        )
        # normalising does not validate
        self.assertEqual(normalize_vin("lfv o"), "LFVO")

    def test_check_digit(self):
        self.assertEqual(vin_check_digit("1M8GDM9AXKP042788"), "X")
        self.assertEqual(vin_check_digit("11111111111111111"), "1")
        self.assertEqual(vin_check_digit("LFV2A21K0A4012345"), "9")

    def test_messages(self):
        self.assertInvalid(check_vin, "  ", contains=["empty"])
        self.assertInvalid(
            check_vin, "LFV2A21K9A401234", contains=["has 16 characters", "17"]
        )
        self.assertInvalid(
            check_vin,
            "LFV2A21K9A4O12345",
            contains=["letter O at position 12", "I, O and Q"],
        )
        self.assertInvalid(
            check_vin, "LGXC16DF0MA12345I", contains=["letter I at position 17"]
        )
        self.assertInvalid(
            check_vin, "WDDWF4KBQJR456789", contains=["letter Q at position 9"]
        )
        self.assertInvalid(
            check_vin, "LFV2A21K9A4012_45", contains=["character _ at position 15"]
        )
        self.assertInvalid(
            check_vin,
            "LFV2A21K8A4012345",
            contains=[
                "has 8 at position 9",
                "check digit computed from the other characters is 9",
            ],
        )

    def test_wrong_check_digit_only_refused_on_china_made(self):
        self.assertInvalid(check_vin, "LSGKB54H9HS098765", contains=["is X"])
        self.assertEqual(check_vin("WDDWF4KB1JR456789"), ("WDDWF4KB1JR456789", False))


@tagged("post_install", "-at_install")
class TestPlate(ToolsCase):
    def test_valid_corpus(self):
        for raw, expected in corpus.VALID_PLATES:
            with self.subTest(raw=raw):
                self.assertEqual(check_plate(raw), expected)

    def test_invalid_corpus(self):
        for raw in corpus.INVALID_PLATES:
            with self.subTest(raw=raw):
                self.assertInvalid(check_plate, raw, contains=[normalize_plate(raw)])

    def test_normalize(self):
        self.assertEqual(normalize_plate(None), "")
        self.assertEqual(normalize_plate(" 川a·1 2-3.4•5 "), "川A12345")
        self.assertEqual(normalize_plate("川Ａ１２３４５"), "川A12345")

    def test_messages(self):
        self.assertInvalid(check_plate, " · ", contains=["empty"])
        self.assertInvalid(
            check_plate, "港A12345", contains=["starts with 港", "province", "川"]
        )
        self.assertInvalid(check_plate, "川A1234", contains=["has 6 characters", "7"])
        self.assertInvalid(check_plate, "川A1234567", contains=["has 9 characters"])
        self.assertInvalid(check_plate, "川A12O45", contains=["letter O at position 5"])
        self.assertInvalid(check_plate, "川AI2345", contains=["letter I at position 3"])
        self.assertInvalid(
            check_plate, "川AD1O345", contains=["letter O at position 5"]
        )
        self.assertInvalid(
            check_plate,
            "川AZ12345",
            contains=["new-energy", "Z at position 3", "D, A, B"],
        )
        self.assertInvalid(
            check_plate, "川A12345Z", contains=["new-energy", "Z at position 8"]
        )
        self.assertInvalid(
            check_plate, "川1A2345", contains=["1 at position 2", "capital letter"]
        )
        self.assertInvalid(
            check_plate,
            "川AD1234A",
            contains=["D at position 3", "a digit is expected"],
        )
        self.assertInvalid(
            check_plate,
            "川A1234*",
            contains=["* at position 7", "digit or a capital letter"],
        )
        self.assertInvalid(
            check_plate, "川A1234使", contains=["ends with 使", "学挂警港澳领试超"]
        )

    def test_settings(self):
        # a manager's settings replace the defaults, typed with or without separators
        self.assertEqual(check_plate("渝A12345", provinces="川, 渝"), "渝A12345")
        self.assertInvalid(
            check_plate,
            "京A12345",
            provinces="川, 渝",
            contains=["starts with 京", "川渝"],
        )
        self.assertEqual(check_plate("川AZ12345", nev_letters="d f z"), "川AZ12345")
        self.assertInvalid(
            check_plate,
            "川AA12345",
            nev_letters="DF",
            contains=["A at position 3", "D, F"],
        )
        self.assertEqual(check_plate("川A1234使", suffixes="学使"), "川A1234使")
        self.assertInvalid(
            check_plate, "川A1234警", suffixes="学", contains=["ends with 警"]
        )


@tagged("post_install", "-at_install")
class TestPhone(ToolsCase):
    def test_valid_mobiles(self):
        for raw, expected in corpus.VALID_PHONES:
            with self.subTest(raw=raw):
                self.assertEqual(normalize_phone(raw), expected)
                self.assertEqual(normalize_phone(raw, mobile_only=True), expected)

    def test_landlines(self):
        for raw, expected in corpus.VALID_LANDLINES:
            with self.subTest(raw=raw):
                self.assertEqual(normalize_phone(raw), expected)
                self.assertInvalid(
                    normalize_phone, raw, mobile_only=True, contains=["landline"]
                )

    def test_invalid_corpus(self):
        for raw in corpus.INVALID_PHONES:
            with self.subTest(raw=raw):
                # the message quotes the number as typed (full-width folded)
                shown = unicodedata.normalize("NFKC", raw).strip()
                self.assertInvalid(
                    normalize_phone, raw, mobile_only=True, contains=[shown]
                )

    def test_empty(self):
        for raw in (None, "", "   "):
            with self.subTest(raw=raw):
                self.assertEqual(normalize_phone(raw), "")

    def test_messages(self):
        self.assertInvalid(
            normalize_phone, "12345678901", contains=["12345678901", "13 to 19"]
        )
        self.assertInvalid(
            normalize_phone, "1380013800", contains=["1380013800", "not valid"]
        )
        self.assertInvalid(
            normalize_phone,
            "028-8888 8888",
            mobile_only=True,
            contains=["landline", "mobile"],
        )

    def test_region(self):
        # the same digits are a London number in the UK and a Guangzhou one in China
        self.assertEqual(normalize_phone("020 7946 0958", region="GB"), "+442079460958")
        self.assertEqual(normalize_phone("020 7946 0958"), "+862079460958")

    def test_mask(self):
        self.assertEqual(mask_phone("+8613800138000"), "138****8000")
        self.assertEqual(mask_phone("+8619912345678"), "199****5678")
        self.assertEqual(mask_phone("+862888888888"), "+86 ****8888")
        self.assertEqual(mask_phone("+442079460958"), "+44 ****0958")
        self.assertEqual(mask_phone("+85291234567"), "+852 ****4567")
        self.assertEqual(mask_phone(""), "")
        self.assertEqual(mask_phone(False), "")
        self.assertEqual(mask_phone("not a phone"), "****hone")


@tagged("post_install", "-at_install")
class TestResidentId(ToolsCase):
    def test_valid_corpus(self):
        for raw, expected in corpus.VALID_RESIDENT_IDS:
            with self.subTest(raw=raw):
                number, birth_date = check_resident_id(
                    raw, today=corpus.RESIDENT_ID_TODAY
                )
                self.assertEqual(number, expected)
                self.assertEqual(birth_date.strftime("%Y%m%d"), expected[6:14])

    def test_invalid_corpus(self):
        for raw in corpus.INVALID_RESIDENT_IDS:
            with self.subTest(raw=raw):
                self.assertInvalid(
                    check_resident_id,
                    raw,
                    today=corpus.RESIDENT_ID_TODAY,
                    contains=[normalize_resident_id(raw)],
                )

    def test_normalize(self):
        self.assertEqual(normalize_resident_id(None), "")
        self.assertEqual(
            normalize_resident_id(" 110105 19491231 002x "), "11010519491231002X"
        )
        self.assertEqual(
            normalize_resident_id("１１０１０５１９４９１２３１００２ｘ"),
            "11010519491231002X",
        )

    def test_check_character(self):
        self.assertEqual(resident_id_check_character("11010519491231002"), "X")
        self.assertEqual(resident_id_check_character("51010419870415031"), "2")

    def test_birth_date(self):
        self.assertEqual(
            check_resident_id("11010519491231002x"),
            ("11010519491231002X", date(1949, 12, 31)),
        )

    def test_messages(self):
        today = corpus.RESIDENT_ID_TODAY
        self.assertInvalid(check_resident_id, " ", contains=["empty"])
        self.assertInvalid(
            check_resident_id, "110105491231002", contains=["15-digit", "18-digit"]
        )
        self.assertInvalid(
            check_resident_id, "11010519491231002", contains=["has 17 characters", "18"]
        )
        self.assertInvalid(
            check_resident_id, "11O10519491231002X", contains=["O at position 3"]
        )
        self.assertInvalid(
            check_resident_id, "11010519491231002Y", contains=["Y at position 18"]
        )
        self.assertInvalid(
            check_resident_id,
            "11010519900230001X",
            today=today,
            contains=["1990-02-30", "not exist"],
        )
        self.assertInvalid(
            check_resident_id,
            "500103202506020083",
            today=today,
            contains=["2025-06-02", "future"],
        )
        self.assertInvalid(
            check_resident_id,
            "510107190505310101",
            today=today,
            contains=["1905-05-31", "120 years"],
        )
        self.assertInvalid(
            check_resident_id,
            "510104198704150319",
            today=today,
            contains=["ends with 9", "is 2"],
        )

    def test_limits_follow_today(self):
        # born 1905-06-01: 120 years old on 2025-06-01, too old a day later
        self.assertEqual(
            check_resident_id("510122190506010112", today=date(2025, 6, 1))[1],
            date(1905, 6, 1),
        )
        self.assertInvalid(
            check_resident_id,
            "510122190506010112",
            today=date(2025, 6, 2),
            contains=["120 years"],
        )
        # born 2025-06-02: in the future the day before
        self.assertInvalid(
            check_resident_id,
            "500103202506020083",
            today=date(2025, 6, 1),
            contains=["future"],
        )
        self.assertEqual(
            check_resident_id("500103202506020083", today=date(2025, 6, 2))[1],
            date(2025, 6, 2),
        )


def neighbours(readings, new):
    """The readings just before (same day included) and just after ``new``."""
    earlier = [reading for reading in readings if reading.date <= new.date]
    later = [reading for reading in readings if reading.date > new.date]
    return (
        max(earlier, key=lambda reading: reading.date, default=None),
        min(later, key=lambda reading: reading.date, default=None),
    )


@tagged("post_install", "-at_install")
class TestOdometer(ToolsCase):
    def test_valid_sequences(self):
        for readings, new in corpus.VALID_ODOMETER_SEQUENCES:
            with self.subTest(new=new):
                self.assertIsNone(check_new_reading(*neighbours(readings, new), new))

    def test_invalid_sequences(self):
        for readings, new in corpus.INVALID_ODOMETER_SEQUENCES:
            with self.subTest(new=new):
                # the message quotes the refused value
                self.assertInvalid(
                    check_new_reading,
                    *neighbours(readings, new),
                    new,
                    contains=[f"{new.value:,.0f} km"],
                )

    def test_messages(self):
        jan1 = Reading(date(2024, 1, 1), 50000.0, False)
        mar1 = Reading(date(2024, 3, 1), 60000.0, False)
        self.assertInvalid(
            check_new_reading,
            None,
            None,
            Reading(date(2024, 1, 1), -5, False),
            contains=["-5 km", "negative"],
        )
        self.assertInvalid(
            check_new_reading,
            None,
            None,
            Reading(date(2024, 1, 1), 12345678, False),
            contains=["12,345,678 km", "2,000,000"],
        )
        self.assertInvalid(
            check_new_reading,
            jan1,
            mar1,
            Reading(date(2024, 2, 1), 5000.0, False),
            contains=[
                "5,000 km on 2024-02-01",
                "lower than the 50,000 km",
                "2024-01-01",
                "meter change",
            ],
        )
        self.assertInvalid(
            check_new_reading,
            jan1,
            mar1,
            Reading(date(2024, 2, 1), 61000.5, False),
            contains=["61,000.5 km", "higher than the 60,000 km", "2024-03-01"],
        )
        self.assertInvalid(
            check_new_reading,
            jan1,
            None,
            Reading(date(2024, 1, 11), 500000.0, False),
            contains=["45,000 km a day", "1,500 km"],
        )

    def test_limits_are_parameters(self):
        previous = Reading(date(2024, 1, 1), 1000.0, False)
        new = Reading(date(2024, 1, 2), 1600.0, False)
        self.assertIsNone(check_new_reading(previous, None, new))
        self.assertInvalid(
            check_new_reading,
            previous,
            None,
            new,
            max_km_per_day=500,
            contains=["600 km a day"],
        )
        self.assertIsNone(
            check_new_reading(
                None, None, Reading(date(2024, 1, 1), 999999, False), max_value=999999
            )
        )
        self.assertInvalid(
            check_new_reading,
            None,
            None,
            Reading(date(2024, 1, 1), 1000000, False),
            max_value=999999,
        )

    def test_meter_change_and_same_day_skip_distance_check(self):
        previous = Reading(date(2024, 1, 1), 1000.0, False)
        # a new meter showing more than the old one (used cluster fitted)
        self.assertIsNone(
            check_new_reading(previous, None, Reading(date(2024, 1, 2), 90000.0, True))
        )
        self.assertIsNone(
            check_new_reading(previous, None, Reading(date(2024, 1, 2), 5.0, True))
        )
        same_day = Reading(date(2024, 1, 1), 9000.0, False)
        self.assertIsNone(check_new_reading(previous, None, same_day))

    def test_estimate_fallback(self):
        today = date(2024, 6, 1)
        self.assertEqual(estimate_km_per_day([], today=today), (35.0, False))
        self.assertEqual(
            estimate_km_per_day([], today=today, fallback=50.0), (50.0, False)
        )
        one = [Reading(date(2024, 5, 1), 1000.0, False)]
        self.assertEqual(estimate_km_per_day(one, today=today), (35.0, False))
        short = [
            Reading(date(2024, 5, 1), 1000.0, False),
            Reading(date(2024, 5, 30), 3000.0, False),
        ]
        self.assertEqual(estimate_km_per_day(short, today=today), (35.0, False))
        self.assertEqual(
            estimate_km_per_day(short, today=today, min_days=29), (2000.0 / 29, True)
        )

    def test_estimate_from_readings(self):
        readings = [
            Reading(date(2024, 3, 1), 3000.0, False),
            Reading(date(2024, 1, 1), 0.0, False),
            Reading(date(2024, 2, 1), 1000.0, False),
        ]
        self.assertEqual(
            estimate_km_per_day(readings, today=date(2024, 6, 1)), (50.0, True)
        )
        # readings after today or without a date are not used
        later = [
            *readings,
            Reading(date(2024, 7, 1), 90000.0, False),
            Reading(False, 80000.0, False),
        ]
        self.assertEqual(
            estimate_km_per_day(later, today=date(2024, 6, 1)), (50.0, True)
        )

    def test_estimate_from_delivery(self):
        after = [Reading(date(2024, 3, 1), 1800.0, False)]
        today = date(2024, 3, 10)
        self.assertEqual(
            estimate_km_per_day(after, delivery_date=date(2024, 1, 1), today=today),
            (30.0, True),
        )
        self.assertEqual(estimate_km_per_day(after, today=today), (35.0, False))
        # a reading on or before delivery (transport, pre-delivery check) wins
        before = [Reading(date(2024, 1, 1), 600.0, False), *after]
        self.assertEqual(
            estimate_km_per_day(before, delivery_date=date(2024, 1, 1), today=today),
            (20.0, True),
        )

    def test_estimate_after_meter_change(self):
        readings = [
            Reading(date(2023, 1, 1), 100000.0, False),
            Reading(date(2024, 1, 1), 150000.0, False),
            Reading(date(2024, 2, 1), 0.0, True),
            Reading(date(2024, 4, 1), 3000.0, False),
        ]
        self.assertEqual(
            estimate_km_per_day(
                readings, delivery_date=date(2022, 1, 1), today=date(2024, 4, 10)
            ),
            (50.0, True),
        )
        # too soon after the change: the old meter's history is not used
        recent = [*readings[:3], Reading(date(2024, 2, 20), 1000.0, False)]
        self.assertEqual(
            estimate_km_per_day(recent, today=date(2024, 3, 1)), (35.0, False)
        )
        # the old meter's last reading and the new one's first on one day
        same_day = [
            Reading(date(2024, 1, 1), 150000.0, False),
            Reading(date(2024, 1, 1), 0.0, True),
            Reading(date(2024, 3, 1), 1200.0, False),
        ]
        self.assertEqual(
            estimate_km_per_day(same_day, today=date(2024, 3, 1)), (20.0, True)
        )

    def test_estimate_lookback(self):
        readings = [
            Reading(date(2020, 1, 1), 0.0, False),
            Reading(date(2020, 6, 1), 50000.0, False),
            Reading(date(2024, 1, 1), 100000.0, False),
            Reading(date(2024, 7, 1), 109100.0, False),
        ]
        today = date(2024, 7, 10)
        self.assertEqual(
            estimate_km_per_day(readings, today=today), (9100.0 / 182, True)
        )
        self.assertEqual(
            estimate_km_per_day(readings, today=today, lookback_days=10000),
            (109100.0 / 1643, True),
        )
        self.assertEqual(
            estimate_km_per_day(readings, today=today, lookback_days=100), (35.0, False)
        )

    def test_project_date_for_km(self):
        start = date(2024, 1, 1)
        self.assertEqual(
            project_date_for_km(start, 10000.0, 15000.0, 50.0), date(2024, 4, 10)
        )
        # a part of a day is a whole day: the car reaches 15,001 km on day 101
        self.assertEqual(
            project_date_for_km(start, 10000.0, 15001.0, 50.0), date(2024, 4, 11)
        )
        self.assertEqual(project_date_for_km(start, 10000.0, 10000.0, 50.0), start)
        self.assertEqual(project_date_for_km(start, 12000.0, 10000.0, 50.0), start)
        self.assertIsNone(project_date_for_km(start, 10000.0, 15000.0, 0.0))
        self.assertIsNone(project_date_for_km(start, 10000.0, 15000.0, 0.000001))


@tagged("post_install", "-at_install")
class TestValueClass(ToolsCase):
    THRESHOLDS = Thresholds(a_visits=6, a_spend=10000.0, b_visits=3, b_spend=3000.0)

    def test_boundaries(self):
        cases = [
            (6, 10000.0, "A"),
            (7, 10000.01, "A"),
            (100, 1e6, "A"),
            (5, 10000.0, "B"),  # A spend, one visit short: B by spend
            (6, 9999.99, "B"),  # A visits, spend short: B by visits
            (3, 0.0, "B"),
            (0, 3000.0, "B"),
            (2, 3000.0, "B"),
            (3, 2999.99, "B"),
            (2, 2999.99, "C"),
            (0, 0.0, "C"),
            (None, None, "C"),
        ]
        for visits, spend, expected in cases:
            with self.subTest(visits=visits, spend=spend):
                self.assertEqual(classify(visits, spend, self.THRESHOLDS), expected)

    def test_a_needs_both(self):
        thresholds = Thresholds(a_visits=2, a_spend=5000, b_visits=10, b_spend=20000)
        # B thresholds above A ones: a customer meeting one A condition only is C
        self.assertEqual(classify(2, 4999, thresholds), "C")
        self.assertEqual(classify(1, 5000, thresholds), "C")
        self.assertEqual(classify(2, 5000, thresholds), "A")
