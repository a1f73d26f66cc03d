import threading
import time
from unittest.mock import patch

from wechatpy.crypto import WeChatCrypto

from odoo import sql_db
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import AutorepairCrmCase, RpcClientMixin

from ..models.autorepair_wechat_token import AutorepairWeChatClient, refresh_access_token
from .wechat_server import AES_KEY, APPID, SECRET, SERVER_TOKEN, LocalWeChat, event_xml, signed


@tagged("post_install", "-at_install")
class TestWechat(AutorepairCrmCase, HttpCase, RpcClientMixin):

    def setUp(self):
        super().setUp()
        self.wechat = LocalWeChat()
        self.wechat.server.start()
        self.addCleanup(self.wechat.server.stop)
        self.company.write({
            "autorepair_wechat_app_id": APPID, "autorepair_wechat_app_secret": SECRET,
            "autorepair_wechat_token": SERVER_TOKEN, "autorepair_wechat_aes_key": False,
            "autorepair_wechat_endpoint": self.wechat.server.url,
        })
        self.customer = self._customer(preferred_channel="wechat")
        self.template = self.env["autorepair.channel.template"].create({
            "name": "保养提醒", "kind": "care", "provider": "wechat",
            "code": "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY", "approved": True, "param_ids": [
                (0, 0, {"sequence": 1, "name": "thing1", "source": "customer", "max_length": 20}),
                (0, 0, {"sequence": 2, "name": "car_number2", "source": "plate", "max_length": 8}),
                (0, 0, {"sequence": 3, "name": "time3", "source": "date", "max_length": 20}),
            ],
        })

    def _callback(self, xml, params=None, company=None):
        query = "&".join(f"{key}={value}" for key, value in (params or signed(SERVER_TOKEN)).items())
        return self.url_open(f"/autorepair/wechat/{(company or self.company).id}?{query}", data=xml,
                             headers={"Content-Type": "text/xml"})

    def _bind(self, openid="oX1a2b3c4d5e6f7g8h9i0j"):
        self.assertTrue(self.customer._autorepair_wechat_qr_image())
        response = self._callback(event_xml(openid, "subscribe", "qrscene_" + self.customer.autorepair_wechat_scene))
        self.assertEqual((response.status_code, response.text), (200, "success"))
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.autorepair_wechat_openid, openid)
        return openid

    # ------------------------------------------------------------------ binding

    def test_qr_code_binds_by_follow_and_unfollow_unbinds(self):
        image = self.customer._autorepair_wechat_qr_image()
        self.assertTrue(image.startswith("data:image/png;base64,"))
        [create] = self.wechat.requests_to("/cgi-bin/qrcode/create")
        scene = self.customer.autorepair_wechat_scene
        self.assertEqual(create["json"], {"expire_seconds": 2592000, "action_name": "QR_STR_SCENE",
                                          "action_info": {"scene": {"scene_str": scene}}})
        self.assertEqual(create["query"]["access_token"], ["ACCESS_TOKEN_1"])
        # shown again: the same code, no new call to WeChat
        qr_url = self.customer.sudo().autorepair_wechat_qr_url
        self.assertEqual(qr_url, f"http://weixin.qq.com/q/{scene[:12]}")
        self.assertTrue(self.customer._autorepair_wechat_qr_image())
        self.assertEqual(self.customer.sudo().autorepair_wechat_qr_url, qr_url)
        self.assertEqual(len(self.wechat.requests_to("/cgi-bin/qrcode/create")), 1)

        openid = self._bind()
        self.assertTrue(self.customer.autorepair_wechat_bound_on)
        self.assertNotEqual(self.customer.autorepair_wechat_scene, scene, "the printed code binds nobody else")
        self.assertFalse(self.customer._autorepair_wechat_qr_image(), "no code once bound")
        self.assertEqual(self.customer._autorepair_notice_channel(), "wechat")

        # someone scanning the old printed code afterwards binds nothing
        self._callback(event_xml("oOtherPerson000000000000", "SCAN", scene))
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.autorepair_wechat_openid, openid)

        response = self._callback(event_xml(openid, "unsubscribe"))
        self.assertEqual(response.status_code, 200)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.autorepair_wechat_openid)
        self.assertEqual(self.customer._autorepair_notice_channel(), "sms")

    def test_scan_by_follower_binds(self):
        self.customer._autorepair_wechat_qr_image()
        self._callback(event_xml("oFollower1234567890abcd", "SCAN", self.customer.autorepair_wechat_scene))
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.autorepair_wechat_openid, "oFollower1234567890abcd")

    def test_server_check_echoes(self):
        query = "&".join(f"{k}={v}" for k, v in signed(SERVER_TOKEN).items())
        response = self.url_open(f"/autorepair/wechat/{self.company.id}?{query}&echostr=5837397749218512")
        self.assertEqual((response.status_code, response.text), (200, "5837397749218512"))
        with mute_logger("odoo.addons.autorepair_channel.controllers.wechat"):
            bad = "&".join(f"{k}={v}" for k, v in signed("not-the-token").items())
            response = self.url_open(f"/autorepair/wechat/{self.company.id}?{bad}&echostr=5837397749218512")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("5837397749218512", response.text)

    def test_bad_signature_refused_nothing_changed(self):
        self.customer._autorepair_wechat_qr_image()
        xml = event_xml("oAttacker00000000000000", "subscribe", "qrscene_" + self.customer.autorepair_wechat_scene)
        with mute_logger("odoo.addons.autorepair_channel.controllers.wechat"):
            response = self._callback(xml, signed("guessed-token"))
            self.assertEqual(response.status_code, 403)
            # no signature at all
            response = self.url_open(f"/autorepair/wechat/{self.company.id}", data=xml)
            self.assertEqual(response.status_code, 403)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.autorepair_wechat_openid)
        # another company's account does not take this company's signature either
        other = self.env["res.company"].create({"name": "二店 Branch", "autorepair_wechat_app_id": "wx000other"})
        with mute_logger("odoo.addons.autorepair_channel.controllers.wechat"):
            self.assertEqual(self._callback(xml, company=other).status_code, 403)

    def test_replayed_callback_refused(self):
        """A follow event captured and sent again an hour later signs just as
        well: its timestamp gives it away."""
        self.customer._autorepair_wechat_qr_image()
        xml = event_xml("oReplay00000000000000000", "subscribe", "qrscene_" + self.customer.autorepair_wechat_scene)
        an_hour_ago = str(int(time.time()) - 3600)
        with mute_logger("odoo.addons.autorepair_channel.controllers.wechat"):
            self.assertEqual(self._callback(xml, signed(SERVER_TOKEN, an_hour_ago)).status_code, 403)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.autorepair_wechat_openid)

    def test_safe_mode_encrypted_events(self):
        self.company.autorepair_wechat_aes_key = AES_KEY
        self.customer._autorepair_wechat_qr_image()
        crypto = WeChatCrypto(SERVER_TOKEN, AES_KEY, APPID)
        xml = event_xml("oSafe0000000000000000000", "subscribe", "qrscene_" + self.customer.autorepair_wechat_scene)
        now = str(int(time.time()))
        encrypted = crypto.encrypt_message(xml, "84512963", now)
        msg_signature = encrypted.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
        params = {**signed(SERVER_TOKEN, now), "encrypt_type": "aes", "msg_signature": "0" * 40}
        with mute_logger("odoo.addons.autorepair_channel.controllers.wechat"):
            self.assertEqual(self._callback(encrypted, params).status_code, 403, "bad msg_signature")
            self.assertEqual(self._callback(xml).status_code, 403, "plain text refused in safe mode")
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.autorepair_wechat_openid)
        params["msg_signature"] = msg_signature
        self.assertEqual(self._callback(encrypted, params).status_code, 200)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.autorepair_wechat_openid, "oSafe0000000000000000000")

    # ------------------------------------------------------------------ notices

    def _notice(self, values=None):
        channel = self.customer._autorepair_send_notice("care", self.customer, "张伟您好，您的爱车川A12345该保养了", {
            "plate": "川A12345", "date": "2026-12-20", "link": "http://dealer.example.com/my/service_orders/7",
            **(values or {})})
        self.assertEqual(channel, "wechat")
        return self.env["autorepair.wechat.message"].search([("partner_id", "=", self.customer.id)], limit=1)

    def test_notice_sent_by_wechat(self):
        openid = self._bind()
        message = self._notice()
        self.assertEqual((message.state, message.kind, message.openid), ("queued", "care", openid))
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.customer.id)]))
        message._cron_autorepair_send()
        self.assertEqual(message.state, "sent")
        self.assertTrue(message.wechat_msgid)
        [sent] = self.wechat.sent
        self.assertEqual(sent, {
            "touser": openid, "template_id": self.template.code, "url": "http://dealer.example.com/my/service_orders/7",
            "data": {"thing1": {"value": "张伟"}, "car_number2": {"value": "川A12345"},
                     "time3": {"value": "2026-12-20"}},
        })
        # the scheduler run again sends nothing twice
        message._cron_autorepair_send()
        self.assertEqual(len(self.wechat.sent), 1)
        self.assertIn("Sent on WeChat", self.customer.message_ids[0].body)

    def test_unfollowed_falls_back_to_sms(self):
        openid = self._bind()
        message = self._notice()
        self.wechat.unfollowed.add(openid)
        message._cron_autorepair_send()
        self.assertEqual(message.state, "fallback")
        self.assertIn("43004", message.error)
        self.assertFalse(self.customer.autorepair_wechat_openid, "unbound: he no longer follows")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)
        self.assertEqual((sms.autorepair_kind, sms.autorepair_values["plate"], sms.state),
                         ("care", "川A12345", "outgoing"))
        self.assertEqual(sms.body, message.body)

    def test_invalid_openid_falls_back_and_unbinds(self):
        self._bind()
        message = self._notice()
        self.wechat.answers.append(40003)
        message._cron_autorepair_send()
        self.assertEqual(message.state, "fallback")
        self.assertFalse(self.customer.autorepair_wechat_openid)
        self.assertEqual(self.env["sms.sms"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_no_approved_template_falls_back_with_reason(self):
        self._bind()
        self.template.approved = False
        message = self._notice()
        message._cron_autorepair_send()
        self.assertEqual(message.state, "fallback")
        self.assertIn("no approved WeChat template", message.error)
        self.assertFalse(self.wechat.requests_to("/cgi-bin/message/template/send"))
        self.assertTrue(self.customer.autorepair_wechat_openid, "still bound")
        self.assertEqual(self.env["sms.sms"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_rate_limited_retried_later(self):
        self._bind()
        message = self._notice()
        self.wechat.answers.append(45009)
        message._cron_autorepair_send()
        self.assertEqual((message.state, message.tries), ("queued", 1))
        self.assertTrue(message.next_try)
        message._cron_autorepair_send()
        self.assertEqual(len(self.wechat.requests_to("/cgi-bin/message/template/send")), 1, "not due yet")
        message.sudo().next_try = "2020-01-01 00:00:00"
        message._cron_autorepair_send()
        self.assertEqual(message.state, "sent")
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.customer.id)]))

    def test_expired_token_refreshed_and_retried_once(self):
        self._bind()
        message = self._notice()
        self.wechat.answers.append(42001)
        message._cron_autorepair_send()
        self.assertEqual(message.state, "sent")
        self.assertEqual(len(self.wechat.requests_to("/cgi-bin/message/template/send")), 2)
        token = self.env["autorepair.wechat.token"].sudo().search([("company_id", "=", self.company.id)])
        self.assertEqual(token.access_token, self.wechat.tokens[-1])

    def test_batch_query_budget(self):
        """The scheduler's batch: a few queries per notice (its send, state and
        chatter note), the template and token read once."""
        Message = self.env["autorepair.wechat.message"]
        for index in range(5):
            customer = self._customer(name=f"客户{index}", mobile=f"1390013900{index}", preferred_channel="wechat")
            customer._autorepair_wechat_bind(f"oBatch{index:018d}")
            customer._autorepair_send_notice("care", customer, "该保养了", {"plate": f"川A1234{index}"})
        Message._cron_autorepair_send()  # the token fetched once, outside the budget
        self.assertEqual(len(self.wechat.sent), 5)
        for index in range(5, 10):
            customer = self._customer(name=f"客户{index}", mobile=f"1390013900{index}", preferred_channel="wechat")
            customer._autorepair_wechat_bind(f"oBatch{index:018d}")
            customer._autorepair_send_notice("care", customer, "该保养了", {"plate": f"川A1234{index}"})
        self.env.invalidate_all()
        # about 8 per notice: the stored token read, its state written, the chatter note posted
        with self.assertQueryCount(42):
            Message._cron_autorepair_send()
        self.assertEqual(len(self.wechat.sent), 10)

    def test_unbound_customer_gets_sms(self):
        self.assertEqual(self.customer._autorepair_notice_channel(), "sms")
        self.customer._autorepair_send_notice("care", self.customer, "该保养了", {"plate": "川A12345"})
        self.assertFalse(self.env["autorepair.wechat.message"].search([("partner_id", "=", self.customer.id)]))
        self.assertEqual(self.env["sms.sms"].search_count([("partner_id", "=", self.customer.id)]), 1)

    # ------------------------------------------------------------------ token and credentials

    def test_token_refreshed_once_by_concurrent_refreshers(self):
        """Two workers find no valid token at once: one fetches it from WeChat
        while the other waits for the lock, then uses the token stored."""
        self.wechat.token_delay = 0.5
        dbname = self.env.cr.dbname
        company_id = self.company.id
        barrier = threading.Barrier(2)
        results, errors = [], []

        def refresher():
            client = AutorepairWeChatClient(APPID, SECRET, self.wechat.server.url)
            try:
                barrier.wait()
                results.append(refresh_access_token(lambda: sql_db.db_connect(dbname).cursor(), company_id, client))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        def cleanup():
            with sql_db.db_connect(dbname).cursor() as cr:
                cr.execute("DELETE FROM autorepair_wechat_token WHERE company_id = %s", [company_id])
        self.addCleanup(cleanup)
        threads = [threading.Thread(target=refresher) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertFalse(errors)
        self.assertEqual(len(self.wechat.requests_to("/cgi-bin/token")), 1, "WeChat asked for one token only")
        self.assertEqual(results, ["ACCESS_TOKEN_1", "ACCESS_TOKEN_1"])

    def test_fresh_stored_token_used(self):
        self.customer._autorepair_wechat_qr_image()
        other = self._customer(name="李娜", mobile="13900139000")
        other._autorepair_wechat_qr_image()
        self.assertEqual(len(self.wechat.requests_to("/cgi-bin/token")), 1)
        self.assertEqual(len(self.wechat.requests_to("/cgi-bin/qrcode/create")), 2)

    def test_credentials_admin_only(self):
        self.customer._autorepair_wechat_qr_image()
        manager = self.user_manager
        for fname in ("autorepair_wechat_app_secret", "autorepair_wechat_token", "autorepair_wechat_aes_key"):
            with self.assertRaises(AccessError):
                self.company.with_user(manager).read([fname])
            with mute_logger("odoo.http"):
                result, error = self._jsonrpc(manager, "res.company", "read", [self.company.id], [fname])
            self.assertIsNone(result)
            self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        with mute_logger("odoo.http"):
            _result, error = self._jsonrpc(manager, "autorepair.wechat.token", "search_read", [], ["access_token"])
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        with mute_logger("odoo.http"):
            _result, error = self._jsonrpc(manager, "res.partner", "read", [self.customer.id],
                                           ["autorepair_wechat_qr_url"])
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        # the settings form shows them to the administrator; nobody else opens it
        admin_arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="autorepair_wechat_app_secret"', admin_arch)
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(manager).get_views([(False, "form")])
        with mute_logger("odoo.http"):
            result, error = self._jsonrpc(manager, "res.config.settings", "get_views", [[False, "form"]])
        self.assertIsNone(result)
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        with mute_logger("odoo.http"):
            result, _error = self._jsonrpc(manager, "res.config.settings", "default_get",
                                           ["autorepair_wechat_app_secret", "autorepair_wechat_token"])
        self.assertNotIn(SECRET, str(result))
        self.assertNotIn(SERVER_TOKEN, str(result))

    def test_qr_code_left_out_while_wechat_is_unreachable(self):
        """WeChat down: the page renders without the code, and the next pages
        do not wait for WeChat again for a while."""
        self.company.autorepair_wechat_endpoint = "http://127.0.0.1:9"
        Token = self.env["autorepair.wechat.token"]
        with mute_logger("odoo.addons.autorepair_channel.models.res_partner"), \
                patch.object(type(Token), "_autorepair_call", autospec=True,
                             side_effect=type(Token)._autorepair_call) as call:
            self.assertFalse(self.customer._autorepair_wechat_qr_image())
            self.assertFalse(self.customer._autorepair_wechat_qr_image())
        self.assertEqual(call.call_count, 1, "asked WeChat once, not for every page")
        self.company.autorepair_wechat_endpoint = self.wechat.server.url
        self.assertTrue(self.customer._autorepair_wechat_qr_image(), "another address is tried at once")

    def test_wechat_unreachable_retried(self):
        self._bind()
        message = self._notice()
        self.company.autorepair_wechat_endpoint = "http://127.0.0.1:9"
        with patch.object(AutorepairWeChatClient, "fetch_access_token", side_effect=AssertionError("not refreshed")):
            message._cron_autorepair_send()
        self.assertEqual((message.state, message.tries), ("queued", 1))
