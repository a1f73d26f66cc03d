"""A technician's attacks, over real HTTP, on the numbers the workshop keeps
beside the customer's: the number each SMS went to (Odoo's notifications and
its resend wizard) and the printed documents."""


from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .common import ServiceOrderCase

E164 = "+8613800138000"


@tagged("post_install", "-at_install")
class TestAttackMaskingWorkshop(ServiceOrderCase, HttpCase, RpcClientMixin):

    def setUp(self):
        super().setUp()
        self.order = self._received_order()
        self.order.action_send_quote()  # by SMS: the customer prefers the phone
        self.notification = self.env["mail.notification"].search([
            ("mail_message_id.model", "=", self.order._name), ("mail_message_id.res_id", "=", self.order.id),
            ("notification_type", "=", "sms")])
        # the SMS failed: the chatter offers to resend it
        self.notification.write({"notification_status": "exception", "failure_type": "sms_server"})

    def _snapshot(self):
        self.env.invalidate_all()
        return (self.notification.sudo().read(["sms_number", "notification_status", "failure_type", "is_read"]),
                {model: self.env[model].sudo().search_count([])
                 for model in ("mail.notification", "mail.message", "sms.sms", "sms.resend.recipient")})

    def assert_refused(self, model, method, *args, **kwargs):
        return self._assert_rpc_refused(self.user_technician, model, method, *args,
                                        refusals=("odoo.exceptions.AccessError",), xmlrpc=True, **kwargs)

    def test_fixture_is_an_sms_to_the_customer(self):
        self.assertEqual(self.notification.sms_number, E164)

    def test_notification_number(self):
        """mail.notification.sms_number is readable by the roles that read the number only."""
        domain = [("id", "=", self.notification.id)]
        self.assert_refused("mail.notification", "read", self.notification.ids, ["sms_number"])
        self.assert_refused("mail.notification", "search_read", domain, ["sms_number"])
        for prefix in ("+86138", "+86139"):
            self.assert_refused("mail.notification", "search_count", [("sms_number", "like", prefix)])
        self.assert_refused("mail.notification", "read_group", domain, ["sms_number"], ["sms_number"])
        self.assert_refused("mail.notification", "search", [], order="sms_number")
        self.assert_refused("mail.message", "search_count",
                            [("notification_ids.sms_number", "like", "+86138%")])
        # the rest of the notification stays readable: the chatter's SMS icon
        [row] = self._jsonrpc_ok(self.user_technician, "mail.notification", "read", self.notification.ids,
                                 ["notification_status", "failure_type"])
        self.assertEqual(row["notification_status"], "exception")

    def test_resend_wizard(self):
        """Odoo's resend wizard copies the numbers of the failed SMS."""
        message = self.notification.mail_message_id
        self.assert_refused("sms.resend", "default_get", ["mail_message_id", "recipient_ids"],
                            context={"default_mail_message_id": message.id})
        self.assert_refused("sms.resend.recipient", "search_count", [("sms_number", "like", "+86138%")])

    def test_printed_documents_show_the_masked_number(self):
        self.authenticate(self.user_technician.login, self.user_technician.login)
        for report in ("report_service_order_quote", "report_service_order_walkaround"):
            with self.subTest(report=report):
                response = self.url_open(f"/report/html/autorepair_workshop.{report}/{self.order.id}")
                self.assertEqual(response.status_code, 200)
                self.assertIn("138****8000", response.text)
                self.assertNotIn("13800138000", response.text)
                self.assertNotIn("138 0013 8000", response.text)


@tagged("post_install", "-at_install")
class TestUnmaskedNumbers(ServiceOrderCase):
    """The roles that call customers keep the numbers."""

    def test_advisor_reads_and_searches_the_sms_number(self):
        order = self._received_order()
        order.action_send_quote()
        Notification = self.env["mail.notification"].with_user(self.user_advisor)
        of_order = [("mail_message_id.model", "=", order._name), ("mail_message_id.res_id", "=", order.id)]
        notification = Notification.search([*of_order, ("sms_number", "like", "+86138%")])
        self.assertEqual(notification.notification_type, "sms")
        self.assertEqual(notification.read(["sms_number"])[0]["sms_number"], E164)
        self.assertFalse(Notification.search([*of_order, ("sms_number", "like", "+86139%")]))

    def test_advisor_searches_by_phone_fragment(self):
        Partner = self.env["res.partner"].with_user(self.user_advisor)
        self.assertIn(self.customer, Partner.search([("phone_search", "ilike", "0013 8000")]))
        self.assertIn(self.customer, Partner.search([("phone_mobile_search", "like", "+86138001")]))
        self.assertFalse(Partner.search([("id", "=", self.customer.id), ("phone_mobile_search", "like", "+86139")]))
        self.assertIn(self.vehicle, self.env["fleet.vehicle"].with_user(self.user_advisor).search(
            [("owner_id.phone_search", "ilike", "1380013")]))
