import datetime
import heapq
import logging
import threading
import time
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, html_escape

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED
from odoo.addons.autorepair_crm.tools import with_unsubscribe_line
from odoo.addons.autorepair_workshop.models.autorepair_service_order import DELIVERED_STATES
from odoo.addons.sms.tools.sms_tools import sms_content_to_rendered_html

from .autorepair_care_rule import KINDS

_logger = logging.getLogger(__name__)

STATES = [
    ("open", "To Contact"),
    ("correction", "Wrong Number"),
    ("booked", "Booked"),
    ("reminded", "Reminded"),
    ("returned", "Returned"),
    ("elsewhere", "Serviced Elsewhere"),
    ("failed", "Failed"),
    ("cancel", "Cancelled"),
]
# the contact was made: the customer was reached (then booked, came back or
# went elsewhere), or the rule's first message went out
REMINDED_STATES = ("reminded", "booked", "returned", "elsewhere")
# the task's contact is over: its closing day is kept (done_date)
DONE_STATES = ("booked", "reminded", "returned", "elsewhere", "failed", "cancel")
# a task in these states can still turn into a return
RETURNABLE_STATES = ("open", "correction", "booked", "reminded", "elsewhere", "failed")
FAILURE_REASONS = [("unreachable", "Unreachable"), ("expired", "Not Done in Time")]
NO_RETURN_REASONS = [
    ("elsewhere", "Serviced Elsewhere"),
    ("price", "Price"),
    ("distance", "Too Far"),
    ("time", "No Time"),
    ("quality", "Unhappy with Our Service"),
    ("car_sold", "Car Sold"),
    ("not_needed", "Not Needed Yet"),
    ("other", "Other"),
]
# what a care manager may write in a script without being a template editor
SCRIPT_PLACEHOLDERS = (
    "partner_id.name", "partner_id.id", "partner_id.lang", "user_id.name", "company_id.name", "company_id.phone",
    "company_id.email_formatted", "vehicle_id.license_plate", "vehicle_id.name", "vehicle_id.inspection_due_date",
    "vehicle_id.insurance_expiry_date", "vehicle_id.warranty_end_date", "vehicle_id.warranty_end_km",
    "due_date", "deadline", "due_km", "work_summary", "last_visit_date", "license_plate",
    "package_id.name", "package_summary",
)
# the reminders that name the maintenance package due
PACKAGE_KINDS = ("first_maintenance", "periodic_maintenance")
# call activities created or moved in batches: no "assigned to you" email and
# no follower row per task (see message_subscribe)
CALLS_CONTEXT = {"mail_activity_quick_update": True, "care_activity_nosubscribe": True}
LOST_CLASSES = [
    ("local_in", "Local, in Warranty"),
    ("local_out", "Local, out of Warranty"),
    ("remote_in", "Non-Local, in Warranty"),
    ("remote_out", "Non-Local, out of Warranty"),
]


class AutorepairCareTask(models.Model):
    """One contact due with one customer (or about one vehicle) for one rule
    on one day: the care calendar. Created by the daily run, worked by the
    customer's care agent through attempts, closed as reminded, booked or
    returned, or failed after the attempt policy."""

    _name = "autorepair.care.task"
    # the phones shown to the agent (related), what the customer said, where he went instead
    _autorepair_personal_fields = (
        "partner_mobile", "partner_phone", "no_return_note", "other_shop_name", "other_shop_place")
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Care Task"
    _order = "next_call_date, due_date, id"
    _check_company_auto = True

    # no index of its own: the unique key's leads with it
    rule_id = fields.Many2one("autorepair.care.rule", string="Rule", required=True, ondelete="restrict")
    kind = fields.Selection(KINDS, required=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    vehicle_id = fields.Many2one(
        "fleet.vehicle", string="Vehicle", index=True, ondelete="cascade", check_company=True, tracking=True)
    license_plate = fields.Char(
        string="Plate", compute="_compute_license_plate", search="_search_license_plate",
        help="The car's plate; for a contact with the customer (lost customer, birthday) the plates of his cars.")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade", tracking=True)
    # copies of the customer's numbers: hidden from workshop staff as his are
    partner_mobile = fields.Char(related="partner_id.mobile", string="Mobile", groups=CONTACT_MASKED)
    partner_phone = fields.Char(related="partner_id.phone", string="Phone", groups=CONTACT_MASKED)
    preferred_slot_id = fields.Many2one(related="partner_id.preferred_slot_id", string="Preferred Time")
    user_id = fields.Many2one("res.users", string="Agent", index=True, ondelete="set null", tracking=True)
    due_date = fields.Date(required=True, index=True, tracking=True)
    deadline = fields.Date(required=True, help="Past this day an uncompleted contact fails.")
    due_km = fields.Integer(string="Due at (km)")
    state = fields.Selection(STATES, default="open", required=True, index=True, tracking=True)
    done_date = fields.Datetime(
        string="Closed On", copy=False, index=True, readonly=True,
        help="When the task reached its outcome (reminded, booked, returned, serviced elsewhere, failed or "
        "cancelled); cleared when it is reopened.")
    to_schedule = fields.Boolean(
        default=True, copy=False, help="Created by the daily run; its activity is still to be scheduled.")
    next_call_date = fields.Date(string="Call On", index=True)
    next_slot_id = fields.Many2one("autorepair.time.slot", string="Call In", ondelete="set null")
    attempt_deadline = fields.Date(
        string="Attempts Until", help="The attempt policy's last day, counted from the first unanswered call.")
    attempt_ids = fields.One2many("autorepair.care.attempt", "task_id", string="Attempts")
    call_count = fields.Integer(compute="_compute_call_count", store=True, string="Calls")
    failure_reason = fields.Selection(FAILURE_REASONS, tracking=True)
    message_channel = fields.Selection([("sms", "SMS"), ("email", "Email")], copy=False)
    message_state = fields.Selection(
        [("pending", "To Send"), ("queued", "Queued"), ("blocked", "Not Sent")], copy=False, index=True)
    message_block_reason = fields.Char(string="Why Not Sent", copy=False)
    # did not come back (RULEBOOK §4)
    no_return_reason = fields.Selection(NO_RETURN_REASONS, string="Reason", tracking=True)
    no_return_note = fields.Text(string="What the Customer Said")
    other_shop_name = fields.Char(string="Other Shop")
    other_shop_place = fields.Char(string="Other Shop's Place")
    other_shop_price = fields.Monetary(string="Other Shop's Price")
    service_order_id = fields.Many2one(
        "autorepair.service.order", string="Appointment", ondelete="set null", copy=False, index=True)
    followup_order_id = fields.Many2one(
        "autorepair.service.order", string="Follow-up of", ondelete="cascade", copy=False, index="btree_not_null",
        help="The delivered order whose follow-up call did not reach the customer: he is called again.")
    returned_order_id = fields.Many2one(
        "autorepair.service.order", string="Returned With", ondelete="set null", copy=False, index=True)
    returned_date = fields.Datetime(string="Returned On", copy=False)
    # lost-customer lists: the customer as he was on the list's day
    is_local = fields.Boolean(string="Local")
    warranty_state = fields.Selection([("in", "In Warranty"), ("out", "Out of Warranty")], string="Warranty")
    lost_class = fields.Selection(LOST_CLASSES, string="Class", index=True)
    last_visit_date = fields.Date(string="Last Visit")
    absent_days = fields.Integer(string="Days Absent")
    script = fields.Html(compute="_compute_script", sanitize=False)
    work_summary = fields.Char(string="Work", compute="_compute_work_summary")
    package_id = fields.Many2one(
        "autorepair.service.package", string="Package Due", compute="_compute_package_id",
        help="The maintenance package the car is due for (first and periodic maintenance reminders).")
    package_summary = fields.Char(
        string="Package", compute="_compute_package_id",
        help="The package due as the script says it: its name, what it covers and its price.")

    _sql_constraints = [
        ("target_uniq", "UNIQUE NULLS NOT DISTINCT (rule_id, vehicle_id, partner_id, due_date)",
         "This contact is already in the care calendar."),
        ("followup_order_uniq", "UNIQUE (followup_order_id)", "The order's follow-up is already in the care calendar."),
    ]

    def init(self):
        # Dropped from earlier versions: with the rule's tasks looking few (a first run, fresh
        # statistics), the run's cap check took it to scan all of the rule's tasks for each
        # candidate, those its own statement was inserting included (the lost rule's 88,000
        # customers: 13 minutes); without it, the check reads the customer's or car's tasks.
        self.env.cr.execute("DROP INDEX IF EXISTS autorepair_care_task__rule_id_index")
        # the queues of the daily run and the dispatch: small slices of a big table; and
        # each agent's "To Call Today" in its list order (thousands open per agent)
        for name, columns, where in (
            ("to_schedule", "id", "to_schedule"),
            ("open_deadline", "deadline", "state = 'open'"),
            ("agent_queue", "user_id, next_call_date, due_date, id", "state = 'open'"),
            ("message_pending", "id", "message_state = 'pending'"),
        ):
            self.env.cr.execute(SQL(
                "CREATE INDEX IF NOT EXISTS %s ON autorepair_care_task (%s) WHERE %s",
                SQL.identifier(f"autorepair_care_task_{name}_idx"), SQL(columns), SQL(where),
            ))

    @api.model
    def mail_allowed_qweb_expressions(self):
        return super().mail_allowed_qweb_expressions() + tuple(f"object.{path}" for path in SCRIPT_PLACEHOLDERS)

    @api.model
    def _sql_reminded(self, alias="t"):
        """A task counts as reminded (RULEBOOK §4: "100% reminded") once its
        contact was made, or once the fallback message of a failed one went
        out: the definition of the care analysis and the staff figures."""
        task = SQL.identifier(alias)
        return SQL("(%s.state IN %s OR COALESCE(%s.message_state, '') = 'queued')",
                   task, REMINDED_STATES, task)

    # ------------------------------------------------------------------ computes

    @api.depends("rule_id.name", "vehicle_id.license_plate", "partner_id.name")
    def _compute_display_name(self):
        for task in self:
            task.display_name = self.env._(
                "%(rule)s: %(who)s", rule=task.rule_id.name,
                who=task.vehicle_id.license_plate or task.partner_id.name or "",
            )

    @api.depends("vehicle_id.license_plate", "partner_id.autorepair_vehicle_ids.license_plate")
    def _compute_license_plate(self):
        for task in self:
            # the plates only, of the customer's cars in the task's company, whoever reads the task
            vehicles = task.sudo().vehicle_id or task.sudo().partner_id.autorepair_vehicle_ids.filtered(
                lambda vehicle, company=task.company_id: not vehicle.company_id or vehicle.company_id == company)
            task.license_plate = ", ".join(plate for plate in vehicles.mapped("license_plate") if plate)

    def _search_license_plate(self, operator, value):
        return ["|", ("vehicle_id.license_plate", operator, value),
                "&", ("vehicle_id", "=", False), ("partner_id.autorepair_vehicle_ids.license_plate", operator, value)]

    @api.depends("attempt_ids.channel")
    def _compute_call_count(self):
        for task in self:
            task.call_count = len(task.attempt_ids.filtered(lambda attempt: attempt.channel == "phone"))

    @api.depends("rule_id.call_script")
    @api.depends_context("lang")
    def _compute_script(self):
        by_rule = defaultdict(lambda: self.browse())
        for task in self:
            by_rule[task.rule_id] |= task
        for rule, tasks in by_rule.items():
            if not rule.call_script:
                tasks.script = False
                continue
            rendered = rule._render_field("call_script", tasks.ids)
            for task in tasks:
                # a placeholder with nothing to say (no package due) leaves no empty line
                task.script = Markup("<br/>").join(
                    html_escape(line) for line in rendered[task.id].splitlines() if line.strip())

    def _compute_work_summary(self):
        """The work the script mentions: the open recommendations for
        declined or deferred work, the last visit's work otherwise."""
        for task in self:
            vehicle = task.vehicle_id
            if task.kind == "recommendation":
                lines = vehicle.recommendation_line_ids
            else:
                # a follow-up names the work of its order
                last = task.followup_order_id or vehicle.service_order_ids.filtered(
                    lambda o: o.state in DELIVERED_STATES)[:1]
                lines = last.line_ids.filtered(lambda line: line.is_approved and line.line_type == "labour")
            task.work_summary = ", ".join(lines.mapped("name"))

    @api.depends("kind", "vehicle_id", "due_km")
    @api.depends_context("lang")
    def _compute_package_id(self):
        for task in self:
            package = self.env["autorepair.service.package"]
            if task.kind in PACKAGE_KINDS and task.vehicle_id:
                package = task.vehicle_id._autorepair_package_due(
                    odometer=task.due_km or None, company=task.company_id)
            task.package_id = package
            task.package_summary = task._package_summary(package) if package else False

    def _package_summary(self, package):
        """The package due as one sentence of the script (none: no line)."""
        items = ", ".join(package.line_ids.mapped("name"))
        if package.pricing == "package":
            return self.env._("The maintenance due is %(package)s: %(items)s; package price %(price)s.",
                              package=package.name, items=items,
                              price=format_amount(self.env, package.price, package.currency_id))
        return self.env._("The maintenance due is %(package)s: %(items)s.", package=package.name, items=items)

    # ---------------------------------------------------------------------- CRUD

    def write(self, vals):
        if "state" in vals and "done_date" not in vals and vals["state"] in DONE_STATES:
            # closed now; a task closed before keeps its day (reminded, then the customer returns)
            closed = self.filtered("done_date")
            super(AutorepairCareTask, closed).write(vals)
            result = super(AutorepairCareTask, self - closed).write(dict(vals, done_date=fields.Datetime.now()))
        else:
            if "state" in vals and "done_date" not in vals:
                vals = dict(vals, done_date=False)
            result = super().write(vals)
        if "user_id" in vals:
            # an open call is always someone's work: one left without agent goes to the next
            self.filtered(lambda t: t.state == "open" and not t.user_id)._assign_agents()
            self._move_calls()
        if vals.get("state") == "elsewhere":
            # found at another shop: no longer loyal
            self.env["res.partner"]._autorepair_set_loyalty_type(self.partner_id)
        return result

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        # mail.activity subscribes its user: the call's activity already tells
        # the agent, a follower row per task would only fill mail_followers
        if self.env.context.get("care_activity_nosubscribe"):
            return True
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def _message_auto_subscribe_followers(self, updated_values, default_subtype_ids):
        # a new agent learns of the task from its activity, not as a follower
        # with an "assigned to you" email per task
        values = {key: value for key, value in updated_values.items() if key != "user_id"}
        return super()._message_auto_subscribe_followers(values, default_subtype_ids)

    # ------------------------------------------------------------------- actions

    def action_reached(self):
        # a follow-up call that reached the customer is his answers to the questionnaire
        if any(task.kind == "followup" for task in self):
            return self.action_log_followup()
        return self._log_attempt("reached")

    def action_log_followup(self):
        """The follow-up call of the order, in a dialog: the customer's
        answers when he is reached, else an unanswered call for the policy."""
        self.ensure_one()
        self._check_can_attempt()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up Call: %(task)s", task=self.display_name),
            "res_model": "autorepair.followup",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_order_id": self.followup_order_id.id},
        }

    def action_no_answer(self):
        return self._log_attempt("no_answer")

    def action_wrong_number(self):
        return self._log_attempt("wrong_number")

    def action_log_outcome(self):
        """Outcomes that need more than a click (booking, refusal, another
        shop): the attempt form in a dialog, outcome preset from the button."""
        self.ensure_one()
        self._check_can_attempt()
        outcome = self.env.context.get("care_outcome", "booked")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call Outcome: %(task)s", task=self.display_name),
            "res_model": "autorepair.care.attempt",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_task_id": self.id, "default_outcome": outcome},
        }

    def action_cancel(self):
        self.filtered(lambda t: t.state in ("open", "correction"))._close("cancel", self.env._("Cancelled."))

    def action_reopen(self):
        tasks = self.filtered(lambda t: t.state in ("failed", "cancel", "correction"))
        tasks.write({"state": "open", "failure_reason": False, "attempt_deadline": False,
                     "next_call_date": self.env["autorepair.care.rule"]._care_today()})
        tasks._schedule()

    def action_view_service_order(self):
        self.ensure_one()
        return self.service_order_id._get_records_action()

    def _log_attempt(self, outcome):
        self._check_can_attempt()
        self.env["autorepair.care.attempt"].create([{"task_id": task.id, "outcome": outcome} for task in self])
        return True

    def _check_can_attempt(self):
        for task in self:
            if task.state != "open":
                raise UserError(self.env._(
                    "%(task)s is no longer to be contacted (%(state)s).", task=task.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[task.state]))

    # ----------------------------------------------------------------- attempts

    def _apply_attempt(self, attempt):
        """The attempt policy (RULEBOOK §4): unanswered calls until the
        number of calls and of different time slots of Settings is reached
        within its days, then the rule's fallback channel and failure."""
        self.ensure_one()
        outcome = attempt.outcome
        if outcome == "no_answer":
            self._after_no_answer(attempt)
        elif outcome in ("reached", "refused"):
            vals = {"state": "reminded"}
            if outcome == "refused":
                vals.update(no_return_reason=attempt.no_return_reason, no_return_note=attempt.note)
            self._close(vals, attempt._outcome_label())
        elif outcome == "booked":
            order = self._book(attempt)
            self._close({"state": "booked", "service_order_id": order.id}, self.env._(
                "Appointment %(order)s booked.", order=order.name))
        elif outcome == "serviced_elsewhere":
            self._close({
                "state": "elsewhere", "no_return_reason": "elsewhere", "no_return_note": attempt.note,
                "other_shop_name": attempt.other_shop_name, "other_shop_place": attempt.other_shop_place,
                "other_shop_price": attempt.other_shop_price,
            }, attempt._outcome_label())
        elif outcome == "wrong_number":
            # to the correction list: the task comes back when the number is fixed
            self.partner_id.care_wrong_number = True
            self._close("correction", attempt._outcome_label())

    def _after_no_answer(self, attempt):
        setting = self.company_id._autorepair_care_setting
        calls = self.attempt_ids.filtered(lambda a: a.channel == "phone" and a.outcome == "no_answer")
        today = attempt._local_date()
        first_day = min(a._local_date() for a in calls)
        last_day = first_day + datetime.timedelta(days=setting("attempt_days") - 1)
        slots = self.env["autorepair.time.slot"].search([])
        tried = calls.slot_id
        needed_calls = setting("attempt_count")
        if len(calls) >= needed_calls and len(tried) >= min(needed_calls, len(slots)):
            self._fail("unreachable")
            return
        next_day, next_slot = self._next_call(slots - tried, attempt)
        if next_day > last_day or today > last_day:
            self._fail("unreachable")
            return
        self.write({"next_call_date": next_day, "next_slot_id": next_slot.id, "attempt_deadline": last_day})
        summary = self.env._(
            "Call again (%(done)s of %(total)s): %(slot)s", done=len(calls), total=needed_calls,
            slot=next_slot.name or self.env._("any time"))
        self.activity_ids.write({"date_deadline": next_day, "summary": summary})

    def _next_call(self, untried, attempt):
        """Next day and slot to call: an untried slot later today, else the
        first untried slot tomorrow."""
        local = attempt._local_datetime()
        hour = local.hour + local.minute / 60
        later_today = untried.filtered(lambda slot: slot.hour_to > hour)
        if later_today:
            return local.date(), later_today[0]
        return local.date() + datetime.timedelta(days=1), untried[:1]

    def _book(self, attempt):
        vehicle = attempt.vehicle_id or self.vehicle_id
        if not vehicle:
            raise UserError(self.env._("Choose the vehicle the appointment is for."))
        order = self.env["autorepair.service.order"].create({
            "vehicle_id": vehicle.id,
            "partner_id": self.partner_id.id,
            "need_type": self.rule_id.need_type or "repair",
            "appointment_start": attempt.appointment_start,
            "source": "shop",
            "advisor_id": False,
            "requested_work": self.env._("%(rule)s (care call of %(agent)s)",
                                         rule=self.rule_id.name, agent=self.env.user.name),
            "company_id": self.company_id.id,
        })
        order.sudo().care_booking_agent_id = attempt.user_id or self.env.user
        return order

    def _close(self, vals, feedback):
        """Final outcome: the activity is done with the outcome as feedback."""
        if isinstance(vals, str):
            vals = {"state": vals}
        self.write(vals)
        self.activity_ids.action_feedback(feedback=feedback)

    def _fail(self, reason):
        """Failed (counts as a failed reminder); the rule's fallback message,
        if any, is queued for the next dispatch."""
        for channel in {task.rule_id.fallback_channel for task in self}:
            tasks = self.filtered(lambda t, c=channel: t.rule_id.fallback_channel == c)
            vals = {"state": "failed", "failure_reason": reason, "next_call_date": False}
            if channel != "none":
                vals.update(message_state="pending", message_channel=channel)
            tasks.write(vals)
        self.activity_ids.unlink()

    # ---------------------------------------------------------------- scheduling

    def _schedule(self, today=None):
        """Phone tasks become an activity of their agent (a task without
        agent waits on the board for the manager); SMS and email tasks wait
        for the next dispatch. A task already past its deadline on the day
        of the run (days caught up after the server was down) gets neither:
        the run fails it right after, a call or a greeting days late helps
        nobody."""
        live = self.filtered(lambda t: not today or t.deadline >= today)
        live.filtered(lambda t: not t.user_id)._assign_agents()
        phone = live.filtered(lambda t: t.rule_id.first_channel == "phone")
        phone._create_calls()
        for channel in ("sms", "email"):
            tasks = (live - phone).filtered(lambda t, c=channel: t.rule_id.first_channel == c)
            if tasks:
                tasks.write({"message_state": "pending", "message_channel": channel})
        # a flag of the run, nothing to track in the chatter
        self.with_context(tracking_disable=True).write({"to_schedule": False})

    def _create_calls(self):
        """The call activity of each task that has an agent, in one INSERT a
        rule (the rule's ``_call_sql``, the one the run's tasks get theirs
        by): due on the day to call, never before the day it reaches the
        agent (a call is not born overdue). Only after the caller may write
        the tasks: the daily run (superuser) and an agent's change on the
        task (its write checked first)."""
        tasks = self.filtered(lambda t: t.user_id and t.rule_id.activity_type_id)
        if not tasks:
            return
        tasks.flush_recordset()
        self.env["mail.activity"].flush_model()
        today = self.env["autorepair.care.rule"]._care_today()
        now = fields.Datetime.now()
        called = set()
        for rule, rule_tasks in tasks.grouped("rule_id").items():
            self.env.cr.execute(SQL(
                """
                WITH task AS (
                    SELECT id, user_id, vehicle_id, partner_id, 'open' AS state, FALSE AS to_schedule,
                           GREATEST(COALESCE(next_call_date, due_date), %(today)s) AS next_call_date
                      FROM autorepair_care_task
                     WHERE id = ANY(%(ids)s)
                ), call AS (%(calls)s)
                SELECT %(called)s
                """,
                today=today, ids=rule_tasks.ids, calls=rule._call_sql(now), called=rule._called_today_sql(),
            ))
            called.update(self.env.cr.fetchone()[0])
        tasks.invalidate_recordset()
        self.env["autorepair.care.rule"]._notify_calls(list(called))

    def _assign_agents(self):
        """Every contact has someone to make it: a task without agent (a
        customer nobody looks after, a rule without its fixed user) goes to
        the least loaded of its company's care agents, counting their open
        tasks, one after the other (a round robin among equals); to a care
        manager when the company has no care agent, and for a rule of a fixed
        user (the insurance specialist) until that user is set on the rule;
        to a service manager when the company has neither. Written without
        tracking: the task is being made."""
        Task = self.sudo()
        for (company, fixed), tasks in self.grouped(
                lambda t: (t.company_id, t.rule_id.responsible == "user")).items():
            managers = self._care_team(company, "autorepair_care.group_care_manager")
            agents = self._care_team(company, "autorepair_care.group_care_agent")
            # the role's own people first: a care manager is a care agent too, a service manager a care manager
            pool = ((not fixed and agents - managers) or managers.filtered(
                lambda user: self.env.ref("autorepair_crm.group_manager") not in user.groups_id) or managers)
            if not pool:
                continue
            load = dict(Task._read_group(
                [("state", "=", "open"), ("user_id", "in", pool.ids)], ["user_id"], ["__count"]))
            queue = [(load.get(user, 0), user.id) for user in pool]
            heapq.heapify(queue)
            given = defaultdict(list)
            for task in tasks.sorted("id"):
                count, user_id = heapq.heappop(queue)
                given[user_id].append(task.id)
                heapq.heappush(queue, (count + 1, user_id))
            for user_id, task_ids in given.items():
                Task.browse(task_ids).with_context(tracking_disable=True).write({"user_id": user_id})

    @api.model
    def _care_team(self, company, group_xmlid):
        """The active internal users of ``company`` holding the role."""
        return self.env["res.users"].sudo().search([
            ("groups_id", "in", self.env.ref(group_xmlid).id), ("share", "=", False),
            ("company_ids", "in", company.id)], order="id")

    def _move_calls(self):
        """The agent changed: the open task's call activity follows it to the
        new agent, is created for a task that had none (e.g. the insurance
        specialist set on the rule), and is removed when nobody is left."""
        tasks = self.filtered(
            lambda t: t.state == "open" and not t.to_schedule and t.rule_id.first_channel == "phone")
        calls = tasks.activity_ids.filtered(lambda a: a.activity_type_id in tasks.rule_id.activity_type_id)
        called = tasks.browse(set(calls.mapped("res_id")))
        for user in called.user_id:
            ids = set(called.filtered(lambda t, u=user: t.user_id == u).ids)
            calls.filtered(lambda a, i=ids: a.res_id in i).with_context(**CALLS_CONTEXT).write(
                {"user_id": user.id})
        nobody = set(called.filtered(lambda t: not t.user_id).ids)
        calls.filtered(lambda a: a.res_id in nobody).unlink()
        (tasks - called)._create_calls()

    # ------------------------------------------------------------------ the run

    @api.model
    def _cron_daily_run(self, today=None):
        """One chunk of the care calendar's daily run, the way Odoo 18's
        scheduler runs long jobs. The run's steps, in their order: create the
        tasks due (one rule a chunk, catching up missed days), schedule their
        activities, fail the tasks left past their deadline (one batch a
        chunk). A call does the first chunk there is, in its own committed
        transaction, then reports the work left in the whole run (every step):
        the scheduler calls again while it is above zero, so a run never stops
        half-way until the next night. What is due and not yet done is read
        from the data each time (watermarks, flags, the unique key), so a crash
        loses at most the chunk under way and a call with nothing left creates
        nothing.

        :param today: the dealer's day to run for (default: today)
        :return: the step worked with its count and seconds (``created``,
            ``scheduled`` or ``failed``; none when nothing was left) and
            ``remaining``, the rules and tasks still to work
        """
        today = today or self.env["autorepair.care.rule"]._care_today()
        steps = (
            ("created", lambda: self._run_next_rule(today)),
            ("scheduled", lambda: self._run_batch(self._sql_to_schedule(), lambda tasks: tasks._schedule(today))),
            ("failed", lambda: self._run_batch(self._sql_overdue(today), lambda tasks: tasks._expire(today))),
        )
        result = self._run_chunk(steps)
        result["remaining"] = self._daily_run_remaining(today)
        self._report_progress("autorepair_care.ir_cron_daily_run", result)
        return result

    @api.model
    def _install_run(self):
        """The daily run of today, at the addon's installation: the care
        calendar has its calls on day one, not after the first night. The
        same steps as the scheduler's in the installation's transaction (no
        commit of a half-installed addon): every rule's tasks due, and their
        calls scheduled up to one batch; a bigger first day is left to the
        scheduler, triggered at once. The watermarks, the flags and the
        unique key make the night's run create nothing again.

        :return: the tasks created
        """
        today = self.env["autorepair.care.rule"]._care_today()
        created = sum(rule._insert_due_tasks(today) or 0 for rule in self._rules_to_run(today))
        self._run_batch(self._sql_to_schedule(), lambda tasks: tasks._schedule(today))
        if self._daily_run_remaining(today):
            self.env.ref("autorepair_care.ir_cron_daily_run")._trigger()
        _logger.info("Care: %s tasks created at installation for %s", created, today)
        return created

    @api.model
    def _run_chunk(self, steps):
        """The first chunk of work of the given steps ((name, chunk), chunk
        returning how much it did and what it counts), in a batch transaction.
        A step whose rows another worker holds does nothing: the next one is
        tried."""
        for name, chunk in steps:
            start = time.perf_counter()
            with self._batch_transaction():
                done, count = chunk()
            if done:
                seconds = time.perf_counter() - start
                _logger.debug("Care cron chunk: %s %s in %.1f s", count, name, seconds)
                return {"done": done, name: count, f"{name}_seconds": seconds}
        return {"done": 0}

    @api.model
    def _report_progress(self, cron_xmlid, result):
        """Tell Odoo's scheduler what the chunk did and what is left: it calls
        the job again at once while work is left. Run by hand (Run Manually:
        one call, outside the scheduler's loop), the job is triggered for the
        rest."""
        self.env["ir.cron"]._notify_progress(done=result["done"], remaining=result["remaining"])
        # Odoo's scheduler puts the job's id in the context of its calls
        if result["remaining"] and "cron_id" not in self.env.context:
            self.env.ref(cron_xmlid)._trigger()

    @api.model
    def _rules_to_run(self, today):
        """The rules not yet run for this day, first to last."""
        return self.env["autorepair.care.rule"].sudo().search([
            ("anchor", "!=", False), "|", ("last_run_date", "=", False), ("last_run_date", "<", today)])

    @api.model
    def _run_next_rule(self, today):
        """The first rule still to run that no other worker holds: its tasks
        in one INSERT ... SELECT, committed with its watermark.

        :return: (rules run, tasks created)
        """
        for rule in self._rules_to_run(today):
            created = rule._insert_due_tasks(today)
            if created is not None:
                return 1, created
        return 0, 0

    @api.model
    def _run_batch(self, where, process):
        """Claim one batch of the tasks matching ``where`` and process it.

        :return: (tasks processed, tasks processed)
        """
        tasks = self._claim(where, self.env.company._autorepair_care_setting("batch_size"))
        if tasks:
            process(tasks)
        return len(tasks), len(tasks)

    @api.model
    def _daily_run_remaining(self, today):
        """Rules still to run and tasks still to schedule or to fail: the
        same conditions as the claims."""
        self.env.cr.execute(SQL(
            """SELECT (SELECT count(*) FROM autorepair_care_task WHERE %s),
                      (SELECT count(*) FROM autorepair_care_task WHERE %s)""",
            self._sql_to_schedule(), self._sql_overdue(today)))
        tasks = sum(self.env.cr.fetchone())
        return len(self._rules_to_run(today)) + tasks

    def _batch_transaction(self):
        return _BatchTransaction(self.env)

    @api.model
    def _claim(self, where, limit):
        """Row claims: a second worker skips rows this one holds."""
        self.env.cr.execute(SQL(
            "SELECT id FROM autorepair_care_task WHERE %s ORDER BY id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED",
            where, limit))
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _sql_to_schedule(self):
        return SQL("to_schedule")

    @api.model
    def _sql_overdue(self, today):
        return SQL(
            "state = 'open' AND NOT to_schedule AND (deadline < %(today)s OR attempt_deadline < %(today)s)",
            today=today)

    def _expire(self, today):
        """The run fails the open tasks left past their deadline (unreachable
        when the attempt policy's days ran out): what _fail does to a task an
        agent gives up, for a whole batch in one UPDATE, untracked as the run
        is (the ORM's write of a catch-up's tens of thousands of tasks took
        26 s): failed with its reason, closed now, off the call list, the
        rule's fallback message queued for the next dispatch, its call
        activity removed."""
        self.flush_recordset()
        self.env.cr.execute(SQL(
            """
            UPDATE autorepair_care_task t
               SET state = 'failed',
                   failure_reason = CASE WHEN t.attempt_deadline < %(today)s THEN 'unreachable' ELSE 'expired' END,
                   next_call_date = NULL,
                   done_date = COALESCE(t.done_date, %(now)s),
                   message_state = CASE WHEN r.fallback_channel <> 'none' THEN 'pending' ELSE t.message_state END,
                   message_channel = CASE WHEN r.fallback_channel <> 'none' THEN r.fallback_channel
                                          ELSE t.message_channel END,
                   write_uid = %(uid)s, write_date = %(now)s
              FROM autorepair_care_rule r
             WHERE r.id = t.rule_id AND t.id = ANY(%(ids)s)
            """,
            today=today, now=fields.Datetime.now(), uid=self.env.uid, ids=self.ids,
        ))
        self.invalidate_recordset()
        self.activity_ids.unlink()

    # ------------------------------------------------------------------ dispatch

    @api.model
    def _cron_dispatch(self):
        """One chunk of the dispatch: queue a batch of the SMS and emails due
        (first-channel reminders and fallbacks, then each broadcast due)
        outside the rules' quiet hours, and report what is left to Odoo's
        scheduler, which calls again while it is above zero. Messages go to
        Odoo's queues (sms.sms, mail.mail), whose own crons send them.

        :return: the step worked with its count (``queued`` task messages or
            ``broadcast`` recipients), and ``remaining``
        """
        Rule = self.env["autorepair.care.rule"].sudo()
        now = Rule._care_now()
        hour = now.hour + now.minute / 60
        quiet = Rule.with_context(active_test=False).search([]).filtered(lambda r: r._is_quiet(hour))
        Broadcast = self.env["autorepair.care.broadcast"]
        pending = self._sql_message_pending(quiet)
        result = self._run_chunk((
            ("queued", lambda: self._run_batch(pending, lambda tasks: tasks._queue_messages())),
            ("broadcast", lambda: Broadcast._dispatch_next(quiet)),
        ))
        self.env.cr.execute(SQL("SELECT count(*) FROM autorepair_care_task WHERE %s", pending))
        result["remaining"] = self.env.cr.fetchone()[0] + Broadcast._dispatch_remaining(quiet)
        self._report_progress("autorepair_care.ir_cron_dispatch", result)
        return result

    @api.model
    def _sql_message_pending(self, quiet_rules):
        where = SQL("message_state = 'pending'")
        if quiet_rules:
            where = SQL("%s AND rule_id NOT IN %s", where, tuple(quiet_rules.ids))
        return where

    def _queue_messages(self):
        allowed, reasons = self._message_allowed()
        blocked = self - allowed
        for reason in set(reasons.values()):
            blocked.filtered(lambda t, r=reason: reasons[t.id] == r).write(
                {"message_state": "blocked", "message_block_reason": reason})
        for rule in allowed.rule_id:
            tasks = allowed.filtered(lambda t, r=rule: t.rule_id == r)
            for channel in ("sms", "email"):
                batch = tasks.filtered(lambda t, c=channel: t.message_channel == c)
                if batch:
                    getattr(batch, f"_queue_{channel}")(rule)
        allowed.write({"message_state": "queued"})
        allowed.filtered(lambda t: t.state == "open").write({"state": "reminded"})

    def _message_allowed(self):
        """Tasks whose message may go, and why the others may not: consent
        for marketing rules, no opt-out of the purpose, never a blacklisted
        number or address (see res.partner._sql_care_reachable), a
        template and a way to reach the customer."""
        unreachable = {
            (channel, marketing): tasks.partner_id._care_unreachable(channel, marketing)
            for (channel, marketing), tasks in self.grouped(
                lambda t: (t.message_channel, t.rule_id.purpose == "marketing")).items()
        }
        reasons = {}
        for task in self:
            partner, rule = task.partner_id, task.rule_id
            sms = task.message_channel == "sms"
            # the SMS fallback reaches a customer bound on WeChat without a mobile number too
            address = ((partner.phone_sanitized or partner._autorepair_notice_channel() == "wechat") if sms
                       else partner.email_normalized)
            template = rule.sms_template_id if sms else rule.mail_template_id
            # no consent comes first; a blacklisted number or address is one that exists
            reason = unreachable[task.message_channel, rule.purpose == "marketing"].get(partner.id)
            if reason:
                reasons[task.id] = reason
            elif not address:
                reasons[task.id] = self.env._("No mobile number") if sms else self.env._("No email address")
            elif not template:
                reasons[task.id] = self.env._("The rule has no script for this channel")
        return self.filtered(lambda t: t.id not in reasons), reasons

    def _queue_sms(self, rule):
        """The rule's reminder, by SMS or, to customers who prefer it, by
        WeChat, as the provider template of the rule or of care reminders."""
        bodies = rule.sms_template_id._render_field("body", self.ids, compute_lang=True)
        if rule.purpose == "marketing":
            bodies = {task_id: with_unsubscribe_line(body) for task_id, body in bodies.items()}
        wechat = rule._autorepair_queue_notices("care", [{
            "partner": task.partner_id, "body": bodies[task.id], "record": task, "company": task.company_id,
            "values": task._autorepair_channel_values(task.partner_id),
        } for task in self])
        by_wechat = self.browse([notice["record"].id for notice in wechat])
        by_sms = self - by_wechat
        if by_sms:
            by_sms._message_log_batch(
                bodies={task.id: sms_content_to_rendered_html(bodies[task.id]) for task in by_sms},
                message_type="sms")
        if by_wechat:
            by_wechat._message_log_batch(bodies={task.id: self.env._(
                "By WeChat: %(text)s", text=bodies[task.id]) for task in by_wechat})

    def _autorepair_sms_values(self):
        # a WeChat reminder that falls back to SMS keeps its rule's template
        return {**super()._autorepair_sms_values(), "care_rule_id": self.rule_id.id}

    def _autorepair_channel_values(self, partner):
        values = super()._autorepair_channel_values(partner)
        vehicle = self.vehicle_id
        # the date the reminder is about: what falls due, else the task's last day
        date = {"inspection": vehicle.inspection_due_date, "insurance": vehicle.insurance_expiry_date,
                "warranty_expiry": vehicle.warranty_end_date,
                "periodic_maintenance": vehicle.next_service_date}.get(self.kind) or self.deadline
        values.update({
            "plate": vehicle.license_plate or self.license_plate or "",
            "vehicle": vehicle.model_id.display_name or "",
            "date": fields.Date.to_string(date) if date else "",
        })
        return values

    def _queue_email(self, rule):
        rule.mail_template_id.send_mail_batch(self.ids, force_send=False)
        # the email invites a reply: its agent follows the task to receive it
        for user in self.user_id:
            self.filtered(lambda t, u=user: t.user_id == u)._message_subscribe(partner_ids=user.partner_id.ids)

    # -------------------------------------------------------------- returns

    def _close_returned(self, orders):
        """Tasks satisfied by delivered orders: a visit for the rule's need
        (or any visit) for the task's vehicle (or customer), delivered after
        the task was created and within the rule's return window."""
        tasks = self.sudo().search([
            ("state", "in", RETURNABLE_STATES),
            ("rule_id.return_on", "!=", "none"),
            "|", ("vehicle_id", "in", orders.vehicle_id.ids),
            "&", ("vehicle_id", "=", False), ("partner_id", "in", orders.partner_id.commercial_partner_id.ids),
        ])
        returned = tasks.browse()
        for task in tasks:
            for order in orders:
                if task.vehicle_id:
                    same = order.vehicle_id == task.vehicle_id
                else:
                    same = order.partner_id.commercial_partner_id == task.partner_id
                rule = task.rule_id
                if (same and task.create_date <= order.delivered_date
                        and (rule.return_on == "any" or order.need_type == rule.need_type)
                        and order.delivered_date.date() <= task.due_date + datetime.timedelta(days=rule.return_days)):
                    task.write({"state": "returned", "returned_order_id": order.id,
                                "returned_date": order.delivered_date})
                    returned |= task
                    break
        returned.activity_ids.action_feedback(feedback=self.env._("The customer came back."))
        return returned


class _BatchTransaction:
    """One batch of the care run: committed on success (the work is kept
    when a later batch fails or the cron is killed), rolled back to its start
    on error. Under tests there is no commit: a savepoint keeps the batches
    apart the same way."""

    def __init__(self, env):
        self.env = env
        self.savepoint = None

    def __enter__(self):
        self.savepoint = self.env.cr.savepoint()
        self.savepoint.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.savepoint.__exit__(exc_type, exc, tb)
        if exc_type is None and not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit  # progress kept batch by batch
        return False
