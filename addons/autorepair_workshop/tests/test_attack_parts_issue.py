from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .test_parts_issue import PartsCase


@tagged("post_install", "-at_install")
class TestAttackPartsIssue(PartsCase, HttpCase, RpcClientMixin):
    """Over JSON-RPC and XML-RPC, an advisor or a technician neither issues
    parts to the workshop nor takes them back, by any door: the order's
    buttons, the storekeeper's wizard, the stock moves and pickings
    themselves, the line's issued quantity. Nothing moves in the store."""

    def setUp(self):
        super().setUp()
        self.order = self._part_order([(self.pads, 2)])
        self.line = self._part_line(self.order)
        self.picking = self.order.parts_picking_ids

    def _snapshot(self):
        self.env.invalidate_all()
        line = self.line.sudo()
        return (line.qty_issued, line.move_ids.read(["state", "quantity", "picked"]),
                self.env["stock.move"].sudo().search_count([("autorepair_line_id", "=", line.id)]),
                self.env["stock.valuation.layer"].sudo().search_count([("product_id", "=", self.pads.id)]),
                self.env["autorepair.parts.issue.wizard"].sudo().search_count([]))

    def test_advisor_and_technician_cannot_issue_or_return(self):
        order, line, picking = self.order, self.line, self.picking
        move = line.sudo().move_ids
        calls = [
            ("autorepair.service.order", "action_open_parts_issue", [order.id]),
            ("autorepair.service.order", "action_open_parts_return", [order.id]),
            ("autorepair.service.order", "action_order_missing_parts", [order.id]),
            ("autorepair.parts.issue.wizard", "create", {"order_id": order.id, "mode": "issue", "line_ids": [
                (0, 0, {"order_line_id": line.id, "scanned_code": "3Q0698151A", "quantity": 2})]}),
            ("autorepair.service.order.line", "_autorepair_issue_parts", {str(line.id): 2}),
            ("autorepair.service.order.line", "write", [line.id], {"qty_issued": 2}),
            ("stock.move", "write", [move.id], {"quantity": 2, "picked": True}),
            ("stock.move", "_action_done", [move.id]),
            ("stock.picking", "button_validate", [picking.id]),
            ("stock.picking", "write", [picking.id], {"state": "done"}),
        ]
        for user in (self.user_advisor, self.user_technician):
            for model, method, *args in calls:
                with self.subTest(user=user.login, method=method):
                    self._assert_rpc_refused(user, model, method, *args, xmlrpc=True)
        self.assertEqual((line.qty_issued, move.state), (0, "assigned"))

    def test_storekeeper_cannot_return_more_than_issued(self):
        self._issue(self.order, {self.pads: ("3Q0698151A", 1)})
        result = self._jsonrpc_ok(self.user_storekeeper, "autorepair.parts.issue.wizard", "create", {
            "order_id": self.order.id, "mode": "return", "line_ids": [
                (0, 0, {"order_line_id": self.line.id, "scanned_code": "3Q0698151A", "quantity": 5})]})
        self._assert_rpc_refused(self.user_storekeeper, "autorepair.parts.issue.wizard", "action_confirm", [result])
        self.assertEqual(self.line.qty_issued, 1)
