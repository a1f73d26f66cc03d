from odoo import api, models

from .autorepair_archive_adapter import ArchiveUnreachable

# The interface of the health archive system of JT/T 1132.2-2017 as the
# provincial platforms built on it publish it to shops and DMS vendors
# (Shanghai api.qcda.shanghaiqixiu.org, Zhejiang qcda.96520.com, Hunan
# hunan.qichedangan.cn...): JSON over HTTPS POST, one login then one call per
# repair record.
#   POST <address>/restservices/lcipprodatarest/lcipprogetaccesstoken/query
#        {"companycode": 企业编码, "companypassword": 密码}
#     -> {"code": "1", "status": "获取成功", "access_token": ...}
#        or code -1 参数无效, -2 参数格式不对, -10 企业不存在, -11 密码错误, -99 异常
#   POST <address>/restservices/lcipprodatarest/lcipprocarfixrecordadd/query
#        {"access_token", "basicInfo": {vehicleplatenumber, companyname, vin,
#         repairdate yyyyMMdd, repairmileage, settledate yyyyMMdd, faultdescription,
#         costlistcode}, "vehiclepartslist": [{partsname, partscode, partsquantity}],
#         "repairprojectlist": [{repairproject, workinghours}]}
#     -> {"code": "1", "status": "新增成功"} or another code with the reason in "status"
# Values are sent as text, as the platform's own examples write them.
TOKEN_PATH = "/restservices/lcipprodatarest/lcipprogetaccesstoken/query"
RECORD_PATH = "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"


def number(value):
    """A quantity or hours as the platform's examples write them: 2, 1.5."""
    return f"{float(value or 0):g}"


class AutorepairArchiveAdapterNational(models.AbstractModel):
    _name = "autorepair.archive.adapter.national"
    _inherit = "autorepair.archive.adapter"
    _description = "Health Archive Interface: National"

    @api.model
    def _autorepair_record(self, items):
        return {
            "basicInfo": {
                "vehicleplatenumber": items["plate"],
                "companyname": items["company_name"],
                "vin": items["vin"],
                "repairdate": items["repair_date"].strftime("%Y%m%d"),
                "repairmileage": str(items["odometer"]),
                "settledate": items["settle_date"].strftime("%Y%m%d") if items["settle_date"] else "",
                "faultdescription": items["fault_description"],
                "costlistcode": items["settlement_number"],
            },
            "vehiclepartslist": [
                {"partsname": part["name"], "partscode": part["code"], "partsquantity": number(part["quantity"])}
                for part in items["parts"]],
            "repairprojectlist": [
                {"repairproject": item["name"], "workinghours": number(item["hours"])} for item in items["labour"]],
        }

    @api.model
    def _autorepair_token(self, company, timeout):
        company = company.sudo()
        body = self._autorepair_http("POST", company.autorepair_archive_url + TOKEN_PATH, timeout, payload={
            "companycode": company.autorepair_archive_company_code,
            "companypassword": company.autorepair_archive_password,
        })
        return self._autorepair_token_answer(body)

    @api.model
    def _autorepair_token_answer(self, body):
        if str(body.get("code")) == "1" and body.get("access_token"):
            return body["access_token"], None
        if str(body.get("code")) == "-99":
            raise ArchiveUnreachable(self.env._("The platform failed: %(reason)s", reason=body.get("status")))
        return None, f"{body.get('code')} {body.get('status') or ''}".strip()

    @api.model
    def _autorepair_send_record(self, company, token, record, timeout):
        body = self._autorepair_http(
            "POST", company.sudo().autorepair_archive_url + RECORD_PATH, timeout,
            payload={"access_token": token, **record})
        return self._autorepair_record_answer(body, record["basicInfo"]["costlistcode"])

    @api.model
    def _autorepair_record_answer(self, body, settlement_number):
        code = str(body.get("code"))
        if code == "1":
            # the platform files a record under its settlement number (结算清单编号), and
            # answers without an id of its own unless it gives one
            return {"state": "filed", "ref": str(body.get("id") or settlement_number), "response": body}
        if code == "-99":
            raise ArchiveUnreachable(self.env._("The platform failed: %(reason)s", reason=body.get("status")))
        return {"state": "refused", "reason": f"{code} {body.get('status') or ''}".strip(), "response": body}
