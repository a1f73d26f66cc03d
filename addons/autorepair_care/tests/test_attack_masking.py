"""The care task's copies of the customer's numbers carry the customer's
restriction: a care agent who also works in the workshop (and so sees numbers
masked) cannot read, search, group or sort by them over HTTP."""

from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .common import CareCase


@tagged("post_install", "-at_install")
class TestAttackMaskingCare(CareCase, HttpCase, RpcClientMixin):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", "13800138000", phone="028-8888 8888")
        cls.agent_in_workshop = new_test_user(
            cls.env, login="ar_agent_workshop", company_id=cls.company.id, company_ids=[cls.company.id],
            groups="autorepair_care.group_care_agent,autorepair_workshop.group_technician")
        cls.task = cls.env["autorepair.care.task"].create({
            "rule_id": cls.rule_first.id, "kind": cls.rule_first.kind, "partner_id": cls.customer.id,
            "due_date": "2025-06-10", "deadline": "2025-06-20", "user_id": cls.agent_in_workshop.id,
        })

    def assert_refused(self, method, *args, **kwargs):
        self.env.invalidate_all()
        before = (self.task.sudo().read(["state", "write_date", "partner_id"]),
                  self.env["autorepair.care.task"].sudo().search_count([]))
        user = self.agent_in_workshop
        with mute_logger("odoo.http", "odoo.models"):
            result, error = self._jsonrpc(user, "autorepair.care.task", method, *args, **kwargs)
            self.assertTrue(error, f"{method}{args} answered {result!r}")
            self.assertEqual(error["name"], "odoo.exceptions.AccessError", error["message"])
            with self.assertRaises(Fault) as fault:
                self._xmlrpc(user, "autorepair.care.task", method, *args, **kwargs)
        self.assertIn(error["message"].splitlines()[0], fault.exception.faultString)
        self.env.invalidate_all()
        self.assertEqual((self.task.sudo().read(["state", "write_date", "partner_id"]),
                          self.env["autorepair.care.task"].sudo().search_count([])), before)

    def test_related_numbers(self):
        self.assertTrue(self.agent_in_workshop.has_group("autorepair_crm.group_contact_masked"))
        self.assert_refused("read", self.task.ids, ["partner_mobile"])
        self.assert_refused("web_read", self.task.ids, {"partner_phone": {}})
        for prefix in ("+86138", "+86139"):
            self.assert_refused("search_count", [("partner_mobile", "like", prefix)])
        self.assert_refused("search_count", [("partner_id.phone_mobile_search", "like", "+86138")])
        self.assert_refused("read_group", [], ["partner_mobile"], ["partner_mobile"])
        self.assert_refused("search_read", [], ["partner_id"], order="partner_mobile")
        self.assert_refused("read_group", [], ["partner_phone:max"], ["state"])
        # the task itself stays workable
        [row] = self._jsonrpc_ok(self.agent_in_workshop, "autorepair.care.task", "read", self.task.ids,
                                 ["partner_id", "state"])
        self.assertEqual(row["partner_id"][0], self.customer.id)

    def test_agent_reads_the_numbers(self):
        self.task.user_id = self.user_care_agent
        task = self.task.with_user(self.user_care_agent)
        self.assertEqual(task.read(["partner_mobile", "partner_phone"])[0]["partner_mobile"], "+8613800138000")
        Task = self.env["autorepair.care.task"].with_user(self.user_care_agent)
        self.assertEqual(Task.search([("partner_mobile", "like", "+86138%")]), self.task)
        self.assertFalse(Task.search([("partner_mobile", "like", "+86139%")]))
