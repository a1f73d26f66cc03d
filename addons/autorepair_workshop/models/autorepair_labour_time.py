from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairLabourTime(models.Model):
    """The maker's standard hours (工时) of one operation on one car model."""

    _name = "autorepair.labour.time"
    _description = "Standard Hours per Model"
    _order = "operation_id, model_id"

    operation_id = fields.Many2one("autorepair.labour.operation", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="operation_id.company_id", store=True, index=True)
    model_id = fields.Many2one("fleet.vehicle.model", string="Car Model", required=True, ondelete="cascade")
    hours = fields.Float(required=True, digits="Product Unit of Measure")
    category = fields.Selection(related="operation_id.category")
    standard_hours = fields.Float(related="operation_id.standard_hours", string="Default Hours")

    _sql_constraints = [
        ("operation_model_uniq", "unique(operation_id, model_id)", "A car model has one standard time per operation."),
    ]

    @api.depends("operation_id.name", "model_id.display_name")
    def _compute_display_name(self):
        for time in self:
            time.display_name = f"{time.operation_id.name} · {time.model_id.display_name}"

    @api.constrains("hours")
    def _check_hours(self):
        if self.filtered(lambda time: time.hours <= 0):
            raise ValidationError(self.env._("Standard hours must be positive."))
