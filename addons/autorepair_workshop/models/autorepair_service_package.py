from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class AutorepairServicePackage(models.Model):
    """A maintenance package (保养套餐): the labour and parts of one service
    interval (e.g. 10,000 km / 6 months) for some car models, quoted in one
    step at a package price or at the lines' own prices."""

    _name = "autorepair.service.package"
    _description = "Maintenance Package"
    _order = "sequence, interval_km, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", default=lambda self: self.env.company,
        help="Empty: offered in every company of the group.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    brand_id = fields.Many2one(
        "fleet.vehicle.model.brand", string="Brand", ondelete="restrict", index=True,
        help="Without car models: the package fits every model of the brand.",
    )
    model_ids = fields.Many2many(
        "fleet.vehicle.model", string="Car Models", domain="[('brand_id', '=?', brand_id)]",
        help="The models the package is made for; empty: every model of the brand (or every car).",
    )
    interval_km = fields.Integer(string="Interval (km)", help="Due every this many km, e.g. 10,000.")
    interval_months = fields.Integer(string="Interval (months)", help="Due every this many months, e.g. 6.")
    pricing = fields.Selection(
        [("package", "Package Price"), ("lines", "Line Prices")], required=True, default="package",
        help="Package price: the lines are priced so that they add up to the package price (before tax). "
        "Line prices: labour from the labour catalogue, parts at their sales price.",
    )
    price = fields.Monetary(string="Package Price", help="Before tax, as the lines' prices are.")
    line_ids = fields.One2many("autorepair.service.package.line", "package_id", string="Lines", copy=True)
    description = fields.Text(help="What the package covers, as told to the customer.")

    @api.depends("company_id")
    def _compute_currency_id(self):
        for package in self:
            package.currency_id = package.company_id.currency_id or self.env.company.currency_id

    @api.constrains("interval_km", "interval_months")
    def _check_interval(self):
        for package in self:
            if package.interval_km < 0 or package.interval_months < 0:
                raise ValidationError(self.env._("The interval of %(package)s cannot be negative.",
                                                 package=package.name))
            if not package.interval_km and not package.interval_months:
                raise ValidationError(self.env._(
                    "Give the service interval of %(package)s in km, in months or both.", package=package.name))

    @api.constrains("pricing", "price")
    def _check_price(self):
        for package in self:
            if package.price < 0 or (package.pricing == "package" and not package.price):
                raise ValidationError(self.env._(
                    "%(package)s is sold at a package price: give a positive price.", package=package.name))

    @api.model
    def _fitting_domain(self, vehicle, company=None):
        """The packages offered for a car: its company's (or shared ones), made
        for its model, or for its brand, or for every car."""
        model = vehicle.model_id
        company = company or vehicle.company_id or self.env.company
        return [
            ("company_id", "in", [company.id, False]),
            "|", ("model_ids", "in", model.ids),
            "&", ("model_ids", "=", False), "|", ("brand_id", "=", False), ("brand_id", "=", model.brand_id.id),
        ]

    def _prepare_order_line_vals(self, order):
        """The quote lines of the package for an order: labour at the
        catalogue's hours for the car and the labour rate, parts and other
        charges at their sales price, each marked as the package's; at a
        package price, rescaled so that they add up to it."""
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("%(package)s has no lines to quote.", package=self.name))
        Line = self.env["autorepair.service.order.line"]
        vals_list = []
        for package_line in self.line_ids:
            vals = {
                "order_id": order.id,
                "package_id": self.id,
                "line_type": package_line.line_type,
            }
            if package_line.name:
                vals["name"] = package_line.name
            if package_line.line_type == "labour":
                operation = package_line.labour_operation_id
                price = Line._autorepair_catalogue_price(operation, order.vehicle_id.model_id, order.company_id)
                # the operation's hours, times how often the package does it
                vals.update(labour_operation_id=operation.id, price_unit=price["price_unit"],
                            quantity=price.get("quantity", 1.0) * package_line.quantity)
            else:
                product = package_line.product_id or Line._default_products()[package_line.line_type]
                vals.update(product_id=product.id, quantity=package_line.quantity, price_unit=product.lst_price)
                if package_line.line_type == "part":
                    vals.update(part_number=product.default_code or False, is_oem=product.is_oem)
            vals_list.append(vals)
        if self.pricing == "package":
            self._spread_price(vals_list, order.currency_id)
        # labour at hours or a price other than the catalogue's: the package is the reason
        reason = self.env._("Maintenance package: %(package)s", package=self.name)
        for vals, package_line in zip(vals_list, self.line_ids, strict=True):
            if vals.get("labour_operation_id") and (package_line.quantity != 1 or self.pricing == "package"):
                vals["price_override_reason"] = reason
        return vals_list

    def _spread_price(self, vals_list, currency):
        """Each line's price in proportion to its catalogue price, so that
        the lines add up to the package price; the rounding remainder goes to
        the last line (the last one of quantity 1, where the remainder can be
        exact)."""
        digits = self.env["decimal.precision"].precision_get("Product Price")

        def subtotal(vals):
            return currency.round(vals["quantity"] * vals["price_unit"])

        catalogue = sum(subtotal(vals) for vals in vals_list)
        last = next((vals for vals in reversed(vals_list) if vals["quantity"] == 1), vals_list[-1])
        for vals in vals_list:
            vals["price_unit"] = round(vals["price_unit"] * self.price / catalogue, digits) if catalogue else 0.0
        rest = self.price - sum(subtotal(vals) for vals in vals_list if vals is not last)
        last["price_unit"] = round(max(rest, 0.0) / last["quantity"], digits)
