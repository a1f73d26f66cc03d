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

    autorepair_points_per_yuan = fields.Float(
        string="Loyalty Points per Yuan Paid", default=1.0, config_parameter="autorepair_crm.points_per_yuan"
    )

    @api.constrains("autorepair_points_per_yuan")
    def _check_autorepair_points(self):
        if any(settings.autorepair_points_per_yuan < 0 for settings in self):
            raise ValidationError(self.env._("Loyalty points per yuan cannot be negative."))

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
        return True
