import json
import logging
from datetime import datetime

import pytz

from odoo import SUPERUSER_ID, http
from odoo.http import request

_logger = logging.getLogger(__name__)

# Aliyun pushes in HTTP batch mode (HTTP批量推送模式) a JSON array and retries
# until it reads {"code": 0} with HTTP 200 (SmsReport:
# https://help.aliyun.com/document_detail/101867.html, SmsUp:
# https://help.aliyun.com/zh/sms/developer-reference/smsup-http).
ACCEPTED = {"code": 0, "msg": "成功"}
BEIJING = pytz.timezone("Asia/Shanghai")


class AliyunSmsController(http.Controller):
    """Delivery receipts and customers' replies pushed by Aliyun SMS. The
    addresses carry the company's secret callback token (Aliyun signs no
    push): a wrong token is refused with 403 and changes nothing."""

    @http.route("/autorepair/sms/aliyun/<string:token>/report", type="http", auth="none", methods=["POST"],
                csrf=False, save_session=False, readonly=False)
    def aliyun_report(self, token, **kwargs):
        company, items = self._aliyun_read(token)
        if company is None:
            return items
        receipts = []
        for item in items:
            delivered = item.get("success") in (True, "true", "True")
            code, message = item.get("err_code") or "", item.get("err_msg") or ""
            receipts.append({"ref": str(item.get("biz_id") or ""), "number": item.get("phone_number"),
                             "delivered": delivered, "reason": f"{code}: {message}" if message else code})
        # another company's message, or one this database never sent, changes nothing
        request.env["sms.sms"].sudo()._autorepair_receipts("aliyun", company, receipts)
        return request.make_json_response(ACCEPTED)

    @http.route("/autorepair/sms/aliyun/<string:token>/reply", type="http", auth="none", methods=["POST"],
                csrf=False, save_session=False, readonly=False)
    def aliyun_reply(self, token, **kwargs):
        company, items = self._aliyun_read(token)
        if company is None:
            return items
        Reply = request.env["autorepair.sms.reply"].sudo()
        for item in items:
            if item.get("phone_number"):
                Reply._receive(item["phone_number"], item.get("content") or "",
                               received=self._aliyun_time(item.get("send_time")))
        return request.make_json_response(ACCEPTED)

    def _aliyun_read(self, token):
        """(company, pushed items), or (None, the refusal to answer)."""
        company = self._aliyun_company(token)
        if not company:
            _logger.warning("Aliyun SMS callback refused: unknown token")
            return None, request.make_json_response({"code": 403, "msg": "forbidden"}, status=403)
        # the provider acts as the system (consents it records name their author)
        request.update_env(user=SUPERUSER_ID)
        try:
            items = json.loads(request.httprequest.get_data() or b"[]")
        except ValueError:
            items = None
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return None, request.make_json_response({"code": 400, "msg": "JSON array expected"}, status=400)
        return company, items

    def _aliyun_company(self, token):
        """The company on Aliyun whose callback token this is, or None."""
        return request.env["autorepair.sms.provider.aliyun"]._autorepair_company_of_token(token) or None

    @staticmethod
    def _aliyun_time(value):
        """Aliyun's times are Beijing time, "2017-09-01 00:00:00"; Odoo stores UTC."""
        try:
            moment = datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
        return BEIJING.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)
