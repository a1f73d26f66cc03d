import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .autorepair_kpi_definition import local_midnight

EVENTS = [
    ("first_maintenance_failed", "First-maintenance reminder failed, not followed up"),
    ("birthday_missed", "Birthday greeting not done on the day"),
    ("care_expired", "Periodic, warranty or inspection reminder not done in time"),
    ("complaint_late", "Complaint not answered in time"),
    ("plan_late", "Summary and improvement plan not submitted in time"),
    ("lost_list_late", "Lost-customer list not handed in on time"),
]
# the records an event counts, when not care tasks
EVENT_MODELS = {"complaint_late": "autorepair.complaint", "plan_late": "autorepair.kpi.plan",
                "lost_list_late": "autorepair.care.lost.list"}


class AutorepairKpiRule(models.Model):
    """A reward or penalty rule (奖惩规则) the manager edits: a threshold on a
    monthly figure, an amount per counted event, or a line the manager adds
    by hand; the amount can be a range that the manager fixes on review."""

    _name = "autorepair.kpi.rule"
    _description = "Reward and Penalty Rule"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", ondelete="cascade", index=True,
                                 help="Leave empty for a rule of every company.")
    kind = fields.Selection([("penalty", "Penalty"), ("reward", "Reward")], required=True, default="penalty")
    trigger = fields.Selection(
        [("kpi", "Figure Threshold"), ("event", "Per Counted Event"), ("manual", "Added by the Manager")],
        required=True, default="kpi")
    definition_id = fields.Many2one("autorepair.kpi.definition", string="Figure", ondelete="restrict")
    unit = fields.Selection(related="definition_id.unit")
    operator = fields.Selection([("lt", "Below"), ("ge", "At Least")], default="lt")
    threshold = fields.Float()
    event = fields.Selection(EVENTS)
    amount = fields.Monetary(required=True, help="Amount, per event for a rule on counted events; the lower "
                             "bound when the amount is a range.")
    amount_max = fields.Monetary(string="Up To", help="Set to make the amount a range the manager fixes on review.")
    amount_is_bonus = fields.Boolean(
        string="Forfeits the Month's Bonus",
        help="The amount is the staff member's bonus of the month, entered on his statement (RULEBOOK §6.8: "
        "a satisfaction score under 80 forfeits it).")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id,
                                  required=True, ondelete="restrict")
    group_ids = fields.Many2many("res.groups", string="Roles", required=True,
                                 help="The rule applies to the staff holding one of these roles.")
    date_from = fields.Date(string="In Force From")
    date_to = fields.Date(string="Until")
    note = fields.Text(translate=True)

    @api.constrains("trigger", "definition_id", "event", "amount", "amount_max", "date_from", "date_to")
    def _check_rule(self):
        for rule in self:
            if rule.trigger == "kpi" and not rule.definition_id:
                raise ValidationError(self.env._("Rule %(rule)s needs a figure.", rule=rule.name))
            if rule.trigger == "event" and not rule.event:
                raise ValidationError(self.env._("Rule %(rule)s needs the event it counts.", rule=rule.name))
            if rule.amount < 0 or (rule.amount_max and rule.amount_max < rule.amount):
                raise ValidationError(self.env._(
                    "Rule %(rule)s: amounts are positive and the range goes upwards.", rule=rule.name))
            if rule.date_from and rule.date_to and rule.date_to < rule.date_from:
                raise ValidationError(self.env._("Rule %(rule)s ends before it starts.", rule=rule.name))

    def _in_force(self, period):
        return self.filtered(lambda rule: (not rule.date_from or rule.date_from < period.date_to)
                             and (not rule.date_to or rule.date_to >= period.date_from))

    def _fires(self, value):
        self.ensure_one()
        if self.operator == "ge":
            return value >= self.threshold
        return value < self.threshold

    # ------------------------------------------------------------------ events

    @api.model
    def _event_model(self, event):
        return EVENT_MODELS.get(event, "autorepair.care.task")

    @api.model
    def _count_events(self, event, period):
        """{user_id: (count, domain)} of the care tasks, complaints or plans
        counted for an event in the month; the domain lists the records' ids
        since an event can compare two fields."""
        if event == "plan_late":
            return self.env["autorepair.kpi.plan"]._count_late(period)
        if event == "lost_list_late":
            return self.env["autorepair.kpi.definition"]._per_company(period, self._count_lost_lists_late)
        self.env.flush_all()
        if event == "complaint_late":
            query = SQL(
                """SELECT c.user_id, ARRAY_AGG(c.id ORDER BY c.id) FROM autorepair_complaint c
                    WHERE c.reported_date >= %s AND c.reported_date < %s AND c.company_id IN %s
                      AND c.user_id IS NOT NULL AND c.first_response_deadline < %s
                      AND (c.first_response_date IS NULL OR c.first_response_date > c.first_response_deadline)
                 GROUP BY c.user_id""", period.dt_from, period.dt_to, period.company_ids, period.dt_to)
        else:
            if event == "first_maintenance_failed":
                # followed up: the fallback SMS or email went out after the calls
                where = SQL("t.kind = 'first_maintenance' AND t.state = 'failed' "
                            "AND t.message_state IS DISTINCT FROM 'queued'")
            elif event == "birthday_missed":
                where = SQL("t.kind = 'birthday' AND t.state != 'cancel' AND NOT %s",
                            self.env["autorepair.kpi.definition"]._birthday_on_time_sql(period))
            else:
                where = SQL("t.kind IN ('periodic_maintenance', 'warranty_expiry', 'inspection') "
                            "AND t.state = 'failed' AND t.failure_reason = 'expired'")
            query = SQL(
                """SELECT t.user_id, ARRAY_AGG(t.id ORDER BY t.id) FROM autorepair_care_task t
                    WHERE %s AND t.due_date >= %s AND t.due_date < %s AND t.company_id IN %s
                      AND t.user_id IS NOT NULL
                 GROUP BY t.user_id""", where, period.date_from, period.date_to, period.company_ids)
        self.env.cr.execute(query)
        return {uid: (len(ids), [("id", "in", ids)]) for uid, ids in self.env.cr.fetchall()}

    @api.model
    def _count_lost_lists_late(self, period, company):
        """{user_id: (count, domain)}: the month's lost-customer list not
        handed in by the day of the next month of the company's Settings
        (its hand-in date, recorded by the button, not typed), counted once
        for each agent with customers on it (RULEBOOK §6.5). Nothing is late
        before the deadline, the end of its day in the dealer's time zone."""
        day = company._autorepair_kpi_setting("lost_list_deadline_day")
        deadline = local_midnight(period.tz, period.date_to + datetime.timedelta(days=day))
        if fields.Datetime.now() < deadline:
            return {}
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """SELECT t.user_id, ARRAY_AGG(DISTINCT l.id)
                 FROM autorepair_care_lost_list l
                 JOIN autorepair_care_task t
                   ON t.company_id = l.company_id AND t.kind IN ('lost', 'at_risk')
                  AND t.due_date >= l.month AND t.due_date < (l.month + INTERVAL '1 month')::date
                WHERE l.month = %(month)s AND l.company_id IN %(companies)s
                  AND (l.submitted_on IS NULL OR l.submitted_on >= %(deadline)s)
                  AND t.state != 'cancel' AND t.user_id IS NOT NULL
             GROUP BY t.user_id""",
            month=period.date_from, companies=period.company_ids, deadline=deadline))
        return {uid: (1, [("id", "in", ids)]) for uid, ids in self.env.cr.fetchall()}
