import datetime
import operator
from collections import namedtuple

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL, formatLang

from odoo.addons.autorepair_workshop.models.autorepair_service_order import DELIVERED_STATES

Period = namedtuple("Period", "date_from date_to dt_from dt_to tz company_ids")


def local_midnight(tz_name, day):
    """The UTC datetime, naive as Odoo stores it, of a day's local midnight."""
    local = pytz.timezone(tz_name).localize(datetime.datetime.combine(day, datetime.time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class AutorepairKpiDefinition(models.Model):
    """A monthly figure (考核指标) computed per staff member. compute_key names
    a method _kpi_<key>(period) returning {user_id: (numerator, denominator,
    domain)}: one grouped SQL aggregate for all staff, the domain selecting
    the records behind a staff member's figure in drill_model."""

    _name = "autorepair.kpi.definition"
    _description = "KPI Definition"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True, help="How the figure is counted.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", help="Empty: shared by every company of the group.")
    unit = fields.Selection([("percent", "%"), ("score", "Score")], required=True, default="percent")
    group_ids = fields.Many2many(
        "res.groups", string="Roles", help="The roles this figure rates; its rules apply to them.")
    target = fields.Float(help="The dealer's target for the month, shown next to each figure.")
    higher_is_better = fields.Boolean(default=True)
    compute_key = fields.Char(required=True, help="Names the method _kpi_<key> that computes the figure.")
    drill_model = fields.Char(string="Records Model", required=True,
                              help="Model of the records a figure drills down to.")

    _sql_constraints = [("code_uniq", "unique(code)", "KPI codes are unique.")]

    @api.constrains("compute_key")
    def _check_compute_key(self):
        for definition in self:
            if not callable(getattr(self, f"_kpi_{definition.compute_key}", None)):
                raise ValidationError(self.env._(
                    "No computation named %(key)s exists.", key=definition.compute_key))

    # ------------------------------------------------------------------ period

    @api.model
    def _period(self, month, companies=None):
        """Bounds of a month: dates, and UTC datetimes of the local midnights
        (stored datetimes are UTC, the month is the dealer's)."""
        date_from = fields.Date.to_date(month).replace(day=1)
        date_to = fields.Date.add(date_from, months=1)
        tz_name = self.env.context.get("tz") or self.env.user.tz or "UTC"
        company_ids = tuple((companies or self.env.companies).ids)
        return Period(date_from, date_to, local_midnight(tz_name, date_from), local_midnight(tz_name, date_to),
                      tz_name, company_ids)

    def _compute_figures(self, period):
        """{definition: {user_id: (numerator, denominator, domain)}}"""
        return {definition: getattr(self, f"_kpi_{definition.compute_key}")(period) for definition in self}

    def _ratio(self, numerator, denominator):
        self.ensure_one()
        if not denominator:
            return 0.0
        return numerator / denominator * (100.0 if self.unit == "percent" else 1.0)

    def _format_figure(self, number):
        """A figure as the staff read it: one decimal, rates with their % sign."""
        self.ensure_one()
        text = formatLang(self.env, number, digits=1)
        return f"{text}%" if self.unit == "percent" else text

    @api.model
    def _per_company(self, period, compute):
        """A count whose rule is a company setting: ``compute(period, company)``
        for each company of the period, the period narrowed to it, added up per
        staff member. Rows are {user_id: (number, ..., domain)}: the numbers
        are summed, the domains joined by OR."""
        rows = {}
        for company in self.env["res.company"].browse(period.company_ids):
            for uid, (*numbers, domain) in compute(period._replace(company_ids=(company.id,)), company).items():
                if uid in rows:
                    *totals, domains = rows[uid]
                    rows[uid] = (*map(operator.add, totals, numbers), expression.OR([domains, domain]))
                else:
                    rows[uid] = (*numbers, domain)
        return rows

    def _rows(self, query, domain_for):
        self.env.flush_all()
        self.env.cr.execute(query)
        return {uid: (num or 0.0, den or 0.0, domain_for(uid, rest))
                for uid, num, den, *rest in self.env.cr.fetchall()}

    # -------------------------------------------------------------- care tasks

    def _care_rows(self, period, kinds, success):
        base = [("kind", "in", kinds), ("due_date", ">=", period.date_from), ("due_date", "<", period.date_to),
                ("state", "!=", "cancel"), ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """SELECT t.user_id, COUNT(*) FILTER (WHERE %(success)s), COUNT(*)
                 FROM autorepair_care_task t
                WHERE t.kind IN %(kinds)s AND t.due_date >= %(date_from)s AND t.due_date < %(date_to)s
                  AND t.state != 'cancel' AND t.user_id IS NOT NULL AND t.company_id IN %(companies)s
             GROUP BY t.user_id""",
            success=success, kinds=tuple(kinds), date_from=period.date_from, date_to=period.date_to,
            companies=period.company_ids,
        ), lambda uid, _rest: [*base, ("user_id", "=", uid)])

    def _reminded_sql(self):
        return self.env["autorepair.care.task"]._sql_reminded("t")

    def _kpi_first_maintenance_reminder(self, period):
        return self._care_rows(period, ("first_maintenance",), self._reminded_sql())

    def _kpi_first_maintenance_return(self, period):
        return self._care_rows(period, ("first_maintenance",), SQL("t.state = 'returned'"))

    def _kpi_periodic_return(self, period):
        return self._care_rows(period, ("periodic_maintenance",), SQL("t.state = 'returned'"))

    def _kpi_insurance_reminder(self, period):
        return self._care_rows(period, ("insurance",), self._reminded_sql())

    def _birthday_on_time_sql(self, period):
        # greeted (by call or by the fallback message) and closed by the end
        # of the birthday, the dealer's day (done_date is UTC)
        return SQL("(%s AND (t.done_date AT TIME ZONE 'UTC' AT TIME ZONE %s)::date <= t.due_date)",
                   self._reminded_sql(), period.tz)

    def _kpi_birthday_on_time(self, period):
        return self._care_rows(period, ("birthday",), self._birthday_on_time_sql(period))

    # ---------------------------------------------------------- service orders

    def _kpi_appointment(self, period):
        """Orders received in the month booked in advance / orders received,
        per advisor. An order booked on a care call has no advisor until the
        advisor who receives the car takes it: it counts from its reception."""
        base = [("received_date", ">=", period.dt_from), ("received_date", "<", period.dt_to),
                ("state", "!=", "cancel"), ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """SELECT o.advisor_id, COUNT(*) FILTER (WHERE o.is_appointment), COUNT(*)
                 FROM autorepair_service_order o
                WHERE o.received_date >= %(dt_from)s AND o.received_date < %(dt_to)s AND o.state != 'cancel'
                  AND o.advisor_id IS NOT NULL AND o.company_id IN %(companies)s
             GROUP BY o.advisor_id""",
            dt_from=period.dt_from, dt_to=period.dt_to, companies=period.company_ids,
        ), lambda uid, _rest: [*base, ("advisor_id", "=", uid)])

    def _kpi_appointment_agent(self, period):
        """The appointment rate per care agent (RULEBOOK §5): the orders
        received in the month that were booked on his care calls, or else of
        the customers he looks after; booked in advance / those orders."""
        base = [("received_date", ">=", period.dt_from), ("received_date", "<", period.dt_to),
                ("state", "!=", "cancel"), ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """SELECT COALESCE(o.care_booking_agent_id, p.care_agent_id),
                      COUNT(*) FILTER (WHERE o.is_appointment), COUNT(*)
                 FROM autorepair_service_order o
                 JOIN res_partner p ON p.id = o.partner_id
                WHERE o.received_date >= %(dt_from)s AND o.received_date < %(dt_to)s AND o.state != 'cancel'
                  AND COALESCE(o.care_booking_agent_id, p.care_agent_id) IS NOT NULL
                  AND o.company_id IN %(companies)s
             GROUP BY 1""",
            dt_from=period.dt_from, dt_to=period.dt_to, companies=period.company_ids,
        ), lambda uid, _rest: [*base, "|", ("care_booking_agent_id", "=", uid),
                               "&", ("care_booking_agent_id", "=", False), ("partner_id.care_agent_id", "=", uid)])

    def _kpi_labour_efficiency(self, period):
        """Billed hours / clocked hours of the labour delivered in the month,
        per technician who clocked it (his work logs), whoever the order was
        booked for, walk-ins included. A line clocked by several technicians
        shares its billed hours in proportion to the hours each clocked."""
        base = [("delivered_date", ">=", period.dt_from), ("delivered_date", "<", period.dt_to),
                ("state", "in", DELIVERED_STATES), ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """WITH clocked AS (
                   SELECT w.user_id, w.line_id, SUM(w.duration) AS hours
                     FROM autorepair_work_log w
                     JOIN autorepair_service_order o ON o.id = w.order_id
                     JOIN autorepair_service_order_line l ON l.id = w.line_id
                    WHERE o.delivered_date >= %(dt_from)s AND o.delivered_date < %(dt_to)s
                      AND o.state IN %(states)s AND o.company_id IN %(companies)s
                      AND l.line_type = 'labour' AND l.is_approved AND w.date_stop IS NOT NULL
                 GROUP BY w.user_id, w.line_id),
               per_line AS (SELECT line_id, SUM(hours) AS hours FROM clocked GROUP BY line_id)
               SELECT c.user_id, SUM(l.quantity * c.hours / t.hours), SUM(c.hours)
                 FROM clocked c
                 JOIN per_line t ON t.line_id = c.line_id
                 JOIN autorepair_service_order_line l ON l.id = c.line_id
                WHERE t.hours > 0
             GROUP BY c.user_id""",
            dt_from=period.dt_from, dt_to=period.dt_to, states=DELIVERED_STATES, companies=period.company_ids,
        ), lambda uid, _rest: [*base, ("line_ids.work_log_ids.user_id", "=", uid)])

    def _kpi_rework(self, period):
        """Reworks (返修) received in the month / orders delivered in the month,
        per advisor and per technician: a rework counts for the advisor and the
        main technician of the first repair; an order delivered counts for its
        advisor, its booked technician and whoever clocked work on it."""
        base = [("is_rework", "=", True), ("received_date", ">=", period.dt_from),
                ("received_date", "<", period.dt_to), ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """WITH reworks AS (
                   SELECT o.id, o.rework_advisor_id AS uid FROM autorepair_service_order o
                    WHERE o.is_rework AND o.received_date >= %(dt_from)s AND o.received_date < %(dt_to)s
                      AND o.company_id IN %(companies)s
                   UNION
                   SELECT o.id, o.rework_technician_id FROM autorepair_service_order o
                    WHERE o.is_rework AND o.received_date >= %(dt_from)s AND o.received_date < %(dt_to)s
                      AND o.company_id IN %(companies)s),
               delivered AS (
                   SELECT o.id, o.advisor_id AS uid FROM autorepair_service_order o
                    WHERE o.delivered_date >= %(dt_from)s AND o.delivered_date < %(dt_to)s
                      AND o.state IN %(states)s AND o.company_id IN %(companies)s
                   UNION
                   SELECT o.id, o.technician_id FROM autorepair_service_order o
                    WHERE o.delivered_date >= %(dt_from)s AND o.delivered_date < %(dt_to)s
                      AND o.state IN %(states)s AND o.company_id IN %(companies)s
                   UNION
                   SELECT o.id, w.user_id FROM autorepair_service_order o
                     JOIN autorepair_work_log w ON w.order_id = o.id
                    WHERE o.delivered_date >= %(dt_from)s AND o.delivered_date < %(dt_to)s
                      AND o.state IN %(states)s AND o.company_id IN %(companies)s)
               SELECT uid, SUM(rework), SUM(done) FROM (
                   SELECT uid, 1 AS rework, 0 AS done FROM reworks
                   UNION ALL
                   SELECT uid, 0, 1 FROM delivered) counted
                WHERE uid IS NOT NULL
             GROUP BY uid""",
            dt_from=period.dt_from, dt_to=period.dt_to, states=DELIVERED_STATES, companies=period.company_ids,
        ), lambda uid, _rest: [*base, "|", ("rework_advisor_id", "=", uid), ("rework_technician_id", "=", uid)])

    def _kpi_followup_24h(self, period):
        return self._per_company(period, self._followup_within_delay)

    def _followup_within_delay(self, period, company):
        """Deliveries of the month followed up within the hours of the
        company's Settings: a call made (the follow-up's date, reached or not)
        after the delivery and at most that many hours later, per customer's
        care agent (else the advisor, as the follow-up activity is assigned)."""
        hours = company._autorepair_workshop_setting("followup_delay_hours")
        base = [("delivered_date", ">=", period.dt_from), ("delivered_date", "<", period.dt_to),
                ("state", "in", DELIVERED_STATES), ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """SELECT COALESCE(p.care_agent_id, o.advisor_id),
                      COUNT(*) FILTER (WHERE EXISTS (
                          SELECT 1 FROM autorepair_followup f
                           WHERE f.order_id = o.id AND f.date >= o.delivered_date
                             AND f.date <= o.delivered_date + make_interval(secs => %(secs)s))),
                      COUNT(*)
                 FROM autorepair_service_order o
                 JOIN res_partner p ON p.id = o.partner_id
                WHERE o.delivered_date >= %(dt_from)s AND o.delivered_date < %(dt_to)s AND o.state IN %(states)s
                  AND COALESCE(p.care_agent_id, o.advisor_id) IS NOT NULL AND o.company_id IN %(companies)s
             GROUP BY 1""",
            secs=hours * 3600, dt_from=period.dt_from, dt_to=period.dt_to, states=DELIVERED_STATES,
            companies=period.company_ids,
        ), lambda uid, _rest: [*base, "|", ("partner_id.care_agent_id", "=", uid),
                               "&", ("partner_id.care_agent_id", "=", False), ("advisor_id", "=", uid)])

    def _kpi_churn(self, period):
        return self._per_company(period, self._churn)

    def _churn(self, period, company):
        """Customers served in the base month (the months of the company's
        Settings before this one) who did not come back by the end of this
        month, per care agent (RULEBOOK §5)."""
        months = company._autorepair_kpi_setting("churn_months")
        base_period = self._period(fields.Date.subtract(period.date_from, months=months))
        return self._rows(SQL(
            """WITH base AS (
                   SELECT DISTINCT o.partner_id FROM autorepair_service_order o
                    WHERE o.delivered_date >= %(base_from)s AND o.delivered_date < %(base_to)s
                      AND o.state IN %(states)s AND o.company_id IN %(companies)s)
               SELECT p.care_agent_id,
                      COUNT(*) FILTER (WHERE NOT EXISTS (
                          SELECT 1 FROM autorepair_service_order o
                           WHERE o.partner_id = base.partner_id AND o.state IN %(states)s
                             AND o.delivered_date >= %(base_to)s AND o.delivered_date < %(dt_to)s)),
                      COUNT(*), ARRAY_AGG(base.partner_id)
                 FROM base JOIN res_partner p ON p.id = base.partner_id
                WHERE p.care_agent_id IS NOT NULL
             GROUP BY p.care_agent_id""",
            base_from=base_period.dt_from, base_to=base_period.dt_to, dt_to=period.dt_to, states=DELIVERED_STATES,
            companies=period.company_ids,
        ), lambda _uid, rest: [("id", "in", sorted(rest[0]))])

    # --------------------------------------------------------------- follow-ups

    def _followup_rows(self, period, numerator):
        base = [("date", ">=", period.dt_from), ("date", "<", period.dt_to), ("reached", "=", True),
                ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """SELECT f.advisor_id, %(numerator)s, COUNT(*)
                 FROM autorepair_followup f
                WHERE f.date >= %(dt_from)s AND f.date < %(dt_to)s AND f.reached
                  AND f.advisor_id IS NOT NULL AND f.company_id IN %(companies)s
             GROUP BY f.advisor_id""",
            numerator=numerator, dt_from=period.dt_from, dt_to=period.dt_to, companies=period.company_ids,
        ), lambda uid, _rest: [*base, ("advisor_id", "=", uid)])

    def _kpi_csi(self, period):
        """The advisor's CSI: the average of his follow-up calls' scores on
        100, each the weighted mean of the customer's answers to his brand's
        questionnaire, with the weights the answers were given with (RULEBOOK
        §3.15, §6.8)."""
        base = [("date", ">=", period.dt_from), ("date", "<", period.dt_to), ("reached", "=", True),
                ("company_id", "in", period.company_ids), ("answer_ids.score", "!=", False)]
        return self._rows(SQL(
            """WITH calls AS (
                   SELECT f.advisor_id, SUM(a.score_value * a.weight) / SUM(a.weight) * 20 AS csi
                     FROM autorepair_followup f
                     JOIN autorepair_followup_answer a ON a.followup_id = f.id AND a.score IS NOT NULL
                    WHERE f.date >= %(dt_from)s AND f.date < %(dt_to)s AND f.reached
                      AND f.advisor_id IS NOT NULL AND f.company_id IN %(companies)s
                 GROUP BY f.id, f.advisor_id
                   HAVING SUM(a.weight) > 0)
               SELECT advisor_id, SUM(csi), COUNT(*) FROM calls GROUP BY advisor_id""",
            dt_from=period.dt_from, dt_to=period.dt_to, companies=period.company_ids,
        ), lambda uid, _rest: [*base, ("advisor_id", "=", uid)])

    # ------------------------------------------------------ new-car deliveries

    def _delivery_rows(self, period, success):
        """New cars handed over in the month (RULEBOOK §6.7), per sales
        consultant: those meeting ``success`` / all of them."""
        base = [("delivered_at", ">=", period.dt_from), ("delivered_at", "<", period.dt_to),
                ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """SELECT d.user_id, COUNT(*) FILTER (WHERE %(success)s), COUNT(*)
                 FROM autorepair_sales_delivery d
                WHERE d.delivered_at >= %(dt_from)s AND d.delivered_at < %(dt_to)s AND d.active
                  AND d.company_id IN %(companies)s
             GROUP BY d.user_id""",
            success=success, dt_from=period.dt_from, dt_to=period.dt_to, companies=period.company_ids,
        ), lambda uid, _rest: [*base, ("user_id", "=", uid)])

    def _kpi_very_satisfied(self, period):
        """非常满意: the month's deliveries whose customer answered very
        satisfied (to the care department's check, else to the consultant's
        call) / the month's deliveries: a delivery without an answer counts
        against the rate."""
        return self._delivery_rows(period, SQL("d.satisfaction = 'very_satisfied'"))

    def _kpi_delivery_call_on_time(self, period):
        """The month's deliveries the consultant called within the hours of
        Settings (the deadline fixed at the delivery) / the month's deliveries."""
        return self._delivery_rows(period, SQL("d.call_on_time"))

    # --------------------------------------------------------------- complaints

    def _kpi_complaint_response(self, period):
        base = [("reported_date", ">=", period.dt_from), ("reported_date", "<", period.dt_to),
                ("company_id", "in", period.company_ids)]
        return self._rows(SQL(
            """SELECT c.user_id, COUNT(*) FILTER (WHERE c.first_response_date <= c.first_response_deadline), COUNT(*)
                 FROM autorepair_complaint c
                WHERE c.reported_date >= %(dt_from)s AND c.reported_date < %(dt_to)s
                  AND c.user_id IS NOT NULL AND c.company_id IN %(companies)s
             GROUP BY c.user_id""",
            dt_from=period.dt_from, dt_to=period.dt_to, companies=period.company_ids,
        ), lambda uid, _rest: [*base, ("user_id", "=", uid)])

    def _kpi_complaint_closure(self, period):
        return self._per_company(period, self._complaint_closure)

    def _complaint_closure(self, period, company):
        """Closed in the month / (closed in the month + still open at its end
        more than the days of the company's Settings after being reported)."""
        days = company._autorepair_kpi_setting("complaint_open_days")
        old = period.dt_to - datetime.timedelta(days=days)
        closed = SQL("(c.is_closed AND c.closed_date >= %s AND c.closed_date < %s)", period.dt_from, period.dt_to)
        open_old = SQL("(c.reported_date < %s AND (NOT c.is_closed OR c.closed_date >= %s))", old, period.dt_to)
        return self._rows(SQL(
            """SELECT c.user_id, COUNT(*) FILTER (WHERE %(closed)s), COUNT(*)
                 FROM autorepair_complaint c
                WHERE (%(closed)s OR %(open_old)s) AND c.user_id IS NOT NULL AND c.company_id IN %(companies)s
             GROUP BY c.user_id""",
            closed=closed, open_old=open_old, companies=period.company_ids,
        ), lambda uid, _rest: [
            ("user_id", "=", uid), ("company_id", "in", period.company_ids),
            "|", "&", "&", ("is_closed", "=", True), ("closed_date", ">=", period.dt_from),
            ("closed_date", "<", period.dt_to),
            "&", ("reported_date", "<", old), "|", ("is_closed", "=", False), ("closed_date", ">=", period.dt_to),
        ])
