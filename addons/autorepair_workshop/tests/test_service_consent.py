from odoo.tests import tagged

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestServiceConsent(ServiceOrderCase):
    """Quotes and delay notices are service messages: they reach a customer
    who never consented to marketing, or opted out of it, and not one who
    opted out of service messages."""

    def sms_count(self):
        return self.env["sms.sms"].search_count([("partner_id", "=", self.customer.id)])

    def test_quote_goes_without_marketing_consent_even_opted_out(self):
        self.customer.marketing_opt_out = True
        self.assertTrue(self.customer.phone_sanitized_blacklisted, "on Odoo's blacklist for mass marketing")
        order = self._received_order()
        order.action_send_quote()
        self.assertEqual(self.sms_count(), 1, "the approval link still goes by SMS")
        self.assertNotIn("回T退订", self.env["sms.sms"].search([("partner_id", "=", self.customer.id)]).body)

    def test_quote_not_sent_to_a_customer_without_service_messages(self):
        self.customer.service_opt_out = True
        order = self._received_order()
        order.action_send_quote()
        self.assertEqual(order.state, "quoted", "the quote is shown at the desk")
        self.assertEqual(self.sms_count(), 0)
        self.assertTrue(order.message_ids.filtered(lambda m: "opted out of service messages" in str(m.body)))

    def test_delay_notice_not_to_a_customer_without_service_messages(self):
        self.customer.service_opt_out = True
        order = self._received_order()
        order.write({"promised_date": "2026-12-10 08:00:00", "delay_reason": "等配件",
                     "delay_remedy": "loaner"})
        order.with_user(self.user_advisor).action_announce_delay()
        message = order.message_ids.filtered(lambda m: "等配件" in str(m.body))
        self.assertEqual(len(message), 1, "the delay is on the order's record")
        self.assertFalse(message.partner_ids)
        self.assertFalse(message.notification_ids.filtered(lambda n: n.res_partner_id == self.customer))
