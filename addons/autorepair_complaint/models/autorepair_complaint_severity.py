from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairComplaintSeverity(models.Model):
    """How serious a complaint is, with its resolution target in working hours."""

    _name = "autorepair.complaint.severity"
    _description = "Complaint Severity"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", help="Empty: shared by every company of the group.")
    resolution_hours = fields.Float(
        string="Resolution Target (working hours)", required=True, default=16.0,
        help="Counted in the shop's working hours from the moment the complaint is recorded.",
    )

    @api.constrains("resolution_hours")
    def _check_resolution_hours(self):
        if any(severity.resolution_hours <= 0 for severity in self):
            raise ValidationError(self.env._("A resolution target must be a positive number of hours."))
