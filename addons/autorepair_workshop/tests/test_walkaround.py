from lxml import etree, html

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin

from .common import SIGNATURE, ServiceOrderCase

WALKAROUND = "autorepair_workshop.autorepair_service_order_report_walkaround"


@tagged("post_install", "-at_install")
class TestWalkaround(ServiceOrderCase):
    """Each point of the walk-around is marked as found (normal, needs
    attention, damaged, missing) with the customer present, printed so on the
    sheet he signs, and kept as he signed it."""

    def _marked_order(self):
        order = self._received_order(lines=0)
        lines = order.walkaround_line_ids.with_user(self.user_advisor)
        self.assertEqual(set(lines.mapped("condition")), {"ok"}, "every point starts normal")
        tyres = lines.filtered(lambda line: line.item_id == self.env.ref("autorepair_workshop.walkaround_item_tyres"))
        valuables = lines.filtered(
            lambda line: line.item_id == self.env.ref("autorepair_workshop.walkaround_item_valuables"))
        tyres.write({"condition": "attention", "note": "左前轮胎纹约2毫米"})
        valuables.write({"condition": "missing", "note": "备胎工具缺失"})
        return order, tyres, valuables

    def test_conditions_printed_on_the_signed_sheet(self):
        self.assertEqual(
            [code for code, _label in self.env["autorepair.walkaround.line"]._fields["condition"].selection],
            ["ok", "attention", "damaged", "missing"])
        order, tyres, valuables = self._marked_order()
        order.with_user(self.user_advisor).action_sign_walkaround(SIGNATURE, "张伟")
        content, _type = self.env["ir.actions.report"].with_user(self.user_advisor)._render_qweb_html(
            WALKAROUND, order.ids)
        rows = {" ".join(row.text_content().split()): row
                for row in html.fromstring(content).xpath("//table[@name='walkaround_lines']/tbody/tr")}
        self.assertEqual(len(rows), len(order.walkaround_line_ids))
        attention = next(row for text, row in rows.items() if "左前轮胎纹约2毫米" in text)
        self.assertIn("Needs Attention", attention.text_content(), "not 'normal' beside the note")
        self.assertIn("fw-bold", attention.get("class"))
        self.assertTrue(attention.xpath(".//td[@name='condition_attention'][hasclass('text-warning')]"))
        missing = next(row for text, row in rows.items() if "备胎工具缺失" in text)
        self.assertIn("Missing", missing.text_content())
        self.assertTrue(missing.xpath(".//td[@name='condition_missing'][hasclass('text-danger')]"))
        normal = [row for text, row in rows.items() if "Normal" in text]
        self.assertEqual(len(normal), len(order.walkaround_line_ids) - 2)
        self.assertFalse([row for row in normal if "fw-bold" in (row.get("class") or "")])

    def test_marked_in_the_form(self):
        """The order form lets the advisor pick each state (the badge widget
        only shows it), until the customer has signed."""
        arch = self.env["autorepair.service.order"].with_user(self.user_advisor).get_views(
            [(False, "form")])["views"]["form"]["arch"]
        field = etree.fromstring(arch).xpath("//field[@name='walkaround_line_ids']//field[@name='condition']")[0]
        self.assertEqual(field.get("widget"), "selection_badge")
        self.assertFalse(field.get("readonly"))

    def test_signed_sheet_is_kept(self):
        order, tyres, _valuables = self._marked_order()
        damage = self.env["autorepair.damage"].with_user(self.user_advisor).create(
            {"order_id": order.id, "location": "右后门", "description": "5厘米划痕"})
        order.with_user(self.user_advisor).action_sign_walkaround(SIGNATURE, "张伟")
        for attempt in (
            lambda: tyres.with_user(self.user_advisor).write({"condition": "ok"}),
            lambda: tyres.with_user(self.user_advisor).unlink(),
            lambda: damage.with_user(self.user_advisor).write({"description": "无"}),
            lambda: damage.with_user(self.user_manager).unlink(),
            lambda: self.env["autorepair.damage"].with_user(self.user_advisor).create(
                {"order_id": order.id, "location": "前保险杠", "description": "刮擦"}),
        ):
            with self.assertRaisesRegex(UserError, "signed the walk-around sheet"):
                attempt()
        self.assertEqual((tyres.condition, tyres.note), ("attention", "左前轮胎纹约2毫米"))
        self.assertEqual(order.damage_ids, damage)
        # the trusted paths (an erasure cuts names out of the notes) run as the superuser
        tyres.sudo().write({"note": "***"})
        self.assertEqual(tyres.note, "***")

    def test_demo_sheet_tells_what_was_found(self):
        order = self.env.ref("autorepair_workshop.so_demo_received", raise_if_not_found=False)
        if not order:
            self.skipTest("demo data not installed")
        tyres = order.walkaround_line_ids.filtered(
            lambda line: line.item_id == self.env.ref("autorepair_workshop.walkaround_item_tyres"))
        self.assertEqual(tyres.condition, "attention", "the demo note about the tread is not marked normal")
        self.assertTrue(order.walkaround_signed_on)


@tagged("post_install", "-at_install")
class TestSignedSheetOverRpc(ServiceOrderCase, HttpCase, RpcClientMixin):
    """The signed sheet attacked the way an integration would: the advisor
    and the service manager over JSON-RPC and XML-RPC change, add or remove
    nothing of what the customer signed."""

    def _snapshot(self):
        order = self.order.sudo()
        return (order.walkaround_line_ids.read(["condition", "note"]),
                order.damage_ids.read(["location", "description"]))

    def test_signed_sheet_refused_over_rpc(self):
        self.order = order = self._received_order(lines=0)
        damage = self.env["autorepair.damage"].with_user(self.user_advisor).create(
            {"order_id": order.id, "location": "右后门", "description": "5厘米划痕"})
        order.with_user(self.user_advisor).action_sign_walkaround(SIGNATURE, "张伟")
        line = order.walkaround_line_ids[:1]
        attempts = [
            ("autorepair.walkaround.line", "write", [line.id], {"condition": "damaged", "note": "改"}),
            ("autorepair.walkaround.line", "unlink", [line.id]),
            ("autorepair.walkaround.line", "create", {"order_id": order.id, "item_id": line.item_id.id}),
            ("autorepair.damage", "write", [damage.id], {"description": "无"}),
            ("autorepair.damage", "unlink", [damage.id]),
            ("autorepair.damage", "create", {"order_id": order.id, "location": "前保险杠", "description": "刮擦"}),
        ]
        for user in (self.user_advisor, self.user_manager):
            for model, method, *args in attempts:
                with self.subTest(user=user.login, model=model, method=method):
                    self._assert_rpc_refused(user, model, method, *args, xmlrpc=True)
