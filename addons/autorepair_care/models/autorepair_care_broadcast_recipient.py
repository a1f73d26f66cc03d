from odoo import api, fields, models
from odoo.tools import SQL


class AutorepairCareBroadcastRecipient(models.Model):
    """A customer a broadcast goes to: fixed when it is scheduled, queued in
    batches when it is due. One row per customer and broadcast, so that a
    restarted dispatch never sends twice."""

    _name = "autorepair.care.broadcast.recipient"
    _description = "Care Broadcast Recipient"
    _order = "id"

    broadcast_id = fields.Many2one("autorepair.care.broadcast", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    state = fields.Selection(
        [("pending", "To Send"), ("queued", "Queued"), ("skipped", "Not Sent")], default="pending", required=True,
        index=True)

    _sql_constraints = [
        ("broadcast_partner_uniq", "unique(broadcast_id, partner_id)", "A customer gets a broadcast once."),
    ]

    @api.model
    def _claim(self, broadcast, limit):
        self.env.cr.execute(SQL(
            """SELECT id FROM autorepair_care_broadcast_recipient
                WHERE broadcast_id = %s AND state = 'pending'
             ORDER BY id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED""", broadcast.id, limit))
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
