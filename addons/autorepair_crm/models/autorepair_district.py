from odoo import fields, models


class AutorepairDistrict(models.Model):
    """District of a customer's address; the manager marks which ones count as
    local (本地) for the local / non-local lists of RULEBOOK §2 and §4."""

    _name = "autorepair.district"
    _description = "Customer District"
    _order = "is_local desc, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    is_local = fields.Boolean(
        string="Local",
        default=True,
        help="Customers living in a local district are counted as local customers.",
    )
    company_id = fields.Many2one("res.company", ondelete="cascade", index=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "This district already exists."),
    ]
