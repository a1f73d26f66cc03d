from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The customer file's business numbers, those of the company being set
    (``res.company``, where they are checked); the plate character sets are
    system parameters (see ``res_company.SETTINGS``)."""

    _inherit = "res.config.settings"

    autorepair_crm_abc_window_months = fields.Integer(
        related="company_id.autorepair_crm_abc_window_months", readonly=False)
    autorepair_crm_abc_a_visits = fields.Integer(related="company_id.autorepair_crm_abc_a_visits", readonly=False)
    autorepair_crm_abc_a_spend = fields.Float(related="company_id.autorepair_crm_abc_a_spend", readonly=False)
    autorepair_crm_abc_b_visits = fields.Integer(related="company_id.autorepair_crm_abc_b_visits", readonly=False)
    autorepair_crm_abc_b_spend = fields.Float(related="company_id.autorepair_crm_abc_b_spend", readonly=False)
    autorepair_crm_odometer_max_km_per_day = fields.Integer(
        related="company_id.autorepair_crm_odometer_max_km_per_day", readonly=False)
    autorepair_crm_km_per_day_fallback = fields.Float(
        related="company_id.autorepair_crm_km_per_day_fallback", readonly=False)
    autorepair_crm_km_per_day_min_days = fields.Integer(
        related="company_id.autorepair_crm_km_per_day_min_days", readonly=False)
    autorepair_crm_points_per_yuan = fields.Float(
        related="company_id.autorepair_crm_points_per_yuan", readonly=False)
    autorepair_crm_points_redeem_per_yuan = fields.Integer(
        related="company_id.autorepair_crm_points_redeem_per_yuan", readonly=False)
    autorepair_crm_retention_years = fields.Integer(
        related="company_id.autorepair_crm_retention_years", readonly=False)

    def action_autorepair_recompute_value_class(self):
        self.env["res.partner"]._recompute_value_class()
        return True
