from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import InvalidInput
from ..tools.odometer import Reading, check_new_reading


class FleetVehicleOdometer(models.Model):
    _inherit = "fleet.vehicle.odometer"
    _order = "date desc, id desc"

    vehicle_id = fields.Many2one(index=True)
    date = fields.Date(required=True, index=True)
    is_meter_change = fields.Boolean(
        string="Meter Replaced",
        help="The instrument cluster was replaced: this reading may be lower than the previous one.",
    )

    @api.constrains("value", "date", "vehicle_id", "is_meter_change")
    def _check_odometer_sequence(self):
        """Odometers only go forward (RULEBOOK §2 dynamic data): a reading must
        fit between its neighbours by date, unless the meter was replaced."""
        today = fields.Date.context_today(self)
        for reading in self:
            max_km_per_day = reading.vehicle_id.company_id._autorepair_crm_setting("odometer_max_km_per_day")
            if reading.date > today:
                raise ValidationError(
                    self.env._("An odometer reading cannot be dated in the future (%(date)s).", date=reading.date)
                )
            others = self.search([("vehicle_id", "=", reading.vehicle_id.id), ("id", "!=", reading.id)])
            previous = others.filtered(lambda r: (r.date, r.id) < (reading.date, reading.id))[:1]
            following = others.filtered(lambda r: (r.date, r.id) > (reading.date, reading.id))[-1:]
            try:
                check_new_reading(
                    previous and Reading(previous.date, previous.value, previous.is_meter_change) or None,
                    following and Reading(following.date, following.value, following.is_meter_change) or None,
                    Reading(reading.date, reading.value, reading.is_meter_change),
                    max_km_per_day=max_km_per_day,
                )
            except InvalidInput as exc:
                raise ValidationError(
                    self.env._("%(vehicle)s: %(reason)s", vehicle=reading.vehicle_id.display_name,
                               reason=self.env._(exc.message))
                ) from None
