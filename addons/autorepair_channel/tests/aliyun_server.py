"""Aliyun SMS (Dysmsapi 2017-05-25) played on localhost, for the tests and
the broadcast benchmark: it checks each request's V3 signature
(ACS3-HMAC-SHA256, https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature)
against the AccessKey it knows, as Aliyun does, and answers SendSms and
SendBatchSms as documented (https://help.aliyun.com/document_detail/419273.html,
https://help.aliyun.com/document_detail/102364.html)."""

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import deque
from urllib.parse import parse_qs, quote

from .common import LocalProviderServer

ACCESS_KEY_ID = "LTAI5tLocalTestKey"
ACCESS_KEY_SECRET = "local-test-secret-7f3a"


def _canonical_query(query):
    return "&".join(f"{key}={quote(query[key], safe='~')}" for key in sorted(query))


class AliyunSmsServer(LocalProviderServer):
    """``answer(action, call) -> (code, message)`` decides each accepted
    call's business answer (default OK), or ``(http_status, code, message)``
    for a refusal by the API gateway (Throttling.User is HTTP 400); ``rate`` (messages per second),
    when set, answers isv.BUSINESS_LIMIT_CONTROL to a call that would go over
    it in the last second. ``sent`` keeps every accepted call:
    ``{"action", "numbers", "sign_names", "template", "params", "biz_id"}``."""

    def __init__(self, answer=None, rate=None, secret=ACCESS_KEY_SECRET):
        super().__init__(self._respond)
        self.answer = answer
        self.rate = rate
        self.secret = secret
        self.sent = []
        self.refused = []  # (code, message) of every refused call
        self._window = deque()  # (time, count) of the messages accepted in the last second
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    # -- signature, as Aliyun recomputes it
    def _check_signature(self, request):
        auth = request["headers"].get("authorization", "")
        algorithm, _, rest = auth.partition(" ")
        fields = dict(part.split("=", 1) for part in rest.split(",") if "=" in part)
        if algorithm != "ACS3-HMAC-SHA256" or not {"Credential", "SignedHeaders", "Signature"} <= set(fields):
            return 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
        if fields["Credential"] != ACCESS_KEY_ID:
            return 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
        payload_hash = hashlib.sha256(request["body"]).hexdigest()
        if request["headers"].get("x-acs-content-sha256") != payload_hash:
            return 400, "IncompleteSignature", "The x-acs-content-sha256 does not match the body."
        signed = fields["SignedHeaders"].split(";")
        if not {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce"} <= set(signed):
            return 400, "IncompleteSignature", "Required headers are not signed."
        query = {key: values[0] for key, values in request["query"].items()}
        canonical_headers = "".join(f"{name}:{request['headers'].get(name, '').strip()}\n" for name in signed)
        canonical_request = "\n".join([
            request["method"], request["path"] or "/", _canonical_query(query), canonical_headers,
            fields["SignedHeaders"], payload_hash,
        ])
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
        expected = hmac.new(self.secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields["Signature"]):
            return 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
        return None

    def _over_rate(self, count):
        if not self.rate:
            return False
        with self._lock:
            now = time.monotonic()
            while self._window and self._window[0][0] <= now - 1:
                self._window.popleft()
            if sum(n for _, n in self._window) + count > self.rate:
                return True
            self._window.append((now, count))
            return False

    def _respond(self, request):
        request_id = f"REQ-{next(self._ids)}"
        refused = self._check_signature(request)
        if refused:
            status, code, message = refused
            self.refused.append((code, message))
            return status, {}, {"RequestId": request_id, "Code": code, "Message": message,
                                "HostId": "dysmsapi.aliyuncs.com"}
        params = {key: values[0] for key, values in request["query"].items()}
        params.update({key: values[0] for key, values in parse_qs(request["body"].decode()).items()})
        action = request["headers"].get("x-acs-action")
        if action == "SendSms":
            numbers = params.get("PhoneNumbers", "").split(",")
            call = {"action": action, "numbers": numbers, "sign_names": [params.get("SignName")] * len(numbers),
                    "template": params.get("TemplateCode"),
                    "params": [json.loads(params.get("TemplateParam") or "{}")] * len(numbers)}
        elif action == "SendBatchSms":
            numbers = json.loads(params.get("PhoneNumberJson") or "[]")
            call = {"action": action, "numbers": numbers, "sign_names": json.loads(params.get("SignNameJson") or "[]"),
                    "template": params.get("TemplateCode"),
                    "params": json.loads(params.get("TemplateParamJson") or "[]")}
            if len(numbers) > 100 or len(call["sign_names"]) != len(numbers) or len(call["params"]) != len(numbers):
                return 200, {}, {"RequestId": request_id, "Code": "isv.INVALID_PARAMETERS", "Message": "参数异常"}
        else:
            return 400, {}, {"RequestId": request_id, "Code": "InvalidAction.NotFound",
                             "Message": f"Specified api is not found: {action}"}
        status, code, message = 200, "OK", "OK"
        if self.answer:
            answer = self.answer(action, call)
            status, code, message = answer if len(answer) == 3 else (200, *answer)
        if code == "OK" and self._over_rate(len(numbers)):
            code, message = "isv.BUSINESS_LIMIT_CONTROL", "触发云通信流控限制"
        if code != "OK":
            self.refused.append((code, message))
            return status, {}, {"RequestId": request_id, "Code": code, "Message": message}
        call["biz_id"] = f"{next(self._ids)}^0"
        self.sent.append(call)
        return 200, {}, {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": call["biz_id"]}
