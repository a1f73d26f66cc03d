from odoo import models

PHONE_FIELDS = ("phone", "mobile")


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        """The numbers move from the merged files to the one kept: the merged
        files give them up first, so that the one-customer-per-phone rule sees
        a single holder at every moment (they are deleted right after)."""
        numbers = {fname: next((p[fname] for p in src_partners if p[fname]), False) for fname in PHONE_FIELDS}
        src_partners.sudo().write(dict.fromkeys(PHONE_FIELDS, False))
        result = super()._update_values(src_partners, dst_partner)
        missing = {fname: number for fname, number in numbers.items() if number and not dst_partner[fname]}
        if missing:
            dst_partner.write(missing)
        return result
