

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.autorepair_crm.tests.common import add_role_users, make_vin

SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


# the rulebook's three follow-up questions (§3.13), equal weights: the questionnaire of the tests' brands
TEST_QUESTIONS = (("attitude", "服务态度是否满意？", 1.0), ("quality", "维修质量是否满意？", 1.0),
                  ("price", "收费是否透明？", 1.0))


def make_questionnaire(env, brand, questions=TEST_QUESTIONS):
    """The follow-up questionnaire of ``brand``: (aspect, question, weight)."""
    return env["autorepair.survey.question"].sudo().create([
        {"brand_id": brand.id, "sequence": index, "aspect": aspect, "name": name, "weight": weight}
        for index, (aspect, name, weight) in enumerate(questions)])


def followup_answers(env, order, scores=5, suggestions=None):
    """The answer commands of a follow-up call about ``order``: ``scores`` is
    one score for every question, or {aspect: score} (5 for the others);
    ``suggestions`` {aspect: text}."""
    questions = env["autorepair.survey.question"]._autorepair_questionnaire(order.vehicle_id, order.company_id)
    by_aspect = scores if isinstance(scores, dict) else {}
    suggestions = suggestions or {}
    return [Command.create({
        "question_id": question.id,
        "score": str(by_aspect.get(question.aspect, 5) if by_aspect else scores),
        "suggestion": suggestions.get(question.aspect, False),
    }) for question in questions]


class ServiceOrderCase(AccountTestInvoicingCommon):
    """A Chengdu workshop: roles, a bay, a car and its owner, on a company with
    a chart of accounts so that orders are settled through real invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the accounting fixtures run as an accountant; the workshop is set up as admin
        cls.env = cls.env(su=True, context=dict(cls.env.context, tracking_disable=True))
        groups = {
            "advisor": "autorepair_workshop.group_advisor",
            "technician": "autorepair_workshop.group_technician",
            "technician2": "autorepair_workshop.group_technician",
            "team_lead": "autorepair_workshop.group_team_lead",
            "inspector": "autorepair_workshop.group_inspector",
            "care_agent": "autorepair_care.group_care_agent",
            "manager": "autorepair_crm.group_manager",
        }
        add_role_users(cls, "so", groups)
        cls.bay = cls.env["autorepair.bay"].create({"name": "1号工位"})
        cls.bay2 = cls.env["autorepair.bay"].create({"name": "2号工位"})
        brand = cls.env["fleet.vehicle.model.brand"].create({
            "name": "一汽-大众",
            "warranty_partner_id": cls.env["res.partner"].create(
                {"name": "一汽-大众销售有限责任公司", "is_company": True}).id,
        })
        cls.car_model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        cls.questions = make_questionnaire(cls.env, brand)
        cls.customer = cls.env["res.partner"].create({
            "name": "张伟", "mobile": "13800138000", "is_autorepair_customer": True,
            "care_agent_id": cls.user_care_agent.id,
        })
        cls.vehicle = cls.env["fleet.vehicle"].create({
            "model_id": cls.car_model.id, "license_plate": "川A12345", "vin_sn": make_vin("LFV2A2BHRC123456"),
            "owner_id": cls.customer.id,
        })
        cls.env["fleet.vehicle.odometer"].create({"vehicle_id": cls.vehicle.id, "value": 20000,
                                                  "date": "2026-01-10"})
        cls.tax = cls.company_data["default_tax_sale"]
        cls.env.ref("autorepair_workshop.product_labour").taxes_id = cls.tax
        cls.env.ref("autorepair_workshop.product_part").taxes_id = cls.tax

    def _order(self, **vals):
        return self.env["autorepair.service.order"].with_user(self.user_advisor).create({
            "vehicle_id": self.vehicle.id, "need_type": "repair", **vals,
        })

    def _received_order(self, lines=2, **vals):
        order = self._order(**vals)
        order.write({"identity_checked": True, "identity_document": "id_card", "odometer_in": 21000})
        order.action_receive()
        self.env["autorepair.service.order.line"].with_user(self.user_advisor).create([
            {"order_id": order.id, "line_type": "labour" if i % 2 == 0 else "part",
             "name": f"项目{i}", "quantity": 1.5 if i % 2 == 0 else 2, "price_unit": 200.0,
             "technician_id": self.user_technician.id if i % 2 == 0 else False}
            for i in range(lines)
        ])
        return order

    def _approve_all(self, order, **decisions):
        order.action_send_quote()
        quote = order.quote_ids.filtered(lambda q: q.state == "sent")
        quote.with_user(self.user_advisor).action_decide(
            decisions={line.id: decisions.get(line.name, "approved") for line in quote.line_ids},
            signature=SIGNATURE, signed_by="张伟")
        return quote

    def _work(self, order):
        """The technician clocks the approved labour and sends the car to the checks."""
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour" and line.is_approved)
        labour.with_user(self.user_technician).action_start_work()
        labour.with_user(self.user_technician).action_finish_work()
        order.with_user(self.user_technician).action_request_check()
        return labour

    def _work_and_check(self, order):
        self._work(order)
        self._pass_checks(order)

    def _pass_checks(self, order):
        """Self, peer and final checks passed, each by its role."""
        Check = self.env["autorepair.quality.check"]
        Check.with_user(self.user_technician).create({"order_id": order.id, "check_type": "self", "result": "pass"})
        Check.with_user(self.user_team_lead).create({"order_id": order.id, "check_type": "peer", "result": "pass"})
        Check.with_user(self.user_inspector).create({"order_id": order.id, "check_type": "final", "result": "pass",
                                                     "road_test_km": 5})

    def _deliver(self, order):
        """The whole hand-over of a car whose checks have passed: settled,
        paid and released (see _settle, _pay_order, _release)."""
        self._release(order)

    def _settle(self, order):
        """The order's invoices, posted, from a car whose checks have passed (the
        cashier's step): the car stays in the workshop until _release."""
        return order.with_user(self.user_advisor)._create_invoices()

    def _pay_order(self, order, amount=None):
        """The customer pays his invoices of the order (all they owe, or ``amount``)."""
        invoices = order.sudo().invoice_ids.filtered(
            lambda move: move.state == "posted" and move.move_type == "out_invoice"
            and move.commercial_partner_id == order.partner_id.commercial_partner_id
            and move.payment_state not in ("paid", "in_payment"))
        if invoices:
            register = self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoices.ids).create(
                    {"journal_id": self.company_data["default_journal_bank"].id,
                     **({"amount": amount} if amount is not None else {})})
            register.action_create_payments()
        return invoices

    def _release(self, order):
        """The advisor lets the car out: settled first if it is not, and paid
        unless a manager approved credit."""
        if order.state == "ready" and not order.settled_date:
            self._settle(order)
        if order.state == "ready" and not order.credit_approved_by_id:
            self._pay_order(order)
        if order.state == "ready":
            order.write({"next_service_date": order.next_service_date or "2027-05-01",
                         "next_service_km": order.next_service_km or 31000, "old_parts_offered": True})
            order.with_user(self.user_advisor).action_deliver()
