from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from odoo.addons.autorepair_workshop.models.autorepair_service_order import HISTORY_READERS

from .res_partner import CARE_ROLES


class FleetVehicle(models.Model):
    _inherit = "fleet.vehicle"

    odometer_date = fields.Date(
        string="Last Reading On", compute="_compute_odometer_date", store=True,
        help="Date of the latest odometer reading: the km-based due dates are projected from it.",
    )
    care_task_ids = fields.One2many("autorepair.care.task", "vehicle_id", string="Care Tasks", groups=CARE_ROLES)
    # the agents read the car's past visits before they call
    service_history_ids = fields.One2many(groups=f"{HISTORY_READERS},{CARE_ROLES}")

    def _auto_init(self):
        # filled in one UPDATE on install rather than computed car by car
        if not column_exists(self.env.cr, "fleet_vehicle", "odometer_date"):
            create_column(self.env.cr, "fleet_vehicle", "odometer_date", "date")
            self.env.cr.execute(SQL("""
                UPDATE fleet_vehicle v SET odometer_date = r.date
                  FROM (SELECT vehicle_id, MAX(date) AS date FROM fleet_vehicle_odometer GROUP BY vehicle_id) r
                 WHERE r.vehicle_id = v.id
            """))
        return super()._auto_init()

    @api.depends("odometer_ids.date")
    def _compute_odometer_date(self):
        latest = dict(self.env["fleet.vehicle.odometer"]._read_group(
            [("vehicle_id", "in", self.ids)], ["vehicle_id"], ["date:max"]))
        for vehicle in self:
            vehicle.odometer_date = latest.get(vehicle)
