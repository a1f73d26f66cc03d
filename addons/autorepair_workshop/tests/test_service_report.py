from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ServiceOrderCase

MEASURES = ["nbr:sum", "amount_untaxed:sum", "average_order_value:avg", "labour_hours:sum", "actual_hours:sum"]


class ServiceReportCase(ServiceOrderCase):
    """Orders worked by hand, to check the manager's figures against."""

    def _delivered_order(self, day, clocked_hours, **decisions):
        """An order of 4 lines (labour 1.5 h x 200, part 2 x 200, twice) delivered on day at 10:00 Beijing time."""
        with freeze_time(day - timedelta(hours=2)):
            order = self._received_order(lines=4)
            self._approve_all(order, **decisions)
            self._work_and_check(order)
            # the labour clocked, as the technicians' time logs record it
            for log in self.env["autorepair.work.log"].search([("order_id", "=", order.id)]):
                log.date_stop = log.date_start + timedelta(hours=clocked_hours)
        with freeze_time(day):
            self._deliver(order)
        return order

    def _check_access(self, model):
        """Advisors and managers read the figures; the workshop floor does not."""
        self._received_order()
        self.env.flush_all()
        for user in (self.user_advisor, self.user_manager):
            self.assertEqual(self.env[model].with_user(user).search_count(
                [("advisor_id", "=", self.user_advisor.id)]), 1)
        with self.assertRaises(AccessError):
            self.env[model].with_user(self.user_technician).search_count([])


@tagged("post_install", "-at_install")
class TestServiceReport(ServiceReportCase):
    """The workshop analysis, one row per order."""

    def _report(self, groupby, domain=()):
        self.env.flush_all()
        Report = self.env["autorepair.service.report"].with_context(tz="Asia/Shanghai")
        # the test's own orders: the database may hold demo orders of other advisors
        mine = [("advisor_id", "=", self.user_advisor.id)]
        return Report.read_group(list(domain) + mine, MEASURES, groupby, lazy=False)

    def test_car_count_revenue_hours_and_average_order_value(self):
        day1, day2 = datetime(2026, 11, 20, 2, 0), datetime(2026, 11, 21, 2, 0)
        # 300 + 400 + 300 + 400 = 1,400 for 3 billed hours, clocked 2 x 1.25 h
        first = self._delivered_order(day1, 1.25)
        # the customer declines the second part: 1,000 for 3 billed hours, clocked 2 x 2 h
        second = self._delivered_order(day2, 2.0, **{"项目3": "declined"})
        # the customer declines the second labour: 1,100 for 1.5 billed hours, clocked 1 h
        third = self._delivered_order(day2, 1.0, **{"项目2": "declined"})
        self.assertEqual((first.amount_untaxed, second.amount_untaxed, third.amount_untaxed), (1400, 1000, 1100))
        with freeze_time(day2):
            open_order = self._received_order()
            cancelled = self._order()
            cancelled.action_cancel()

        delivered = [("state", "in", ("delivered", "done"))]
        [total] = self._report([], delivered)
        self.assertEqual(total["nbr"], 3)
        self.assertEqual(total["__count"], 3)
        self.assertAlmostEqual(total["amount_untaxed"], 3500)
        self.assertAlmostEqual(total["average_order_value"], 3500 / 3, places=2)
        self.assertAlmostEqual(total["labour_hours"], 7.5)
        self.assertAlmostEqual(total["actual_hours"], 2.5 + 4 + 1)

        by_day = {group["date:day"]: group for group in self._report(["date:day"], delivered)}
        self.assertEqual(set(by_day), {"20 Nov 2026", "21 Nov 2026"})
        self.assertEqual(by_day["21 Nov 2026"]["nbr"], 2)
        self.assertAlmostEqual(by_day["21 Nov 2026"]["amount_untaxed"], 2100)
        self.assertAlmostEqual(by_day["21 Nov 2026"]["average_order_value"], 1050)
        self.assertAlmostEqual(by_day["21 Nov 2026"]["labour_hours"], 4.5)
        self.assertAlmostEqual(by_day["20 Nov 2026"]["average_order_value"], 1400)

        [month] = self._report(["date:month", "advisor_id"])
        self.assertEqual(month["date:month"], "November 2026")
        self.assertEqual(month["advisor_id"][0], self.user_advisor.id)
        self.assertEqual(month["nbr"], 4, "the car still in the workshop counts, the cancelled order does not")
        self.assertAlmostEqual(month["amount_untaxed"], 3500 + open_order.amount_untaxed)

        report = self.env["autorepair.service.report"].search([("order_id", "=", open_order.id)])
        self.assertEqual(report.date, open_order.received_date, "an open order is dated when the car came in")
        self.assertFalse(self.env["autorepair.service.report"].search([("order_id", "=", cancelled.id)]))

    def test_access(self):
        self._check_access("autorepair.service.report")


@tagged("post_install", "-at_install")
class TestServiceReportMonth(ServiceReportCase):
    """The figures over years: past months from the nightly cache, the current
    month live, both adding up to what the orders say."""

    def _months(self, domain=()):
        self.env.flush_all()
        Report = self.env["autorepair.service.report.month"]
        mine = [("advisor_id", "=", self.user_advisor.id), ("state", "in", ("delivered", "done"))]
        return {group["month:month"]: group
                for group in Report.read_group(list(domain) + mine, MEASURES, ["month:month"], lazy=False)}

    def _cached_rows(self):
        self.env.cr.execute(
            "SELECT month, nbr FROM autorepair_service_report_month_cache WHERE advisor_id = %s ORDER BY month",
            [self.user_advisor.id])
        return self.env.cr.fetchall()

    def test_past_months_cached_current_month_live(self):
        self.env.company.partner_id.tz = "Asia/Shanghai"
        # 2026-10-31 20:00 UTC is already 1 November in Beijing
        self._delivered_order(datetime(2026, 10, 20, 2, 0), 1.0)
        self._delivered_order(datetime(2026, 10, 31, 20, 0), 1.0, **{"项目3": "declined"})
        self._delivered_order(datetime(2026, 11, 20, 2, 0), 1.0, **{"项目2": "declined"})
        expected = {"October 2026": (1, 1400), "November 2026": (2, 2100)}

        def figures():
            return {month: (group["nbr"], group["amount_untaxed"]) for month, group in self._months().items()}

        self.assertEqual(figures(), expected, "before the first night, every month is added up live")
        with freeze_time("2026-11-21 20:00:00"):
            self.env["autorepair.service.report.month"]._refresh_cache()
            self.env["autorepair.service.report.month"]._refresh_cache()
            self.assertEqual(self._cached_rows(), [(datetime(2026, 10, 1).date(), 1)],
                             "only the months that are over are cached, once however often the cron runs")
            self.assertEqual(figures(), expected)
            # a car delivered today counts today
            self._delivered_order(datetime(2026, 11, 21, 19, 0), 1.0)
            self.assertEqual(figures()["November 2026"][0], 3)

        # the average order value of the year is the revenue over the car count,
        # not the average of the months' averages
        [year] = self.env["autorepair.service.report.month"].read_group(
            [("advisor_id", "=", self.user_advisor.id), ("state", "in", ("delivered", "done"))],
            ["average_order_value:avg"], [], lazy=False)
        self.assertAlmostEqual(year["average_order_value"], (1400 + 1000 + 1100 + 1400) / 4, places=2)
        self.assertNotIn("nbr", year)

    def test_access(self):
        self._check_access("autorepair.service.report.month")
