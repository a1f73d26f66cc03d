import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import AutorepairCrmCase, RpcClientMixin

from .aliyun_server import ACCESS_KEY_ID, ACCESS_KEY_SECRET, AliyunSmsServer


class AliyunCase(AutorepairCrmCase):
    """The company on Aliyun SMS, its SDK pointed at a local Aliyun server that
    checks the request signature; an approved care template."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = AliyunSmsServer().start()
        cls.addClassCleanup(cls.server.stop)
        cls.company.sudo().write({
            "autorepair_sms_provider": "aliyun", "autorepair_sms_sign_name": "锦城汽车",
            "autorepair_sms_rate_limit": 50,
            "autorepair_aliyun_access_key_id": ACCESS_KEY_ID,
            "autorepair_aliyun_access_key_secret": ACCESS_KEY_SECRET,
            "autorepair_aliyun_endpoint": cls.server.url,
        })
        # the demo dealer's own templates set aside: these tests register theirs
        cls.env["autorepair.channel.template"].search([("company_id", "=", cls.company.id)]).active = False
        cls.template = cls.env["autorepair.channel.template"].create({
            "name": "保养提醒", "kind": "care", "provider": "aliyun", "code": "SMS_465320001", "approved": True,
            "content": "尊敬的${name}，您的爱车${plate}将于${date}到期保养，请预约到店。",
            "param_ids": [(0, 0, {"sequence": 1, "name": "name", "source": "customer", "max_length": 50}),
                          (0, 0, {"sequence": 2, "name": "plate", "source": "plate"}),
                          (0, 0, {"sequence": 3, "name": "date", "source": "date"})],
        })
        cls.customer = cls._customer()

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # the SDK gives requests a (connect, read) timeout, which the test
        # harness's localhost-only guard compares with a number
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(10, *kw["timeout"])
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.server.answer = None
        self.server.rate = None
        self.server.secret = ACCESS_KEY_SECRET
        self.server.sent.clear()
        self.server.refused.clear()

    def _queue(self, customer=None, plate="川A12345", kind="care"):
        customer = customer or self.customer
        message = customer._autorepair_queue_sms(
            kind, customer, "保养提醒", {"customer": customer.name, "plate": plate, "date": "2026-12-20"})
        return self.env["sms.sms"].search([("mail_message_id", "=", message.id)])

    def _notification(self, sms):
        return self.env["mail.notification"].search([("mail_message_id", "=", sms.mail_message_id.id)])


@tagged("post_install", "-at_install")
class TestSmsAliyunSend(AliyunCase):

    def test_care_notice_sent_as_the_approved_template(self):
        sms = self._queue()
        sms.send()
        self.assertEqual(len(self.server.sent), 1)
        call = self.server.sent[0]
        self.assertEqual(call["action"], "SendSms")
        self.assertEqual(call["numbers"], ["13800138000"], "a mainland mobile goes as its 11 digits")
        self.assertEqual(call["template"], "SMS_465320001")
        self.assertEqual(call["sign_names"], ["锦城汽车"])
        self.assertEqual(call["params"], [{"name": "张伟", "plate": "川A12345", "date": "2026-12-20"}])
        self.assertRecordValues(sms, [{
            "state": "pending", "autorepair_provider": "aliyun", "autorepair_provider_ref": call["biz_id"],
            "failure_type": False, "autorepair_tries": 1,
        }])
        self.assertEqual(self._notification(sms).notification_status, "pending")

    def test_batch_of_one_template_is_one_send_batch_sms(self):
        others = self._customer("李娜", "13900139000") | self._customer("王芳", "+85261234567")
        sms = self._queue() | self._queue(others[0], "川A54321") | self._queue(others[1], "粤Z1234港")
        sms.send()
        self.assertEqual(len(self.server.sent), 1)
        call = self.server.sent[0]
        self.assertEqual(call["action"], "SendBatchSms")
        self.assertEqual(call["numbers"], ["13800138000", "13900139000", "85261234567"],
                         "other countries as country code and number (国际区号+号码)")
        self.assertEqual([p["plate"] for p in call["params"]], ["川A12345", "川A54321", "粤Z1234港"])
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(set(sms.mapped("autorepair_provider_ref")), {call["biz_id"]})

    def test_two_templates_two_calls(self):
        self.env["autorepair.channel.template"].create({
            "name": "完工通知", "kind": "car_ready", "provider": "aliyun", "code": "SMS_465320002",
            "approved": True, "param_ids": [(0, 0, {"name": "plate", "source": "plate"})],
        })
        sms = self._queue() | self._queue(kind="car_ready")
        sms.send()
        self.assertEqual(sorted(call["template"] for call in self.server.sent), ["SMS_465320001", "SMS_465320002"])
        self.assertEqual(set(sms.mapped("state")), {"pending"})

    def test_parameters_within_aliyun_limits(self):
        customer = self._customer("欧阳" * 20, "13700137000")
        self._queue(customer, plate="川A【12345】\n").send()
        params = self.server.sent[0]["params"][0]
        self.assertEqual(len(params["name"]), 35, "Aliyun takes 1 to 35 characters per variable")
        self.assertNotIn("【", params["plate"])
        self.assertNotIn("\n", params["plate"])

    def test_invalid_number_refused_without_losing_the_batch(self):
        good = self._queue()
        bad = self.env["sms.sms"].create({
            "number": "12345", "body": "保养提醒", "state": "outgoing", "autorepair_kind": "care",
            "autorepair_values": {"customer": "某人"}, "autorepair_company_id": self.company.id,
        })
        (good | bad).send()
        self.assertEqual([call["numbers"] for call in self.server.sent], [["13800138000"]])
        self.assertEqual(good.state, "pending")
        self.assertRecordValues(bad, [{"state": "error", "failure_type": "sms_number_format"}])

    def test_illegal_number_in_a_batch_sent_one_by_one(self):
        other = self._customer("李娜", "13900139000")

        def answer(action, call):
            if "13900139000" in call["numbers"]:
                return "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"
            return "OK", "OK"

        self.server.answer = answer
        first, second = self._queue(), self._queue(other)
        (first | second).send()
        self.assertEqual(first.state, "pending")
        self.assertRecordValues(second, [{"state": "error", "failure_type": "sms_number_format"}])
        self.assertIn("isv.MOBILE_NUMBER_ILLEGAL", second.autorepair_failure_reason)

    def test_provider_errors_mapped(self):
        cases = [
            ("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", "sms_number_format"),
            ("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板", "sms_template"),
            ("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量", "sms_template"),
            ("isv.AMOUNT_NOT_ENOUGH", "账户余额不足", "sms_credit"),
            ("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名", "sms_acc"),
            ("isv.SMS_CONTENT_ILLEGAL", "短信内容包含禁止发送内容", "sms_rejected"),
            ("isv.DAY_LIMIT_CONTROL", "触发日发送限额", "sms_credit"),
            ("isv.SOMETHING_NEW", "未知错误", "unknown"),
        ]
        for code, message, failure_type in cases:
            with self.subTest(code=code):
                self.server.answer = lambda action, call, c=code, m=message: (c, m)
                sms = self._queue()
                sms.send()
                self.assertRecordValues(sms, [{"state": "error", "failure_type": failure_type}])
                self.assertEqual(sms.autorepair_failure_reason, f"{code}: {message}",
                                 "the provider's own words are kept")
                notification = self._notification(sms)
                self.assertEqual(notification.notification_status, "exception")
                self.assertEqual(notification.failure_type, failure_type)

    def test_wrong_access_key_secret_refused_as_aliyun_does(self):
        self.server.secret = "the-secret-aliyun-knows"
        sms = self._queue()
        sms.send()
        self.assertFalse(self.server.sent)
        self.assertEqual(self.server.refused[0][0], "SignatureDoesNotMatch")
        self.assertRecordValues(sms, [{"state": "error", "failure_type": "sms_acc"}])
        self.assertIn("SignatureDoesNotMatch", sms.autorepair_failure_reason)

    def test_unknown_access_key_id(self):
        self.company.sudo().autorepair_aliyun_access_key_id = "LTAI-nobody"
        sms = self._queue()
        sms.send()
        self.assertRecordValues(sms, [{"state": "error", "failure_type": "sms_acc"}])
        self.assertIn("InvalidAccessKeyId.NotFound", sms.autorepair_failure_reason)

    def test_throttled_batch_retried_later_then_sent(self):
        throttled = {"calls": 0, "on": True}

        def answer(action, call):
            if throttled["on"]:
                throttled["calls"] += 1
                return "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1000"
            return "OK", "OK"

        self.server.answer = answer
        other = self._customer("李娜", "13900139000")
        sms = self._queue() | self._queue(other)
        sms.send()
        self.assertEqual(throttled["calls"], 3, "flow control waited out twice within the run, then left to the queue")
        self.assertEqual(set(sms.mapped("state")), {"outgoing"}, "not refused: kept in the queue")
        self.assertEqual(set(sms.mapped("autorepair_tries")), {1})
        self.assertTrue(all(s.autorepair_next_try > fields.Datetime.now() for s in sms))
        self.assertIn("isv.BUSINESS_LIMIT_CONTROL", sms[0].autorepair_failure_reason)
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

        throttled["on"] = False
        self.env["sms.sms"]._process_queue()
        self.assertFalse(self.server.sent, "not before its next try")
        sms.write({"autorepair_next_try": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["sms.sms"]._process_queue()
        self.assertEqual(len(self.server.sent), 1)
        self.assertEqual(self.server.sent[0]["action"], "SendBatchSms")
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(set(sms.mapped("autorepair_tries")), {2})

    def test_scheduler_run_stops_when_its_budget_is_spent(self):
        """A run of the queue by the scheduler sends within its time budget
        and calls itself again for the rest, before Odoo kills the cron."""
        self.env["ir.config_parameter"].sudo().set_param("autorepair_channel.sms_send_budget", 0)
        self.env.cr.cache.pop("autorepair_sms_deadline", None)
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action")
        sms = self._queue()
        self.env["sms.sms"].with_context(cron_id=cron.id)._process_queue()
        self.env.cr.cache.pop("autorepair_sms_deadline", None)
        self.assertFalse(self.server.sent, "the budget was spent: nothing sent in this run")
        self.assertEqual(sms.state, "outgoing")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.env["sms.sms"]._process_queue()
        self.assertEqual(sms.state, "pending", "sent by the next run")

    def test_gateway_throttling_retried(self):
        self.server.answer = lambda action, call: (
            400, "Throttling.User", "Request was denied due to user flow control.")
        sms = self._queue()
        sms.send()
        self.assertEqual(sms.state, "outgoing")
        self.assertIn("Throttling.User", sms.autorepair_failure_reason)

    def test_callback_addresses_for_administrators_only(self):
        settings = self.env["res.config.settings"].create({})
        token = self.company.sudo().autorepair_sms_callback_token
        self.assertTrue(settings.autorepair_aliyun_report_url.endswith(f"/autorepair/sms/aliyun/{token}/report"))
        self.assertTrue(settings.autorepair_aliyun_reply_url.endswith(f"/autorepair/sms/aliyun/{token}/reply"))
        with self.assertRaises(AccessError):
            settings.with_user(self.user_manager).read(["autorepair_aliyun_report_url"])

    def test_unreachable_endpoint_retried(self):
        self.company.sudo().autorepair_aliyun_endpoint = "http://127.0.0.1:9"
        sms = self._queue()
        sms.send()
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(sms.autorepair_tries, 1)


@tagged("post_install", "-at_install")
class TestSmsAliyunCallbacks(AliyunCase, HttpCase, RpcClientMixin):

    SECRETS = ("autorepair_sms_callback_token", "autorepair_aliyun_access_key_id",
               "autorepair_aliyun_access_key_secret")

    def _snapshot(self):
        return self.company.sudo().read(list(self.SECRETS))

    def _push(self, kind, items, token=None):
        token = token or self.company.sudo().autorepair_sms_callback_token
        response = self.url_open(f"/autorepair/sms/aliyun/{token}/{kind}", data=json.dumps(items),
                                 headers={"Content-Type": "application/json"})
        self.env.invalidate_all()
        return response

    def _report(self, sms, success=True, code="DELIVERED", message="用户接收成功"):
        return {"phone_number": "13800138000", "send_time": "2026-12-02 10:00:00",
                "report_time": "2026-12-02 10:00:05", "success": success, "err_code": code, "err_msg": message,
                "sms_size": "1", "biz_id": sms.autorepair_provider_ref, "out_id": ""}

    def test_delivery_receipt(self):
        sms = self._queue()
        sms.send()
        response = self._push("report", [self._report(sms)])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"code": 0, "msg": "成功"})
        self.assertEqual(sms.state, "sent")
        self.assertEqual(self._notification(sms).notification_status, "sent")

    def test_failed_receipt(self):
        sms = self._queue()
        sms.send()
        self._push("report", [self._report(sms, success=False, code="MK:0001", message="用户停机")])
        self.assertRecordValues(sms, [{"state": "error", "failure_type": "sms_not_delivered"}])
        self.assertEqual(sms.autorepair_failure_reason, "MK:0001: 用户停机")
        self.assertEqual(self._notification(sms).notification_status, "exception")

    def test_batch_receipt_applies_to_its_number(self):
        other = self._customer("李娜", "13900139000")
        first, second = self._queue(), self._queue(other)
        (first | second).send()
        self.assertEqual(first.autorepair_provider_ref, second.autorepair_provider_ref)
        self._push("report", [{**self._report(second), "phone_number": "13900139000"}])
        self.assertEqual(first.state, "pending")
        self.assertEqual(second.state, "sent")

    def test_t_reply_opts_out(self):
        self.assertFalse(self.customer.marketing_opt_out)
        response = self._push("reply", [{"phone_number": "13800138000", "content": "T",
                                         "send_time": "2026-12-02 10:00:00", "dest_code": "1234",
                                         "sequence_id": "1234567890"}])
        self.assertEqual(response.json()["code"], 0)
        reply = self.env["autorepair.sms.reply"].search([("partner_ids", "in", self.customer.ids)])
        self.assertEqual(reply.action, "opt_out")
        self.assertEqual(reply.received, datetime(2026, 12, 2, 2, 0), "Beijing time stored as UTC")
        self.assertTrue(self.customer.marketing_opt_out)

    def test_bad_token_refused_and_nothing_changed(self):
        sms = self._queue()
        sms.send()
        replies = self.env["autorepair.sms.reply"].search_count([])
        for kind, items in (("report", [self._report(sms)]),
                            ("reply", [{"phone_number": "13800138000", "content": "TD"}])):
            with self.subTest(kind=kind):
                response = self._push(kind, items, token="not-the-token")
                self.assertEqual(response.status_code, 403)
        self.assertEqual(sms.state, "pending")
        self.assertEqual(self.env["autorepair.sms.reply"].search_count([]), replies)
        self.assertFalse(self.customer.marketing_opt_out)

    def test_other_company_token_cannot_touch_this_company(self):
        other = self.env["res.company"].create({
            "name": "绵阳锦城", "autorepair_sms_provider": "aliyun", "autorepair_sms_sign_name": "绵阳锦城"})
        sms = self._queue()
        sms.send()
        response = self._push("report", [self._report(sms)], token=other.sudo().autorepair_sms_callback_token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(sms.state, "pending")

    def test_each_company_has_its_own_secrets(self):
        companies = self.env["res.company"].sudo().search([])
        self.assertGreater(len(companies), 1)
        for fname in ("autorepair_sms_callback_token", "autorepair_wechat_token"):
            tokens = companies.mapped(fname)
            self.assertTrue(all(tokens), fname)
            self.assertEqual(len(set(tokens)), len(companies), fname)

    def test_token_and_access_key_hidden_from_managers_over_rpc(self):
        for fname in self.SECRETS:
            with self.subTest(fname=fname):
                self._assert_rpc_refused(self.user_manager, "res.company", "read", [self.company.id], [fname])
                self._assert_rpc_refused(self.user_manager, "res.company", "write", [self.company.id],
                                         {fname: "attacker"})

    def test_malformed_push_refused(self):
        token = self.company.sudo().autorepair_sms_callback_token
        response = self.url_open(f"/autorepair/sms/aliyun/{token}/report", data=b"not json",
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 400)
