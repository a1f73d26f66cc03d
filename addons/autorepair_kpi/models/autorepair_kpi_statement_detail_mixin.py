import json

from odoo import api, fields, models
from odoo.exceptions import UserError


class AutorepairKpiStatementDetailMixin(models.AbstractModel):
    """What a monthly statement is made of (its figures, its rewards and
    penalties): frozen with the statement once it leaves the draft, and
    opening the records it was counted from (drill_model, drill_domain)."""

    _name = "autorepair.kpi.statement.detail.mixin"
    _description = "Statement Detail"

    statement_id = fields.Many2one("autorepair.kpi.statement", string="Statement", required=True,
                                   ondelete="cascade", index=True)
    user_id = fields.Many2one(related="statement_id.user_id", store=True, index=True, string="Staff Member")
    month = fields.Date(related="statement_id.month", store=True, index=True)
    company_id = fields.Many2one(related="statement_id.company_id", store=True, index=True)
    drill_model = fields.Char(string="Records Model")
    drill_domain = fields.Char(string="Records Domain")

    @api.model_create_multi
    def create(self, vals_list):
        self.env["autorepair.kpi.statement"].browse({vals["statement_id"] for vals in vals_list})._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        self.statement_id._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        self.statement_id._check_draft()

    def action_open_records(self):
        self.ensure_one()
        if not self.drill_model:
            raise UserError(self.env._(
                "No records are behind %(detail)s: it was added by hand or nothing was counted.",
                detail=self.display_name))
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": self.drill_model,
            "domain": json.loads(self.drill_domain or "[]"),
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "context": {"create": False},
        }
