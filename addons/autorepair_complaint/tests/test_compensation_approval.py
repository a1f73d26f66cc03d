from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.autorepair_workshop.tests.common import ServiceOrderCase


class CompensationCase(ServiceOrderCase):
    """A settled order, a complaint about it, the staff who compensate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_care_agent.groups_id = [(4, cls.env.ref("autorepair_care.group_care_agent").id)]
        cls.user_general_manager = new_test_user(
            cls.env, login="so_general_manager", groups="autorepair_crm.group_general_manager",
            company_id=cls.env.company.id, company_ids=[cls.env.company.id])
        cls.env.company.write({
            "autorepair_complaint_compensation_approval_amount": 500,
            "autorepair_complaint_service_manager_id": cls.user_manager.id,
        })

    def setUp(self):
        super().setUp()
        order = self._received_order(lines=0)
        self.env["autorepair.service.order.line"].create([
            {"order_id": order.id, "line_type": "labour", "name": "更换空调鼓风机", "quantity": 1, "price_unit": 150,
             "technician_id": self.user_technician.id},
            {"order_id": order.id, "line_type": "part", "name": "空调鼓风机总成", "quantity": 1, "price_unit": 1000},
        ])
        self._approve_all(order)
        self._work_and_check(order)
        order._create_invoices()
        self.order = order
        self.invoice = order.invoice_ids
        self.complaint = self.env["autorepair.complaint"].create({
            "subject": "鼓风机报价200元，结算却是1000元", "service_order_id": order.id, "category": "price",
        })

    def _propose(self, amount, user=None, compensation_type="discount"):
        return self.env["autorepair.complaint.compensation"].with_user(user or self.user_advisor).create({
            "complaint_id": self.complaint.id, "compensation_type": compensation_type,
            "description": "鼓风机优惠", "amount": amount,
        })

    def _refunds(self):
        return self.env["account.move"].search([("move_type", "=", "out_refund"),
                                                ("partner_id", "=", self.customer.id)])


@tagged("post_install", "-at_install")
class TestCompensationApproval(CompensationCase):
    """Money leaves only through accounting rights: above the amount of
    Settings a service manager approves first; the credit note is made by
    the compensation's own step for a user with invoicing rights."""

    def test_at_or_below_the_amount_the_advisor_applies(self):
        compensation = self._propose(500)
        self.assertFalse(compensation.needs_approval)
        compensation.with_user(self.user_advisor).action_apply()
        self.assertEqual(compensation.state, "done")
        self.assertFalse(compensation.approved_by_id, "no approval was needed")
        credit_note = compensation.move_id
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        self.assertAlmostEqual(credit_note.amount_total, 500.0)
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)

    def test_above_the_amount_waits_for_a_manager(self):
        compensation = self._propose(800)
        self.assertTrue(compensation.needs_approval)
        with self.assertRaises(UserError):
            compensation.with_user(self.user_advisor).action_apply()
        self.assertEqual(compensation.state, "draft")
        self.assertFalse(self._refunds(), "no money moved")

        compensation.with_user(self.user_advisor).action_request_approval()
        self.assertEqual(compensation.state, "to_approve")
        self.assertIn(self.user_manager, self.complaint.activity_ids.user_id, "the service manager is asked")
        with self.assertRaises(UserError):
            compensation.with_user(self.user_advisor).write({"amount": 2000})
        with self.assertRaises(AccessError):
            compensation.with_user(self.user_advisor).action_approve()
        with self.assertRaises(UserError):
            self.complaint.action_request_confirmation()
        self.assertFalse(self._refunds())

        compensation.with_user(self.user_manager).action_approve()
        self.assertNotIn(self.user_manager, self.complaint.activity_ids.user_id, "his to-do is done")
        self.assertEqual(compensation.approved_by_id, self.user_manager)
        self.assertTrue(compensation.approved_date)
        self.assertEqual(compensation.state, "done", "the manager holds invoicing rights: the money moves at once")
        self.assertAlmostEqual(compensation.move_id.amount_total, 800.0)
        self.assertEqual(compensation.move_id.state, "posted")
        self.assertEqual(self._refunds(), compensation.move_id)
        with self.assertRaises(UserError):
            compensation.with_user(self.user_manager).write({"amount": 80})

    def test_care_agent_proposes_the_manager_approves(self):
        compensation = self._propose(800, user=self.user_care_agent)
        compensation.with_user(self.user_care_agent).action_request_approval()
        compensation.with_user(self.user_manager).action_approve()
        self.assertEqual((compensation.state, compensation.approved_by_id), ("done", self.user_manager))

    def test_money_needs_invoicing_rights(self):
        compensation = self._propose(200, user=self.user_care_agent)
        with self.assertRaisesRegex(AccessError, "invoicing rights"):
            compensation.with_user(self.user_care_agent).action_apply()
        self.assertEqual(compensation.state, "draft")
        self.assertFalse(self._refunds())
        compensation.with_user(self.user_advisor).action_apply()
        self.assertEqual(compensation.state, "done")

    def test_a_manager_does_not_approve_his_own_proposal(self):
        compensation = self._propose(800, user=self.user_manager)
        with self.assertRaises(AccessError):
            compensation.with_user(self.user_manager).action_approve()
        compensation.with_user(self.user_general_manager).action_approve()
        self.assertEqual((compensation.state, compensation.approved_by_id), ("done", self.user_general_manager))

    def test_refused(self):
        compensation = self._propose(3000)
        compensation.with_user(self.user_advisor).action_request_approval()
        compensation.with_user(self.user_manager).action_refuse()
        self.assertEqual((compensation.state, compensation.approved_by_id), ("refused", self.user_manager))
        with self.assertRaises(UserError):
            compensation.with_user(self.user_advisor).action_apply()
        with self.assertRaises(UserError):
            compensation.with_user(self.user_manager).action_approve()
        self.assertFalse(self._refunds())

    def test_threshold_is_each_companys_setting(self):
        self.env.company.autorepair_complaint_compensation_approval_amount = 1000
        compensation = self._propose(800)
        self.assertFalse(compensation.needs_approval)
        compensation.with_user(self.user_advisor).action_apply()
        self.assertEqual(compensation.state, "done")

    def test_compensation_takes_its_points_back(self):
        """The customer paid, earned points, then got part of it back."""
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids).create({})._create_payments()
        self.customer.invalidate_recordset(["loyalty_points"])
        earned = self.customer.loyalty_points
        self.assertEqual(earned, int(self.invoice.amount_total))
        self._propose(300).with_user(self.user_advisor).action_apply()
        self.customer.invalidate_recordset(["loyalty_points"])
        self.assertEqual(self.customer.loyalty_points, earned - round(earned * 300 / self.invoice.amount_total))

    def test_free_work_above_the_allowance_is_approved_and_then_granted(self):
        """Free work worth 2,000 approved by the manager: the advisor may put
        that much goodwill on the free-work order, not more."""
        self.env.company.autorepair_workshop_goodwill_approval_amount = 100
        compensation = self._propose(2000, compensation_type="free_work")
        with self.assertRaises(UserError):
            compensation.with_user(self.user_advisor).action_apply()
        compensation.with_user(self.user_manager).action_approve()
        free_order = compensation.service_order_id
        self.assertTrue(free_order)
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor).with_context(
            default_order_id=free_order.id)
        line = Line.create({"order_id": free_order.id, "line_type": "labour", "name": "重新更换鼓风机",
                            "price_unit": 2000, "tax_ids": []})
        self.assertEqual(line.bill_to, "goodwill")
        with self.assertRaises(AccessError):
            Line.create({"order_id": free_order.id, "line_type": "part", "name": "鼓风机", "price_unit": 200,
                         "tax_ids": []})
