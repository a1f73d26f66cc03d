from datetime import datetime, timedelta

import pytz
from freezegun import freeze_time

from odoo import Command, fields, http
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin, new_portal_user

from .common import ServiceOrderCase

SHANGHAI = pytz.timezone("Asia/Shanghai")


def utc(day, hour, minute=0):
    """A Shanghai wall-clock time as the naive UTC datetime the database holds."""
    return SHANGHAI.localize(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)).astimezone(
        pytz.utc).replace(tzinfo=None)


class BookingCase(ServiceOrderCase):
    """The workshop open every day 9:00-12:00 and 13:00-18:00 (Shanghai); one
    engine technician (the skill of the bookings below), two bays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.resource_calendar_id = cls._calendar("门店工作时间", ((9, 12), (13, 18)))
        cls.skill = cls.env["autorepair.skill"].create({"name": "发动机", "user_ids": [Command.link(
            cls.user_technician.id)]})
        cls.env.company.phone = "028-88886666"
        cls.other_car = cls.env["fleet.vehicle"].create({
            "model_id": cls.car_model.id, "license_plate": "川A54321", "vin_sn": make_vin("LFV2A2BHRC654321"),
            "owner_id": cls.customer.id,
        })

    @classmethod
    def _calendar(cls, name, hours):
        return cls.env["resource.calendar"].create({
            "name": name, "tz": "Asia/Shanghai", "company_id": cls.env.company.id,
            "attendance_ids": [Command.clear()] + [Command.create({
                "name": f"{day} {begin}", "dayofweek": str(day), "hour_from": begin, "hour_to": end,
                "day_period": "morning" if begin < 12 else "afternoon",
            }) for day in range(7) for begin, end in hours],
        })

    def _slots(self, day, skill=None, exclude=None):
        start = utc(day, 0)
        return self.env["autorepair.service.order"]._autorepair_free_slots(
            self.env.company, start, start + timedelta(days=1), skill=skill, exclude=exclude)

    def _times(self, slots):
        return [pytz.utc.localize(slot["start"]).astimezone(SHANGHAI).strftime("%H:%M") for slot in slots]


@tagged("post_install", "-at_install")
class TestFreeSlots(BookingCase):
    """Free slots from the technicians' skills and working hours and what
    bookings and cars in the workshop already hold (RULEBOOK §3.2)."""

    MORNING = ["09:00", "09:30", "10:00", "10:30", "11:00"]
    AFTERNOON = ["13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]

    @freeze_time("2026-11-20 00:00:00")
    def test_skills_and_working_hours(self):
        tomorrow = datetime(2026, 11, 21).date()
        slots = self._slots(tomorrow, skill=self.skill)
        self.assertEqual(self._times(slots), self.MORNING + self.AFTERNOON, "the company's hours, by half hours")
        self.assertEqual({slot["technician"] for slot in slots}, {self.user_technician}, "only the skilled one")
        self.assertEqual({slot["bay"] for slot in slots}, {self.bay}, "the first bay free")
        self.assertEqual(slots[0]["end"] - slots[0]["start"], timedelta(hours=1), "the default length")
        # his own working hours (his resource's calendar): mornings only
        self.env["resource.resource"].create({
            "name": self.user_technician.name, "user_id": self.user_technician.id,
            "company_id": self.env.company.id, "calendar_id": self._calendar("上午班", ((9, 12),)).id,
            "tz": "Asia/Shanghai"})
        self.assertEqual(self._times(self._slots(tomorrow, skill=self.skill)), self.MORNING)
        self.skill.user_ids = [Command.clear()]
        self.assertEqual(self._slots(tomorrow, skill=self.skill), [], "nobody with the skill: no slot")

    @freeze_time("2026-11-20 01:00:00")  # 09:00 in Chengdu
    def test_bookings_and_walk_ins_hold_their_bay_and_technician(self):
        today = datetime(2026, 11, 20).date()
        tomorrow = today + timedelta(days=1)
        self._order(appointment_start=utc(tomorrow, 10), bay_id=self.bay.id, technician_id=self.user_technician.id)
        self.assertEqual(self._times(self._slots(tomorrow, skill=self.skill)),
                         ["09:00", "11:00"] + self.AFTERNOON, "the booking 10:00-11:00 holds him")
        # both bays held at 14:00 by others' bookings: nobody can be booked then
        self._order(vehicle_id=self.other_car.id, appointment_start=utc(tomorrow, 14), bay_id=self.bay.id,
                    technician_id=self.user_technician2.id)
        third_car = self.env["fleet.vehicle"].create({
            "model_id": self.car_model.id, "license_plate": "川A11111", "vin_sn": make_vin("LFV2A2BHRC111111"),
            "owner_id": self.customer.id})
        self._order(vehicle_id=third_car.id, appointment_start=utc(tomorrow, 14), bay_id=self.bay2.id)
        self.assertNotIn("14:00", self._times(self._slots(tomorrow, skill=self.skill)), "no bay free at 14:00")
        # a walk-in received now holds him for its planned labour (1.5 h), with no appointment
        walk_in = self._received_order(technician_id=self.user_technician.id)
        self.assertFalse(walk_in.appointment_start)
        self.assertEqual((walk_in.occupation_start, walk_in.occupation_hours), (utc(today, 9), 1.5))
        self.assertEqual(self._times(self._slots(today, skill=self.skill))[:2], ["10:30", "11:00"])
        # the advisor's booking checks the same holds: the walk-in refuses him at 10:00
        with self.assertRaises(ValidationError) as refused:
            self._order(vehicle_id=third_car.id, appointment_start=utc(today, 10),
                        technician_id=self.user_technician.id)
        self.assertIn(walk_in.name, str(refused.exception))
        # promised for noon: the walk-in holds him until then
        walk_in.promised_date = utc(today, 12)
        self.assertEqual(self._times(self._slots(today, skill=self.skill))[:1], ["13:00"])
        # the car delivered or the booking cancelled frees him
        walk_in.sudo().state = "delivered"
        self.assertEqual(self._times(self._slots(today, skill=self.skill))[:1], ["09:00"])

    @freeze_time("2026-11-20 01:00:00")
    def test_load_of_the_day_per_bay_and_technician(self):
        today = datetime(2026, 11, 20).date()
        self._order(appointment_start=utc(today, 10), appointment_end=utc(today, 12), bay_id=self.bay.id,
                    technician_id=self.user_technician.id)
        self._received_order(technician_id=self.user_technician2.id, bay_id=self.bay2.id)
        load = self.env["autorepair.service.order"].read_group(
            [("state", "in", ("draft", "received")), ("occupation_start", "<", utc(today, 23)),
             ("occupation_end", ">", utc(today, 0)), ("bay_id", "!=", False)],
            ["occupation_hours:sum"], ["bay_id"])
        self.assertEqual({row["bay_id"][0]: row["occupation_hours"] for row in load},
                         {self.bay.id: 2.0, self.bay2.id: 1.5})
        self.assertTrue(self.env.ref("autorepair_workshop.autorepair_service_order_action_load"))


@tagged("post_install", "-at_install")
class TestAppointmentReminder(BookingCase):
    """The day before a booking the customer is reminded of it, once."""

    def _reminders(self):
        return self.env["sms.sms"].sudo().search(
            [("partner_id", "=", self.customer.id), ("autorepair_kind", "=", "appointment_reminder")], order="id")

    @freeze_time("2026-11-20 02:00:00")  # 10:00 in Chengdu
    def test_reminded_the_day_before_once_and_again_when_moved(self):
        self.customer.tz = "Asia/Shanghai"
        today = datetime(2026, 11, 20).date()
        tomorrow_order = self._order(appointment_start=utc(today + timedelta(days=1), 9, 30))
        later_order = self._order(vehicle_id=self.other_car.id, appointment_start=utc(today + timedelta(days=2), 9))
        Order = self.env["autorepair.service.order"]
        Order._cron_appointment_reminder()
        Order._cron_appointment_reminder()
        sms = self._reminders()
        self.assertEqual(len(sms), 1, "tomorrow's booking only, once")
        self.assertEqual(sms.autorepair_values["time"], "09:30")
        self.assertIn("028-88886666", sms.body)
        self.assertTrue(tomorrow_order.appointment_reminded_on)
        self.assertFalse(later_order.appointment_reminded_on)
        # moved to another time tomorrow: reminded of the new time
        tomorrow_order.with_user(self.user_advisor).appointment_start = utc(today + timedelta(days=1), 15)
        self.assertFalse(tomorrow_order.appointment_reminded_on)
        Order._cron_appointment_reminder()
        Order._cron_appointment_reminder()
        self.assertEqual(self._reminders().mapped(lambda s: s.autorepair_values["time"]), ["09:30", "15:00"])


@tagged("post_install", "-at_install")
class TestPortalBooking(BookingCase, HttpCase):
    """The customer books, moves and cancels on the portal; another customer's
    booking is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_portal_user(cls.env, "so_booking_zhang", cls.customer)
        cls.other_customer = cls.env["res.partner"].create({
            "name": "李娜", "mobile": "13900139000", "is_autorepair_customer": True})
        cls.other_portal_user = new_portal_user(cls.env, "so_booking_li", cls.other_customer)
        cls.tomorrow = (fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(SHANGHAI) + timedelta(days=1)).date()

    def _post(self, url, **data):
        return self.url_open(url, data={**data, "csrf_token": http.Request.csrf_token(self)})

    def _orders(self):
        return self.env["autorepair.service.order"].search([("partner_id", "=", self.customer.id)])

    def test_customer_books_a_free_slot_confirmed_by_his_channel(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(f"/my/booking?day={self.tomorrow.isoformat()}&vehicle_id={self.vehicle.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("川A12345", page.text)
        self.assertIn(">09:00</label>", page.text)
        self.assertNotIn(">08:30</label>", page.text, "before opening")
        before = self._orders()
        response = self._post("/my/booking/confirm", vehicle_id=self.vehicle.id, need_type="periodic_maintenance",
                              start=fields.Datetime.to_string(utc(self.tomorrow, 9)),
                              requested_work="保养，顺便看下空调")
        self.assertEqual(response.status_code, 200)
        order = self._orders() - before
        self.assertEqual(len(order), 1)
        self.assertIn("message=booked", response.url)
        self.assertEqual((order.state, order.source, order.need_type, order.appointment_start),
                         ("draft", "portal", "periodic_maintenance", utc(self.tomorrow, 9)))
        self.assertEqual(order.appointment_end, utc(self.tomorrow, 10))
        self.assertTrue(order.bay_id and order.technician_id, "bay and technician reserved")
        self.assertEqual(order.requested_work, "保养，顺便看下空调")
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id),
                                                 ("autorepair_kind", "=", "appointment")])
        self.assertEqual(len(sms), 1, "confirmed by his channel")
        # the same time again: the second bay; then none is left and the customer picks another time
        third_car = self.env["fleet.vehicle"].create({
            "model_id": self.car_model.id, "license_plate": "川A11111", "vin_sn": make_vin("LFV2A2BHRC111111"),
            "owner_id": self.customer.id})
        start = fields.Datetime.to_string(utc(self.tomorrow, 9))
        self._post("/my/booking/confirm", vehicle_id=self.other_car.id, need_type="repair", start=start)
        second = self._orders() - before - order
        self.assertEqual(second.bay_id, self.bay2 if order.bay_id == self.bay else self.bay)
        self.assertNotEqual(second.technician_id, order.technician_id)
        response = self._post("/my/booking/confirm", vehicle_id=third_car.id, need_type="repair", start=start)
        self.assertIn("no longer free", response.text)
        self.assertEqual(self._orders() - before, order | second, "no bay is booked twice")

    def test_another_customers_car_and_booking_refused(self):
        order = self._order(appointment_start=utc(self.tomorrow + timedelta(days=2), 10), bay_id=self.bay.id)
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        page = self.url_open("/my/booking")
        self.assertEqual(page.status_code, 200)
        self.assertIn("No car is registered in your name", page.text)
        self.assertNotIn("川A12345", page.text, "his cars only")
        before = self.env["autorepair.service.order"].search_count([])
        response = self._post("/my/booking/confirm", vehicle_id=self.vehicle.id, need_type="repair",
                              start=fields.Datetime.to_string(utc(self.tomorrow, 9)))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.env["autorepair.service.order"].search_count([]), before)
        for url in (f"/my/booking/{order.id}/cancel", f"/my/booking/{order.id}/move"):
            response = self._post(url, start=fields.Datetime.to_string(utc(self.tomorrow, 11)))
            self.assertEqual(response.status_code, 403, url)
        self.assertEqual(self.url_open(f"/my/booking/{order.id}/move").status_code, 403)
        self.assertEqual((order.state, order.appointment_start),
                         ("draft", utc(self.tomorrow + timedelta(days=2), 10)))

    def test_move_and_cancel_up_to_the_set_hours_before(self):
        self.env.company.autorepair_workshop_portal_booking_change_hours = 24
        far = self._order(appointment_start=utc(self.tomorrow + timedelta(days=2), 10), bay_id=self.bay.id,
                          technician_id=self.user_technician.id)
        near = self._order(vehicle_id=self.other_car.id,
                           appointment_start=fields.Datetime.now().replace(microsecond=0) + timedelta(hours=10))
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(far.access_url)
        self.assertIn(f"/my/booking/{far.id}/move", page.text)
        new_start = utc(self.tomorrow + timedelta(days=2), 15)
        response = self._post(f"/my/booking/{far.id}/move", start=fields.Datetime.to_string(new_start))
        self.assertIn("message=moved", response.url)
        self.assertEqual((far.appointment_start, far.appointment_end), (new_start, new_start + timedelta(hours=1)))
        confirmations = self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id),
                                                           ("autorepair_kind", "=", "appointment")], order="id")
        self.assertIn("15:00", confirmations[-1:].body, "the new time confirmed")
        self.assertTrue(far.bay_id and far.technician_id)
        # within 24 hours: refused with the shop's phone, nothing changed
        for url in (f"/my/booking/{near.id}/move", f"/my/booking/{near.id}/cancel"):
            response = self._post(url, start=fields.Datetime.to_string(new_start))
            self.assertIn("028-88886666", response.text, url)
            self.assertIn("can no longer be changed online", response.text)
        self.assertEqual(near.state, "draft")
        self.assertNotEqual(near.appointment_start, new_start)
        response = self._post(f"/my/booking/{far.id}/cancel")
        self.assertIn("message=cancelled", response.url)
        self.assertEqual(far.state, "cancel")
        # the model refuses it for any caller, not only the page
        with self.assertRaisesRegex(Exception, "can no longer be changed online"):
            near._autorepair_portal_cancel()


@tagged("post_install", "-at_install")
class TestUiPortalBooking(BookingCase, HttpCase):
    """The customer books a service on his phone."""

    browser_size = "375,667"
    touch_enabled = True

    def test_customer_books_on_his_phone(self):
        new_portal_user(self.env, "so_booking_tour", self.customer)
        before = self.env["autorepair.service.order"].search([])
        self.start_tour("/my/booking", "autorepair_workshop_portal_booking_phone", login="so_booking_tour")
        order = self.env["autorepair.service.order"].search([]) - before
        self.assertEqual(len(order), 1)
        self.assertEqual((order.source, order.vehicle_id, order.need_type), ("portal", self.other_car, "repair"))
        local = pytz.utc.localize(order.appointment_start).astimezone(SHANGHAI)
        self.assertEqual(local.strftime("%H:%M"), "13:00")
