from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

CASHIER = "autorepair_workshop.group_cashier"
MANAGER = "autorepair_crm.group_manager"


class AutorepairPaymentWizard(models.TransientModel):
    """The cashier takes the customer's payment of a settled order (收款):
    one line per method (WeChat Pay and cash, say), each with the terminal's
    or the QR's transaction number, and the change given back on cash. Each
    line is registered by Odoo's payment register against the customer's
    open invoices of the order."""

    _name = "autorepair.payment.wizard"
    _description = "Take a Payment at the Cashier's Desk"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
    partner_id = fields.Many2one(related="order_id.partner_id")
    amount_due = fields.Monetary(compute="_compute_amount_due")
    line_ids = fields.One2many("autorepair.payment.wizard.line", "wizard_id", string="Payments")
    amount_total = fields.Monetary(compute="_compute_totals", string="Taken")
    amount_left = fields.Monetary(compute="_compute_totals", string="Still Due")
    change_total = fields.Monetary(compute="_compute_totals", string="Change to Give")

    @api.depends("order_id")
    def _compute_amount_due(self):
        for wizard in self:
            wizard.amount_due = sum(wizard.order_id._autorepair_open_invoices().mapped("amount_residual"))

    @api.depends("line_ids.amount", "line_ids.change", "amount_due")
    def _compute_totals(self):
        for wizard in self:
            wizard.amount_total = sum(wizard.line_ids.mapped("amount"))
            wizard.amount_left = wizard.amount_due - wizard.amount_total
            wizard.change_total = sum(wizard.line_ids.mapped("change"))

    def action_confirm(self):
        """Register each line (checked first: all or nothing)."""
        self.ensure_one()
        if not self.env.user.has_groups(f"{CASHIER},{MANAGER}"):
            raise AccessError(self.env._("Only a cashier takes payments at the desk."))
        order = self.order_id
        invoices = order._autorepair_open_invoices()
        self._check_lines(invoices)
        today = fields.Date.context_today(self)
        if self.env["autorepair.cashier.close"].sudo().search_count([
                ("cashier_id", "=", self.env.uid), ("date", "=", today), ("company_id", "=", order.company_id.id),
                ("state", "=", "closed")], limit=1):
            raise UserError(self.env._("Your day is closed (日结): payments taken now belong to tomorrow's count."))
        payments = self.env["account.payment"]
        for line in self.line_ids:
            receivables = invoices.line_ids.filtered(
                lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled)
            register = self.env["account.payment.register"].with_context(
                active_model="account.move.line", active_ids=receivables.ids).create({
                    "journal_id": line.journal_id.id,
                    "amount": line.amount,
                    "payment_date": today,
                    "group_payment": True,
                    "payment_difference_handling": "open",
                    "communication": " ".join(filter(None, [order.name, line.reference])),
                })
            payment = register._create_payments()
            # the desk's own values, after the checks above (account.payment refuses them otherwise)
            payment.sudo().write({
                "autorepair_transaction_ref": line.payment_method != "cash" and line.reference.strip(),
                "autorepair_cashier_id": self.env.uid,
                "autorepair_service_order_id": order.id,
                "autorepair_cash_tendered": line.cash_tendered if line.payment_method == "cash" else 0.0,
                "autorepair_change": line.change,
            })
            payments |= payment
        # the cashier reads the order only: the note is posted in his name by the desk
        order.sudo().message_post(
            body=self.env._("Payment taken: %(payments)s.",
                            payments="; ".join(line._summary() for line in self.line_ids)),
            author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}

    def _check_lines(self, invoices):
        if not invoices:
            raise UserError(self.env._("%(order)s has nothing left to pay.", order=self.order_id.name))
        if not self.line_ids:
            raise UserError(self.env._("Add a line for each method the customer pays with."))
        currency = self.currency_id
        journals = self.order_id.company_id._autorepair_cashier_journals()
        seen = set()
        for line in self.line_ids:
            if line.journal_id not in journals.values():
                raise UserError(self.env._("%(journal)s is not a cashier's payment method.",
                                           journal=line.journal_id.name))
            if currency.compare_amounts(line.amount, 0) <= 0:
                raise UserError(self.env._("Each payment line takes an amount above zero."))
            if line.payment_method == "cash":
                if currency.compare_amounts(line.cash_tendered, line.amount) < 0:
                    raise UserError(self.env._(
                        "The cash tendered (%(tendered)s) is less than the cash amount (%(amount)s).",
                        tendered=line.cash_tendered, amount=line.amount))
                continue
            reference = (line.reference or "").strip()
            if not reference:
                raise UserError(self.env._(
                    "Enter the transaction number of the %(method)s payment (on the terminal's slip or the "
                    "customer's payment screen).", method=line.journal_id.name))
            key = (line.journal_id.id, reference)
            if key in seen or self.env["account.payment"].sudo().search_count([
                    ("journal_id", "=", line.journal_id.id), ("autorepair_transaction_ref", "=", reference)],
                    limit=1):
                raise ValidationError(self.env._(
                    "Transaction %(reference)s has already been recorded for %(method)s: a payment is taken once.",
                    reference=reference, method=line.journal_id.name))
            seen.add(key)
        if currency.compare_amounts(sum(self.line_ids.mapped("amount")), self.amount_due) > 0:
            raise UserError(self.env._(
                "The payments (%(taken)s) exceed what is due (%(due)s): give change on cash only.",
                taken=sum(self.line_ids.mapped("amount")), due=self.amount_due))


class AutorepairPaymentWizardLine(models.TransientModel):
    _name = "autorepair.payment.wizard.line"
    _description = "Take a Payment: Method"

    wizard_id = fields.Many2one("autorepair.payment.wizard", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal", string="Method", required=True,
        domain="[('autorepair_payment_method', '!=', False)]")
    payment_method = fields.Selection(related="journal_id.autorepair_payment_method")
    amount = fields.Monetary(required=True)
    reference = fields.Char(
        string="Transaction Number",
        help="The terminal slip's or the WeChat Pay / Alipay transaction number; not needed for cash.")
    cash_tendered = fields.Monetary(help="What the customer handed over, for cash.")
    change = fields.Monetary(compute="_compute_change")

    @api.depends("payment_method", "amount", "cash_tendered")
    def _compute_change(self):
        for line in self:
            line.change = (max(line.cash_tendered - line.amount, 0.0)
                           if line.payment_method == "cash" and line.cash_tendered else 0.0)

    def _summary(self):
        self.ensure_one()
        parts = [f"{self.journal_id.name} {self.currency_id.format(self.amount)}"]
        if self.reference:
            parts.append(self.reference)
        if self.change:
            parts.append(self.env._("change %(change)s", change=self.currency_id.format(self.change)))
        return " ".join(parts)

