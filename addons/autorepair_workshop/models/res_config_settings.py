from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    """The workshop's business numbers, those of the company being set
    (``res.company``, where they are checked); the settlement sizes are system
    parameters (see ``res_company.SETTINGS``)."""

    _inherit = "res.config.settings"

    autorepair_workshop_labour_rate = fields.Float(
        related="company_id.autorepair_workshop_labour_rate", readonly=False)
    autorepair_workshop_labour_cost_rate = fields.Float(
        related="company_id.autorepair_workshop_labour_cost_rate", readonly=False)
    autorepair_workshop_labour_rate_electrical = fields.Float(
        related="company_id.autorepair_workshop_labour_rate_electrical", readonly=False)
    autorepair_workshop_labour_rate_body = fields.Float(
        related="company_id.autorepair_workshop_labour_rate_body", readonly=False)
    autorepair_workshop_labour_rate_paint = fields.Float(
        related="company_id.autorepair_workshop_labour_rate_paint", readonly=False)
    autorepair_workshop_goodwill_approval_amount = fields.Float(
        related="company_id.autorepair_workshop_goodwill_approval_amount", readonly=False)
    autorepair_workshop_appointment_default_hours = fields.Float(
        related="company_id.autorepair_workshop_appointment_default_hours", readonly=False)
    autorepair_workshop_portal_booking_change_hours = fields.Float(
        related="company_id.autorepair_workshop_portal_booking_change_hours", readonly=False)
    autorepair_workshop_followup_delay_hours = fields.Integer(
        related="company_id.autorepair_workshop_followup_delay_hours", readonly=False)
    autorepair_workshop_csi_low_score = fields.Integer(
        related="company_id.autorepair_workshop_csi_low_score", readonly=False)
    autorepair_workshop_portal_link_days = fields.Integer(
        related="company_id.autorepair_workshop_portal_link_days", readonly=False)
    autorepair_workshop_public_url = fields.Char(
        related="company_id.autorepair_workshop_public_url", readonly=False)
    autorepair_workshop_registration_number = fields.Char(
        related="company_id.autorepair_workshop_registration_number", readonly=False)
    autorepair_workshop_guarantee_days_vehicle_overhaul = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_days_vehicle_overhaul", readonly=False)
    autorepair_workshop_guarantee_km_vehicle_overhaul = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_km_vehicle_overhaul", readonly=False)
    autorepair_workshop_guarantee_days_assembly_overhaul = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_days_assembly_overhaul", readonly=False)
    autorepair_workshop_guarantee_km_assembly_overhaul = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_km_assembly_overhaul", readonly=False)
    autorepair_workshop_guarantee_days_second_maintenance = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_days_second_maintenance", readonly=False)
    autorepair_workshop_guarantee_km_second_maintenance = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_km_second_maintenance", readonly=False)
    autorepair_workshop_guarantee_days_special_repair = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_days_special_repair", readonly=False)
    autorepair_workshop_guarantee_km_special_repair = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_km_special_repair", readonly=False)
    autorepair_workshop_guarantee_days_first_maintenance = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_days_first_maintenance", readonly=False)
    autorepair_workshop_guarantee_km_first_maintenance = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_km_first_maintenance", readonly=False)
    autorepair_workshop_guarantee_days_minor_repair = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_days_minor_repair", readonly=False)
    autorepair_workshop_guarantee_km_minor_repair = fields.Integer(
        related="company_id.autorepair_workshop_guarantee_km_minor_repair", readonly=False)
    autorepair_prepaid_account_id = fields.Many2one(
        related="company_id.autorepair_prepaid_account_id", readonly=False)
    autorepair_card_bonus_account_id = fields.Many2one(
        related="company_id.autorepair_card_bonus_account_id", readonly=False)
    autorepair_workshop_link_warning = fields.Char(
        string="Customer Link Warning", compute="_compute_autorepair_workshop_link_warning")

    @api.depends("company_id", "autorepair_workshop_public_url")
    def _compute_autorepair_workshop_link_warning(self):
        for settings in self:
            # the address as typed, before it is saved
            settings.autorepair_workshop_link_warning = settings.company_id._autorepair_workshop_link_warning(
                settings.autorepair_workshop_public_url or "")
