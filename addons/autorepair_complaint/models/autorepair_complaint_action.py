from odoo import api, fields, models


class AutorepairComplaintAction(models.Model):
    """A corrective or preventive action decided from a complaint's root cause,
    with its owner and due date (e.g. diagnosis training, QC before delivery)."""

    _name = "autorepair.complaint.action"
    _description = "Complaint Action"
    _order = "date_due, id"

    complaint_id = fields.Many2one("autorepair.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    action_type = fields.Selection([("corrective", "Corrective"), ("preventive", "Preventive")],
                                   string="Type", required=True, default="corrective")
    name = fields.Char(string="Action", required=True)
    user_id = fields.Many2one("res.users", string="Owner", required=True, ondelete="restrict")
    date_due = fields.Date(string="Due", required=True)
    done_date = fields.Date(string="Done On")
    is_done = fields.Boolean(compute="_compute_is_done", store=True)

    @api.depends("done_date")
    def _compute_is_done(self):
        for action in self:
            action.is_done = bool(action.done_date)

    def action_done(self):
        self.filtered(lambda a: not a.done_date).done_date = fields.Date.context_today(self)
