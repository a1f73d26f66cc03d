from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairTimeSlot(models.Model):
    """A part of the day in which customers can be called (RULEBOOK §4: three
    attempts in three different slots). Customers name their preferred one."""

    _name = "autorepair.time.slot"
    _description = "Contact Time Slot"
    _order = "sequence, hour_from"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    hour_from = fields.Float(string="Start Time", required=True)
    hour_to = fields.Float(string="End Time", required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", help="Empty: shared by every company of the group.")

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for slot in self:
            if not 0 <= slot.hour_from < slot.hour_to <= 24:
                raise ValidationError(
                    self.env._(
                        "The time slot %(name)s must start before it ends, within the day (0:00 to 24:00).",
                        name=slot.name,
                    )
                )
