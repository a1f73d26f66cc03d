from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.autorepair_crm.tests.common import AutorepairCrmCase


@tagged("post_install", "-at_install")
class TestChannelFoundation(AutorepairCrmCase):

    def setUp(self):
        super().setUp()
        # the demo dealer's approved templates aside: each test registers the ones it needs
        self.env["autorepair.channel.template"].search([]).active = False

    def test_sms_without_approved_template_is_not_sent(self):
        company = self.env.company
        company.write({"autorepair_sms_provider": "aliyun", "autorepair_sms_sign_name": "锦城汽车"})
        customer = self._customer()
        message = customer._autorepair_queue_sms("car_ready", customer, "您的爱车已完工", {"plate": "川A12345"})
        sms = self.env["sms.sms"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(sms.autorepair_kind, "car_ready")
        self.assertEqual(sms.autorepair_company_id, company)
        sms.send()
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms.failure_type, "sms_template")
        self.assertIn("Aliyun", sms.autorepair_failure_reason)

    def test_signature_required_for_domestic_provider(self):
        with self.assertRaises(ValidationError):
            self.env.company.write({"autorepair_sms_provider": "tencent", "autorepair_sms_sign_name": " "})

    def test_params_cut_and_cleaned(self):
        template = self.env["autorepair.channel.template"].create({
            "name": "完工", "kind": "car_ready", "provider": "aliyun", "code": "SMS_1", "approved": True,
            "param_ids": [(0, 0, {"name": "name", "source": "customer", "max_length": 3}),
                          (0, 0, {"name": "plate", "source": "plate", "max_length": 20})],
        })
        self.assertEqual(template._autorepair_params({"customer": "欧阳【娜娜", "plate": "川A\n12345"}),
                         [("name", "欧阳"), ("plate", "川A 12345")])
