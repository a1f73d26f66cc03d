from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # a part's maker's number is its Internal Reference (default_code): Odoo searches and prints it
    is_oem = fields.Boolean(string="OEM Part", help="An original part of the maker (原厂件), not an aftermarket one.")
