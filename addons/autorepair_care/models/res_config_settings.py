from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The care calendar's business numbers, those of the company being set
    (``res.company``, where they are checked); the daily run's batch size and
    catch-up limit are system parameters (see ``res_company.SETTINGS``)."""

    _inherit = "res.config.settings"

    autorepair_care_attempt_count = fields.Integer(related="company_id.autorepair_care_attempt_count", readonly=False)
    autorepair_care_attempt_days = fields.Integer(related="company_id.autorepair_care_attempt_days", readonly=False)
    autorepair_care_lost_min_days = fields.Integer(related="company_id.autorepair_care_lost_min_days", readonly=False)
    autorepair_care_lost_max_days = fields.Integer(related="company_id.autorepair_care_lost_max_days", readonly=False)
    autorepair_care_at_risk_days = fields.Integer(related="company_id.autorepair_care_at_risk_days", readonly=False)
    autorepair_care_broadcast_min_per_month = fields.Integer(
        related="company_id.autorepair_care_broadcast_min_per_month", readonly=False)
    autorepair_care_delivery_call_hours = fields.Integer(
        related="company_id.autorepair_care_delivery_call_hours", readonly=False)
    autorepair_care_delivery_check_hours = fields.Integer(
        related="company_id.autorepair_care_delivery_check_hours", readonly=False)
    autorepair_care_delivery_callback_days = fields.Integer(
        related="company_id.autorepair_care_delivery_callback_days", readonly=False)
    autorepair_care_sales_manager_id = fields.Many2one(
        related="company_id.autorepair_care_sales_manager_id", readonly=False)
