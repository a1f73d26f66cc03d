import json

from odoo import api, fields, models

# Guangdong's (Foshan's) platform takes the same data items in its own
# envelope: GET with the message as one URL-encoded JSON parameter, a header
# with the date and time of sending, the record's items in a body, its lists
# named vehiclePartsList / repairProjectList, and the plate's colour.
#   GET <address>/api/getAccessToken.ashx?companydata={"header": {"date": yyyyMMdd,
#       "time": HHmmss}, "body": {"companycode", "companypassword"}}
#     -> {"code": "1", "access_token": ...}
#   GET <address>/api/upRepairInfo.ashx?repairdata={"access_token", "header": {...},
#       "body": {vehicleplatenumber, vehicleplatecolor, companyname, vin, repairdate,
#       repairmileage, settledate, faultdescription, costlistcode,
#       "vehiclePartsList": [...], "repairProjectList": [...]}}
TOKEN_PATH = "/api/getAccessToken.ashx"
RECORD_PATH = "/api/upRepairInfo.ashx"


def plate_colour(plate):
    """新能源 plates have eight characters and are green; small cars' others blue."""
    return "绿" if len(plate or "") == 8 else "蓝"


class AutorepairArchiveAdapterGuangdong(models.AbstractModel):
    _name = "autorepair.archive.adapter.guangdong"
    _inherit = "autorepair.archive.adapter.national"
    _description = "Health Archive Interface: Guangdong"

    @api.model
    def _autorepair_record(self, items):
        national = super()._autorepair_record(items)
        return {
            **national["basicInfo"],
            "vehicleplatecolor": plate_colour(items["plate"]),
            "vehiclePartsList": national["vehiclepartslist"],
            "repairProjectList": national["repairprojectlist"],
        }

    @api.model
    def _autorepair_header(self):
        now = fields.Datetime.context_timestamp(self, fields.Datetime.now())
        return {"date": now.strftime("%Y%m%d"), "time": now.strftime("%H%M%S")}

    @api.model
    def _autorepair_token(self, company, timeout):
        company = company.sudo()
        message = {"header": self._autorepair_header(), "body": {
            "companycode": company.autorepair_archive_company_code,
            "companypassword": company.autorepair_archive_password,
        }}
        body = self._autorepair_http("GET", company.autorepair_archive_url + TOKEN_PATH, timeout,
                                     params={"companydata": json.dumps(message, ensure_ascii=False)})
        return self._autorepair_token_answer(body)

    @api.model
    def _autorepair_send_record(self, company, token, record, timeout):
        message = {"access_token": token, "header": self._autorepair_header(), "body": record}
        body = self._autorepair_http("GET", company.sudo().autorepair_archive_url + RECORD_PATH, timeout,
                                     params={"repairdata": json.dumps(message, ensure_ascii=False)})
        return self._autorepair_record_answer(body, record["costlistcode"])
