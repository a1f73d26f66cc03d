import contextlib
import datetime
from collections import Counter
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests.common import ChromeBrowser

from odoo.addons.autorepair_crm.tests.common import AutorepairCrmCase, add_role_users, make_vin

# the dealer's day the tests live on; 02:00 UTC is 10:00 in China
TODAY = datetime.date(2025, 6, 10)
TZ = "Asia/Shanghai"


def at(day, hour=10, minute=0):
    """freeze_time argument: a local (China) time on a day."""
    return datetime.datetime.combine(day, datetime.time(hour, minute)) - datetime.timedelta(hours=8)


def days(count):
    return datetime.timedelta(days=count)


def run_cron(records, method, *args, limit=200):
    """Call a care cron the way Odoo 18's scheduler does (ir.cron._run_job):
    with a progress record and the job's id in the context, again as long as
    the call reports work done and work left. Returns the sums of the calls'
    counts, with ``calls`` and the last ``remaining``."""
    cron = records.env.ref(f"autorepair_care.ir_cron{method.removeprefix('_cron')}").sudo()
    totals = Counter()
    for _call in range(limit):
        _cron, progress = cron._add_progress()
        result = getattr(records.with_context(cron_id=cron.id, ir_cron_progress_id=progress.id), method)(*args)
        totals.update({key: value for key, value in result.items() if key != "remaining"})
        totals.update(calls=1)
        totals["remaining"] = result["remaining"]
        if not (progress.done and progress.remaining):
            return totals
    raise AssertionError(f"{method} still reports work left after {limit} calls")


@contextlib.contextmanager
def browser_in_china():
    """The tours' Chromium in the dealer's time zone, as the staff's browsers
    are: the web client shows times and "today" in the browser's zone (the
    test server's is UTC), so that a call due today and a deadline at 10:30
    read as the dealer reads them."""
    original = ChromeBrowser.__init__

    def init(browser, *args, **kwargs):
        original(browser, *args, **kwargs)
        browser._websocket_request("Emulation.setTimezoneOverride", params={"timezoneId": TZ})

    with patch.object(ChromeBrowser, "__init__", init):
        yield


class CareCase(AutorepairCrmCase):
    """Fixtures of the care calendar, built without demo data on TODAY:
    agents, one customer per test vehicle, the rules as shipped."""

    @classmethod
    def setUpClass(cls):
        cls.startClassFreeze = freeze_time(at(TODAY))
        cls.startClassFreeze.start()
        cls.addClassCleanup(cls.startClassFreeze.stop)
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz=TZ))
        add_role_users(cls, "ar", {"care_agent_2": "autorepair_care.group_care_agent"})
        cls.company.phone = "028-88886666"
        ref = cls.env.ref
        cls.rule_first = ref("autorepair_care.rule_first_maintenance")
        cls.rule_periodic = ref("autorepair_care.rule_periodic_maintenance")
        cls.rule_warranty = ref("autorepair_care.rule_warranty_expiry")
        cls.rule_inspection = ref("autorepair_care.rule_inspection")
        cls.rule_insurance = ref("autorepair_care.rule_insurance")
        cls.rule_birthday = ref("autorepair_care.rule_birthday")
        cls.rule_recommendation = ref("autorepair_care.rule_recommendation")
        cls.rule_lost = ref("autorepair_care.rule_lost")
        cls.rule_at_risk = ref("autorepair_care.rule_at_risk")
        cls.rule_holiday = ref("autorepair_care.rule_holiday")
        cls.rule_weather = ref("autorepair_care.rule_weather")
        cls.Task = cls.env["autorepair.care.task"]
        # whatever ran in this database before, the rules start from scratch
        cls.env["autorepair.care.rule"].with_context(active_test=False).search([]).last_run_date = False
        cls.slots = cls.env["autorepair.time.slot"].search([])
        cls._serial = 0

    @classmethod
    def _client(cls, name, mobile, **vals):
        return cls._customer(name, mobile, **{"care_agent_id": cls.user_care_agent.id, "lang": "en_US", **vals})

    @classmethod
    def _car(cls, plate, owner, **vals):
        cls._serial += 1
        return cls._vehicle(plate=plate, vin=make_vin(f"LFV2A2BH{cls._serial:08d}"), owner=owner, **vals)

    def run_day(self, day, force=True):
        """The daily run as the scheduler runs it, on a day (local 02:00).
        Forced, the rules already run on that day run again (their watermark
        moved back a day): the unique key and the frequency cap, not the
        watermark, must keep the tasks single."""
        with freeze_time(at(day, 2)):
            if force:
                self.env["autorepair.care.rule"].search([("last_run_date", ">=", day)]).last_run_date = day - days(1)
            return run_cron(self.Task, "_cron_daily_run")

    def dispatch(self, day=TODAY, hour=10):
        with freeze_time(at(day, hour)):
            return run_cron(self.Task, "_cron_dispatch")

    def tasks(self, rule, record):
        field = "vehicle_id" if record._name == "fleet.vehicle" else "partner_id"
        return self.Task.search([("rule_id", "=", rule.id), (field, "=", record.id)])
