from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import InvalidInput, check_plate, check_vin, normalize_plate, normalize_vin
from ..tools.odometer import Reading, estimate_km_per_day
from .autorepair_customer_data_mixin import duplicate_error

# fleet's own logs (drivers, services, contracts) are the company fleet
# manager's: their fields on every vehicle are readable by fleet users only,
# instead of refusing the whole vehicle to the after-sales roles
FLEET_USER = "fleet.fleet_group_user"
# the dealer's own vehicle views: those a vehicle opens with, from a link on an order or
# a task, for everyone but fleet's users (fleet's views lead to its logs at every button)
DEALER_VIEWS = {
    "form": "autorepair_crm.fleet_vehicle_view_form",
    "list": "autorepair_crm.fleet_vehicle_view_list",
    "kanban": "autorepair_crm.fleet_vehicle_view_kanban",
    "search": "autorepair_crm.fleet_vehicle_view_search",
}


class FleetVehicle(models.Model):
    _name = "fleet.vehicle"
    _inherit = ["fleet.vehicle", "autorepair.customer.data.mixin"]
    _rec_names_search = ["name", "license_plate", "vin_sn", "driver_id.name"]

    # fleet's own fields, normalised and trigram-indexed for fragment search
    name = fields.Char(index="trigram")
    license_plate = fields.Char(index="trigram")
    vin_sn = fields.Char(string="VIN", index="trigram")
    odometer = fields.Float(store=True)
    log_drivers = fields.One2many(groups=FLEET_USER)
    log_services = fields.One2many(groups=FLEET_USER)
    log_contracts = fields.One2many(groups=FLEET_USER)
    # computed together from those logs
    contract_count = fields.Integer(groups=FLEET_USER)
    service_count = fields.Integer(groups=FLEET_USER)
    odometer_count = fields.Integer(groups=FLEET_USER)
    history_count = fields.Integer(groups=FLEET_USER)
    contract_renewal_due_soon = fields.Boolean(groups=FLEET_USER)
    contract_renewal_overdue = fields.Boolean(groups=FLEET_USER)
    contract_state = fields.Selection(groups=FLEET_USER)
    service_activity = fields.Selection(groups=FLEET_USER)

    plate_search = fields.Char(
        string="Plate Fragment", compute="_compute_fragment_search", search="_search_plate_search"
    )
    vin_search = fields.Char(
        string="VIN Fragment", compute="_compute_fragment_search", search="_search_vin_search"
    )
    vin_check_warning = fields.Boolean(
        string="VIN Check Digit Mismatch", readonly=True, copy=False,
        help="Imported vehicles may carry a VIN without an ISO 3779 check digit: "
        "accepted, but verify it against the vehicle licence.",
    )
    owner_id = fields.Many2one(
        "res.partner", string="Owner", tracking=True, index=True, ondelete="restrict",
        domain="[('is_company', '=', False), ('company_id', 'in', (company_id, False))]",
        help="The customer who owns the car, as on the vehicle licence; "
        "the driver may be someone else.",
    )
    owner_phone_masked = fields.Char(related="owner_id.phone_masked", string="Owner Phone")
    ownership_ids = fields.One2many("autorepair.vehicle.ownership", "vehicle_id", string="Ownership History")
    odometer_ids = fields.One2many("fleet.vehicle.odometer", "vehicle_id", string="Odometer Readings")
    delivery_date = fields.Date(tracking=True, help="New-car delivery to the first owner.")
    warranty_end_date = fields.Date(string="Warranty End", tracking=True)
    warranty_end_km = fields.Integer(string="Warranty End (km)", tracking=True)
    warranty_state = fields.Selection(
        [("in", "In Warranty"), ("out", "Out of Warranty")],
        string="Warranty", compute="_compute_warranty_state", store=True, index=True,
        help="Out of warranty once the end date or the end mileage is passed; refreshed every night.",
    )
    insurer_id = fields.Many2one(
        "res.partner", string="Insurer", ondelete="restrict", domain="[('is_company', '=', True)]"
    )
    insurance_expiry_date = fields.Date(string="Insurance Expiry", tracking=True, index=True)
    inspection_due_date = fields.Date(string="Annual Inspection Due", tracking=True, index=True)
    next_service_date = fields.Date(
        string="Next Service", tracking=True, index=True, help="Given to the customer at delivery.")
    next_service_km = fields.Integer(string="Next Service (km)", tracking=True)
    km_per_day = fields.Float(
        string="Km per Day", compute="_compute_km_per_day", store=True, digits=(16, 1),
        help="Estimated from the odometer history since the last meter change; "
        "the default from Settings while the history is too short.",
    )
    km_per_day_estimated = fields.Boolean(
        string="Estimated from History", compute="_compute_km_per_day", store=True
    )

    _sql_constraints = [
        ("vin_company_uniq", "unique(company_id, vin_sn)", "A vehicle with this VIN is already on file."),
    ]

    # --------------------------------------------------------------------- views

    @api.model
    def get_view(self, view_id=None, view_type="form", **options):
        if (not view_id and view_type in DEALER_VIEWS and not self.env.context.get(f"{view_type}_view_ref")
                and not self.env.user.has_group(FLEET_USER)):
            view_id = self.env.ref(DEALER_VIEWS[view_type]).id
        return super().get_view(view_id, view_type, **options)

    # ------------------------------------------------------------------ computes

    def _compute_fragment_search(self):
        self.plate_search = self.vin_search = False

    def _search_plate_search(self, operator, value):
        if operator not in ("ilike", "=", "like") or not isinstance(value, str):
            raise ValidationError(self.env._("Search plates with a fragment of text."))
        return [("license_plate", "ilike", normalize_plate(value))]

    def _search_vin_search(self, operator, value):
        if operator not in ("ilike", "=", "like") or not isinstance(value, str):
            raise ValidationError(self.env._("Search VINs with a fragment of text."))
        return [("vin_sn", "ilike", normalize_vin(value))]

    @api.depends("odometer_ids.value", "odometer_ids.date")
    def _get_odometer(self):
        """The latest reading by date (not the highest: a replaced meter restarts low)."""
        latest = {}
        for reading in self.env["fleet.vehicle.odometer"].search_fetch(
            [("vehicle_id", "in", self.ids)], ["vehicle_id", "value"], order="date desc, id desc"
        ):
            latest.setdefault(reading.vehicle_id.id, reading.value)
        for vehicle in self:
            vehicle.odometer = latest.get(vehicle.id, 0.0)

    @api.depends("warranty_end_date", "warranty_end_km", "odometer")
    def _compute_warranty_state(self):
        today = fields.Date.context_today(self)
        for vehicle in self:
            if not vehicle.warranty_end_date and not vehicle.warranty_end_km:
                vehicle.warranty_state = False
            elif (vehicle.warranty_end_date and vehicle.warranty_end_date < today) or (
                vehicle.warranty_end_km and vehicle.odometer > vehicle.warranty_end_km
            ):
                vehicle.warranty_state = "out"
            else:
                vehicle.warranty_state = "in"

    @api.depends("odometer_ids.value", "odometer_ids.date", "odometer_ids.is_meter_change", "delivery_date")
    def _compute_km_per_day(self):
        today = fields.Date.context_today(self)
        readings = defaultdict(list)
        for reading in self.env["fleet.vehicle.odometer"].search_fetch(
            [("vehicle_id", "in", self.ids)], ["vehicle_id", "date", "value", "is_meter_change"],
            order="date, id",
        ):
            readings[reading.vehicle_id.id].append(
                Reading(reading.date, reading.value, reading.is_meter_change)
            )
        for vehicle in self:
            vehicle.km_per_day, vehicle.km_per_day_estimated = estimate_km_per_day(
                readings[vehicle.id], delivery_date=vehicle.delivery_date, today=today,
                **vehicle._km_per_day_params()
            )

    def _km_per_day_params(self):
        """The vehicle's company's default km per day and minimum history."""
        setting = self.company_id._autorepair_crm_setting
        return {"fallback": setting("km_per_day_fallback"), "min_days": setting("km_per_day_min_days")}

    # --------------------------------------------------------------- constraints

    @api.constrains("license_plate", "vin_sn", "owner_id")
    def _check_identified(self):
        """A customer's car is known by its plate or VIN; the company's own cars
        (fleet's company cars, ordered and not registered yet) have no owner."""
        for vehicle in self.filtered("owner_id"):
            if not vehicle.license_plate and not vehicle.vin_sn:
                raise ValidationError(self.env._("A vehicle needs at least its plate or its VIN."))

    @api.constrains("delivery_date", "warranty_end_date")
    def _check_warranty_dates(self):
        for vehicle in self:
            if vehicle.delivery_date and vehicle.warranty_end_date \
                    and vehicle.warranty_end_date < vehicle.delivery_date:
                raise ValidationError(
                    self.env._("The warranty of %(vehicle)s cannot end before the car was delivered.",
                               vehicle=vehicle.display_name)
                )

    @api.constrains("warranty_end_km")
    def _check_warranty_km(self):
        if any(vehicle.warranty_end_km < 0 for vehicle in self):
            raise ValidationError(self.env._("The warranty mileage cannot be negative."))

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for index, vals in enumerate(vals_list):
            try:
                self._prepare_identity_vals(vals)
                self._check_duplicate_identity(vals, earlier=vals_list[:index])
            except ValidationError as exc:
                raise self._in_row(exc, index, len(vals_list)) from None
        vehicles = super().create(vals_list)
        vehicles.filtered("owner_id")._record_ownership_change()
        return vehicles

    def write(self, vals):
        self._prepare_identity_vals(vals)
        self._check_duplicate_identity(vals)
        owner_changes = self.browse()
        if "owner_id" in vals:
            owner_changes = self.filtered(lambda v: v.owner_id.id != vals["owner_id"])
        result = super().write(vals)
        owner_changes._record_ownership_change()
        return result

    def _prepare_identity_vals(self, vals):
        """Normalise VIN and plate in vals; refuse what no car can carry."""
        try:
            if vals.get("vin_sn"):
                vals["vin_sn"], check_digit_ok = check_vin(vals["vin_sn"])
                vals["vin_check_warning"] = not check_digit_ok
            if vals.get("license_plate"):
                vals["license_plate"] = check_plate(vals["license_plate"], **self._plate_params())
        except InvalidInput as exc:
            raise ValidationError(self.env._(exc.message)) from None

    def _check_duplicate_identity(self, vals, earlier=()):
        """A car is on file once per dealer: a second file for the same VIN or
        plate splits its history (RULEBOOK §2). Checked before the insert
        against the file and against the ``earlier`` rows of the same batch,
        so that the refusal names the incoming value and the vehicle that has
        it, rather than the bare error of the SQL constraint, which stays as
        the backstop for races."""
        company_ids = [vals["company_id"]] if vals.get("company_id") else (
            self.company_id.ids or [self.env.company.id])
        for fname in ("vin_sn", "license_plate"):
            value = vals.get(fname)
            if not value:
                continue
            if len(self) > 1:
                raise ValidationError(self._identity_message(fname, "several", value, count=len(self)))
            for row, other in enumerate(earlier, 1):
                if other.get(fname) == value and (other.get("company_id") or company_ids[0]) in company_ids:
                    raise ValidationError(self._identity_message(fname, "batch", value, row=row))
            # an archived car keeps its VIN for ever; a plate can be reissued
            duplicate = self.sudo().with_context(active_test=fname != "vin_sn").search(
                [(fname, "=", value), ("company_id", "in", company_ids), ("id", "not in", self.ids)],
                limit=1,
            )
            if duplicate and not duplicate.with_env(self.env).has_access("read"):
                # on file in a company this user does not work in: say no more than that
                raise ValidationError(self._identity_message(fname, "elsewhere", value))
            if duplicate:
                raise duplicate_error(
                    self._identity_message(fname, "on_file", value, vehicle=duplicate.display_name), duplicate)

    def _identity_message(self, fname, case, value, row=0, count=0, vehicle=""):
        _ = self.env._
        if case == "elsewhere":
            if fname == "vin_sn":
                return _("This VIN is already on file in another company of the group.")
            return _("This plate is already on file in another company of the group.")
        if fname == "vin_sn":
            if case == "on_file":
                return _("The VIN %(vin)s is already on file: %(vehicle)s. Open that vehicle "
                         "instead of creating a second one.", vin=value, vehicle=vehicle)
            if case == "batch":
                return _("The VIN %(vin)s is also on row %(row)s: one vehicle per VIN.", vin=value, row=row)
            return _("The VIN %(vin)s can be on one vehicle only, not on %(count)s.", vin=value, count=count)
        if case == "on_file":
            return _("The plate %(plate)s is already on file: %(vehicle)s. Open that vehicle "
                     "instead of creating a second one.", plate=value, vehicle=vehicle)
        if case == "batch":
            return _("The plate %(plate)s is also on row %(row)s: one vehicle per plate.", plate=value, row=row)
        return _("The plate %(plate)s can be on one vehicle only, not on %(count)s.", plate=value, count=count)

    @api.model
    def _plate_params(self):
        """National rules, the same in every company: system parameters."""
        setting = self.env.company._autorepair_crm_setting
        return {
            "provinces": setting("plate_provinces"),
            "nev_letters": setting("plate_nev_letters"),
            "suffixes": setting("plate_suffixes"),
        }

    def _record_ownership_change(self):
        """Close the current ownership period and open the new owner's; the owner
        becomes an after-sales customer. History is system-kept, hence sudo."""
        today = fields.Date.context_today(self)
        Ownership = self.env["autorepair.vehicle.ownership"].sudo()
        Ownership.search([("vehicle_id", "in", self.ids), ("date_to", "=", False)]).write({"date_to": today})
        Ownership.create([
            {
                "vehicle_id": vehicle.id,
                "partner_id": vehicle.owner_id.id,
                "date_from": today if vehicle.ownership_ids else (vehicle.delivery_date or today),
            }
            for vehicle in self.filtered("owner_id")
        ])
        for vehicle in self.filtered(lambda v: v.owner_id and not v.owner_id.is_autorepair_customer):
            owner = vehicle.owner_id.sudo()
            vals = {"is_autorepair_customer": True}
            if not owner.company_id and not owner.parent_id and not owner.user_ids:
                # a customer belongs to the dealer that serves him (company isolation)
                vals["company_id"] = vehicle.company_id.id or self.env.company.id
            owner.write(vals)

    # ------------------------------------------------------------------- crons

    @api.model
    def _cron_update_warranty_state(self):
        """Vehicles whose warranty ended since the last run; the end date passing
        changes nothing in the record, so no compute would notice it."""
        expired = self.sudo().search([
            ("warranty_state", "=", "in"),
            ("warranty_end_date", "<", fields.Date.context_today(self)),
        ])
        expired.modified(["warranty_end_date"])
        self.env.flush_all()
        return len(expired)
