import logging
import time

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.events import ScanEvent, SubscribeScanEvent, UnsubscribeEvent
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

# a signed callback older (or newer) than this is refused: a captured request
# replayed later signs just as well
MAX_CLOCK_SKEW = 300


class AutorepairWechatController(http.Controller):
    """The server address (服务器地址 URL) of a company's official account.
    WeChat signs each request with the account's token (令牌): signature =
    sha1 of the sorted token, timestamp and nonce; in safe mode (安全模式)
    the events come encrypted with the EncodingAESKey and signed as
    msg_signature (https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html,
    the events: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html)."""

    @http.route("/autorepair/wechat/<int:company_id>", type="http", auth="public", methods=["GET", "POST"],
                csrf=False, save_session=False)
    def autorepair_wechat(self, company_id, signature=None, timestamp=None, nonce=None, echostr=None,
                          encrypt_type=None, msg_signature=None, **kw):
        company = request.env["res.company"].sudo().browse(company_id).exists()
        if not company or not company.autorepair_wechat_app_id or not company.autorepair_wechat_token:
            return request.make_response("", status=404)
        try:
            check_signature(company.autorepair_wechat_token, signature or "", timestamp or "", nonce or "")
        except InvalidSignatureException:
            _logger.warning("WeChat callback of company %s: bad signature refused", company.id)
            return request.make_response("", status=403)
        if not self._autorepair_fresh(timestamp):
            _logger.warning("WeChat callback of company %s: stale timestamp refused", company.id)
            return request.make_response("", status=403)
        if request.httprequest.method == "GET":
            # the server check (验证消息来自微信服务器): echo echostr back
            return request.make_response(echostr or "", headers=[("Content-Type", "text/plain")])
        body = request.httprequest.get_data()
        aes_key = company.autorepair_wechat_aes_key
        if aes_key:
            if encrypt_type != "aes":
                # the account is in safe mode: a plain-text event is not WeChat's
                return request.make_response("", status=403)
            crypto = WeChatCrypto(company.autorepair_wechat_token, aes_key, company.autorepair_wechat_app_id)
            try:
                body = crypto.decrypt_message(body, msg_signature or "", timestamp, nonce)
            except (InvalidSignatureException, InvalidAppIdException):
                _logger.warning("WeChat callback of company %s: bad message signature refused", company.id)
                return request.make_response("", status=403)
        self._autorepair_event(company, parse_message(body))
        # WeChat expects "success" (or nothing) when no reply is sent
        return request.make_response("success", headers=[("Content-Type", "text/plain")])

    @staticmethod
    def _autorepair_fresh(timestamp):
        try:
            return abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW
        except (TypeError, ValueError):
            return False

    def _autorepair_event(self, company, message):
        Partner = request.env["res.partner"].sudo()
        openid = message.source
        if isinstance(message, (SubscribeScanEvent, ScanEvent)):
            # subscribe with EventKey qrscene_<scene>, or SCAN by a follower with EventKey <scene>
            scene = message.scene_id
            partner = scene and Partner.search([
                ("autorepair_wechat_scene", "=", scene), ("company_id", "in", (company.id, False))], limit=1)
            if partner:
                partner._autorepair_wechat_bind(openid)
            else:
                _logger.info("WeChat %s of company %s with an unknown scene", message.event, company.id)
        elif isinstance(message, UnsubscribeEvent):
            Partner.search([("autorepair_wechat_openid", "=", openid), ("company_id", "in", (company.id, False))]
                           )._autorepair_wechat_unbind(request.env._("the customer unfollowed the official account"))
