from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairServicePackageLine(models.Model):
    """One item of a maintenance package: a labour operation of the
    catalogue, a part or another charge."""

    _name = "autorepair.service.package.line"
    _description = "Maintenance Package Line"
    _order = "package_id, sequence, id"
    _check_company_auto = True

    package_id = fields.Many2one("autorepair.service.package", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="package_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    line_type = fields.Selection(
        [("labour", "Labour"), ("part", "Part"), ("other", "Other Charge")], required=True, default="labour")
    labour_operation_id = fields.Many2one(
        "autorepair.labour.operation", string="Labour Operation", ondelete="restrict", check_company=True)
    product_id = fields.Many2one(
        "product.product", string="Item", ondelete="restrict", check_company=True,
        help="The part (or the charge) quoted; labour is priced from its operation.")
    name = fields.Char(string="Description", compute="_compute_name", store=True, readonly=False, precompute=True)
    quantity = fields.Float(
        default=1.0, digits="Product Unit of Measure",
        help="For labour: how many times the operation is done (its hours come from the catalogue for the car).")

    @api.depends("labour_operation_id", "product_id", "line_type")
    def _compute_name(self):
        for line in self:
            if line.line_type == "labour" and line.labour_operation_id:
                line.name = line.labour_operation_id.name
            elif line.product_id:
                line.name = line.product_id.display_name

    @api.constrains("line_type", "labour_operation_id", "product_id", "quantity")
    def _check_item(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(self.env._("The quantity of %(line)s must be positive.", line=line.name))
            if line.line_type == "labour" and not line.labour_operation_id:
                raise ValidationError(self.env._("A labour line of a package names its labour operation."))
            if line.line_type == "part" and not line.product_id:
                raise ValidationError(self.env._("A part line of a package names its part."))
            if line.line_type != "other" and not line.name:
                raise ValidationError(self.env._("Every line of a package needs a description."))
