from odoo import api, fields, models
from odoo.exceptions import UserError

from .autorepair_service_order_line import APPROVED


class AutorepairServiceQuote(models.Model):
    """One round of approval: the first quote, then one supplementary quote per
    batch of work found later. Each is approved line by line by the customer,
    at the desk with a signature or on the portal, and its amount is frozen."""

    _name = "autorepair.service.quote"
    _description = "Service Quote"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    sequence = fields.Integer(compute="_compute_sequence", store=True)
    name = fields.Char(compute="_compute_sequence", store=True)
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
    amount_quoted = fields.Monetary(compute="_compute_amount_quoted", string="Quoted")
    approved_amount = fields.Monetary(
        readonly=True, help="Frozen when the customer decided: the sum he signed for."
    )

    @api.depends("order_id")
    def _compute_sequence(self):
        for quote in self:
            rank = len(quote.order_id.quote_ids.filtered(lambda q: q.id and q.id < quote.id)) + 1 if quote.id else 1
            quote.sequence = rank
            quote.name = (self.env._("Quote") if rank == 1
                          else self.env._("Supplementary Quote %(rank)s", rank=rank - 1))

    @api.depends("line_ids.price_total")
    def _compute_amount_quoted(self):
        for quote in self:
            quote.amount_quoted = sum(
                line.tax_ids.compute_all(line.price_unit, line.currency_id, line.quantity)["total_included"]
                for line in quote.line_ids if line.bill_to == "customer"
            )

    def action_send(self):
        """Send the quote to the customer with a link to approve it on the portal,
        through Odoo's SMS queue or mail queue as he prefers."""
        for quote in self:
            if quote.state != "draft":
                raise UserError(self.env._("%(quote)s has already been sent.", quote=quote.name))
            if not quote.line_ids:
                raise UserError(self.env._("%(quote)s has no line.", quote=quote.name))
        self.write({"state": "sent", "sent_on": fields.Datetime.now()})
        for order in self.order_id:
            partner = order.partner_id
            if partner.preferred_channel == "email" and partner.email:
                order.with_context(autorepair_quote_email=True).message_post_with_source(
                    "autorepair_crm.mail_template_service_quote", subtype_xmlid="mail.mt_comment")
            elif partner.mobile or partner.phone:
                order._message_sms_with_template(
                    template_xmlid="autorepair_crm.sms_template_service_quote",
                    partner_ids=partner.ids, put_in_queue=True,
                )

    def action_decide(self, decisions=None, signature=None, signed_by=None, channel="desk"):
        """Record the customer's decision on every line: decisions maps line ids
        to a decision (the lines' own decision field when None)."""
        self.ensure_one()
        if self.state != "sent":
            raise UserError(self.env._("%(quote)s is not awaiting the customer's decision.", quote=self.name))
        lines = self.line_ids
        if decisions:
            unknown = set(decisions) - set(lines.ids)
            if unknown:
                raise UserError(self.env._("These lines are not part of %(quote)s.", quote=self.name))
            for decision in set(decisions.values()):
                lines.filtered(lambda line: decisions.get(line.id) == decision).with_context(
                    autorepair_deciding=True).write({"decision": decision})
        pending = lines.filtered(lambda line: line.decision == "pending")
        if pending:
            raise UserError(self.env._(
                "The customer must decide every line: %(lines)s.", lines=", ".join(pending.mapped("name"))))
        if not lines.filtered(lambda line: line.decision in APPROVED):
            raise UserError(self.env._(
                "The customer approved nothing. Record the decline with 'Customer Declines All' instead."))
        if channel == "desk" and not signature:
            raise UserError(self.env._("The customer signs the quote at the desk."))
        self._close(signature, signed_by, channel)

    def action_decline_all(self):
        """The customer wants none of it: the lines stay on the vehicle as recommendations."""
        self.ensure_one()
        self.line_ids.with_context(autorepair_deciding=True).write({"decision": "declined"})
        self._close(None, None, "desk")

    def _close(self, signature, signed_by, channel):
        now = fields.Datetime.now()
        self.line_ids.with_context(autorepair_deciding=True).write({"decided_on": now})
        self.line_ids.filtered(lambda line: line.decision in ("declined", "deferred")).write(
            {"recommendation_state": "open"})
        self.write({
            "state": "decided",
            "decided_on": now,
            "approval_channel": channel,
            "signature": signature,
            "signed_by": signed_by or self.order_id.partner_id.name,
            "approved_amount": sum(self.line_ids.filtered("is_approved").mapped("price_total")),
        })
        order = self.order_id
        if order.state == "quoted":
            # nothing approved at all: the car goes back as it came, the work stays recommended
            order.state = "approved" if order.line_ids.filtered("is_approved") else "cancel"
        # on the portal the customer may come through the SMS link without logging in
        author = order.partner_id if channel == "portal" else self.env.user.partner_id
        order.message_post(author_id=author.id, body=self.env._(
            "%(quote)s decided by %(who)s (%(channel)s): %(amount)s approved.",
            quote=self.name, who=self.signed_by, amount=order.currency_id.format(self.approved_amount),
            channel=dict(self._fields["approval_channel"]._description_selection(self.env))[channel],
        ))
