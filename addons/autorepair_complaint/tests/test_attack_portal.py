from odoo import http
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin, new_portal_user

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintPortalAttacks(ComplaintCase, HttpCase):
    """The complaint pages of the portal, as an outsider and as another customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_portal_user(cls.env, "cp_att_zhang", cls.customer)
        cls.other_customer = cls.env["res.partner"].create({
            "name": "李娜", "mobile": "13900139000", "is_autorepair_customer": True,
        })
        cls.other_portal_user = new_portal_user(cls.env, "cp_att_li", cls.other_customer)
        cls.other_vehicle = cls.env["fleet.vehicle"].create({
            "model_id": cls.vehicle.model_id.id, "license_plate": "川A54321",
            "vin_sn": make_vin("LFV2A2BHRC654321"), "owner_id": cls.other_customer.id,
        })

    def setUp(self):
        super().setUp()
        self.complaint = self._complaint(subject="空调异响投诉", description="修完两天空调又响了",
                                         service_order_id=self.order.id)
        self.token = self.complaint._portal_ensure_token()

    def _count(self):
        self.env.invalidate_all()
        return {
            "complaints": self.env["autorepair.complaint"].sudo().search_count([]),
            "messages": self.complaint.message_ids.ids,
            "partner": self.complaint.partner_id,
        }

    def _assert_hidden(self, response):
        self.assertNotIn(f"/my/complaints/{self.complaint.id}", response.url, "sent away")
        for secret in ("空调异响投诉", "修完两天空调又响了", self.complaint.name):
            self.assertNotIn(secret, response.text)

    def test_logged_out(self):
        before = self._count()
        self._assert_hidden(self.url_open(f"/my/complaints/{self.complaint.id}"))
        self._assert_hidden(self.url_open(f"/my/complaints/{self.complaint.id}?access_token=wrong"))
        self._assert_hidden(self.url_open("/my/complaints"))
        self.assertEqual(self._count(), before)

    def test_other_customer_logged_in(self):
        before = self._count()
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        self._assert_hidden(self.url_open(f"/my/complaints/{self.complaint.id}"))
        self._assert_hidden(self.url_open(f"/my/complaints/{self.complaint.id}?access_token=wrong"))
        listing = self.url_open("/my/complaints")
        self.assertNotIn("空调异响投诉", listing.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["complaint_count"]})
        self.assertEqual(counters["complaint_count"], 0)
        self.assertEqual(self._count(), before)

    def test_other_customer_cannot_file_on_his_order_or_car(self):
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        page = self.url_open("/my/complaints/new")
        self.assertNotIn("川A12345", page.text, "his car is not offered")
        before = self.env["autorepair.complaint"].sudo().search([]).ids
        self.url_open("/my/complaints/new", data={
            "subject": "冒名投诉", "description": "借他的工单投诉", "vehicle_id": str(self.vehicle.id),
            "service_order_id": str(self.order.id), "csrf_token": http.Request.csrf_token(self),
        })
        new = self.env["autorepair.complaint"].sudo().search([("id", "not in", before)])
        self.assertEqual(len(new), 1)
        self.assertEqual(new.partner_id, self.other_customer)
        self.assertFalse(new.vehicle_id, "his car is not linked")
        self.assertFalse(new.service_order_id, "nor his order")
        self.assertNotIn(self.other_customer, self.complaint.message_partner_ids)

    def test_unverified_email_ticket_is_nobodys_on_the_portal(self):
        ticket = self.env["autorepair.complaint"].message_new({
            "subject": "有人冒充张伟", "email_from": '"张伟" <attacker@x.com>', "body": "<p>...</p>",
        })
        self.assertTrue(ticket.is_unverified)
        for user in (self.portal_user, self.other_portal_user):
            self.authenticate(user.login, user.login)
            self.assertNotIn("有人冒充张伟", self.url_open("/my/complaints").text)
            response = self.url_open(f"/my/complaints/{ticket.id}")
            self.assertNotIn("有人冒充张伟", response.text)
