from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from ..tools import mask_phones_in_text
from .common import AutorepairCrmCase

UNMASKED = ("advisor", "care_agent", "sales", "manager")


@tagged("post_install", "-at_install")
class TestMaskPhonesInText(TransactionCase):

    def test_numbers_masked(self):
        cases = {
            "请拨 138 0013 8000": "请拨 138****8000",
            "客户电话13800138000请回电": "客户电话138****8000请回电",
            "+86 138-0013-8000": "138****8000",
            "<p>8613800138000</p>": "<p>138****8000</p>",
            "座机 028-8888 8888": "座机 ****8888",
            "London +44 20 7946 0958": "London ****0958",
        }
        for text, masked in cases.items():
            with self.subTest(text=text):
                self.assertEqual(mask_phones_in_text(text), masked)

    def test_other_digits_kept(self):
        for text in ("2026-12-02", "1000.00 元", "LFV2A2BH0RC123456", "川A12345", "SO0001234", "20000 km"):
            with self.subTest(text=text):
                self.assertEqual(mask_phones_in_text(text), text)
        self.assertFalse(mask_phones_in_text(False))


@tagged("post_install", "-at_install")
class TestMasking(AutorepairCrmCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", "13800138000")
        cls.other = cls._customer("李娜", "13900139000")
        cls.vehicle = cls._vehicle(owner=cls.customer)

    def test_unmasked_roles_search_sort_and_group_by_number(self):
        for role in UNMASKED:
            user = getattr(self, f"user_{role}")
            with self.subTest(role=role):
                Partner = self.env["res.partner"].with_user(user)
                ours = [("id", "in", (self.customer | self.other).ids)]
                self.assertEqual(Partner.search([*ours, ("phone_search", "ilike", "0013 8000")]), self.customer)
                self.assertEqual(Partner.search([*ours, ("mobile", "like", "+86139%")]), self.other)
                self.assertIn(self.vehicle, self.env["fleet.vehicle"].with_user(user).search(
                    [("owner_id.phone_search", "ilike", "138-0013")]))
                ordered = Partner.search([("id", "in", (self.customer | self.other).ids)], order="mobile desc")
                self.assertEqual(ordered.ids, [self.other.id, self.customer.id])
                groups = Partner.read_group([("id", "in", self.customer.ids)], ["mobile"], ["mobile"])
                self.assertEqual(groups[0]["mobile"], "+8613800138000")

    def test_masked_roles_refused_with_a_clear_message(self):
        for role in ("technician", "team_lead", "inspector"):
            Partner = self.env["res.partner"].with_user(getattr(self, f"user_{role}"))
            with self.subTest(role=role), self.assertRaisesRegex(AccessError, "masked"):
                Partner.search_count([("phone_search", "ilike", "138")])
            with self.subTest(role=role), self.assertRaisesRegex(AccessError, "masked"):
                Partner.search([], order="phone")
            # by name and by plate still
            self.assertIn(self.customer, Partner.search([("name", "=", "张伟")]))
            self.assertIn(self.customer, Partner.search([("autorepair_vehicle_ids.plate_search", "ilike", "A123")]))

    def test_chatter_numbers(self):
        """A number written in the chatter: masked for the workshop, as
        written for the others, and found by its digits by the others only."""
        note = self.customer.with_user(self.user_advisor).message_post(
            body="新号码 13900001111", message_type="comment", subtype_xmlid="mail.mt_note")
        Message = self.env["mail.message"]
        self.assertIn("139****1111", note.with_user(self.user_technician).read(["body"])[0]["body"])
        self.assertIn("13900001111", note.with_user(self.user_care_agent).read(["body"])[0]["body"])
        self.assertEqual(Message.with_user(self.user_care_agent).search([("body", "ilike", "0000111")]), note)
        self.assertFalse(Message.with_user(self.user_technician).search([("body", "ilike", "0000111")]))
        # words and other digits are still found
        self.assertEqual(Message.with_user(self.user_technician).search([("body", "ilike", "新号码")]), note)

    def test_emails_to_followers(self):
        """The same message by e-mail: masked for the workshop follower, as
        written for the advisor following the same customer."""
        env = self.env(context={})
        customer = env["res.partner"].browse(self.customer.id)
        followers = self.user_technician | self.user_advisor
        followers.write({"notification_type": "email"})
        customer.message_subscribe(partner_ids=followers.partner_id.ids)
        # queued, not sent and deleted at once
        message = customer.with_user(self.user_care_agent).with_context(mail_notify_force_send=False).message_post(
            body="客户新号码 13900001111", message_type="comment", subtype_xmlid="mail.mt_comment")
        mails = env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        body = {partner: mail.body_html for mail in mails for partner in mail.recipient_ids}
        self.assertIn("139****1111", body[self.user_technician.partner_id])
        self.assertNotIn("13900001111", body[self.user_technician.partner_id])
        self.assertIn("13900001111", body[self.user_advisor.partner_id])

    def test_internal_notes(self):
        """A second number written in the customer's internal notes."""
        self.customer.comment = "<p>备用电话 139 0000 1111</p>"
        ours = [("id", "=", self.customer.id)]
        technician = self.env["res.partner"].with_user(self.user_technician)
        advisor = self.env["res.partner"].with_user(self.user_advisor)
        self.assertEqual(technician.browse(self.customer.id).read(["comment"])[0]["comment"],
                         "<p>备用电话 139****1111</p>")
        self.assertEqual(advisor.browse(self.customer.id).read(["comment"])[0]["comment"],
                         "<p>备用电话 139 0000 1111</p>")
        self.assertFalse(technician.search([*ours, ("comment", "ilike", "0000 1111")]))
        self.assertEqual(technician.search([*ours, ("comment", "ilike", "备用电话")]), self.customer)
        self.assertEqual(advisor.search([*ours, ("comment", "ilike", "0000 1111")]), self.customer)
