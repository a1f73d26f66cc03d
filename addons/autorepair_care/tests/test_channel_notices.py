from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .common import TODAY, CareCase, days


@tagged("post_install", "-at_install")
class TestCareChannelNotices(CareCase):
    """A care reminder's fallback and a broadcast go out through the
    company's channel: SMS of kind care / broadcast carrying their rule and
    template values, or WeChat messages for the customers who prefer it;
    each rule may have its own provider template."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the demo dealer's templates aside: each test registers the ones it needs
        cls.env["autorepair.channel.template"].search([]).active = False
        cls.company.sudo().autorepair_wechat_app_id = "wx1234567890abcdef"
        consent = {"marketing_consent": True, "marketing_consent_date": TODAY, "marketing_consent_source": "form"}
        cls.by_sms = cls._client("王芳", "13800138021", **consent)
        cls.by_wechat = cls._client("李娜", "13800138022", preferred_channel="wechat", **consent)
        cls.by_wechat.sudo().autorepair_wechat_openid = "o6_bmjrPTlm6_2sgVt7"
        cls.unbound = cls._client("刘洋", "13800138023", preferred_channel="wechat", **consent)
        cls.opted_out = cls._client("陈静", "13800138024", service_opt_out=True, marketing_opt_out=True)
        cls.everyone = cls.by_sms | cls.by_wechat | cls.unbound | cls.opted_out
        for index, customer in enumerate(cls.everyone):
            cls._car(f"川A4000{index}", customer, inspection_due_date=TODAY + days(30))

    def _sms(self, partners):
        return self.env["sms.sms"].sudo().search([("partner_id", "in", partners.ids)], order="id")

    def _wechat(self, partners):
        return self.env["autorepair.wechat.message"].sudo().search([("partner_id", "in", partners.ids)], order="id")

    def _remind_by_fallback(self, partners):
        self.run_day(TODAY)
        tasks = self.Task.search([("rule_id", "=", self.rule_inspection.id), ("partner_id", "in", partners.ids)])
        self.assertEqual(tasks.partner_id, partners)
        tasks._fail("unreachable")
        self.dispatch(TODAY, 20)
        return tasks

    def _template(self, kind, code, params, rule=None):
        return self.env["autorepair.channel.template"].with_user(self.user_care_manager).create({
            "name": code, "kind": kind, "provider": "aliyun", "code": code, "approved": True,
            "care_rule_id": rule and rule.id,
            "param_ids": [(0, 0, {"sequence": i, "name": name, "source": source})
                          for i, (name, source) in enumerate(params)],
        })

    def _provider_template(self, sms):
        return self.env["autorepair.channel.template"]._autorepair_find(
            sms.autorepair_company_id, "aliyun", sms.autorepair_kind, sms._autorepair_template_domain())

    def test_care_fallback_queued_with_its_kind_rule_and_values(self):
        tasks = self._remind_by_fallback(self.by_sms)
        sms = self._sms(self.by_sms)
        self.assertEqual(len(sms), 1)
        self.assertEqual((sms.autorepair_kind, sms.care_rule_id, sms.autorepair_company_id),
                         ("care", self.rule_inspection, self.company))
        self.assertEqual(sms.autorepair_values, {
            "customer": "王芳", "company": self.company.name, "company_phone": "028-88886666", "plate": "川A40000",
            "vehicle": tasks.vehicle_id.model_id.display_name, "date": str(TODAY + days(30))})
        self.assertEqual(tasks.message_state, "queued")

    def test_a_rule_template_before_the_kind_template(self):
        general = self._template("care", "SMS_46021536", [("name", "customer"), ("plate", "plate"), ("date", "date")])
        own = self._template("care", "SMS_46021541", [("name", "customer"), ("shop", "company")],
                             rule=self.rule_birthday)
        self._remind_by_fallback(self.by_sms)
        sms = self._sms(self.by_sms)
        self.assertEqual(self._provider_template(sms), general, "the inspection rule has none of its own")
        self.assertEqual(general._autorepair_params(sms.autorepair_values),
                         [("name", "王芳"), ("plate", "川A40000"), ("date", str(TODAY + days(30)))])
        sms.care_rule_id = self.rule_birthday
        self.assertEqual(self._provider_template(sms), own)
        self.assertEqual(own._autorepair_params(sms.autorepair_values), [("name", "王芳"), ("shop", self.company.name)])
        # one approved template per rule and kind, beside the kind's general one
        with self.assertRaises(ValidationError):
            self._template("care", "SMS_46021542", [("name", "customer")], rule=self.rule_birthday)

    def test_no_approved_template_not_sent_and_the_reason_shown(self):
        self.company.sudo().write({"autorepair_sms_provider": "aliyun", "autorepair_sms_sign_name": "锦城汽车"})
        self._remind_by_fallback(self.by_sms)
        sms = self._sms(self.by_sms)
        sms.send()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_template"))
        self.assertIn("Care Reminder", sms.autorepair_failure_reason)

    def test_a_bound_customer_preferring_wechat_gets_wechat_not_sms(self):
        tasks = self._remind_by_fallback(self.by_sms | self.by_wechat | self.unbound)
        self.assertFalse(self._sms(self.by_wechat))
        self.assertEqual(self._sms(self.by_sms | self.unbound).partner_id, self.by_sms | self.unbound,
                         "not bound: SMS")
        message = self._wechat(self.everyone)
        self.assertEqual(len(message), 1)
        task = tasks.filtered(lambda t: t.partner_id == self.by_wechat)
        self.assertEqual(
            (message.partner_id, message.openid, message.kind, message.state, message.res_model, message.res_id,
             message.company_id),
            (self.by_wechat, "o6_bmjrPTlm6_2sgVt7", "care", "queued", "autorepair.care.task", task.id, self.company))
        self.assertEqual(message.values["plate"], "川A40001")
        self.assertIn("川A40001", message.body)
        self.assertEqual(task.message_state, "queued")
        self.assertTrue(task.message_ids.filtered(lambda m: "By WeChat" in str(m.body)))

    def test_a_customer_on_wechat_only_needs_no_mobile(self):
        only_wechat = self._client("赵敏", False, preferred_channel="wechat", autorepair_wechat_openid="o6_only")
        self._car("川A40099", only_wechat, inspection_due_date=TODAY + days(30))
        self._remind_by_fallback(only_wechat)
        self.assertEqual(self._wechat(only_wechat).mapped("state"), ["queued"])
        self.assertFalse(self._sms(only_wechat))

    def test_wechat_reminder_falling_back_to_sms_keeps_its_rule(self):
        self._remind_by_fallback(self.by_wechat)
        self._wechat(self.by_wechat)._autorepair_fallback("43004: require subscribe")
        sms = self._sms(self.by_wechat)
        self.assertEqual((sms.autorepair_kind, sms.care_rule_id), ("care", self.rule_inspection))

    def test_opted_out_customers_get_nothing_on_wechat_either(self):
        """Consent and opt-out apply to WeChat as to SMS: a WeChat customer who
        opted out gets no reminder, and one who opts out of marketing after a
        broadcast was scheduled gets no broadcast."""
        self.opted_out.sudo().write({"preferred_channel": "wechat", "autorepair_wechat_openid": "o6_out"})
        self.run_day(TODAY)
        self.Task.search([("rule_id", "=", self.rule_inspection.id),
                          ("partner_id", "in", self.everyone.ids)])._fail("unreachable")
        self.dispatch(TODAY, 20)
        self.assertFalse(self._sms(self.opted_out))
        self.assertFalse(self._wechat(self.opted_out))
        self.assertTrue(self._wechat(self.by_wechat), "the others still get theirs")
        broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
            "name": "端午节", "rule_id": self.rule_holiday.id,
            "segment_domain": f"[('id', 'in', {self.everyone.ids})]",
        })
        broadcast.action_schedule()
        self.assertIn(self.by_wechat, broadcast.recipient_ids.partner_id)
        self.by_wechat.write({"marketing_consent": False, "marketing_opt_out": True})
        self.dispatch(TODAY, 10)
        self.assertFalse(self._wechat(self.by_wechat).filtered(lambda m: m.kind == "broadcast"))
        self.assertFalse(self._wechat(self.opted_out))
        self.assertEqual(self._sms(self.everyone).filtered(lambda s: s.autorepair_kind == "broadcast").partner_id,
                         self.by_sms | self.unbound)

    def test_broadcast_by_sms_and_wechat(self):
        broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
            "name": "端午节", "rule_id": self.rule_holiday.id,
            "segment_domain": f"[('id', 'in', {(self.by_sms | self.by_wechat).ids})]",
        })
        broadcast.action_schedule()
        self.dispatch(TODAY, 10)
        self.assertEqual(broadcast.state, "sent")
        sms = self._sms(self.by_sms | self.by_wechat)
        self.assertEqual(sms.partner_id, self.by_sms)
        self.assertEqual((sms.autorepair_kind, sms.care_rule_id), ("broadcast", self.rule_holiday))
        self.assertEqual(sms.autorepair_values["customer"], "王芳")
        self.assertIn("王芳", sms.autorepair_values["text"])
        message = self._wechat(self.by_sms | self.by_wechat)
        self.assertEqual((message.partner_id, message.kind, message.state), (self.by_wechat, "broadcast", "queued"))
        self.assertIn("李娜", message.body)

    def test_dispatch_queries_do_not_grow_with_the_batch(self):
        """The fallback of a batch costs the same queries for 4 customers as
        for 12, WeChat ones included: the channel is chosen per customer from
        prefetched fields, and each channel is one INSERT."""
        def batch(count, start):
            partners = self.env["res.partner"]
            for index in range(count):
                partner = self._client(f"客户{start + index}", f"1390013{start + index:04d}")
                if index % 2:
                    partner.sudo().write({"preferred_channel": "wechat",
                                          "autorepair_wechat_openid": f"o_{start + index}"})
                self._car(f"川B{start + index:05d}", partner, inspection_due_date=TODAY + days(30))
                partners |= partner
            self.run_day(TODAY)
            tasks = self.Task.search([("rule_id", "=", self.rule_inspection.id), ("partner_id", "in", partners.ids)])
            tasks._fail("unreachable")
            self.env.flush_all()
            self.env.invalidate_all()
            return tasks

        counts = []
        # the first batch warms the caches (templates, ir.model); the next two are compared
        for count, start in ((2, 50), (4, 100), (12, 200)):
            tasks = batch(count, start)
            queries = self.env.cr.sql_log_count
            tasks._queue_messages()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - queries)
            self.assertEqual(len(self._sms(tasks.partner_id)) + len(self._wechat(tasks.partner_id)), count)
        counts = counts[1:]
        self.assertEqual(counts[0], counts[1], counts)


    def test_broadcast_queries_do_not_grow_with_the_batch(self):
        """A broadcast's batch costs the same queries for 4 recipients as for
        12, half of them on WeChat."""
        consent = {"marketing_consent": True, "marketing_consent_date": TODAY, "marketing_consent_source": "form"}
        counts = []
        for count, start in ((2, 50), (4, 100), (12, 200)):
            partners = self.env["res.partner"]
            for index in range(count):
                partner = self._client(f"客户{start + index}", f"1390013{start + index:04d}", **consent)
                if index % 2:
                    partner.sudo().write({"preferred_channel": "wechat",
                                          "autorepair_wechat_openid": f"o_{start + index}"})
                partners |= partner
            broadcast = self.env["autorepair.care.broadcast"].with_user(self.user_care_manager).create({
                "name": f"端午节{start}", "rule_id": self.rule_holiday.id,
                "segment_domain": f"[('id', 'in', {partners.ids})]",
            })
            broadcast.action_schedule()
            recipients = broadcast.recipient_ids
            self.assertEqual(len(recipients), count)
            self.env.flush_all()
            self.env.invalidate_all()
            # as the dispatch claims them: one recordset, read together
            recipients = recipients.browse(recipients.ids)
            queries = self.env.cr.sql_log_count
            broadcast._queue(recipients)
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - queries)
            self.assertEqual(len(self._sms(partners)), count - count // 2)
            self.assertEqual(len(self._wechat(partners)), count // 2)
        self.assertEqual(counts[1], counts[2], counts[1:])


@tagged("post_install", "-at_install")
class TestCareTemplateAccess(CareCase, HttpCase, RpcClientMixin):
    """The care manager edits the provider templates of the notices; a care
    agent reads them and changes nothing, in the client or over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["autorepair.channel.template"].search([]).active = False
        cls.template = cls.env["autorepair.channel.template"].with_user(cls.user_care_manager).create({
            "name": "生日祝福", "kind": "care", "provider": "aliyun", "code": "SMS_46021541", "approved": True,
            "care_rule_id": cls.rule_birthday.id, "param_ids": [(0, 0, {"name": "name", "source": "customer"})],
        })

    def _snapshot(self):
        template = self.template.sudo()
        return template.code, template.approved, template.param_ids.mapped("source")

    def test_the_care_manager_edits_templates(self):
        self.template.with_user(self.user_care_manager).write({
            "code": "SMS_46021542", "param_ids": [(0, 0, {"name": "shop", "source": "company"})]})
        self.assertEqual(self._snapshot(), ("SMS_46021542", True, ["customer", "company"]))
        self._jsonrpc_ok(self.user_care_manager, "autorepair.channel.template", "write", [self.template.id],
                         {"approved": False})
        self.assertFalse(self.template.approved)

    def test_a_care_agent_changes_nothing(self):
        template = self.template.with_user(self.user_care_agent)
        self.assertEqual(template.code, "SMS_46021541", "he reads them")
        with self.assertRaises(AccessError):
            template.write({"code": "SMS_1"})
        with self.assertRaises(AccessError):
            template.param_ids.write({"source": "link"})
        with self.assertRaises(AccessError):
            self.env["autorepair.channel.template"].with_user(self.user_care_agent).create({
                "name": "x", "kind": "broadcast", "provider": "aliyun", "code": "SMS_2"})
        self._assert_rpc_refused(self.user_care_agent, "autorepair.channel.template", "write",
                                 [self.template.id], {"code": "SMS_1", "approved": False})
        self._assert_rpc_refused(self.user_care_agent, "autorepair.channel.template.param", "write",
                                 self.template.param_ids.ids, {"source": "link"})
