from odoo import fields, models


class AutorepairComplaintStage(models.Model):
    """A step of complaint handling. Code reads the flags, never the names, so
    a dealer can rename or add stages."""

    _name = "autorepair.complaint.stage"
    _description = "Complaint Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", help="Empty: shared by every company of the group.")
    is_responded = fields.Boolean(
        string="Customer Contacted", help="Reaching this stage counts as the first response to the customer."
    )
    is_waiting_confirmation = fields.Boolean(
        string="Waiting for Customer Confirmation", help="Solved on our side; the customer is called to confirm."
    )
    is_closed = fields.Boolean(string="Closed", help="Confirmed by the customer: the ticket is finished.")
    fold = fields.Boolean(string="Folded in Kanban")
