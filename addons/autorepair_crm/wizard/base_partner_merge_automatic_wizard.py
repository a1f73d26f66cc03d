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

    def _merge_loyalty_cards(self, src_partners, dst_partner):
        """Odoo adds the merged files' points to the kept card and archives
        theirs: their history follows the points, so that the customer's
        card still shows every line it was earned and spent by."""
        points_programs = self.env["res.company"].sudo().search([]).autorepair_points_program_id
        src_cards = self.env["loyalty.card"].sudo().search([
            ("partner_id", "in", src_partners.ids), ("program_id", "in", points_programs.ids)])
        result = super()._merge_loyalty_cards(src_partners, dst_partner)
        for program, cards in src_cards.grouped("program_id").items():
            kept = self.env["loyalty.card"].sudo().search(
                [("partner_id", "=", dst_partner.id), ("program_id", "=", program.id)], limit=1)
            self.env["loyalty.history"].sudo().search(
                [("card_id", "in", (cards - kept).ids)]).write({"card_id": kept.id})
        return result
