from odoo import fields, models


class AutorepairArchiveLog(models.Model):
    """One exchange with the archive platform about a filing: what was sent
    (without the access token), what it answered, what came of it."""

    _name = "autorepair.archive.log"
    _description = "Health Archive Exchange"
    _order = "id desc"
    # the record sent copies the order's fault description: an erasure cuts the person out of it too
    _autorepair_redact_fields = ("request", "response")

    filing_id = fields.Many2one("autorepair.archive.filing", required=True, readonly=True, index=True,
                                ondelete="cascade")
    company_id = fields.Many2one(related="filing_id.company_id", store=True)
    order_id = fields.Many2one(related="filing_id.order_id", string="Service Order")
    kind = fields.Selection([("file", "Filing"), ("refile", "Correction")], default="file", readonly=True)
    result = fields.Selection([
        ("filed", "Filed"), ("refused", "Refused"), ("retry", "To Try Again"),
    ], required=True, readonly=True)
    reason = fields.Char(readonly=True)
    request = fields.Text(string="Record Sent", readonly=True)
    response = fields.Text(string="Platform's Answer", readonly=True)
