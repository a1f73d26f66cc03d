from odoo import api, models


class AutorepairPointsTermsMixin(models.AbstractModel):
    """The rules and rewards of a company's member points program are its
    Settings' rates: created, changed and deleted by the suite only
    (``loyalty.program._autorepair_check_points_terms``)."""

    _name = "autorepair.points.terms.mixin"
    _description = "Member Points Terms"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["loyalty.program"].browse(
            {vals["program_id"] for vals in vals_list if vals.get("program_id")})._autorepair_check_points_terms()
        return super().create(vals_list)

    def write(self, vals):
        (self.program_id | self.env["loyalty.program"].browse(vals.get("program_id")))._autorepair_check_points_terms()
        return super().write(vals)

    def unlink(self):
        self.program_id._autorepair_check_points_terms()
        return super().unlink()
