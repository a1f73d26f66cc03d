from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.autorepair_channel.models.autorepair_wechat_message import AutorepairWechatMessage

from .common import ServiceOrderCase, followup_answers


@tagged("post_install", "-at_install")
class TestChannelNotices(ServiceOrderCase):
    """Every notice of a repair order goes through the company's channel: an
    SMS (or a WeChat message) of its kind, with the values its provider
    template takes; none to a customer who opted out of service messages."""

    def _sms(self, kind):
        return self.env["sms.sms"].sudo().search(
            [("partner_id", "=", self.customer.id), ("autorepair_kind", "=", kind)], order="id")

    def _template(self, kind, params):
        return self.env["autorepair.channel.template"].create({
            "name": kind, "kind": kind, "provider": "aliyun", "code": f"SMS_4{len(kind):07d}", "approved": True,
            "param_ids": [(0, 0, {"sequence": i, "name": name, "source": source, "max_length": 35})
                          for i, (name, source) in enumerate(params)],
        })

    def _provider_params(self, sms):
        """What the provider is sent for this SMS: its template's variables in order."""
        template = self.env["autorepair.channel.template"]._autorepair_find(
            sms.autorepair_company_id, "aliyun", sms.autorepair_kind, sms._autorepair_template_domain())
        self.assertTrue(template, f"an approved template for {sms.autorepair_kind}")
        return template._autorepair_params(sms.autorepair_values)

    def _ready_order(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        return order

    # ---------------------------------------------------------------- each kind

    def test_quote_queued_with_its_values_and_parameters_in_order(self):
        self.env.company.sudo().autorepair_workshop_public_url = "https://service.example.cn"
        order = self._received_order()
        order.action_send_quote()
        sms = self._sms("quote")
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.autorepair_company_id, order.company_id)
        values = sms.autorepair_values
        self.assertEqual((values["plate"], values["customer"], values["order"]), ("川A12345", "张伟", order.name))
        self.assertEqual(values["amount"], f"{order.quote_awaiting_amount:.2f}")
        self.assertIn(f"https://service.example.cn/my/service_orders/{order.id}?access_token=", values["link"])
        self._template("quote", [("link", "link"), ("plate", "plate"), ("name", "customer"), ("amount", "amount")])
        self.assertEqual(self._provider_params(sms), [
            ("link", values["link"][:35]), ("plate", "川A12345"), ("name", "张伟"), ("amount", values["amount"])])

    def test_appointment_confirmed_with_date_time_and_plate(self):
        self.customer.tz = "Asia/Shanghai"
        start = fields.Datetime.now().replace(microsecond=0, second=0) + timedelta(days=2)
        order = self._order(appointment_start=start, bay_id=self.bay.id)
        sms = self._sms("appointment")
        self.assertEqual(len(sms), 1, "the booking is confirmed")
        local = start + timedelta(hours=8)
        self.assertEqual({key: sms.autorepair_values[key] for key in ("date", "time", "plate", "advisor")}, {
            "date": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:%M"), "plate": "川A12345",
            "advisor": self.user_advisor.name})
        self.assertIn(local.strftime("%H:%M"), sms.body)
        order.write({"appointment_start": start, "requested_work": "换机油"})
        self.assertEqual(len(self._sms("appointment")), 1, "nothing moved: not confirmed twice")
        order.write({"appointment_start": start + timedelta(hours=3)})
        moved = self._sms("appointment")[1:]
        self.assertEqual(moved.autorepair_values["time"], (local + timedelta(hours=3)).strftime("%H:%M"))
        self._order()
        self.assertEqual(len(self._sms("appointment")), 2, "a walk-in has no booking to confirm")

    def test_car_ready_when_the_final_check_passes(self):
        order = self._received_order()
        self._approve_all(order)
        self._work(order)
        self.assertFalse(self._sms("car_ready"))
        self._pass_checks(order)
        self.assertEqual(order.state, "ready")
        sms = self._sms("car_ready")
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.autorepair_values["amount"], f"{order.amount_total:.2f}")
        self.assertIn("川A12345", sms.body)
        self._template("car_ready", [("name", "customer"), ("plate", "plate"), ("amount", "amount")])
        self.assertEqual(self._provider_params(sms),
                         [("name", "张伟"), ("plate", "川A12345"), ("amount", f"{order.amount_total:.2f}")])

    def test_delay_with_its_reason_and_new_time(self):
        self.customer.tz = "Asia/Shanghai"
        order = self._received_order()
        order.write({"promised_date": "2026-12-10 08:00:00", "delay_reason": "等配件", "delay_remedy": "loaner"})
        order.with_user(self.user_advisor).action_announce_delay()
        sms = self._sms("delay")
        self.assertEqual(len(sms), 1)
        self.assertEqual((sms.autorepair_values["reason"], sms.autorepair_values["date"],
                          sms.autorepair_values["time"]), ("等配件", "2026-12-10", "16:00"))
        self.assertIn("等配件", sms.body)
        self.assertTrue(order.delay_announced_on)

    def test_followup_message_when_the_call_finds_nobody(self):
        order = self._ready_order()
        self._deliver(order)
        Followup = self.env["autorepair.followup"].with_user(self.user_care_agent)
        Followup.create({"order_id": order.id, "reached": False, "channel": "phone"})
        sms = self._sms("followup")
        self.assertEqual(len(sms), 1, "the customer gets the follow-up in writing")
        self.assertEqual(sms.autorepair_values["text"], "项目0", "the work done, as the script names it")
        self.assertEqual(sms.autorepair_values["date"], fields.Datetime.context_timestamp(
            order._autorepair_notice_tz(self.customer), order.delivered_date).strftime("%Y-%m-%d"))
        Followup.create({"order_id": order.id, "reached": False, "channel": "phone"})
        self.assertEqual(len(self._sms("followup")), 1, "once per order, however many calls fail")
        Followup.create({"order_id": order.id, "reached": True, "answer_ids": followup_answers(self.env, order, 5)})
        self.assertEqual(len(self._sms("followup")), 1, "a call that reached him needs no message")

    # ------------------------------------------------------------- channel rules

    def test_no_approved_template_not_sent_and_the_reason_shown(self):
        self.env.company.sudo().write({"autorepair_sms_provider": "aliyun", "autorepair_sms_sign_name": "锦城汽车"})
        order = self._received_order()
        order.action_send_quote()
        sms = self._sms("quote")
        sms.send()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_template"))
        self.assertIn("Quote Ready", sms.autorepair_failure_reason)
        notification = self.env["mail.notification"].sudo().search([("mail_message_id", "=", sms.mail_message_id.id)])
        self.assertEqual(notification.failure_type, "sms_template", "shown on the order's chatter")
        self.assertIn("Quote Ready", notification.failure_reason)

    def test_a_bound_customer_preferring_wechat_gets_wechat_not_sms(self):
        self.env.company.sudo().autorepair_wechat_app_id = "wx1234567890abcdef"
        self.customer.sudo().write({"preferred_channel": "wechat", "autorepair_wechat_openid": "o6_bmjrPTlm6_2sgVt7"})
        queued = []

        def queue(model, record, kind, partner, body, values):
            queued.append((record, kind, partner, values))

        with patch.object(AutorepairWechatMessage, "_autorepair_queue", autospec=True, side_effect=queue):
            order = self._received_order()
            order.action_send_quote()
            order.write({"promised_date": "2026-12-10 08:00:00", "delay_reason": "等配件", "delay_remedy": "loaner"})
            order.with_user(self.user_advisor).action_announce_delay()
        self.assertEqual([(record, kind, partner) for record, kind, partner, _values in queued],
                         [(order, "quote", self.customer), (order, "delay", self.customer)])
        self.assertEqual(queued[0][3]["plate"], "川A12345")
        self.assertFalse(self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id)]))

    def test_a_customer_preferring_email_gets_the_notice_by_email(self):
        self.customer.write({"preferred_channel": "email", "email": "zhangwei@example.cn"})
        order = self._received_order()
        order.write({"promised_date": "2026-12-10 08:00:00", "delay_reason": "等配件", "delay_remedy": "loaner"})
        order.with_user(self.user_advisor).action_announce_delay()
        self.assertFalse(self._sms("delay"))
        message = order.message_ids.filtered(lambda m: "等配件" in str(m.body))
        self.assertEqual(message.partner_ids, self.customer)

    def test_opted_out_customer_gets_no_notice(self):
        self.customer.service_opt_out = True
        start = fields.Datetime.now() + timedelta(days=2)
        order = self._order(appointment_start=start)
        order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 21000})
        order.action_receive()
        self.env["autorepair.service.order.line"].create({
            "order_id": order.id, "line_type": "labour", "name": "项目0", "quantity": 1, "price_unit": 200.0,
            "technician_id": self.user_technician.id})
        self._approve_all(order)
        order.write({"promised_date": "2026-12-10 08:00:00", "delay_reason": "等配件", "delay_remedy": "loaner"})
        order.with_user(self.user_advisor).action_announce_delay()
        self._work_and_check(order)
        self._deliver(order)
        self.env["autorepair.followup"].with_user(self.user_care_agent).create(
            {"order_id": order.id, "reached": False, "channel": "phone"})
        self.assertFalse(self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id)]))
        notes = order.message_ids.filtered(lambda m: "opted out of service messages" in str(m.body))
        self.assertEqual(len(notes), 5, "appointment, quote, delay, car ready and follow-up told at the desk")
        self.assertFalse(notes.partner_ids)
