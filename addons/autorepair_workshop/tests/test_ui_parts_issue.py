from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUiPartsIssue(HttpCase):
    """The demo storekeeper issues the front brake pads of the demo order being
    worked on, of which the store holds one of the two approved."""

    browser_size = "1440,900"

    def test_storekeeper_issues_what_is_on_the_shelf(self):
        order = self.env.ref("autorepair_workshop.so_demo_in_progress")
        line = self.env.ref("autorepair_workshop.so_demo_in_progress_l2")
        self.assertEqual((line.qty_reserved, line.qty_missing, line.qty_issued), (1, 1, 0))
        self.start_tour(f"/odoo/action-autorepair_workshop.autorepair_service_order_action/{order.id}",
                        "autorepair_workshop_storekeeper_issue", login="demo_storekeeper")
        line.invalidate_recordset()
        self.assertEqual((line.qty_issued, line.qty_to_issue, line.qty_missing), (1, 1, 1))
