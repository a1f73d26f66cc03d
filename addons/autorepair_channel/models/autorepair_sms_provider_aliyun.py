import json
import logging
import uuid

from odoo import models

from .autorepair_sms_provider import e164

_logger = logging.getLogger(__name__)

try:
    from alibabacloud_dysmsapi20170525 import models as dysms_models
    from alibabacloud_dysmsapi20170525.client import Client as DysmsClient
    from alibabacloud_tea_openapi import models as openapi_models
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
    from darabonba.runtime import RuntimeOptions
except ImportError:  # the manifest's external_dependencies refuse the install without it
    DysmsClient = None
    AlibabaCloudException = Exception

# SendBatchSms takes at most 100 numbers per call (SendSms群发 1000 numbers, but
# of the same parameters only): https://help.aliyun.com/document_detail/102364.html
BATCH_SIZE = 100
# "单个变量的长度限制为1~35个字符" (申请短信模板, https://help.aliyun.com/document_detail/44357.html)
PARAM_MAX_LENGTH = 35

# Aliyun counts the calls of each second on its side, where the network
# shifts them by some milliseconds: paced this much apart, two calls that
# each fill the budget do not land in the same second.
PACING_MARGIN = 0.05
# a call refused by flow control is tried again this many times within the
# run, after its share of the per-second budget, before the queue's backoff
THROTTLE_RETRIES = 2

# Aliyun's API error codes (国内消息API错误码, https://help.aliyun.com/document_detail/101346.html)
# read as the queue's outcome: retry later, or the Odoo failure type shown.
THROTTLE_CODES = {"isv.BUSINESS_LIMIT_CONTROL"}  # 触发云通信流控限制: the account's flow control
RETRY_CODES = THROTTLE_CODES | {
    "isp.SYSTEM_ERROR", "isp.SYSTEMERROR", "InternalError", "ServiceUnavailable",
}
FAILURE_TYPES = {
    "isv.MOBILE_NUMBER_ILLEGAL": "sms_number_format",  # 非法手机号
    "isv.MOBILE_COUNT_OVER_LIMIT": "sms_number_format",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": "sms_country_not_supported",
    "isv.SMS_TEMPLATE_ILLEGAL": "sms_template",  # 模板不存在或未审核通过
    "isv.TEMPLATE_MISSING_PARAMETERS": "sms_template",
    "isv.TEMPLATE_PARAMS_ILLEGAL": "sms_template",
    "isv.INVALID_JSON_PARAM": "sms_template",
    "isv.PARAM_LENGTH_LIMIT": "sms_template",
    "isv.SMS_CONTENT_ILLEGAL": "sms_rejected",  # 短信内容包含禁止发送内容
    "isv.BLACK_KEY_CONTROL_LIMIT": "sms_rejected",
    "isv.AMOUNT_NOT_ENOUGH": "sms_credit",  # 账户余额不足
    "isv.OUT_OF_SERVICE": "sms_credit",  # 业务停机 (余额不足)
    "isv.DAY_LIMIT_CONTROL": "sms_credit",  # the daily quota set in the console
    "isv.MONTH_LIMIT_CONTROL": "sms_credit",
    "isv.SMS_SIGNATURE_ILLEGAL": "sms_acc",  # 签名不存在或未审核通过
    "isv.SMS_SIGN_ILLEGAL": "sms_acc",
    "isv.SIGN_STATE_ILLEGAL": "sms_acc",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": "sms_acc",
    "isv.PRODUCT_UN_SUBSCRIPT": "sms_acc",
    "isv.PRODUCT_UNSUBSCRIBE": "sms_acc",
    "isv.ACCOUNT_NOT_EXISTS": "sms_acc",
    "isv.ACCOUNT_ABNORMAL": "sms_acc",
    "isv.DENY_IP_RANGE": "sms_acc",
    "isp.RAM_PERMISSION_DENY": "sms_acc",
    "InvalidAccessKeyId.NotFound": "sms_acc",
    "InvalidAccessKeyId.Inactive": "sms_acc",
    "SignatureDoesNotMatch": "sms_acc",
    "IncompleteSignature": "sms_acc",
    "Forbidden.RAM": "sms_acc",
}


def aliyun_number(number):
    """The number as SendSms's PhoneNumbers takes it: a mainland mobile as
    its 11 digits, any other as the country code and the number (国际/港澳台
    消息：国际区号+号码), no + nor 00. None when it is no valid number."""
    number = e164(number)
    if not number:
        return None
    return number[3:] if number.startswith("+86") else number[1:]


def aliyun_outcome(code, message):
    """(state, failure_type, reason) of an Aliyun answer code."""
    reason = f"{code}: {message}" if message else code
    if code == "OK":
        return "sent", False, False
    if code in RETRY_CODES or code.startswith("Throttling"):
        return "retry", "sms_server", reason
    return "error", FAILURE_TYPES.get(code, "unknown"), reason


class AutorepairSmsProviderAliyun(models.AbstractModel):
    """Aliyun SMS (阿里云短信服务, Dysmsapi 2017-05-25) through its official
    SDK: SendSms for one message, SendBatchSms for the messages of a batch that
    share a template (each its own parameters). Receipts and replies are pushed
    by Aliyun to ``controllers/aliyun.py``."""

    _name = "autorepair.sms.provider.aliyun"
    _inherit = "autorepair.sms.provider"
    _description = "Aliyun SMS"

    def _autorepair_batch_size(self):
        return BATCH_SIZE

    def _autorepair_wait_turn(self, company, count):
        return super()._autorepair_wait_turn(company, count * (1 + PACING_MARGIN))

    def _autorepair_client(self, company):
        """The SDK client of the company's AccessKey. The endpoint setting is a
        host (HTTPS), or a full http(s):// address, e.g. a local test server."""
        company = company.sudo()
        endpoint = (company.autorepair_aliyun_endpoint or "dysmsapi.aliyuncs.com").strip().rstrip("/")
        protocol = "https"
        if "://" in endpoint:
            protocol, endpoint = endpoint.split("://", 1)
        config = openapi_models.Config(
            access_key_id=company.autorepair_aliyun_access_key_id or "",
            access_key_secret=company.autorepair_aliyun_access_key_secret or "",
            endpoint=endpoint, protocol=protocol.lower(),
            # Aliyun advises a timeout of at least 1 s (SendSms 注意事项)
            connect_timeout=5000, read_timeout=10000,
        )
        return DysmsClient(config)

    def _autorepair_send(self, company, items):
        results, sendable = [], []
        for item in items:
            number = aliyun_number(item["number"])
            if not number:
                results.append({"sms": item["sms"], "state": "error", "failure_type": "sms_number_format",
                                "reason": self.env._("%(number)s is no valid mobile number.",
                                                     number=item["number"] or "")})
                continue
            params = {name: value[:PARAM_MAX_LENGTH] for name, value in item["params"]}
            sendable.append({**item, "aliyun_number": number, "aliyun_params": params})
        if not sendable:
            return results
        client = self._autorepair_client(company)
        runtime = RuntimeOptions(autoretry=False, read_timeout=10000, connect_timeout=5000)
        groups = {}
        for item in sendable:
            groups.setdefault((item["code"], item["sign"]), []).append(item)
        for group in groups.values():
            results += self._autorepair_send_group(client, runtime, group, company)
        return results

    def _autorepair_send_group(self, client, runtime, group, company):
        """One API call for messages of one template and signature; flow
        control (a burst over the account's QPS) is waited out briefly."""
        for attempt in range(THROTTLE_RETRIES + 1):
            results, throttled = self._autorepair_call(client, runtime, group)
            if not throttled or attempt == THROTTLE_RETRIES:
                break
            # wait for the batch's next share of the per-second budget, in the
            # company's pacing, so the calls after it are not pushed over again
            self._autorepair_wait_turn(company, len(group))
        return results

    def _autorepair_call(self, client, runtime, group):
        """(results, whether flow control refused the call)"""
        out_id = uuid.uuid4().hex[:16]
        try:
            if len(group) == 1:
                item = group[0]
                response = client.send_sms_with_options(dysms_models.SendSmsRequest(
                    phone_numbers=item["aliyun_number"], sign_name=item["sign"], template_code=item["code"],
                    template_param=json.dumps(item["aliyun_params"], ensure_ascii=False), out_id=out_id,
                ), runtime)
            else:
                response = client.send_batch_sms_with_options(dysms_models.SendBatchSmsRequest(
                    phone_number_json=json.dumps([item["aliyun_number"] for item in group]),
                    sign_name_json=json.dumps([item["sign"] for item in group], ensure_ascii=False),
                    template_code=group[0]["code"],
                    template_param_json=json.dumps([item["aliyun_params"] for item in group], ensure_ascii=False),
                ), runtime)
            body = response.body
            code = body.code or ""
            state, failure_type, reason = aliyun_outcome(code, body.message or "")
            ref = body.biz_id
        except AlibabaCloudException as error:
            # refused by the gateway (HTTP 4xx/5xx: signature, AccessKey, Throttling.*)
            code = getattr(error, "code", None) or "unknown"
            state, failure_type, reason = aliyun_outcome(code, getattr(error, "message", None) or str(error))
            if state == "error" and failure_type == "unknown" and (getattr(error, "status_code", 0) or 0) >= 500:
                state, failure_type = "retry", "sms_server"
            ref = False
        if state == "error" and failure_type == "sms_number_format" and len(group) > 1:
            # one bad number refuses the whole batch: each on its own, so the others go out
            results = []
            for item in group:
                results += self._autorepair_call(client, runtime, [item])[0]
            return results, False
        if state != "sent":
            _logger.info("Aliyun SMS: %s message(s) not sent: %s", len(group), reason)
        return [{"sms": item["sms"], "state": state, "failure_type": failure_type, "reason": reason,
                 "ref": ref} for item in group], code in THROTTLE_CODES or code.startswith("Throttling")
