from odoo import fields, models


class FleetVehicle(models.Model):
    _inherit = "fleet.vehicle"

    service_order_ids = fields.One2many("autorepair.service.order", "vehicle_id", string="Service Orders")
    recommendation_line_ids = fields.One2many(
        "autorepair.service.order.line", "vehicle_id", string="Open Recommendations",
        domain=[("recommendation_state", "=", "open")],
        help="Work the customer declined or deferred, to offer again at the next visit.",
    )
