from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import make_vin

from .common import SIGNATURE, ServiceOrderCase, followup_answers


@tagged("post_install", "-at_install")
class TestServiceOrderFlow(ServiceOrderCase):

    @freeze_time("2026-11-20 02:00:00")
    def test_whole_flow_through_forms(self):
        """Booking to settlement and follow-up, the way the advisor clicks it."""
        with Form(self.env["autorepair.service.order"].with_user(self.user_advisor)) as form:
            form.vehicle_id = self.vehicle
            self.assertEqual(form.partner_id, self.customer, "the owner is the customer")
            form.need_type = "periodic_maintenance"
            form.appointment_start = datetime(2026, 11, 21, 1, 0)
            form.bay_id = self.bay
            form.technician_id = self.user_technician
            form.requested_work = "定期保养，空调有异响"
        order = form.record
        self.assertTrue(order.name.startswith("WT"))
        self.assertTrue(order.is_appointment)

        with Form(order.with_user(self.user_advisor)) as form:
            form.identity_checked = True
            form.identity_document = "driving_licence"
            form.odometer_in = 21500
            form.fuel_level = "50"
        order.with_user(self.user_advisor).action_receive()
        self.assertEqual(order.state, "received")
        self.assertEqual(self.vehicle.odometer, 21500, "odometer in is on the vehicle's log")
        self.assertTrue(order.walkaround_line_ids, "the manager's walk-around route is laid out")
        order.with_user(self.user_advisor).action_sign_walkaround(SIGNATURE, "张伟")

        with Form(order.with_user(self.user_advisor)) as form:
            form.diagnosis = "鼓风机轴承磨损"
            with form.line_ids.new() as line:
                line.line_type = "labour"
                line.name = "更换鼓风机"
                line.quantity = 1.5
                line.price_unit = 200
                line.technician_id = self.user_technician
            with form.line_ids.new() as line:
                line.line_type = "part"
                line.name = "鼓风机总成"
                line.part_number = "5Q0 819 021"
                line.is_oem = True
                line.quantity = 1
                line.price_unit = 1000
            with form.line_ids.new() as line:
                line.line_type = "other"
                line.name = "清洗空调滤网"
                line.quantity = 1
                line.price_unit = 80
        # the grid holds what the advisor edits; the alternative is offered in the line's own form
        part = order.line_ids.filtered(lambda line: line.name == "鼓风机总成")
        with Form(part.with_user(self.user_advisor)) as line:
            line.alt_type = "aftermarket"
            line.alt_description = "品牌副厂件"
            line.alt_price_unit = 600
            line.risk_note = "质保期一年"
        order.with_user(self.user_advisor).action_send_quote()
        self.assertEqual(order.state, "quoted")
        self.assertTrue(self.env["sms.sms"].search([("partner_id", "=", self.customer.id)]),
                        "the approval link is queued by SMS")

        wizard_action = order.with_user(self.user_advisor).action_open_decision_wizard()
        with Form(self.env[wizard_action["res_model"]].with_user(self.user_advisor).with_context(
                **wizard_action["context"])) as wizard:
            with wizard.line_ids.edit(1) as line:
                line.decision = "alternative"
            with wizard.line_ids.edit(2) as line:
                line.decision = "deferred"
            wizard.signature = SIGNATURE
        wizard.record.action_confirm()
        self.assertEqual(order.state, "approved")
        # 1.5 h x 200 + aftermarket part 600, tax excluded
        self.assertAlmostEqual(order.amount_untaxed, 900.0)
        self.assertAlmostEqual(order.approved_amount, order.amount_total)
        self.assertEqual(self.vehicle.recommendation_line_ids.name, "清洗空调滤网")

        self._work_and_check(order)
        self.assertEqual(order.state, "ready")
        # the cashier settles the ready car: it stays until paid and released
        order.with_user(self.user_advisor).action_create_invoice()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(invoice.amount_untaxed, 900.0)
        self.assertEqual(order.state, "ready")
        self.assertEqual(order.payment_state, "not_paid")

        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({})._create_payments()
        self.assertEqual(order.payment_state, "paid")
        self.assertEqual(self.customer.loyalty_points, int(invoice.amount_total))

        self._release(order)
        self.assertEqual(order.state, "done")
        self.assertEqual(order.released_by_id, self.user_advisor)
        self.assertEqual(str(self.vehicle.next_service_date), "2027-05-01")
        self.assertEqual(self.vehicle.next_service_km, 31000)
        activity = order.activity_ids.filtered(lambda a: a.activity_type_id.name == "Follow-up Call")
        self.assertEqual(activity.user_id, self.user_care_agent)
        self.assertEqual(str(activity.date_deadline), "2026-11-21", "due 24 h after delivery")

        followup = self.env["autorepair.followup"].with_user(self.user_care_agent).create({
            "order_id": order.id,
            "answer_ids": followup_answers(self.env, order, {"attitude": 5, "quality": 4, "price": 5}),
        })
        self.assertAlmostEqual(followup.csi, 93.33, places=1)
        self.assertFalse(followup.is_low)
        self.assertFalse(order.activity_ids, "the follow-up activity is done")

    def test_low_followup_score_is_noted(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        self._deliver(order)
        followup = self.env["autorepair.followup"].with_user(self.user_care_agent).create({
            "order_id": order.id,
            "answer_ids": followup_answers(self.env, order, {"attitude": 4, "quality": 2, "price": 4}),
            "remarks": "空调还是响",
        })
        self.assertTrue(followup.is_low)
        self.assertTrue(order.message_ids.filtered(lambda message: "空调还是响" in message.body))

    def test_warranty_and_goodwill_billing(self):
        order = self._received_order(lines=0)
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        Line.create([
            {"order_id": order.id, "line_type": "labour", "name": "索赔工时", "quantity": 2, "price_unit": 150,
             "bill_to": "warranty", "technician_id": self.user_technician.id},
            {"order_id": order.id, "line_type": "part", "name": "保修件", "quantity": 1, "price_unit": 800,
             "bill_to": "warranty"},
            {"order_id": order.id, "line_type": "other", "name": "洗车", "quantity": 1, "price_unit": 50,
             "bill_to": "goodwill"},
            {"order_id": order.id, "line_type": "part", "name": "雨刮片", "quantity": 1, "price_unit": 120},
        ])
        self._approve_all(order)
        self._work_and_check(order)
        invoices = self._settle(order)
        maker = self.vehicle.model_id.brand_id.warranty_partner_id
        by_partner = {move.partner_id: move for move in invoices}
        self.assertEqual(set(by_partner), {self.customer, maker})
        self.assertAlmostEqual(by_partner[maker].amount_untaxed, 1100.0)
        self.assertAlmostEqual(by_partner[self.customer].amount_untaxed, 120.0, msg="goodwill at zero")
        self.assertIn(0.0, by_partner[self.customer].invoice_line_ids.mapped("price_unit"))

    def test_failed_check_sends_back_to_work(self):
        order = self._received_order()
        self._approve_all(order)
        labour = self._work(order)
        Check = self.env["autorepair.quality.check"]
        Check.with_user(self.user_technician).create({"order_id": order.id, "check_type": "self", "result": "pass"})
        Check.with_user(self.user_team_lead).create({"order_id": order.id, "check_type": "peer", "result": "pass"})
        Check.with_user(self.user_inspector).create({"order_id": order.id, "check_type": "final", "result": "fail",
                                                     "reason": "路试制动异响"})
        self.assertEqual(order.state, "in_progress")
        with self.assertRaises(UserError):
            order.with_user(self.user_advisor).action_deliver()
        labour.with_user(self.user_technician).action_start_work()
        labour.with_user(self.user_technician).action_finish_work()
        order.with_user(self.user_technician).action_request_check()
        with self.assertRaises(UserError, msg="after a fail the checks restart from the self-check"):
            Check.with_user(self.user_inspector).create({"order_id": order.id, "check_type": "final",
                                                         "result": "pass", "road_test_km": 5})
        self._pass_checks(order)
        self.assertEqual(order.state, "ready")

    def test_supplementary_quote_needs_its_own_approval(self):
        order = self._received_order()
        self._approve_all(order)
        extra = self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "labour", "name": "追加：更换刹车片", "quantity": 1, "price_unit": 300,
            "technician_id": self.user_technician.id,
        })
        self.assertNotEqual(extra.quote_id, order.quote_ids[0], "work found later is a new quote")
        with self.assertRaises(UserError):
            extra.with_user(self.user_technician).action_start_work()
        frozen = order.quote_ids[0].approved_amount
        order.with_user(self.user_advisor).action_send_quote()
        extra.quote_id.with_user(self.user_advisor).action_decide(
            decisions={extra.id: "approved"}, signature=SIGNATURE, signed_by="张伟")
        self.assertEqual(order.quote_ids[0].approved_amount, frozen, "the first approval stays as signed")
        self.assertAlmostEqual(order.approved_amount, frozen + extra.price_total)
        extra.with_user(self.user_technician).action_start_work()
        self.assertEqual(extra.work_state, "running")


@tagged("post_install", "-at_install")
class TestServiceOrderGuards(ServiceOrderCase):

    def test_odometer_below_last_reading(self):
        order = self._order()
        order.write({"identity_checked": True, "odometer_in": 15000})
        with self.assertRaises(ValidationError):
            order.action_receive()
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.vehicle.odometer, 20000)

    def test_receive_needs_identity_and_odometer(self):
        order = self._order()
        with self.assertRaises(UserError):
            order.action_receive()
        order.identity_checked = True
        with self.assertRaises(UserError):
            order.action_receive()

    def test_approving_nothing_and_undecided_lines(self):
        order = self._received_order()
        order.action_send_quote()
        quote = order.quote_ids
        with self.assertRaises(UserError):
            quote.action_decide(decisions={line.id: "declined" for line in quote.line_ids}, signature=SIGNATURE)
        with self.assertRaises(UserError):
            quote.action_decide(decisions={quote.line_ids[0].id: "approved"}, signature=SIGNATURE)
        with self.assertRaises(UserError, msg="at the desk the customer signs"):
            quote.action_decide(decisions={line.id: "approved" for line in quote.line_ids})
        self.assertEqual(quote.state, "sent")
        self.assertEqual(set(quote.line_ids.mapped("decision")), {"pending"})

    def test_unapproved_lines_cannot_be_worked_or_invoiced(self):
        order = self._received_order()
        order.action_send_quote()
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        with self.assertRaises(UserError):
            labour.with_user(self.user_technician).action_start_work()
        with self.assertRaises(UserError):
            order._create_invoices()

    def test_quoted_line_is_frozen(self):
        order = self._received_order()
        quote = self._approve_all(order)
        with self.assertRaises(UserError):
            quote.line_ids[0].price_unit = 1
        with self.assertRaises(UserError):
            quote.line_ids[0].unlink()

    def test_technician_cannot_close_someone_elses_line(self):
        order = self._received_order()
        self._approve_all(order)
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        with self.assertRaises(UserError):
            labour.with_user(self.user_technician2).action_start_work()
        labour.with_user(self.user_technician).action_start_work()
        with self.assertRaises(UserError):
            labour.with_user(self.user_technician2).action_finish_work()
        labour.with_user(self.user_team_lead).action_finish_work()
        self.assertEqual(labour.work_state, "done")

    def test_check_by_the_wrong_role(self):
        order = self._received_order()
        self._approve_all(order)
        self._work(order)
        Check = self.env["autorepair.quality.check"]
        with self.assertRaises(UserError):
            Check.with_user(self.user_technician2).create(
                {"order_id": order.id, "check_type": "self", "result": "pass"})
        Check.with_user(self.user_technician).create({"order_id": order.id, "check_type": "self", "result": "pass"})
        with self.assertRaises(UserError):
            Check.with_user(self.user_technician).create({"order_id": order.id, "check_type": "peer", "result": "pass"})
        with self.assertRaises(UserError):
            Check.with_user(self.user_team_lead).create({"order_id": order.id, "check_type": "final", "result": "pass",
                                                         "road_test_km": 5})
        with self.assertRaises(ValidationError):
            Check.with_user(self.user_team_lead).create({"order_id": order.id, "check_type": "peer", "result": "fail"})
        self.assertEqual(len(order.check_ids), 1)

    @freeze_time("2026-11-20 02:00:00")
    def test_double_booked_bay_and_technician_and_past(self):
        start = datetime(2026, 11, 21, 1, 0)
        self._order(appointment_start=start, bay_id=self.bay.id, technician_id=self.user_technician.id)
        other_car = self.env["fleet.vehicle"].create({
            "model_id": self.car_model.id, "license_plate": "川A54321", "vin_sn": make_vin("LFV2A2BHRC654321"),
            "owner_id": self.customer.id,
        })
        count = self.env["autorepair.service.order"].search_count([])
        with self.assertRaises(ValidationError):
            self._order(vehicle_id=other_car.id, appointment_start=start + timedelta(minutes=30), bay_id=self.bay.id)
        with self.assertRaises(ValidationError):
            self._order(vehicle_id=other_car.id, appointment_start=start, bay_id=self.bay2.id,
                        technician_id=self.user_technician.id)
        with self.assertRaises(ValidationError):
            self._order(vehicle_id=other_car.id, appointment_start=datetime(2026, 11, 19, 1, 0))
        self.assertEqual(self.env["autorepair.service.order"].search_count([]), count)
        later = self._order(vehicle_id=other_car.id, appointment_start=start + timedelta(hours=1), bay_id=self.bay.id)
        self.assertTrue(later)

    def test_invoiced_order_cannot_be_deleted(self):
        order = self._received_order()
        self._approve_all(order)
        self._work_and_check(order)
        self._settle(order)
        with self.assertRaises(UserError):
            order.with_user(self.user_manager).unlink()
        self.assertTrue(order.exists())

    def test_no_delivery_without_final_check(self):
        order = self._received_order()
        self._approve_all(order)
        with self.assertRaises(UserError):
            order.action_deliver()

    def test_vehicle_of_another_owner(self):
        stranger = self.env["res.partner"].create({"name": "李四", "mobile": "13900139000",
                                                   "is_autorepair_customer": True})
        with self.assertRaises(ValidationError):
            self._order(partner_id=stranger.id)

    def test_recommendation_shown_at_next_visit(self):
        order = self._received_order()
        self._approve_all(order, **{"项目1": "deferred"})
        next_visit = self._order()
        self.assertEqual(next_visit.open_recommendation_ids.name, "项目1")
        next_visit.open_recommendation_ids.action_close_recommendation()
        self.assertFalse(self.vehicle.recommendation_line_ids)


@tagged("post_install", "-at_install")
class TestServiceOrderQueries(ServiceOrderCase):
    """Confirming, approving and invoicing cost the same queries for 10 and 100 lines."""

    def _measure(self, lines):
        order = self._received_order(lines=lines)
        self.env.flush_all()
        self.env.invalidate_all()
        counts = {}

        def count(name, func):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            func()
            self.env.flush_all()
            counts[name] = self.env.cr.sql_log_count - before

        count("confirm", order.action_send_quote)
        quote = order.quote_ids
        decisions = {line.id: "approved" for line in quote.line_ids}
        count("approve", lambda: quote.action_decide(decisions=decisions, signature=SIGNATURE, signed_by="张伟"))
        self._work_and_check(order)
        self.env.invalidate_all()
        count("invoice", order._create_invoices)
        return counts

    def test_query_budget_flat_in_lines(self):
        self._measure(10)  # warm the caches (templates, sequences, accounts)
        small = self._measure(10)
        large = self._measure(100)
        for step in ("confirm", "approve"):
            with self.subTest(step=step):
                self.assertEqual(small[step], large[step], f"{step}: {small} vs {large}")
        # Odoo flushes journal items in UPDATE batches of 100 rows (UPDATE_BATCH_SIZE):
        # the 102 items of the large invoice take one more batch, nothing per line
        self.assertLessEqual(large["invoice"] - small["invoice"], 2, f"invoice: {small} vs {large}")


@tagged("post_install", "-at_install")
class TestServiceOrderAccess(ServiceOrderCase):

    def test_roles(self):
        order = self._received_order()
        # the care agent books appointments; sales reads; the workshop cannot open orders
        booked = self.env["autorepair.service.order"].with_user(self.user_care_agent).create({
            "vehicle_id": self.vehicle.id, "need_type": "periodic_maintenance", "source": "shop",
        })
        self.assertEqual(booked.state, "draft")
        with self.assertRaises(AccessError):
            self.env["autorepair.service.order"].with_user(self.user_technician).create({"vehicle_id": self.vehicle.id})
        with self.assertRaises(AccessError):
            order.with_user(self.user_advisor).unlink()
        with self.assertRaises(AccessError):
            self.env["autorepair.service.order.line"].with_user(self.user_technician).create({
                "order_id": order.id, "line_type": "part", "name": "私加配件", "price_unit": 10})
        with self.assertRaises(AccessError):
            self.env["autorepair.followup"].with_user(self.user_technician).create({
                "order_id": order.id, "reached": False})
        self.assertEqual(order.with_user(self.user_technician).read(["state"])[0]["state"], "received")
        booked.with_user(self.user_manager).unlink()
        self.assertFalse(booked.exists())

    def test_company_isolation(self):
        order = self._received_order()
        branch = self.env["res.company"].create({"name": "绵阳分店"})
        outsider = new_test_user(self.env, login="so_branch_advisor", groups="autorepair_workshop.group_advisor",
                                 company_id=branch.id, company_ids=[branch.id])
        self.assertFalse(self.env["autorepair.service.order"].with_user(outsider).search([("id", "=", order.id)]))
        with self.assertRaises(AccessError):
            order.with_user(outsider).read(["name"])
        with self.assertRaises(AccessError):
            order.line_ids.with_user(outsider).read(["name"])


@tagged("post_install", "-at_install")
class TestServiceOrderDecline(ServiceOrderCase):

    def test_customer_declines_everything(self):
        order = self._received_order()
        order.with_user(self.user_advisor).action_send_quote()
        action = order.with_user(self.user_advisor).action_decline_quote()
        wizard = Form(self.env[action["res_model"]].with_user(self.user_advisor).with_context(**action["context"]))
        with self.assertRaises(UserError, msg="the customer signs his decline too"):
            order.quote_ids.with_user(self.user_advisor).action_decline_all()
        wizard.signature = SIGNATURE
        wizard = wizard.save()
        self.assertEqual(set(wizard.line_ids.mapped("decision")), {"declined"}, "the form starts from the decline")
        wizard.action_confirm()
        self.assertEqual(order.state, "cancel", "the car goes back as it came")
        self.assertEqual(set(order.line_ids.mapped("decision")), {"declined"})
        self.assertEqual(self.vehicle.recommendation_line_ids, order.line_ids, "the work stays recommended")
        with self.assertRaises(UserError):
            order.action_decline_quote()


@tagged("post_install", "-at_install")
class TestServiceOrderSettlementQueue(ServiceOrderCase):
    """A month-end batch larger than a request may take is settled by the
    scheduler, chunk by chunk, as the advisor who asked for it."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("autorepair_workshop.settlement_inline_limit", 2)
        self.env["ir.config_parameter"].set_param("autorepair_workshop.settlement_batch_size", 2)
        self.cron = self.env.ref("autorepair_workshop.ir_cron_settle_orders")
        self.orders = self.env["autorepair.service.order"]
        for index in range(3):
            order = self._received_order()
            if index == 1:
                order.line_ids[:1].bill_to = "warranty"
            self._approve_all(order)
            self._work_and_check(order)
            self.orders |= order

    def _queue(self):
        Trigger = self.env["ir.cron.trigger"]
        triggers = Trigger.search_count([("cron_id", "=", self.cron.id)])
        action = self.orders.with_user(self.user_advisor).action_create_invoice()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(Trigger.search_count([("cron_id", "=", self.cron.id)]), triggers + 1,
                         "the scheduler is woken up at once")
        self.assertFalse(any(self.orders.mapped("settled_date")), "nothing is settled in the request")
        self.assertEqual(self.orders.settlement_requested_by_id, self.user_advisor)

    def _run_cron(self):
        self.cron.method_direct_trigger()
        return self.env["ir.cron.progress"].search([("cron_id", "=", self.cron.id)], order="id desc", limit=1)

    def test_queued_batch_settled_in_chunks(self):
        self._queue()
        progress = self._run_cron()
        self.assertEqual((progress.done, progress.remaining), (2, 1))
        self.assertEqual([bool(date) for date in self.orders.mapped("settled_date")], [True, True, False])
        progress = self._run_cron()
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self._run_cron()
        self.assertTrue(all(self.orders.mapped("settled_date")))
        self.assertEqual(set(self.orders.mapped("state")), {"ready"}, "settled, waiting for their release")
        self.assertEqual(len(self.orders.invoice_ids), 4, "one invoice each, and the maker's: nothing settled twice")
        self.assertEqual(self.orders.invoice_ids.create_uid, self.user_advisor, "settled as the advisor who asked")
        self.assertEqual(set(self.orders.invoice_ids.mapped("state")), {"posted"})
        self.assertFalse(self.orders.settlement_requested_by_id)

    def test_failed_order_does_not_hold_up_the_others(self):
        self._queue()
        self.vehicle.model_id.brand_id.warranty_partner_id = False
        self._run_cron()
        self._run_cron()
        self.assertEqual([bool(date) for date in self.orders.mapped("settled_date")], [True, False, True],
                         self.orders.mapped("settlement_error"))
        failed = self.orders[1]
        self.assertIn(self.vehicle.model_id.brand_id.name, failed.settlement_error)
        self.assertFalse(failed.invoice_ids, "nothing half-made is left of the failed order")
        self.assertFalse(self.orders.settlement_requested_by_id, "a failed order leaves the queue")
        self.assertIn(failed, self.orders.search([("settlement_error", "!=", False), ("settled_date", "=", False)]))

    def test_small_batch_settled_in_the_request(self):
        self.orders[:2].with_user(self.user_advisor).action_create_invoice()
        self.assertEqual([bool(date) for date in self.orders.mapped("settled_date")], [True, True, False])

    def test_requester_rights_checked_when_the_scheduler_runs(self):
        self._queue()
        # the advisor left the workshop between the request and the night run
        self.user_advisor.groups_id = [(6, 0, [self.env.ref("base.group_user").id])]
        self._run_cron()
        self._run_cron()
        self.assertFalse(any(self.orders.mapped("settled_date")), "nothing settled on lost rights")
        self.assertFalse(self.orders.invoice_ids)
        self.assertTrue(all(self.orders.mapped("settlement_error")))
        self.assertFalse(self.orders.settlement_requested_by_id)
