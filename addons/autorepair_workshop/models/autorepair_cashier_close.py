from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

CASHIER = "autorepair_workshop.group_cashier"
MANAGER = "autorepair_crm.group_manager"
# a payment counts in its day's takings once registered, until cancelled
TAKEN_STATES = ("in_process", "paid")


class AutorepairCashierClose(models.Model):
    """The cashier's day close (日结): per payment method, what the day's
    payments say was taken against what the cashier counted (the cash drawer,
    the terminal's and the QR platforms' totals); a difference needs its
    reason. Closing freezes the day's payments, which are then matched to the
    bank: the deposit of the cash, each platform's settlement."""

    _name = "autorepair.cashier.close"
    _description = "Cashier Day Close"
    _inherit = ["mail.thread", "autorepair.workflow.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _workflow_fields = frozenset({"state", "closed_date"})
    _workflow_initial = {"state": "draft"}
    _workflow_fixed = frozenset({"cashier_id", "date", "company_id"})

    name = fields.Char(compute="_compute_name")
    cashier_id = fields.Many2one(
        "res.users", string="Cashier", required=True, default=lambda self: self.env.user, index=True,
        ondelete="restrict", tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True, tracking=True)
    state = fields.Selection(
        [("draft", "Counting"), ("closed", "Closed")], default="draft", required=True, tracking=True, index=True)
    closed_date = fields.Datetime(string="Closed On", readonly=True, copy=False)
    line_ids = fields.One2many("autorepair.cashier.close.line", "close_id", string="Takings per Method")
    payment_ids = fields.Many2many(
        "account.payment", string="Payments", compute="_compute_payment_ids",
        help="The payments the cashier took that day; frozen by the close.")
    expected_total = fields.Monetary(string="Expected", compute="_compute_totals")
    counted_total = fields.Monetary(string="Counted", compute="_compute_totals")
    difference_total = fields.Monetary(string="Difference", compute="_compute_totals")
    bank_state = fields.Selection(
        [("none", "Nothing to Match"), ("open", "To Reconcile"), ("reconciled", "Reconciled")],
        string="Bank", compute="_compute_totals")

    _sql_constraints = [
        ("cashier_date_unique", "unique(company_id, cashier_id, date)", "A cashier closes each day once."),
    ]

    @api.depends("cashier_id", "date")
    def _compute_name(self):
        for close in self:
            close.name = self.env._("%(cashier)s, %(date)s", cashier=close.cashier_id.name or "",
                                    date=close.date or "")

    @api.depends("state", "cashier_id", "date", "company_id")
    def _compute_payment_ids(self):
        Payment = self.env["account.payment"].sudo()
        for close in self:
            if close.state == "closed" and close.id:
                close.payment_ids = Payment.search([("autorepair_close_id", "=", close.id)])
            else:
                close.payment_ids = Payment.search(close._payments_domain())

    @api.depends("line_ids.expected_amount", "line_ids.counted_amount", "line_ids.bank_state")
    def _compute_totals(self):
        for close in self:
            close.expected_total = sum(close.line_ids.mapped("expected_amount"))
            close.counted_total = sum(close.line_ids.mapped("counted_amount"))
            close.difference_total = close.counted_total - close.expected_total
            states = set(close.line_ids.mapped("bank_state")) - {"none"}
            close.bank_state = "open" if "open" in states else "reconciled" if states else "none"

    def _payments_domain(self):
        """The day's payments of the cashier, in the company's cashier journals."""
        self.ensure_one()
        return [
            ("autorepair_cashier_id", "=", self.cashier_id.id), ("date", "=", self.date),
            ("company_id", "=", self.company_id.id), ("journal_id.autorepair_payment_method", "!=", False),
            ("state", "in", TAKEN_STATES),
        ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a clear word before the database's unique key
            domain = [("company_id", "=", vals.get("company_id") or self.env.company.id),
                      ("cashier_id", "=", vals.get("cashier_id") or self.env.uid),
                      ("date", "=", vals.get("date") or fields.Date.context_today(self))]
            if existing := self.sudo().search(domain, limit=1):
                raise UserError(self.env._("%(close)s is already being counted or closed.", close=existing.name))
        closes = super().create(vals_list)
        for close in closes:
            close._check_cashier()
            # one line per payment method of the company, to count (none before its chart of accounts)
            journals = close.company_id._autorepair_cashier_journals() if close.company_id.chart_template else {}
            self.env["autorepair.cashier.close.line"].create([
                {"close_id": close.id, "journal_id": journal.id} for journal in journals.values()])
        return closes

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        if any(close.state == "closed" for close in self):
            raise UserError(self.env._("A closed day cannot be deleted."))

    def _check_cashier(self):
        """A cashier counts his own day; a service manager may count anyone's."""
        if self.env.su or self.env.user.has_group(MANAGER):
            return
        if any(close.cashier_id != self.env.user for close in self) or not self.env.user.has_group(CASHIER):
            raise AccessError(self.env._("A cashier closes his own day only."))

    def action_close(self):
        """Close the day (日结): every difference explained, the day's payments frozen."""
        self._check_cashier()
        for close in self:
            if close.state != "draft":
                raise UserError(self.env._("%(close)s is already closed.", close=close.name))
            unexplained = close.line_ids.filtered(
                lambda line: not line.currency_id.is_zero(line.difference) and not (line.reason or "").strip())
            if unexplained:
                raise UserError(self.env._(
                    "Give the reason of the difference for %(methods)s before closing the day.",
                    methods=", ".join(unexplained.mapped("journal_id.name"))))
        for close in self:
            close.payment_ids.sudo().write({"autorepair_close_id": close.id})
        self._write_workflow({"state": "closed", "closed_date": fields.Datetime.now()})
        return True

    def _write_workflow(self, values):
        self.sudo().write(values)

    def action_reconcile_bank(self):
        """Match each method's takings to its bank statement line: the deposit
        of the day's cash, each platform's settlement (see the line's method)."""
        self._check_cashier()
        for close in self:
            if close.state != "closed":
                raise UserError(self.env._("Close the day before matching it with the bank."))
            close.line_ids._autorepair_reconcile_bank()
        return True
