from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The monthly figures' numbers of the company being set (``res.company``,
    where they are checked)."""

    _inherit = "res.config.settings"

    autorepair_kpi_churn_months = fields.Integer(related="company_id.autorepair_kpi_churn_months", readonly=False)
    autorepair_kpi_complaint_open_days = fields.Integer(
        related="company_id.autorepair_kpi_complaint_open_days", readonly=False)
    autorepair_kpi_plan_deadline_day = fields.Integer(
        related="company_id.autorepair_kpi_plan_deadline_day", readonly=False)
    autorepair_kpi_lost_list_deadline_day = fields.Integer(
        related="company_id.autorepair_kpi_lost_list_deadline_day", readonly=False)
