from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestComplaintUi(HttpCase):

    def test_agent_handles_a_phone_complaint(self):
        agent = new_test_user(self.env, login="cp_tour_agent", groups="autorepair_crm.group_care_agent",
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
