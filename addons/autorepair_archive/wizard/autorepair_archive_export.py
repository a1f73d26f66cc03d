import base64
import json

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class AutorepairArchiveExport(models.TransientModel):
    """A month of a company's settled repairs as one file, for provinces that
    take the archive by upload: the records as the platform's interface has
    them, plus the standard's repair category and settlement amount."""

    _name = "autorepair.archive.export"
    _description = "Health Archive Month File"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    month = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(months=1),
        help="Any day of the month: the orders settled in that month are exported.")
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.model
    def _autorepair_month_records(self, company, month):
        """The records of the orders of ``company`` settled in the month of ``month``."""
        start = month.replace(day=1)
        filings = self.env["autorepair.archive.filing"].sudo().search([
            ("company_id", "=", company.id), ("settlement_date", ">=", start),
            ("settlement_date", "<", start + relativedelta(months=1)),
        ], order="settlement_date, id")
        adapter = self.env["autorepair.archive.adapter.national"]
        records = []
        for filing in filings:
            items = adapter._autorepair_items(filing.order_id)
            record = adapter._autorepair_record(items)
            record["basicInfo"].update({
                "repaircategory": items["repair_category_label"],
                "settleamount": f"{items['amount']:.2f}",
            })
            records.append(record)
        return records

    def action_export(self):
        self.ensure_one()
        # the shop's own company only: a manager exports the companies he works in
        if self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("You do not work for %(company)s.", company=self.company_id.name))
        records = self._autorepair_month_records(self.company_id, self.month)
        if not records:
            raise UserError(self.env._("No service order of %(company)s was settled in %(month)s.",
                                       company=self.company_id.name, month=self.month.strftime("%Y-%m")))
        code = self.company_id.sudo().autorepair_archive_company_code or self.company_id.id
        content = {
            "companycode": str(code),
            "companyname": self.company_id.name,
            "month": self.month.strftime("%Y%m"),
            "count": len(records),
            "records": records,
        }
        self.write({
            "file_data": base64.b64encode(json.dumps(content, ensure_ascii=False, indent=1).encode()),
            "file_name": f"jtt1132_{code}_{self.month.strftime('%Y%m')}.json",
        })
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
            "view_mode": "form", "target": "new",
        }
