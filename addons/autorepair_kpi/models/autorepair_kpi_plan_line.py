from odoo import fields, models


class AutorepairKpiPlanLine(models.Model):
    """An action of an improvement plan: what is done, by whom and by when.
    It changes while its plan is a draft only (record rule)."""

    _name = "autorepair.kpi.plan.line"
    _description = "Improvement Action"
    _order = "plan_id, sequence, id"
    _check_company_auto = True

    plan_id = fields.Many2one("autorepair.kpi.plan", string="Plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Action", required=True)
    definition_id = fields.Many2one("autorepair.kpi.definition", string="Figure", ondelete="set null",
                                    help="The figure the action should improve.")
    user_id = fields.Many2one("res.users", string="Owner", required=True, index=True, ondelete="restrict",
                              domain=[("share", "=", False)], check_company=True)
    date_deadline = fields.Date(string="Due On", required=True)
