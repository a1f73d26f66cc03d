from odoo.tests import HttpCase, tagged

from .common import make_vin


@tagged("post_install", "-at_install")
class TestUi(HttpCase):

    def test_advisor_finds_vehicle_by_plate_fragment(self):
        advisor = self.env["res.users"].create({
            "name": "服务顾问", "login": "ar_tour_advisor", "password": "ar_tour_advisor",
            "groups_id": [(6, 0, [self.env.ref("autorepair_workshop.group_advisor").id])],
        })
        model = self.env["fleet.vehicle.model"].create({
            "name": "迈腾", "brand_id": self.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"}).id,
        })
        Partner = self.env["res.partner"].with_context(default_is_autorepair_customer=True)
        owner = Partner.create({"name": "王小明", "mobile": "13800138000", "is_autorepair_customer": True})
        other = Partner.create({"name": "李四", "mobile": "13900139000", "is_autorepair_customer": True})
        self.env["fleet.vehicle"].create([
            {"model_id": model.id, "license_plate": "川AD12345", "vin_sn": make_vin("LFV2A2BHRC777777"),
             "owner_id": owner.id},
            {"model_id": model.id, "license_plate": "川A99999", "vin_sn": make_vin("LFV2A2BHRC888888"),
             "owner_id": other.id},
        ])
        self.start_tour(
            "/odoo/action-autorepair_crm.res_partner_action_customer",
            "autorepair_crm_find_vehicle_by_plate",
            login=advisor.login,
        )
