from datetime import datetime, time, timedelta

import pytz

from odoo import fields, http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.autorepair_care.tests.common import TZ, browser_in_china


@tagged("post_install", "-at_install")
class TestComplaintUi(HttpCase):

    def test_agent_handles_a_phone_complaint(self):
        agent = new_test_user(self.env, login="cp_tour_agent", groups="autorepair_care.group_care_agent",
                              name="客服刘芳", password="cp_tour_agent")
        customer = self.env["res.partner"].create({
            "name": "王小明", "mobile": "13800138000", "is_autorepair_customer": True,
        })
        self.start_tour("/odoo/action-autorepair_complaint.autorepair_complaint_action",
                        "autorepair_complaint_phone_to_closure", login=agent.login)
        complaint = self.env["autorepair.complaint"].search([("partner_id", "=", customer.id)])
        self.assertTrue(complaint.is_closed)
        self.assertEqual(complaint.customer_satisfied, "satisfied")
        self.assertTrue(complaint.first_response_date)
        self.assertEqual(complaint.action_ids.name, "技师诊断培训")

    def test_care_manager_sees_a_saturday_complaint_due_at_1030(self):
        """The dealer's hours, every day in China: the complaint logged at
        06:04 last Saturday was due at 10:30 that morning."""
        manager = self.env.ref("autorepair_crm.user_demo_care_manager")
        customer = self.env["res.partner"].create({
            "name": "周末客户", "mobile": "13800138066", "is_autorepair_customer": True,
        })
        china = pytz.timezone(TZ)
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(china).date()
        saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
        reported = china.localize(datetime.combine(saturday, time(6, 4))).astimezone(pytz.utc).replace(tzinfo=None)
        complaint = self.env["autorepair.complaint"].create({
            "subject": "周六早上投诉", "partner_id": customer.id, "channel": "phone", "user_id": manager.id,
            "reported_date": reported,
        })
        self.assertEqual(complaint.first_response_deadline, reported + timedelta(hours=4, minutes=26))
        with browser_in_china():
            self.start_tour("/odoo/action-autorepair_complaint.autorepair_complaint_action",
                            "autorepair_complaint_deadline_in_dealer_hours", login=manager.login)


@tagged("post_install", "-at_install")
class TestComplaintPortal(HttpCase):

    def test_customer_files_a_complaint_on_the_portal(self):
        customer = self.env["res.partner"].create({
            "name": "王小明", "mobile": "13800138000", "email": "wxm@example.com", "is_autorepair_customer": True,
        })
        portal_user = new_test_user(self.env, login="cp_portal_wxm", password="cp_portal_wxm",
                                    groups="base.group_portal", partner_id=customer.id)
        other = new_test_user(self.env, login="cp_portal_other", password="cp_portal_other",
                              groups="base.group_portal")
        self.authenticate(portal_user.login, portal_user.login)
        page = self.url_open("/my/complaints/new")
        self.assertEqual(page.status_code, 200)
        # a complaint without its text is refused and nothing is saved
        response = self.url_open("/my/complaints/new", data={"subject": "", "description": "",
                                                             "csrf_token": http.Request.csrf_token(self)})
        self.assertIn("short title", response.text)
        self.assertFalse(self.env["autorepair.complaint"].search([("partner_id", "=", customer.id)]))
        response = self.url_open("/my/complaints/new", data={
            "subject": "接车时间太长", "description": "预约了还等了一个小时",
            "csrf_token": http.Request.csrf_token(self),
        })
        complaint = self.env["autorepair.complaint"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.channel, "portal")
        self.assertIn(complaint.name, response.text, "the customer lands on his complaint's page")
        self.assertIn("接车时间太长", self.url_open("/my/complaints").text)
        self.authenticate(other.login, other.login)
        response = self.url_open(f"/my/complaints/{complaint.id}")
        self.assertNotIn("接车时间太长", response.text, "another customer cannot read it")
