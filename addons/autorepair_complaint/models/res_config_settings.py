from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The complaint deadlines and escalation of the company being set
    (``res.company``, where they are checked)."""

    _inherit = "res.config.settings"

    autorepair_complaint_response_hours = fields.Float(
        related="company_id.autorepair_complaint_response_hours", readonly=False)
    autorepair_complaint_calendar_id = fields.Many2one(
        related="company_id.autorepair_complaint_calendar_id", readonly=False)
    autorepair_complaint_service_manager_id = fields.Many2one(
        related="company_id.autorepair_complaint_service_manager_id", readonly=False)
    autorepair_complaint_general_manager_id = fields.Many2one(
        related="company_id.autorepair_complaint_general_manager_id", readonly=False)
    autorepair_complaint_second_escalation_hours = fields.Float(
        related="company_id.autorepair_complaint_second_escalation_hours", readonly=False)
    autorepair_complaint_closure_days = fields.Integer(
        related="company_id.autorepair_complaint_closure_days", readonly=False)
    autorepair_complaint_compensation_approval_amount = fields.Float(
        related="company_id.autorepair_complaint_compensation_approval_amount", readonly=False)
    autorepair_complaint_alias_rate_limit = fields.Integer(
        related="company_id.autorepair_complaint_alias_rate_limit", readonly=False)
