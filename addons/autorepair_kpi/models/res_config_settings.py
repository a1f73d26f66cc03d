from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    autorepair_kpi_churn_months = fields.Integer(
        string="Churn Window", config_parameter="autorepair_kpi.churn_months", default=6,
        help="A customer served in a month who does not come back within this many months is lost.")
    autorepair_kpi_complaint_open_days = fields.Integer(
        string="Complaint Closure Days", config_parameter="autorepair_kpi.complaint_open_days", default=14,
        help="A complaint open longer than this counts against the closure rate.")
    autorepair_kpi_plan_deadline_day = fields.Integer(
        string="Improvement Plan Due", config_parameter="autorepair_kpi.plan_deadline_day", default=5,
        help="Day of the month by which the month's improvement plan is submitted; later, it counts as late.")

    @api.constrains("autorepair_kpi_plan_deadline_day")
    def _check_plan_deadline_day(self):
        for settings in self:
            if not 1 <= settings.autorepair_kpi_plan_deadline_day <= 28:
                raise ValidationError(self.env._("The improvement plan is due on a day from 1 to 28."))
