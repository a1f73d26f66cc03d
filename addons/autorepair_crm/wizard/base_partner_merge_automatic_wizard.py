from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        # Odoo copies the source's phone onto the destination before deleting the
        # source: the duplicate-phone guard must not refuse that moment.
        return super(
            BasePartnerMergeAutomaticWizard, self.with_context(autorepair_merging=True)
        )._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
