from odoo import api, fields, models
from odoo.exceptions import UserError


class AutorepairCashierCloseLine(models.Model):
    """One payment method of a day close: expected from the day's payments,
    counted by the cashier, the difference and why, and whether its takings
    are matched to the bank."""

    _name = "autorepair.cashier.close.line"
    _description = "Cashier Day Close: Method"
    _order = "close_id, id"
    _check_company_auto = True

    close_id = fields.Many2one("autorepair.cashier.close", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="close_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="close_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal", string="Method", required=True, check_company=True, ondelete="restrict",
        domain="[('autorepair_payment_method', '!=', False)]")
    payment_method = fields.Selection(related="journal_id.autorepair_payment_method")
    expected_amount = fields.Monetary(string="Expected", compute="_compute_expected")
    payment_count = fields.Integer(string="Payments", compute="_compute_expected")
    counted_amount = fields.Monetary(
        string="Counted", help="The cash in the drawer; the terminal's or the platform's total of the day.")
    difference = fields.Monetary(compute="_compute_expected")
    reason = fields.Char(help="Why the count differs from the day's payments.")
    bank_state = fields.Selection(
        [("none", "Nothing to Match"), ("open", "To Reconcile"), ("reconciled", "Reconciled")],
        string="Bank", compute="_compute_expected")

    _sql_constraints = [
        ("close_journal_unique", "unique(close_id, journal_id)", "A day close counts each method once."),
    ]

    @api.depends("close_id.payment_ids", "counted_amount", "journal_id")
    def _compute_expected(self):
        for line in self:
            payments = line._payments()
            line.payment_count = len(payments)
            line.expected_amount = sum(payments.mapped("amount"))
            line.difference = line.counted_amount - line.expected_amount
            line.bank_state = ("none" if not payments
                               else "reconciled" if all(payments.mapped("is_matched")) else "open")

    def _payments(self):
        return self.close_id.payment_ids.filtered(lambda payment, j=self.journal_id: payment.journal_id == j)

    def write(self, vals):
        if any(line.close_id.state == "closed" for line in self):
            raise UserError(self.env._("The day is closed: its count can no longer change."))
        self.close_id._check_cashier()
        return super().write(vals)

    def _autorepair_reconcile_bank(self):
        """Reconcile the method's payments of the day with the statement line
        of its settlement or deposit: an unmatched line of the method's journal
        for the same total, on or after the day. Community Odoo's way: the
        statement line's suspense line takes the payments' outstanding account
        and is reconciled with their outstanding lines."""
        StatementLine = self.env["account.bank.statement.line"].sudo()
        for line in self:
            payments = line._payments().sudo().filtered(lambda payment: not payment.is_matched)
            if not payments:
                continue
            total = sum(payments.mapped("amount"))
            st_lines = StatementLine.search([
                ("journal_id", "=", line.journal_id.id), ("is_reconciled", "=", False),
                ("date", ">=", line.close_id.date), ("company_id", "=", line.company_id.id),
            ], order="date, id")
            st_line = st_lines.filtered(lambda st, t=total: line.currency_id.compare_amounts(st.amount, t) == 0)[:1]
            if not st_line:
                continue
            outstanding = payments.move_id.line_ids.filtered(
                lambda aml: aml.account_id in payments.outstanding_account_id and not aml.reconciled)
            accounts = outstanding.account_id
            if len(accounts) != 1:
                continue
            _liquidity, suspense, _other = st_line._seek_for_lines()
            suspense.account_id = accounts
            (suspense + outstanding).reconcile()
