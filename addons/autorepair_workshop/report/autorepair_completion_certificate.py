from odoo import api, models
from odoo.exceptions import UserError


class ReportAutorepairCompletionCertificate(models.AbstractModel):
    """The completion certificate exists only for the orders it was issued
    for (整车修理, 总成修理, 二级维护, numbered when the car left)."""

    _name = "report.autorepair_workshop.report_service_order_certificate"
    _description = "Completion Certificate"

    @api.model
    def _get_report_values(self, docids, data=None):
        orders = self.env["autorepair.service.order"].browse(docids)
        if missing := orders.filtered(lambda o: not o.certificate_number):
            raise UserError(self.env._(
                "%(order)s has no completion certificate: one is issued when a vehicle overhaul, an assembly "
                "overhaul or a second-level maintenance leaves the shop.", order=missing[0].name))
        return {"doc_ids": docids, "doc_model": orders._name, "docs": orders}
