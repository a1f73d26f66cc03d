from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    autorepair_complaint_response_hours = fields.Float(
        string="First Response Within (working hours)", default=2.0,
        config_parameter="autorepair_complaint.response_hours",
    )
    autorepair_complaint_calendar_id = fields.Many2one(
        "resource.calendar", string="Shop Working Hours", config_parameter="autorepair_complaint.calendar_id",
        help="Deadlines count these hours; the company's working hours when empty.",
    )
    autorepair_complaint_service_manager_id = fields.Many2one(
        "res.users", string="First Escalation To", config_parameter="autorepair_complaint.service_manager_id",
    )
    autorepair_complaint_general_manager_id = fields.Many2one(
        "res.users", string="Second Escalation To", config_parameter="autorepair_complaint.general_manager_id",
    )
    autorepair_complaint_second_escalation_hours = fields.Float(
        string="Second Escalation After (working hours)", default=4.0,
        config_parameter="autorepair_complaint.second_escalation_hours",
    )
    autorepair_complaint_closure_days = fields.Integer(
        string="Closure Window (days)", default=14, config_parameter="autorepair_complaint.closure_days",
    )

    @api.constrains("autorepair_complaint_response_hours", "autorepair_complaint_second_escalation_hours",
                    "autorepair_complaint_closure_days")
    def _check_autorepair_complaint(self):
        for settings in self:
            if (settings.autorepair_complaint_response_hours <= 0
                    or settings.autorepair_complaint_second_escalation_hours <= 0
                    or settings.autorepair_complaint_closure_days <= 0):
                raise ValidationError(self.env._("Complaint deadlines must be positive."))
