from odoo import api, fields, models


class AutorepairServicePackageWizard(models.TransientModel):
    """At the desk: quote a maintenance package on the order in one step."""

    _name = "autorepair.service.package.wizard"
    _description = "Add a Maintenance Package"

    order_id = fields.Many2one("autorepair.service.order", required=True, readonly=True, ondelete="cascade")
    vehicle_id = fields.Many2one(related="order_id.vehicle_id")
    vehicle_model_id = fields.Many2one(related="order_id.vehicle_model_id")
    package_due_id = fields.Many2one(related="order_id.package_due_id")
    allowed_package_ids = fields.Many2many("autorepair.service.package", compute="_compute_allowed_package_ids")
    package_id = fields.Many2one(
        "autorepair.service.package", string="Package", required=True, ondelete="cascade",
        compute="_compute_package_id", store=True, readonly=False, precompute=True,
        domain="[('id', 'in', allowed_package_ids)]",
    )
    pricing = fields.Selection(related="package_id.pricing")
    price = fields.Monetary(related="package_id.price")
    currency_id = fields.Many2one(related="package_id.currency_id")
    package_line_ids = fields.One2many(related="package_id.line_ids", string="Lines")

    @api.depends("order_id")
    def _compute_allowed_package_ids(self):
        Package = self.env["autorepair.service.package"]
        for wizard in self:
            wizard.allowed_package_ids = Package.search(
                Package._fitting_domain(wizard.order_id.vehicle_id, wizard.order_id.company_id))

    @api.depends("order_id")
    def _compute_package_id(self):
        for wizard in self:
            if not wizard.package_id:
                wizard.package_id = wizard.order_id.package_due_id

    def action_apply(self):
        self.ensure_one()
        self.order_id._autorepair_add_package(self.package_id)
        return {"type": "ir.actions.act_window_close"}
