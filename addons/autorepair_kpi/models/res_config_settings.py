from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    autorepair_kpi_churn_months = fields.Integer(
        string="Churn Window", config_parameter="autorepair_kpi.churn_months", default=6,
        help="A customer served in a month who does not come back within this many months is lost.")
    autorepair_kpi_complaint_open_days = fields.Integer(
        string="Complaint Closure Days", config_parameter="autorepair_kpi.complaint_open_days", default=14,
        help="A complaint open longer than this counts against the closure rate.")
