from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # a part's maker's number is its Internal Reference (default_code): Odoo searches and prints it
    is_oem = fields.Boolean(string="OEM Part", help="An original part of the maker (原厂件), not an aftermarket one.")
    # searched by fragment on every quote line: trigram-indexed (pg_trgm ensured by autorepair_crm)
    name = fields.Char(index="trigram")
    fitment_ids = fields.One2many("autorepair.part.fitment", "product_tmpl_id", string="Fitment")
    oem_part_id = fields.Many2one(
        "product.template", string="Replaces OEM Part", index="btree_not_null", ondelete="set null",
        domain="[('is_oem', '=', True), ('id', '!=', id)]",
        help="The maker's original part this aftermarket part (副厂件) replaces: quotes offer it as the "
             "alternative to the original.")
    equivalent_ids = fields.One2many(
        "product.template", "oem_part_id", string="Aftermarket Equivalents",
        help="Aftermarket parts that replace this original part.")

    @api.constrains("oem_part_id", "is_oem")
    def _check_oem_part_id(self):
        for template in self.filtered("oem_part_id"):
            if template.is_oem or template.oem_part_id == template or not template.oem_part_id.is_oem:
                raise ValidationError(self.env._(
                    "%(part)s: only an aftermarket part replaces an OEM part.", part=template.display_name))
