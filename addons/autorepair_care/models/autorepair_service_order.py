from odoo import fields, models

from odoo.addons.autorepair_workshop.models.autorepair_service_order import FOLLOWUP_READERS, WORKSHOP_READERS

CARE_AGENT = "autorepair_care.group_care_agent"


class AutorepairServiceOrder(models.Model):
    _inherit = "autorepair.service.order"

    # the care department reads the walk-around and makes the follow-up calls
    walkaround_line_ids = fields.One2many(groups=f"{WORKSHOP_READERS},{CARE_AGENT}")
    damage_ids = fields.One2many(groups=f"{WORKSHOP_READERS},{CARE_AGENT}")
    followup_ids = fields.One2many(groups=f"{FOLLOWUP_READERS},{CARE_AGENT}")

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "delivered":
            # the car came back: the care tasks it satisfies close by themselves,
            # and the customer's loyalty follows his visit (a lost customer is won back)
            self.env["autorepair.care.task"]._close_returned(self)
            self.env["res.partner"]._autorepair_set_loyalty_type(self.partner_id.commercial_partner_id)
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
