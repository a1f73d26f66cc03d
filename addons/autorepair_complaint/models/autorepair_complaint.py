import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, email_normalize, email_split

_logger = logging.getLogger(__name__)

CATEGORIES = [
    ("quality", "Work Quality"),
    ("price", "Price"),
    ("attitude", "Attitude"),
    ("waiting", "Waiting Time"),
    ("parts", "Parts"),
    ("product", "Product"),
]
CHANNELS = [
    ("phone", "Hotline"),
    ("wechat", "WeChat"),
    ("in_person", "In Person"),
    ("email", "Email"),
    ("portal", "Customer Portal"),
    ("followup", "Follow-up Call"),
]
ROOT_CAUSES = [
    ("diagnosis", "Diagnosis"),
    ("workmanship", "Workmanship"),
    ("parts_quality", "Parts Quality"),
    ("price_communication", "Price Communication"),
    ("service_attitude", "Service Attitude"),
    ("process", "Process and Waiting"),
    ("product_design", "Product Design"),
    ("other", "Other"),
]


class AutorepairComplaint(models.Model):
    """A complaint (投诉, RULEBOOK §7): recorded from any channel, answered
    within the response time counted in working hours, escalated when a
    deadline is missed, resolved with a root cause and actions, and closed
    only when the customer confirms."""

    _name = "autorepair.complaint"
    # the customer's own words and what was said to him; the case itself (dates, category,
    # severity, root cause category, actions, compensation) stays for the figures
    _autorepair_personal_fields = (
        "subject", "description", "response_note", "root_cause", "email_from", "email_from_normalized")
    _description = "Complaint"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", required=True, copy=False, readonly=True,
                       default=lambda self: self.env._("New"), index="trigram")
    subject = fields.Char(required=True, tracking=True)
    description = fields.Text(string="What the Customer Says")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    # required, except on an e-mail from a sender not (yet) known as a customer (_check_partner)
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True, index=True,
                                 ondelete="restrict", check_company=True, compute="_compute_from_order",
                                 store=True, readonly=False, precompute=True)
    email_from = fields.Char(string="Sender", readonly=True, copy=False,
                             help="The From of the e-mail that opened the complaint, as received.")
    email_from_normalized = fields.Char(string="Sender Address", readonly=True, copy=False, index=True)
    is_unverified = fields.Boolean(
        string="Sender Unverified", compute="_compute_is_unverified", store=True, index=True,
        help="E-mailed by a sender who is not exactly one after-sales customer of the company: "
        "check who wrote and link the customer.",
    )
    vehicle_id = fields.Many2one("fleet.vehicle", string="Vehicle", check_company=True, ondelete="restrict",
                                 domain="[('owner_id', '=', partner_id)]", compute="_compute_from_order",
                                 store=True, readonly=False, precompute=True)
    service_order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", check_company=True, ondelete="restrict", index=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    advisor_id = fields.Many2one(related="service_order_id.advisor_id", store=True, index=True, string="Advisor")
    staff_ids = fields.Many2many("res.users", string="Staff Involved", compute="_compute_from_order",
                                 store=True, readonly=False, precompute=True,
                                 help="Who the complaint concerns; they can read it.")
    user_id = fields.Many2one("res.users", string="Handled By", default=lambda self: self.env.user, tracking=True,
                              index=True, ondelete="restrict")
    category = fields.Selection(CATEGORIES, required=True, default="quality", tracking=True, index=True)
    severity_id = fields.Many2one("autorepair.complaint.severity", string="Severity", required=True,
                                  ondelete="restrict", default=lambda self: self._default_severity(), tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    stage_id = fields.Many2one(
        "autorepair.complaint.stage", string="Stage", required=True, tracking=True, index=True, copy=False,
        ondelete="restrict", group_expand="_read_group_expand_full",
        default=lambda self: self.env["autorepair.complaint.stage"].search([], limit=1),
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, index=True)
    is_waiting_confirmation = fields.Boolean(related="stage_id.is_waiting_confirmation")
    reported_date = fields.Datetime(string="Reported On", required=True, default=fields.Datetime.now,
                                    help="When the customer complained (a call may be typed in later).")
    first_response_deadline = fields.Datetime(compute="_compute_deadlines", store=True, index=True)
    resolution_deadline = fields.Datetime(compute="_compute_deadlines", store=True, index=True)
    first_response_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    response_note = fields.Text(string="Solution Proposed", help="What was proposed to the customer on first contact.")
    resolved_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False, index=True)
    escalation_level = fields.Selection(
        [("0", "Not Escalated"), ("1", "Service Manager"), ("2", "General Manager")],
        default="0", required=True, readonly=True, copy=False, tracking=True,
    )
    escalated_date = fields.Datetime(readonly=True, copy=False)
    root_cause_category = fields.Selection(ROOT_CAUSES, string="Root Cause", tracking=True)
    root_cause = fields.Text(string="Root Cause Analysis")
    action_ids = fields.One2many("autorepair.complaint.action", "complaint_id", string="Actions")
    compensation_ids = fields.One2many("autorepair.complaint.compensation", "complaint_id", string="Compensation")
    customer_satisfied = fields.Selection(
        [("satisfied", "Satisfied"), ("not_satisfied", "Not Satisfied")], string="Customer Feedback",
        readonly=True, copy=False, tracking=True,
    )
    reopen_count = fields.Integer(readonly=True, copy=False)
    is_repeat = fields.Boolean(
        string="Repeat Complaint", readonly=True, copy=False, index=True,
        help="The customer complained already in the twelve months before.",
    )

    # ------------------------------------------------------------------ defaults

    @api.model
    def _default_severity(self):
        return self.env["autorepair.complaint.severity"].search([], limit=1)

    # ------------------------------------------------------------------ computes

    @api.depends("service_order_id")
    def _compute_from_order(self):
        """The order complained about names the customer, the car and the staff."""
        for complaint in self:
            order = complaint.service_order_id
            if not order:
                continue
            complaint.partner_id = order.partner_id
            complaint.vehicle_id = order.vehicle_id
            complaint.staff_ids = order.advisor_id | order.technician_id | order.line_ids.technician_id

    @api.depends("channel", "partner_id")
    def _compute_is_unverified(self):
        for complaint in self:
            complaint.is_unverified = complaint.channel == "email" and not complaint.partner_id

    @api.depends("reported_date", "severity_id.resolution_hours", "company_id")
    def _compute_deadlines(self):
        for complaint in self:
            start = complaint.reported_date or fields.Datetime.now()
            calendar = complaint._working_calendar()
            response_hours = complaint.company_id._autorepair_complaint_setting("response_hours")
            complaint.first_response_deadline = complaint._add_working_hours(calendar, start, response_hours)
            complaint.resolution_deadline = complaint._add_working_hours(
                calendar, start, complaint.severity_id.resolution_hours)

    def _working_calendar(self):
        self.ensure_one()
        calendar = self.company_id._autorepair_complaint_setting("calendar_id").sudo()
        return calendar or self.company_id.resource_calendar_id

    @api.model
    def _add_working_hours(self, calendar, start, hours):
        """Deadlines run in the shop's working hours: a complaint at 19:00 on a
        Friday is due on Monday morning, not at 21:00."""
        if not calendar:
            return start + timedelta(hours=hours)
        return calendar.plan_hours(hours, start, compute_leaves=True) or start + timedelta(hours=hours)

    # --------------------------------------------------------------- constraints

    @api.constrains("partner_id", "channel", "compensation_ids")
    def _check_partner(self):
        for complaint in self:
            if complaint.partner_id:
                continue
            if complaint.channel != "email":
                raise ValidationError(self.env._("A complaint needs the customer who made it."))
            if complaint.compensation_ids:
                raise ValidationError(self.env._(
                    "Link %(complaint)s to the customer who wrote it before compensating.", complaint=complaint.name))

    @api.constrains("vehicle_id", "service_order_id", "partner_id")
    def _check_customer_links(self):
        for complaint in self:
            customer = complaint.partner_id.commercial_partner_id
            if complaint.service_order_id and complaint.service_order_id.partner_id.commercial_partner_id != customer:
                raise ValidationError(self.env._("The service order %(order)s is not %(customer)s's.",
                                                 order=complaint.service_order_id.name, customer=customer.name))
            owner = complaint.vehicle_id.owner_id.commercial_partner_id
            if complaint.vehicle_id and owner and owner != customer:
                raise ValidationError(self.env._("The vehicle %(vehicle)s is not %(customer)s's.",
                                                 vehicle=complaint.vehicle_id.display_name, customer=customer.name))

    @api.constrains("reported_date")
    def _check_reported_date(self):
        for complaint in self:
            if complaint.reported_date > fields.Datetime.now() + timedelta(minutes=5):
                raise ValidationError(self.env._("A complaint cannot be reported in the future."))

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("autorepair.complaint") or self.env._("New")
        complaints = super().create(vals_list)
        complaints._mark_repeats()
        complaints._subscribe_staff()
        return complaints

    def write(self, vals):
        if "stage_id" in vals:
            stage = self.env["autorepair.complaint.stage"].browse(vals["stage_id"])
            # only the customer's confirmation closes a complaint (action_customer_satisfied)
            if stage.is_closed and not self.env.su:
                raise UserError(self.env._(
                    "A complaint is closed by the customer's confirmation: use 'Customer Satisfied'."))
            if stage.is_responded:
                self.filtered(lambda c: not c.first_response_date).sudo().write(
                    {"first_response_date": fields.Datetime.now()})
        result = super().write(vals)
        if "staff_ids" in vals:
            self._subscribe_staff()
        return result

    def _mark_repeats(self):
        for complaint in self:
            if not complaint.partner_id:
                continue
            earlier = self.search_count([
                ("partner_id", "=", complaint.partner_id.id),
                ("id", "!=", complaint.id),
                ("reported_date", ">=", complaint.reported_date - timedelta(days=365)),
                ("reported_date", "<=", complaint.reported_date),
            ])
            complaint.is_repeat = bool(earlier)

    def _subscribe_staff(self):
        for complaint in self:
            complaint.message_subscribe(partner_ids=complaint.staff_ids.partner_id.ids)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for complaint in self:
            complaint.access_url = f"/my/complaints/{complaint.id}"
        return result

    # ------------------------------------------------------------------- actions

    def _stage(self, flag):
        return self.env["autorepair.complaint.stage"].search([(flag, "=", True)], limit=1)

    def action_respond(self):
        """First contact with the customer, with a proposed solution."""
        for complaint in self:
            if not complaint.response_note:
                raise UserError(self.env._(
                    "Write the solution proposed to the customer before recording the response."))
        stage = self._stage("is_responded")
        for complaint in self:
            complaint.message_post(body=self.env._(
                "Customer contacted. Proposed: %(note)s", note=complaint.response_note))
        self.filtered(lambda c: c.stage_id.sequence < stage.sequence).write({"stage_id": stage.id})
        self.filtered(lambda c: not c.first_response_date).write({"first_response_date": fields.Datetime.now()})

    def action_request_confirmation(self):
        """Solved on our side: the customer is called to confirm."""
        for complaint in self:
            if not complaint.first_response_date:
                raise UserError(self.env._("Respond to the customer first."))
            if not complaint.root_cause_category or not complaint.root_cause:
                raise UserError(self.env._(
                    "Record the root cause of %(complaint)s before asking the customer to confirm.",
                    complaint=complaint.name))
            if not complaint.action_ids.filtered(lambda a: a.action_type == "corrective"):
                raise UserError(self.env._("Record at least one corrective action for %(complaint)s.",
                                           complaint=complaint.name))
            if complaint.compensation_ids.filtered(lambda c: c.state in ("draft", "to_approve", "approved")):
                raise UserError(self.env._("Apply or remove the pending compensation of %(complaint)s first.",
                                           complaint=complaint.name))
        self.write({"stage_id": self._stage("is_waiting_confirmation").id, "resolved_date": fields.Datetime.now()})

    def _check_waiting_confirmation(self):
        for complaint in self:
            if not complaint.stage_id.is_waiting_confirmation:
                raise UserError(self.env._("%(complaint)s is not waiting for the customer's confirmation.",
                                           complaint=complaint.name))

    def action_customer_satisfied(self):
        self._check_waiting_confirmation()
        self.sudo().write({
            "stage_id": self._stage("is_closed").id,
            "customer_satisfied": "satisfied",
            "closed_date": fields.Datetime.now(),
        })
        self.activity_ids.action_feedback(feedback=self.env._("Closed with the customer's confirmation."))

    def action_customer_not_satisfied(self):
        """Not satisfied: the complaint is reopened and handled again."""
        self._check_waiting_confirmation()
        for complaint in self:
            complaint.write({
                "stage_id": self._stage("is_responded").id,
                "customer_satisfied": "not_satisfied",
                "reopen_count": complaint.reopen_count + 1,
                "resolved_date": False,
            })
            complaint.message_post(body=self.env._("The customer is not satisfied: the complaint is reopened."))

    # --------------------------------------------------------------- escalation

    @api.model
    def _escalation_targets(self, company):
        """Who a company's complaints escalate to: the people of its Settings,
        else its first user of the role."""
        Users = self.env["res.users"].sudo()

        def user(key, group):
            configured = company._autorepair_complaint_setting(key).sudo()
            return configured or Users.search([("groups_id", "in", self.env.ref(group).id), ("share", "=", False),
                                               ("company_ids", "in", company.id),
                                               ("id", "!=", self.env.ref("base.user_root").id)], limit=1)
        return {
            "1": user("service_manager_id", "autorepair_crm.group_manager"),
            "2": user("general_manager_id", "autorepair_crm.group_general_manager"),
        }

    @api.model
    def _cron_escalate(self):
        """Escalate complaints whose deadlines passed: to the service manager, then,
        when still unresolved the second delay after the resolution deadline (and
        after the first escalation), to the general manager.
        The level is the watermark, so a second run escalates nothing twice;
        rows are claimed with SKIP LOCKED so that two workers never both act."""
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT id FROM autorepair_complaint
             WHERE is_closed IS NOT TRUE AND escalation_level IN ('0', '1')
               AND ((first_response_date IS NULL AND first_response_deadline < %(now)s)
                    OR resolution_deadline < %(now)s)
             ORDER BY id
               FOR UPDATE SKIP LOCKED
            """, now=now))
        candidates = self.browse([row[0] for row in self.env.cr.fetchall()])
        to_first = candidates.filtered(lambda c: c.escalation_level == "0")
        to_second = candidates.filtered(
            lambda c: c.escalation_level == "1"
            and c._add_working_hours(c._working_calendar(), max(c.resolution_deadline, c.escalated_date),
                                     c.company_id._autorepair_complaint_setting("second_escalation_hours")) < now)
        for company, complaints in candidates.grouped("company_id").items():
            targets = self._escalation_targets(company)
            (to_first & complaints)._escalate("1", targets["1"])
            (to_second & complaints)._escalate("2", targets["2"])
        return len(to_first) + len(to_second)

    def _escalate(self, level, manager):
        if not self:
            return
        activity_type = self.env.ref("autorepair_complaint.mail_activity_type_escalation")
        self.write({"escalation_level": level, "escalated_date": fields.Datetime.now()})
        for complaint in self:
            if complaint.first_response_date:
                summary = self.env._("Escalated %(complaint)s: resolution deadline missed", complaint=complaint.name)
            else:
                summary = self.env._("Escalated %(complaint)s: first response deadline missed",
                                     complaint=complaint.name)
            if manager:
                complaint.activity_schedule(activity_type_id=activity_type.id, user_id=manager.id, summary=summary,
                                            date_deadline=fields.Date.context_today(complaint))
            complaint.message_post(body=summary, partner_ids=manager.partner_id.ids,
                                   message_type="notification", subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------- email
    # The complaints alias takes e-mail from anyone; a From header is whatever the
    # sender typed. A ticket is linked only to the one after-sales customer of the
    # alias's company whose normalised address is exactly the sender's; anybody
    # else gets an unverified ticket that keeps the raw From for the agent, and no
    # partner is ever created from a From header. One sender opens at most the
    # company's hourly number of tickets (mail_thread._routing_check_route).

    @api.model
    def _alias_company(self, msg_dict, custom_values=None):
        """The company an e-mail to the complaints alias is for: the alias's
        defaults, else the one company of the alias's domain, else the current one."""
        company_id = (custom_values or {}).get("company_id")
        if company_id:
            return self.env["res.company"].browse(company_id)
        recipients = [email_normalize(address) for address in email_split(
            ",".join(filter(None, (msg_dict.get("recipients"), msg_dict.get("to")))))]
        aliases = self.env["mail.alias"].sudo().search([
            ("alias_model_id.model", "=", self._name), ("alias_full_name", "in", [r for r in recipients if r]),
        ])
        companies = aliases.alias_domain_id.company_ids
        return companies if len(companies) == 1 else self.env.company

    @api.model
    def _alias_customer(self, email_normalized, company):
        """The after-sales customer of ``company`` whose normalised address is
        exactly ``email_normalized``; empty when none or several are."""
        Partner = self.env["res.partner"].sudo()
        if not email_normalized:
            return Partner
        partners = Partner.search([
            ("email_normalized", "=", email_normalized),
            ("commercial_partner_id.is_autorepair_customer", "=", True),
            ("company_id", "in", [company.id, False]),
        ], limit=2)
        return partners if len(partners) == 1 else Partner

    @api.model
    def _alias_sender_domain(self, email_from):
        """The tickets of one sender: his normalised address, or the raw From
        when it holds no single address."""
        email_normalized = email_normalize(email_from or "", strict=True)
        if email_normalized:
            return [("email_from_normalized", "=", email_normalized)]
        return [("email_from", "=", (email_from or "").strip()), ("email_from_normalized", "=", False)]

    @api.model
    def _alias_over_rate_limit(self, email_from, company):
        """Whether the sender already opened the company's hourly number of tickets."""
        limit = company._autorepair_complaint_setting("alias_rate_limit")
        recent = self.sudo().search_count(self._alias_sender_domain(email_from) + [
            ("company_id", "=", company.id),
            ("create_date", ">=", fields.Datetime.now() - timedelta(hours=1)),
        ])
        return recent >= limit

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A complaint e-mailed to the complaints alias: linked to the sender
        when he is exactly one customer of the company, else unverified."""
        values = dict(custom_values or {})
        company = self._alias_company(msg_dict, values)
        email_from = (msg_dict.get("email_from") or "").strip()
        email_normalized = email_normalize(email_from, strict=True)
        customer = self._alias_customer(email_normalized, company)
        # the message is posted with this author next: never a partner of Odoo's loose lookup
        msg_dict["author_id"] = customer.id
        values.update({
            "subject": msg_dict.get("subject") or self.env._("Complaint by e-mail"),
            "partner_id": customer.id,
            "email_from": email_from,
            "email_from_normalized": email_normalized,
            "company_id": company.id,
            "channel": "email",
        })
        if customer.commercial_partner_id.care_agent_id:
            values["user_id"] = customer.commercial_partner_id.care_agent_id.id
        return super().message_new(msg_dict, custom_values=values)

    def message_update(self, msg_dict, update_vals=None):
        """A reply by e-mail: its author is kept only when he is the complaint's
        customer or staff, so that no stranger is made a follower."""
        author = self.env["res.partner"].sudo().browse(msg_dict.get("author_id")).exists()
        if author and not self._alias_known_author(author):
            msg_dict["author_id"] = False
        return super().message_update(msg_dict, update_vals=update_vals)

    def _alias_known_author(self, author):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        return bool((customer and author.commercial_partner_id == customer)
                    or author.user_ids.filtered(lambda user: not user.share))
