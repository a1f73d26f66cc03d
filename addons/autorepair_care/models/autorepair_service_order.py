from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.autorepair_workshop.models.autorepair_service_order import FOLLOWUP_READERS, WORKSHOP_READERS

CARE_AGENT = "autorepair_care.group_care_agent"


class AutorepairServiceOrder(models.Model):
    _inherit = "autorepair.service.order"

    # the care department reads the walk-around and makes the follow-up calls
    walkaround_line_ids = fields.One2many(groups=f"{WORKSHOP_READERS},{CARE_AGENT}")
    damage_ids = fields.One2many(groups=f"{WORKSHOP_READERS},{CARE_AGENT}")
    followup_ids = fields.One2many(groups=f"{FOLLOWUP_READERS},{CARE_AGENT}")
    # who booked it on a care call (主动预约): his appointment rate counts it (RULEBOOK §5)
    care_booking_agent_id = fields.Many2one(
        "res.users", string="Booked on the Care Call of", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null")

    def _check_care_booking_agent(self, vals):
        # the booking agent is written by the care call that booked (the
        # trusted path): nobody credits a booking to someone by hand
        if "care_booking_agent_id" in vals and not self.env.su:
            raise AccessError(self.env._("Only a care call that books the appointment records who booked it."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_care_booking_agent(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_care_booking_agent(vals)
        result = super().write(vals)
        if vals.get("delivered_date") and vals.get("state") in ("delivered", "done"):
            # the car came back (released, or delivered by an earlier version): the care tasks
            # it satisfies close by themselves, and the customer's loyalty follows his visit
            # (a lost customer is won back)
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
