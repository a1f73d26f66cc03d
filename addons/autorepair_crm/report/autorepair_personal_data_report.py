from odoo import api, models


class ReportAutorepairPersonalData(models.AbstractModel):
    """The access report (PIPL art. 45): everything the suite holds on one
    customer. Printed by a service manager from the customer's form, which
    also keeps the machine-readable copy; any other way to the report (the
    /report route, a print action) is refused to everyone else and logged."""

    _name = "report.autorepair_crm.report_personal_data"
    _description = "Personal Data Access Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        if not self.env.su:
            # the trusted path (the form's button) renders as the superuser after its own check and log
            partners._autorepair_check_dsr_access()
            for partner in partners:
                self.env["autorepair.privacy.log"]._log(
                    "access_report", model="res.partner", partner=partner, record_count=1,
                    note=self.env._("PDF printed"))
        reports = []
        for partner in partners.sudo():
            sections = (data or {}).get("sections") if len(partners) == 1 and self.env.su else None
            reports.append((partner, sections or partner._autorepair_personal_data()))
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners.sudo(),
            "reports": reports,
        }
