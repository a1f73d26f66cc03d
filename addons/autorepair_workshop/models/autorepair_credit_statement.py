from datetime import date, datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .autorepair_service_order import DELIVERED_STATES

INVOICING = "account.group_account_invoice"
# an invoice counted as paid on the statement (in_payment: the money is on its way to the bank)
PAID_STATES = ("paid", "in_payment", "reversed")


class AutorepairCreditStatement(models.Model):
    """The monthly statement (对账单) of a credit account (挂账): a company or
    fleet whose cars a service manager let out unpaid receives, once a month,
    the list of those orders with what was invoiced, paid and still open, and
    the shop's bank account to pay into. A snapshot taken when it is made:
    payments after it show on the next month's statement as the balance
    brought forward."""

    _name = "autorepair.credit.statement"
    _description = "Credit Account Monthly Statement"
    _inherit = ["mail.thread", "autorepair.workflow.mixin"]
    _order = "month desc, partner_id"
    _check_company_auto = True
    # the statement's facts are the generator's; users send it
    _workflow_fields = frozenset({"state", "sent_date", "line_ids", "amount_previous_open", "name"})
    _workflow_initial = {"state": "draft"}
    _workflow_fixed = frozenset({"partner_id", "company_id", "month"})

    name = fields.Char(string="Statement", required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Credit Account", required=True, readonly=True, index=True, ondelete="restrict",
        check_company=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company,
        ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, readonly=True, index=True, help="The first day of the month stated.")
    month_end = fields.Date(compute="_compute_month_end")
    state = fields.Selection(
        [("draft", "Draft"), ("sent", "Sent")], default="draft", required=True, readonly=True, tracking=True,
        index=True)
    sent_date = fields.Datetime(string="Sent On", readonly=True, copy=False)
    line_ids = fields.One2many("autorepair.credit.statement.line", "statement_id", string="Orders", readonly=True)
    order_count = fields.Integer(compute="_compute_amounts", store=True, string="Orders Released on Credit")
    amount_invoiced = fields.Monetary(compute="_compute_amounts", store=True, string="Invoiced")
    amount_paid = fields.Monetary(compute="_compute_amounts", store=True, string="Paid")
    amount_open = fields.Monetary(compute="_compute_amounts", store=True, string="Open")
    amount_previous_open = fields.Monetary(
        string="Open from Earlier Months", readonly=True,
        help="What the account still owed on earlier months' orders released on credit when this statement "
        "was made.")
    amount_due = fields.Monetary(compute="_compute_amounts", store=True, string="Total Due")

    _sql_constraints = [
        ("partner_month_uniq", "unique(partner_id, company_id, month)",
         "A credit account has one statement per month."),
    ]

    @api.depends("month")
    def _compute_month_end(self):
        for statement in self:
            statement.month_end = statement.month and statement.month + relativedelta(months=1, days=-1)

    @api.depends("line_ids.amount", "line_ids.amount_paid", "amount_previous_open")
    def _compute_amounts(self):
        for statement in self:
            lines = statement.line_ids
            statement.order_count = len(lines)
            statement.amount_invoiced = sum(lines.mapped("amount"))
            statement.amount_paid = sum(lines.mapped("amount_paid"))
            statement.amount_open = statement.amount_invoiced - statement.amount_paid
            statement.amount_due = statement.amount_open + statement.amount_previous_open

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(statement.state == "sent" for statement in self):
            raise UserError(self.env._("A statement sent to its account cannot be deleted."))

    # ------------------------------------------------------------------ actions

    def action_send(self):
        """Send the statements with their PDF to their accounts (again, for a
        statement already sent: the account asked for a copy)."""
        self._check_invoicing_user()
        self.sudo()._send()
        return True

    def action_refresh(self):
        """Take the snapshot again (a draft only): an order approved on credit
        late, a payment received since."""
        self._check_invoicing_user()
        if any(statement.state != "draft" for statement in self):
            raise UserError(self.env._("Only a draft statement is refreshed: this one was sent as it is."))
        for statement in self.sudo():
            statement.line_ids.unlink()
            data = self._collect(statement.company_id, statement.month).get(statement.partner_id)
            statement.write({
                "line_ids": [fields.Command.create(vals) for vals in (data or {}).get("lines", [])],
                "amount_previous_open": (data or {}).get("previous_open", 0.0),
            })
        return True

    def _check_invoicing_user(self):
        if not self.env.su and not self.env.user.has_group(INVOICING):
            raise AccessError(self.env._("Only users with invoicing rights send credit statements."))

    # ----------------------------------------------------------------- business

    @api.model
    def _month_bounds(self, company, month):
        """The month's first and next month's first instants in the shop's
        time, as the UTC datetimes the database keeps."""
        tz = pytz.timezone(company.resource_calendar_id.tz or "Asia/Shanghai")

        def utc(day):
            return tz.localize(datetime.combine(day, time())).astimezone(pytz.utc).replace(tzinfo=None)
        return utc(month), utc(month + relativedelta(months=1))

    @api.model
    def _collect(self, company, month, partners=None):
        """What the statements of ``month`` hold, per credit account of
        ``company`` (``partners`` only, when given): the orders released on
        credit in the month, their customer invoices (amount, paid, open) and
        what earlier months' such invoices still owe.

        :return: {account: {"lines": [line values], "previous_open": amount}}
        """
        start, end = self._month_bounds(company, month)
        domain = [("company_id", "=", company.id), ("credit_approved_by_id", "!=", False),
                  ("state", "in", DELIVERED_STATES), ("delivered_date", ">=", start), ("delivered_date", "<", end),
                  ("partner_id.commercial_partner_id.autorepair_credit_account", "=", True)]
        if partners is not None:
            domain.append(("partner_id.commercial_partner_id", "in", partners.ids))
        orders = self.env["autorepair.service.order"].sudo().search(domain, order="delivered_date, id")
        orders.fetch(["name", "delivered_date", "license_plate", "partner_id"])
        invoices = orders.invoice_ids.filtered(lambda move: move.state == "posted")
        invoices.fetch(["commercial_partner_id", "amount_total_signed", "amount_residual_signed", "name",
                        "autorepair_service_order_id"])
        result = {}
        tz = pytz.timezone(company.resource_calendar_id.tz or "Asia/Shanghai")
        for order in orders:
            account = order.partner_id.commercial_partner_id
            # the customer's invoices: the insurer's and the maker's are settled apart
            mine = invoices.filtered(
                lambda move, order=order, account=account: move.autorepair_service_order_id == order
                and move.commercial_partner_id == account)
            amount = sum(mine.mapped("amount_total_signed"))
            open_amount = sum(mine.mapped("amount_residual_signed"))
            result.setdefault(account, {"lines": [], "previous_open": 0.0})["lines"].append({
                "order_id": order.id,
                "date": pytz.utc.localize(order.delivered_date).astimezone(tz).date(),
                "license_plate": order.license_plate or "",
                "invoice_ids": [fields.Command.set(mine.ids)],
                "amount": amount,
                "amount_paid": amount - open_amount,
            })
        if result:
            # the balance brought forward: open invoices of the accounts' earlier credit orders
            groups = self.env["account.move"].sudo()._read_group([
                ("company_id", "=", company.id), ("state", "=", "posted"),
                ("commercial_partner_id", "in", [account.id for account in result]),
                ("payment_state", "not in", PAID_STATES),
                ("autorepair_service_order_id.credit_approved_by_id", "!=", False),
                ("autorepair_service_order_id.delivered_date", "<", start),
            ], ["commercial_partner_id"], ["amount_residual_signed:sum"])
            for account, residual in groups:
                result[account]["previous_open"] = residual
        return result

    @api.model
    def _generate(self, month, companies=None):
        """The statements of ``month`` (its first day) for every credit account
        that had a car released on credit in it and has none yet: a second
        run adds nothing.

        :return: the statements created
        """
        self = self.sudo()
        created = self.browse()
        for company in companies or self.env["res.company"].search([]):
            data = self._collect(company, month)
            existing = self.search([("company_id", "=", company.id), ("month", "=", month),
                                    ("partner_id", "in", [account.id for account in data])]).partner_id
            accounts = [account for account in data if account not in existing]
            # the chatter starts with the statement's sending
            statements = self.with_company(company).with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True).create([{
                "name": f"{account.name} {month:%Y-%m}",
                "partner_id": account.id, "company_id": company.id, "month": month,
                "amount_previous_open": data[account]["previous_open"],
            } for account in accounts])
            # the orders of every statement in one batch: a month of many accounts costs what one costs
            self.env["autorepair.credit.statement.line"].create([
                {**line, "statement_id": statement.id}
                for statement, account in zip(statements, accounts, strict=True) for line in data[account]["lines"]])
            created |= statements
        return created

    @api.model
    def _cron_generate_statements(self):
        """On the 1st: last month's statements, made and sent. Any day after
        it catches up a missed run; a statement already made is left alone."""
        for company in self.env["res.company"].search([]):
            today = datetime.now(pytz.timezone(company.resource_calendar_id.tz or "Asia/Shanghai")).date()
            month = date(today.year, today.month, 1) - relativedelta(months=1)
            self._generate(month, company)._send()

    def _send(self):
        """E-mail each statement with its PDF to the account; an account
        without an e-mail address is told by its channel (SMS or WeChat) and
        the PDF is kept on the statement for the cashier to hand over."""
        report = self.env.ref("autorepair_workshop.autorepair_credit_statement_report")
        for statement in self:
            account = statement.partner_id
            content, kind = self.env["ir.actions.report"]._render_qweb_pdf(report, statement.ids)
            # under tests Odoo renders the report's HTML and no PDF (force_report_rendering)
            attachment = self.env["ir.attachment"].create({
                "name": f"{statement.name}.{kind}", "raw": content,
                "mimetype": "application/pdf" if kind == "pdf" else "text/html",
                "res_model": statement._name, "res_id": statement.id,
            })
            amount = statement.currency_id.format(statement.amount_due)
            body = self.env._(
                "%(shop)s: your statement for %(month)s: %(count)s orders released on credit, %(invoiced)s "
                "invoiced, %(due)s due in total.", shop=statement.company_id.name,
                month=statement.month.strftime("%Y-%m"), count=statement.order_count,
                invoiced=statement.currency_id.format(statement.amount_invoiced), due=amount)
            if account.email:
                statement.message_post(
                    body=body, partner_ids=account.ids, attachment_ids=attachment.ids, message_type="comment",
                    subtype_xmlid="mail.mt_comment")
            else:
                statement.message_post(body=body, attachment_ids=attachment.ids, subtype_xmlid="mail.mt_note")
                statement._autorepair_send_notice("statement", account, body, {
                    "amount": amount, "date": statement.month.strftime("%Y-%m"), "text": body})
        self.write({"state": "sent", "sent_date": fields.Datetime.now()})

