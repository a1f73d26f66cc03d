from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ServiceOrderCase


@tagged("post_install", "-at_install")
class TestDelivery(ServiceOrderCase):
    """The hand-over tells the customer his next service (RULEBOOK §3.11):
    the advisor sees the fields where he delivers, and delivering without
    them says which are missing."""

    def _ready_order(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        self.assertEqual(order.state, "ready")
        return order

    def test_refused_without_next_service(self):
        order = self._ready_order()
        self._settle(order)
        self._pay_order(order)
        deliver = order.with_user(self.user_advisor).action_deliver
        with self.assertRaisesRegex(UserError, r"Before delivering .*川A12345.*Next Service Date, Next Service \(km\)"):
            deliver()
        order.next_service_date = "2027-06-01"
        with self.assertRaises(UserError) as refused:
            deliver()
        self.assertIn("Next Service (km)", str(refused.exception))
        self.assertNotIn("Next Service Date", str(refused.exception))
        order.next_service_km = 20000  # behind the odometer in (21,000 km)
        with self.assertRaisesRegex(UserError, "must come after its odometer reading of 21000 km"):
            deliver()
        self.assertEqual(order.state, "ready", "nothing delivered")
        order.next_service_km = 31000
        deliver()
        self.assertEqual(order.state, "done", "settled, paid and delivered")
        self.assertEqual((self.vehicle.next_service_km, str(self.vehicle.next_service_date)), (31000, "2027-06-01"))

    def test_fields_beside_the_deliver_button(self):
        """On the sheet, not on a tab the advisor has to find: shown once the car
        is ready, not required by the form: the cashier's buttons on a settled car
        must not wait for them; the release asks for them (test_refused_without_next_service)."""
        arch = etree.fromstring(self.env["autorepair.service.order"].with_user(self.user_advisor).get_views(
            [(False, "form")])["views"]["form"]["arch"])
        group = arch.xpath("//group[@name='delivery']")
        self.assertEqual(len(group), 1)
        self.assertFalse(group[0].xpath("ancestor::notebook"), "not on a tab")
        self.assertIn("ready", group[0].get("invisible"))
        for fname in ("next_service_date", "next_service_km"):
            field = group[0].xpath(f".//field[@name='{fname}']")
            self.assertEqual(len(field), 1)
            self.assertFalse(field[0].get("required"), "the cashier takes payment before the advisor fills them")
            self.assertEqual(len(arch.xpath(f"//field[@name='{fname}']")), 1, "once on the form")
