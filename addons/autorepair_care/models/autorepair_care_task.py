import datetime
import logging
import threading
import time
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config, html_escape

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
    "due_date", "deadline", "due_km", "work_summary", "last_visit_date",
)
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
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Care Task"
    _order = "next_call_date, due_date, id"
    _check_company_auto = True

    rule_id = fields.Many2one("autorepair.care.rule", string="Rule", required=True, index=True, ondelete="restrict")
    kind = fields.Selection(KINDS, required=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    vehicle_id = fields.Many2one(
        "fleet.vehicle", string="Vehicle", index=True, ondelete="cascade", check_company=True, tracking=True)
    license_plate = fields.Char(related="vehicle_id.license_plate", string="Plate")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade", tracking=True)
    partner_mobile = fields.Char(related="partner_id.mobile", string="Mobile")
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
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

    _sql_constraints = [
        ("target_uniq", "UNIQUE NULLS NOT DISTINCT (rule_id, vehicle_id, partner_id, due_date)",
         "This contact is already in the care calendar."),
    ]

    def init(self):
        # the queues of the daily run and the dispatch: small slices of a big table
        for name, columns, where in (
            ("to_schedule", "id", "to_schedule"),
            ("open_deadline", "deadline", "state = 'open'"),
            ("message_pending", "id", "message_state = 'pending'"),
        ):
            self.env.cr.execute(SQL(
                "CREATE INDEX IF NOT EXISTS %s ON autorepair_care_task (%s) WHERE %s",
                SQL.identifier(f"autorepair_care_task_{name}_idx"), SQL(columns), SQL(where),
            ))

    @api.model
    def mail_allowed_qweb_expressions(self):
        return super().mail_allowed_qweb_expressions() + tuple(f"object.{path}" for path in SCRIPT_PLACEHOLDERS)

    # ------------------------------------------------------------------ computes

    @api.depends("rule_id.name", "vehicle_id.license_plate", "partner_id.name")
    def _compute_display_name(self):
        for task in self:
            task.display_name = self.env._(
                "%(rule)s: %(who)s", rule=task.rule_id.name,
                who=task.vehicle_id.license_plate or task.partner_id.name or "",
            )

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
                task.script = Markup("<br/>").join(html_escape(line) for line in rendered[task.id].splitlines())

    def _compute_work_summary(self):
        """The work the script mentions: the open recommendations for
        declined or deferred work, the last visit's work otherwise."""
        for task in self:
            vehicle = task.vehicle_id
            if task.kind == "recommendation":
                lines = vehicle.recommendation_line_ids
            else:
                last = vehicle.service_order_ids.filtered(lambda o: o.state in ("delivered", "done"))[:1]
                lines = last.line_ids.filtered(lambda line: line.is_approved and line.line_type == "labour")
            task.work_summary = ", ".join(lines.mapped("name"))

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
            self._move_calls()
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
        return self._log_attempt("reached")

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
        return self.env["autorepair.service.order"].create({
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

    def _prepare_activity_vals(self, model_id):
        self.ensure_one()
        return {
            "res_model_id": model_id,
            "res_id": self.id,
            "activity_type_id": self.rule_id.activity_type_id.id,
            "user_id": self.user_id.id,
            "date_deadline": self.next_call_date or self.due_date,
            "summary": self.rule_id.name,
        }

    def _schedule(self, today=None):
        """Phone tasks become an activity of their agent (a task without
        agent waits on the board for the manager); SMS and email tasks wait
        for the next dispatch. A task already past its deadline on the day
        of the run (days caught up after the server was down) gets neither:
        the run fails it right after, a call or a greeting days late helps
        nobody."""
        live = self.filtered(lambda t: not today or t.deadline >= today)
        phone = live.filtered(lambda t: t.rule_id.first_channel == "phone")
        phone._create_calls()
        for channel in ("sms", "email"):
            tasks = (live - phone).filtered(lambda t, c=channel: t.rule_id.first_channel == c)
            if tasks:
                tasks.write({"message_state": "pending", "message_channel": channel})
        # a flag of the run, nothing to track in the chatter
        self.with_context(tracking_disable=True).write({"to_schedule": False})

    def _create_calls(self):
        """The call activity of each task that has an agent, in one batch."""
        tasks = self.filtered(lambda t: t.user_id and t.rule_id.activity_type_id)
        if tasks:
            model_id = self.env["ir.model"]._get_id(self._name)
            # names computed at once: the activities' res_name reads them record by record
            tasks.mapped("display_name")
            self.env["mail.activity"].with_context(**CALLS_CONTEXT).create(
                [task._prepare_activity_vals(model_id) for task in tasks])

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
        """The care calendar's daily run: create the tasks due (catching up
        missed days), schedule their activities, fail the tasks left past
        their deadline. Every step works in batches that are committed, so a
        crash loses at most the batch under way, and is idempotent, so the
        next run completes the work.

        :param today: the dealer's day to run for (default: today)
        :return: counts and seconds of the three steps
        """
        today = today or self.env["autorepair.care.rule"]._care_today()
        steps = (
            ("created", lambda: self._run_rules(today)),
            ("scheduled", lambda: self._run_batches(self._claim_to_schedule, lambda tasks: tasks._schedule(today))),
            ("failed", lambda: self._run_batches(
                lambda limit: self._claim_overdue(today, limit), lambda tasks: tasks._expire(today))),
        )
        result = {}
        for name, step in steps:
            start = time.perf_counter()
            result[name] = step()
            result[f"{name}_seconds"] = time.perf_counter() - start
        _logger.info(
            "Care run of %s: %s tasks created in %.1f s, %s scheduled in %.1f s, %s failed in %.1f s", today,
            result["created"], result["created_seconds"], result["scheduled"], result["scheduled_seconds"],
            result["failed"], result["failed_seconds"])
        return result

    @api.model
    def _run_rules(self, today):
        """One INSERT ... SELECT per rule, each committed with its watermark.
        A rule already run today is left alone (the cron calls again to finish
        a long run), unless the run is forced."""
        created = 0
        domain = [("anchor", "!=", False)]
        if not self.env.context.get("care_force_run"):
            domain += ["|", ("last_run_date", "=", False), ("last_run_date", "<", today)]
        rules = self.env["autorepair.care.rule"].sudo().search(domain)
        for index, rule in enumerate(rules):
            with self._batch_transaction():
                created += rule._insert_due_tasks(today) or 0
            self.env["ir.cron"]._notify_progress(done=index + 1, remaining=len(rules) - index - 1)
        return created

    @api.model
    def _run_batches(self, claim, process):
        """Claim and process rows until none is left or the time budget is
        spent (the cron then runs again at once to finish: Odoo's progress
        API). Each batch is its own transaction."""
        batch_size = self.env.company._autorepair_care_setting("batch_size")
        budget = self._time_budget()
        total = 0
        while True:
            with self._batch_transaction():
                tasks = claim(batch_size)
                if tasks:
                    process(tasks)
            total += len(tasks)
            remaining = len(tasks) == batch_size
            self.env["ir.cron"]._notify_progress(done=total, remaining=int(remaining))
            if not remaining or (budget and time.monotonic() > budget):
                return total

    @api.model
    def _time_budget(self):
        """Half the cron's time limit: stop in good time, Odoo calls again."""
        limit = config["limit_time_real_cron"]
        if limit is None or limit < 0:
            limit = config["limit_time_real"]
        return time.monotonic() + limit / 2 if limit else None

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
    def _claim_to_schedule(self, limit):
        return self._claim(SQL("to_schedule"), limit)

    @api.model
    def _claim_overdue(self, today, limit):
        return self._claim(SQL(
            "state = 'open' AND NOT to_schedule AND (deadline < %(today)s OR attempt_deadline < %(today)s)",
            today=today), limit)

    def _expire(self, today):
        unreachable = self.filtered(lambda t: t.attempt_deadline and t.attempt_deadline < today)
        unreachable.with_context(tracking_disable=True)._fail("unreachable")
        (self - unreachable).with_context(tracking_disable=True)._fail("expired")

    # ------------------------------------------------------------------ dispatch

    @api.model
    def _cron_dispatch(self):
        """Queue the SMS and emails due (first-channel reminders and
        fallbacks, then broadcasts) outside the rules' quiet hours. Messages
        go to Odoo's queues (sms.sms, mail.mail), whose own crons send them."""
        Rule = self.env["autorepair.care.rule"].sudo()
        now = Rule._care_now()
        hour = now.hour + now.minute / 60
        quiet = Rule.with_context(active_test=False).search([]).filtered(lambda r: r._is_quiet(hour))
        where = SQL("message_state = 'pending'")
        if quiet:
            where = SQL("%s AND rule_id NOT IN %s", where, tuple(quiet.ids))
        queued = self._run_batches(lambda limit: self._claim(where, limit), lambda tasks: tasks._queue_messages())
        self.env["autorepair.care.broadcast"]._dispatch_due(quiet)
        return queued

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
        for marketing rules, never a blacklisted number or address, a
        template and a way to reach the customer."""
        partners = self.partner_id
        phones = self.env["phone.blacklist"].sudo().search(
            [("number", "in", [n for n in partners.mapped("phone_sanitized") if n])]).mapped("number")
        emails = self.env["mail.blacklist"].sudo().search(
            [("email", "in", [e for e in partners.mapped("email_normalized") if e])]).mapped("email")
        reasons = {}
        for task in self:
            partner, rule = task.partner_id, task.rule_id
            sms = task.message_channel == "sms"
            address = partner.phone_sanitized if sms else partner.email_normalized
            template = rule.sms_template_id if sms else rule.mail_template_id
            if rule.consent_required and (not partner.marketing_consent or partner.marketing_opt_out):
                reasons[task.id] = self.env._("No marketing consent")
            elif not address:
                reasons[task.id] = self.env._("No mobile number") if sms else self.env._("No email address")
            elif address in (phones if sms else emails):
                reasons[task.id] = self.env._("Blacklisted")
            elif not template:
                reasons[task.id] = self.env._("The rule has no script for this channel")
        return self.filtered(lambda t: t.id not in reasons), reasons

    def _queue_sms(self, rule):
        bodies = rule.sms_template_id._render_field("body", self.ids, compute_lang=True)
        self.env["sms.sms"].sudo().create([{
            "number": task.partner_id.phone_sanitized,
            "partner_id": task.partner_id.id,
            "body": bodies[task.id],
            "state": "outgoing",
        } for task in self])
        self._message_log_batch(
            bodies={task.id: sms_content_to_rendered_html(bodies[task.id]) for task in self}, message_type="sms")

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
