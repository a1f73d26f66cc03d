from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _autorepair_personal_records(self):
        records = super()._autorepair_personal_records()
        orders = records.get("autorepair.service.order", self.env["autorepair.service.order"])
        records["autorepair.archive.log"] = self.env["autorepair.archive.log"].search(
            [("filing_id.order_id", "in", orders.ids)])
        return records
