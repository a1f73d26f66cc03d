from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .autorepair_care_rule import PARAM_DEFAULTS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    autorepair_care_attempt_count = fields.Integer(
        string="Calls Before Fallback", default=PARAM_DEFAULTS["attempt_count"],
        config_parameter="autorepair_care.attempt_count",
    )
    autorepair_care_attempt_days = fields.Integer(
        string="Within (days)", default=PARAM_DEFAULTS["attempt_days"], config_parameter="autorepair_care.attempt_days",
    )
    autorepair_care_lost_min_days = fields.Integer(
        string="Lost After (days)", default=PARAM_DEFAULTS["lost_min_days"],
        config_parameter="autorepair_care.lost_min_days",
    )
    autorepair_care_lost_max_days = fields.Integer(
        string="Lost Until (days)", default=PARAM_DEFAULTS["lost_max_days"],
        config_parameter="autorepair_care.lost_max_days",
    )
    autorepair_care_at_risk_days = fields.Integer(
        string="About to Be Lost After (days)", default=PARAM_DEFAULTS["at_risk_days"],
        config_parameter="autorepair_care.at_risk_days",
    )
    autorepair_care_broadcast_min_per_month = fields.Integer(
        string="Broadcasts per Month", default=PARAM_DEFAULTS["broadcast_min_per_month"],
        config_parameter="autorepair_care.broadcast_min_per_month",
    )
    autorepair_care_batch_size = fields.Integer(
        string="Batch Size", default=PARAM_DEFAULTS["batch_size"], config_parameter="autorepair_care.batch_size",
    )
    autorepair_care_catchup_max_days = fields.Integer(
        string="Catch-Up Limit (days)", default=PARAM_DEFAULTS["catchup_max_days"],
        config_parameter="autorepair_care.catchup_max_days",
    )

    @api.constrains(
        "autorepair_care_attempt_count", "autorepair_care_attempt_days", "autorepair_care_lost_min_days",
        "autorepair_care_lost_max_days", "autorepair_care_at_risk_days", "autorepair_care_broadcast_min_per_month",
        "autorepair_care_batch_size", "autorepair_care_catchup_max_days",
    )
    def _check_autorepair_care(self):
        for settings in self:
            if min(settings.autorepair_care_attempt_count, settings.autorepair_care_attempt_days,
                   settings.autorepair_care_batch_size, settings.autorepair_care_catchup_max_days) < 1:
                raise ValidationError(self.env._(
                    "Calls, days, batch size and catch-up limit of the care calendar must be at least 1."))
            if not (0 < settings.autorepair_care_at_risk_days < settings.autorepair_care_lost_min_days
                    <= settings.autorepair_care_lost_max_days):
                raise ValidationError(self.env._(
                    "Customers are about to be lost before they are lost: the days must increase from "
                    "'about to be lost' to 'lost after' to 'lost until'."))
            if settings.autorepair_care_broadcast_min_per_month < 0:
                raise ValidationError(self.env._("The monthly number of broadcasts cannot be negative."))
