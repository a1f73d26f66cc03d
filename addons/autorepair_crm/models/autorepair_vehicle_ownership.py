from odoo import fields, models


class AutorepairVehicleOwnership(models.Model):
    """One period during which a customer owned a vehicle: a car sold to a new
    owner keeps its history instead of being recreated (RULEBOOK §2)."""

    _name = "autorepair.vehicle.ownership"
    _description = "Vehicle Ownership"
    _order = "vehicle_id, date_from desc, id desc"
    _check_company_auto = True

    vehicle_id = fields.Many2one(
        "fleet.vehicle", required=True, ondelete="cascade", index=True, check_company=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Owner", required=True, ondelete="restrict", index=True
    )
    date_from = fields.Date(string="Owner Since", required=True, default=fields.Date.context_today)
    date_to = fields.Date(string="Owner Until")
    company_id = fields.Many2one(related="vehicle_id.company_id", store=True, index=True)
