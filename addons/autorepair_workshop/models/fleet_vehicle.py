import math
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields, models

from .autorepair_service_order import DELIVERED_STATES, HISTORY_READERS

MAINTENANCE_NEEDS = ("first_maintenance", "periodic_maintenance")
# a service done up to a quarter interval early counts as the milestone's
# (the 10,000 km service done at 9,600 km); a car without history here is
# due at the milestone it is nearest to
EARLY_SHARE = 0.25


def next_milestone(interval, done=None, now=None):
    """The next multiple of ``interval`` due: after the one ``done`` was
    made for (the last service's km or months), or, without a last service,
    the one ``now`` (the km or months today) has reached or is nearing."""
    if done is not None:
        return (math.floor((done + interval * EARLY_SHARE) / interval) + 1) * interval
    return max(1, math.ceil((now - interval * EARLY_SHARE) / interval)) * interval


def months_between(start, end):
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


class FleetVehicle(models.Model):
    _inherit = "fleet.vehicle"

    service_order_ids = fields.One2many("autorepair.service.order", "vehicle_id", string="Service Orders")
    # every past visit of the car, whoever owned it then (the car's own record)
    service_history_ids = fields.One2many(
        "autorepair.service.order", "vehicle_id", string="Service History", groups=HISTORY_READERS,
        domain=[("state", "in", DELIVERED_STATES)],
    )
    recommendation_line_ids = fields.One2many(
        "autorepair.service.order.line", "vehicle_id", string="Open Recommendations",
        domain=[("recommendation_state", "=", "open")],
        help="Work the customer declined or deferred, to offer again at the next visit.",
    )

    guarantee_order_ids = fields.Many2many(
        "autorepair.service.order", string="Repairs under Guarantee", compute="_compute_guarantee_order_ids",
        groups=HISTORY_READERS, help="Delivered repairs of the car whose quality guarantee still runs.")
    guarantee_order_count = fields.Integer(compute="_compute_guarantee_order_ids", groups=HISTORY_READERS)

    def _compute_guarantee_order_ids(self):
        today = fields.Date.context_today(self)
        orders = self.env["autorepair.service.order"].search([
            ("vehicle_id", "in", self.ids), ("state", "in", DELIVERED_STATES),
            ("guarantee_end_date", ">=", today),
        ])
        for vehicle in self:
            mine = orders.filtered(lambda o, v=vehicle: o.vehicle_id == v and o.guarantee_end_km >= v.odometer)
            vehicle.guarantee_order_ids = mine
            vehicle.guarantee_order_count = len(mine)

    def action_view_guarantee_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Repairs under Guarantee"),
            "res_model": "autorepair.service.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.guarantee_order_ids.ids)],
            "context": {"create": False},
        }

    def _autorepair_last_maintenance(self):
        """The car's last maintenance visit delivered here, if any."""
        self.ensure_one()
        return self.env["autorepair.service.order"].search([
            ("vehicle_id", "=", self.id), ("need_type", "in", MAINTENANCE_NEEDS),
            ("state", "in", DELIVERED_STATES), ("delivered_date", "!=", False),
        ], order="delivered_date desc, id desc", limit=1)

    def _autorepair_package_due(self, odometer=None, today=None, company=None):
        """The maintenance package the car is due for next: of the packages
        fitting its model, the one whose next milestone comes first, by km
        (the last maintenance's odometer, projected to a date at the car's km
        per day) or by months (since delivery), whichever comes first; where
        two fall on the same day, the longer interval (the major service
        includes the minor one)."""
        self.ensure_one()
        packages = self.env["autorepair.service.package"].search(
            self.env["autorepair.service.package"]._fitting_domain(self, company))
        if not packages:
            return packages
        today = today or fields.Date.context_today(self)
        odometer = self.odometer if odometer is None else odometer
        last = self._autorepair_last_maintenance()
        last_km = last.odometer_in if last and last.odometer_in else None
        last_date = fields.Date.context_today(self, last.delivered_date) if last else None
        start = self.delivery_date or last_date

        def due_date(package):
            dates = []
            if package.interval_km:
                km = next_milestone(package.interval_km, done=last_km, now=odometer)
                if self.km_per_day > 0:
                    dates.append(today + timedelta(days=math.ceil((km - odometer) / self.km_per_day)))
            if package.interval_months and start:
                # counted from the delivery, else from the last service itself
                done = months_between(start, last_date) if last_date else None
                months = next_milestone(package.interval_months, done=done,
                                        now=months_between(start, today))
                dates.append(start + relativedelta(months=months))
            return min(dates) if dates else fields.Date.to_date("9999-12-31")

        return min(packages, key=lambda p: (due_date(p), -p.interval_km, -p.interval_months, p.sequence, p.id))
