from odoo import models
from odoo.tools import SQL


class ResPartner(models.Model):
    """Complaints' part of data-subject requests. An erasure empties what
    the customer said and what was said to him; the case (dates, category,
    severity, root-cause category, actions, compensation) stays for the
    closure figures. An open complaint holds the erasure back."""

    _inherit = "res.partner"

    def _autorepair_personal_data(self):
        sections = super()._autorepair_personal_data()
        complaints = self.env["autorepair.complaint"].search([("partner_id", "=", self.id)], order="id")
        sections.append(complaints._autorepair_report_section("complaints", self.env._("Complaints"), [
            "name", "reported_date", "channel", "category", "subject", "description", "response_note",
            "stage_id", "resolved_date", "closed_date", "customer_satisfied"]))
        sections.append(complaints.compensation_ids._autorepair_report_section(
            "compensations", self.env._("Compensation"), ["complaint_id", "compensation_type", "description",
                                                          "amount", "state"]))
        return sections

    def _autorepair_open_documents(self):
        result = super()._autorepair_open_documents()
        for complaint in self.env["autorepair.complaint"].sudo().search(
                [("partner_id", "in", self.ids), ("is_closed", "=", False)]):
            result[complaint.partner_id.id].append(self.env._("complaint %(complaint)s (open)",
                                                              complaint=complaint.name))
        return result

    def _autorepair_personal_records(self):
        records = super()._autorepair_personal_records()
        records["autorepair.complaint"] = self.env["autorepair.complaint"].search(
            [("partner_id", "in", records["res.partner"].ids)])
        return records

    def _autorepair_active_partner_ids(self, since):
        active = super()._autorepair_active_partner_ids(since)
        if not self:
            return active
        self.env.cr.execute(SQL(
            "SELECT partner_id FROM autorepair_complaint WHERE partner_id = ANY(%s) AND reported_date >= %s",
            self.ids, since))
        return active | {row[0] for row in self.env.cr.fetchall()}
