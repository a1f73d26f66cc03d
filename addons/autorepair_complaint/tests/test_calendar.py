from datetime import datetime

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged

# 2026-11-28 is a Saturday. China is UTC+8: 06:04 there is 22:04 UTC the day before.
SAT_0604 = datetime(2026, 11, 27, 22, 4)


@tagged("post_install", "-at_install")
class TestDealerCalendar(TransactionCase):
    """The dealer's opening hours (08:30-18:00 every day, China time) are
    data: the hours complaint deadlines run in, and a new dealer's working
    hours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.dealer_hours = cls.env.ref("autorepair_complaint.resource_calendar_dealer")
        cls.company_new = cls.env["res.company"].create({"name": "成都新店"})
        cls.customer = cls.env["res.partner"].create({
            "name": "王小明", "mobile": "13800138000", "is_autorepair_customer": True,
            "company_id": cls.company_new.id,
        })

    def _complaint(self, reported, company=None):
        company = company or self.company_new
        with freeze_time("2026-12-01 04:00:00"):
            return self.env["autorepair.complaint"].with_company(company).create({
                "subject": "空调异响", "channel": "phone", "partner_id": self.customer.id,
                "company_id": company.id, "reported_date": reported,
            })

    def assertHours(self, calendar):
        self.assertEqual(calendar.tz, "Asia/Shanghai")
        hours = {}
        for attendance in calendar.attendance_ids:
            day = hours.setdefault(attendance.dayofweek, [24.0, 0.0])
            day[0], day[1] = min(day[0], attendance.hour_from), max(day[1], attendance.hour_to)
        self.assertEqual(hours, {str(day): [8.5, 18.0] for day in range(7)}, "08:30-18:00, Monday to Sunday")
        self.assertEqual(sum(a.hour_to - a.hour_from for a in calendar.attendance_ids), 7 * 9.5, "open at noon")

    def test_shipped_dealer_hours(self):
        self.assertHours(self.dealer_hours)

    def test_new_dealer_works_in_the_dealer_hours(self):
        calendar = self.company_new.resource_calendar_id
        self.assertNotEqual(calendar, self.dealer_hours, "its own copy, to change as it opens")
        self.assertEqual(calendar.company_id, self.company_new)
        self.assertHours(calendar)

    def test_complaint_at_0604_answered_by_1030_saturday_too(self):
        """RULEBOOK §7: the customer is contacted within 2 working hours. A
        complaint at 06:04 is due at 10:30 that day (opening 08:30 + 2 h),
        on a Saturday as on a weekday, not at 17:00 in Brussels' hours."""
        self.assertFalse(self.company_new.autorepair_complaint_calendar_id, "the company's hours then")
        saturday = self._complaint(SAT_0604)
        self.assertEqual(saturday.first_response_deadline, datetime(2026, 11, 28, 2, 30))  # 10:30 in China
        wednesday = self._complaint(datetime(2026, 11, 24, 22, 4))
        self.assertEqual(wednesday.first_response_deadline, datetime(2026, 11, 25, 2, 30))
        # 17:00 on a Sunday: one hour that day, one from Monday's opening (09:30)
        sunday_evening = self._complaint(datetime(2026, 11, 29, 9, 0))
        self.assertEqual(sunday_evening.first_response_deadline, datetime(2026, 11, 30, 1, 30))

    def test_companies_there_at_installation_count_in_the_dealer_hours(self):
        """The companies already there when complaints are installed get the
        dealer's hours as their complaint hours, whatever their own."""
        main = self.env.ref("base.main_company")
        self.assertEqual(main.autorepair_complaint_calendar_id, self.dealer_hours)
        self.company_new.autorepair_complaint_calendar_id = False
        self.company_new.resource_calendar_id.attendance_ids.filtered(
            lambda attendance: attendance.dayofweek in ("5", "6")).unlink()
        self.env["res.company"]._autorepair_complaint_init_calendar()
        self.assertEqual(self.company_new.autorepair_complaint_calendar_id, self.dealer_hours)
        self.assertEqual(self._complaint(SAT_0604).first_response_deadline, datetime(2026, 11, 28, 2, 30))
