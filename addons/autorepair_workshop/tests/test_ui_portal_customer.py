from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin


@tagged("post_install", "-at_install")
class TestUiPortalCustomer(HttpCase):
    """The customer, on his phone, opens the quote link of the SMS without
    logging in and decides each line: approved, the cheaper alternative,
    later. The tour checks what he sees at each step."""

    browser_size = "390,844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.advisor = new_test_user(
            cls.env, login="ar_tour_portal_advisor", groups="autorepair_workshop.group_advisor",
            company_id=company.id, company_ids=[company.id], tz="Asia/Shanghai", name="张明")
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        car_model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        cls.customer = cls.env["res.partner"].create({
            "name": "周晓燕", "mobile": "13900139019", "is_autorepair_customer": True,
        })
        cls.vehicle = cls.env["fleet.vehicle"].create({
            "model_id": car_model.id, "license_plate": "川AT0519", "vin_sn": make_vin("LFV2A2BHRC519519"),
            "owner_id": cls.customer.id,
        })
        cls.env["fleet.vehicle.odometer"].create({
            "vehicle_id": cls.vehicle.id, "value": 40000, "date": fields.Date.today() - timedelta(days=120)})

    def test_customer_decides_on_his_phone(self):
        Order = self.env["autorepair.service.order"].with_user(self.advisor)
        order = Order.create({"vehicle_id": self.vehicle.id, "need_type": "repair", "requested_work": "刹车有异响"})
        order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 41200})
        order.action_receive()
        # without tax: the amounts the tour reads do not depend on the demo's taxes
        labour, part, cleaning = self.env["autorepair.service.order.line"].with_user(self.advisor).create([
            {"order_id": order.id, "line_type": "labour", "name": "更换刹车片", "quantity": 1, "price_unit": 200,
             "tax_ids": [Command.clear()]},
            {"order_id": order.id, "line_type": "part", "name": "前刹车片", "part_number": "3C0 698 151",
             "is_oem": True, "quantity": 1, "price_unit": 1000, "alt_type": "aftermarket",
             "alt_description": "品牌副厂件", "alt_price_unit": 600, "risk_note": "质保期一年",
             "tax_ids": [Command.clear()]},
            {"order_id": order.id, "line_type": "other", "name": "清洗空调滤网", "quantity": 1, "price_unit": 80,
             "tax_ids": [Command.clear()]},
        ])
        order.action_send_quote()
        link = order.get_portal_url()

        self.start_tour(link, "autorepair_workshop_portal_customer_phone")

        self.env.invalidate_all()
        quote = order.quote_ids
        self.assertEqual((quote.state, quote.approval_channel, quote.signed_by), ("decided", "portal", "周晓燕"))
        self.assertTrue(quote.signature)
        self.assertEqual((labour.decision, part.decision, cleaning.decision), ("approved", "alternative", "deferred"))
        self.assertEqual(order.state, "approved")
        self.assertEqual(order.approved_amount, 800)
        self.assertEqual(self.vehicle.recommendation_line_ids, cleaning, "the cleaning stays recommended")
