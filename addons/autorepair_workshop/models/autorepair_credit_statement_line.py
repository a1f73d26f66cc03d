from odoo import api, fields, models


class AutorepairCreditStatementLine(models.Model):
    """One order of a monthly statement, as it stood when the statement was made."""

    _name = "autorepair.credit.statement.line"
    _description = "Credit Statement Order"
    _order = "statement_id, date, id"

    statement_id = fields.Many2one(
        "autorepair.credit.statement", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")
    order_id = fields.Many2one("autorepair.service.order", string="Order", required=True, readonly=True,
                               index=True, ondelete="restrict")
    date = fields.Date(string="Released On", readonly=True)
    license_plate = fields.Char(string="Plate", readonly=True)
    invoice_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    amount = fields.Monetary(readonly=True)
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    amount_open = fields.Monetary(string="Open", compute="_compute_amount_open", store=True)

    @api.depends("amount", "amount_paid")
    def _compute_amount_open(self):
        for line in self:
            line.amount_open = line.amount - line.amount_paid
