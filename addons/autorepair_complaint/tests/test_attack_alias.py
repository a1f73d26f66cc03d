import logging
import uuid
import xmlrpc.client
from email.message import EmailMessage
from email.policy import SMTP

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import email_normalize, mute_logger

from .common import ComplaintCase

ATTACKER = '"王芳" <attacker@x.com>'


class AliasCase(ComplaintCase):
    """E-mail to the complaints alias, parsed and routed by Odoo's mail gateway
    (``mail.thread.message_process`` on the raw message, as fetchmail and the
    mailgate script deliver it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create({"name": "dealer-chengdu.example.com"})
        cls.env.company.alias_domain_id = cls.alias_domain
        cls.alias = cls.env.ref("autorepair_complaint.mail_alias_complaint")
        cls.alias.alias_domain_id = cls.alias_domain
        # as after its first e-mail: the gateway then writes nothing on the alias
        cls.alias.alias_status = "valid"
        cls.alias_address = cls.alias.alias_full_name
        cls.customer.email = "ZhangWei@Example.com"
        cls.wang = cls.env["res.partner"].create({
            "name": "王芳", "mobile": "13700137000", "email": "wangfang@example.com",
            "is_autorepair_customer": True,
        })

    def _raw(self, email_from, subject="等了三个小时还没修好", body="太慢了", to=None, **headers):
        message = EmailMessage(policy=SMTP)
        message["From"] = email_from
        message["To"] = to or self.alias_address
        message["Subject"] = subject
        message["Message-ID"] = f"<{uuid.uuid4()}@mail.example.com>"
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(body)
        return message.as_bytes()

    def _snapshot(self):
        """What an e-mail must not change unless it opens a ticket."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        return {
            "partners": Partner.search_count([]),
            "complaints": self.env["autorepair.complaint"].sudo().search_count([]),
        }

    def _complaints_from(self, address):
        return self.env["autorepair.complaint"].sudo().search([("email_from", "ilike", address)])


@tagged("post_install", "-at_install")
class TestAliasAttacks(AliasCase, HttpCase):
    """Each attempt goes over real HTTP: XML-RPC ``message_process`` as the
    mail gateway's user, the way Odoo's mailgate script hands mail over."""

    def _deliver(self, raw):
        """Hand the raw e-mail to the gateway as Odoo's mailgate script does
        (XML-RPC as the administrator); the new ticket (or empty)."""
        thread_id = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, self.env.ref("base.user_admin").id, "admin", "mail.thread", "message_process",
            [False, xmlrpc.client.Binary(raw)])
        self.env.invalidate_all()
        return self.env["autorepair.complaint"].sudo().browse(thread_id or [])

    def _assert_unverified(self, complaint, raw_from):
        self.assertTrue(complaint, "the e-mail is not lost: a ticket is opened for the agent")
        self.assertEqual(complaint.channel, "email")
        self.assertFalse(complaint.partner_id, "linked to no customer")
        self.assertTrue(complaint.is_unverified)
        self.assertIn(email_normalize(raw_from) or raw_from, complaint.email_from.lower(),
                      "the raw sender is kept for the agent")
        message = complaint.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(message), 1)
        self.assertFalse(message.author_id, "no partner is made the author of the e-mail")
        self.assertFalse(complaint.message_partner_ids.filtered(lambda p: not p.user_ids or p.user_ids.share),
                         "nobody outside the staff is made a follower")

    def test_wildcard_from_matches_no_customer(self):
        before = self._snapshot()
        complaint = self._deliver(self._raw("%@%"))
        self._assert_unverified(complaint, "%@%")
        self.assertNotEqual(complaint.partner_id, self.customer)
        self.assertEqual(self._snapshot(), {**before, "complaints": before["complaints"] + 1},
                         "no partner created")

    def test_display_name_spoof_is_not_the_customer(self):
        before = self._snapshot()
        complaint = self._deliver(self._raw(ATTACKER))
        self._assert_unverified(complaint, ATTACKER)
        self.assertNotIn(self.wang, complaint.message_partner_ids | complaint.partner_id)
        self.assertEqual(self._snapshot()["partners"], before["partners"], "no partner created")
        self.assertFalse(self.env["res.partner"].sudo().search([("email_normalized", "=", "attacker@x.com")]))

    def test_unknown_sender_creates_no_partner(self):
        before = self._snapshot()
        complaint = self._deliver(self._raw("陌生人 <nobody@unknown.example.org>"))
        self._assert_unverified(complaint, "陌生人 <nobody@unknown.example.org>")
        self.assertEqual(complaint.email_from_normalized, "nobody@unknown.example.org")
        self.assertEqual(self._snapshot()["partners"], before["partners"])
        # listed for the agents under the 'unverified' filter
        self.assertIn(complaint, self.env["autorepair.complaint"].with_user(self.user_care_agent).search(
            [("is_unverified", "=", True)]))

    def test_lookalike_addresses_match_no_customer(self):
        before = self._snapshot()
        for address in ("xzhangwei@example.com", "zhangwei@example.com.attacker.net",
                        "zhangwei@example.co", "zhangwei%@example.com", "%zhangwei@example.com%"):
            complaint = self._deliver(self._raw(address))
            self.assertTrue(complaint.is_unverified, address)
            self.assertFalse(complaint.partner_id, address)
        self.assertEqual(self._snapshot()["partners"], before["partners"])

    def test_another_companys_customer_is_not_matched(self):
        company_2 = self.env["res.company"].create({"name": "绵阳店"})
        stranger = self.env["res.partner"].create({
            "name": "赵六", "mobile": "13500135000", "email": "zhaoliu@example.com", "is_autorepair_customer": True,
            "company_id": company_2.id,
        })
        before = self._snapshot()
        complaint = self._deliver(self._raw("赵六 <zhaoliu@example.com>"))
        self._assert_unverified(complaint, "赵六 <zhaoliu@example.com>")
        self.assertNotIn(stranger, complaint.message_partner_ids)
        self.assertEqual(self._snapshot()["partners"], before["partners"])

    def test_shared_address_is_ambiguous(self):
        twin = self.env["res.partner"].create({
            "name": "张伟（公司）", "mobile": "13600136000", "email": "zhangwei@example.com",
            "is_autorepair_customer": True,
        })
        before = self._snapshot()
        complaint = self._deliver(self._raw("zhangwei@example.com"))
        self._assert_unverified(complaint, "zhangwei@example.com")
        self.assertNotIn(twin | self.customer, complaint.message_partner_ids)
        self.assertEqual(self._snapshot()["partners"], before["partners"])

    def test_flood_beyond_the_hourly_limit_opens_nothing(self):
        self.env.company.autorepair_complaint_alias_rate_limit = 2
        before = self._snapshot()
        opened = self._deliver(self._raw(ATTACKER)) | self._deliver(self._raw("Attacker@X.com"))
        self.assertEqual(len(opened), 2)
        with mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.autorepair_complaint.models.mail_thread"):
            for name in ("王芳", "张伟", "客户"):
                self.assertFalse(self._deliver(self._raw(f'"{name}" <attacker@x.com>')))
        self.assertEqual(self._snapshot(), {**before, "complaints": before["complaints"] + 2},
                         "no ticket and no partner beyond the limit")
        self.assertEqual(len(self._complaints_from("attacker@x.com")), 2)
        # the limit is the sender's: another sender still gets through
        self.assertTrue(self._deliver(self._raw("王芳 <wangfang@example.com>")).partner_id == self.wang)

    def test_flood_with_unparsable_from_is_limited_too(self):
        self.env.company.autorepair_complaint_alias_rate_limit = 1
        before = self._snapshot()
        self.assertTrue(self._deliver(self._raw("not an address")))
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.assertFalse(self._deliver(self._raw("not an address")))
        self.assertEqual(self._snapshot(), {**before, "complaints": before["complaints"] + 1})

    def test_reply_from_a_stranger_attaches_no_partner(self):
        complaint = self._deliver(self._raw("张伟 <zhangwei@example.com>"))
        self.assertEqual(complaint.partner_id, self.customer)
        first = complaint.message_ids.filtered(lambda m: m.message_type == "email")
        followers = complaint.message_partner_ids
        before = self._snapshot()
        # 王芳's address in the From of a reply to 张伟's ticket
        reply = self._raw("王芳 <wangfang@example.com>", subject="Re: 等了三个小时还没修好", body="我也有意见",
                          In_Reply_To=first.message_id, References=first.message_id)
        self.assertEqual(self._deliver(reply), complaint, "the reply goes to the ticket")
        message = complaint.message_ids.filtered(lambda m: m.message_type == "email") - first
        self.assertEqual(len(message), 1)
        self.assertFalse(message.author_id, "王芳 is not made the author of 张伟's ticket")
        self.assertEqual(complaint.message_partner_ids, followers, "nor one of its followers")
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(self._snapshot(), before)


@tagged("post_install", "-at_install")
class TestAlias(AliasCase):
    """The alias's rule, through ``message_process`` in the server."""

    def _deliver(self, raw):
        thread_id = self.env["mail.thread"].message_process(False, raw)
        return self.env["autorepair.complaint"].browse(thread_id or [])

    def test_customer_is_linked_by_exact_address(self):
        before = self.env["res.partner"].search_count([])
        complaint = self._deliver(self._raw("Zhang <ZHANGWEI@example.COM>"))
        self.assertEqual(complaint.partner_id, self.customer, "the normalised address is the customer's")
        self.assertFalse(complaint.is_unverified)
        self.assertEqual(complaint.email_from_normalized, "zhangwei@example.com")
        self.assertEqual(complaint.user_id, self.user_care_agent, "handled by the customer's care agent")
        message = complaint.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.author_id, self.customer)
        self.assertIn(self.customer, complaint.message_partner_ids, "the customer follows his ticket")
        self.assertEqual(self.env["res.partner"].search_count([]), before)

    def test_customer_reply_keeps_its_author(self):
        complaint = self._deliver(self._raw("zhangwei@example.com"))
        first = complaint.message_ids.filtered(lambda m: m.message_type == "email")
        self._deliver(self._raw("zhangwei@example.com", subject="Re", In_Reply_To=first.message_id))
        replies = complaint.message_ids.filtered(lambda m: m.message_type == "email") - first
        self.assertEqual(replies.author_id, self.customer)

    def test_agent_links_the_verified_sender(self):
        complaint = self._deliver(self._raw("张伟 <zhang.wei.new@example.net>"))
        self.assertTrue(complaint.is_unverified)
        self.assertIn("zhang.wei.new@example.net", complaint.email_from)
        complaint.with_user(self.user_care_agent).partner_id = self.customer
        self.assertFalse(complaint.is_unverified, "linked by the agent: verified")
        self.assertFalse(complaint.is_repeat)

    def test_unverified_ticket_is_not_compensated(self):
        complaint = self._deliver(self._raw("nobody@unknown.example.org"))
        with self.assertRaises(ValidationError):
            with self.env.cr.savepoint():
                complaint.write({"compensation_ids": [(0, 0, {
                    "compensation_type": "discount", "description": "折扣", "amount": 100})]})

    def test_other_channels_still_need_the_customer(self):
        with self.assertRaises(ValidationError):
            with self.env.cr.savepoint():
                self._complaint(partner_id=False)

    def test_unverified_tickets_are_no_repeats_of_each_other(self):
        first = self._deliver(self._raw("nobody@unknown.example.org"))
        second = self._deliver(self._raw("somebody@unknown.example.org"))
        self.assertFalse(first.is_repeat or second.is_repeat)

    def test_alias_defaults_name_the_company(self):
        company_2 = self.env["res.company"].create({"name": "绵阳店"})
        customer_2 = self.env["res.partner"].create({
            "name": "赵六", "mobile": "13500135000", "email": "zhaoliu@example.com", "is_autorepair_customer": True,
            "company_id": company_2.id,
        })
        self.alias.alias_defaults = f"{{'channel': 'email', 'company_id': {company_2.id}}}"
        complaint = self._deliver(self._raw("zhaoliu@example.com"))
        self.assertEqual(complaint.company_id, company_2)
        self.assertEqual(complaint.partner_id, customer_2)
        # 张伟 is a customer of the first company only
        self.assertTrue(self._deliver(self._raw("zhangwei@example.com")).is_unverified)

    def test_rate_limit_is_per_company_setting(self):
        self.assertEqual(self.env["res.company"].create({"name": "德阳店"}).autorepair_complaint_alias_rate_limit, 3)
        self.env.company.autorepair_complaint_alias_rate_limit = 1
        self.assertTrue(self._deliver(self._raw("wangfang@example.com")))
        with self.assertLogs("odoo.addons.autorepair_complaint.models.mail_thread", logging.INFO) as logs:
            self.assertFalse(self._deliver(self._raw("wangfang@example.com")))
        self.assertIn("hourly limit", "".join(logs.output), logs.output)
        self.env.company.autorepair_complaint_alias_rate_limit = 2
        self.assertTrue(self._deliver(self._raw("wangfang@example.com")))
