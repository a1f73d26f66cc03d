import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TODAY, CareCase, at, days


@tagged("post_install", "-at_install")
class TestConsent(CareCase):
    """Marketing contacts only with consent; never to an opted-out or
    blacklisted customer. Service reminders go to everyone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        birthday = TODAY.replace(year=1980)
        cls.consent = consent = {
            "marketing_consent": True, "marketing_consent_date": TODAY, "marketing_consent_source": "form"}
        cls.consenting = cls._client("同意", "13800138011", email="yes@example.com", birthday=birthday, **consent)
        cls.no_consent = cls._client("未同意", "13800138012", email="maybe@example.com", birthday=birthday)
        cls.opted_out = cls._client("退订", "13800138013", email="no@example.com", birthday=birthday,
                                    marketing_opt_out=True)
        cls.phone_listed = cls._client("拉黑手机", "13800138014", email="p@example.com", birthday=birthday, **consent)
        cls.mail_listed = cls._client("拉黑邮箱", "13800138015", email="m@example.com", birthday=birthday, **consent)
        cls.env["phone.blacklist"].sudo().add("+8613800138014")
        cls.env["mail.blacklist"].sudo()._add("m@example.com")
        cls.everyone = cls.consenting | cls.no_consent | cls.opted_out | cls.phone_listed | cls.mail_listed
        for index, customer in enumerate(cls.everyone):
            cls._car(f"川A3000{index}", customer, inspection_due_date=TODAY + days(30))

    def messages_to(self, partners):
        return (self.env["sms.sms"].sudo().search_count([("partner_id", "in", partners.ids)])
                + self.env["mail.mail"].sudo().search_count([("recipient_ids", "in", partners.ids)]))

    def test_birthday_greetings_only_with_consent(self):
        self.run_day(TODAY)
        for customer in self.everyone:
            expected = 1 if customer == self.consenting else 0
            self.assertEqual(len(self.tasks(self.rule_birthday, customer)), expected, customer.name)

    def test_service_reminders_reach_everyone(self):
        self.run_day(TODAY)
        for customer in self.everyone:
            self.assertEqual(len(self.Task.search([("rule_id", "=", self.rule_inspection.id),
                                                   ("partner_id", "=", customer.id)])), 1, customer.name)

    def test_opt_out_or_blacklist_after_the_task_was_made(self):
        """Consent is checked again when the message leaves: a customer who
        opted out, or whose number was blacklisted, after his greeting was
        planned gets no SMS; the others still get theirs."""
        birthday = TODAY.replace(year=1980)
        listed_later = self._client("后拉黑", "13800138016", birthday=birthday, **self.consent)
        stays = self._client("照常", "13800138017", birthday=birthday, **self.consent)
        self.run_day(TODAY)
        greeted = self.consenting | listed_later | stays
        tasks = self.Task.search([("rule_id", "=", self.rule_birthday.id), ("partner_id", "in", greeted.ids)])
        self.assertEqual(tasks.partner_id, greeted)
        self.consenting.write({"marketing_consent": False, "marketing_opt_out": True})
        self.env["phone.blacklist"].sudo().add("+8613800138016")
        for task in tasks:
            for hour in (10, 15, 19):
                self.env["autorepair.care.attempt"].create({
                    "task_id": task.id, "outcome": "no_answer", "date": f"2025-06-10 {hour - 8:02d}:00:00",
                    "user_id": self.user_care_agent.id})
        self.assertEqual(set(tasks.mapped("state")), {"failed"})
        self.assertEqual(set(tasks.mapped("message_state")), {"pending"})
        self.dispatch(TODAY, 20)
        self.assertEqual(self.tasks(self.rule_birthday, self.consenting).message_block_reason, "No marketing consent")
        self.assertEqual(self.tasks(self.rule_birthday, listed_later).message_block_reason, "Blacklisted")
        self.assertEqual(self.messages_to(self.consenting | listed_later), 0)
        self.assertEqual(self.messages_to(stays), 1)

    def test_blacklisted_address_stops_marketing_on_every_channel(self):
        """Who a message may reach is one definition, when the tasks are made
        and when the messages leave: an address blacklisted after the
        birthday greeting was planned stops its SMS too (no marketing at all),
        while the service reminder's SMS still goes."""
        self.run_day(TODAY)
        greeting = self.tasks(self.rule_birthday, self.consenting)
        reminder = self.Task.search([("rule_id", "=", self.rule_inspection.id),
                                     ("partner_id", "=", self.consenting.id)])
        self.env["mail.blacklist"].sudo()._add("yes@example.com")
        (greeting | reminder)._fail("unreachable")
        self.assertEqual((greeting | reminder).mapped("message_channel"), ["sms", "sms"])
        self.dispatch(TODAY, 20)
        self.assertEqual((greeting.message_state, greeting.message_block_reason), ("blocked", "Blacklisted"))
        self.assertEqual(reminder.message_state, "queued")
        self.assertEqual(self.messages_to(self.consenting), 1)

    def test_broadcast_to_a_segment(self):
        broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
            "name": "端午节", "rule_id": self.rule_holiday.id,
            "segment_domain": f"[('id', 'in', {self.everyone.ids})]",
        })
        self.assertEqual(broadcast.channel, "sms")
        self.assertIn("{{ object.name }}", broadcast.body)
        self.assertEqual((broadcast.month_count, broadcast.month_minimum), (0, 3))
        broadcast.action_schedule()
        # blacklisted on either channel: no marketing at all
        self.assertEqual(broadcast.recipient_ids.partner_id, self.consenting)
        self.dispatch(TODAY, 10)
        self.assertEqual(broadcast.state, "sent")
        sms = self.env["sms.sms"].sudo().search([("partner_id", "in", self.everyone.ids)])
        self.assertEqual(sms.partner_id, self.consenting)
        self.assertIn("同意", sms.filtered(lambda s: s.partner_id == self.consenting).body)
        self.assertEqual(self.messages_to(self.opted_out | self.no_consent | self.phone_listed | self.mail_listed), 0)
        self.assertEqual(broadcast.month_count, 1)

    def test_weather_warning_by_email(self):
        broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
            "name": "暴雨预警", "rule_id": self.rule_weather.id, "channel": "email",
            "segment_domain": f"[('id', 'in', {self.everyone.ids})]",
            "body_html": '<p><t t-out="object.name"/>, heavy rain tonight: park away from low ground.</p>',
        })
        broadcast.action_schedule()
        self.assertEqual(broadcast.recipient_ids.partner_id, self.consenting)
        self.assertFalse(self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.everyone.ids)]),
                         "queued by the dispatch, not when scheduled")
        self.dispatch(TODAY, 10)
        mail = self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.everyone.ids)])
        self.assertEqual(mail.recipient_ids, self.consenting)
        self.assertEqual((mail.state, mail.subject), ("outgoing", "暴雨预警"))
        self.assertIn("同意, heavy rain", str(mail.body_html))
        self.assertEqual(self.messages_to(self.everyone - self.consenting), 0)

    def test_dispatch_reports_what_is_left_of_every_step(self):
        """One batch a call, the task messages first, then each broadcast:
        every call reports the messages and broadcasts left, so that Odoo's
        scheduler calls again until the broadcast is sent."""
        self.run_day(TODAY)
        self.env["ir.config_parameter"].sudo().set_param("autorepair_care.batch_size", 1)
        self.Task.search([("rule_id", "=", self.rule_inspection.id),
                          ("partner_id", "in", (self.consenting | self.no_consent).ids)])._fail("unreachable")
        other = self._client("同意2", "13800138018", **self.consent)
        broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
            "name": "端午节", "rule_id": self.rule_holiday.id,
            "segment_domain": f"[('id', 'in', {(self.consenting | other).ids})]",
        })
        broadcast.action_schedule()
        cron = self.env.ref("autorepair_care.ir_cron_dispatch")
        calls = []
        with freeze_time(at(TODAY, 10)):
            for _call in range(5):
                result = self.Task.with_context(cron_id=cron.id)._cron_dispatch()
                calls.append({key: value for key, value in result.items() if not key.endswith("_seconds")})
        self.assertEqual(calls, [
            {"done": 1, "queued": 1, "remaining": 1 + 1 + 2},  # a reminder, the broadcast and its 2 customers
            {"done": 1, "queued": 1, "remaining": 1 + 2},
            {"done": 1, "broadcast": 1, "remaining": 1 + 1},
            {"done": 1, "broadcast": 1, "remaining": 0},
            {"done": 0, "remaining": 0},
        ])
        self.assertEqual(broadcast.state, "sent")
        self.assertEqual(self.messages_to(self.consenting | other | self.no_consent), 4)

    def test_broadcast_month_count_against_the_standard(self):
        Broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager)
        for name in ("端午节", "高温预警", "暴雨预警"):
            broadcast = Broadcast.create({"name": name, "rule_id": self.rule_holiday.id,
                                          "segment_domain": f"[('id', 'in', {self.consenting.ids})]"})
            broadcast.action_schedule()
        self.assertEqual(broadcast.month_count, 3)
        self.assertGreaterEqual(broadcast.month_count, broadcast.month_minimum)
        self.dispatch(TODAY, 10)
        self.assertEqual(self.env["sms.sms"].sudo().search_count([("partner_id", "=", self.consenting.id)]), 3)

    def test_broadcast_frequency_cap(self):
        Broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager)
        first = Broadcast.create({"name": "端午节", "rule_id": self.rule_holiday.id,
                                  "segment_domain": f"[('id', 'in', {self.consenting.ids})]"})
        first.action_schedule()
        self.dispatch(TODAY, 10)
        second = Broadcast.create({"name": "端午节 2", "rule_id": self.rule_holiday.id,
                                   "segment_domain": f"[('id', 'in', {self.consenting.ids})]"})
        second.action_schedule()
        self.assertFalse(second.recipient_ids, "greeted less than the rule's cap ago")


@tagged("post_install", "-at_install")
class TestConsentPerPurpose(CareCase):
    """Service reminders go with the service consent (on unless withdrawn),
    marketing only with the marketing consent; an opt-out is honoured by
    every kind of care, when tasks are planned and when messages leave;
    every marketing SMS ends with 回T退订, no service SMS does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        consent = {"marketing_consent": True, "marketing_consent_date": TODAY, "marketing_consent_source": "form"}
        cls.both = cls._client("都同意", "13800138041", email="both@example.com", **consent)
        cls.service_only = cls._client("只要提醒", "13800138042", email="service@example.com")
        cls.marketing_out = cls._client("退订营销", "13800138043", email="mout@example.com",
                                        marketing_opt_out=True)
        cls.service_out = cls._client("不要提醒", "13800138044", email="sout@example.com", service_opt_out=True,
                                      **consent)
        cls.everyone = cls.both | cls.service_only | cls.marketing_out | cls.service_out
        cls.rules = cls.env["autorepair.care.rule"].search([("kind", "not in", ("holiday", "weather"))])

    def test_purpose_of_each_kind(self):
        purposes = {rule.kind: rule.purpose for rule in self.rules | self.rule_holiday | self.rule_weather}
        self.assertEqual(purposes, {
            "first_maintenance": "service", "periodic_maintenance": "service", "warranty_expiry": "service",
            "inspection": "service", "insurance": "service", "birthday": "marketing",
            "recommendation": "marketing", "lost": "marketing", "at_risk": "marketing",
            "holiday": "marketing", "weather": "marketing", "followup": "service",
        })

    def _task(self, rule, partner):
        vehicle = self._car(f"川C{self._serial + 1:05d}", partner) if rule.target == "vehicle" else False
        return self.Task.sudo().create({
            "rule_id": rule.id, "kind": rule.kind, "partner_id": partner.id,
            "vehicle_id": vehicle and vehicle.id, "due_date": TODAY, "deadline": TODAY + days(7),
        })

    def test_every_kind_honours_consent_and_opt_out_when_messages_leave(self):
        """The fallback SMS or email of each kind, for each customer: tasks
        made before a decision must still respect it."""
        expected_blocked = {
            "service": {self.service_out: "Opted out of service reminders"},
            "marketing": {self.service_only: "No marketing consent", self.marketing_out: "No marketing consent"},
        }
        # the follow-up retry sends nothing when it fails: its message went with the first call
        for rule in self.rules.filtered(lambda r: r.fallback_channel != "none"):
            with self.subTest(kind=rule.kind):
                tasks = self.Task.browse()
                for partner in self.everyone:
                    tasks |= self._task(rule, partner)
                tasks._fail("unreachable")
                self.dispatch(TODAY, 10)
                blocked = expected_blocked[rule.purpose]
                for task in tasks:
                    if task.partner_id in blocked:
                        self.assertEqual((task.message_state, task.message_block_reason),
                                         ("blocked", blocked[task.partner_id]), task.partner_id.name)
                    else:
                        self.assertEqual(task.message_state, "queued", task.partner_id.name)
                sms = self.env["sms.sms"].sudo().search([("partner_id", "in", self.everyone.ids)])
                if rule.fallback_channel == "sms":
                    self.assertEqual(sms.partner_id, tasks.filtered(lambda t: t.message_state == "queued").partner_id)
                    for body in sms.mapped("body"):
                        if rule.purpose == "marketing":
                            self.assertTrue(body.endswith("\n回T退订"), body)
                            self.assertEqual(body.count("回T退订"), 1)
                        else:
                            self.assertNotIn("回T退订", body)
                sms.unlink()
                self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.everyone.ids)]).unlink()

    def test_service_reminder_with_service_consent_marketing_without(self):
        """The inspection reminder reaches the customer who never consented
        to marketing (and the one who opted out of it), not the one who
        opted out of service reminders; no birthday greeting without consent."""
        birthday = TODAY.replace(year=1980)
        for index, customer in enumerate(self.everyone):
            customer.birthday = birthday
            self._car(f"川D3000{index}", customer, inspection_due_date=TODAY + days(30))
        self.run_day(TODAY)
        reminded = self.Task.search([("rule_id", "=", self.rule_inspection.id)]).partner_id
        self.assertEqual(reminded & self.everyone, self.both | self.service_only | self.marketing_out)
        greeted = self.Task.search([("rule_id", "=", self.rule_birthday.id)]).partner_id
        self.assertEqual(greeted & self.everyone, self.both | self.service_out)

    def test_no_win_back_for_the_opted_out(self):
        first = datetime.date(2025, 7, 1)
        for index, customer in enumerate(self.everyone):
            self._car(f"川E2000{index}", customer, delivery_date=first - days(100),
                      warranty_end_date=first + days(400), warranty_end_km=100000)
        self.run_day(first)
        listed = self.Task.search([("rule_id", "=", self.rule_lost.id)]).partner_id
        self.assertEqual(listed & self.everyone, self.both | self.service_only | self.service_out)

    def test_broadcast_sms_carries_the_unsubscribe_line_once(self):
        broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
            "name": "中秋", "rule_id": self.rule_holiday.id, "body": "{{ object.name }}，中秋快乐！回T退订",
            "segment_domain": f"[('id', 'in', {self.everyone.ids})]",
        })
        broadcast.action_schedule()
        self.assertEqual(broadcast.recipient_ids.partner_id, self.both | self.service_out)
        self.dispatch(TODAY, 10)
        sms = self.env["sms.sms"].sudo().search([("partner_id", "in", self.everyone.ids)])
        self.assertEqual(sms.partner_id, self.both | self.service_out)
        self.assertEqual(sms.filtered(lambda s: s.partner_id == self.both).body, "都同意，中秋快乐！回T退订")

    def test_opt_out_by_reply_stops_the_next_broadcast(self):
        self.env["autorepair.sms.reply"]._receive("13800138041", "TD")
        broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
            "name": "国庆", "rule_id": self.rule_holiday.id,
            "segment_domain": f"[('id', 'in', {self.both.ids})]",
        })
        broadcast.action_schedule()
        self.dispatch(TODAY, 10)
        self.assertFalse(self.env["sms.sms"].sudo().search([("partner_id", "=", self.both.id)]))
