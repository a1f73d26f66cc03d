from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from .autorepair_care_task import LOST_CLASSES, REMINDED_STATES


class AutorepairCareLostList(models.Model):
    """The month's lost-customer list (流失客户) handed in by the care
    department: the customers absent between the bounds of Settings on the
    first day of the month, in the six classes of RULEBOOK §4, and those about
    to be lost (准流失). The list's lines are the month's win-back tasks."""

    _name = "autorepair.care.lost.list"
    _description = "Lost-Customer List"
    _order = "month desc, id desc"

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade",
                                 default=lambda self: self.env.company)
    month = fields.Date(required=True, index=True, help="First day of the month of the list.")
    state = fields.Selection([("draft", "Being Worked"), ("submitted", "Handed In")], default="draft",
                             required=True)
    submitted_by_id = fields.Many2one("res.users", string="Handed In By", readonly=True, ondelete="set null")
    submitted_on = fields.Datetime(string="Handed In On", readonly=True)
    lost_count = fields.Integer(string="Lost", compute="_compute_counts")
    at_risk_count = fields.Integer(string="About to Be Lost", compute="_compute_counts")
    local_count = fields.Integer(string="Local", compute="_compute_counts")
    remote_count = fields.Integer(string="Non-Local", compute="_compute_counts")
    local_in_count = fields.Integer(string="Local, in Warranty", compute="_compute_counts")
    local_out_count = fields.Integer(string="Local, out of Warranty", compute="_compute_counts")
    remote_in_count = fields.Integer(string="Non-Local, in Warranty", compute="_compute_counts")
    remote_out_count = fields.Integer(string="Non-Local, out of Warranty", compute="_compute_counts")
    reached_count = fields.Integer(string="Reached", compute="_compute_counts")
    returned_count = fields.Integer(string="Won Back", compute="_compute_counts")
    elsewhere_count = fields.Integer(string="Serviced Elsewhere", compute="_compute_counts")

    _submission_fields = frozenset({"state", "submitted_by_id", "submitted_on"})

    _sql_constraints = [
        ("month_company_uniq", "unique(company_id, month)", "There is one lost-customer list per month."),
    ]

    @api.depends("month")
    def _compute_display_name(self):
        for lost_list in self:
            lost_list.display_name = self.env._(
                "Lost Customers %(month)s", month=format_date(self.env, lost_list.month, date_format="yyyy-MM"))

    def _task_domain(self):
        self.ensure_one()
        return [
            ("kind", "in", ("lost", "at_risk")),
            ("company_id", "=", self.company_id.id),
            ("due_date", ">=", self.month),
            ("due_date", "<", fields.Date.add(self.month, months=1)),
        ]

    def _compute_counts(self):
        Task = self.env["autorepair.care.task"]
        for lost_list in self:
            groups = Task._read_group(lost_list._task_domain(), ["kind", "lost_class", "state"], ["__count"])
            lost = [(cls, state, count) for kind, cls, state, count in groups if kind == "lost"]
            lost_list.lost_count = sum(count for *_rest, count in lost)
            lost_list.at_risk_count = sum(count for kind, *_rest, count in groups if kind == "at_risk")
            by_class = dict.fromkeys(dict(LOST_CLASSES), 0)
            for cls, _state, count in lost:
                by_class[cls] = by_class.get(cls, 0) + count
            lost_list.local_in_count = by_class["local_in"]
            lost_list.local_out_count = by_class["local_out"]
            lost_list.remote_in_count = by_class["remote_in"]
            lost_list.remote_out_count = by_class["remote_out"]
            lost_list.local_count = by_class["local_in"] + by_class["local_out"]
            lost_list.remote_count = by_class["remote_in"] + by_class["remote_out"]
            states = {}
            for _kind, _cls, state, count in groups:
                states[state] = states.get(state, 0) + count
            lost_list.returned_count = states.get("returned", 0)
            lost_list.elsewhere_count = states.get("elsewhere", 0)
            # reached: the contact was made (a message after unanswered calls reminds, it does not reach)
            lost_list.reached_count = sum(states.get(state, 0) for state in REMINDED_STATES)

    def action_open_tasks(self):
        """The list itself, or one of its classes (context care_class)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_care.autorepair_care_task_action_lost")
        domain = self._task_domain()
        care_class = self.env.context.get("care_class")
        if care_class == "at_risk":
            domain.append(("kind", "=", "at_risk"))
        elif care_class:
            domain.append(("kind", "=", "lost"))
            if care_class in ("local", "remote"):
                domain.append(("lost_class", "in", (f"{care_class}_in", f"{care_class}_out")))
            elif care_class != "lost":
                domain.append(("lost_class", "=", care_class))
        action["domain"] = domain
        action["display_name"] = self.display_name
        return action

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(self._submission_fields & set(vals) for vals in vals_list):
            raise AccessError(self.env._("A lost-customer list is handed in with its button, on the day it is."))
        return super().create(vals_list)

    def write(self, vals):
        # the hand-in date is the one the list was handed in on: the figures
        # count a late list from it (RULEBOOK §6.5), so nobody types it
        if self._submission_fields & set(vals) and not self.env.su:
            raise AccessError(self.env._("A lost-customer list is handed in with its button, on the day it is."))
        return super().write(vals)

    def action_submit(self):
        self.check_access("write")
        done = self.filtered(lambda lost_list: lost_list.state == "submitted")
        if done:
            raise UserError(self.env._("%(list)s has already been handed in.", list=done[0].display_name))
        self.sudo().write({"state": "submitted", "submitted_by_id": self.env.user.id,
                           "submitted_on": fields.Datetime.now()})
        return True
