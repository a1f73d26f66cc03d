import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED

from .autorepair_care_task import CALLS_CONTEXT

ANSWERS = [
    ("very_satisfied", "Very Satisfied"),
    ("satisfied", "Satisfied"),
    ("dissatisfied", "Dissatisfied"),
]
# what each step may write, and who (see _check_step_rights)
CALL_FIELDS = frozenset({"call_answer", "call_note"})
CHECK_FIELDS = frozenset({"check_answer", "check_note"})
CALLBACK_FIELDS = frozenset({"callback_note"})
HEAD_FIELDS = frozenset({
    "vehicle_id", "partner_id", "user_id", "delivered_at", "company_id", "check_user_id", "callback_user_id",
    "active"})
# written by the steps' buttons only
STEP_FIELDS = frozenset({"call_date", "check_date", "callback_date", "check_scheduled"})
SALES_MANAGER = "autorepair_care.group_sales_manager"
ACTIVITY = {
    "call": "autorepair_care.mail_activity_type_delivery_call",
    "check": "autorepair_care.mail_activity_type_delivery_check",
    "callback": "autorepair_care.mail_activity_type_delivery_callback",
}


class AutorepairSalesDelivery(models.Model):
    """A new car handed over by a sales consultant (RULEBOOK §6.7) and its
    three follow-ups: the consultant's call within 24 hours, the care
    department's check at 72 hours, and the sales manager's call back to a
    dissatisfied customer within 2 days (hours and days: Settings). The
    customer's answer counts in the consultant's "very satisfied" rate."""

    _name = "autorepair.sales.delivery"
    _autorepair_personal_fields = ("partner_mobile", "partner_phone", "call_note", "check_note", "callback_note")
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "New-Car Delivery"
    _order = "delivered_at desc, id desc"
    _check_company_auto = True

    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, ondelete="cascade")
    vehicle_id = fields.Many2one(
        "fleet.vehicle", string="Vehicle", required=True, index=True, ondelete="restrict", check_company=True,
        tracking=True)
    license_plate = fields.Char(related="vehicle_id.license_plate", string="Plate")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict", tracking=True,
        compute="_compute_partner_id", store=True, readonly=False, precompute=True)
    # copies of the customer's numbers: hidden from workshop staff as his are
    partner_mobile = fields.Char(related="partner_id.mobile", string="Mobile", groups=CONTACT_MASKED)
    partner_phone = fields.Char(related="partner_id.phone", string="Phone", groups=CONTACT_MASKED)
    user_id = fields.Many2one(
        "res.users", string="Sales Consultant", required=True, index=True, ondelete="restrict", tracking=True,
        default=lambda self: self.env.user, domain=lambda self: [
            ("groups_id", "in", self.env.ref("autorepair_crm.group_sales").ids), ("share", "=", False)])
    delivered_at = fields.Datetime(
        string="Delivered On", required=True, index=True, default=fields.Datetime.now, tracking=True)
    state = fields.Selection(
        [("open", "In Progress"), ("done", "Done")], compute="_compute_state", store=True, index=True)
    satisfaction = fields.Selection(
        ANSWERS, compute="_compute_satisfaction", store=True, index=True,
        help="The care department's answer when its check reached the customer, else the consultant's: "
        "counted in the consultant's very satisfied rate.")

    # the consultant's call within 24 hours
    call_deadline = fields.Datetime(string="Call By", compute="_compute_deadlines", store=True)
    call_date = fields.Datetime(string="Called On", readonly=True, copy=False)
    call_answer = fields.Selection(ANSWERS, string="Customer's Answer", copy=False, tracking=True)
    call_note = fields.Text(string="Call Remarks", copy=False)
    call_on_time = fields.Boolean(compute="_compute_on_time", store=True, string="Called in Time")
    call_late = fields.Boolean(compute="_compute_late", search="_search_call_late", string="24 h Call Late")

    # the care department's check at 72 hours
    check_user_id = fields.Many2one(
        "res.users", string="Care Agent", index=True, ondelete="set null", tracking=True,
        compute="_compute_check_user_id", store=True, readonly=False, precompute=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("autorepair_care.group_care_agent").ids), ("share", "=", False)])
    check_deadline = fields.Datetime(string="Check By", compute="_compute_deadlines", store=True)
    check_scheduled = fields.Boolean(readonly=True, copy=False, help="The care agent's call is on his list.")
    check_date = fields.Datetime(string="Checked On", readonly=True, copy=False)
    check_answer = fields.Selection(ANSWERS, string="Answer to Care", copy=False, tracking=True)
    check_note = fields.Text(string="Check Remarks", copy=False)
    check_on_time = fields.Boolean(compute="_compute_on_time", store=True, string="Checked in Time")
    check_late = fields.Boolean(compute="_compute_late", search="_search_check_late", string="Care Check Late")

    # the sales manager's call back to a dissatisfied customer
    callback_required = fields.Boolean(
        compute="_compute_callback", store=True, string="Dissatisfied", index=True)
    callback_user_id = fields.Many2one(
        "res.users", string="Supervisor", index=True, ondelete="set null", tracking=True, copy=False)
    callback_deadline = fields.Datetime(string="Call Back By", compute="_compute_callback", store=True)
    callback_date = fields.Datetime(string="Called Back On", readonly=True, copy=False)
    callback_note = fields.Text(string="Callback Remarks", copy=False)
    callback_on_time = fields.Boolean(compute="_compute_on_time", store=True, string="Called Back in Time")
    callback_late = fields.Boolean(
        compute="_compute_late", search="_search_callback_late", string="Call Back Late")

    # what the reader may record (the form's buttons and editable answers)
    can_call = fields.Boolean(compute="_compute_can")
    can_check = fields.Boolean(compute="_compute_can")
    can_call_back = fields.Boolean(compute="_compute_can")

    is_late = fields.Boolean(
        compute="_compute_late", search="_search_is_late", string="Late",
        help="A step done after its deadline, or still to do past it.")

    _sql_constraints = [
        ("vehicle_uniq", "UNIQUE (vehicle_id)", "This car's new-car delivery is already recorded."),
    ]

    # ------------------------------------------------------------------ computes

    @api.depends("vehicle_id.license_plate", "partner_id.name")
    def _compute_display_name(self):
        for delivery in self:
            delivery.display_name = " ".join(
                part for part in (delivery.vehicle_id.license_plate or delivery.vehicle_id.name,
                                  delivery.partner_id.name) if part)

    @api.depends("vehicle_id")
    def _compute_partner_id(self):
        for delivery in self:
            delivery.partner_id = delivery.vehicle_id.owner_id or delivery.partner_id

    @api.depends("partner_id")
    def _compute_check_user_id(self):
        for delivery in self:
            delivery.check_user_id = delivery.partner_id.care_agent_id or delivery.check_user_id

    @api.depends("delivered_at", "company_id")
    def _compute_deadlines(self):
        for delivery in self:
            if not delivery.delivered_at:
                delivery.call_deadline = delivery.check_deadline = False
                continue
            company = delivery.company_id
            delivery.call_deadline = delivery.delivered_at + datetime.timedelta(
                hours=company._autorepair_care_setting("delivery_call_hours"))
            delivery.check_deadline = delivery.delivered_at + datetime.timedelta(
                hours=company._autorepair_care_setting("delivery_check_hours"))

    @api.depends("call_answer", "call_date", "check_answer", "check_date", "company_id")
    def _compute_callback(self):
        for delivery in self:
            # from the first dissatisfied answer recorded
            dates = [date for answer, date in ((delivery.call_answer, delivery.call_date),
                                               (delivery.check_answer, delivery.check_date))
                     if answer == "dissatisfied" and date]
            delivery.callback_required = bool(dates)
            delivery.callback_deadline = dates and min(dates) + datetime.timedelta(
                days=delivery.company_id._autorepair_care_setting("delivery_callback_days"))

    @api.depends("call_date", "check_date", "callback_date", "callback_required")
    def _compute_state(self):
        for delivery in self:
            done = delivery.call_date and delivery.check_date and (
                delivery.callback_date or not delivery.callback_required)
            delivery.state = "done" if done else "open"

    @api.depends("call_answer", "call_date", "check_answer", "check_date")
    def _compute_satisfaction(self):
        for delivery in self:
            delivery.satisfaction = (delivery.check_date and delivery.check_answer) or (
                delivery.call_date and delivery.call_answer) or False

    @api.depends("call_date", "call_deadline", "check_date", "check_deadline", "callback_date",
                 "callback_deadline")
    def _compute_on_time(self):
        for delivery in self:
            for step in ("call", "check", "callback"):
                date, deadline = delivery[f"{step}_date"], delivery[f"{step}_deadline"]
                delivery[f"{step}_on_time"] = bool(date and deadline and date <= deadline)

    @api.depends_context("uid")
    def _compute_can(self):
        manager = self._is_sales_manager()
        agent = self.env.su or self.env.user.has_group("autorepair_care.group_care_agent")
        for delivery in self:
            delivery.can_call = manager or delivery.user_id == self.env.user
            delivery.can_check = agent
            delivery.can_call_back = manager

    def _step_late(self, step, now):
        self.ensure_one()
        if step == "callback" and not self.callback_required:
            return False
        if self[f"{step}_date"]:
            return not self[f"{step}_on_time"]
        return bool(self[f"{step}_deadline"] and self[f"{step}_deadline"] < now)

    def _compute_late(self):
        now = fields.Datetime.now()
        for delivery in self:
            for step in ("call", "check", "callback"):
                delivery[f"{step}_late"] = delivery._step_late(step, now)
            delivery.is_late = delivery.call_late or delivery.check_late or delivery.callback_late

    @api.model
    def _late_domain(self, step):
        now = fields.Datetime.now()
        domain = ["|", "&", (f"{step}_date", "=", False), (f"{step}_deadline", "<", now),
                  "&", (f"{step}_date", "!=", False), (f"{step}_on_time", "=", False)]
        if step == "callback":
            domain = ["&", ("callback_required", "=", True), *domain]
        return domain

    def _late_search(self, step, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on a late flag."))
        domain = self._late_domain(step)
        return domain if (operator == "=") == value else ["!", *domain]

    def _search_call_late(self, operator, value):
        return self._late_search("call", operator, value)

    def _search_check_late(self, operator, value):
        return self._late_search("check", operator, value)

    def _search_callback_late(self, operator, value):
        return self._late_search("callback", operator, value)

    def _search_is_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on a late flag."))
        domain = ["|", "|", *self._late_domain("call"), *self._late_domain("check"), *self._late_domain("callback")]
        return domain if (operator == "=") == value else ["!", *domain]

    # --------------------------------------------------------------- constraints

    @api.constrains("user_id")
    def _check_user_id(self):
        for delivery in self:
            if not delivery.user_id.has_group("autorepair_crm.group_sales"):
                raise ValidationError(self.env._(
                    "%(user)s is not a sales consultant: a new car is handed over by a sales consultant.",
                    user=delivery.user_id.name))

    @api.constrains("delivered_at")
    def _check_delivered_at(self):
        # a little slack for the clocks of the consultants' phones
        limit = fields.Datetime.now() + datetime.timedelta(minutes=10)
        for delivery in self:
            if delivery.delivered_at > limit:
                raise ValidationError(self.env._("A delivery is recorded once the car is handed over, not before."))

    # --------------------------------------------------------------- rights

    def _is_sales_manager(self):
        return self.env.su or self.env.user.has_group(SALES_MANAGER)

    def _check_step_rights(self, fnames):
        """Each step is written by its own people (the server's rule for
        every caller): the consultant his call, a care agent the check, the
        sales manager the call back and the head of the record once created.
        A step recorded is frozen: the figures count what was answered."""
        if self.env.su:
            return
        fnames = set(fnames)
        if fnames & STEP_FIELDS:
            raise AccessError(self.env._("The dates of the follow-ups are set by their buttons only."))
        manager = self._is_sales_manager()
        if fnames & HEAD_FIELDS and not manager:
            raise AccessError(self.env._("Only a sales manager may change a recorded delivery."))
        for delivery in self:
            if fnames & CALL_FIELDS:
                if not (manager or delivery.user_id == self.env.user):
                    raise AccessError(self.env._("Only the delivery's consultant records his call."))
                if delivery.call_date:
                    raise UserError(self.env._("The consultant's call is recorded and can no longer change."))
            if fnames & CHECK_FIELDS:
                if not self.env.user.has_group("autorepair_care.group_care_agent"):
                    raise AccessError(self.env._("Only the care department records the 72-hour check."))
                if delivery.check_date:
                    raise UserError(self.env._("The care check is recorded and can no longer change."))
            if fnames & CALLBACK_FIELDS:
                if not manager:
                    raise AccessError(self.env._("Only a sales manager calls a dissatisfied customer back."))
                if delivery.callback_date:
                    raise UserError(self.env._("The call back is recorded and can no longer change."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            manager = self._is_sales_manager()
            for vals in vals_list:
                if set(vals) & STEP_FIELDS:
                    raise AccessError(self.env._("The dates of the follow-ups are set by their buttons only."))
                if not manager and (vals.get("user_id", self.env.uid) != self.env.uid
                                    or vals.get("callback_user_id")):
                    raise AccessError(self.env._("A sales consultant records his own deliveries."))
                if not manager and set(vals) & (CHECK_FIELDS | CALLBACK_FIELDS | CALL_FIELDS):
                    raise AccessError(self.env._("The follow-ups are recorded by their buttons once the car "
                                                 "is handed over."))
        deliveries = super().create(vals_list)
        for delivery in deliveries.sudo():
            if not delivery.vehicle_id.delivery_date:
                delivery.vehicle_id.delivery_date = fields.Datetime.context_timestamp(
                    delivery, delivery.delivered_at).date()
        deliveries.filtered(lambda d: not d.call_date)._schedule_step("call", "user_id", "call_deadline")
        return deliveries

    def write(self, vals):
        self._check_step_rights(vals)
        result = super().write(vals)
        if "user_id" in vals:
            # the call goes to the new consultant
            for delivery in self.sudo().filtered(lambda d: not d.call_date):
                delivery.activity_reschedule([ACTIVITY["call"]], new_user_id=delivery.user_id.id)
        return result

    # --------------------------------------------------------------- steps

    def _schedule_step(self, step, user_field, deadline_field):
        """Each delivery's call of the step on the list of its person
        (``user_field``), due on the local day of ``deadline_field``; created
        in one batch (sudo: a trusted path, the caller's rights were checked
        by the step). No follower row per delivery: the activity tells him."""
        activity_type = self.env.ref(ACTIVITY[step])
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for delivery in self:
            user = delivery[user_field]
            if not user:
                continue
            local = fields.Datetime.context_timestamp(
                delivery.with_context(tz=user.tz or "Asia/Shanghai"), delivery[deadline_field])
            vals_list.append({
                "res_model_id": model_id, "res_id": delivery.id, "activity_type_id": activity_type.id,
                "summary": activity_type.summary, "user_id": user.id, "date_deadline": local.date(),
                # as activity_schedule: the step's button closes it (activity_feedback)
                "automated": True})
        self.env["mail.activity"].sudo().with_context(**CALLS_CONTEXT).create(vals_list)

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        if self.env.context.get("care_activity_nosubscribe"):
            return True
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def _record_step(self, step, fnames):
        self.ensure_one()
        self.check_access("write")
        self._check_step_rights(fnames)
        if step != "callback" and not self[f"{step}_answer"]:
            raise UserError(self.env._("Record the customer's answer first: very satisfied, satisfied or "
                                       "dissatisfied."))
        if step == "callback" and not self.callback_required:
            raise UserError(self.env._("Only a dissatisfied customer is called back."))
        if step == "callback" and not self.callback_note:
            raise UserError(self.env._("Write down what the customer said and what was agreed."))
        delivery = self.sudo()
        had_callback = delivery.callback_required
        delivery.write({f"{step}_date": fields.Datetime.now()})
        delivery.activity_feedback([ACTIVITY[step]])
        if step == "check":
            delivery.check_scheduled = True
        if delivery.callback_required and not had_callback:
            supervisor = delivery.callback_user_id or delivery._sales_supervisor()
            delivery.callback_user_id = supervisor
            delivery._schedule_step("callback", "callback_user_id", "callback_deadline")
        return True

    def action_record_call(self):
        for delivery in self:
            delivery._record_step("call", CALL_FIELDS)
        return True

    def action_record_check(self):
        for delivery in self:
            delivery._record_step("check", CHECK_FIELDS)
        return True

    def action_record_callback(self):
        for delivery in self:
            delivery._record_step("callback", CALLBACK_FIELDS)
        return True

    def _sales_supervisor(self):
        """Who calls a dissatisfied customer back: the company's sales manager
        of Settings, else the first sales manager of the company."""
        self.ensure_one()
        supervisor = self.company_id.sudo().autorepair_care_sales_manager_id
        return supervisor or self._first_of_role(SALES_MANAGER, self.company_id)

    @api.model
    def _first_of_role(self, group_xmlid, company):
        """The company's first user of a role who holds it as his own job:
        the service and general managers, who carry every role, come last."""
        users = self.env["res.users"].sudo().search([
            ("groups_id", "in", self.env.ref(group_xmlid).ids), ("share", "=", False),
            ("company_ids", "in", company.ids)], order="id")
        heads = users.filtered(lambda user: user.has_group("autorepair_crm.group_manager"))
        return ((users - heads) or heads)[:1]

    @api.model
    def _cron_schedule_checks(self):
        """Puts the care department's 72-hour check on the agent's list the
        day before it is due, once (check_scheduled), a batch at a time; a
        customer without an agent goes to the company's first care manager.

        :return: ``scheduled`` and ``remaining``, as the care crons report
        """
        lead = datetime.timedelta(hours=24)
        domain = [("check_scheduled", "=", False), ("check_date", "=", False),
                  ("check_deadline", "<=", fields.Datetime.now() + lead)]
        Delivery = self.sudo()
        batch = self.env["res.company"]._autorepair_care_setting("batch_size")
        deliveries = Delivery.search(domain, order="check_deadline, id", limit=batch)
        for company, orphans in deliveries.filtered(lambda d: not d.check_user_id).grouped("company_id").items():
            orphans.check_user_id = self._first_of_role("autorepair_care.group_care_manager", company)
        deliveries._schedule_step("check", "check_user_id", "check_deadline")
        deliveries.check_scheduled = True
        result = {"scheduled": len(deliveries), "done": len(deliveries),
                  "remaining": Delivery.search_count(domain)}
        self.env["autorepair.care.task"]._report_progress("autorepair_care.ir_cron_schedule_checks", result)
        return result
