from odoo import fields, models


class FleetVehicleModelBrand(models.Model):
    _inherit = "fleet.vehicle.model.brand"

    warranty_partner_id = fields.Many2one(
        "res.partner", string="Warranty Billed To", ondelete="restrict",
        domain="[('is_company', '=', True)]",
        help="The maker (or its importer) that pays for warranty work on this brand.",
    )
