import ast

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.autorepair_crm.tools import with_unsubscribe_line

from .autorepair_care_rule import BROADCAST_KINDS


class AutorepairCareBroadcast(models.Model):
    """A holiday or special-weather message (节日/特殊天气) to a chosen
    segment of customers, by SMS or email. Only customers who consented and
    are not blacklisted receive it; RULEBOOK §4 asks for at least a set number
    of them each month (Settings)."""

    _name = "autorepair.care.broadcast"
    _inherit = ["mail.render.mixin"]
    _description = "Care Broadcast"
    _order = "scheduled_date desc, id desc"
    _check_company_auto = True
    _unrestricted_rendering = True

    name = fields.Char(string="Subject", required=True, translate=False)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company,
                                 ondelete="cascade")
    rule_id = fields.Many2one(
        "autorepair.care.rule", string="Kind", required=True, ondelete="restrict",
        domain=[("kind", "in", BROADCAST_KINDS)],
    )
    channel = fields.Selection(
        [("sms", "SMS"), ("email", "Email")], required=True,
        compute="_compute_from_rule", store=True, readonly=False, precompute=True,
    )
    body = fields.Text(
        string="Message", compute="_compute_from_rule", store=True, readonly=False, precompute=True,
        help="Placeholders such as {{ object.name }} are filled in for each customer.",
    )
    body_html = fields.Html(
        string="Email Body", render_engine="qweb", render_options={"post_process": True}, sanitize="email_outgoing",
        compute="_compute_from_rule", store=True, readonly=False, precompute=True,
    )
    segment_domain = fields.Char(
        string="Segment", default="[('is_autorepair_customer', '=', True)]",
        help="Which customers: consent and blacklists are applied on top of it.",
    )
    scheduled_date = fields.Datetime(string="Send On", required=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("draft", "Draft"), ("scheduled", "Scheduled"), ("sent", "Sent"), ("cancel", "Cancelled")],
        default="draft", required=True, index=True,
    )
    recipient_ids = fields.One2many("autorepair.care.broadcast.recipient", "broadcast_id", string="Recipient List")
    recipient_count = fields.Integer(compute="_compute_recipient_counts", string="Recipients")
    queued_count = fields.Integer(compute="_compute_recipient_counts", string="Queued")
    month_count = fields.Integer(
        compute="_compute_month_count", string="Broadcasts This Month",
        help="Scheduled or sent broadcasts of the month of this one.")
    month_minimum = fields.Integer(compute="_compute_month_count", string="Monthly Minimum")

    # ------------------------------------------------------------------ computes

    @api.depends("rule_id")
    def _compute_from_rule(self):
        for broadcast in self:
            rule = broadcast.rule_id
            broadcast.channel = broadcast.channel or (rule.first_channel if rule.first_channel != "phone" else "sms")
            if not broadcast.body and rule.sms_template_id:
                broadcast.body = rule.sms_template_id.body
            if not broadcast.body_html and rule.mail_template_id:
                broadcast.body_html = rule.mail_template_id.body_html

    def _compute_render_model(self):
        self.render_model = "res.partner"

    def _compute_recipient_counts(self):
        groups = self.env["autorepair.care.broadcast.recipient"]._read_group(
            [("broadcast_id", "in", self.ids)], ["broadcast_id", "state"], ["__count"])
        counts = {}
        for broadcast, state, count in groups:
            counts.setdefault(broadcast.id, {})[state] = count
        for broadcast in self:
            states = counts.get(broadcast.id, {})
            broadcast.recipient_count = sum(states.values())
            broadcast.queued_count = states.get("queued", 0)

    @api.depends("scheduled_date", "state", "company_id")
    def _compute_month_count(self):
        for broadcast in self:
            broadcast.month_minimum = broadcast.company_id._autorepair_care_setting("broadcast_min_per_month")
            broadcast.month_count = self._month_count(broadcast.scheduled_date or fields.Datetime.now(),
                                                      broadcast.company_id)

    @api.model
    def _month_count(self, when, company):
        """Broadcasts of the month of ``when`` that were scheduled or sent."""
        start = fields.Datetime.to_datetime(when).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return self.search_count([
            ("company_id", "=", company.id),
            ("state", "in", ("scheduled", "sent")),
            ("scheduled_date", ">=", start),
            ("scheduled_date", "<", fields.Datetime.add(start, months=1)),
        ])

    # --------------------------------------------------------------- constraints

    @api.constrains("segment_domain")
    def _check_segment_domain(self):
        for broadcast in self:
            try:
                self.env["res.partner"]._search(broadcast._segment())
            except (ValueError, SyntaxError) as exc:
                raise ValidationError(self.env._("The segment of %(name)s is not a valid filter: %(error)s",
                                                 name=broadcast.name, error=exc)) from None

    @api.constrains("channel", "body", "body_html")
    def _check_message(self):
        for broadcast in self:
            if broadcast.channel == "sms" and not broadcast.body:
                raise ValidationError(self.env._("Write the SMS of %(name)s.", name=broadcast.name))
            if broadcast.channel == "email" and not broadcast.body_html:
                raise ValidationError(self.env._("Write the email of %(name)s.", name=broadcast.name))

    def _segment(self):
        self.ensure_one()
        return ast.literal_eval(self.segment_domain or "[]")

    # ------------------------------------------------------------------- actions

    def action_schedule(self):
        """Fix the recipients (segment, consent, blacklists, frequency cap) in
        one INSERT ... SELECT; the dispatch cron sends at the set time."""
        for broadcast in self:
            if broadcast.state != "draft":
                raise UserError(self.env._("%(name)s has already been scheduled.", name=broadcast.name))
            broadcast._insert_recipients()
        self.write({"state": "scheduled"})
        return True

    def action_cancel(self):
        self.recipient_ids.filtered(lambda r: r.state == "pending").write({"state": "skipped"})
        self.filtered(lambda b: b.state != "sent").write({"state": "cancel"})

    def action_draft(self):
        self.filtered(lambda b: b.state == "cancel").recipient_ids.unlink()
        self.filtered(lambda b: b.state == "cancel").write({"state": "draft"})

    def action_view_recipients(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recipients of %(name)s", name=self.name),
            "res_model": "autorepair.care.broadcast.recipient",
            "view_mode": "list",
            "domain": [("broadcast_id", "=", self.id)],
        }

    # ----------------------------------------------------------------- business

    def _insert_recipients(self):
        self.ensure_one()
        rule = self.rule_id
        # the segment as the user who schedules sees it (record rules apply)
        segment = self.env["res.partner"]._search(self._segment() + [("is_autorepair_customer", "=", True)])
        address = SQL("p.phone_sanitized IS NOT NULL") if self.channel == "sms" else SQL(
            "p.email_normalized IS NOT NULL")
        reachable = self.env["res.partner"]._sql_care_reachable("p", self.channel, rule.purpose == "marketing")
        now = fields.Datetime.now()
        # the INSERT reads the customers' numbers, consents and blacklists as stored
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            INSERT INTO autorepair_care_broadcast_recipient (broadcast_id, partner_id, company_id, state,
                                                             create_uid, create_date, write_uid, write_date)
            SELECT %(broadcast)s, p.id, %(company)s, 'pending', %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM res_partner p
             WHERE p.id IN %(segment)s AND p.active AND %(address)s AND %(reachable)s
               AND NOT EXISTS (
                    SELECT 1 FROM autorepair_care_broadcast_recipient r
                      JOIN autorepair_care_broadcast b ON b.id = r.broadcast_id
                     WHERE r.partner_id = p.id AND b.rule_id = %(rule)s AND r.state = 'queued'
                       AND r.write_date > %(now)s - make_interval(days => %(cap)s))
            ON CONFLICT DO NOTHING
            """,
            broadcast=self.id, company=self.company_id.id, uid=self.env.uid, now=now, segment=segment.subselect(),
            address=address, reachable=reachable, rule=rule.id, cap=rule.cap_days,
        ))
        self.recipient_ids.invalidate_recordset()
        self.invalidate_recordset(["recipient_ids"])

    @api.model
    def _due_domain(self, quiet_rules):
        return [("state", "=", "scheduled"), ("scheduled_date", "<=", fields.Datetime.now()),
                ("rule_id", "not in", quiet_rules.ids)]

    @api.model
    def _dispatch_next(self, quiet_rules):
        """One chunk of the broadcasts due: a batch of the first one's
        recipients queued; once none is left to send, it is sent.

        :return: (recipients queued, or 1 for a broadcast closed; recipients queued)
        """
        Recipient = self.env["autorepair.care.broadcast.recipient"]
        for broadcast in self.sudo().search(self._due_domain(quiet_rules), order="scheduled_date, id"):
            recipients = Recipient._claim(broadcast, self.env.company._autorepair_care_setting("batch_size"))
            if recipients:
                broadcast._queue(recipients)
            if not Recipient.search_count([("broadcast_id", "=", broadcast.id), ("state", "=", "pending")]):
                broadcast.state = "sent"
            elif not recipients:
                continue  # another worker holds them
            return len(recipients) or 1, len(recipients)
        return 0, 0

    @api.model
    def _dispatch_remaining(self, quiet_rules):
        """Broadcasts due, and their recipients still to queue."""
        due = self.sudo().search(self._due_domain(quiet_rules))
        return len(due) + self.env["autorepair.care.broadcast.recipient"].sudo().search_count(
            [("broadcast_id", "in", due.ids), ("state", "=", "pending")])

    def _autorepair_channel_values(self, partner, bodies):
        """A broadcast's template values: the customer and the shop, and the
        text written for him (templates with a free-text variable)."""
        company = self.company_id
        return {"customer": partner.name or "", "company": company.name or "",
                "company_phone": company.phone or "", "text": bodies[partner.id]}

    def _queue(self, recipients):
        """SMS or emails of one batch of recipients, rechecked against consent
        and the blacklists at the moment they leave."""
        self.ensure_one()
        marketing = self.rule_id.purpose == "marketing"
        unreachable = recipients.partner_id._care_unreachable(self.channel, marketing)
        blocked = recipients.filtered(lambda r: r.partner_id.id in unreachable)
        to_send = recipients - blocked
        if self.channel == "sms":
            bodies = self._render_field("body", to_send.partner_id.ids)
            if marketing:
                bodies = {partner_id: with_unsubscribe_line(body) for partner_id, body in bodies.items()}
            # by SMS, or by WeChat to those who prefer it; a WeChat failure falls back on the customer's file
            self.rule_id._autorepair_queue_notices("broadcast", [{
                "partner": partner, "body": bodies[partner.id], "record": partner,
                "company": self.company_id, "values": self._autorepair_channel_values(partner, bodies),
            } for partner in to_send.partner_id])
        else:
            ids = to_send.partner_id.ids
            subjects = self._render_field("name", ids)
            bodies = self._render_field("body_html", ids)
            self.env["mail.mail"].sudo().create([{
                "subject": subjects[r.partner_id.id], "body_html": bodies[r.partner_id.id],
                "recipient_ids": [fields.Command.link(r.partner_id.id)], "auto_delete": True,
                "email_from": self.company_id.email_formatted or self.env.user.email_formatted,
            } for r in to_send])
        blocked.write({"state": "skipped"})
        to_send.write({"state": "queued"})
