import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import AutorepairCrmCase, RpcClientMixin, add_role_users

from .common import LocalProviderServer

SECRET_ID = "AKIDautorepairTEST"
SECRET_KEY = "tencent-secret-key"
APP_ID = "1400006666"


class TencentSmsServer(LocalProviderServer):
    """Tencent Cloud SMS API 2021-01-11 on localhost. Every request is checked
    as the API documents it (公共参数 and 签名方法 v3 of the API 3.0 docs): the
    TC3-HMAC-SHA256 signature is recomputed from the
    request and the account's SecretKey, and a wrong one is refused with
    AuthFailure.SignatureFailure as Tencent does. SendSms answers each number
    with ``status(number, body) -> (Code, Message)``, or the whole request
    with ``error`` (Code, Message); the pull APIs serve their queues once, as
    documented (队列模式), unless ``redeliver`` is set."""

    def __init__(self):
        super().__init__(self._respond)
        self.status = lambda number, body: ("Ok", "send success")
        self.error = None
        self.receipts = []
        self.replies = []
        self.redeliver = False
        self.calls = []
        self.serial = 0

    def _answer(self, response):
        response.setdefault("RequestId", str(uuid.uuid4()))
        # the exact content type the SDK reads errors from
        return 200, {"Content-Type": "application/json"}, {"Response": response}

    def _error(self, code, message):
        return self._answer({"Error": {"Code": code, "Message": message}})

    def _signature_ok(self, request):
        headers = request["headers"]
        auth = headers.get("authorization", "")
        algorithm, _sep, rest = auth.partition(" ")
        parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        secret_id, date, service, scope_end = (parts.get("Credential", "").split("/") + ["", "", "", ""])[:4]
        if algorithm != "TC3-HMAC-SHA256" or secret_id != SECRET_ID or service != "sms" \
                or scope_end != "tc3_request" or parts.get("SignedHeaders") != "content-type;host":
            return False
        timestamp = int(headers.get("x-tc-timestamp") or 0)
        if abs(time.time() - timestamp) > 300 or datetime.utcfromtimestamp(timestamp).strftime("%Y-%m-%d") != date:
            return False
        canonical = "\n".join([
            request["method"], request["path"], "",
            f"content-type:{headers.get('content-type')}\nhost:{headers.get('host')}\n", "content-type;host",
            hashlib.sha256(request["body"]).hexdigest(),
        ])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/sms/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])

        def _hmac(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = _hmac(_hmac(_hmac(("TC3" + SECRET_KEY).encode(), date), "sms"), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts.get("Signature", ""))

    def _respond(self, request):
        headers = request["headers"]
        if request["method"] != "POST" or headers.get("x-tc-version") != "2021-01-11" \
                or not headers.get("x-tc-region"):
            return self._error("InvalidParameter", "bad request")
        if not self._signature_ok(request):
            return self._error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        action, body = headers.get("x-tc-action"), request["json"] or {}
        self.calls.append((action, body))
        if body.get("SmsSdkAppId") != APP_ID:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.")
        if action == "SendSms":
            if self.error:
                return self._error(*self.error)
            if len(body.get("PhoneNumberSet") or []) > 200:
                return self._error("LimitExceeded.PhoneNumberCountLimit", "more than 200 numbers")
            statuses = []
            for number in body["PhoneNumberSet"]:
                code, message = self.status(number, body)
                self.serial += 1
                statuses.append({"SerialNo": f"2019:{self.serial:020d}", "PhoneNumber": number, "Fee": 1,
                                 "SessionContext": "", "Code": code, "Message": message, "IsoCode": "CN"})
            return self._answer({"SendStatusSet": statuses})
        if action in ("PullSmsSendStatus", "PullSmsReplyStatus"):
            queue = self.receipts if action == "PullSmsSendStatus" else self.replies
            limit = min(int(body.get("Limit") or 0), 100)
            rows = queue[:limit]
            if not self.redeliver:
                del queue[:limit]
            return self._answer({f"{action}Set": rows})
        return self._error("InvalidAction", action)


class TencentCase:
    """A company sending through the local Tencent Cloud server, with an
    approved care template taking {1} name, {2} plate, {3} date."""

    @classmethod
    def _setup_tencent(cls):
        cls.server = TencentSmsServer().start()
        cls.addClassCleanup(cls.server.stop)
        cls.company = cls.env.company
        cls.company.write({
            "autorepair_sms_provider": "tencent", "autorepair_sms_sign_name": "锦城汽车",
            "autorepair_sms_rate_limit": 1000,
            "autorepair_tencent_secret_id": SECRET_ID, "autorepair_tencent_secret_key": SECRET_KEY,
            "autorepair_tencent_sdk_app_id": APP_ID, "autorepair_tencent_region": "ap-guangzhou",
            "autorepair_tencent_endpoint": cls.server.url,
        })
        cls.template = cls.env["autorepair.channel.template"].create({
            "name": "保养提醒", "kind": "care", "provider": "tencent", "code": "1110", "approved": True,
            "param_ids": [(0, 0, {"sequence": 1, "name": "1", "source": "customer", "max_length": 6}),
                          (0, 0, {"sequence": 2, "name": "2", "source": "plate", "max_length": 12}),
                          (0, 0, {"sequence": 3, "name": "3", "source": "date", "max_length": 12})],
        })

    def _queue(self, partner, plate="川A12345", date="2026-12-09", kind="care", **values):
        """A notice about the customer, queued as an SMS the way the suite sends one."""
        channel = partner._autorepair_send_notice(
            kind, partner, f"{partner.name}，您的爱车{plate}该保养了", {"plate": plate, "date": date, **values})
        self.assertEqual(channel, "sms")
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)], order="id desc", limit=1)


@tagged("post_install", "-at_install")
class TestSmsTencent(TencentCase, AutorepairCrmCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_tencent()
        cls.customer = cls._customer("欧阳娜娜", "13800138000")

    def setUp(self):
        super().setUp()
        self.server.status = lambda number, body: ("Ok", "send success")
        self.server.error = None
        self.server.redeliver = False
        self.server.calls.clear()
        self.server.receipts.clear()
        self.server.replies.clear()

    def test_care_notice_sent_as_approved_template(self):
        sms = self._queue(self.customer)
        sms.send()
        self.assertEqual(len(self.server.calls), 1)
        action, body = self.server.calls[0]
        self.assertEqual(action, "SendSms")
        self.assertEqual(body["PhoneNumberSet"], ["+8613800138000"])
        self.assertEqual(body["TemplateId"], "1110")
        self.assertEqual(body["SignName"], "锦城汽车")
        self.assertEqual(body["SmsSdkAppId"], APP_ID)
        # parameters by order ({1} {2} {3}), each cut to its variable's length
        self.assertEqual(body["TemplateParamSet"], ["欧阳娜娜", "川A12345", "2026-12-09"])
        self.assertEqual(sms.state, "pending")
        self.assertEqual(sms.autorepair_provider, "tencent")
        self.assertTrue(sms.autorepair_provider_ref.startswith("2019:"))

    def test_one_call_per_template_and_parameters(self):
        partners = [self._customer(f"客户{i}", f"1390000000{i}") for i in range(4)]
        smss = self.env["sms.sms"].browse()
        for partner in partners[:3]:
            smss |= self._queue(partner, plate="川A00001")
        smss |= self._queue(partners[3], plate="川A00002")
        # without the name, three SMS read the same: one call for them, one for the fourth
        self.template.param_ids.filtered(lambda p: p.source == "customer").unlink()
        smss.send()
        calls = sorted(body["TemplateParamSet"][0] for _action, body in self.server.calls)
        self.assertEqual(calls, ["川A00001", "川A00002"])
        numbers = {body["TemplateParamSet"][0]: body["PhoneNumberSet"] for _action, body in self.server.calls}
        self.assertEqual(len(numbers["川A00001"]), 3)
        self.assertEqual(set(smss.mapped("state")), {"pending"})
        self.assertEqual(len(set(smss.mapped("autorepair_provider_ref"))), 4)

    def test_errors_mapped_with_provider_message(self):
        # per number (SendStatusSet) and for the whole request (Response.Error)
        per_number = {
            "InvalidParameterValue.IncorrectPhoneNumber": "sms_number_format",
            "FailedOperation.PhoneNumberInBlacklist": "sms_rejected",
            "FailedOperation.ContainSensitiveWord": "sms_rejected",
        }
        whole = {
            "FailedOperation.TemplateIncorrectOrUnapproved": "sms_template",
            "FailedOperation.InsufficientBalanceInSmsPackage": "sms_credit",
            "FailedOperation.SignatureIncorrectOrUnapproved": "sms_acc",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "sms_acc",
        }
        for code, failure_type in [*per_number.items(), *whole.items()]:
            with self.subTest(code=code):
                self.server.error = (code, f"{code} explained") if code in whole else None
                self.server.status = lambda number, body, code=code: (code, f"{code} explained")
                sms = self._queue(self.customer)
                sms.send()
                self.assertEqual(sms.state, "error")
                self.assertEqual(sms.failure_type, failure_type)
                self.assertEqual(sms.autorepair_failure_reason, f"{code}: {code} explained")
                notification = sms.mail_message_id.notification_ids
                self.assertEqual(notification.notification_status, "exception")
                self.assertEqual(notification.failure_type, failure_type)

    def test_wrong_secret_key_refused_by_signature_check(self):
        self.company.autorepair_tencent_secret_key = "not-the-key"
        sms = self._queue(self.customer)
        sms.send()
        self.assertFalse(self.server.calls, "the server refused the request before acting on it")
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_acc"))
        self.assertIn("AuthFailure.SignatureFailure", sms.autorepair_failure_reason)

    def test_plain_http_only_to_a_local_server(self):
        Tencent = self.env["autorepair.sms.provider.tencent"]
        for endpoint, scheme, host in (
            ("sms.tencentcloudapi.com", "https", "sms.tencentcloudapi.com"),
            ("http://sms.tencentcloudapi.com", "https", "sms.tencentcloudapi.com"),
            (self.server.url, "http", self.server.host),
        ):
            self.company.autorepair_tencent_endpoint = endpoint
            profile = Tencent._autorepair_client(self.company).profile.httpProfile
            self.assertEqual((profile.scheme, profile.endpoint), (scheme, host), endpoint)

    def test_batch_of_more_than_200_split(self):
        partner = self.customer
        smss = self.env["sms.sms"].sudo().create([{
            "number": f"+86139{i:08d}", "partner_id": partner.id, "body": "x", "autorepair_kind": "care",
            "autorepair_values": {"plate": "川A12345", "date": "2026-12-09"}, "autorepair_company_id": self.company.id,
        } for i in range(201)])
        smss.send()
        self.assertEqual([len(body["PhoneNumberSet"]) for _action, body in self.server.calls], [200, 1])
        self.assertEqual(set(smss.mapped("state")), {"pending"})

    def test_unusable_number_and_missing_settings_not_sent(self):
        bad = self._queue(self._customer("王五", "13600136000"))
        bad.number = "12345"
        bad.send()
        self.assertEqual((bad.state, bad.failure_type), ("error", "sms_number_format"))
        self.company.autorepair_tencent_sdk_app_id = False
        sms = self._queue(self.customer)
        sms.send()
        self.assertFalse(self.server.calls)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_acc"))
        self.assertIn("SmsSdkAppId", sms.autorepair_failure_reason)

    def test_link_variable_refused_as_tencent_rules_say(self):
        self.template.param_ids[2].write({"source": "link", "max_length": 40})
        sms = self._queue(self.customer, link="https://dealer.cn/my/1")
        sms.send()
        self.assertFalse(self.server.calls)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_template"))

    def test_throttled_batch_retried_then_sent(self):
        partners = [self._customer(f"客户{i}", f"1370000000{i}") for i in range(3)]
        smss = self.env["sms.sms"].browse()
        for partner in partners:
            smss |= self._queue(partner)
        throttled = {"+8613700000001"}
        self.server.status = lambda number, body: (
            ("LimitExceeded.DeliveryFrequencyLimit", "frequency limit") if number in throttled
            else ("Ok", "send success"))
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        smss.send()
        retried = smss.filtered(lambda s: s.number.endswith("13700000001"))
        self.assertEqual(set((smss - retried).mapped("state")), {"pending"})
        self.assertEqual(retried.state, "outgoing")
        self.assertEqual(retried.autorepair_tries, 1)
        self.assertGreater(retried.autorepair_next_try, fields.Datetime.now())
        self.assertIn("frequency limit", retried.autorepair_failure_reason)
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers)
        # not due yet: nothing asked of Tencent
        self.server.calls.clear()
        retried.send()
        self.assertFalse(self.server.calls)
        # due: sent
        throttled.clear()
        retried.autorepair_next_try = fields.Datetime.now() - timedelta(seconds=1)
        retried.send()
        self.assertEqual(len(self.server.calls), 1)
        self.assertEqual(retried.state, "pending")
        self.assertTrue(retried.autorepair_provider_ref)

    def test_whole_request_throttled_and_unreachable_retried(self):
        self.server.error = ("RequestLimitExceeded", "Your current request count exceeds the frequency limit.")
        sms = self._queue(self.customer)
        sms.send()
        self.assertEqual((sms.state, sms.autorepair_tries), ("outgoing", 1))
        self.server.error = None
        self.company.autorepair_tencent_endpoint = "http://127.0.0.1:9"  # nobody listens
        sms.autorepair_next_try = False
        sms.send()
        self.assertEqual((sms.state, sms.autorepair_tries), ("outgoing", 2))

    def test_cron_pulls_receipts_and_replies_once(self):
        delivered, failed = self._queue(self.customer), self._queue(self._customer("李四", "13900139000"))
        (delivered | failed).send()
        self.server.receipts += [
            {"UserReceiveTime": int(time.time()), "CountryCode": "86", "SubscriberNumber": "13800138000",
             "PhoneNumber": "+8613800138000", "SerialNo": delivered.autorepair_provider_ref,
             "ReportStatus": "SUCCESS", "Description": "用户短信送达成功", "SessionContext": ""},
            {"UserReceiveTime": int(time.time()), "CountryCode": "86", "SubscriberNumber": "13900139000",
             "PhoneNumber": "+8613900139000", "SerialNo": failed.autorepair_provider_ref,
             "ReportStatus": "FAIL", "Description": "用户手机号停机", "SessionContext": ""},
        ]
        self.server.replies.append({"ExtendCode": "", "CountryCode": "86", "PhoneNumber": "+8613800138000",
                                    "SignName": "锦城汽车", "ReplyContent": "T", "ReplyTime": int(time.time()),
                                    "SubscriberNumber": "13800138000"})
        # as the server keeps answering the same data, the second run proves
        # nothing is applied twice
        self.server.redeliver = True
        cron = self.env.ref("autorepair_channel.ir_cron_fetch_sms_reports")
        cron.method_direct_trigger()
        self.assertEqual(delivered.state, "sent")
        self.assertEqual(delivered.mail_message_id.notification_ids.notification_status, "sent")
        self.assertEqual((failed.state, failed.failure_type), ("error", "sms_not_delivered"))
        self.assertIn("停机", failed.autorepair_failure_reason)
        self.assertTrue(self.customer.marketing_opt_out)
        replies = self.env["autorepair.sms.reply"].sudo().search([("body", "=", "T")])
        self.assertEqual(len(replies), 1)
        self.assertEqual(replies.action, "opt_out")
        # a late contrary status for an SMS already reported changes nothing
        self.server.receipts[0]["ReportStatus"] = "FAIL"
        cron.method_direct_trigger()
        self.assertEqual(delivered.state, "sent")
        self.assertEqual(self.env["autorepair.sms.reply"].sudo().search_count([("body", "=", "T")]), 1)
        pulls = [action for action, _body in self.server.calls if action.startswith("Pull")]
        self.assertEqual(pulls, ["PullSmsSendStatus", "PullSmsReplyStatus"] * 2)
        self.assertEqual(self.server.calls[-1][1], {"Limit": 100, "SmsSdkAppId": APP_ID})

    def test_pull_not_opened_is_no_error(self):
        self.server.error = None
        respond = self.server.respond

        def refuse_pulls(request):
            if request["headers"].get("x-tc-action", "").startswith("Pull"):
                return self.server._error("UnauthorizedOperation.RequestPermissionDeny", "请求没有权限")
            return respond(request)

        self.server.respond = refuse_pulls
        self.addCleanup(setattr, self.server, "respond", respond)
        with self.assertNoLogs("odoo.addons.autorepair_channel", level="WARNING"):
            self.env["autorepair.sms.provider"]._cron_fetch_reports()

    def test_cron_keeps_going_when_a_company_fails(self):
        other = self.env["res.company"].create({
            "name": "Other Dealer", "autorepair_sms_provider": "tencent", "autorepair_sms_sign_name": "其他",
            "autorepair_tencent_secret_id": SECRET_ID, "autorepair_tencent_secret_key": "wrong",
            "autorepair_tencent_sdk_app_id": APP_ID, "autorepair_tencent_endpoint": self.server.url,
        })
        self.assertTrue(other)
        sms = self._queue(self.customer)
        sms.send()
        self.server.receipts.append({"PhoneNumber": "+8613800138000", "SerialNo": sms.autorepair_provider_ref,
                                     "ReportStatus": "SUCCESS", "Description": "ok"})
        self.env["autorepair.sms.provider"]._cron_fetch_reports()
        self.assertEqual(sms.state, "sent")


@tagged("post_install", "-at_install")
class TestSmsTencentCallback(TencentCase, RpcClientMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_tencent()
        add_role_users(cls, "h2_tencent", {"manager": "autorepair_crm.group_manager"})
        cls.customer = cls.env["res.partner"].create({
            "name": "赵六", "mobile": "13600136000", "is_autorepair_customer": True})
        cls.token = cls.company.sudo().autorepair_sms_callback_token

    def _pending_sms(self, ref):
        return self.env["sms.sms"].sudo().create({
            "number": "+8613600136000", "partner_id": self.customer.id, "body": "x", "state": "pending",
            "autorepair_provider": "tencent", "autorepair_provider_ref": ref,
            "autorepair_company_id": self.company.id,
        })

    def _post(self, path, payload):
        return self.url_open(path, data=json.dumps(payload, ensure_ascii=False).encode(),
                             headers={"Content-Type": "application/json"})

    def test_pushed_receipt_applied(self):
        sms = self._pending_sms("2019:0001")
        # at the address the settings give for the console
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.autorepair_tencent_status_url.endswith(f"/autorepair/sms/tencent/{self.token}/status"))
        self.assertTrue(settings.autorepair_tencent_reply_url.endswith(f"/autorepair/sms/tencent/{self.token}/reply"))
        receipt = [{"user_receive_time": "2026-12-02 10:03:04", "nationcode": "86", "mobile": "13600136000",
                    "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功",
                    "sid": "2019:0001"}]
        path = settings.autorepair_tencent_status_url.split("://", 1)[1].split("/", 1)[1]
        response = self._post(f"/{path}", receipt)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"result": 0, "errmsg": "OK"})
        self.assertEqual(sms.state, "sent")

    def test_pushed_failed_receipt_keeps_reason(self):
        sms = self._pending_sms("2019:0002")
        response = self._post(f"/autorepair/sms/tencent/{self.token}/status", [{
            "user_receive_time": "2026-12-02 10:03:04", "nationcode": "86", "mobile": "13600136000",
            "report_status": "FAIL", "errmsg": "MK:0001", "description": "空号", "sid": "2019:0002"}])
        self.assertEqual(response.status_code, 200)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_not_delivered"))
        self.assertEqual(sms.autorepair_failure_reason, "MK:0001: 空号")

    def test_pushed_unsubscribe_reply_opts_out(self):
        reply = {"extend": "", "mobile": "13600136000", "nationcode": "86", "sign": "锦城汽车", "text": "TD",
                 "time": int(time.time())}
        for _attempt in range(2):  # Tencent sends again when unsure we got it
            response = self._post(f"/autorepair/sms/tencent/{self.token}/reply", reply)
            self.assertEqual(response.json(), {"result": 0, "errmsg": "OK"})
        self.assertTrue(self.customer.marketing_opt_out)
        self.assertEqual(self.env["autorepair.sms.reply"].sudo().search_count(
            [("partner_ids", "in", self.customer.ids)]), 1)

    def test_bad_token_refused_and_nothing_changed(self):
        sms = self._pending_sms("2019:0003")
        receipt = [{"report_status": "SUCCESS", "mobile": "13600136000", "nationcode": "86", "sid": "2019:0003",
                    "errmsg": "DELIVRD", "description": "", "user_receive_time": ""}]
        for token in ("wrong-token", self.token[:-1]):
            response = self._post(f"/autorepair/sms/tencent/{token}/status", receipt)
            self.assertEqual(response.status_code, 403)
        response = self._post("/autorepair/sms/tencent/wrong-token/reply", {
            "mobile": "13600136000", "nationcode": "86", "sign": "锦城汽车", "text": "T", "time": 1457336869})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(sms.state, "pending")
        self.assertFalse(self.customer.marketing_opt_out)
        # a company on another provider has no Tencent callback
        self.company.autorepair_sms_provider = "aliyun"
        response = self._post(f"/autorepair/sms/tencent/{self.token}/status", receipt)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(sms.state, "pending")

    def test_malformed_body_refused(self):
        response = self.url_open(f"/autorepair/sms/tencent/{self.token}/status", data=b"not json",
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 400)

    def test_callback_token_and_report_methods_refused_to_staff(self):
        sms = self._pending_sms("2019:0009")

        def snapshot():
            self.env.invalidate_all()
            return sms.state, self.customer.marketing_opt_out, self.company.sudo().autorepair_sms_callback_token

        self._snapshot = snapshot
        with self.assertRaises(AccessError):
            self.company.with_user(self.user_manager).read(["autorepair_sms_callback_token"])
        self._assert_rpc_refused(self.user_manager, "res.company", "read", [self.company.id],
                                 ["autorepair_sms_callback_token"])
        # forging a receipt or a reply without the token: private methods
        self._assert_rpc_refused(self.user_manager, "autorepair.sms.provider.tencent", "_autorepair_apply_reports",
                                 self.company.id, [{"ref": "2019:0009", "number": "13600136000", "delivered": True,
                                                    "reason": ""}], [])
        self._assert_rpc_refused(self.user_manager, "autorepair.sms.provider", "_cron_fetch_reports")
