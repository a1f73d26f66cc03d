from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairPartFitment(models.Model):
    """A car the part fits (适用车型): a brand, or one model of it, over a
    range of model years (open at either end)."""

    _name = "autorepair.part.fitment"
    _description = "Part Fitment"
    _order = "product_tmpl_id, brand_id, model_id, year_from, id"

    product_tmpl_id = fields.Many2one(
        "product.template", string="Part", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="product_tmpl_id.company_id", store=True, index=True)
    brand_id = fields.Many2one(
        "fleet.vehicle.model.brand", string="Brand", required=True, ondelete="cascade", index=True,
        compute="_compute_brand_id", store=True, readonly=False, precompute=True)
    model_id = fields.Many2one(
        "fleet.vehicle.model", string="Car Model", ondelete="cascade", index=True,
        domain="[('brand_id', '=?', brand_id)]", help="Empty: every model of the brand.")
    year_from = fields.Integer(string="From Year", help="First model year; empty: any earlier year.")
    year_to = fields.Integer(string="To Year", help="Last model year; empty: still fitted.")

    @api.depends("model_id")
    def _compute_brand_id(self):
        for fitment in self.filtered("model_id"):
            fitment.brand_id = fitment.model_id.brand_id

    @api.constrains("brand_id", "model_id", "year_from", "year_to")
    def _check_fitment(self):
        for fitment in self:
            if fitment.model_id and fitment.model_id.brand_id != fitment.brand_id:
                raise ValidationError(self.env._(
                    "%(model)s is not a model of %(brand)s.",
                    model=fitment.model_id.name, brand=fitment.brand_id.name))
            if fitment.year_from and fitment.year_to and fitment.year_from > fitment.year_to:
                raise ValidationError(self.env._(
                    "The fitment of %(part)s ends before it starts (%(start)s-%(end)s).",
                    part=fitment.product_tmpl_id.display_name, start=fitment.year_from, end=fitment.year_to))

    @api.model
    def _domain_for_vehicle(self, vehicle):
        """The fitments that cover a car: its model or its whole brand, and its
        model year inside the range (a car without a known year: any range)."""
        model = vehicle.model_id
        if not model:
            return [("id", "=", False)]
        domain = ["|", ("model_id", "=", model.id), "&", ("model_id", "=", False), ("brand_id", "=", model.brand_id.id)]
        year = vehicle.model_year
        if year and year.strip().isdigit():
            year = int(year)
            domain += [
                "|", ("year_from", "=", 0), ("year_from", "<=", year),
                "|", ("year_to", "=", 0), ("year_to", ">=", year),
            ]
        return domain
