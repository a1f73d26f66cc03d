from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Every workshop setting and its default, in one table: the manager's numbers
# (Settings) and the technical knobs (system parameters only).
DEFAULTS = {
    "labour_rate": 0.0,
    "appointment_default_hours": 1.0,
    "followup_delay_hours": 24,
    "csi_weight_attitude": 1.0,
    "csi_weight_quality": 1.0,
    "csi_weight_transparency": 1.0,
    "csi_low_score": 2,
    # technical: how many orders are settled in the request, and per background chunk
    "settlement_inline_limit": 50,
    "settlement_batch_size": 100,
}


def workshop_setting(env, key):
    """A workshop setting, typed like its default."""
    default = DEFAULTS[key]
    value = env["ir.config_parameter"].sudo().get_param(f"autorepair_workshop.{key}")
    try:
        return type(default)(float(value)) if value not in (None, False, "") else default
    except ValueError:
        return default


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    autorepair_labour_rate = fields.Float(
        string="Labour Rate (per hour)", default=0.0, config_parameter="autorepair_workshop.labour_rate",
        help="Price of one standard hour; 0 takes the labour product's price.",
    )
    autorepair_appointment_default_hours = fields.Float(
        string="Default Appointment Length (hours)", default=1.0,
        config_parameter="autorepair_workshop.appointment_default_hours",
    )
    autorepair_followup_delay_hours = fields.Integer(
        string="Follow-up Call After (hours)", default=24, config_parameter="autorepair_workshop.followup_delay_hours"
    )
    autorepair_csi_weight_attitude = fields.Float(
        string="CSI Weight: Attitude", default=1.0, config_parameter="autorepair_workshop.csi_weight_attitude"
    )
    autorepair_csi_weight_quality = fields.Float(
        string="CSI Weight: Quality", default=1.0, config_parameter="autorepair_workshop.csi_weight_quality"
    )
    autorepair_csi_weight_transparency = fields.Float(
        string="CSI Weight: Price Transparency", default=1.0,
        config_parameter="autorepair_workshop.csi_weight_transparency",
    )
    autorepair_csi_low_score = fields.Integer(
        string="Low Score Threshold", default=2, config_parameter="autorepair_workshop.csi_low_score",
        help="A follow-up with any answer at or below this score marks the order for a complaint.",
    )

    @api.constrains(
        "autorepair_csi_weight_attitude", "autorepair_csi_weight_quality", "autorepair_csi_weight_transparency",
        "autorepair_csi_low_score", "autorepair_followup_delay_hours",
        "autorepair_labour_rate", "autorepair_appointment_default_hours",
    )
    def _check_autorepair_service(self):
        for settings in self:
            weights = (settings.autorepair_csi_weight_attitude, settings.autorepair_csi_weight_quality,
                       settings.autorepair_csi_weight_transparency)
            if min(weights) < 0 or not sum(weights):
                raise ValidationError(self.env._("CSI weights cannot be negative and cannot all be zero."))
            if not 1 <= settings.autorepair_csi_low_score <= 5:
                raise ValidationError(self.env._("The low score threshold is a score from 1 to 5."))
            if (settings.autorepair_followup_delay_hours < 0
                    or settings.autorepair_labour_rate < 0 or settings.autorepair_appointment_default_hours <= 0):
                raise ValidationError(self.env._("Service settings cannot be negative."))
