from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin


@tagged("post_install", "-at_install")
class TestUiServiceOrder(HttpCase):
    """The whole workshop flow in the browser, each step by the role whose job
    it is: the advisor books, receives, quotes and records the customer's
    signed approval; the technician clocks the work and signs the self-check;
    the team lead and the inspector sign the peer and final checks; the
    advisor delivers the car and invoices it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        # settlement posts a real invoice: the company needs a chart of accounts
        if not company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        roles = {
            "advisor": "autorepair_workshop.group_advisor",
            "technician": "autorepair_workshop.group_technician",
            "team_lead": "autorepair_workshop.group_team_lead",
            "inspector": "autorepair_workshop.group_inspector",
        }
        for role, group in roles.items():
            setattr(cls, f"user_{role}", new_test_user(
                cls.env, login=f"ar_tour_so_{role}", groups=group, company_id=company.id,
                company_ids=[company.id], tz="Asia/Shanghai", name=f"Tour {role}",
            ))
        cls.bay = cls.env["autorepair.bay"].create({"name": "Tour Bay"})
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "Tour Brand"})
        car_model = cls.env["fleet.vehicle.model"].create({"name": "Tour Model", "brand_id": brand.id})
        cls.customer = cls.env["res.partner"].create({
            "name": "周晓燕", "mobile": "13900139001", "is_autorepair_customer": True,
        })
        cls.vehicle = cls.env["fleet.vehicle"].create({
            "model_id": car_model.id, "license_plate": "川AT0518", "vin_sn": make_vin("LFV2A2BHRC518518"),
            "owner_id": cls.customer.id,
        })
        cls.env["fleet.vehicle.odometer"].create({
            "vehicle_id": cls.vehicle.id, "value": 30000,
            "date": fields.Date.today() - timedelta(days=90),
        })

    def test_service_order_from_booking_to_invoice(self):
        tours = [
            ("autorepair_crm_service_order_advisor_reception", self.user_advisor),
            ("autorepair_crm_service_order_technician", self.user_technician),
            ("autorepair_crm_service_order_peer_check", self.user_team_lead),
            ("autorepair_crm_service_order_final_check", self.user_inspector),
            ("autorepair_crm_service_order_advisor_delivery", self.user_advisor),
        ]
        for tour, user in tours:
            self.start_tour("/odoo", tour, login=user.login)
        # settled, the car waits for the customer's payment at the cashier's
        order = self.env["autorepair.service.order"].search([("vehicle_id", "=", self.vehicle.id)])
        self.assertEqual((order.state, order.payment_state), ("ready", "not_paid"))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=order.invoice_ids.ids).create({})._create_payments()
        self.start_tour("/odoo", "autorepair_crm_service_order_advisor_release", login=self.user_advisor.login)
        # the car counts at once in the monthly figures (the current month is live)
        self.start_tour("/odoo", "autorepair_crm_monthly_figures", login=self.user_advisor.login)

        order = self.env["autorepair.service.order"].search([("vehicle_id", "=", self.vehicle.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "done")
        self.assertEqual(order.released_by_id, self.user_advisor)
        self.assertTrue(order.is_appointment)
        self.assertEqual(order.bay_id, self.bay)
        self.assertEqual(order.advisor_id, self.user_advisor)
        self.assertEqual(self.vehicle.odometer, 35210, "the odometer in is on the vehicle's log")
        self.assertEqual(order.quote_ids.state, "decided")
        self.assertTrue(order.quote_ids.signature, "the customer signed the quote at the desk")
        self.assertEqual(order.quote_ids.approval_channel, "desk")
        self.assertEqual(
            [(check.check_type, check.result, check.user_id) for check in order.check_ids],
            [("self", "pass", self.user_technician), ("peer", "pass", self.user_team_lead),
             ("final", "pass", self.user_inspector)],
        )
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual(labour.work_state, "done")
        self.assertEqual(labour.technician_id, self.user_technician)
        self.assertEqual(self.vehicle.next_service_km, 45000)
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.amount_untaxed, order.amount_untaxed)
        self.assertEqual(invoice.amount_untaxed, 0.5 * 150 + 4 * 88 + 65)
