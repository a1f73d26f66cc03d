from odoo import api, fields, models
from odoo.exceptions import ValidationError

LABOUR_CATEGORIES = [
    ("mechanical", "Mechanical"),
    ("electrical", "Electrical"),
    ("body", "Body"),
    ("paint", "Paint"),
]


class AutorepairLabourOperation(models.Model):
    """An operation of the labour catalogue (工时项目) with the maker's
    standard hours, per car model where the maker gives them."""

    _name = "autorepair.labour.operation"
    _description = "Labour Operation"
    _order = "category, code, id"
    _check_company_auto = True
    _rec_names_search = ["code", "name"]

    name = fields.Char(required=True, translate=True)
    code = fields.Char(index=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: shared by every company of the group.")
    category = fields.Selection(LABOUR_CATEGORIES, required=True, default="mechanical")
    standard_hours = fields.Float(
        digits="Product Unit of Measure", default=1.0,
        help="The hours charged when the car's model has no hours of its own.",
    )
    time_ids = fields.One2many("autorepair.labour.time", "operation_id", string="Hours per Model")
    time_count = fields.Integer(compute="_compute_time_count", string="Models with Hours")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The code of a labour operation is unique."),
    ]

    def _compute_time_count(self):
        counts = dict(self.env["autorepair.labour.time"]._read_group(
            [("operation_id", "in", self.ids)], ["operation_id"], ["__count"]))
        for operation in self:
            operation.time_count = counts.get(operation, 0)

    @api.constrains("standard_hours")
    def _check_standard_hours(self):
        if self.filtered(lambda operation: operation.standard_hours <= 0):
            raise ValidationError(self.env._("The standard hours of a labour operation must be positive."))

    @api.depends("code", "name")
    def _compute_display_name(self):
        for operation in self:
            operation.display_name = f"[{operation.code}] {operation.name}" if operation.code else operation.name

    def _hours_for(self, model):
        """The maker's standard hours of the operation on a car model."""
        self.ensure_one()
        time = self.time_ids.filtered(lambda line: line.model_id == model)[:1]
        return time.hours if time else self.standard_hours
