from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_amount

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED

from .autorepair_check_item import CHECK_TYPES


def fmt(quantity):
    """A quantity as the staff writes it: 2, not 2.0."""
    return f"{quantity:g}"

# The workshop flow of one repair order (委托书), RULEBOOK §3.
STATES = [
    ("draft", "Booked"),
    ("received", "Received"),
    ("quoted", "Quoted"),
    ("approved", "Approved"),
    ("in_progress", "In Progress"),
    ("qc", "Quality Check"),
    ("ready", "Ready for Delivery"),
    ("delivered", "Delivered"),
    ("done", "Settled"),
    ("cancel", "Cancelled"),
]
# states in which a car holds its bay and technician
ACTIVE_STATES = ("draft", "received", "quoted", "approved", "in_progress", "qc", "ready")
# the labour lines a walk-in's planned hours count: all but the work the customer refused or put off
NOT_PLANNED = ("declined", "deferred")
# the car has left the workshop: what care, complaints and figures count as a visit
DELIVERED_STATES = ("delivered", "done")


ADVISOR = "autorepair_workshop.group_advisor"
CASHIER = "autorepair_workshop.group_cashier"
# who settles an order (收银结算): its invoices made and posted, the car then waits for its release
SETTLERS = f"{ADVISOR},{CASHIER}"
# who lets a car leave unpaid on a credit account (挂账)
CREDIT_APPROVERS = "autorepair_crm.group_manager"
TECHNICIAN = "autorepair_workshop.group_technician"
TEAM_LEAD = "autorepair_workshop.group_team_lead"
INSPECTOR = "autorepair_workshop.group_inspector"
# Who may read the order's one2manys (their models' ACL): a field another role
# cannot read is hidden from it rather than refusing it the whole order.
WORKSHOP_READERS = f"{TECHNICIAN},{ADVISOR}"
FOLLOWUP_READERS = f"autorepair_crm.group_sales,{ADVISOR}"
INVOICE_READERS = "account.group_account_invoice,account.group_account_readonly"
# who reads a car's or a customer's past orders on its form (the roles reading orders;
# the care department adds its own)
HISTORY_READERS = f"{WORKSHOP_READERS},autorepair_crm.group_sales,autorepair_workshop.group_storekeeper"
# an order's cost and margin (毛利) are the advisor's and the managers' figures, not the workshop's
MARGIN_READERS = ADVISOR
# JT/T 1133-2017 repair categories (维修类别), in the standard's order
REPAIR_CATEGORIES = [
    ("vehicle_overhaul", "Vehicle Overhaul"),        # 整车修理
    ("assembly_overhaul", "Assembly Overhaul"),      # 总成修理
    ("first_maintenance", "First-Level Maintenance"),  # 一级维护
    ("second_maintenance", "Second-Level Maintenance"),  # 二级维护
    ("minor_repair", "Minor Repair"),                # 小修
    ("special_repair", "Special Repair"),            # 专项修理
]

# the advisor's need -> the JT/T 1133 repair category it usually is; he corrects it
NEED_CATEGORIES = {
    "first_maintenance": "first_maintenance",
    "periodic_maintenance": "first_maintenance",
    "repair": "minor_repair",
}
# the categories that leave the shop with a completion certificate (竣工出厂合格证, order 2016 No. 37)
CERTIFIED_CATEGORIES = ("vehicle_overhaul", "assembly_overhaul", "second_maintenance")
FAPIAO_TYPES = [
    ("none", "No Fapiao"),
    ("ordinary", "Ordinary Fapiao"),  # 普通发票
    ("special", "Special VAT Fapiao"),  # 增值税专用发票
]

# the claim of an accident repair (事故车): entered by the advisor, frozen once invoiced
INSURANCE_FIELDS = frozenset({"is_insurance", "insurer_id", "claim_number", "deductible"})
# The order's life, one step per row: step -> (states it starts from, state it
# leads to, group allowed to take it). Every change of state goes through
# _transition(); lines, quotes and checks call it and never write the state.
# A step without a group is the customer's act, recorded by the quote.
TRANSITIONS = {
    "receive": (("draft",), "received", ADVISOR),
    "send_quote": (("received",), "quoted", ADVISOR),
    "approve": (("quoted",), "approved", None),
    "decline": (("quoted",), "cancel", None),
    "start_work": (("approved",), "in_progress", TECHNICIAN),
    "request_check": (("in_progress",), "qc", TECHNICIAN),
    "fail_check": (("qc",), "in_progress", TECHNICIAN),
    "pass_final_check": (("qc",), "ready", INSPECTOR),
    # settlement before release: the cashier settles a ready car, which stays in the
    # workshop until it is paid (or a manager approves credit) and the advisor releases it
    "settle": (("ready",), "ready", SETTLERS),
    "release": (("ready",), "done", ADVISOR),
    # an order delivered before settlement came first (databases of earlier versions)
    "settle_delivered": (("delivered",), "done", SETTLERS),
    "cancel": (("draft", "received", "quoted", "approved"), "cancel", ADVISOR),
}


def checks_since_last_fail(checks):
    """The checks (in the order they were recorded) that count now: after a
    fail, the three checks start again from the self-check."""
    last_fail = max(checks.filtered(lambda c: c.result == "fail").ids, default=0)
    return checks.filtered(lambda c: c.id > last_fail)


class AutorepairServiceOrder(models.Model):
    _name = "autorepair.service.order"
    # the walk-around sheet's signature and signer; the rest is the statutory repair record,
    # kept by an erasure, with the person's name and numbers cut out of its free texts
    _autorepair_personal_fields = ("walkaround_signature", "walkaround_signed_by")
    _autorepair_redact_fields = ("requested_work", "diagnosis", "valuables", "delay_reason")
    _description = "Service Order"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "autorepair.workflow.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _workflow_fields = frozenset({
        "state", "received_date", "walkaround_signature", "walkaround_signed_by", "walkaround_signed_on",
        "walkaround_entered_by_id", "delivered_date", "delay_announced_on", "settlement_requested_by_id",
        "settlement_error",
        # the statutory records (rework, completion certificate): set by reception and delivery
        "rework_of_id", "certificate_number", "certificate_date", "certificate_inspector_id",
        # the cashier's gate (收银): credit approved by a manager, the car let out by
        "credit_approved_by_id", "credit_approved_date", "released_by_id", "settled_date", "gate_pass_number",
    })
    _workflow_initial = {"state": "draft"}

    name = fields.Char(
        string="Order Number", required=True, copy=False, readonly=True, index="trigram",
        default=lambda self: self.env._("New"),
    )
    state = fields.Selection(
        STATES, default="draft", required=True, tracking=True, index=True, copy=False,
        group_expand="_group_expand_states",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, tracking=True, index=True,
        ondelete="restrict", check_company=True,
    )
    vehicle_id = fields.Many2one(
        "fleet.vehicle", string="Vehicle", required=True, tracking=True, index=True,
        ondelete="restrict", check_company=True,
    )
    partner_member_level_id = fields.Many2one(
        "autorepair.member.level", string="Member Level", compute="_compute_partner_member_level_id",
        help="The customer's member level: its labour and parts discounts go to the lines of his quotes.")
    license_plate = fields.Char(related="vehicle_id.license_plate", store=True, index="trigram")
    vin_sn = fields.Char(related="vehicle_id.vin_sn")
    # the advisor calls the customer from the order; workshop roles read the number masked
    partner_phone = fields.Char(string="Customer Phone", compute="_compute_partner_phone", groups=CONTACT_MASKED)
    partner_phone_masked = fields.Char(related="partner_id.phone_masked", string="Customer Phone (masked)")
    # what an appointment says on the calendar: plate, customer and need (the time is the event's own)
    calendar_title = fields.Char(compute="_compute_calendar_title")
    vehicle_model_id = fields.Many2one(related="vehicle_id.model_id", string="Car")
    advisor_id = fields.Many2one(
        "res.users", string="Service Advisor", default=lambda self: self.env.user, tracking=True,
        index=True, ondelete="restrict",
    )
    need_type = fields.Selection(
        [("first_maintenance", "First Maintenance"), ("periodic_maintenance", "Periodic Maintenance"),
         ("repair", "Repair"), ("extra", "Extra Service")],
        string="Need", required=True, default="repair", tracking=True, index=True,
    )
    # the repair category of JT/T 1133-2017 (维修类别): it sets the quality-guarantee term,
    # the completion certificate and what the health archive (JT/T 1132) files
    repair_category = fields.Selection(
        REPAIR_CATEGORIES, tracking=True, index=True,
        compute="_compute_repair_category", store=True, readonly=False, precompute=True,
        help="The category of the Ministry of Transport's order 2016 No. 37: it sets the guarantee "
        "term and whether a completion certificate is issued.",
    )
    source = fields.Selection(
        [("walk_in", "Walk-in"), ("phone", "Phone"), ("wechat", "WeChat"), ("app", "App"),
         ("shop", "Raised by the Shop"), ("portal", "Customer Portal")],
        default="walk_in",
    )
    requested_work = fields.Text(string="Customer's Request")

    # appointment (预约)
    is_appointment = fields.Boolean(
        string="Booked in Advance", compute="_compute_is_appointment", store=True, index=True
    )
    appointment_start = fields.Datetime(string="Appointment", tracking=True, index=True)
    appointment_end = fields.Datetime()
    bay_id = fields.Many2one("autorepair.bay", check_company=True, ondelete="restrict", index=True)
    skill_id = fields.Many2one("autorepair.skill", string="Skill Needed", ondelete="restrict")
    technician_id = fields.Many2one(
        "res.users", string="Technician", tracking=True, index=True, ondelete="restrict",
        domain="[('autorepair_skill_ids', 'in', skill_id)] if skill_id else [('share', '=', False)]",
    )
    # The time the order holds its bay and technician, in one place for the advisor's
    # double-booking check, the free slots and the load view: a booking from its start to
    # its end (or the default length); a walk-in from its reception (its creation until
    # then) to the promised time, else for the planned hours of its labour, else the default.
    occupation_start = fields.Datetime(compute="_compute_occupation", store=True, index=True, copy=False)
    occupation_end = fields.Datetime(compute="_compute_occupation", store=True, index=True, copy=False)
    occupation_hours = fields.Float(
        string="Occupied Hours", compute="_compute_occupation", store=True, copy=False, aggregator="sum",
        help="How long the order holds its bay and technician: the booking, or for a walk-in the promised "
             "time, else its planned labour hours, else the default appointment length.")
    appointment_reminded_on = fields.Datetime(
        string="Reminded On", readonly=True, copy=False,
        help="When the customer was reminded of the booking, the day before (again if it is moved).")

    # reception (接待)
    received_date = fields.Datetime(string="Received On", readonly=True, copy=False)
    identity_checked = fields.Boolean(
        copy=False,
        help="ID card or driving licence checked against the owner: no car is handed to the wrong person.",
    )
    identity_document = fields.Selection(
        [("id_card", "ID Card"), ("driving_licence", "Driving Licence"), ("authorisation", "Owner's Authorisation")],
        copy=False,
    )
    odometer_in = fields.Float(copy=False)
    fuel_level = fields.Selection(
        [("0", "Empty"), ("25", "1/4"), ("50", "1/2"), ("75", "3/4"), ("100", "Full")], copy=False
    )
    valuables = fields.Char(string="Valuables Returned", copy=False)

    # walk-around (环车检查)
    walkaround_line_ids = fields.One2many(
        "autorepair.walkaround.line", "order_id", string="Walk-Around", copy=False, groups=WORKSHOP_READERS)
    damage_ids = fields.One2many(
        "autorepair.damage", "order_id", string="Damage Points", copy=False, groups=WORKSHOP_READERS)
    walkaround_signature = fields.Image(
        string="Customer Signature", copy=False, attachment=True, max_width=1024, readonly=True)
    walkaround_signed_by = fields.Char(string="Signed By", copy=False, readonly=True)
    walkaround_signed_on = fields.Datetime(string="Signed On", copy=False, readonly=True)
    walkaround_entered_by_id = fields.Many2one(
        "res.users", string="Signature Taken By", copy=False, readonly=True, ondelete="restrict",
        help="The staff member in whose session the customer signed.")

    # diagnosis (诊断)
    fault_codes = fields.Char(copy=False)
    diagnosis = fields.Text(string="Findings", copy=False, help="Symptom, cause and proposed work.")
    estimated_hours = fields.Float(copy=False)

    # quote, approval and work
    quote_ids = fields.One2many("autorepair.service.quote", "order_id", string="Quotes", copy=False)
    has_draft_quote = fields.Boolean(compute="_compute_quote_flags")
    has_sent_quote = fields.Boolean(compute="_compute_quote_flags")
    line_ids = fields.One2many("autorepair.service.order.line", "order_id", string="Lines", copy=True)
    open_recommendation_ids = fields.One2many(
        related="vehicle_id.recommendation_line_ids", string="Open Recommendations"
    )
    # the service history: what was done and fitted, in a line each
    history_work = fields.Char(string="Work Done", compute="_compute_history")
    history_parts = fields.Char(string="Parts Fitted", compute="_compute_history")
    amount_untaxed = fields.Monetary(compute="_compute_amounts", store=True, string="Untaxed Amount")
    amount_tax = fields.Monetary(compute="_compute_amounts", store=True, string="Taxes")
    amount_total = fields.Monetary(compute="_compute_amounts", store=True, string="Total", tracking=True)
    approved_amount = fields.Monetary(
        compute="_compute_approved_amount", store=True,
        help="Frozen at each approval: the sum the customer signed for.",
    )
    package_due_id = fields.Many2one(
        "autorepair.service.package", string="Package Due", compute="_compute_package_due_id",
        help="The maintenance package the car is due for, by its model, odometer and last maintenance.",
    )
    labour_hours = fields.Float(compute="_compute_labour_hours", store=True, string="Billed Hours")
    actual_hours = fields.Float(compute="_compute_labour_hours", store=True, string="Clocked Hours")
    # cost and margin (成本/毛利): the parts issued at their stock value, the clocked hours at the labour cost
    parts_cost = fields.Monetary(
        compute="_compute_margin", groups=MARGIN_READERS,
        help="The stock value of the parts issued to the order, less those returned.")
    labour_cost = fields.Monetary(
        compute="_compute_margin", groups=MARGIN_READERS,
        help="The hours clocked on the order's labour at the company's labour cost per hour.")
    revenue = fields.Monetary(
        compute="_compute_margin", groups=MARGIN_READERS,
        help="The approved lines untaxed, whoever pays them: customer, maker (warranty) or insurer.")
    margin = fields.Monetary(compute="_compute_margin", groups=MARGIN_READERS)
    margin_percent = fields.Float(string="Margin (%)", compute="_compute_margin", groups=MARGIN_READERS)
    promised_date = fields.Datetime(string="Promised For", tracking=True)
    delay_reason = fields.Text(copy=False)
    delay_remedy = fields.Selection(
        [("loaner", "Loaner Car"), ("labour_discount", "Labour Discount"), ("pickup", "Free Pick-up and Delivery"),
         ("other", "Other")],
        copy=False,
    )
    delay_announced_on = fields.Datetime(readonly=True, copy=False)

    # parts in the store : the storekeeper's side in Inventory
    parts_picking_ids = fields.One2many(
        "stock.picking", "autorepair_order_id", string="Parts Transfers", copy=False, groups="stock.group_stock_user")
    parts_to_issue = fields.Boolean(
        compute="_compute_parts_status", help="Approved parts of the store are waiting to be issued.")
    parts_issued = fields.Boolean(compute="_compute_parts_status", help="Parts were issued to the workshop.")
    parts_missing = fields.Text(
        string="Missing Parts", compute="_compute_parts_status",
        help="Parts the store does not hold for the approved work (缺件): to be ordered.")

    # three checks (三检)
    check_ids = fields.One2many(
        "autorepair.quality.check", "order_id", string="Quality Checks", copy=False,
        # the settlement statement the cashier prints names who checked the work
        groups=f"{WORKSHOP_READERS},{CASHIER}")
    check_due = fields.Selection(
        CHECK_TYPES, compute="_compute_check_due", store=True, index="btree_not_null",
        help="The next of the three checks the car waits for.")
    is_my_check = fields.Boolean(
        string="Mine to Check", compute="_compute_is_my_check", search="_search_is_my_check",
        help="The check the car waits for is one the current user signs.")

    # delivery (交车) and settlement (结算)
    delivered_date = fields.Datetime(string="Delivered On", readonly=True, copy=False, index=True)
    # the car leaves paid, or on credit (挂账) a service manager approved for a credit account
    credit_approved_by_id = fields.Many2one(
        "res.users", string="Credit Approved By", readonly=True, copy=False, index="btree_not_null")
    credit_approved_date = fields.Datetime(string="Credit Approved On", readonly=True, copy=False)
    released_by_id = fields.Many2one(
        "res.users", string="Released By", readonly=True, copy=False,
        help="Who let the car out of the gate (出门证).")
    settled_date = fields.Datetime(
        string="Settled On", readonly=True, copy=False, index="btree_not_null",
        help="When the cashier settled the order: its invoices made and posted.")
    gate_pass_number = fields.Char(
        string="Gate Pass", readonly=True, copy=False, index="btree_not_null",
        help="Number of the gate pass (出门证) printed when the car was released.")
    partner_credit_account = fields.Boolean(
        related="partner_id.commercial_partner_id.autorepair_credit_account", string="Customer on Credit Account")
    amount_due = fields.Monetary(
        compute="_compute_amount_due", string="Customer Owes",
        help="What the customer's posted invoices of the order still owe.")
    next_service_date = fields.Date(copy=False)
    next_service_km = fields.Integer(string="Next Service (km)", copy=False)
    old_parts_offered = fields.Boolean(copy=False)
    old_parts_taken = fields.Boolean(string="Customer Took Old Parts", copy=False)
    invoice_ids = fields.One2many(
        "account.move", "autorepair_service_order_id", string="Invoices", readonly=True, groups=INVOICE_READERS)
    invoice_count = fields.Integer(compute="_compute_invoice_count", groups=INVOICE_READERS)
    # member cards, coupons and vouchers redeemed at settlement (autorepair.service.order.reward)
    reward_ids = fields.One2many(
        "autorepair.service.order.reward", "order_id", string="Cards and Coupons", readonly=True,
        groups=INVOICE_READERS)
    # the payments the cashier took at the desk (autorepair.payment.wizard)
    payment_ids = fields.One2many(
        "account.payment", "autorepair_service_order_id", string="Payments Taken", readonly=True,
        groups=INVOICE_READERS)
    payment_state = fields.Selection(
        [("not_invoiced", "Not Invoiced"), ("not_paid", "Not Paid"), ("partial", "Partially Paid"),
         ("paid", "Paid")],
        compute="_compute_payment_state", store=True, string="Payment",
    )
    # a batch too large for one request is settled by the scheduler, as its requester
    settlement_requested_by_id = fields.Many2one(
        "res.users", string="Settlement Queued By", copy=False, readonly=True, index="btree_not_null")
    settlement_error = fields.Text(copy=False, readonly=True, help="Why the settlement in the background failed.")

    # accident repair (事故车): the insurer pays each line up to its assessed amount (定损)
    is_insurance = fields.Boolean(
        string="Accident Repair (Insurance)", tracking=True, index=True, copy=False,
        help="The insurer pays the assessed amount of each line; the customer the deductible and the rest.")
    insurer_id = fields.Many2one(
        "res.partner", string="Insurer", tracking=True, index="btree_not_null", ondelete="restrict",
        check_company=True, copy=False, domain="[('is_company', '=', True)]")
    claim_number = fields.Char(tracking=True, index="btree_not_null", copy=False)
    deductible = fields.Monetary(
        tracking=True, copy=False,
        help="Before tax: moved from the insurer's invoice to the customer's.")
    assessment_line_ids = fields.One2many(
        "autorepair.service.order.line", "order_id", string="Assessment",
        domain=[("bill_to", "=", "customer")],
        help="The lines the insurer may pay: those billed to the customer (warranty and goodwill keep their payer).")
    assessed_total = fields.Monetary(
        compute="_compute_insurance_amounts", string="Assessed (untaxed)",
        help="The insurer's assessment of the lines, each capped at the line's amount, before the deductible.")
    insurer_amount = fields.Monetary(
        compute="_compute_insurance_amounts", string="Insurer Pays",
        help="What the insurer is invoiced, tax included.")
    customer_amount = fields.Monetary(
        compute="_compute_insurance_amounts", string="Customer Pays",
        help="What the customer is invoiced, tax included: the deductible and what the insurer does not pay.")

    # follow-up (回访)
    # statutory records (JT/T 1133-2017, order 2016 No. 37)
    # quality guarantee, set from the company's terms when the car leaves (completion)
    guarantee_days = fields.Integer(compute="_compute_guarantee", store=True, string="Guarantee (days)")
    guarantee_km = fields.Integer(compute="_compute_guarantee", store=True, string="Guarantee (km)")
    guarantee_end_date = fields.Date(
        compute="_compute_guarantee", store=True, index="btree_not_null", string="Guarantee Until",
        help="The quality guarantee ends on this date or at the km below, whichever comes first.")
    guarantee_end_km = fields.Integer(compute="_compute_guarantee", store=True, string="Guarantee Until (km)")

    # rework: the car came back within the guarantee of an earlier order
    rework_of_id = fields.Many2one(
        "autorepair.service.order", string="Rework Of", readonly=True, copy=False, index="btree_not_null",
        ondelete="restrict", help="The earlier order whose guarantee this visit falls in: a rework (返修).")
    is_rework = fields.Boolean(compute="_compute_rework", store=True, string="Rework", index=True)
    rework_technician_id = fields.Many2one(
        "res.users", compute="_compute_rework", store=True, string="Technician of the First Repair")
    rework_advisor_id = fields.Many2one(
        "res.users", compute="_compute_rework", store=True, string="Advisor of the First Repair")

    # completion certificate
    needs_certificate = fields.Boolean(compute="_compute_needs_certificate")
    certificate_number = fields.Char(
        string="Completion Certificate", readonly=True, copy=False, index="btree_not_null",
        help="Number of the completion certificate (竣工出厂合格证) issued when the car left.")
    certificate_date = fields.Datetime(string="Certificate Issued On", readonly=True, copy=False)
    certificate_inspector_id = fields.Many2one(
        "res.users", string="Final Inspector", readonly=True, copy=False, ondelete="restrict")

    # fapiao asked for by the customer; the buyer's data is kept on the paying partner
    fapiao_type = fields.Selection(FAPIAO_TYPES, string="Fapiao", default="none", required=True, tracking=True)

    followup_ids = fields.One2many(
        "autorepair.followup", "order_id", string="Follow-up Calls", copy=False, groups=FOLLOWUP_READERS)

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "Service order numbers are unique per company."),
    ]

    # ------------------------------------------------------------------ computes

    @api.depends("appointment_start")
    def _compute_is_appointment(self):
        for order in self:
            order.is_appointment = bool(order.appointment_start)

    @api.depends("partner_id.mobile", "partner_id.phone")
    def _compute_partner_phone(self):
        for order in self:
            order.partner_phone = order.partner_id.mobile or order.partner_id.phone

    @api.depends("license_plate", "partner_id", "need_type")
    @api.depends_context("lang")
    def _compute_calendar_title(self):
        needs = dict(self._fields["need_type"]._description_selection(self.env))
        for order in self:
            order.calendar_title = " · ".join(filter(None, (
                order.license_plate or order.vehicle_id.display_name, order.partner_id.name,
                needs.get(order.need_type))))

    @api.depends("line_ids.is_approved", "line_ids.line_type", "line_ids.name", "line_ids.quantity")
    def _compute_history(self):
        """The work the customer approved (labour and other charges) and the
        parts, with their quantity: what the service history says of a visit."""
        for order in self:
            approved = order.line_ids.filtered("is_approved")
            order.history_work = ", ".join(approved.filtered(lambda line: line.line_type != "part").mapped("name"))
            order.history_parts = ", ".join(
                f"{line.name} × {fmt(line.quantity)}" for line in approved if line.line_type == "part")

    @api.depends("line_ids.price_subtotal", "line_ids.price_tax", "line_ids.price_total",
                 "is_insurance", "deductible", "line_ids.assessed_amount")
    def _compute_amounts(self):
        for order in self:
            if order.is_insurance:
                # taxed per payer's share, as each invoice taxes it: the two invoices add up to the total
                shares = [share for line_shares in order._insurance_shares().values() for share in line_shares]
                order.amount_untaxed = sum(share["taxes"]["total_excluded"] for share in shares)
                order.amount_total = sum(share["taxes"]["total_included"] for share in shares)
                order.amount_tax = order.amount_total - order.amount_untaxed
                continue
            order.amount_untaxed = sum(order.line_ids.mapped("price_subtotal"))
            order.amount_tax = sum(order.line_ids.mapped("price_tax"))
            order.amount_total = sum(order.line_ids.mapped("price_total"))

    @api.depends("amount_total", "is_insurance", "deductible", "line_ids.assessed_amount")
    def _compute_insurance_amounts(self):
        for order in self:
            insurer = assessed = 0.0
            if order.is_insurance:
                for line, line_shares in order._insurance_shares().items():
                    assessed += min(line.assessed_amount, line._insurance_base())
                    insurer += sum(share["taxes"]["total_included"]
                                   for share in line_shares if share["payer"] == "insurer")
            order.assessed_total = assessed
            order.insurer_amount = insurer
            order.customer_amount = order.amount_total - insurer

    @api.depends("vehicle_id", "odometer_in", "need_type")
    def _compute_package_due_id(self):
        for order in self:
            order.package_due_id = order._autorepair_package_due()

    def _autorepair_package_due(self):
        """The maintenance package due for the order's car, at the odometer
        read at reception (the car's last reading before that)."""
        self.ensure_one()
        if not self.vehicle_id:
            return self.env["autorepair.service.package"]
        return self.vehicle_id._autorepair_package_due(odometer=self.odometer_in or None, company=self.company_id)

    @api.depends("quote_ids.state", "quote_ids.line_ids")
    def _compute_quote_flags(self):
        for order in self:
            order.has_draft_quote = any(q.state == "draft" and q.line_ids for q in order.quote_ids)
            order.has_sent_quote = any(q.state == "sent" for q in order.quote_ids)

    @api.depends("quote_ids.approved_amount")
    def _compute_approved_amount(self):
        for order in self:
            order.approved_amount = sum(order.quote_ids.mapped("approved_amount"))

    @api.depends("partner_id", "company_id")
    def _compute_partner_member_level_id(self):
        for order in self:
            partner = order.partner_id._origin
            order.partner_member_level_id = partner._autorepair_member_level(order.company_id).sudo(False) \
                if partner and order.company_id else False

    @api.depends("line_ids.quantity", "line_ids.actual_hours", "line_ids.line_type", "line_ids.is_approved")
    def _compute_labour_hours(self):
        for order in self:
            labour = order.line_ids.filtered(lambda line: line.line_type == "labour" and line.is_approved)
            order.labour_hours = sum(labour.mapped("quantity"))
            order.actual_hours = sum(labour.mapped("actual_hours"))

    @api.depends("line_ids.move_ids.stock_valuation_layer_ids.value", "line_ids.actual_hours",
                 "line_ids.price_unit", "line_ids.alt_price_unit", "line_ids.discount", "line_ids.quantity",
                 "line_ids.tax_ids", "line_ids.decision", "line_ids.bill_to", "company_id")
    def _compute_margin(self):
        figures = self.line_ids._cost_figures()
        for order in self:
            parts_cost = labour_cost = revenue = 0.0
            for line in order.line_ids:
                parts_cost += figures[line]["parts_cost"]
                labour_cost += figures[line]["labour_cost"]
                revenue += figures[line]["revenue"]
            order.update(self.line_ids._margin_values(parts_cost, labour_cost, revenue))

    @api.depends("state", "check_ids.result", "check_ids.check_type")
    def _compute_check_due(self):
        for order in self:
            if order.state != "qc":
                order.check_due = False
                continue
            checks = checks_since_last_fail(order.check_ids.sorted("id"))
            passed = set(checks.filtered(lambda c: c.result == "pass").mapped("check_type"))
            order.check_due = next((code for code, _label in CHECK_TYPES if code not in passed), False)

    def _my_check_types(self):
        """The checks waiting for the current user, besides the self-check of
        his own work: the final checks for an inspector, the peer checks for a
        team lead. An inspector holds the team lead's rights too, but his list
        is the final checks (the peer checks stay under their own filter)."""
        user = self.env.user
        if user.has_group(INSPECTOR):
            return ["final"]
        return ["peer"] if user.has_group(TEAM_LEAD) else []

    @api.depends_context("uid")
    @api.depends("check_due", "line_ids.technician_id")
    def _compute_is_my_check(self):
        types = self._my_check_types()
        for order in self:
            order.is_my_check = order.check_due in types or (
                order.check_due == "self" and self.env.user in order.line_ids.technician_id)

    def _search_is_my_check(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the checks due."))
        domain = expression.OR([
            [("check_due", "in", self._my_check_types())],
            [("check_due", "=", "self"), ("line_ids.technician_id", "=", self.env.uid)],
        ])
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("line_ids.qty_to_issue", "line_ids.qty_issued", "line_ids.move_ids.quantity",
                 "line_ids.move_ids.state")
    def _compute_parts_status(self):
        for order in self:
            lines = order.line_ids.filtered(lambda line: line.line_type == "part")
            order.parts_to_issue = any(line.qty_to_issue > 0 for line in lines)
            order.parts_issued = any(line.qty_issued > 0 for line in lines)
            order.parts_missing = "\n".join(
                self.env._("%(part)s: %(missing)s missing of %(quantity)s",
                           part=line._autorepair_part_label(), missing=fmt(line.qty_missing),
                           quantity=fmt(line.quantity))
                for line in lines if line.qty_missing > 0) or False

    def _compute_invoice_count(self):
        for order in self:
            order.invoice_count = len(order.invoice_ids)

    @api.depends("invoice_ids.payment_state", "invoice_ids.state", "invoice_ids.partner_id")
    def _compute_payment_state(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id
            invoices = order.invoice_ids.filtered(
                lambda move: move.state == "posted" and move.commercial_partner_id == customer)
            if not invoices:
                order.payment_state = "not_invoiced"
            elif all(move.payment_state in ("paid", "in_payment", "reversed") for move in invoices):
                order.payment_state = "paid"
            elif any(move.payment_state == "partial" for move in invoices):
                order.payment_state = "partial"
            else:
                order.payment_state = "not_paid"

    @api.depends("payment_state")
    def _compute_amount_due(self):
        for order in self:
            order.amount_due = sum(order._autorepair_customer_invoices().mapped("amount_residual"))

    def _autorepair_customer_invoices(self):
        """The customer's own posted invoices of the order: what he pays at the
        cashier's (the insurer's and the maker's are on account by nature)."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        return self.sudo().invoice_ids.filtered(
            lambda move: move.state == "posted" and move.move_type == "out_invoice"
            and move.commercial_partner_id == customer)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for order in self:
            order.access_url = f"/my/service_orders/{order.id}"
        return result

    # --------------------------------------------------------------- constraints

    @api.constrains("appointment_start", "appointment_end")
    def _check_appointment_times(self):
        for order in self.filtered("appointment_start"):
            if order.appointment_end and order.appointment_end <= order.appointment_start:
                raise ValidationError(self.env._("An appointment must end after it starts."))

    @api.constrains("appointment_start", "appointment_end", "received_date", "promised_date", "bay_id",
                    "technician_id", "state")
    def _check_double_booking(self):
        """A booking holds its bay and technician alone (RULEBOOK §3.2): no other
        booking nor car in the workshop may hold them meanwhile (``occupation_*``,
        the free slots' own rule). Cars already in the workshop may share a
        technician among themselves: the floor assigns them as the work requires."""
        for order in self.filtered(lambda o: o.state in ACTIVE_STATES and (o.bay_id or o.technician_id)):
            for fname in ("bay_id", "technician_id"):
                if not order[fname]:
                    continue
                domain = order._occupying_domain(order.occupation_start, order.occupation_end, **{fname: order[fname]})
                if not order.appointment_start:
                    domain.append(("appointment_start", "!=", False))
                clash = self.sudo().search(domain, limit=1)
                if clash:
                    raise ValidationError(self.env._(
                        "%(resource)s is already booked by %(order)s (%(plate)s) from %(start)s to %(end)s.",
                        resource=order[fname].display_name, order=clash.name, plate=clash.license_plate or "",
                        start=fields.Datetime.context_timestamp(
                            self, clash.occupation_start).strftime("%Y-%m-%d %H:%M"),
                        end=fields.Datetime.context_timestamp(self, clash.occupation_end).strftime("%H:%M"),
                    ))

    # ------------------------------------------------- the workshop's load (RULEBOOK §3.2)
    # What each order holds of its bay and technician, the free slots left by the
    # technicians' working hours, and the customer's own booking on the portal (moved
    # or cancelled up to a set number of hours before), reminded the day before.

    @api.depends("appointment_start", "appointment_end", "received_date", "promised_date", "estimated_hours",
                 "line_ids.line_type", "line_ids.quantity", "line_ids.decision")
    def _compute_occupation(self):
        now = fields.Datetime.now()
        for order in self:
            default = timedelta(hours=order.company_id._autorepair_workshop_setting("appointment_default_hours"))
            if order.appointment_start:
                start = order.appointment_start
                end = order.appointment_end or start + default
            else:
                start = order.received_date or order.create_date or now
                planned = sum(order.line_ids.filtered(
                    lambda line: line.line_type == "labour" and line.decision not in NOT_PLANNED).mapped("quantity"))
                hours = planned or order.estimated_hours
                if order.promised_date and order.promised_date > start:
                    end = order.promised_date
                else:
                    end = start + (timedelta(hours=hours) if hours else default)
            order.occupation_start = start
            order.occupation_end = end
            order.occupation_hours = (end - start).total_seconds() / 3600

    def _occupying_domain(self, start, end, bay_id=None, technician_id=None):
        """The other active orders holding ``bay_id`` or ``technician_id`` (records)
        at some time between ``start`` and ``end``."""
        resources = []
        if bay_id:
            resources.append([("bay_id", "in", bay_id.ids)])
        if technician_id:
            resources.append([("technician_id", "in", technician_id.ids)])
        return [
            ("id", "not in", self.ids),
            ("state", "in", ACTIVE_STATES),
            ("occupation_start", "<", end),
            ("occupation_end", ">", start),
        ] + (["|"] * (len(resources) - 1)) + [leaf for domain in resources for leaf in domain]

    # ------------------------------------------------------------- free slots

    @api.model
    def _autorepair_booking_technicians(self, company, skill=None):
        """The technicians of ``company`` who can be booked: those with the skill, if one is needed."""
        domain = [("share", "=", False), ("company_ids", "in", company.ids),
                  ("groups_id", "in", self.env.ref("autorepair_workshop.group_technician").ids)]
        if skill:
            domain.append(("autorepair_skill_ids", "in", skill.ids))
        return self.env["res.users"].sudo().search(domain, order="id")

    @api.model
    def _autorepair_working_hours(self, company, technicians, date_from, date_to):
        """{technician: [(start, end)]}: when each technician works between the two
        times (naive UTC), by his own working hours (his resource's calendar and time
        off) or else the company's."""
        start = pytz.utc.localize(date_from)
        stop = pytz.utc.localize(date_to)
        hours = {}
        company_intervals = None
        for technician in technicians:
            # his resource in this company (or in all), as HR's employee would have it
            resource = technician.sudo().resource_ids.filtered(
                lambda r, c=company: not r.company_id or r.company_id == c).sorted(lambda r: not r.company_id)[:1]
            if resource.calendar_id:
                intervals = resource.calendar_id._work_intervals_batch(start, stop, resources=resource)[resource.id]
            else:
                if company_intervals is None:
                    company_intervals = company.resource_calendar_id._work_intervals_batch(start, stop)[False]
                intervals = company_intervals
            hours[technician] = [
                (begin.astimezone(pytz.utc).replace(tzinfo=None), end.astimezone(pytz.utc).replace(tzinfo=None))
                for begin, end, _meta in intervals]
        return hours

    @api.model
    def _autorepair_free_slots(self, company, date_from, date_to, need_type=None, skill=None, exclude=None):
        """The times a car can be booked between ``date_from`` and ``date_to`` (naive
        UTC): a technician (with ``skill`` if given) works for the whole booking and
        neither he nor one of the company's bays is held by another order (bookings
        and cars in the workshop alike, ``occupation_*``). ``exclude``: orders whose
        hold does not count (the booking being moved).

        :return: a list, by start, of dicts ``{"start", "end", "bay", "technician"}``,
            one per start time (the first bay and technician free then)
        """
        # every need takes the default length for now: the advisor adjusts it after reception
        company = company.sudo()  # its working hours, read for a portal customer too
        length = timedelta(hours=company._autorepair_workshop_setting("appointment_default_hours"))
        step = timedelta(minutes=company._autorepair_workshop_setting("booking_slot_minutes") or 30)
        date_from = max(date_from, fields.Datetime.now())
        bays = self.env["autorepair.bay"].sudo().search([("company_id", "=", company.id)])
        technicians = self._autorepair_booking_technicians(company, skill)
        if not bays or not technicians or date_from >= date_to:
            return []
        held = defaultdict(list)
        exclude = exclude or self.browse()
        for order in self.sudo().search(exclude._occupying_domain(
                date_from, date_to + length, bay_id=bays, technician_id=technicians)):
            for resource in (order.bay_id, order.technician_id):
                if resource:
                    held[resource].append((order.occupation_start, order.occupation_end))

        def free(resource, begin, end):
            return not any(s < end and e > begin for s, e in held[resource])

        tz = pytz.timezone(company.resource_calendar_id.tz or "Asia/Shanghai")
        slots = {}
        for technician, intervals in self._autorepair_working_hours(
                company, technicians, date_from, date_to + length).items():
            for work_start, work_end in intervals:
                # start times on the step from the local midnight: 08:00, 08:30, ...
                local = pytz.utc.localize(work_start).astimezone(tz)
                midnight = tz.localize(datetime.combine(local.date(), time())).astimezone(pytz.utc).replace(tzinfo=None)
                begin = midnight + step * -(-(work_start - midnight) // step)
                while begin + length <= work_end:
                    if date_from <= begin < date_to and begin not in slots and free(technician, begin, begin + length):
                        bay = next((bay for bay in bays if free(bay, begin, begin + length)), None)
                        if bay:
                            slots[begin] = {"start": begin, "end": begin + length, "bay": bay,
                                            "technician": technician}
                    begin += step
        return [slots[start] for start in sorted(slots)]

    # --------------------------------------------------------- portal booking

    @api.model
    def _autorepair_portal_book(self, partner, vehicle, need_type, start, requested_work=None):
        """The customer's booking from the portal, as the advisor's own: a booked order
        holding the bay and technician of a slot still free (in sudo: the caller
        checked the vehicle is his). Confirmed by his channel like any booking."""
        company = self.env.company
        slot = self._autorepair_slot_at(company, start)
        advisor = self.sudo().search([("vehicle_id", "=", vehicle.id), ("advisor_id.share", "=", False),
                                      ("company_id", "=", company.id)], limit=1).advisor_id
        # the customer books himself: he is the author, and still gets the confirmation
        return self.sudo().with_context(mail_notify_author=True).create({
            "company_id": company.id,
            "partner_id": partner.id,
            "vehicle_id": vehicle.id,
            "need_type": need_type,
            "source": "portal",
            "requested_work": requested_work or False,
            "appointment_start": slot["start"],
            "appointment_end": slot["end"],
            "bay_id": slot["bay"].id,
            "technician_id": slot["technician"].id,
            "advisor_id": advisor.id,
        })

    def _autorepair_slot_at(self, company, start):
        """The free slot starting at ``start``, or a UserError: another customer took it meanwhile."""
        # two customers booking the same time: the second waits here, then sees the first's booking
        self.env.cr.execute("SELECT id FROM autorepair_bay WHERE company_id = %s FOR UPDATE", [company.id])
        slot = next((slot for slot in self._autorepair_free_slots(
            company, start, start + timedelta(minutes=1), exclude=self) if slot["start"] == start), None)
        if not slot:
            raise UserError(self.env._("This time is no longer free: please choose another one."))
        return slot

    def _autorepair_check_portal_change(self):
        """A booking is moved or cancelled online up to the company's number of hours
        before it; after that, the customer calls the shop."""
        for order in self:
            if order.state != "draft" or not order.appointment_start:
                raise UserError(self.env._(
                    "%(order)s is no longer a booking: please call %(shop)s on %(phone)s.",
                    order=order.name, shop=order.company_id.name, phone=order.company_id.phone or ""))
            hours = order.company_id._autorepair_workshop_setting("portal_booking_change_hours")
            if order.appointment_start - fields.Datetime.now() < timedelta(hours=hours):
                limit = f"{hours:g}"
                raise UserError(self.env._(
                    "Your appointment is less than %(hours)s hours away: it can no longer be changed online. "
                    "Please call %(shop)s on %(phone)s.",
                    hours=limit, shop=order.company_id.name, phone=order.company_id.phone or ""))

    def _autorepair_portal_move(self, start):
        """The customer moves his booking to the free slot at ``start`` (sudo, his order)."""
        self.ensure_one()
        self._autorepair_check_portal_change()
        slot = self.with_company(self.company_id)._autorepair_slot_at(self.company_id, start)
        self.sudo().with_context(mail_notify_author=True).write({
            "appointment_start": slot["start"], "appointment_end": slot["end"],
            "bay_id": slot["bay"].id, "technician_id": slot["technician"].id,
        })

    def _autorepair_portal_cancel(self):
        """The customer cancels his booking (sudo, his order): the bay and technician are free again."""
        self._autorepair_check_portal_change()
        self.sudo()._transition("cancel")
        for order in self:
            order.sudo().message_post(body=self.env._("Cancelled by the customer on the portal."),
                                      subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------- reminder

    @api.model
    def _cron_appointment_reminder(self):
        """The day before a booking, the customer is reminded of it (once; again if it is moved)."""
        now = fields.Datetime.now()
        orders = self.sudo().search([
            ("state", "=", "draft"), ("appointment_start", ">", now),
            ("appointment_start", "<", now + timedelta(days=2)), ("appointment_reminded_on", "=", False)])
        for order in orders:
            partner = order.partner_id
            local = order._autorepair_notice_tz(partner)
            tomorrow = fields.Datetime.context_timestamp(local, now).date() + timedelta(days=1)
            if fields.Datetime.context_timestamp(local, order.appointment_start).date() != tomorrow:
                continue
            values = order._autorepair_channel_values(partner)
            # marked first: a notice that fails is told in the chatter, never sent twice
            order.appointment_reminded_on = now
            order._autorepair_notify("appointment_reminder", self.env._(
                "%(shop)s: a reminder of your appointment for %(plate)s tomorrow, %(date)s at %(time)s. "
                "To change it, please call %(phone)s.", shop=order.company_id.name,
                plate=values["plate"] or order.name, date=values["date"], time=values["time"],
                phone=order.company_id.phone or ""), values)

    @api.constrains("insurer_id", "deductible")
    def _check_insurance(self):
        for order in self:
            if order.insurer_id and not order.insurer_id.is_company:
                raise ValidationError(self.env._(
                    "The insurer of %(order)s must be a company, not %(partner)s.",
                    order=order.name, partner=order.insurer_id.display_name))
            if order.currency_id.compare_amounts(order.deductible, 0.0) < 0:
                raise ValidationError(self.env._("The deductible of %(order)s cannot be negative.", order=order.name))

    @api.constrains("vehicle_id", "partner_id")
    def _check_vehicle_owner(self):
        for order in self:
            owner = order.vehicle_id.owner_id
            if owner and owner.commercial_partner_id != order.partner_id.commercial_partner_id:
                raise ValidationError(self.env._(
                    "%(plate)s belongs to %(owner)s, not to %(customer)s: change the vehicle's owner first "
                    "if the car was sold.",
                    plate=order.vehicle_id.display_name, owner=owner.display_name,
                    customer=order.partner_id.display_name,
                ))

    @api.model
    def _group_expand_states(self, states, domain):
        # the board's columns: a released car goes straight to Settled, so "Delivered"
        # shows only while an order of an earlier version is in it
        return [key for key, _label in STATES if key != "delivered" or key in states]

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            # a booking in the past is a typo; walk-ins carry no appointment
            start = vals.get("appointment_start") and fields.Datetime.to_datetime(vals["appointment_start"])
            if start and start < now - timedelta(minutes=5):
                raise ValidationError(self.env._("An appointment cannot be booked in the past (%(start)s).",
                                                 start=vals["appointment_start"]))
            if vals.get("name", self.env._("New")) == self.env._("New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "autorepair.service.order") or self.env._("New")
            if vals.get("vehicle_id") and not vals.get("partner_id"):
                vals["partner_id"] = self.env["fleet.vehicle"].browse(vals["vehicle_id"]).owner_id.id
        orders = super().create(vals_list)
        orders._autorepair_notify_appointment()
        return orders

    def write(self, vals):
        if INSURANCE_FIELDS & vals.keys():
            self._check_can_assess()
        if "repair_category" in vals and not self.env.su:
            settled = self.filtered(
                lambda o: o._autorepair_is_settled() and o.repair_category != vals["repair_category"])
            if settled:
                raise UserError(self.env._(
                    "%(order)s is settled: its repair category is on the statement and the health archive "
                    "and cannot change.", order=settled[0].name))
        moved = self.browse()
        if vals.get("appointment_start"):
            start = fields.Datetime.to_datetime(vals["appointment_start"])
            if start < fields.Datetime.now() - timedelta(minutes=5):
                raise ValidationError(self.env._("An appointment cannot be moved into the past (%(start)s).",
                                                 start=vals["appointment_start"]))
            # a booking moved by more than a minute is confirmed again; set once, it is told once
            moved = self.filtered(lambda o: o.state == "draft" and (
                not o.appointment_start or abs(o.appointment_start - start) > timedelta(minutes=1)))
        if moved:
            # the day-before reminder is for the new date
            moved.sudo().appointment_reminded_on = False
        result = super().write(vals)
        moved._autorepair_notify_appointment()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced_or_started(self):
        for order in self:
            if order.invoice_ids:
                raise UserError(self.env._(
                    "%(order)s has been invoiced: it is part of the accounts and cannot be deleted.", order=order.name))
            if order.state not in ("draft", "cancel"):
                raise UserError(self.env._(
                    "Only booked or cancelled orders can be deleted; cancel %(order)s instead.", order=order.name))

    @api.ondelete(at_uninstall=False)
    def _unlink_release_parts(self):
        # a booking deleted frees what the store held for it (its lines go with it)
        self.line_ids._unlink_release_parts()

    @api.onchange("vehicle_id")
    def _onchange_vehicle_id(self):
        if self.vehicle_id.owner_id:
            self.partner_id = self.vehicle_id.owner_id

    # ----------------------------------------------------------- state machine

    def _state_label(self, state):
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _transition(self, step, **values):
        """Take a step of TRANSITIONS: the user must hold its group and every
        order must be in a state it starts from. The state and the step's own
        values (dates, who) are written as the superuser: no other path
        writes them."""
        sources, target, group = TRANSITIONS[step]
        if group and not self.env.su and not self.env.user.has_groups(group):
            raise AccessError(self.env._(
                "Only a %(role)s may move a service order to %(state)s.",
                role=" / ".join(self.env.ref(xmlid).name for xmlid in group.split(",")),
                state=self._state_label(target)))
        for order in self:
            if order.state not in sources:
                raise UserError(self.env._(
                    "%(order)s is %(state)s: it cannot be moved to %(target)s.", order=order.name,
                    state=self._state_label(order.state), target=self._state_label(target)))
        if target == "cancel":
            self._check_parts_returned()
        elif step == "pass_final_check":
            self._check_parts_issued()
        # a step that keeps the state (the settlement) leaves it unwritten: nothing to track, and
        # the booking checks of a state change are not the cashier's to pass
        moved = {"state": target} if any(order.state != target for order in self) else {}
        self.sudo().write({**moved, **values})
        if target == "cancel":
            # the store stops holding the parts of a cancelled order
            self.line_ids._autorepair_sync_moves()
        elif step == "pass_final_check":
            self._autorepair_notify_ready()
        return True

    def _write_workflow(self, values):
        """Record the values of a step that does not change the state (a
        signature, a delay notice, a queued settlement)."""
        self.sudo().write(values)

    # ------------------------------------------------------------------- actions

    def action_receive(self):
        """Reception: identity checked, odometer in written to the vehicle's log."""
        for order in self:
            if order.state != "draft":
                raise UserError(self.env._("%(order)s has already been received.", order=order.name))
            if not order.identity_checked:
                raise UserError(self.env._(
                    "Check the customer's identity and ownership before taking the car (%(order)s).", order=order.name))
            if order.odometer_in <= 0:
                raise UserError(self.env._(
                    "Enter the odometer reading of %(plate)s.", plate=order.vehicle_id.display_name))
        self.env["fleet.vehicle.odometer"].create([
            {"vehicle_id": order.vehicle_id.id, "value": order.odometer_in,
             "date": fields.Date.context_today(order)}
            for order in self
        ])
        items = self.env["autorepair.walkaround.item"].search([])
        self._transition("receive", received_date=fields.Datetime.now())
        # a booking made without an advisor (on a care call) is the receiving advisor's from now on
        self.filtered(lambda o: not o.advisor_id).advisor_id = self.env.user
        self.filtered(lambda o: not o.walkaround_line_ids).write({"walkaround_line_ids": [
            fields.Command.create({"item_id": item.id}) for item in items
        ]})
        self._autorepair_flag_rework()
        return True

    def action_sign_walkaround(self, signature, signed_by=None):
        """The customer signs the walk-around sheet in front of the advisor."""
        self.ensure_one()
        if not self.env.user.has_group(ADVISOR):
            raise AccessError(self.env._("The walk-around sheet is signed in front of a service advisor."))
        if self.state in ("draft", "cancel") or self.walkaround_signed_on:
            raise UserError(self.env._("The walk-around sheet of %(order)s cannot be signed now.", order=self.name))
        if not signature:
            raise UserError(self.env._("The customer's signature is missing."))
        self._write_workflow({
            "walkaround_signature": signature,
            "walkaround_signed_by": signed_by or self.partner_id.name,
            "walkaround_signed_on": fields.Datetime.now(),
            "walkaround_entered_by_id": self.env.uid,
        })
        return True

    def _draft_quote(self):
        """The quote the lines being added belong to: the open one, or a new round
        (a supplementary quote once work has been approved)."""
        self.ensure_one()
        quote = self.quote_ids.filtered(lambda q: q.state == "draft")[:1]
        if not quote:
            quote = self.env["autorepair.service.quote"].create({"order_id": self.id})
        return quote

    def action_open_package_wizard(self):
        """Quote a maintenance package: the one due preselected."""
        self.ensure_one()
        self._check_can_add_package()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add Maintenance Package"),
            "res_model": "autorepair.service.package.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _check_can_add_package(self):
        if not self.env.user.has_group(ADVISOR):
            raise AccessError(self.env._("A service advisor quotes maintenance packages."))
        for order in self:
            if order.state in (*DELIVERED_STATES, "cancel"):
                raise UserError(self.env._("%(order)s is closed: no line can be added.", order=order.name))

    def _autorepair_add_package(self, package):
        """Expand a maintenance package into lines of the order's draft quote
        (for the advisor: see _check_can_add_package)."""
        self.ensure_one()
        self._check_can_add_package()
        package.ensure_one()
        fitting = package._fitting_domain(self.vehicle_id, self.company_id)
        if not package.search_count([("id", "=", package.id), *fitting]):
            raise UserError(self.env._("%(package)s is not made for %(car)s.",
                                       package=package.name, car=self.vehicle_id.model_id.display_name))
        lines = self.env["autorepair.service.order.line"].create(package._prepare_order_line_vals(self))
        self.message_post(body=self.env._(
            "Maintenance package %(package)s quoted: %(count)s lines.", package=package.name, count=len(lines)))
        return lines

    def action_send_quote(self):
        """Send the pending lines as a quote (or a supplementary quote)."""
        for order in self:
            if order.state not in ("received", "quoted", "approved", "in_progress"):
                raise UserError(self.env._("%(order)s must be received before it is quoted.", order=order.name))
            quote = order.quote_ids.filtered(lambda q: q.state == "draft")
            if not quote or not quote.line_ids:
                raise UserError(self.env._("%(order)s has no new line to quote.", order=order.name))
            quote._send()
        self.filtered(lambda o: o.state == "received")._transition("send_quote")
        return True

    def action_open_decision_wizard(self):
        self.ensure_one()
        quote = self.quote_ids.filtered(lambda q: q.state == "sent")[:1]
        if not quote:
            raise UserError(self.env._("No quote of %(order)s is awaiting the customer's decision.", order=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customer's Decision on %(quote)s", quote=quote.name),
            "res_model": "autorepair.quote.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_quote_id": quote.id},
        }

    def action_decline_quote(self):
        """The customer wants none of the quoted work: he signs the decline."""
        action = self.action_open_decision_wizard()
        action["context"]["default_decline_all"] = True
        return action

    def action_open_check(self):
        """Open the form of a check, refused at once with its reason when the
        check cannot be signed now by this user (not after the form is filled)."""
        self.ensure_one()
        check_type = self.env.context.get("check_type", "self")
        if check_type not in dict(CHECK_TYPES):
            raise UserError(self.env._("Unknown quality check."))
        self.env["autorepair.quality.check"]._check_can_sign(self, check_type, self.env.user)
        return {
            "type": "ir.actions.act_window",
            "name": dict(self.env["autorepair.quality.check"]._fields["check_type"]._description_selection(
                self.env))[check_type],
            "res_model": "autorepair.quality.check",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id, "default_check_type": check_type},
        }

    def action_announce_delay(self):
        """A delay is told early, with its remedy (RULEBOOK §3.9)."""
        for order in self:
            if not order.delay_reason or not order.delay_remedy or not order.promised_date:
                raise UserError(self.env._("State the new promised time, the reason and the remedy of the delay."))
        for order in self:
            remedy = dict(order._fields["delay_remedy"]._description_selection(self.env))[order.delay_remedy]
            values = order._autorepair_channel_values(order.partner_id)
            # a service message: not to a customer who opted out of them (told at the desk)
            order._autorepair_notify("delay", self.env._(
                "Your car will be ready by %(date)s. Reason: %(reason)s. We offer: %(remedy)s.",
                date=" ".join((values["date"], values["time"])), reason=order.delay_reason, remedy=remedy,
            ), values)
        self._write_workflow({"delay_announced_on": fields.Datetime.now()})
        return True

    def action_request_check(self):
        """Work done: on to the three checks."""
        for order in self:
            if order.state != "in_progress":
                raise UserError(self.env._("%(order)s is not being worked on.", order=order.name))
            unfinished = order.line_ids.filtered(
                lambda line: line.line_type == "labour" and line.is_approved and line.work_state != "done")
            if unfinished:
                raise UserError(self.env._(
                    "Finish the work first: %(lines)s.", lines=", ".join(unfinished.mapped("name"))))
        return self._transition("request_check")

    def action_deliver(self):
        """The advisor releases the car (放行): settled, and paid or on a
        credit a service manager approved; the order is then settled and
        delivered, and records who let the car out on its numbered gate pass."""
        if not self.env.su and not self.env.user.has_group(ADVISOR):
            raise AccessError(self.env._("Only a service advisor releases a car."))
        for order in self:
            if order.state != "ready":
                raise UserError(self.env._(
                    "%(order)s cannot be delivered before its final check has passed.", order=order.name))
            if not order.check_ids.filtered(lambda check: check.check_type == "final" and check.result == "pass"):
                raise UserError(self.env._("%(order)s has no passed final check.", order=order.name))
            if not order.settled_date:
                raise UserError(self.env._(
                    "%(order)s is not settled: the cashier settles it before the car is released.", order=order.name))
            if not order._autorepair_release_cleared():
                raise UserError(self.env._(
                    "%(plate)s cannot leave: the customer still owes %(amount)s on %(order)s. Take the payment, "
                    "or a service manager approves credit (挂账) for a credit account.",
                    plate=order.vehicle_id.display_name, order=order.name,
                    amount=format_amount(self.env, order.amount_due, order.currency_id)))
            order._check_next_service()
        for order in self:
            order.vehicle_id.write({
                "next_service_date": order.next_service_date,
                "next_service_km": order.next_service_km,
            })
        now = fields.Datetime.now()
        self._transition("release", delivered_date=now, released_by_id=self.env.uid)
        for order in self:
            order._write_workflow({"gate_pass_number": self.env["ir.sequence"].with_company(
                order.company_id).sudo().next_by_code("autorepair.gate.pass")})
        self._autorepair_issue_certificates()
        self._schedule_followup()
        return True

    def _autorepair_release_cleared(self):
        """The car may leave: the customer's invoices are paid (nothing he
        owes), or a service manager approved credit."""
        self.ensure_one()
        return bool(self.credit_approved_by_id) or self.payment_state in ("paid", "not_invoiced")

    def _autorepair_is_settled(self):
        """Invoiced: settled at the cashier's, or an order of an earlier
        version settled after delivery."""
        self.ensure_one()
        return self.state == "done" or bool(self.settled_date)

    def action_approve_credit(self):
        """A service manager lets a settled car leave unpaid (挂账): only on a
        credit account, which pays its orders on the monthly statement."""
        if not self.env.su and not self.env.user.has_group(CREDIT_APPROVERS):
            raise AccessError(self.env._("Only a service manager approves credit (挂账)."))
        for order in self:
            if order.state != "ready" or not order.settled_date:
                raise UserError(self.env._(
                    "%(order)s must be settled and waiting for its release before credit is approved.",
                    order=order.name))
            if not order.partner_id.commercial_partner_id.autorepair_credit_account:
                raise UserError(self.env._(
                    "%(customer)s is not a credit account: the car leaves once paid.",
                    customer=order.partner_id.commercial_partner_id.display_name))
            if order.credit_approved_by_id:
                raise UserError(self.env._(
                    "Credit on %(order)s was already approved by %(user)s.",
                    order=order.name, user=order.credit_approved_by_id.name))
            if order.payment_state in ("paid", "not_invoiced"):
                raise UserError(self.env._("%(order)s owes nothing: no credit to approve.", order=order.name))
        self._write_workflow({"credit_approved_by_id": self.env.uid, "credit_approved_date": fields.Datetime.now()})
        for order in self:
            order.message_post(body=self.env._(
                "Credit (挂账) approved by %(user)s: %(amount)s goes on the monthly statement.",
                user=self.env.user.name, amount=format_amount(self.env, order.amount_due, order.currency_id)))
        return True

    def action_print_gate_pass(self):
        """The gate pass (出门证) of a released car."""
        if self.filtered(lambda order: not order.released_by_id):
            raise UserError(self.env._("A gate pass is printed once the car is released."))
        return self.env.ref("autorepair_workshop.action_report_gate_pass").report_action(self)

    def _check_next_service(self):
        """The hand-over tells the customer when to come back (RULEBOOK §3.11):
        the next service date and mileage, the mileage ahead of the car's."""
        self.ensure_one()
        missing = [self._fields[fname]._description_string(self.env)
                   for fname in ("next_service_date", "next_service_km") if not self[fname]]
        if missing:
            raise UserError(self.env._(
                "Before delivering %(plate)s, fill in the next service the customer is told about: %(fields)s "
                "(in Delivery, under the customer's request).",
                plate=self.vehicle_id.display_name, fields=", ".join(missing)))
        if self.next_service_km <= self.odometer_in:
            raise UserError(self.env._(
                "The next service of %(plate)s at %(next)s km must come after its odometer reading of %(odometer)s km.",
                plate=self.vehicle_id.display_name, next=self.next_service_km, odometer=int(self.odometer_in)))

    def action_cancel(self):
        for order in self:
            if order.state in ("in_progress", "qc", "ready", "delivered", "done"):
                raise UserError(self.env._("Work has started on %(order)s: it cannot be cancelled.", order=order.name))
        return self._transition("cancel")

    def action_create_invoice(self):
        limit = self.env.company._autorepair_workshop_setting("settlement_inline_limit")
        if len(self) > limit:
            return self._queue_settlement()
        invoices = self._create_invoices()
        if len(self) == 1 and invoices:
            return self.action_view_invoices()
        return True

    def action_open_payment_wizard(self):
        """The cashier takes the customer's payment of the settled order (收款)."""
        self.ensure_one()
        if not self.env.user.has_groups(f"{CASHIER},autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a cashier takes payments at the desk."))
        if not self._autorepair_open_invoices():
            raise UserError(self.env._(
                "%(order)s has no invoice of the customer left to pay: settle it first.", order=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Take Payment"),
            "res_model": "autorepair.payment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _autorepair_open_invoices(self):
        """The customer's posted invoices of the order still to pay (the
        insurer's and the maker's are settled on account)."""
        self.ensure_one()
        return self.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
            and move.commercial_partner_id == self.partner_id.commercial_partner_id
            and move.payment_state in ("not_paid", "partial"))

    def action_open_reward_wizard(self):
        """The cashier redeems a member card or types a coupon code."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Redeem a Card or Coupon"),
            "res_model": "autorepair.reward.apply.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _queue_settlement(self):
        """Hand a large batch to the scheduler: a month-end batch of a thousand
        orders takes longer than a browser request may last."""
        self._check_invoiceable()
        if not self.env.user.has_groups(SETTLERS):
            raise AccessError(self.env._("Only a service advisor or a cashier settles service orders."))
        self._write_workflow({"settlement_requested_by_id": self.env.uid, "settlement_error": False})
        self.env.ref("autorepair_workshop.ir_cron_settle_orders")._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(count)s orders are being settled in the background: their invoices appear on each order "
                    "within minutes.", count=len(self)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_settle_queued(self):
        """Settle one chunk of the queued orders, each group as the user who
        queued it; an order that cannot be settled keeps its reason and does not
        hold up the others. The scheduler commits and calls again while orders
        remain."""
        size = self.env.company._autorepair_workshop_setting("settlement_batch_size")
        self.flush_model(["settlement_requested_by_id"])
        self.env.cr.execute(SQL(
            """SELECT id FROM autorepair_service_order WHERE settlement_requested_by_id IS NOT NULL
               ORDER BY id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED""", size))
        orders = self.browse(row[0] for row in self.env.cr.fetchall())
        errors = {}
        for (user, company), group in orders.filtered(lambda o: o._autorepair_settleable()).grouped(
                lambda o: (o.settlement_requested_by_id, o.company_id)).items():
            group = group.with_user(user).with_context(allowed_company_ids=company.ids)
            if group._try_settle():
                # one order's problem fails the whole group: settle them one by one
                for order in group:
                    if message := order._try_settle():
                        errors[order.id] = message
        orders._write_workflow({"settlement_requested_by_id": False})
        for order_id, message in errors.items():
            # reported by the scheduler: the requester may have lost the right to read the order
            order = self.browse(order_id)
            order._write_workflow({"settlement_error": message})
            order.message_post(body=self.env._("The settlement failed: %(reason)s", reason=message))
        remaining = self.search_count([("settlement_requested_by_id", "!=", False)])
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=remaining)

    def _try_settle(self):
        """Settle in a savepoint; the error message on failure, else None."""
        try:
            with self.env.cr.savepoint():
                self._create_invoices()
        except (UserError, ValidationError, AccessError) as exc:
            self.env.invalidate_all()
            return exc.args[0]
        return None

    def _autorepair_open_parts_wizard(self, mode):
        self.ensure_one()
        self.env["autorepair.service.order.line"]._autorepair_check_storekeeper()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Issue Parts") if mode == "issue" else self.env._("Return Parts"),
            "res_model": "autorepair.parts.issue.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id, "default_mode": mode},
        }

    def action_open_parts_issue(self):
        """The storekeeper hands the approved parts over to the workshop (领料)."""
        return self._autorepair_open_parts_wizard("issue")

    def action_open_parts_return(self):
        """The storekeeper takes back parts the workshop did not use (退料)."""
        return self._autorepair_open_parts_wizard("return")

    def action_order_missing_parts(self):
        """Order the missing parts: a manual replenishment point per part of the
        store for what is missing, opened in Odoo's Replenishment (which makes
        the purchase orders when Purchase is installed)."""
        self.env["autorepair.service.order.line"]._autorepair_check_storekeeper()
        missing = {}
        for line in self.line_ids.filtered(lambda line: line.qty_missing > 0):
            key = (line.stock_product_id, line.company_id)
            missing[key] = missing.get(key, 0.0) + line.qty_missing
        if not missing:
            raise UserError(self.env._("No part is missing for these orders."))
        Orderpoint = self.env["stock.warehouse.orderpoint"].sudo()
        orderpoints = Orderpoint
        for (product, company), quantity in missing.items():
            store = company._autorepair_parts_store()
            orderpoint = Orderpoint.search([
                ("product_id", "=", product.id), ("location_id", "=", store.id), ("company_id", "=", company.id)],
                limit=1)
            if not orderpoint:
                orderpoint = Orderpoint.create({
                    "product_id": product.id, "location_id": store.id, "company_id": company.id,
                    "warehouse_id": company.autorepair_parts_picking_type_id.warehouse_id.id,
                    "trigger": "manual", "product_min_qty": 0.0, "product_max_qty": 0.0,
                })
            orderpoint.qty_to_order = max(orderpoint.qty_to_order, quantity)
            orderpoints |= orderpoint
        for order in self.sudo():
            order.message_post(body=self.env._("Missing parts sent to replenishment: %(parts)s.", parts=", ".join(
                order.line_ids.filtered(lambda line: line.qty_missing > 0).mapped(
                    lambda line: line._autorepair_part_label()))))
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_orderpoint_replenish")
        action["domain"] = [("id", "in", orderpoints.ids)]
        action["context"] = {"search_default_filter_to_reorder": 0}
        return action

    def action_view_parts_transfers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("autorepair_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_followups(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "autorepair.followup",
            "name": self.env._("Follow-up Calls"),
            "view_mode": "list,form",
            "domain": [("order_id", "=", self.id)],
            "context": {"default_order_id": self.id},
        }

    # ------------------------------------------------------------------ notices
    # What the order tells its customer (RULEBOOK §3.2, 3.6, 3.9, 3.10, 3.13):
    # the appointment booked, the quote to approve, a delay, the car ready and,
    # when the follow-up call found nobody, the follow-up message. All are
    # service messages: never to a customer who opted out of them (the desk
    # tells him), by email when he prefers it, else by WeChat or SMS through
    # the company's channel (``_autorepair_send_notice``), as the approved
    # template of the notice's kind filled with the order's values.

    def _autorepair_channel_values(self, partner):
        values = super()._autorepair_channel_values(partner)
        # the time that matters to the customer: the booking before the car is in, then the promise
        when = self.appointment_start if self.state == "draft" else self.promised_date
        local = when and fields.Datetime.context_timestamp(self._autorepair_notice_tz(partner), when)
        amount = self._autorepair_customer_amount() if self.state != "draft" else 0.0
        values.update({
            "plate": self.vehicle_id.license_plate or "",
            "vehicle": self.vehicle_id.model_id.display_name or "",
            "date": local.strftime("%Y-%m-%d") if local else "",
            "time": local.strftime("%H:%M") if local else "",
            "link": self.get_base_url() + self.sudo().get_portal_url(),
            "order": self.name,
            "amount": f"{amount:.2f}" if amount else "",
            "advisor": self.advisor_id.name or "",
            "reason": self.delay_reason or "",
        })
        return values

    def _autorepair_customer_amount(self):
        """What the customer pays: on an accident repair, not the insurer's share."""
        return self.customer_amount if self.is_insurance else self.amount_total

    def _autorepair_work_done(self, limit=None):
        """The work done as the customer knows it: the approved labour lines
        (with ``limit``, the dearest ones), else the order's number."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.line_type == "labour" and line.is_approved)
        if limit:
            lines &= lines.sorted("price_total", reverse=True)[:limit]
        return "、".join(lines.mapped("name")) or self.name

    def _autorepair_notice_tz(self, partner):
        """Times in a notice are the shop's: the customer's zone, else the advisor's."""
        return self.with_context(tz=partner.tz or self.advisor_id.tz or self.env.user.tz or "Asia/Shanghai")

    def _autorepair_notify(self, kind, body, values=None):
        """Tell the order's customer ``body``, a service message of ``kind``.

        :return: ``"email"``, ``"wechat"``, ``"sms"``, or False when it was not
            sent (opted out, or no way to reach him: the chatter says so)
        """
        self.ensure_one()
        partner = self.partner_id
        if partner.sudo().service_opt_out:
            self.message_post(body=self.env._(
                "Not sent: the customer opted out of service messages. Tell him at the desk: %(text)s",
                text=body), subtype_xmlid="mail.mt_note")
            return False
        if partner.preferred_channel == "email" and partner.email:
            self.message_post(body=body, partner_ids=partner.ids, message_type="comment",
                              subtype_xmlid="mail.mt_comment")
            return "email"
        return self._autorepair_send_notice(kind, partner, body, values)

    def _autorepair_notify_appointment(self):
        """Confirm a booking to the customer: date, time and plate."""
        if self.env.context.get("install_mode"):
            return  # demo bookings loaded with the module: nobody to tell
        # the booking's consequence, whoever booked it (a care agent who cannot write orders)
        for order in self.sudo().filtered(lambda o: o.state == "draft" and o.appointment_start):
            values = order._autorepair_channel_values(order.partner_id)
            order._autorepair_notify("appointment", self.env._(
                "%(shop)s: your appointment for %(plate)s is booked on %(date)s at %(time)s. "
                "Your advisor: %(advisor)s.", shop=order.company_id.name, plate=values["plate"] or order.name,
                date=values["date"], time=values["time"], advisor=values["advisor"]), values)

    def _autorepair_notify_ready(self):
        """The final check passed: the car can be collected (RULEBOOK §3.10-11).
        Told whoever signed the check (an inspector who cannot write orders)."""
        for order in self.sudo():
            values = order._autorepair_channel_values(order.partner_id)
            order._autorepair_notify("car_ready", self.env._(
                "%(shop)s: your car %(plate)s is ready (%(order)s). You can collect it now; amount due: "
                "%(amount)s.", shop=order.company_id.name, plate=values["plate"] or order.name,
                order=order.name, amount=order.currency_id.format(order._autorepair_customer_amount())), values)

    # ----------------------------------------------------------------- business

    def _last_check_result(self, check_type, before_id=None):
        """Result of the latest check of a kind, among the checks recorded before
        before_id (all of them without it), since the car last failed one: after
        a fail, the three checks start again from the self-check."""
        self.ensure_one()
        domain = [("order_id", "=", self.id)]
        if before_id:
            domain.append(("id", "<", before_id))
        checks = checks_since_last_fail(self.env["autorepair.quality.check"].search(domain, order="id"))
        return checks.filtered(lambda c: c.check_type == check_type)[-1:].result

    def _schedule_followup(self):
        """The follow-up call (回访) is due a set delay after delivery, for the
        customer's care agent (the advisor when none is assigned)."""
        activity_type = self.env.ref("autorepair_workshop.mail_activity_type_followup")
        for order in self:
            hours = order.company_id._autorepair_workshop_setting("followup_delay_hours")
            due = fields.Datetime.context_timestamp(order, order.delivered_date + timedelta(hours=hours)).date()
            order.activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=due,
                user_id=(order.partner_id.care_agent_id or order.advisor_id or self.env.user).id,
                summary=self.env._("Follow-up call: %(plate)s", plate=order.vehicle_id.license_plate or order.name),
            )

    def _parts_store(self):
        """The location the order's parts are issued from: the source of the
        company's parts issue operation (read as the system: the advisor who
        prints the parts list has no stock rights)."""
        self.ensure_one()
        return self.company_id._autorepair_parts_store()

    def _check_parts_issued(self):
        """The car leaves the final check with the parts it was approved: all issued."""
        for order in self:
            lines = order.line_ids.filtered(lambda line: line.qty_to_issue > 0)
            if lines:
                raise UserError(self.env._(
                    "The approved parts of %(order)s are not all issued yet: %(parts)s. "
                    "The storekeeper issues them before the final check.",
                    order=order.name, parts=", ".join(lines.mapped(lambda line: line._autorepair_part_label()))))

    def _check_parts_returned(self):
        for order in self:
            lines = order.line_ids.filtered(lambda line: line.qty_issued > 0)
            if lines:
                raise UserError(self.env._(
                    "Parts were issued for %(order)s: the storekeeper takes them back (return parts) "
                    "before it is cancelled: %(parts)s.",
                    order=order.name, parts=", ".join(lines.mapped(lambda line: line._autorepair_part_label()))))

    def _autorepair_parts_picking(self, issue=True):
        """Per order, its open parts issue picking (one at a time: a new one once
        the last is done), or a new return picking when issue is False."""
        Picking = self.env["stock.picking"].sudo()
        result = {}
        if issue:
            for picking in Picking.search([
                    ("autorepair_order_id", "in", self.ids), ("state", "not in", ("done", "cancel")),
                    ("location_dest_id.usage", "=", "production")], order="id"):
                result.setdefault(picking.autorepair_order_id, picking)
        todo = self.filtered(lambda order: order not in result)
        vals_list = []
        for order in todo:
            company = order.company_id
            picking_type = company.autorepair_parts_picking_type_id
            workshop = company.autorepair_consumption_location_id
            if not picking_type or not workshop:
                raise UserError(self.env._(
                    "%(company)s has no parts store set up (Inventory warehouse and workshop consumption "
                    "location): ask the administrator.", company=company.name))
            store = picking_type.default_location_src_id
            vals_list.append({
                "picking_type_id": picking_type.id,
                "location_id": (store if issue else workshop).id,
                "location_dest_id": (workshop if issue else store).id,
                "origin": order.name,
                "partner_id": order.partner_id.id,
                "company_id": company.id,
                "autorepair_order_id": order.id,
            })
        for order, picking in zip(todo, Picking.create(vals_list), strict=True):
            result[order] = picking
        return result

    def _autorepair_notify_shortage(self, lines):
        """Tell the advisor which of the parts just reserved the store lacks (缺件)."""
        for order in self:
            short = lines.filtered(lambda line, order=order: line.order_id == order and line.qty_missing > 0)
            if not short:
                continue
            staff = self.with_context(lang=order.advisor_id.lang or order.company_id.partner_id.lang or self.env.lang)
            parts = "; ".join(
                staff.env._("%(part)s: %(missing)s of %(quantity)s",
                            part=line._autorepair_part_label(), missing=fmt(line.qty_missing),
                           quantity=fmt(line.quantity))
                for line in short)
            order.message_post(
                body=staff.env._("Missing parts for %(order)s: %(parts)s. The storekeeper orders them.",
                                 order=order.name, parts=parts),
                partner_ids=order.advisor_id.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )

    def _invoice_partner_for(self, line):
        if line.bill_to == "warranty":
            maker = line.order_id.vehicle_id.model_id.brand_id.warranty_partner_id
            if not maker:
                raise UserError(self.env._(
                    "Set who pays the warranty of %(brand)s (After-Sales > Configuration > Brands) "
                    "before invoicing %(order)s.",
                    brand=line.order_id.vehicle_id.model_id.brand_id.name, order=line.order_id.name))
            return maker
        return line.order_id.partner_id

    def _check_can_assess(self):
        """The claim and its assessment are the advisor's, until the order is
        invoiced: the invoices then say what each payer owes."""
        if self.env.su:
            return
        if not self.env.user.has_group(ADVISOR):
            raise AccessError(self.env._("Only a service advisor enters the insurance claim and its assessment."))
        settled = self.filtered(lambda order: order._autorepair_is_settled())
        if settled:
            raise UserError(self.env._(
                "%(orders)s has been invoiced: its insurance claim and assessment can no longer change.",
                orders=", ".join(settled.mapped("name"))))

    def _insurance_shares(self):
        """Who pays what of each line the customer would pay, on an accident
        repair: {line: [{"payer": "insurer" or "customer", "amount": before
        tax, "taxes": compute_all of that share}]}. The insurer pays each line
        up to its assessed amount; the deductible then moves from the insurer's
        share to the customer's, line after line; the customer pays the rest."""
        self.ensure_one()
        deductible = self.deductible
        shares = {}
        for line in self.line_ids.sorted(lambda line: (line.sequence, line._origin.id or 0)):
            if line.bill_to != "customer" or line.decision in ("declined", "deferred"):
                continue
            base = line._insurance_base()
            insurer = min(line.assessed_amount, base)
            moved = min(deductible, insurer)
            deductible -= moved
            insurer = self.currency_id.round(insurer - moved)
            line_shares = [("insurer", insurer), ("customer", self.currency_id.round(base - insurer))]
            shares[line] = [
                {"payer": payer, "amount": amount,
                 "taxes": line.tax_ids.compute_all(
                     amount, line.currency_id, 1.0, product=line.product_id,
                     partner=self.insurer_id if payer == "insurer" else self.partner_id)}
                for payer, amount in line_shares if amount or (payer == "customer" and not insurer)
            ]
        return shares

    def _invoice_items(self):
        """(payer, line, amount) of each approved line: amount None bills the
        whole line to its payer, an amount bills that share of an accident
        repair's line (the insurer's or the customer's)."""
        self.ensure_one()
        shares = self._insurance_shares() if self.is_insurance else {}
        payers = {"insurer": self.insurer_id, "customer": self.partner_id}
        for line in self.line_ids.filtered("is_approved"):
            if line not in shares:
                yield self._invoice_partner_for(line), line, None
                continue
            line_shares = shares[line]
            for share in line_shares:
                yield payers[share["payer"]], line, None if len(line_shares) == 1 else share["amount"]

    def _goodwill_value(self):
        """What the goodwill (free) lines of the order are worth, tax
        included: what the dealer gives away."""
        self.ensure_one()
        return sum(
            line.tax_ids.compute_all(line.price_unit, line.currency_id, line.quantity,
                                     product=line.product_id, partner=self.partner_id)["total_included"]
            for line in self.line_ids if line.bill_to == "goodwill" and line.decision not in ("declined", "deferred"))

    def _goodwill_allowance(self):
        """Up to what an advisor may grant goodwill on the order on his own right."""
        self.ensure_one()
        return self.company_id._autorepair_workshop_setting("goodwill_approval_amount")

    def _check_goodwill_allowance(self):
        """Goodwill is money the dealer gives: above the allowance of Settings,
        only a service manager grants it."""
        if self.env.su or self.env.user.has_group("autorepair_crm.group_manager"):
            return
        for order in self:
            allowance = order._goodwill_allowance()
            if order.currency_id.compare_amounts(order._goodwill_value(), allowance) > 0:
                raise AccessError(self.env._(
                    "Goodwill on %(order)s would exceed %(limit)s: a service manager grants goodwill above it.",
                    order=order.name, limit=allowance))

    def _autorepair_settleable(self):
        """Waiting for the cashier: ready and not settled yet, or delivered by an
        earlier version without being settled."""
        self.ensure_one()
        return (self.state == "ready" and not self.settled_date) or self.state == "delivered"

    def _check_invoiceable(self):
        for order in self:
            if order.state == "ready" and order.settled_date:
                raise UserError(self.env._("%(order)s is already settled.", order=order.name))
            if not order._autorepair_settleable():
                raise UserError(self.env._(
                    "%(order)s is invoiced once its final check has passed.", order=order.name))
            if order.line_ids.filtered(lambda line: line.decision == "pending"):
                raise UserError(self.env._(
                    "%(order)s has lines the customer has not decided yet: they cannot be invoiced.",
                    order=order.name))
            if order.is_insurance and (not order.insurer_id or not order.claim_number):
                raise UserError(self.env._(
                    "%(order)s is an accident repair: enter its insurer and claim number (Insurance tab) "
                    "before settling it.", order=order.name))
            if not order.repair_category:
                raise UserError(self.env._(
                    "Choose the repair category of %(order)s (JT/T 1133) before settling it: it sets the "
                    "guarantee and goes on the statement.", order=order.name))
            if order.fapiao_type == "special":
                order._check_special_fapiao()

    def _create_invoices(self):
        """Settlement: one invoice per payer from the approved lines; warranty
        lines go to the maker, goodwill lines stay on the customer's at zero,
        an accident repair's lines are shared between the insurer and the
        customer (_insurance_shares). All invoices of the batch are created in one call and posted together."""
        self._check_invoiceable()
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "in", self.company_id.ids)], limit=1)
        if not journal:
            raise UserError(self.env._("Create a sales journal before invoicing service orders."))
        vals_list = []
        distributions = {}
        for order in self:
            by_partner = {}
            for partner, line, amount in order._invoice_items():
                by_partner.setdefault(partner, []).append((line, amount))
            for partner, items in by_partner.items():
                vals_list.append(order._prepare_invoice_vals(partner, items, journal, distributions))
        # the order's chatter records the settlement: spare each invoice its creation
        # note and follower (a third of the queries of a batch)
        moves = self.env["account.move"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True).create(vals_list)
        moves.action_post()
        now = fields.Datetime.now()
        ready = self.filtered(lambda order: order.state == "ready")
        if ready:
            ready._transition("settle", settled_date=now)
        if self - ready:
            (self - ready)._transition("settle_delivered", settled_date=now)
        return moves

    def _prepare_invoice_vals(self, partner, items, journal, distributions):
        """The invoice of one payer; items are (line, amount) as _invoice_items gives them."""
        self.ensure_one()
        invoice_lines = [
            fields.Command.create(line._prepare_invoice_line_vals(
                self._analytic_distribution(line.product_id, partner, distributions), amount=amount))
            for line, amount in items
        ]
        if partner == self.partner_id:
            # the cards and coupons the customer redeemed reduce what he pays
            rewards = self.sudo().reward_ids
            invoice_lines += [fields.Command.create(vals) for vals in rewards._prepare_invoice_line_vals()]
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": journal.id,
            "company_id": self.company_id.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": self.name,
            "ref": (self.claim_number if self.is_insurance and partner == self.insurer_id else False)
            or self.vehicle_id.license_plate or False,
            "autorepair_service_order_id": self.id,
            "invoice_line_ids": invoice_lines,
        }

    def _analytic_distribution(self, product, partner, cache):
        """The analytic distribution models' answer for a product and payer, asked
        once per pair: account's own compute asks per invoice line."""
        key = (product, partner)
        if key not in cache:
            cache[key] = self.env["account.analytic.distribution.model"]._get_distribution({
                "product_id": product.id,
                "product_categ_id": product.categ_id.id,
                "partner_id": partner.id,
                "partner_category_id": partner.category_id.ids,
                "account_prefix": product.product_tmpl_id.get_product_accounts()["income"].code,
                "company_id": self.company_id.id,
            })
        return cache[key]

    # ---------------------------------------------- statutory records (JT/T 1133)

    @api.depends("need_type")
    def _compute_repair_category(self):
        # a default the advisor corrects; once work starts a change of need leaves it alone
        for order in self:
            if order.state in (False, "draft", "received") or not order.repair_category:
                order.repair_category = NEED_CATEGORIES.get(order.need_type, order.repair_category)

    @api.depends("repair_category", "delivered_date", "settled_date", "odometer_in", "company_id")
    def _compute_guarantee(self):
        # from completion: the release, or the settlement the statement is printed at just before it
        for order in self:
            completed_on = order.delivered_date or order.settled_date
            if not (order.repair_category and completed_on):
                order.update({"guarantee_days": 0, "guarantee_km": 0,
                              "guarantee_end_date": False, "guarantee_end_km": 0})
                continue
            days, km = order.company_id._autorepair_workshop_guarantee(order.repair_category)
            completed = fields.Datetime.context_timestamp(order, completed_on).date()
            order.update({
                "guarantee_days": days,
                "guarantee_km": km,
                "guarantee_end_date": completed + timedelta(days=days),
                "guarantee_end_km": int(order.odometer_in) + km,
            })

    @api.depends("rework_of_id")
    def _compute_rework(self):
        for order in self:
            first = order.rework_of_id.sudo()
            order.is_rework = bool(first)
            order.rework_advisor_id = first.advisor_id
            order.rework_technician_id = first._autorepair_main_technician()

    @api.depends("repair_category")
    def _compute_needs_certificate(self):
        for order in self:
            order.needs_certificate = order.repair_category in CERTIFIED_CATEGORIES

    @api.constrains("fapiao_type", "partner_id")
    def _check_fapiao_type(self):
        for order in self.filtered(lambda o: o.fapiao_type == "special"):
            order._check_special_fapiao()

    def _autorepair_main_technician(self):
        """The technician answerable for the order's work: the one it was
        booked for, else the one who clocked the most hours on it."""
        if not self:
            return self.env["res.users"]
        self.ensure_one()
        if self.technician_id:
            return self.technician_id
        hours = {}
        for log in self.env["autorepair.work.log"].sudo().search([("order_id", "=", self.id)]):
            hours[log.user_id] = hours.get(log.user_id, 0.0) + log.duration
        return max(hours, key=hours.get) if hours else self.env["res.users"]

    def _autorepair_guarantee_covering(self):
        """The latest earlier order of the car whose guarantee this visit
        (its reception date and odometer) falls in, if any."""
        self.ensure_one()
        day = fields.Datetime.context_timestamp(self, self.received_date or fields.Datetime.now()).date()
        return self.sudo().search([
            ("vehicle_id", "=", self.vehicle_id.id), ("id", "!=", self.id),
            ("company_id", "=", self.company_id.id),
            ("state", "in", DELIVERED_STATES), ("guarantee_end_date", ">=", day),
            ("delivered_date", "<=", self.received_date or fields.Datetime.now()),
            ("guarantee_end_km", ">=", self.odometer_in),
        ], order="delivered_date desc, id desc", limit=1)

    def _autorepair_flag_rework(self):
        """At reception: a car back within an earlier order's guarantee is a rework (返修)."""
        for order in self:
            if first := order._autorepair_guarantee_covering():
                order._write_workflow({"rework_of_id": first.id})
                order.message_post(body=self.env._(
                    "Rework: the car is back within the guarantee of %(order)s (until %(date)s or %(km)s km).",
                    order=first.name, date=first.guarantee_end_date, km=first.guarantee_end_km))

    def _autorepair_issue_certificates(self):
        """Number the completion certificate of the orders whose category
        needs one, signed by the inspector of the passing final check."""
        for order in self.filtered(lambda o: o.needs_certificate and not o.certificate_number):
            final = order.check_ids.filtered(lambda c: c.check_type == "final" and c.result == "pass").sorted("id")[-1:]
            number = self.env["ir.sequence"].with_company(order.company_id).sudo().next_by_code(
                "autorepair.completion.certificate")
            order._write_workflow({
                "certificate_number": number,
                "certificate_date": fields.Datetime.now(),
                "certificate_inspector_id": final.user_id.id,
            })

    def _check_special_fapiao(self):
        """A special VAT fapiao (增值税专用发票) goes to a company with its full
        tax data: name, a valid unified social credit code, address and
        phone, bank and account."""
        self.ensure_one()
        buyer = self.partner_id.commercial_partner_id.sudo()
        if not buyer.is_company:
            raise ValidationError(self.env._(
                "A special VAT fapiao is issued to a company, not to %(buyer)s: choose an ordinary fapiao.",
                buyer=buyer.display_name))
        missing = buyer._autorepair_fapiao_missing(special=True)
        if missing:
            raise ValidationError(self.env._(
                "%(buyer)s lacks the data of a special VAT fapiao: %(missing)s.",
                buyer=buyer.display_name, missing=", ".join(missing)))

    def action_view_guarantee_orders(self):
        return self.vehicle_id.action_view_guarantee_orders()

    def init(self):
        # the workshop kanban and the pivot read orders by state and date
        self.env.cr.execute(SQL(
            "CREATE INDEX IF NOT EXISTS autorepair_service_order_state_date_idx "
            "ON autorepair_service_order (state, id DESC)"
        ))
