import ipaddress
import logging
import re
from collections import defaultdict
from datetime import datetime, timezone

from odoo import fields, models

from .autorepair_sms_provider import e164
from .sms_sms import number_key

_logger = logging.getLogger(__name__)

try:
    from tencentcloud.common import credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.sms.v20210111 import models as sms_models
    from tencentcloud.sms.v20210111.sms_client import SmsClient
except ImportError:  # the manifest's external_dependencies say what to install
    SmsClient = None

# SendSms 2021-01-11: "单次请求最多支持200个手机号"
# (https://cloud.tencent.com/document/api/382/55981)
SEND_BATCH_SIZE = 200
# PullSmsSendStatus / PullSmsReplyStatus: "拉取最大条数，最多100条"; "接口拉取的状态
# 数据为队列模式，同一号码一次下发的状态数据仅能拉取一次" (the SDK's docstrings)
PULL_LIMIT = 100
# at most this many pulls per run and kind: the cron comes back for the rest
PULL_ROUNDS = 50

# The SMS error codes of API 3.0 (https://cloud.tencent.com/document/api/382/59177
# and the common codes https://cloud.tencent.com/document/api/382/52075), as
# the SDK raises them for a whole request and SendStatusSet gives them per
# number, mapped to the failure types of Odoo's queue. "retry": throttled or
# a passing fault of Tencent's, sent again later.
_RETRY = "retry"
ERROR_CODES = {
    "LimitExceeded": _RETRY,
    "RequestLimitExceeded": _RETRY,
    "InternalError.Timeout": _RETRY,
    "InternalError.OtherError": _RETRY,
    "InternalError": _RETRY,
    "ServerNetworkError": _RETRY,
    "ClientNetworkError": _RETRY,
    "InvalidParameterValue.IncorrectPhoneNumber": "sms_number_format",
    "FailedOperation.PhoneNumberParseFail": "sms_number_format",
    "LimitExceeded.PhoneNumberCountLimit": "sms_number_format",
    # 免打扰名单: the customer unsubscribed at Tencent or his carrier's list
    "FailedOperation.PhoneNumberInBlacklist": "sms_rejected",
    "FailedOperation.PhoneNumberOnBlacklist": "sms_rejected",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": "sms_country_not_supported",
    "UnsupportedOperation.UnsupportedRegion": "sms_country_not_supported",
    "FailedOperation.TemplateIncorrectOrUnapproved": "sms_template",
    "FailedOperation.MissingTemplateList": "sms_template",
    "InvalidParameterValue.TemplateParameterFormatError": "sms_template",
    "InvalidParameterValue.TemplateParameterLengthLimit": "sms_template",
    "InvalidParameterValue.ContentLengthLimit": "sms_template",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": "sms_template",
    "FailedOperation.InsufficientBalanceInSmsPackage": "sms_credit",
    "FailedOperation.SignatureIncorrectOrUnapproved": "sms_acc",
    "FailedOperation.MissingSignatureList": "sms_acc",
    "InvalidParameterValue.SdkAppIdNotExist": "sms_acc",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "sms_acc",
    "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny": "sms_acc",
    "UnauthorizedOperation.RequestPermissionDeny": "sms_acc",
    "UnauthorizedOperation.RequestIpNotInWhitelist": "sms_acc",
    "UnauthorizedOperation.ServiceSuspendDueToArrears": "sms_credit",
    "AuthFailure": "sms_acc",
    "FailedOperation.ContainSensitiveWord": "sms_rejected",
    "FailedOperation.MarketingSendTimeConstraint": "sms_rejected",
}
# A variable is never a link: "模板中的变量参数不允许传链接（包含短链接）"
# (https://cloud.tencent.com/document/product/382/13301)
_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


def _error_kind(code):
    """The failure type (or "retry") of a Tencent error code, by its most
    precise documented prefix: LimitExceeded.DeliveryFrequencyLimit falls
    under LimitExceeded, AuthFailure.SignatureFailure under AuthFailure."""
    code = code or ""
    while code:
        if code in ERROR_CODES:
            return ERROR_CODES[code]
        code = code.rpartition(".")[0]
    return "unknown"


class AutorepairSmsProviderTencent(models.AbstractModel):
    """Tencent Cloud SMS (腾讯云短信, API 2021-01-11) through the official SDK:
    SendSms with the approved template (模板ID), its parameters by order and
    the signature (签名); receipts (回执) and replies (上行短信) pulled by the
    cron with PullSmsSendStatus / PullSmsReplyStatus or pushed to the
    callback addresses (controllers/tencent.py)."""

    _name = "autorepair.sms.provider.tencent"
    _inherit = "autorepair.sms.provider"
    _description = "Tencent Cloud SMS"

    def _autorepair_batch_size(self):
        return SEND_BATCH_SIZE

    def _autorepair_missing_settings(self, company):
        """The labels of the company's Tencent settings left empty."""
        company = company.sudo()
        return [company._fields[fname]._description_string(self.env) for fname in (
            "autorepair_tencent_secret_id", "autorepair_tencent_secret_key", "autorepair_tencent_sdk_app_id",
        ) if not (company[fname] or "").strip()]

    def _autorepair_client(self, company):
        """The SDK's client for the company's account. The endpoint may be a
        bare domain (https) or, for a local test server only, an http URL on
        a loopback address: signed requests never cross the network in clear."""
        company = company.sudo()
        endpoint = (company.autorepair_tencent_endpoint or "sms.tencentcloudapi.com").strip().rstrip("/")
        scheme, _sep, host = endpoint.rpartition("://")
        hostname = host.rsplit(":", 1)[0].strip("[]")
        try:
            loopback = hostname == "localhost" or ipaddress.ip_address(hostname).is_loopback
        except ValueError:
            loopback = False
        protocol = "http" if loopback and scheme != "https" else "https"
        profile = ClientProfile(httpProfile=HttpProfile(protocol=protocol, endpoint=host, reqTimeout=30))
        cred = credential.Credential(company.autorepair_tencent_secret_id or "",
                                     company.autorepair_tencent_secret_key or "")
        return SmsClient(cred, company.autorepair_tencent_region or "ap-guangzhou", profile)

    # ------------------------------------------------------------------ send

    def _autorepair_send(self, company, items):
        results, groups = [], defaultdict(list)
        for item in items:
            number = e164(item["number"])
            params = [value for _name, value in item["params"]]
            if not number:
                results.append(self._autorepair_result(item, "sms_number_format", self.env._(
                    "%(number)s is not a mobile number Tencent Cloud takes (E.164, e.g. +8613800138000).",
                    number=item["number"] or "-")))
            elif any(_LINK.search(value) for value in params):
                results.append(self._autorepair_result(item, "sms_template", self.env._(
                    "Tencent Cloud takes no link as a template variable: write the portal address into the "
                    "template itself (模板内容) and remove the Portal Link variable.")))
            else:
                # one SendSms per template, signature and parameters: the same
                # text for every number of the call
                groups[item["code"], item["sign"], tuple(params)].append((number, item))
        missing = groups and self._autorepair_missing_settings(company)
        if missing:
            reason = self.env._("Tencent Cloud SMS is not set up: enter %(fields)s in Settings (SMS and WeChat).",
                                fields=", ".join(missing))
            return results + [self._autorepair_result(item, "sms_acc", reason)
                              for members in groups.values() for _number, item in members]
        client = groups and self._autorepair_client(company)
        for (code, sign, params), members in groups.items():
            request = sms_models.SendSmsRequest()
            request.SmsSdkAppId = company.sudo().autorepair_tencent_sdk_app_id or ""
            request.TemplateId = code
            request.SignName = sign
            request.TemplateParamSet = list(params)
            request.PhoneNumberSet = [number for number, _item in members]
            try:
                response = client.SendSms(request)
            except TencentCloudSDKException as error:
                kind = _error_kind(error.code)
                reason = f"{error.code}: {error.message}"
                _logger.info("Tencent Cloud SMS refused %s messages: %s", len(members), reason)
                results += [self._autorepair_result(item, kind, reason) for _number, item in members]
                continue
            by_number = defaultdict(list)
            for status in response.SendStatusSet or []:
                by_number[number_key(status.PhoneNumber)].append(status)
            for number, item in members:
                statuses = by_number.get(number_key(number))
                status = statuses.pop(0) if statuses else None
                if status is None:
                    results.append(self._autorepair_result(item, _RETRY, self.env._(
                        "Tencent Cloud did not report on this number (request %(request)s).",
                        request=response.RequestId)))
                elif status.Code == "Ok":
                    results.append({"sms": item["sms"], "state": "sent", "failure_type": False,
                                    "reason": False, "ref": status.SerialNo})
                else:
                    results.append(self._autorepair_result(
                        item, _error_kind(status.Code), f"{status.Code}: {status.Message}"))
        return results

    def _autorepair_result(self, item, kind, reason):
        if kind == _RETRY:
            return {"sms": item["sms"], "state": "retry", "failure_type": "sms_server", "reason": reason}
        return {"sms": item["sms"], "state": "error", "failure_type": kind, "reason": reason}

    # ------------------------------------------------------------------ receipts and replies

    def _autorepair_fetch_reports(self, company):
        """Pull the receipts and replies Tencent holds for the company's SMS
        application, page by page, and apply them."""
        if self._autorepair_missing_settings(company):
            return None
        client = self._autorepair_client(company)
        app_id = company.sudo().autorepair_tencent_sdk_app_id
        try:
            for rows in self._autorepair_pull(client, app_id, "PullSmsSendStatus"):
                self._autorepair_apply_reports(company, [self._autorepair_pulled_receipt(row) for row in rows], [])
            for rows in self._autorepair_pull(client, app_id, "PullSmsReplyStatus"):
                self._autorepair_apply_reports(company, [], [self._autorepair_pulled_reply(row) for row in rows])
        except TencentCloudSDKException as error:
            # the pull APIs are opened on request (联系腾讯云短信小助手开通); an
            # account without them gets its receipts and replies pushed instead
            if not (error.code or "").startswith("UnauthorizedOperation"):
                raise
            _logger.info("Tencent Cloud SMS pull APIs not opened for %s: %s", company.name, error.message)
        return None

    def _autorepair_pull(self, client, app_id, action):
        """The pages of a pull API (PullSmsSendStatus or PullSmsReplyStatus),
        until one is not full."""
        for _round in range(PULL_ROUNDS):
            request = getattr(sms_models, f"{action}Request")()
            request.Limit = PULL_LIMIT
            request.SmsSdkAppId = app_id
            rows = getattr(getattr(client, action)(request), f"{action}Set") or []
            yield rows
            if len(rows) < PULL_LIMIT:
                return

    def _autorepair_pulled_receipt(self, row):
        return {"ref": row.SerialNo, "number": row.PhoneNumber or row.SubscriberNumber,
                "delivered": row.ReportStatus == "SUCCESS", "reason": row.Description}

    def _autorepair_pulled_reply(self, row):
        return {"number": row.PhoneNumber or row.SubscriberNumber, "body": row.ReplyContent,
                "time": row.ReplyTime}

    def _autorepair_pushed_receipt(self, row):
        """A receipt of the status callback (短信下发状态通知,
        https://www.tencentcloud.com/document/api/382/43547): sid is SerialNo."""
        errmsg, description = row.get("errmsg") or "", row.get("description") or ""
        return {"ref": str(row.get("sid") or ""), "number": str(row.get("mobile") or ""),
                "delivered": row.get("report_status") == "SUCCESS",
                "reason": f"{errmsg}: {description}" if errmsg and description else errmsg or description}

    def _autorepair_pushed_reply(self, row):
        """A reply of the reply callback (短信回复, https://cloud.tencent.com/document/api/382/59179)."""
        code, mobile = str(row.get("nationcode") or "86"), str(row.get("mobile") or "")
        return {"number": f"+{code}{mobile}" if mobile and not mobile.startswith("+") else mobile,
                "body": row.get("text") or "", "time": row.get("time")}

    def _autorepair_apply_reports(self, company, receipts, replies):
        """Apply the company's receipts and replies, each once: a receipt only
        to an SMS of the company still waiting for one, a reply not recorded
        yet (a push Tencent sends again, a status both pushed and pulled)."""
        self.env["sms.sms"]._autorepair_receipts("tencent", company, receipts)
        Reply = self.env["autorepair.sms.reply"].sudo()
        for reply in replies:
            received = _received(reply["time"])
            number = e164(reply["number"]) or reply["number"]
            if Reply.search_count([("number", "in", list({number, reply["number"]})),
                                   ("body", "=", (reply["body"] or "")[:500]), ("received", "=", received)],
                                  limit=1):
                continue
            Reply._receive(number, reply["body"], received=received)


def _received(timestamp):
    """A reply's time (UNIX seconds, or "YYYY-MM-DD HH:MM:SS" Beijing time) as
    Odoo stores it (naive UTC)."""
    if isinstance(timestamp, (int, float)) or (isinstance(timestamp, str) and timestamp.isdigit()):
        return datetime.fromtimestamp(int(timestamp), tz=timezone.utc).replace(tzinfo=None)
    return fields.Datetime.now()
