from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, add_role_users

from .common import ServiceOrderCase, followup_answers

ROLES = ("technician", "team_lead", "inspector", "care_agent", "advisor", "insurance", "sales",
         "care_manager", "manager", "general_manager")


@tagged("post_install", "-at_install")
class TestRpcReads(ServiceOrderCase, HttpCase, RpcClientMixin):
    """Every role opens a settled order, its car and its customer with every
    field it is shown, over real JSON-RPC (read, and web_read as the web
    client does) and XML-RPC: a field on another app's records (invoices,
    follow-up calls, care tasks, checks) is hidden from a role that may not
    read them, never the reason the whole order is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "rd", {
            "insurance": "autorepair_care.group_insurance",
            "sales": "autorepair_crm.group_sales",
            "care_manager": "autorepair_care.group_care_manager",
            "general_manager": "autorepair_crm.group_general_manager",
        })

    def _settled_order(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        order.with_user(self.user_advisor).action_create_invoice()
        self.env["autorepair.followup"].with_user(self.user_care_agent).create({
            "order_id": order.id, "answer_ids": followup_answers(self.env, order, 5),
        })
        self.assertTrue(order.settled_date)
        self.assertTrue(order.invoice_ids and order.check_ids and order.followup_ids and order.walkaround_line_ids)
        return order

    def test_every_role_reads_every_field_shown(self):
        order = self._settled_order()
        records = (("autorepair.service.order", order), ("fleet.vehicle", self.vehicle),
                   ("res.partner", self.customer))
        for role in ROLES:
            user = getattr(self, f"user_{role}")
            for model, record in records:
                with self.subTest(role=role, model=model):
                    self._assert_reads_every_field(user, model, record)

    def test_hidden_only_from_those_who_may_not_read_it(self):
        order = self._settled_order()
        order_fields = {"invoice_ids", "invoice_count", "check_ids", "followup_ids", "walkaround_line_ids",
                        "damage_ids"}
        shown_to = {
            "technician": {"check_ids", "walkaround_line_ids", "damage_ids"},
            "care_agent": {"followup_ids", "walkaround_line_ids", "damage_ids"},
            "sales": {"followup_ids"},
            "insurance": set(),
            "advisor": order_fields,
            "manager": order_fields,
        }
        for role, expected in shown_to.items():
            user = getattr(self, f"user_{role}")
            shown = set(self._jsonrpc_ok(user, "autorepair.service.order", "fields_get", attributes=["type"]))
            self.assertEqual(shown & order_fields, expected, role)
            [row] = self._jsonrpc_ok(user, "autorepair.service.order", "web_read", [order.id], {
                fname: {} for fname in expected | {"name", "state", "amount_total"}})
            self.assertEqual(row["name"], order.name)
            for fname in expected - {"invoice_count"}:
                self.assertEqual(row[fname], order[fname].ids, f"{role} reads {fname}")
        # the settled order's form, as the web client asks for it, opens for every role
        for role in ROLES:
            user = getattr(self, f"user_{role}")
            with self.subTest(role=role):
                spec = self._form_spec(user, "autorepair.service.order")
                [row] = self._jsonrpc_ok(user, "autorepair.service.order", "web_read", [order.id], spec)
                self.assertEqual(row["id"], order.id)
