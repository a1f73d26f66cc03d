from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.plate import DEFAULT_NEV_LETTERS, DEFAULT_PROVINCES, DEFAULT_SUFFIXES


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    autorepair_abc_window_months = fields.Integer(
        string="Value Class Window (months)", default=12, config_parameter="autorepair_crm.abc_window_months"
    )
    autorepair_abc_a_visits = fields.Integer(
        string="Class A: Minimum Visits", default=4, config_parameter="autorepair_crm.abc_a_visits"
    )
    autorepair_abc_a_spend = fields.Float(
        string="Class A: Minimum Spend", default=8000, config_parameter="autorepair_crm.abc_a_spend"
    )
    autorepair_abc_b_visits = fields.Integer(
        string="Class B: Minimum Visits", default=2, config_parameter="autorepair_crm.abc_b_visits"
    )
    autorepair_abc_b_spend = fields.Float(
        string="Class B: Minimum Spend", default=2000, config_parameter="autorepair_crm.abc_b_spend"
    )
    autorepair_plate_provinces = fields.Char(
        string="Plate Province Characters", default=DEFAULT_PROVINCES,
        config_parameter="autorepair_crm.plate_provinces",
    )
    autorepair_plate_nev_letters = fields.Char(
        string="New-Energy Plate Letters", default=DEFAULT_NEV_LETTERS,
        config_parameter="autorepair_crm.plate_nev_letters",
    )
    autorepair_plate_suffixes = fields.Char(
        string="Special Plate Suffixes", default=DEFAULT_SUFFIXES,
        config_parameter="autorepair_crm.plate_suffixes",
    )
    autorepair_odometer_max_km_per_day = fields.Integer(
        string="Odometer Plausibility (km per day)", default=1500,
        config_parameter="autorepair_crm.odometer_max_km_per_day",
    )
    autorepair_km_per_day_fallback = fields.Float(
        string="Default Km per Day", default=35.0, config_parameter="autorepair_crm.km_per_day_fallback"
    )
    autorepair_km_per_day_min_days = fields.Integer(
        string="Minimum History (days)", default=30, config_parameter="autorepair_crm.km_per_day_min_days"
    )

    autorepair_labour_rate = fields.Float(
        string="Labour Rate (per hour)", default=0.0, config_parameter="autorepair_crm.labour_rate",
        help="Price of one standard hour; 0 takes the labour product's price.",
    )
    autorepair_appointment_default_hours = fields.Float(
        string="Default Appointment Length (hours)", default=1.0,
        config_parameter="autorepair_crm.appointment_default_hours",
    )
    autorepair_followup_delay_hours = fields.Integer(
        string="Follow-up Call After (hours)", default=24, config_parameter="autorepair_crm.followup_delay_hours"
    )
    autorepair_csi_weight_attitude = fields.Float(
        string="CSI Weight: Attitude", default=1.0, config_parameter="autorepair_crm.csi_weight_attitude"
    )
    autorepair_csi_weight_quality = fields.Float(
        string="CSI Weight: Quality", default=1.0, config_parameter="autorepair_crm.csi_weight_quality"
    )
    autorepair_csi_weight_transparency = fields.Float(
        string="CSI Weight: Price Transparency", default=1.0,
        config_parameter="autorepair_crm.csi_weight_transparency",
    )
    autorepair_csi_low_score = fields.Integer(
        string="Low Score Threshold", default=2, config_parameter="autorepair_crm.csi_low_score",
        help="A follow-up with any answer at or below this score marks the order for a complaint.",
    )
    autorepair_points_per_yuan = fields.Float(
        string="Loyalty Points per Yuan Paid", default=1.0, config_parameter="autorepair_crm.points_per_yuan"
    )
    autorepair_settlement_inline_limit = fields.Integer(
        string="Settle in the Background Beyond (orders)", default=50,
        config_parameter="autorepair_crm.settlement_inline_limit",
    )
    autorepair_settlement_batch_size = fields.Integer(
        string="Orders per Background Chunk", default=100, config_parameter="autorepair_crm.settlement_batch_size"
    )

    @api.constrains(
        "autorepair_csi_weight_attitude", "autorepair_csi_weight_quality", "autorepair_csi_weight_transparency",
        "autorepair_csi_low_score", "autorepair_followup_delay_hours", "autorepair_points_per_yuan",
        "autorepair_labour_rate", "autorepair_appointment_default_hours",
        "autorepair_settlement_inline_limit", "autorepair_settlement_batch_size",
    )
    def _check_autorepair_service(self):
        for settings in self:
            weights = (settings.autorepair_csi_weight_attitude, settings.autorepair_csi_weight_quality,
                       settings.autorepair_csi_weight_transparency)
            if min(weights) < 0 or not sum(weights):
                raise ValidationError(self.env._("CSI weights cannot be negative and cannot all be zero."))
            if not 1 <= settings.autorepair_csi_low_score <= 5:
                raise ValidationError(self.env._("The low score threshold is a score from 1 to 5."))
            if (settings.autorepair_followup_delay_hours < 0 or settings.autorepair_points_per_yuan < 0
                    or settings.autorepair_labour_rate < 0 or settings.autorepair_appointment_default_hours <= 0):
                raise ValidationError(self.env._("Service settings cannot be negative."))
            if settings.autorepair_settlement_inline_limit < 1 or settings.autorepair_settlement_batch_size < 1:
                raise ValidationError(self.env._("Settlement batches hold at least one order."))

    @api.constrains(
        "autorepair_abc_window_months", "autorepair_abc_a_visits", "autorepair_abc_a_spend",
        "autorepair_abc_b_visits", "autorepair_abc_b_spend",
    )
    def _check_autorepair_value_class(self):
        for settings in self:
            if settings.autorepair_abc_window_months <= 0:
                raise ValidationError(self.env._("The value class window must be at least one month."))
            if min(settings.autorepair_abc_a_visits, settings.autorepair_abc_b_visits,
                   settings.autorepair_abc_a_spend, settings.autorepair_abc_b_spend) < 0:
                raise ValidationError(self.env._("Value class thresholds cannot be negative."))
            if (settings.autorepair_abc_a_visits < settings.autorepair_abc_b_visits
                    or settings.autorepair_abc_a_spend < settings.autorepair_abc_b_spend):
                raise ValidationError(self.env._("Class A thresholds must be at least those of class B."))

    @api.constrains(
        "autorepair_odometer_max_km_per_day", "autorepair_km_per_day_fallback", "autorepair_km_per_day_min_days"
    )
    def _check_autorepair_odometer(self):
        for settings in self:
            if (settings.autorepair_odometer_max_km_per_day <= 0 or settings.autorepair_km_per_day_fallback <= 0
                    or settings.autorepair_km_per_day_min_days <= 0):
                raise ValidationError(self.env._("Odometer settings must be positive numbers."))

    @api.constrains("autorepair_plate_provinces", "autorepair_plate_nev_letters")
    def _check_autorepair_plates(self):
        for settings in self:
            if not settings.autorepair_plate_provinces or not settings.autorepair_plate_nev_letters:
                raise ValidationError(self.env._("Plate province characters and new-energy letters cannot be empty."))

    def action_autorepair_recompute_value_class(self):
        self.env["res.partner"]._recompute_value_class()
