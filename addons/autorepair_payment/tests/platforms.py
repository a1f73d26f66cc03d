"""WeChat Pay (API v3) and Alipay (open platform, RSA2) played on localhost.

Each checks the merchant's requests as the platform documents them, with keys
the test generates, and signs its answers and notifications with its own key,
written here without the SDKs so that the addon's use of them is checked
against an independent reading of the documentation."""

import base64
import datetime
import json
import re
import secrets
import time
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from odoo.addons.autorepair_channel.tests.common import LocalProviderServer


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048, backend=default_backend())


def private_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(key, message):
    """SHA256withRSA, base64: both platforms' signature."""
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(public_key, message, signature):
    try:
        public_key.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


class LocalWeChatPay:
    """WeChat Pay API v3 for a direct merchant: Native ordering
    (POST /v3/pay/transactions/native) authenticated by the merchant's
    signature (Authorization: WECHATPAY2-SHA256-RSA2048 mchid, nonce_str,
    timestamp, serial_no, signature over METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n),
    answers signed with the platform certificate's key (Wechatpay-Timestamp,
    -Nonce, -Signature over TIMESTAMP\\nNONCE\\nBODY\\n, -Serial), and payment
    notifications whose resource is AEAD_AES_256_GCM-encrypted with the APIv3 key."""

    MCHID = "1900009191"
    APPID = "wxd678efh567hg6787"
    MERCHANT_SERIAL = "444F4864EA9B34415D4F5A7C5F4C1A12AB3C4D5E"
    APIV3_KEY = "a12d3924fd499edac8a5efc4e1a3b2c9"
    AUTH = re.compile(r'^WECHATPAY2-SHA256-RSA2048 (.+)$')
    OUT_TRADE_NO = re.compile(r"^[A-Za-z0-9_\-|*]{6,32}$")

    def __init__(self):
        self.merchant_key = rsa_key()
        self.platform_key = rsa_key()
        now = datetime.datetime.utcnow()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
        self.platform_cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.platform_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
            .sign(self.platform_key, hashes.SHA256(), default_backend()))
        self.orders = {}
        self.server = LocalProviderServer(self.respond)

    @property
    def platform_serial(self):
        return f"{self.platform_cert.serial_number:X}"

    def provider_values(self):
        return {
            "wechatpay_mchid": self.MCHID, "wechatpay_appid": self.APPID,
            "wechatpay_serial_no": self.MERCHANT_SERIAL, "wechatpay_apiv3_key": self.APIV3_KEY,
            "wechatpay_private_key": private_pem(self.merchant_key),
            "wechatpay_platform_cert": self.platform_cert.public_bytes(serialization.Encoding.PEM).decode(),
            "autorepair_gateway_url": self.server.url,
        }

    def _signed(self, status, payload):
        body = json.dumps(payload, ensure_ascii=False)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        return status, {
            "Content-Type": "application/json", "Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": self.platform_serial,
            "Wechatpay-Signature": sign(self.platform_key, f"{timestamp}\n{nonce}\n{body}\n"),
        }, body.encode()

    def respond(self, request):
        problem = self.check_authorization(request)
        if problem:
            return 401, {}, {"code": "SIGN_ERROR", "message": problem}
        if request["method"] != "POST" or request["path"] != "/v3/pay/transactions/native":
            return 404, {}, {"code": "NOT_FOUND", "message": request["path"]}
        order, problem = request["json"] or {}, None
        amount = order.get("amount") or {}
        if order.get("mchid") != self.MCHID or order.get("appid") != self.APPID:
            problem = "mchid/appid"
        elif not self.OUT_TRADE_NO.match(order.get("out_trade_no") or ""):
            problem = "out_trade_no"
        elif not order.get("description") or len(order["description"]) > 127:
            problem = "description"
        elif not (order.get("notify_url") or "").startswith(("http://", "https://")) or "?" in order["notify_url"]:
            problem = "notify_url"
        elif not isinstance(amount.get("total"), int) or amount["total"] <= 0 \
                or not re.match(r"^[A-Z]{3}$", amount.get("currency", "CNY")):
            problem = "amount"
        if problem:
            return 400, {}, {"code": "PARAM_ERROR", "message": problem}
        self.orders[order["out_trade_no"]] = order
        return self._signed(200, {"code_url": "weixin://wxpay/bizpayurl?pr=" + secrets.token_urlsafe(8)})

    def check_authorization(self, request):
        """The merchant's signature, as WeChat Pay checks it (签名生成)."""
        match = self.AUTH.match(request["headers"].get("authorization", ""))
        if not match:
            return "no WECHATPAY2-SHA256-RSA2048 authorization"
        parts = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if parts.get("mchid") != self.MCHID or parts.get("serial_no") != self.MERCHANT_SERIAL:
            return "mchid/serial_no"
        if abs(time.time() - int(parts.get("timestamp") or 0)) > 300:
            return "timestamp"
        url = urlsplit(request["path"])
        message = "{}\n{}\n{}\n{}\n{}\n".format(
            request["method"], url.path + (f"?{url.query}" if url.query else ""), parts["timestamp"],
            parts.get("nonce_str"), request["body"].decode())
        if not verify(self.merchant_key.public_key(), message, parts.get("signature", "")):
            return "signature"
        return None

    def notification(self, out_trade_no, trade_state="SUCCESS", key=None, **resource_values):
        """(headers, body) of the payment notification of an order, signed with
        the platform key (or ``key``)."""
        order = self.orders[out_trade_no]
        resource = {
            "mchid": self.MCHID, "appid": self.APPID, "out_trade_no": out_trade_no,
            "transaction_id": "42000000" + secrets.token_hex(10), "trade_type": "NATIVE",
            "trade_state": trade_state, "trade_state_desc": "支付成功", "bank_type": "OTHERS",
            "success_time": "2026-12-02T10:00:00+08:00", "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {"total": order["amount"]["total"], "payer_total": order["amount"]["total"],
                       "currency": "CNY", "payer_currency": "CNY"},
            **resource_values,
        }
        nonce = secrets.token_hex(6)
        ciphertext = AESGCM(self.APIV3_KEY.encode()).encrypt(
            nonce.encode(), json.dumps(resource).encode(), b"transaction")
        body = json.dumps({
            "id": secrets.token_hex(16), "create_time": "2026-12-02T10:00:01+08:00",
            "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
            "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                         "ciphertext": base64.b64encode(ciphertext).decode(), "associated_data": "transaction",
                         "nonce": nonce},
        })
        timestamp, sign_nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json", "Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": sign_nonce,
            "Wechatpay-Serial": self.platform_serial,
            "Wechatpay-Signature": sign(key or self.platform_key, f"{timestamp}\n{sign_nonce}\n{body}\n"),
        }
        return headers, body


class LocalAlipay:
    """Alipay's gateway (gateway.do) for 当面付 precreate: the request's
    parameters signed RSA2 (SHA256withRSA over the parameters but sign, sorted
    by name, k=v joined by &) with the application's key;
    the answer's alipay_trade_precreate_response object signed with Alipay's
    key; asynchronous notifications signed over their parameters but sign and
    sign_type."""

    APP_ID = "2021000117600000"
    COMMON = {"app_id", "method", "charset", "sign_type", "timestamp", "version", "biz_content", "sign"}

    def __init__(self):
        self.app_key = rsa_key()
        self.alipay_key = rsa_key()
        self.orders = {}
        self.server = LocalProviderServer(self.respond)

    def provider_values(self):
        return {
            "alipay_app_id": self.APP_ID, "alipay_app_private_key": private_pem(self.app_key),
            "alipay_public_key": public_pem(self.alipay_key), "autorepair_gateway_url": self.server.url + "/gateway.do",
        }

    @staticmethod
    def signing_string(params, exclude=("sign",)):
        """Requests are signed over every parameter but sign; notifications
        (验签) over every parameter but sign and sign_type."""
        return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in exclude and v != "")

    def _answer(self, payload):
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        body = '{"alipay_trade_precreate_response":' + content + ',"sign":"' + sign(self.alipay_key, content) + '"}'
        return 200, {"Content-Type": "text/html;charset=utf-8"}, body.encode()

    def respond(self, request):
        params = {k: v[0] for k, v in request["query"].items()}
        error = {"code": "40002", "msg": "Invalid Arguments"}
        if request["path"] != "/gateway.do" or not self.COMMON <= set(params):
            return self._answer({**error, "sub_code": "isv.missing-parameter"})
        if params["app_id"] != self.APP_ID or params["sign_type"] != "RSA2" or params["charset"] != "utf-8" \
                or params["version"] != "1.0" or not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", params["timestamp"]):
            return self._answer({**error, "sub_code": "isv.invalid-parameter"})
        if not verify(self.app_key.public_key(), self.signing_string(params), params["sign"]):
            return self._answer({**error, "sub_code": "isv.invalid-signature"})
        if params["method"] != "alipay.trade.precreate":
            return self._answer({**error, "sub_code": "isv.invalid-method"})
        biz = json.loads(params["biz_content"])
        if not re.match(r"^[A-Za-z0-9_]{1,64}$", biz.get("out_trade_no", "")) or not biz.get("subject") \
                or not re.match(r"^\d+\.\d{2}$", biz.get("total_amount", "")) \
                or not params.get("notify_url", "").startswith(("http://", "https://")):
            return self._answer({**error, "sub_code": "isv.invalid-biz-content"})
        self.orders[biz["out_trade_no"]] = {**biz, "notify_url": params["notify_url"]}
        return self._answer({"code": "10000", "msg": "Success", "out_trade_no": biz["out_trade_no"],
                             "qr_code": "https://qr.alipay.com/bax0" + secrets.token_hex(10)})

    def notification(self, out_trade_no, trade_status="TRADE_SUCCESS", key=None, **values):
        """The form parameters of the asynchronous notification of an order."""
        order = self.orders[out_trade_no]
        params = {
            "notify_time": "2026-12-02 10:00:01", "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16), "app_id": self.APP_ID, "charset": "utf-8", "version": "1.0",
            "sign_type": "RSA2", "trade_no": "2026120222001" + secrets.token_hex(8),
            "out_trade_no": out_trade_no, "trade_status": trade_status, "total_amount": order["total_amount"],
            "receipt_amount": order["total_amount"], "buyer_logon_id": "159****5620",
            "gmt_payment": "2026-12-02 10:00:00", "subject": order["subject"], **values,
        }
        params["sign"] = sign(key or self.alipay_key, self.signing_string(params, exclude=("sign", "sign_type")))
        return params
