import datetime
import logging

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.autorepair_workshop.models.autorepair_service_order import DELIVERED_STATES

_logger = logging.getLogger(__name__)

KINDS = [
    ("first_maintenance", "First Maintenance"),
    ("periodic_maintenance", "Periodic Maintenance"),
    ("warranty_expiry", "Warranty Expiry"),
    ("inspection", "Annual Inspection"),
    ("insurance", "Insurance Renewal"),
    ("birthday", "Birthday"),
    ("recommendation", "Declined or Deferred Work"),
    ("lost", "Lost Customer"),
    ("at_risk", "About to Be Lost"),
    ("holiday", "Holiday Greeting"),
    ("weather", "Special Weather"),
    ("followup", "Follow-up Call"),
]
# sent to a segment by a broadcast, not due per vehicle or customer
BROADCAST_KINDS = ("holiday", "weather")
# created by an event, not by the daily run: the follow-up call that found nobody
EVENT_KINDS = ("followup",)
# what sells rather than reminds (RULEBOOK §2: marketing contact only with
# consent): greetings, offers on declined work, win-back of lost and
# about-to-be-lost customers, broadcasts. Maintenance, warranty, inspection and
# insurance reminders are service reminders (the customer's contract and the
# car's safety), sent unless the customer opted out of them.
MARKETING_KINDS = ("birthday", "recommendation", "lost", "at_risk", "holiday", "weather")
ANCHORS = [
    ("delivery_date", "Delivery Date"),
    ("next_service", "Next Service (date or km)"),
    ("warranty_end", "Warranty End (date or km)"),
    ("inspection_due", "Annual Inspection Due"),
    ("insurance_expiry", "Insurance Expiry"),
    ("birthday", "Birthday"),
    ("open_recommendation", "Visit with Declined or Deferred Work"),
    ("last_visit", "Last Visit"),
]
PARTNER_ANCHORS = ("birthday", "last_visit")
DEFAULT_ANCHOR = {
    "first_maintenance": "delivery_date",
    "periodic_maintenance": "next_service",
    "warranty_expiry": "warranty_end",
    "inspection": "inspection_due",
    "insurance": "insurance_expiry",
    "birthday": "birthday",
    "recommendation": "open_recommendation",
    "lost": "last_visit",
    "at_risk": "last_visit",
}
NEED_TYPES = [
    ("first_maintenance", "First Maintenance"),
    ("periodic_maintenance", "Periodic Maintenance"),
    ("repair", "Repair"),
    ("extra", "Extra Service"),
]


class AutorepairCareRule(models.Model):
    """One kind of customer care (RULEBOOK §4) as a record the care manager
    edits: what date it counts from, when the contact is due, who makes it,
    through which channels and with which script (话术). The daily run creates
    the tasks of every active rule; see ``_insert_due_tasks``."""

    _name = "autorepair.care.rule"
    _inherit = ["mail.render.mixin"]
    _description = "Care Rule"
    _order = "sequence, id"
    # scripts are written by care managers, like Odoo's SMS templates
    _unrestricted_rendering = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", string="Company", index=True, ondelete="cascade",
        help="Leave empty to apply the rule in every company.",
    )
    kind = fields.Selection(KINDS, required=True, index=True)
    anchor = fields.Selection(
        ANCHORS, string="Counted From", compute="_compute_anchor", store=True, readonly=False, precompute=True,
        help="The date the due date is counted from. Next service and warranty end are due by date or by "
        "km, whichever comes first; the km date is projected from the vehicle's km per day.",
    )
    target = fields.Selection(
        [("vehicle", "Vehicle"), ("partner", "Customer")], compute="_compute_target", store=True,
        help="One task per vehicle or one per customer.",
    )
    offset_days = fields.Integer(
        string="Offset (days)",
        help="Days after the anchor date when the contact is due; negative for days before.",
    )
    window_days = fields.Integer(
        string="Window (days)", default=7,
        help="Days after the due date by which the contact must be made; past it, the task fails.",
    )
    cap_days = fields.Integer(
        string="Frequency Cap (days)", default=30,
        help="A vehicle (or a customer) gets at most one task of this rule within this many days.",
    )
    interval_days = fields.Integer(
        string="Service Interval (days)", default=180,
        help="When no next service date was given at the last visit: the days between two services, "
        "counted from the last maintenance or the delivery.",
    )
    interval_km = fields.Integer(
        string="Service Interval (km)", default=5000,
        help="When no next service mileage was given at the last visit: the km between two services.",
    )
    responsible = fields.Selection(
        [("care_agent", "Customer's Care Agent"), ("user", "Fixed User")],
        string="Assigned To", default="care_agent", required=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", ondelete="set null",
        help="Who makes the contacts of this rule (e.g. the insurance specialist), or who makes them "
        "for customers without a care agent. When empty, those contacts go to the least loaded care agent "
        "of the company (a care manager when it has none; for a rule of a fixed user, a care manager).",
    )
    first_channel = fields.Selection(
        [("phone", "Phone Call"), ("sms", "SMS"), ("email", "Email")], default="phone", required=True,
    )
    fallback_channel = fields.Selection(
        [("none", "None"), ("sms", "SMS"), ("email", "Email")], default="sms", required=True,
        help="Sent when the customer could not be reached by phone (attempt policy in Settings).",
    )
    call_script = fields.Text(
        translate=True,
        help="What the agent says on the phone; placeholders such as {{ object.partner_id.name }} "
        "and {{ object.vehicle_id.license_plate }} are filled in for each call.",
    )
    render_model = fields.Char(compute="_compute_render_model")
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Script", ondelete="restrict", domain="[('model', '=', render_model)]",
    )
    mail_template_id = fields.Many2one(
        "mail.template", string="Email Script", ondelete="restrict", domain="[('model', '=', render_model)]",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity", ondelete="restrict",
        domain="[('res_model', 'in', (False, 'autorepair.care.task'))]",
        default=lambda self: self.env.ref("autorepair_care.mail_activity_type_care_call", raise_if_not_found=False),
    )
    quiet_hour_from = fields.Float(
        string="Quiet From", default=21.0, help="No SMS or email of this rule leaves between these hours.")
    quiet_hour_to = fields.Float(string="Quiet Until", default=8.0)
    purpose = fields.Selection(
        [("service", "Service Reminder"), ("marketing", "Marketing")],
        compute="_compute_purpose", store=True, index=True,
        help="Set by the kind of care. A marketing message (SMS or email) reaches only customers who consented "
        "to marketing, never an opted-out or blacklisted one, and its SMS ends with 回T退订; a service reminder "
        "reaches every customer who did not opt out of service reminders. Nobody is called or messaged for a "
        "purpose he opted out of.",
    )
    consent_required = fields.Boolean(
        string="Only Consenting Customers",
        help="Plan the contacts (calls included) only for customers who consented to marketing; otherwise "
        "every customer who did not opt out is called, and the SMS or email still needs the consent.",
    )
    need_type = fields.Selection(
        NEED_TYPES, string="Visit Booked", default="periodic_maintenance",
        help="The need of the service order created when the customer books an appointment.",
    )
    return_on = fields.Selection(
        [("none", "Never"), ("need", "A Visit for That Need"), ("any", "Any Visit")],
        string="Closes on Return", default="need", required=True,
        help="Which delivered service order closes the task as returned.",
    )
    return_days = fields.Integer(
        string="Return Window (days)", default=90,
        help="A visit counts as a return when it is delivered at most this many days after the due date.",
    )
    last_run_date = fields.Date(
        string="Last Run", readonly=True, copy=False,
        help="Due dates up to this day have been looked at; a later run catches up from the day after.",
    )
    task_count = fields.Integer(compute="_compute_task_count", string="Tasks")

    # ------------------------------------------------------------------ computes

    @api.depends("kind")
    def _compute_anchor(self):
        for rule in self:
            rule.anchor = DEFAULT_ANCHOR.get(rule.kind, False)

    @api.depends("kind")
    def _compute_purpose(self):
        for rule in self:
            rule.purpose = "marketing" if rule.kind in MARKETING_KINDS else "service"

    @api.depends("anchor", "kind")
    def _compute_target(self):
        for rule in self:
            rule.target = "partner" if rule.anchor in PARTNER_ANCHORS or rule.kind in BROADCAST_KINDS else "vehicle"

    @api.depends("kind")
    def _compute_render_model(self):
        for rule in self:
            rule.render_model = "res.partner" if rule.kind in BROADCAST_KINDS else "autorepair.care.task"

    def _compute_task_count(self):
        counts = dict(self.env["autorepair.care.task"]._read_group(
            [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]))
        for rule in self:
            rule.task_count = counts.get(rule, 0)

    # --------------------------------------------------------------- constraints

    @api.constrains("window_days", "cap_days", "interval_days", "interval_km", "return_days", "anchor", "kind")
    def _check_numbers(self):
        for rule in self:
            if min(rule.window_days, rule.cap_days, rule.return_days) < 0:
                raise ValidationError(self.env._(
                    "The window, frequency cap and return window of %(rule)s cannot be negative.", rule=rule.name))
            if rule.anchor == "next_service" and (rule.interval_days <= 0 or rule.interval_km <= 0):
                raise ValidationError(self.env._(
                    "%(rule)s counts from the next service: give the service interval in days and in km.",
                    rule=rule.name))
            if rule.kind not in (*BROADCAST_KINDS, *EVENT_KINDS) and not rule.anchor:
                raise ValidationError(self.env._("Choose the date %(rule)s is counted from.", rule=rule.name))

    @api.constrains("quiet_hour_from", "quiet_hour_to")
    def _check_quiet_hours(self):
        for rule in self:
            if not (0 <= rule.quiet_hour_from <= 24 and 0 <= rule.quiet_hour_to <= 24):
                raise ValidationError(self.env._(
                    "The quiet hours of %(rule)s must lie within the day (0:00 to 24:00).", rule=rule.name))

    @api.constrains("kind", "first_channel")
    def _check_broadcast_channel(self):
        for rule in self:
            if rule.kind in BROADCAST_KINDS and rule.first_channel == "phone":
                raise ValidationError(self.env._(
                    "%(rule)s is a broadcast: it goes out by SMS or email, not by phone.", rule=rule.name))

    @api.constrains("sms_template_id", "mail_template_id", "kind")
    def _check_templates(self):
        for rule in self:
            for template in (rule.sms_template_id, rule.mail_template_id):
                if template and template.model != rule.render_model:
                    raise ValidationError(self.env._(
                        "The script %(template)s of %(rule)s is written for another kind of record.",
                        template=template.display_name, rule=rule.name))

    # ---------------------------------------------------------------------- CRUD

    def write(self, vals):
        result = super().write(vals)
        if vals.get("user_id"):
            # the newly responsible user takes the open tasks nobody had, and
            # those of a rule he makes alone (e.g. the insurance specialist
            # taking the renewals the care manager held until then)
            tasks = self.env["autorepair.care.task"].search([
                ("rule_id", "in", self.ids), ("state", "=", "open"),
                "|", ("user_id", "=", False), ("rule_id.responsible", "=", "user"),
            ])
            tasks.filtered(lambda t: t.user_id.id != vals["user_id"]).write({"user_id": vals["user_id"]})
        return result

    # ------------------------------------------------------------------- actions

    def action_view_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_care.autorepair_care_task_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action

    # ----------------------------------------------------------------- settings

    @api.model
    def _autorepair_queue_notices(self, kind, notices):
        """Queue this rule's reminders or broadcast messages in bulk, in one
        INSERT per channel: by WeChat for the customers who prefer it and
        follow the account (``res.partner._autorepair_notice_channel``), by
        SMS for the others, as the provider template of the rule (or of
        ``kind``). The caller checked consent and blacklists, which apply to
        WeChat exactly as to SMS.

        :param notices: ``[{"partner": res.partner, "body": text, "values":
            template values, "record": what the WeChat fallback SMS is logged
            on, "company": res.company}, ...]``
        :return: the notices queued for WeChat
        """
        self.ensure_one()
        wechat = [n for n in notices if n["partner"]._autorepair_notice_channel() == "wechat"]
        by_wechat = {id(n) for n in wechat}
        self.env["sms.sms"].sudo().create([{
            "number": n["partner"].phone_sanitized, "partner_id": n["partner"].id, "body": n["body"],
            "state": "outgoing", "autorepair_kind": kind, "autorepair_values": n["values"],
            "autorepair_company_id": n["company"].id, "care_rule_id": self.id,
        } for n in notices if id(n) not in by_wechat])
        # WeChat's sender (its cron) takes the queued rows; on failure it sends the same text by SMS
        self.env["autorepair.wechat.message"].sudo().create([{
            "company_id": n["company"].id, "partner_id": n["partner"].id,
            "openid": n["partner"].sudo().autorepair_wechat_openid, "kind": kind, "values": n["values"],
            "body": n["body"], "res_model": n["record"]._name, "res_id": n["record"].id, "state": "queued",
        } for n in wechat])
        if wechat:
            self.env.ref("autorepair_channel.ir_cron_autorepair_wechat_send").sudo()._trigger()
        return wechat

    def _care_tz(self):
        """The dealer's time zone: the day a reminder is due is a local day."""
        return self.env.context.get("tz") or self.env.user.tz or self.env.company.partner_id.tz or "UTC"

    @api.model
    def _care_now(self):
        return pytz.utc.localize(fields.Datetime.now()).astimezone(pytz.timezone(self._care_tz()))

    @api.model
    def _care_today(self):
        return self._care_now().date()

    def _is_quiet(self, local_hour):
        self.ensure_one()
        start, end = self.quiet_hour_from, self.quiet_hour_to
        if start == end:
            return False
        if start < end:
            return start <= local_hour < end
        return local_hour >= start or local_hour < end  # over midnight

    # ------------------------------------------------------------------ the run

    def _run_bounds(self, today):
        """Due dates this run looks at: the rule's window up to today, back to
        the day after the last run when the server missed days, never further
        back than the catch-up limit (a system parameter)."""
        self.ensure_one()
        lower = today - datetime.timedelta(days=self.window_days)
        if self.last_run_date:
            lower = min(lower, self.last_run_date + datetime.timedelta(days=1))
        catchup_days = self.env.company._autorepair_care_setting("catchup_max_days")
        return max(lower, today - datetime.timedelta(days=catchup_days)), today

    def _claim(self):
        """Lock the rule for this run; a second worker skips it (None)."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            "SELECT id FROM autorepair_care_rule WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", self.id))
        return bool(self.env.cr.fetchone())

    def _insert_due_tasks(self, today):
        """Create the tasks of this rule due between its run bounds, and
        schedule them, in one statement. The unique key (rule, vehicle,
        customer, due date) and the frequency cap make a second run a no-op;
        the watermark moves in the same transaction, so a crash leaves both as
        they were.

        No task is born overdue: one due before the run (the days before the
        first run, at installation, or missed days) is called from the run's
        day and keeps the rule's whole window from that day. Only a task whose
        window had closed before the run (the server was down longer) keeps
        its deadline and is born failed, as the run fails a task left past its
        deadline (``_expire``): a greeting days late helps nobody.

        Scheduled as ``_schedule`` does, set by set (record by record, the
        calls of a week's catch-up on 250,000 cars took 84 s): an SMS or email
        task waits for the dispatch, a phone task of an agent gets its call
        (``_call_sql``); only a phone task without agent is left to the run's
        next step, which assigns one.

        :return: number of tasks created, or None when another worker holds the rule
        """
        self.ensure_one()
        if not self._claim():
            return None
        lower, upper = self._run_bounds(today)
        created = 0
        candidates = self._due_candidates_sql(lower, upper)
        if candidates is not None:
            now = fields.Datetime.now()
            fallback = self.fallback_channel if self.fallback_channel != "none" else None
            message = self.first_channel if self.first_channel != "phone" else None
            self.env["mail.activity"].flush_model()
            self.env.cr.execute(SQL(
                """
                WITH due AS (
                    SELECT c.*, c.due_date + %(window)s < %(today)s AS late
                      FROM (
                            SELECT DISTINCT ON (d.vehicle_id, d.partner_id) d.*
                              FROM (%(candidates)s) d
                             WHERE d.due_date BETWEEN %(lower)s AND %(upper)s
                          ORDER BY d.vehicle_id, d.partner_id, d.due_date DESC
                           ) c
                     WHERE %(outside_cap)s
                ), task AS (
                    INSERT INTO autorepair_care_task (
                        rule_id, kind, company_id, vehicle_id, partner_id, user_id, due_date, deadline, due_km,
                        is_local, warranty_state, lost_class, last_visit_date, absent_days,
                        state, to_schedule, next_call_date, failure_reason, done_date, message_state,
                        message_channel, create_uid, create_date, write_uid, write_date)
                    SELECT %(rule)s, %(kind)s, c.company_id, c.vehicle_id, c.partner_id, c.user_id, c.due_date,
                           CASE WHEN c.late THEN c.due_date + %(window)s
                                ELSE GREATEST(c.due_date, %(today)s) + %(window)s END,
                           c.due_km, c.is_local, c.warranty_state, c.lost_class, c.last_visit_date, c.absent_days,
                           CASE WHEN c.late THEN 'failed' ELSE 'open' END,
                           NOT c.late AND %(phone)s AND c.user_id IS NULL,
                           CASE WHEN NOT c.late THEN GREATEST(c.due_date, %(today)s) END,
                           CASE WHEN c.late THEN 'expired' END,
                           CASE WHEN c.late THEN %(now)s::timestamp END,
                           CASE WHEN c.late THEN %(fallback_state)s ELSE %(message_state)s END,
                           CASE WHEN c.late THEN %(fallback)s ELSE %(message)s END,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM due c
                    ON CONFLICT DO NOTHING
                    RETURNING id, user_id, vehicle_id, partner_id, next_call_date, state, to_schedule
                ), call AS (%(calls)s)
                SELECT (SELECT count(*) FROM task), %(called)s
                """,
                rule=self.id, kind=self.kind, window=self.window_days, today=today, uid=self.env.uid, now=now,
                candidates=candidates, lower=lower, upper=upper, outside_cap=self._sql_outside_cap("c"),
                phone=self.first_channel == "phone", fallback=fallback, message=message,
                fallback_state=fallback and "pending", message_state=message and "pending",
                calls=self._call_sql(now), called=self._called_today_sql(),
            ))
            created, called = self.env.cr.fetchone()
            self._notify_calls(called)
            if self.anchor == "last_visit":
                self._insert_lost_lists(lower, upper, now)
        self.env.cr.execute(SQL(
            "UPDATE autorepair_care_rule SET last_run_date = %s WHERE id = %s", upper, self.id))
        self.invalidate_recordset(["last_run_date"])
        return created

    def _call_sql(self, now):
        """INSERT of the call activities of this rule's tasks given by the
        statement's ``task`` (id, user_id, vehicle_id, partner_id,
        next_call_date, state, to_schedule): one for each open task of an
        agent not waiting for the run to schedule it (none when the rule makes
        no call), due on its call day, named as the task's display name and
        summarised by the rule's name, in the agent's language. RETURNING the
        agent and the day due.

        Not mail.activity's create: record by record in Python (defaults,
        computes, subscription, notification), it took 84 s of the catch-up
        of a week on 250,000 cars. What that create does that the calls need
        is done here (the document's name, the agent's time zone) and by
        ``_notify_calls``; what the run does not want (an "assigned to you"
        email, a follower per task) is skipped, as CALLS_CONTEXT does."""
        self.ensure_one()
        if self.first_channel != "phone" or not self.activity_type_id:
            return SQL("SELECT NULL::integer AS user_id, NULL::date AS date_deadline WHERE FALSE")
        # the name as the task's display name reads, in each language an agent may read it in
        langs, prefixes, suffixes, summaries = [], [], [], []
        installed = [code for code, _name in self.env["res.lang"].get_installed()]
        for lang in installed:
            rule = self.with_context(lang=lang)
            prefix, _sep, suffix = rule.env._(
                "%(rule)s: %(who)s", rule=rule.name, who="\x00").partition("\x00")
            langs.append(lang)
            prefixes.append(prefix)
            suffixes.append(suffix)
            summaries.append(rule.name)
        return SQL(
            """
            INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, activity_type_id, user_id, user_tz,
                                       date_deadline, summary, automated, active,
                                       create_uid, create_date, write_uid, write_date)
            SELECT %(model_id)s, 'autorepair.care.task', t.id,
                   concat(n.prefix, COALESCE(NULLIF(v.license_plate, ''), p.name), n.suffix),
                   %(activity_type)s, t.user_id, up.tz, t.next_call_date, n.summary, FALSE, TRUE,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM task t
              JOIN res_users u ON u.id = t.user_id
              JOIN res_partner up ON up.id = u.partner_id
              JOIN unnest(%(langs)s::varchar[], %(prefixes)s::varchar[], %(suffixes)s::varchar[],
                          %(summaries)s::varchar[]) AS n(lang, prefix, suffix, summary)
                   -- an agent without language, or with one since removed, reads the run's (or English)
                ON n.lang = CASE WHEN up.lang = ANY(%(langs)s::varchar[]) THEN up.lang ELSE %(default_lang)s END
              LEFT JOIN fleet_vehicle v ON v.id = t.vehicle_id
              LEFT JOIN res_partner p ON p.id = t.partner_id
             WHERE t.state = 'open' AND NOT t.to_schedule
            RETURNING user_id, date_deadline
            """,
            model_id=self.env["ir.model"]._get_id("autorepair.care.task"), activity_type=self.activity_type_id.id,
            uid=self.env.uid, now=now, langs=langs, prefixes=prefixes, suffixes=suffixes, summaries=summaries,
            default_lang=next((code for code in (self.env.lang, "en_US") if code in installed), installed[0]),
        )

    def _sql_outside_cap(self, alias):
        """No task of this rule for the candidate ``alias`` (vehicle_id,
        partner_id, due_date) within the rule's frequency cap."""
        self.ensure_one()
        candidate = SQL.identifier(alias)
        target = SQL("t.vehicle_id = %s.vehicle_id", candidate) if self.target == "vehicle" else SQL(
            "t.partner_id = %s.partner_id AND t.vehicle_id IS NULL", candidate)
        # OFFSET 0 keeps it a lookup of each candidate's own tasks. As an anti-join, with the
        # candidates misestimated (the lost list's GROUP BY) and the rule's tasks looking few
        # (a first run), the planner scanned all of the rule's tasks for each candidate, those
        # the inserting statement had just added included: 88,000 lost customers took 13
        # minutes instead of seconds.
        return SQL(
            """NOT EXISTS (SELECT 1 FROM autorepair_care_task t
                            WHERE t.rule_id = %(rule)s AND %(target)s
                              AND t.due_date > %(candidate)s.due_date - %(cap)s
                              AND t.due_date < %(candidate)s.due_date + %(cap)s
                           OFFSET 0)""",
            rule=self.id, target=target, candidate=candidate, cap=max(self.cap_days, 1),
        )

    @api.model
    def _called_today_sql(self):
        """The agents given a call due today by the statement's ``call``, as an array."""
        return SQL("ARRAY(SELECT DISTINCT user_id FROM call WHERE date_deadline <= %s)", fields.Date.today())

    @api.model
    def _notify_calls(self, user_ids):
        """As mail.activity's create: the activity counters of the agents
        given a call due today are refreshed."""
        self.env["res.users"].browse(user_ids)._bus_send("mail.activity/updated", {"activity_created": True})

    def _insert_lost_lists(self, lower, upper, now):
        """The month's lost-customer list, once per company and month."""
        self.env.cr.execute(SQL(
            """
            INSERT INTO autorepair_care_lost_list (company_id, month, state, create_uid, create_date, write_uid,
                                                   write_date)
            SELECT DISTINCT company_id, date_trunc('month', due_date)::date, 'draft', %(uid)s, %(now)s, %(uid)s,
                   %(now)s
              FROM autorepair_care_task
             WHERE rule_id = %(rule)s AND due_date BETWEEN %(lower)s AND %(upper)s
            ON CONFLICT DO NOTHING
            """,
            rule=self.id, lower=lower, upper=upper, uid=self.env.uid, now=now,
        ))

    # ----------------------------------------------------- due dates, in SQL

    def _due_candidates_sql(self, lower, upper):
        """SELECT of (vehicle_id, partner_id, company_id, user_id, due_date,
        due_km, is_local, warranty_state, lost_class, last_visit_date,
        absent_days) for the vehicles or customers of this rule whose due date
        may fall in [lower, upper]; None when nothing can be due."""
        self.ensure_one()
        builder = getattr(self, f"_due_sql_{self.anchor}", None) if self.anchor else None
        return builder(lower, upper) if builder else None

    def _sql_company(self):
        return self.company_id.id or self.env.company.id

    def _sql_user(self):
        if self.responsible == "care_agent":
            return SQL("COALESCE(p.care_agent_id, %s)", self.user_id.id or None)
        return SQL("%s::integer", self.user_id.id or None)

    def _sql_partner_scope(self):
        conditions = [SQL("p.active AND p.is_autorepair_customer")]
        if self.company_id:
            conditions.append(SQL("COALESCE(p.company_id, %s) = %s", self.company_id.id, self.company_id.id))
        conditions.extend(self._sql_consent_scope())
        return SQL(" AND ").join(conditions)

    def _sql_vehicle_scope(self):
        conditions = [SQL("v.active AND p.active AND p.is_autorepair_customer")]
        if self.company_id:
            conditions.append(SQL("COALESCE(v.company_id, p.company_id, %s) = %s",
                                  self.company_id.id, self.company_id.id))
        conditions.extend(self._sql_consent_scope())
        return SQL(" AND ").join(conditions)

    def _sql_consent_scope(self):
        """Nobody is planned for a purpose he opted out of; rules asking for
        consent plan only the customers a marketing message may reach."""
        Partner = self.env["res.partner"]
        conditions = [SQL("NOT %s", Partner._sql_care_opted_out("p", marketing=self.purpose == "marketing"))]
        if self.consent_required:
            conditions.append(Partner._sql_care_reachable("p"))
        return conditions

    @api.model
    def _sql_date_for_km(self, target_km):
        """``odometer.project_date_for_km`` in SQL (vehicle alias v): from the
        last reading (or 0 km at delivery), at the vehicle's km per day."""
        return SQL(
            """CASE WHEN %(target)s <= v.odometer THEN COALESCE(v.odometer_date, v.delivery_date)
                    WHEN v.km_per_day > 0
                    THEN COALESCE(v.odometer_date, v.delivery_date)
                         + CEIL((%(target)s - v.odometer) / v.km_per_day)::int
               END""",
            target=target_km,
        )

    def _vehicle_select(self, due_date, due_km=None):
        return SQL(
            """SELECT v.id AS vehicle_id, p.id AS partner_id, COALESCE(v.company_id, p.company_id, %(company)s)
                      AS company_id, %(user)s AS user_id, %(due)s AS due_date, %(km)s::integer AS due_km,
                      NULL::boolean AS is_local, NULL::varchar AS warranty_state, NULL::varchar AS lost_class,
                      NULL::date AS last_visit_date, NULL::integer AS absent_days""",
            company=self._sql_company(), user=self._sql_user(), due=due_date, km=due_km,
        )

    def _partner_select(self, due_date, lost_columns=None):
        return SQL(
            """SELECT NULL::integer AS vehicle_id, p.id AS partner_id, COALESCE(p.company_id, %(company)s)
                      AS company_id, %(user)s AS user_id, %(due)s AS due_date, NULL::integer AS due_km, %(lost)s""",
            company=self._sql_company(), user=self._sql_user(), due=due_date, lost=lost_columns or SQL(
                """NULL::boolean AS is_local, NULL::varchar AS warranty_state, NULL::varchar AS lost_class,
                   NULL::date AS last_visit_date, NULL::integer AS absent_days"""),
        )

    def _anchor_range(self, lower, upper):
        """The anchor dates whose due date falls in [lower, upper]."""
        offset = datetime.timedelta(days=self.offset_days)
        return lower - offset, upper - offset

    def _due_sql_fixed_date(self, column, lower, upper, extra=None):
        first, last = self._anchor_range(lower, upper)
        conditions = [self._sql_vehicle_scope(), SQL("v.%s BETWEEN %s AND %s", SQL.identifier(column), first, last)]
        if extra:
            conditions.append(extra)
        return SQL(
            "%(select)s FROM fleet_vehicle v JOIN res_partner p ON p.id = v.owner_id WHERE %(where)s",
            select=self._vehicle_select(SQL("v.%s + %s", SQL.identifier(column), self.offset_days)),
            where=SQL(" AND ").join(conditions),
        )

    def _due_sql_delivery_date(self, lower, upper):
        extra = None
        if self.return_on == "need":
            # once in a car's life: not when that visit was already made
            extra = SQL(
                """NOT EXISTS (SELECT 1 FROM autorepair_service_order o
                                WHERE o.vehicle_id = v.id AND o.need_type = %s
                                  AND o.state IN %s)""",
                self.need_type, DELIVERED_STATES,
            )
        return self._due_sql_fixed_date("delivery_date", lower, upper, extra)

    def _due_sql_inspection_due(self, lower, upper):
        return self._due_sql_fixed_date("inspection_due_date", lower, upper)

    def _due_sql_insurance_expiry(self, lower, upper):
        return self._due_sql_fixed_date("insurance_expiry_date", lower, upper)

    def _due_sql_warranty_end(self, lower, upper):
        km = SQL("NULLIF(v.warranty_end_km, 0)")
        due = SQL("LEAST(v.warranty_end_date, %s) + %s", self._sql_date_for_km(km), self.offset_days)
        return SQL(
            """%(select)s FROM fleet_vehicle v JOIN res_partner p ON p.id = v.owner_id
                WHERE %(scope)s AND (v.warranty_end_date IS NOT NULL OR v.warranty_end_km > 0)""",
            select=self._vehicle_select(due, km), scope=self._sql_vehicle_scope(),
        )

    def _due_sql_next_service(self, lower, upper):
        """Next service by date or by km, whichever comes first. The date and
        mileage given at the last delivery come first; past them (or without
        them) the service falls due every interval after the last maintenance
        or the car's delivery, and at the next multiple of the km interval."""
        first, _last = self._anchor_range(lower, upper)
        due = SQL("LEAST(s.date_anchor, %s) + %s", self._sql_date_for_km(SQL("s.km_target")), self.offset_days)
        return SQL(
            """%(select)s
                 FROM fleet_vehicle v
                 JOIN res_partner p ON p.id = v.owner_id
            LEFT JOIN (SELECT vehicle_id,
                              MAX((delivered_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date) AS last_date
                         FROM autorepair_service_order
                        WHERE state IN %(delivered)s AND delivered_date IS NOT NULL
                          AND need_type IN ('first_maintenance', 'periodic_maintenance')
                     GROUP BY vehicle_id) m ON m.vehicle_id = v.id
           CROSS JOIN LATERAL (
                      SELECT COALESCE(v.next_service_date - %(days)s, m.last_date, v.delivery_date) AS base_date,
                             COALESCE(NULLIF(v.next_service_km, 0) - %(km)s, 0) AS base_km) b
           CROSS JOIN LATERAL (
                      SELECT b.base_date
                             + %(days)s * GREATEST(1, CEIL((%(first)s - b.base_date) / %(days)s::numeric))::int
                                 AS date_anchor,
                             b.base_km + %(km)s * GREATEST(1, FLOOR((v.odometer - b.base_km) / %(km)s) + 1)::int
                                 AS km_target) s
                WHERE %(scope)s""",
            select=self._vehicle_select(due, SQL("s.km_target")), tz=self._care_tz(), delivered=DELIVERED_STATES,
            days=self.interval_days, km=self.interval_km, first=first, scope=self._sql_vehicle_scope(),
        )

    def _due_sql_open_recommendation(self, lower, upper):
        first, last = self._anchor_range(lower, upper)
        return SQL(
            """%(select)s
                 FROM (SELECT l.vehicle_id,
                              MAX((o.delivered_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date) AS visit
                         FROM autorepair_service_order_line l
                         JOIN autorepair_service_order o ON o.id = l.order_id
                        WHERE l.recommendation_state = 'open' AND o.delivered_date IS NOT NULL
                     GROUP BY l.vehicle_id) r
                 JOIN fleet_vehicle v ON v.id = r.vehicle_id
                 JOIN res_partner p ON p.id = v.owner_id
                WHERE %(scope)s AND r.visit BETWEEN %(first)s AND %(last)s""",
            select=self._vehicle_select(SQL("r.visit + %s", self.offset_days)), tz=self._care_tz(),
            scope=self._sql_vehicle_scope(), first=first, last=last,
        )

    def _due_sql_birthday(self, lower, upper):
        first, last = self._anchor_range(lower, upper)
        years = sorted({first.year, last.year})
        # Feb 29 falls on Feb 28 in other years (PostgreSQL's interval arithmetic)
        return SQL(
            """%(select)s
                 FROM res_partner p
           CROSS JOIN LATERAL (
                      SELECT DISTINCT
                             (p.birthday + make_interval(years => y - EXTRACT(YEAR FROM p.birthday)::int))::date AS day
                        FROM unnest(%(years)s::int[]) AS y) c
                WHERE %(scope)s AND p.birthday IS NOT NULL AND c.day BETWEEN %(first)s AND %(last)s""",
            select=self._partner_select(SQL("c.day + %s", self.offset_days)), years=years,
            scope=self._sql_partner_scope(), first=first, last=last,
        )

    def _due_sql_last_visit(self, lower, upper):
        """Customers absent, on the first day of a month, between the bounds
        of their company's Settings: lost (流失) or about to be lost (准流失).
        A visit is a delivered service order, a posted invoice or the delivery
        of a car."""
        first, last = self._anchor_range(lower, upper)
        if self.last_run_date:
            # a month's list is made on its first day, once: skip the months already looked at
            first = max(first, self.last_run_date + datetime.timedelta(days=1 - self.offset_days))
        months = []
        month = first.replace(day=1)
        while month <= last:
            if month >= first:
                months.append(month)
            month += relativedelta(months=1)
        if not months:
            return None
        # the bounds are the customer's company's (res_company columns, joined as rc)
        if self.kind == "at_risk":
            absent_min, absent_max = SQL("rc.autorepair_care_at_risk_days"), SQL("rc.autorepair_care_lost_min_days - 1")
            longest = "lost_min_days"
        else:
            absent_min, absent_max = SQL("rc.autorepair_care_lost_min_days"), SQL("rc.autorepair_care_lost_max_days")
            longest = "lost_max_days"
        companies = self.company_id or self.env["res.company"].sudo().search([])
        since = months[0] - datetime.timedelta(days=max(
            company._autorepair_care_setting(longest) for company in companies))
        lost_columns = SQL(
            """COALESCE(p.is_local, FALSE) AS is_local, COALESCE(p.warranty_state, 'out') AS warranty_state,
               CASE WHEN p.is_local THEN 'local_' ELSE 'remote_' END
                   || CASE WHEN p.warranty_state = 'in' THEN 'in' ELSE 'out' END AS lost_class,
               lv.last_visit AS last_visit_date, m.month - lv.last_visit AS absent_days""")
        return SQL(
            """%(select)s
                 FROM (SELECT partner_id, MAX(day) AS last_visit
                         FROM (SELECT partner_id, (delivered_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
                                 FROM autorepair_service_order
                                WHERE delivered_date >= %(since)s
                            UNION ALL
                               SELECT commercial_partner_id, invoice_date
                                 FROM account_move
                                WHERE state = 'posted' AND move_type = 'out_invoice' AND invoice_date >= %(since)s
                            UNION ALL
                               SELECT owner_id, delivery_date
                                 FROM fleet_vehicle
                                WHERE delivery_date >= %(since)s AND owner_id IS NOT NULL) visits
                     GROUP BY partner_id) lv
                 JOIN res_partner p ON p.id = lv.partner_id
                 JOIN res_company rc ON rc.id = COALESCE(p.company_id, %(company)s)
           CROSS JOIN unnest(%(months)s::date[]) AS m(month)
                WHERE %(scope)s AND m.month - lv.last_visit BETWEEN %(min)s AND %(max)s""",
            select=self._partner_select(SQL("m.month + %s", self.offset_days), lost_columns), tz=self._care_tz(),
            since=since, months=months, scope=self._sql_partner_scope(), min=absent_min, max=absent_max,
            company=self._sql_company(),
        )
