from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin

from .common import SIGNATURE


@tagged("post_install", "-at_install")
class TestUiWorkshopFloor(HttpCase):
    """The floor's morning on a phone, as the demo technician, team lead and
    inspector: a car the customer approved on the portal reaches the booked
    technician's jobs; he works it from its card and sends it to its checks;
    the team lead and the inspector sign their checks from their cards."""

    browser_size = "390,844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician = cls.env.ref("autorepair_crm.user_demo_technician")
        cls.team_lead = cls.env.ref("autorepair_crm.user_demo_team_lead")
        cls.inspector = cls.env.ref("autorepair_crm.user_demo_inspector")
        advisor = cls.env.ref("autorepair_crm.user_demo_advisor")
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "Tour Brand"})
        car_model = cls.env["fleet.vehicle.model"].create({"name": "Tour Sedan", "brand_id": brand.id})
        customer = cls.env["res.partner"].create({
            "name": "陈思远", "mobile": "13900139390", "is_autorepair_customer": True,
        })
        vehicle = cls.env["fleet.vehicle"].create({
            "model_id": car_model.id, "license_plate": "川A8H390", "vin_sn": make_vin("LFV2A2BHRC839039"),
            "owner_id": customer.id,
        })
        cls.order = cls.env["autorepair.service.order"].with_user(advisor).create({
            "vehicle_id": vehicle.id, "need_type": "repair", "technician_id": cls.technician.id,
            "requested_work": "空调出风有异味", "identity_checked": True, "identity_document": "driving_licence",
            "odometer_in": 42000,
        })
        cls.order.action_receive()
        # quoted without naming the technician: the booking names him
        cls.env["autorepair.service.order.line"].with_user(advisor).create([
            {"order_id": cls.order.id, "line_type": "labour", "name": "更换空调滤芯", "quantity": 0.5,
             "price_unit": 150, "technician_id": False},
            {"order_id": cls.order.id, "line_type": "part", "name": "空调滤芯", "quantity": 1, "price_unit": 120},
        ])
        cls.order.action_send_quote()
        quote = cls.order.quote_ids
        # approved by the customer on the portal (the controller records it so)
        quote.sudo()._record_decisions({line.id: "approved" for line in quote.line_ids}, SIGNATURE, "陈思远", "portal")

    def test_floor_morning_on_a_phone(self):
        order = self.order
        self.assertEqual(order.state, "approved")
        # each starts at his home after login: his jobs, the checks to do
        self.start_tour("/odoo", "autorepair_workshop_technician_phone", login=self.technician.login)
        order.invalidate_recordset()
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual((labour.technician_id, labour.work_state), (self.technician, "done"))
        self.assertEqual(order.state, "qc")
        self.start_tour("/odoo", "autorepair_workshop_team_lead_checks", login=self.team_lead.login)
        self.start_tour("/odoo", "autorepair_workshop_inspector_phone", login=self.inspector.login)
        order.invalidate_recordset()
        self.assertEqual(
            [(check.check_type, check.result, check.user_id) for check in order.check_ids],
            [("self", "pass", self.technician), ("peer", "pass", self.team_lead), ("final", "pass", self.inspector)],
        )
        self.assertEqual(order.check_ids[-1].road_test_km, 5)
        self.assertEqual(order.state, "ready")
