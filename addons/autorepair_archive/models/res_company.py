from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.autorepair_channel.models.res_company import SECRET

# Every archive setting and its default, in one table (see autorepair_workshop's
# SETTINGS): a key with a company field ``autorepair_archive_<key>`` is the
# company's, any other a system parameter ``autorepair_archive.<key>``.
SETTINGS = {
    # system parameters: filings sent per run of the scheduler, tries before a
    # filing the platform never answered is given up (refused), seconds the platform
    # has to answer one call, minutes before the first retry (doubled at each try)
    "batch_size": 50,
    "max_tries": 6,
    "timeout": 20,
    "retry_minutes": 5,
}

# The platform's interfaces, one adapter each (models autorepair.archive.adapter.<key>).
PLATFORMS = [
    ("national", "National interface (JT/T 1132.2)"),
    ("guangdong", "Guangdong (Foshan) interface"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    # The platform's address, the shop's code and password are the administrator's
    # (a leaked password files records in the dealer's name); the scheduler reads
    # them as the superuser.
    autorepair_archive_platform = fields.Selection(
        PLATFORMS, string="Archive Interface", default="national", required=True, groups=SECRET,
        help="Which interface the province's archive platform speaks: the national one that most provinces "
             "run, or a province's own.")
    autorepair_archive_url = fields.Char(
        string="Archive Platform Address", groups=SECRET, copy=False,
        help="The address of the province's vehicle-maintenance health archive platform given with the shop's "
             "account, e.g. https://api.qcda.shanghaiqixiu.org. Empty: repairs wait to be filed.")
    autorepair_archive_company_code = fields.Char(
        string="Shop Code", groups=SECRET, copy=False,
        help="The code (企业编码) the platform gave the shop when it registered.")
    autorepair_archive_password = fields.Char(
        string="Archive Platform Password", groups=SECRET, copy=False,
        help="The password of the shop's account on the platform.")

    @api.constrains("autorepair_archive_url")
    def _check_autorepair_archive_url(self):
        for company in self.sudo().filtered("autorepair_archive_url"):
            parts = urlsplit(company.autorepair_archive_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValidationError(self.env._(
                    "The archive platform address is a web address such as https://api.qcda.shanghaiqixiu.org."))

    def write(self, vals):
        if vals.get("autorepair_archive_url"):
            vals["autorepair_archive_url"] = vals["autorepair_archive_url"].strip().rstrip("/")
        return super().write(vals)

    def _autorepair_archive_setting(self, key):
        """An archive setting (see ``SETTINGS``) of this company, or of the current one."""
        return self._autorepair_setting("autorepair_archive", SETTINGS, key)

    def _autorepair_archive_ready(self):
        """Whether this company can file: the platform's address, the shop's code and password set."""
        self.ensure_one()
        company = self.sudo()
        return bool(company.autorepair_archive_url and company.autorepair_archive_company_code
                    and company.autorepair_archive_password)
