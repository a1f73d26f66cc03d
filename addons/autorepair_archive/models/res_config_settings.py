from odoo import fields, models

from odoo.addons.autorepair_channel.models.res_company import SECRET


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    autorepair_archive_platform = fields.Selection(
        related="company_id.autorepair_archive_platform", readonly=False, groups=SECRET)
    autorepair_archive_url = fields.Char(related="company_id.autorepair_archive_url", readonly=False, groups=SECRET)
    autorepair_archive_company_code = fields.Char(
        related="company_id.autorepair_archive_company_code", readonly=False, groups=SECRET)
    autorepair_archive_password = fields.Char(
        related="company_id.autorepair_archive_password", readonly=False, groups=SECRET)
