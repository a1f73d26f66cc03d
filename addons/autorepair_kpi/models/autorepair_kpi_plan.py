import datetime
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, html2plaintext

from .autorepair_kpi_definition import local_midnight

STATES = [("draft", "Draft"), ("submitted", "Submitted"), ("approved", "Approved")]
DEPARTMENTS = [("care", "Customer Care"), ("service", "Service"), ("sales", "Sales")]


def _next_month(model):
    return fields.Date.add(fields.Date.context_today(model).replace(day=1), months=1)


class AutorepairKpiPlan(models.Model):
    """The monthly summary and improvement plan (总结与改进计划, RULEBOOK §5):
    once a month's figures are in, the care manager analyses them and plans
    the next month's actions, each with an owner and a due date; the general
    manager approves the plan. A plan not submitted by the day of Settings
    counts against its author (RULEBOOK §6 rule 6, the event plan_late)."""

    _name = "autorepair.kpi.plan"
    _description = "Improvement Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "autorepair.kpi.approval.mixin"]
    _order = "month desc, department, id"
    _check_company_auto = True
    # the care manager submits (or takes back), the general manager approves
    # or sends back; an approved plan is final
    _approval_transitions = {
        ("draft", "submitted"): "autorepair_care.group_care_manager",
        ("submitted", "draft"): "autorepair_care.group_care_manager",
        ("submitted", "approved"): "autorepair_crm.group_general_manager",
    }
    _approval_fields = frozenset({"submitted_by_id", "submitted_date"})

    name = fields.Char(compute="_compute_name", store=True)
    month = fields.Date(required=True, index=True, default=_next_month, tracking=True,
                        help="The month the plan is for (its first day); it analyses the month before.")
    department = fields.Selection(DEPARTMENTS, required=True, default="care", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company,
                                 ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Author", required=True, index=True, ondelete="restrict",
                              default=lambda self: self.env.user, tracking=True, domain=[("share", "=", False)],
                              check_company=True)
    state = fields.Selection(STATES, default="draft", required=True, index=True, tracking=True, copy=False)
    deadline = fields.Date(compute="_compute_deadline",
                           help="Submitted after this day the plan is late (day of the month in Settings).")
    analysis = fields.Html(help="What the month's figures say: what went well, what did not, and why.")
    line_ids = fields.One2many("autorepair.kpi.plan.line", "plan_id", string="Actions", copy=True)
    submitted_by_id = fields.Many2one("res.users", string="Submitted By", readonly=True, ondelete="set null",
                                      copy=False)
    submitted_date = fields.Datetime(string="Submitted On", readonly=True, copy=False,
                                     help="The first submission: it decides whether the plan was on time.")

    _sql_constraints = [
        ("company_department_month_uniq", "unique(company_id, department, month)",
         "One improvement plan per department and month."),
    ]

    @api.depends("department", "month")
    def _compute_name(self):
        departments = dict(self._fields["department"]._description_selection(self.env))
        for plan in self:
            plan.name = self.env._(
                "Improvement Plan %(department)s %(month)s", department=departments.get(plan.department, ""),
                month=format_date(self.env, plan.month, date_format="yyyy-MM") if plan.month else "")

    @api.depends("month", "company_id")
    def _compute_deadline(self):
        for plan in self:
            day = plan.company_id._autorepair_kpi_setting("plan_deadline_day")
            plan.deadline = plan.month and plan.month + datetime.timedelta(days=day - 1)

    # ------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals = dict(vals, month=fields.Date.to_date(vals["month"]).replace(day=1))
        return super().write(vals)

    # ---------------------------------------------------------------- actions

    def action_submit(self):
        for plan in self:
            if not html2plaintext(plan.analysis or "").strip():
                raise UserError(self.env._("Write the analysis of %(plan)s before submitting it.", plan=plan.name))
            if not plan.line_ids:
                raise UserError(self.env._("Plan at least one action in %(plan)s before submitting it.",
                                           plan=plan.name))
        vals = {"state": "submitted", "submitted_by_id": self.env.uid}
        first = self.filtered(lambda plan: not plan.submitted_date)
        first.write({**vals, "submitted_date": fields.Datetime.now()})
        (self - first).write(vals)
        return True

    def action_open_figures(self):
        """The figures of the month the plan analyses."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_kpi.autorepair_kpi_value_action")
        action["domain"] = [("month", "=", fields.Date.subtract(self.month, months=1)),
                            ("company_id", "=", self.company_id.id)]
        return action

    # ------------------------------------------------------------- late plans

    @api.model
    def _count_late(self, period):
        return self.env["autorepair.kpi.definition"]._per_company(period, self._count_late_in)

    @api.model
    def _count_late_in(self, period, company):
        """{user_id: (count, domain)} of the plans for the month after the
        period not submitted by the company's deadline, counted for their
        authors; a company with no customer-care plan for that month counts
        one for each of its care managers (users who are not managers as
        well: every manager holds the care manager's role). Nothing is late
        before the deadline, the end of its day in the dealer's time zone, has
        passed."""
        month = period.date_to
        day = company._autorepair_kpi_setting("plan_deadline_day")
        deadline = local_midnight(period.tz, month + datetime.timedelta(days=day))
        if fields.Datetime.now() < deadline:
            return {}
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """SELECT p.user_id, p.id FROM autorepair_kpi_plan p
                WHERE p.month = %(month)s AND p.company_id IN %(companies)s
                  AND (p.submitted_date IS NULL OR p.submitted_date >= %(deadline)s)
               UNION ALL
               SELECT u.id, NULL FROM res_users u JOIN res_company_users_rel cu ON cu.user_id = u.id
                WHERE cu.cid IN %(companies)s AND u.active
                  AND EXISTS (SELECT 1 FROM res_groups_users_rel g WHERE g.uid = u.id AND g.gid = %(care_manager)s)
                  AND NOT EXISTS (SELECT 1 FROM res_groups_users_rel g WHERE g.uid = u.id AND g.gid = %(manager)s)
                  AND NOT EXISTS (SELECT 1 FROM autorepair_kpi_plan p
                                   WHERE p.month = %(month)s AND p.company_id = cu.cid AND p.department = 'care')""",
            month=month, companies=period.company_ids, deadline=deadline,
            care_manager=self.env.ref("autorepair_care.group_care_manager").id,
            manager=self.env.ref("autorepair_crm.group_manager").id))
        counted = defaultdict(list)
        for uid, plan_id in self.env.cr.fetchall():
            counted[uid].append(plan_id)
        return {uid: (len(plan_ids), [("id", "in", [plan_id for plan_id in plan_ids if plan_id])])
                for uid, plan_ids in counted.items()}
