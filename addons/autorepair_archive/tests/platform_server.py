import json
import re
import time

from odoo.addons.autorepair_channel.tests.common import LocalProviderServer

COMPANY_CODE = "510104000123001"
PASSWORD = "jc-2026!archive"

# the national interface (lcipprodatarest), as the provincial platforms publish it
TOKEN_PATH = "/restservices/lcipprodatarest/lcipprogetaccesstoken/query"
RECORD_PATH = "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"
BASIC_KEYS = {"vehicleplatenumber", "companyname", "vin", "repairdate", "repairmileage", "settledate",
              "faultdescription", "costlistcode"}
PART_KEYS = {"partsname", "partscode", "partsquantity"}
PROJECT_KEYS = {"repairproject", "workinghours"}
DATE = re.compile(r"^\d{8}$")
NUMBER = re.compile(r"^\d+(\.\d+)?$")


class LocalArchivePlatform:
    """A province's health archive platform on localhost, checking each call
    as its interface documents it: a login with the shop's code and password
    giving an access token (code 1; -11 密码错误), then one call per repair
    record carrying the token, whose items are checked (code -2 参数格式不对
    otherwise) and kept by settlement number. ``answers`` queues what the
    next record calls answer instead: (status, body) or ("sleep", seconds).
    ``guangdong``: Foshan's envelope (GET, companydata / repairdata)."""

    def __init__(self, guangdong=False):
        self.guangdong = guangdong
        self.tokens = []
        self.answers = []
        self.records = {}
        self.server = LocalProviderServer(self.respond)
        # a client that gave up waiting (a timeout) leaves a broken pipe: nothing to report
        self.server.httpd.handle_error = lambda request, client_address: None

    # ------------------------------------------------------------------ calls

    def respond(self, request):
        if self.guangdong:
            return self._respond_guangdong(request)
        if request["method"] != "POST" or "json" not in request["headers"].get("content-type", ""):
            return 405, {}, "POST application/json only"
        body = request["json"] or {}
        if request["path"] == TOKEN_PATH:
            return 200, {}, self._login(body)
        if request["path"] == RECORD_PATH:
            if body.get("access_token") not in self.tokens:
                return 200, {}, {"code": "-1", "status": "参数无效"}
            record = {key: value for key, value in body.items() if key != "access_token"}
            return self._record(record, record.get("basicInfo") or {},
                                record.get("vehiclepartslist"), record.get("repairprojectlist"))
        return 404, {}, "not found"

    def _respond_guangdong(self, request):
        if request["method"] != "GET":
            return 405, {}, "GET only"
        query = {key: values[0] for key, values in request["query"].items()}
        if request["path"] == "/api/getAccessToken.ashx":
            message = json.loads(query.get("companydata") or "{}")
            if not DATE.match(message.get("header", {}).get("date", "")):
                return 200, {}, {"code": "-2", "status": "参数格式不对"}
            return 200, {}, self._login(message.get("body") or {})
        if request["path"] == "/api/upRepairInfo.ashx":
            message = json.loads(query.get("repairdata") or "{}")
            if message.get("access_token") not in self.tokens or not message.get("header", {}).get("time"):
                return 200, {}, {"code": "-1", "status": "参数无效"}
            body = dict(message.get("body") or {})
            parts, projects = body.pop("vehiclePartsList", None), body.pop("repairProjectList", None)
            if body.pop("vehicleplatecolor", None) not in ("蓝", "黄", "绿", "白", "黑"):
                return 200, {}, {"code": "-2", "status": "参数格式不对"}
            return self._record(message["body"], body, parts, projects)
        return 404, {}, "not found"

    def _login(self, body):
        if body.get("companycode") != COMPANY_CODE:
            return {"code": "-10", "status": "企业不存在"}
        if body.get("companypassword") != PASSWORD:
            return {"code": "-11", "status": "密码错误"}
        self.tokens.append(f"{len(self.tokens) + 1:032d}")
        return {"code": "1", "status": "获取成功", "access_token": self.tokens[-1]}

    def _record(self, record, basic, parts, projects):
        if self.answers:
            answer = self.answers.pop(0)
            if answer[0] == "sleep":
                time.sleep(answer[1])
            else:
                return answer[0], {}, answer[1]
        valid = (
            set(basic) == BASIC_KEYS and all(isinstance(value, str) for value in basic.values())
            and len(basic["vin"]) == 17 and DATE.match(basic["repairdate"]) and DATE.match(basic["settledate"])
            and basic["repairmileage"].isdigit() and basic["costlistcode"] and basic["faultdescription"]
            and isinstance(parts, list) and isinstance(projects, list)
            and all(set(part) == PART_KEYS and NUMBER.match(part["partsquantity"]) for part in parts)
            and all(set(item) == PROJECT_KEYS and NUMBER.match(item["workinghours"]) for item in projects)
        )
        if not valid:
            return 200, {}, {"code": "-2", "status": "参数格式不对"}
        # one record per settlement number: a correction replaces it
        self.records[basic["costlistcode"]] = record
        return 200, {}, {"code": "1", "status": "新增成功"}

    def record_calls(self):
        path = "/api/upRepairInfo.ashx" if self.guangdong else RECORD_PATH
        return [request for request in self.server.requests if request["path"] == path]

    def login_calls(self):
        path = "/api/getAccessToken.ashx" if self.guangdong else TOKEN_PATH
        return [request for request in self.server.requests if request["path"] == path]
