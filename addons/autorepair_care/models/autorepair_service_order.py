from odoo import models


class AutorepairServiceOrder(models.Model):
    _inherit = "autorepair.service.order"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "delivered":
            # the car came back: the care tasks it satisfies close by themselves
            self.env["autorepair.care.task"]._close_returned(self)
        elif vals.get("state") == "cancel":
            self._care_reopen_bookings()
        return result

    def _care_reopen_bookings(self):
        """A booking made on a care call was cancelled: call again."""
        tasks = self.env["autorepair.care.task"].sudo().search(
            [("service_order_id", "in", self.ids), ("state", "=", "booked")])
        if tasks:
            tasks.write({"state": "open", "service_order_id": False,
                         "next_call_date": self.env["autorepair.care.rule"]._care_today()})
            tasks._schedule()
