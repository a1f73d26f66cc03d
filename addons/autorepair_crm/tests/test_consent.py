from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..tools import UNSUBSCRIBE_LINE, is_unsubscribe_reply, with_unsubscribe_line
from .common import AutorepairCrmCase

RESIDENT_ID = "11010519491231002X"


@tagged("post_install", "-at_install")
class TestConsent(AutorepairCrmCase):
    """Consent per purpose as history, opt-out mirrored on Odoo's blacklists,
    the SMS reply T, the resident ID's own consent and its read log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("王芳", "13800138021", email="wang@example.com")
        cls.other = cls._customer("李强", "13800138022", email="li@example.com")
        cls.Log = cls.env["autorepair.privacy.log"].sudo()

    def listed(self, number=None, email=None):
        if number:
            return bool(self.env["phone.blacklist"].sudo().search([("number", "=", number)]))
        return bool(self.env["mail.blacklist"].sudo().search([("email", "=", email)]))

    def log_count(self, event, partner=None):
        domain = [("event", "=", event)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.Log.search_count(domain)

    # ------------------------------------------------------------- history

    def test_each_decision_is_a_history_line(self):
        customer = self.customer.with_user(self.user_sales)
        customer.write({"marketing_consent": True, "marketing_consent_date": "2026-01-05",
                        "marketing_consent_source": "wechat"})
        customer.write({"service_opt_out": True})
        customer.write({"marketing_opt_out": True})
        lines = self.customer.consent_ids.sorted("id")
        self.assertEqual(
            [(line.purpose, line.granted, line.source, line.channel) for line in lines],
            [("marketing", True, "wechat", "wechat"), ("service", False, "desk", "in_person"),
             ("marketing", False, "desk", "in_person")])
        self.assertEqual(str(lines[0].date), "2026-01-05")
        self.assertEqual(lines.user_id, self.user_sales)
        self.assertEqual((self.customer.marketing_consent, self.customer.marketing_opt_out,
                          self.customer.service_opt_out), (False, True, True))
        # the same state again records nothing
        customer.write({"marketing_opt_out": True, "service_opt_out": True})
        self.assertEqual(len(self.customer.consent_ids), 3)
        self.assertEqual(self.log_count("consent", self.customer), 1)
        self.assertEqual(self.log_count("opt_out", self.customer), 2)
        log = self.Log.search([("event", "=", "opt_out"), ("partner_id", "=", self.customer.id)], limit=1)
        self.assertEqual(log.user_id, self.user_sales)
        self.assertNotIn("138", (log.note or "") + (log.field_names or ""), "the log holds no value")

    def test_history_is_append_only(self):
        self.customer.marketing_consent = True
        line = self.customer.consent_ids
        with self.assertRaises(UserError):
            line.write({"granted": False})
        with self.assertRaises(UserError):
            line.unlink()
        with self.assertRaises(UserError):
            self.env["autorepair.consent"].with_user(self.user_manager).create(
                {"partner_id": self.customer.id, "purpose": "marketing", "granted": True, "source": "desk",
                 "channel": "paper"})
        self.assertTrue(self.customer.marketing_consent)

    # ------------------------------------------------------------- blacklists

    def test_opt_out_blacklists_number_and_address_until_consent_again(self):
        self.customer.marketing_opt_out = True
        self.assertTrue(self.listed("+8613800138021"))
        self.assertTrue(self.listed(email="wang@example.com"))
        self.assertTrue(self.customer.phone_sanitized_blacklisted)
        self.assertTrue(self.customer.is_blacklisted)
        # a new number of an opted-out customer is listed as well
        self.customer.phone = "028-8555 6666"
        self.assertTrue(self.listed("+862885556666"))
        self.customer.write({"marketing_consent": True, "marketing_consent_source": "form"})
        self.assertFalse(self.listed("+8613800138021"))
        self.assertFalse(self.listed("+862885556666"))
        self.assertFalse(self.listed(email="wang@example.com"))
        self.assertFalse(self.other.phone_sanitized_blacklisted)

    def test_service_opt_out_alone_leaves_the_blacklists(self):
        self.customer.service_opt_out = True
        self.assertFalse(self.listed("+8613800138021"))
        self.assertTrue(self.customer.service_opt_out)
        self.customer.service_opt_out = False
        self.assertEqual(self.customer.consent_ids.sorted("id").mapped("granted"), [False, True])

    def test_odoo_sms_composer_mass_mode_skips_the_opted_out(self):
        self.customer.marketing_opt_out = True
        partners = self.customer | self.other
        composer = self.env["sms.composer"].with_context(
            default_composition_mode="mass", default_res_model="res.partner", active_ids=partners.ids,
        ).create({"body": "周末保养八折", "mass_keep_log": False})
        composer.action_send_sms()
        sms = self.env["sms.sms"].sudo().search([("partner_id", "in", partners.ids)])
        outgoing = sms.filtered(lambda s: s.state == "outgoing")
        self.assertEqual(outgoing.partner_id, self.other)
        self.assertEqual(sms.filtered(lambda s: s.partner_id == self.customer).failure_type, "sms_blacklist")

    def test_odoo_mail_composer_mass_mode_skips_the_opted_out(self):
        self.customer.marketing_opt_out = True
        partners = self.customer | self.other
        composer = self.env["mail.compose.message"].with_context(
            default_composition_mode="mass_mail", default_model="res.partner", default_res_ids=partners.ids,
        ).create({"subject": "周末保养", "body": "<p>八折</p>", "force_send": False, "auto_delete": False})
        composer.action_send_mail()
        mails = self.env["mail.mail"].sudo().search([("recipient_ids", "in", partners.ids)])
        self.assertEqual(mails.filtered(lambda m: m.state == "outgoing").recipient_ids, self.other)
        self.assertEqual(mails.filtered(lambda m: m.recipient_ids == self.customer).mapped("state"), ["cancel"])

    # ------------------------------------------------------------- SMS reply

    def test_unsubscribe_line_once(self):
        self.assertEqual(with_unsubscribe_line("端午安康"), f"端午安康\n{UNSUBSCRIBE_LINE}")
        self.assertEqual(with_unsubscribe_line(with_unsubscribe_line("端午安康")), f"端午安康\n{UNSUBSCRIBE_LINE}")
        self.assertEqual(with_unsubscribe_line("端午安康 回 T 退订"), "端午安康 回 T 退订")
        for body in ("T", "t", " T ", "TD", "td", "退订", " 退 订 ", "Ｔ", "T\n"):
            self.assertTrue(is_unsubscribe_reply(body), body)
        for body in ("好的", "TT", "不要退订了吗", "", None):
            self.assertFalse(is_unsubscribe_reply(body), body)

    def test_reply_t_opts_out_of_marketing(self):
        self.customer.marketing_consent = True
        Reply = self.env["autorepair.sms.reply"]
        reply = Reply._receive("138 0013 8021", " t ")
        self.assertEqual((reply.number, reply.action, reply.partner_ids), ("+8613800138021", "opt_out", self.customer))
        self.assertEqual((self.customer.marketing_consent, self.customer.marketing_opt_out), (False, True))
        self.assertFalse(self.customer.service_opt_out, "service reminders still go")
        line = self.customer.consent_ids.sorted("id")[-1]
        self.assertEqual((line.purpose, line.granted, line.source, line.channel),
                         ("marketing", False, "sms_reply", "sms"))
        self.assertTrue(self.listed("+8613800138021"))
        self.assertEqual(self.log_count("opt_out", self.customer), 1)
        # a second T changes nothing more
        Reply._receive("+8613800138021", "退订")
        self.assertEqual(len(self.customer.consent_ids), 2)

    def test_other_replies_change_nothing(self):
        self.customer.marketing_consent = True
        Reply = self.env["autorepair.sms.reply"]
        self.assertEqual(Reply._receive("13800138021", "好的，谢谢").action, "ignored")
        self.assertEqual(Reply._receive("13900139000", "T").action, "no_match")
        self.assertEqual(Reply._receive("not a number", "T").action, "no_match")
        self.assertTrue(self.customer.marketing_consent)

    def test_staff_cannot_record_replies(self):
        for user in (self.user_sales, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["autorepair.sms.reply"].with_user(user).create({"number": "+8613800138021", "body": "T"})

    # ------------------------------------------------------------- resident ID

    def test_resident_id_needs_its_own_consent(self):
        customer = self.customer.with_user(self.user_manager)
        customer.marketing_consent = True
        with self.assertRaisesRegex(UserError, "separate consent"):
            customer.resident_id_number = RESIDENT_ID
        with self.assertRaises(UserError):
            self.env["res.partner"].create({"name": "赵六", "is_autorepair_customer": True, "mobile": "13800138029",
                                            "resident_id_number": RESIDENT_ID})
        self.assertFalse(self.customer.sudo().resident_id_number)
        customer.write({"resident_id_consent": True, "resident_id_number": RESIDENT_ID})
        self.assertEqual(self.customer.sudo().resident_id_number, RESIDENT_ID)
        # withdrawn: the ID is erased, the birthday derived from it stays
        customer.resident_id_consent = False
        self.assertFalse(self.customer.sudo().resident_id_number)
        self.assertEqual(str(self.customer.birthday), "1949-12-31")
        self.assertEqual(
            self.customer.consent_ids.filtered(lambda c: c.purpose == "resident_id").sorted("id").mapped("granted"),
            [True, False])

    def test_only_managers_record_the_resident_id_consent(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_sales).write({"resident_id_consent": True})
        self.assertFalse(self.customer.sudo().resident_id_consent)
        self.assertFalse(self.customer.consent_ids)

    def test_each_read_of_the_resident_id_is_logged_once(self):
        self.customer.write({"resident_id_consent": True, "resident_id_number": RESIDENT_ID})
        self.other.write({"resident_id_consent": True, "resident_id_number": "51010419870415003X"})
        Partner = self.env["res.partner"].with_user(self.user_manager)
        both = (self.customer | self.other).with_user(self.user_manager)
        before = self.log_count("id_read")
        both.read(["name", "resident_id_number"])
        self.assertEqual(self.log_count("id_read"), before + 1)
        log = self.Log.search([("event", "=", "id_read")], limit=1)
        self.assertEqual((log.user_id, log.model, log.record_count, log.field_names),
                         (self.user_manager, "res.partner", 2, "resident_id_number"))
        Partner.search_read([("id", "=", self.customer.id)], ["resident_id_number"])
        log = self.Log.search([("event", "=", "id_read")], limit=1)
        self.assertEqual((log.partner_id, log.record_count), (self.customer, 1))
        both.web_read({"name": {}, "resident_id_number": {}})
        Partner.web_search_read([("id", "in", both.ids)], {"resident_id_number": {}})
        self.assertEqual(self.log_count("id_read"), before + 4)
        # reads without the ID, and the suite's own reads, are not logged
        both.read(["name"])
        self.customer.read(["resident_id_number"])
        self.assertEqual(self.log_count("id_read"), before + 4)

    def test_resident_id_not_grouped_nor_tracked(self):
        self.customer.with_context(tracking_disable=False).write(
            {"resident_id_consent": True, "resident_id_number": RESIDENT_ID})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_manager).read_group(
                [], ["resident_id_number"], ["resident_id_number"])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_manager)._read_group(
                [], [], ["resident_id_number:array_agg"])
        values = self.env["mail.tracking.value"].sudo().search([("mail_message_id.res_id", "=", self.customer.id)])
        self.assertNotIn("resident_id_number", values.field_id.mapped("name"))
        bodies = " ".join(str(body) for body in self.customer.message_ids.mapped("body"))
        self.assertNotIn(RESIDENT_ID, bodies)
        self.assertNotIn(RESIDENT_ID, str(self.Log.search([]).read(["note", "field_names"])))

    def test_refused_resident_id_masked_in_the_message(self):
        """Odoo logs the message of every refused request: no full ID in it."""
        customer = self.customer.with_user(self.user_manager)
        customer.resident_id_consent = True
        for raw in ("11010519491231002Y", "110105194912310021", "1101051949123100"):
            with self.subTest(raw=raw), self.assertRaises(UserError) as caught:
                customer.resident_id_number = raw
            self.assertNotIn(raw, str(caught.exception))
