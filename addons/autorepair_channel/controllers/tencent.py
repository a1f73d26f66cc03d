import json

from odoo import http
from odoo.http import request


class TencentSmsCallback(http.Controller):
    """The callback addresses given in Tencent Cloud's SMS console (短信 >
    应用管理 > 回调配置): delivery receipts (短信下发状态通知,
    https://www.tencentcloud.com/document/api/382/43547, a JSON array) and
    replies (短信回复, https://cloud.tencent.com/document/api/382/59179, a JSON
    object). Tencent does not sign these pushes: the company's secret callback
    token in the address is what authenticates them."""

    @http.route("/autorepair/sms/tencent/<string:token>/status", type="http", auth="public", methods=["POST"],
                csrf=False, save_session=False)
    def tencent_status(self, token, **_kw):
        return self._handle(token, "_autorepair_pushed_receipt", receipts=True)

    @http.route("/autorepair/sms/tencent/<string:token>/reply", type="http", auth="public", methods=["POST"],
                csrf=False, save_session=False)
    def tencent_reply(self, token, **_kw):
        return self._handle(token, "_autorepair_pushed_reply", receipts=False)

    def _handle(self, token, convert, receipts):
        Tencent = request.env["autorepair.sms.provider.tencent"]
        company = Tencent._autorepair_company_of_token(token)
        if not company:
            return request.make_json_response({"result": 1, "errmsg": "forbidden"}, status=403)
        try:
            payload = json.loads(request.httprequest.get_data() or b"null")
        except ValueError:
            payload = None
        rows = payload if isinstance(payload, list) else [payload] if isinstance(payload, dict) else None
        if rows is None or not all(isinstance(row, dict) for row in rows):
            return request.make_json_response({"result": 1, "errmsg": "invalid JSON body"}, status=400)
        # the token was checked: the receipts and replies are applied as the system
        Tencent = Tencent.sudo()
        converted = [getattr(Tencent, convert)(row) for row in rows]
        Tencent._autorepair_apply_reports(
            company, converted if receipts else [], [] if receipts else converted)
        return request.make_json_response({"result": 0, "errmsg": "OK"})
