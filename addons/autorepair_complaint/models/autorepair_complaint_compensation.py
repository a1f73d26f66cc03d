from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount

# what a proposal may still change; afterwards only the steps write (state, approval, result)
PROPOSAL_FIELDS = {"compensation_type", "description", "amount", "complaint_id"}
MONEY_TYPES = ("discount", "goodwill")


class AutorepairComplaintCompensation(models.Model):
    """Compensation decided for a complaint. Money goes through accounting as a
    credit note; free work as a service order whose lines are goodwill at zero.
    Never a number typed in a text field.

    Money leaves only through accounting rights: a compensation above the
    company's approval amount (Settings) waits for a service manager's
    approval; the credit note is made and posted by ``_apply_credit_note``
    only, for a user holding Odoo's invoicing rights. Who approved, when, and
    the amount approved are written by the steps only."""

    _name = "autorepair.complaint.compensation"
    _description = "Complaint Compensation"
    _inherit = ["autorepair.workflow.mixin"]
    _order = "id"
    _workflow_fields = frozenset({"state", "approved_by_id", "approved_date", "move_id", "service_order_id"})
    _workflow_initial = {"state": "draft"}

    complaint_id = fields.Many2one("autorepair.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    compensation_type = fields.Selection(
        [("discount", "Discount"), ("goodwill", "Goodwill Payment"), ("free_work", "Free Work")],
        string="Type", required=True, default="discount",
    )
    description = fields.Char(required=True)
    amount = fields.Monetary(help="Tax included, refunded to the customer; for free work, the value of the work.")
    state = fields.Selection(
        [("draft", "Proposed"), ("to_approve", "Waiting Approval"), ("approved", "Approved"),
         ("done", "Applied"), ("refused", "Refused")],
        default="draft", required=True, readonly=True, copy=False, index=True,
    )
    needs_approval = fields.Boolean(
        compute="_compute_needs_approval",
        help="Above the approval amount of Settings, a service manager approves before any money moves.",
    )
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False,
                                     ondelete="restrict")
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True, ondelete="restrict")
    service_order_id = fields.Many2one("autorepair.service.order", string="Free Work Order", readonly=True,
                                       ondelete="restrict")

    @api.depends("amount", "company_id")
    def _compute_needs_approval(self):
        for compensation in self:
            limit = compensation._approval_amount()
            currency = compensation.currency_id
            compensation.needs_approval = (currency.compare_amounts(compensation.amount, limit) > 0 if currency
                                           else compensation.amount > limit)

    def _approval_amount(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        return company._autorepair_complaint_setting("compensation_approval_amount")

    @api.constrains("compensation_type", "amount")
    def _check_amount(self):
        for compensation in self:
            if compensation.compensation_type != "free_work" and compensation.amount <= 0:
                raise ValidationError(self.env._("A money compensation needs a positive amount."))
            if compensation.amount < 0:
                raise ValidationError(self.env._("A compensation cannot be negative."))

    def write(self, vals):
        if PROPOSAL_FIELDS & vals.keys() and self.filtered(lambda c: c.state != "draft"):
            raise UserError(self.env._(
                "A compensation submitted, approved or applied cannot be changed: refuse it and propose another."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_applied(self):
        if self.filtered(lambda c: c.state in ("approved", "done")):
            raise UserError(self.env._("An approved or applied compensation cannot be deleted."))

    # ------------------------------------------------------------------- actions

    def action_request_approval(self):
        """Above the approval amount: submitted to the service manager, who
        gets an activity on the complaint."""
        for compensation in self:
            if compensation.state != "draft":
                raise UserError(self.env._("Only a proposed compensation can be submitted for approval."))
        self.sudo().write({"state": "to_approve"})
        for compensation in self:
            manager = self.env["autorepair.complaint"]._escalation_targets(compensation.company_id)["1"]
            compensation.complaint_id.sudo().activity_schedule(
                "mail.mail_activity_data_todo", user_id=(manager or self.env.user).id,
                summary=compensation._approval_summary())
        return True

    def _approval_summary(self):
        self.ensure_one()
        return self.env._("Approve compensation: %(what)s (%(amount)s)", what=self.description,
                          amount=format_amount(self.env, self.amount, self.currency_id))

    def _close_approval_activities(self):
        """The manager's to-do asking for the decision is done once decided."""
        for compensation in self:
            summary = compensation._approval_summary()
            compensation.complaint_id.sudo().activity_ids.filtered(
                lambda activity: activity.summary == summary).action_feedback()

    def action_approve(self):
        """A service manager approves; when he holds invoicing rights the
        money moves at once, else someone with those rights applies it."""
        if not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a service manager may approve a compensation."))
        for compensation in self:
            if compensation.state not in ("draft", "to_approve"):
                raise UserError(self.env._("%(what)s is not waiting for approval.", what=compensation.description))
            if compensation.create_uid == self.env.user and compensation.needs_approval:
                raise AccessError(self.env._(
                    "You proposed %(what)s: another service manager approves it.", what=compensation.description))
        self.sudo().write({"state": "approved", "approved_by_id": self.env.uid,
                           "approved_date": fields.Datetime.now()})
        self._close_approval_activities()
        for compensation in self:
            compensation.complaint_id.message_post(body=self.env._(
                "Compensation approved: %(what)s (%(amount)s)", what=compensation.description,
                amount=format_amount(self.env, compensation.amount, compensation.currency_id)))
        if self.env.user.has_group("account.group_account_invoice"):
            self._apply()
        return True

    def action_refuse(self):
        if not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a service manager may refuse a compensation."))
        if self.filtered(lambda c: c.state not in ("draft", "to_approve")):
            raise UserError(self.env._("Only a compensation waiting for approval can be refused."))
        self.sudo().write({"state": "refused", "approved_by_id": self.env.uid,
                           "approved_date": fields.Datetime.now()})
        self._close_approval_activities()
        return True

    def action_apply(self):
        """Apply a compensation: at or below the approval amount on the
        proposer's own right, above it once a service manager approved it.
        Money needs invoicing rights."""
        for compensation in self:
            if compensation.state == "done":
                continue
            if compensation.state not in ("draft", "approved"):
                raise UserError(self.env._("%(what)s is waiting for approval or was refused.",
                                           what=compensation.description))
            if compensation.state == "draft" and compensation.needs_approval:
                raise UserError(self.env._(
                    "%(what)s is above %(limit)s: a service manager approves it before the money moves "
                    "(Request Approval).", what=compensation.description, limit=compensation._approval_amount()))
        self.filtered(lambda c: c.state != "done")._apply()
        return True

    # ------------------------------------------------------------ business steps

    def _apply(self):
        """Move the money (or open the free work) of compensations allowed to
        move: the credit note is made with the acting user's own rights."""
        money = self.filtered(lambda c: c.compensation_type in MONEY_TYPES)
        if money and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._(
                "A compensation in money is a credit note: only a user with invoicing rights "
                "(Accounting: Billing) can apply it. Ask a service advisor or the accountant."))
        for compensation in self:
            if compensation.compensation_type == "free_work":
                compensation._apply_free_work()
            else:
                compensation._apply_credit_note()
            compensation.sudo().state = "done"

    def _apply_credit_note(self):
        complaint = self.complaint_id
        invoice = complaint.service_order_id.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.move_type == "out_invoice"
            and move.commercial_partner_id == complaint.partner_id.commercial_partner_id)[:1]
        journal = invoice.journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", complaint.company_id.id)], limit=1)
        if not journal:
            raise UserError(self.env._("Create a sales journal before compensating a customer."))
        product = self.env.ref("autorepair_complaint.product_compensation")
        credit_note = self.env["account.move"].create({
            "move_type": "out_refund",
            "partner_id": complaint.partner_id.id,
            "journal_id": journal.id,
            "company_id": complaint.company_id.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": complaint.name,
            "reversed_entry_id": invoice.id or False,
            "ref": self.description,
            "invoice_line_ids": [fields.Command.create({
                "product_id": product.id,
                "name": f"{complaint.name}: {self.description}",
                "quantity": 1,
                "price_unit": self.amount,
                # the amount agreed with the customer is what he gets back
                "tax_ids": [fields.Command.clear()],
            })],
        })
        credit_note.action_post()
        self.sudo().move_id = credit_note
        complaint.message_post(body=self.env._("Compensation credited: %(note)s", note=credit_note.name))

    def _apply_free_work(self):
        complaint = self.complaint_id
        if not complaint.vehicle_id:
            raise UserError(self.env._("Free work is done on a vehicle: set the complaint's vehicle."))
        order = self.env["autorepair.service.order"].create({
            "vehicle_id": complaint.vehicle_id.id,
            "partner_id": complaint.partner_id.id,
            "need_type": "repair",
            "source": "shop",
            "requested_work": self.env._("Free work for complaint %(complaint)s: %(what)s",
                                         complaint=complaint.name, what=self.description),
        })
        self.sudo().service_order_id = order
        complaint.message_post(body=self.env._("Free work order %(order)s opened; its lines are billed as goodwill.",
                                               order=order.name))
