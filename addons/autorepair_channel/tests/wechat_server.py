import hashlib
import time

from .common import LocalProviderServer

APPID = "wx6f5a1c2d3e4b5a69"
SECRET = "3c1e5f0d9a8b7c6d5e4f3a2b1c0d9e8f"
SERVER_TOKEN = "autorepairtoken2026"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the console generates


class LocalWeChat:
    """The official-account API as documented (developers.weixin.qq.com, 公众号):
    GET /cgi-bin/token (grant_type=client_credential, appid, secret) gives an
    access_token valid expires_in seconds; every other call carries it as a
    query parameter and is refused with 40001/42001 otherwise;
    POST /cgi-bin/qrcode/create makes a parametric QR code; POST
    /cgi-bin/message/template/send sends a template message to a follower.
    ``answers`` queues errcodes the next template sends answer with."""

    def __init__(self):
        self.tokens = []
        self.answers = []
        self.unfollowed = set()
        self.token_delay = 0
        self.sent = []
        self.server = LocalProviderServer(self.respond)

    def respond(self, request):
        path = request["path"]
        query = {key: values[0] for key, values in request["query"].items()}
        if path == "/cgi-bin/token":
            if (request["method"], query.get("grant_type"), query.get("appid")) != ("GET", "client_credential", APPID):
                return 200, {}, {"errcode": 40013, "errmsg": "invalid appid"}
            if query.get("secret") != SECRET:
                return 200, {}, {"errcode": 40125, "errmsg": "invalid appsecret"}
            time.sleep(self.token_delay)
            self.tokens.append(f"ACCESS_TOKEN_{len(self.tokens) + 1}")
            return 200, {}, {"access_token": self.tokens[-1], "expires_in": 7200}
        if not self.tokens or query.get("access_token") not in self.tokens:
            return 200, {}, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if query["access_token"] != self.tokens[-1] and len(self.tokens) > 1:
            return 200, {}, {"errcode": 42001, "errmsg": "access_token expired"}
        body = request["json"] or {}
        if path == "/cgi-bin/qrcode/create" and request["method"] == "POST":
            scene = body.get("action_info", {}).get("scene", {}).get("scene_str", "")
            if body.get("action_name") not in ("QR_STR_SCENE", "QR_LIMIT_STR_SCENE") or not 1 <= len(scene) <= 64 \
                    or body.get("expire_seconds", 60) > 2592000:
                return 200, {}, {"errcode": 40097, "errmsg": "invalid args"}
            return 200, {}, {"ticket": f"gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL{len(scene)}",
                             "expire_seconds": body.get("expire_seconds"),
                             "url": f"http://weixin.qq.com/q/{scene[:12]}"}
        if path == "/cgi-bin/message/template/send" and request["method"] == "POST":
            if not body.get("touser") or not body.get("template_id") or not isinstance(body.get("data"), dict) \
                    or any(set(value) != {"value"} for value in body["data"].values()):
                return 200, {}, {"errcode": 47001, "errmsg": "data format error"}
            if self.answers:
                errcode = self.answers.pop(0)
                if errcode == 42001:
                    self.tokens.append(f"ACCESS_TOKEN_{len(self.tokens) + 1}-elsewhere")
                return 200, {}, {"errcode": errcode, "errmsg": {
                    42001: "access_token expired", 45009: "reach max api daily quota limit",
                    40003: "invalid openid"}.get(errcode, "error")}
            if body["touser"] in self.unfollowed:
                return 200, {}, {"errcode": 43004, "errmsg": "require subscribe"}
            self.sent.append(body)
            return 200, {}, {"errcode": 0, "errmsg": "ok", "msgid": 200228332 + len(self.sent)}
        return 404, {}, "not found"

    def requests_to(self, path):
        return [request for request in self.server.requests if request["path"] == path]


def signed(token, timestamp=None, nonce="84512963"):
    """WeChat's signature of a callback: sha1 of token, timestamp and nonce
    sorted; the timestamp is now unless given."""
    timestamp = timestamp or str(int(time.time()))
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def event_xml(openid, event, key=""):
    return (f"<xml><ToUserName><![CDATA[gh_1a2b3c4d5e6f]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>1764670000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
            f"<Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRw]]></Ticket></xml>")
