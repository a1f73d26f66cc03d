from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

from .autorepair_service_order_line import APPROVED, DECISIONS

DECIDED = {code for code, _label in DECISIONS if code != "pending"}


class AutorepairServiceQuote(models.Model):
    """One round of approval: the first quote, then one supplementary quote per
    batch of work found later. Each is approved line by line by the customer,
    at the desk with a signature or on the portal, and its amount is frozen."""

    _name = "autorepair.service.quote"
    _autorepair_personal_fields = ("signature", "signed_by")
    _description = "Service Quote"
    _inherit = ["autorepair.workflow.mixin"]
    _order = "order_id, sequence, id"
    _workflow_fixed = frozenset({"order_id"})
    _workflow_fields = frozenset({
        "state", "sent_on", "decided_on", "approval_channel", "signature", "signed_by",
        "entered_by_id", "approved_amount",
    })
    _workflow_initial = {"state": "draft"}

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    sequence = fields.Integer(compute="_compute_sequence", store=True)
    # named in the reader's language, not in the language of whoever created it
    name = fields.Char(compute="_compute_name")
    state = fields.Selection(
        [("draft", "Draft"), ("sent", "Awaiting Approval"), ("decided", "Decided")],
        default="draft", required=True, index=True,
    )
    line_ids = fields.One2many("autorepair.service.order.line", "quote_id", string="Lines")
    sent_on = fields.Datetime(readonly=True)
    decided_on = fields.Datetime(readonly=True)
    approval_channel = fields.Selection([("desk", "At the Desk"), ("portal", "Customer Portal")], readonly=True)
    signature = fields.Image(attachment=True, max_width=1024, readonly=True)
    signed_by = fields.Char(readonly=True)
    entered_by_id = fields.Many2one(
        "res.users", string="Entered By", readonly=True, ondelete="restrict",
        help="The staff member who recorded the customer's decision at the desk; empty on the portal.")
    amount_quoted = fields.Monetary(compute="_compute_amount_quoted", string="Quoted")
    approved_amount = fields.Monetary(
        readonly=True, help="Frozen when the customer decided: the sum he signed for."
    )

    @api.depends("order_id")
    def _compute_sequence(self):
        for quote in self:
            quote.sequence = len(quote.order_id.quote_ids.filtered(lambda q: q.id and q.id < quote.id)) + 1 \
                if quote.id else 1

    @api.depends("sequence")
    @api.depends_context("lang")
    def _compute_name(self):
        for quote in self:
            # every round numbered, the first one too: "Quote 1", "Quote 2" for the supplementary one
            quote.name = self.env._("Quote %(rank)s", rank=quote.sequence)

    @api.depends("line_ids.price_total")
    def _compute_amount_quoted(self):
        for quote in self:
            # as quoted: before the customer's decisions
            quote.amount_quoted = sum(line._amount_with_tax("pending") for line in quote.line_ids)

    def _send(self):
        """Send the quote to the customer with a link to approve it on the portal,
        through Odoo's SMS queue or mail queue as he prefers."""
        for quote in self:
            if quote.state != "draft":
                raise UserError(self.env._("%(quote)s has already been sent.", quote=quote.name))
            if not quote.line_ids:
                raise UserError(self.env._("%(quote)s has no line.", quote=quote.name))
        self.sudo().write({"state": "sent", "sent_on": fields.Datetime.now()})
        # each quote goes out with its own link, valid for the company's number of days
        self.order_id._portal_renew_token()
        for order in self.order_id:
            partner = order.partner_id
            if partner.sudo().service_opt_out:
                # a service message: the customer asked for none (his consent record)
                order.message_post(body=self.env._(
                    "The quote was not sent: the customer opted out of service messages. Show it at the desk."))
            elif partner.preferred_channel == "email" and partner.email:
                order.with_context(autorepair_quote_email=True).message_post_with_source(
                    "autorepair_workshop.mail_template_service_quote", subtype_xmlid="mail.mt_comment")
            else:
                # by WeChat or SMS, as the provider's approved template of a quote
                template = self.env.ref("autorepair_workshop.sms_template_service_quote")
                body = template._render_field("body", order.ids, compute_lang=True)[order.id]
                values = order._autorepair_channel_values(partner)
                values["amount"] = f"{order.quote_awaiting_amount:.2f}"
                order._autorepair_send_notice("quote", partner, body, values)

    def action_decide(self, decisions=None, signature=None, signed_by=None):
        """At the desk: record the customer's decision on every line, with his
        signature. decisions maps line ids (numbers or strings, as JSON-RPC
        and XML-RPC deliver them) to a decision; lines left out keep theirs."""
        self.ensure_one()
        self._check_desk(signature)
        self._record_decisions(decisions or {}, signature, signed_by, "desk")
        return True

    def action_decline_all(self, signature=None, signed_by=None, decisions=None):
        """At the desk: the customer wants none of it and signs so; the lines
        stay on the vehicle as recommendations, declined or, where decisions
        says so, deferred."""
        self.ensure_one()
        self._check_desk(signature)
        decisions = {**{line.id: "declined" for line in self.line_ids},
                     **{int(line_id): decision for line_id, decision in (decisions or {}).items()}}
        if set(decisions.values()) - {"declined", "deferred"}:
            raise UserError(self.env._("Declining the quote leaves every line declined or deferred."))
        self._record_decisions(decisions, signature, signed_by, "desk", decline_all=True)
        return True

    def _check_desk(self, signature):
        if not self.env.user.has_group("autorepair_workshop.group_advisor"):
            raise AccessError(self.env._("A customer's decision is recorded at the desk by a service advisor."))
        if not signature:
            raise UserError(self.env._("The customer signs the quote at the desk."))

    def _record_decisions(self, decisions, signature, signed_by, channel, decline_all=False):
        """The customer's decision, whatever the channel: the caller checked
        who the customer is (desk: the advisor in front of him; portal: the
        controller). Written as the superuser: nothing else decides a line."""
        self.ensure_one()
        self._lock_for_decision()
        if self.state == "decided":
            # decided meanwhile through the other channel (the desk and the portal at once)
            raise UserError(self.env._(
                "%(quote)s was already decided by %(who)s at %(when)s (%(channel)s): reload it to see the decision.",
                quote=self.name, who=self.signed_by,
                channel=dict(self._fields["approval_channel"]._description_selection(self.env))[
                    self.approval_channel],
                when=format_datetime(self.env, self.decided_on, dt_format="short")))
        if self.state != "sent":
            raise UserError(self.env._("%(quote)s is not awaiting the customer's decision.", quote=self.name))
        try:
            decisions = {int(line_id): decision for line_id, decision in decisions.items()}
        except (TypeError, ValueError):
            raise UserError(self.env._("Decisions are given per line id.")) from None
        lines = self.line_ids
        if set(decisions) - set(lines.ids):
            raise UserError(self.env._("These lines are not part of %(quote)s.", quote=self.name))
        if set(decisions.values()) - DECIDED:
            raise UserError(self.env._("Each line is approved, approved with its alternative, declined or deferred."))
        if any(decision == "alternative" and not lines.browse(line_id).alt_type
               for line_id, decision in decisions.items()):
            raise UserError(self.env._("Only a line with an alternative can be approved with it."))
        for decision in set(decisions.values()):
            lines.filtered(lambda line: decisions.get(line.id) == decision).sudo().write({"decision": decision})
        pending = lines.filtered(lambda line: line.decision == "pending")
        if pending:
            raise UserError(self.env._(
                "The customer must decide every line: %(lines)s.", lines=", ".join(pending.mapped("name"))))
        if not decline_all and not lines.filtered(lambda line: line.decision in APPROVED):
            raise UserError(self.env._(
                "The customer approved nothing. Record the decline with 'Customer Declines All' instead."))
        self._close(signature, signed_by, channel)

    def _lock_for_decision(self):
        """Hold the quote's row until the decision is committed: a second
        decision at the same time (the desk and the portal) waits here, then
        PostgreSQL refuses it (its snapshot predates the first), Odoo's RPC
        layer retries the request and the retry finds the quote decided."""
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM autorepair_service_quote WHERE id IN %s FOR NO KEY UPDATE", [tuple(self.ids)])
        self.invalidate_recordset()

    def _close(self, signature, signed_by, channel):
        now = fields.Datetime.now()
        self.line_ids.sudo().write({"decided_on": now})
        self.line_ids.filtered(lambda line: line.decision in ("declined", "deferred")).sudo().write(
            {"recommendation_state": "open"})
        # approved work reaches the booked technician's jobs, whoever approved it (desk or portal)
        if technician := self.order_id.technician_id:
            self.line_ids.filtered(
                lambda line: line.is_approved and line.line_type == "labour" and not line.technician_id,
            ).sudo().write({"technician_id": technician.id})
        self.sudo().write({
            "state": "decided",
            "decided_on": now,
            "approval_channel": channel,
            "signature": signature,
            "signed_by": signed_by or self.order_id.partner_id.name,
            "entered_by_id": self.env.uid if channel == "desk" else False,
            "approved_amount": sum(self.line_ids.filtered("is_approved").mapped("price_total")),
        })
        order = self.order_id
        # on the portal the customer may come through the SMS link without logging in: he is
        # the author of the decision and of the changes it brings, not the public user
        author = order.partner_id if channel == "portal" else self.env.user.partner_id
        order._track_set_author(author)
        if order.state == "quoted":
            # nothing approved at all: the car goes back as it came, the work stays recommended
            order._transition("approve" if order.line_ids.filtered("is_approved") else "decline")
        # the quote's link has done its work, whoever recorded the decision
        order._portal_expire_token()
        # a note for the staff, in the shop's language (the advisor's), not the language of
        # whoever recorded it: a visitor's browser on the portal, no language at all in a script
        staff = self.with_context(lang=order.advisor_id.lang or order.company_id.partner_id.lang or self.env.lang)
        order.message_post(author_id=author.id, body=staff.env._(
            "%(quote)s decided by %(who)s (%(channel)s): %(amount)s approved.",
            quote=staff.name, who=self.signed_by, amount=staff.currency_id.format(self.approved_amount),
            channel=dict(self._fields["approval_channel"]._description_selection(staff.env))[channel],
        ))
