from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    def _autorepair_lock(self):
        """The card's points as the database has them, the card locked until
        the end of the transaction: a second desk waits here, then sees the
        balance the first one left, never the one both read before."""
        self.ensure_one()
        card = self.sudo()
        card.flush_recordset(["points"])
        self.env.cr.execute(SQL("SELECT id FROM loyalty_card WHERE id = %s FOR NO KEY UPDATE", card.id))
        card.invalidate_recordset(["points"])
        return card.points

    def _autorepair_points_move(self, points, description, invoice=None, record=None, allow_negative=True,
                                values=None):
        """Add ``points`` (negative: take them off) to this card with a line of
        its history saying why: the one place the suite changes a points
        balance. The card is locked first, so that two desks never spend the
        same points; ``allow_negative`` False refuses a balance below zero (a
        credit note may take more than is left: the customer earns it back).
        ``invoice``: the paid invoice or the credit note the line is for (at
        most one line per invoice, see ``loyalty.history``); ``record``: the
        document it is for otherwise; ``values``: other fields of the card
        written with the points (computed by the caller under the lock). A trusted path:
        the callers checked who may do it.

        :return: the new ``loyalty.history`` line
        """
        self.ensure_one()
        card = self.sudo()
        balance = card._autorepair_lock() + points
        if not allow_negative and points < 0 and balance < 0:
            raise ValidationError(self.env._(
                "Not enough points: %(customer)s would end with a balance of %(balance)s.",
                customer=card.partner_id.display_name, balance=int(balance)))
        record = record or invoice
        history = self.env["loyalty.history"].sudo().create({
            "card_id": card.id,
            "description": description,
            "issued": max(points, 0),
            "used": max(-points, 0),
            "order_model": record._name if record else False,
            "order_id": record.id if record else False,
            "autorepair_points_invoice_id": invoice.id if invoice else False,
        })
        card.write({"points": balance, **(values or {})})
        return history
