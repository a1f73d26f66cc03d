from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class AutorepairComplaintCompensation(models.Model):
    """Compensation decided for a complaint. Money goes through accounting as a
    credit note; free work as a service order whose lines are goodwill at zero.
    Never a number typed in a text field."""

    _name = "autorepair.complaint.compensation"
    _description = "Complaint Compensation"
    _order = "id"

    complaint_id = fields.Many2one("autorepair.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    compensation_type = fields.Selection(
        [("discount", "Discount"), ("goodwill", "Goodwill Payment"), ("free_work", "Free Work")],
        string="Type", required=True, default="discount",
    )
    description = fields.Char(required=True)
    amount = fields.Monetary(help="Tax included, refunded to the customer.")
    state = fields.Selection([("draft", "Draft"), ("done", "Applied")], default="draft", required=True, readonly=True)
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True, ondelete="restrict")
    service_order_id = fields.Many2one("autorepair.service.order", string="Free Work Order", readonly=True,
                                       ondelete="restrict")

    @api.constrains("compensation_type", "amount")
    def _check_amount(self):
        for compensation in self:
            if compensation.compensation_type != "free_work" and compensation.amount <= 0:
                raise ValidationError(self.env._("A money compensation needs a positive amount."))
            if compensation.amount < 0:
                raise ValidationError(self.env._("A compensation cannot be negative."))

    def write(self, vals):
        if self.filtered(lambda c: c.state == "done") and set(vals) - {"state", "move_id", "service_order_id"}:
            raise UserError(self.env._("An applied compensation cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_applied(self):
        if self.filtered(lambda c: c.state == "done"):
            raise UserError(self.env._("An applied compensation cannot be deleted."))

    def action_apply(self):
        for compensation in self.filtered(lambda c: c.state == "draft"):
            if compensation.compensation_type == "free_work":
                compensation._apply_free_work()
            else:
                compensation._apply_credit_note()
            compensation.state = "done"

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
        self.move_id = credit_note
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
        self.service_order_id = order
        complaint.message_post(body=self.env._("Free work order %(order)s opened; its lines are billed as goodwill.",
                                               order=order.name))
