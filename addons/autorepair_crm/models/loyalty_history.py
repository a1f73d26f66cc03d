from odoo import fields, models


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    autorepair_points_invoice_id = fields.Many2one(
        "account.move", string="Points of Invoice", readonly=True, index="btree_not_null", ondelete="restrict",
        help="The paid invoice whose points this line earned, or the credit note that took them back.",
    )

    _sql_constraints = [
        ("autorepair_points_invoice_uniq", "unique(autorepair_points_invoice_id)",
         "Points were already earned or taken back for this invoice."),
    ]
