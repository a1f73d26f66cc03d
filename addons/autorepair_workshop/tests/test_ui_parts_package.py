from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin
from odoo.addons.autorepair_workshop.tests.common import SIGNATURE


@tagged("post_install", "-at_install")
class TestUiPartsPackage(HttpCase):
    """A Magotan at 9,800 km, due its 10,000 km service (the demo package at
    ¥588): the demo advisor quotes the package, the customer approves it, the
    demo storekeeper issues its parts, and the order shows its margin."""

    browser_size = "1440,900"

    def test_package_quoted_issued_and_its_margin(self):
        advisor = self.env.ref("autorepair_crm.user_demo_advisor")
        customer = self.env["res.partner"].create(
            {"name": "刘洋", "mobile": "13900139800", "is_autorepair_customer": True})
        vehicle = self.env["fleet.vehicle"].create({
            "model_id": self.env.ref("autorepair_crm.model_magotan").id, "license_plate": "川A9800K",
            "vin_sn": make_vin("LFV3A23CR3098001"), "owner_id": customer.id,
        })
        order = self.env["autorepair.service.order"].with_user(advisor).create({
            "vehicle_id": vehicle.id, "need_type": "periodic_maintenance",
            "identity_checked": True, "identity_document": "id_card", "odometer_in": 9800,
        })
        order.action_receive()
        url = f"/odoo/action-autorepair_workshop.autorepair_service_order_action/{order.id}"

        self.start_tour(url, "autorepair_workshop_package_quote", login="demo_advisor")
        package = self.env.ref("autorepair_workshop.package_magotan_10000")
        self.assertEqual(order.line_ids.package_id, package)
        self.assertAlmostEqual(order.amount_untaxed, 588.0, places=2)

        # the customer signs at the desk: every line approved, the parts reserved in the store
        quote = order.quote_ids.filtered(lambda q: q.state == "sent")
        quote.with_user(advisor).action_decide(
            decisions={line.id: "approved" for line in quote.line_ids}, signature=SIGNATURE, signed_by="刘洋")
        parts = order.line_ids.filtered(lambda line: line.line_type == "part")
        self.assertEqual(parts.mapped("qty_reserved"), parts.mapped("quantity"))

        self.start_tour(url, "autorepair_workshop_package_issue", login="demo_storekeeper")
        self.assertEqual(parts.mapped("qty_issued"), parts.mapped("quantity"))
        self.assertFalse(parts.sudo().move_ids.filtered(lambda move: move.state != "done"))

        self.start_tour(url, "autorepair_workshop_package_margin", login="demo_advisor")
        order.invalidate_recordset()
        for figure, expected in (("parts_cost", 313.0), ("revenue", 588.0), ("margin", 275.0)):
            self.assertAlmostEqual(order[figure], expected, places=2, msg=figure)
