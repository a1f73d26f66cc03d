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
