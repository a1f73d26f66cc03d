from datetime import UTC, datetime, time, timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin


@tagged("post_install", "-at_install")
class TestUiAdvisorDesk(HttpCase):
    """The demo advisor's morning from the workshop board, on a desk screen:
    what the board's cards, the calendar and the order tell him, the today
    filter narrowing the board, the first car received and quoted."""

    browser_size = "1440,900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.advisor = cls.env.ref("autorepair_crm.user_demo_advisor")
        model = cls.env.ref("autorepair_crm.vehicle_11").model_id
        Order = cls.env["autorepair.service.order"].with_user(cls.advisor)
        orders = Order.browse()
        for plate, name, mobile, vin in (("川A0930D", "周一鸣", "13900139930", "LFV2A2BHRC093030"),
                                         ("川A1630E", "吴小莉", "13900131630", "LFV2A2BHRC163030")):
            customer = cls.env["res.partner"].create({"name": name, "mobile": mobile, "is_autorepair_customer": True})
            vehicle = cls.env["fleet.vehicle"].create({
                "model_id": model.id, "license_plate": plate, "vin_sn": make_vin(vin), "owner_id": customer.id})
            orders |= Order.create({
                "vehicle_id": vehicle.id, "need_type": "periodic_maintenance", "source": "phone",
                "appointment_start": fields.Datetime.now() + timedelta(days=1, hours=1),
            })
        # booked yesterday for 09:30 this morning (a booking cannot be made in the past), in the
        # time zone of the test browser, which shows times and takes "today" in the machine's own
        local = datetime.now().astimezone()
        start = datetime.combine(local.date(), time(9, 30), tzinfo=local.tzinfo).astimezone(UTC).replace(tzinfo=None)
        cls.env.cr.execute("UPDATE autorepair_service_order SET appointment_start = %s, appointment_end = %s "
                           "WHERE id = %s", (start, start + timedelta(hours=1), orders[0].id))
        orders.invalidate_recordset()

    def test_advisor_morning(self):
        # from the advisor's home after login: the workshop board
        self.start_tour("/odoo", "autorepair_workshop_advisor_morning", login="demo_advisor")
        order = self.env["autorepair.service.order"].search([("license_plate", "=", "川A0930D")])
        self.assertEqual(order.state, "quoted")
        self.assertEqual(order.quote_ids.name, "Quote 1")
