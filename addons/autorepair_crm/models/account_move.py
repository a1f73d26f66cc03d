from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _autorepair_earn_points(self):
        """Earn points on these paid customer invoices, once each, at the rate
        of the invoice's company, on the customer's points card; the credit
        notes already posted against them take their share back at once.
        A trusted path (the paid-invoice hook): no caller's rights involved."""
        invoices = self.filtered(lambda inv: inv.move_type == "out_invoice" and inv.state == "posted")
        History = self.env["loyalty.history"].sudo()
        done = History.search([("autorepair_points_invoice_id", "in", invoices.ids)]).autorepair_points_invoice_id
        for invoice in (invoices - done).sorted("id"):
            points = int(invoice.amount_total_signed * invoice.company_id._autorepair_crm_setting("points_per_yuan"))
            if points <= 0:
                continue
            card = invoice.commercial_partner_id._autorepair_points_card(invoice.company_id)
            card._autorepair_points_move(points, self.env._("Paid %(invoice)s", invoice=invoice.name),
                                         invoice=invoice)
        refunds = self.sudo().search([
            ("reversed_entry_id", "in", invoices.ids), ("move_type", "=", "out_refund"), ("state", "=", "posted")])
        refunds._autorepair_take_back_points()

    def _autorepair_take_back_points(self):
        """A posted credit note takes back the points its invoice earned, in
        proportion to what it refunds; once per credit note, and never more
        than the invoice earned. A refund of an invoice not paid yet takes
        nothing now: the points are taken back when the invoice is paid."""
        History = self.env["loyalty.history"].sudo()
        refunds = self.filtered(
            lambda r: r.move_type == "out_refund" and r.state == "posted" and r.reversed_entry_id)
        done = History.search([("autorepair_points_invoice_id", "in", refunds.ids)]).autorepair_points_invoice_id
        refunds -= done
        if not refunds:
            return
        invoices = refunds.reversed_entry_id
        earned = {line.autorepair_points_invoice_id: line for line in History.search([
            ("autorepair_points_invoice_id", "in", invoices.ids)])}
        taken = {}
        for line in History.search([("autorepair_points_invoice_id.reversed_entry_id", "in", invoices.ids)]):
            invoice = line.autorepair_points_invoice_id.reversed_entry_id
            taken[invoice] = taken.get(invoice, 0) + line.used
        for refund in refunds.sorted("id"):
            invoice = refund.reversed_entry_id
            earn = earned.get(invoice)
            if not earn or not earn.issued or not invoice.amount_total:
                continue
            share = round(earn.issued * min(refund.amount_total / invoice.amount_total, 1.0))
            share = min(share, earn.issued - taken.get(invoice, 0))
            if share <= 0:
                continue
            taken[invoice] = taken.get(invoice, 0) + share
            earn.card_id._autorepair_points_move(
                -share, self.env._("Credit note %(refund)s of %(invoice)s", refund=refund.name, invoice=invoice.name),
                invoice=refund)
