import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.plate import DEFAULT_NEV_LETTERS, DEFAULT_PROVINCES, DEFAULT_SUFFIXES

_logger = logging.getLogger(__name__)

# Every setting of the customer file and its default, in one table. A key with
# a company field ``autorepair_crm_<key>`` is a business number of each company
# (Settings); any other key is a system parameter ``autorepair_crm.<key>``.
SETTINGS = {
    # per company
    "abc_window_months": 12,
    "abc_a_visits": 4,
    "abc_a_spend": 8000.0,
    "abc_b_visits": 2,
    "abc_b_spend": 2000.0,
    "odometer_max_km_per_day": 1500,
    "km_per_day_fallback": 35.0,
    "km_per_day_min_days": 30,
    "points_per_yuan": 1.0,
    "retention_years": 5,  # anonymise customers absent this long; 0 = never
    # system parameters: the plate character sets are national rules (GA 36), the
    # same for every company of the database, changed when the ministry issues a
    # new kind of plate, not by a dealer's manager
    "plate_provinces": DEFAULT_PROVINCES,
    "plate_nev_letters": DEFAULT_NEV_LETTERS,
    "plate_suffixes": DEFAULT_SUFFIXES,
    # customers anonymised per call of the retention run
    "retention_batch_size": 200,
}


def typed_parameter(value, default):
    """A system parameter's text typed like its default; the default when the
    parameter is unset, unreadable, or not positive where the default is (a
    batch size or a limit of 0 would stop the work it sizes)."""
    if value in (None, False) or not value.strip():
        return default
    if isinstance(default, str):
        return value
    try:
        number = type(default)(float(value))
    except ValueError:
        number = None
    if number is None or (default > 0 and number <= 0):
        _logger.warning("System parameter value %r is not usable: %r applies.", value, default)
        return default
    return number


class ResCompany(models.Model):
    _inherit = "res.company"

    autorepair_crm_abc_window_months = fields.Integer(
        string="Value Class Window (months)", default=SETTINGS["abc_window_months"])
    autorepair_crm_abc_a_visits = fields.Integer(
        string="Class A: Minimum Visits", default=SETTINGS["abc_a_visits"])
    autorepair_crm_abc_a_spend = fields.Float(
        string="Class A: Minimum Spend", default=SETTINGS["abc_a_spend"])
    autorepair_crm_abc_b_visits = fields.Integer(
        string="Class B: Minimum Visits", default=SETTINGS["abc_b_visits"])
    autorepair_crm_abc_b_spend = fields.Float(
        string="Class B: Minimum Spend", default=SETTINGS["abc_b_spend"])
    autorepair_crm_odometer_max_km_per_day = fields.Integer(
        string="Odometer Plausibility (km per day)", default=SETTINGS["odometer_max_km_per_day"])
    autorepair_crm_km_per_day_fallback = fields.Float(
        string="Default Km per Day", default=SETTINGS["km_per_day_fallback"])
    autorepair_crm_km_per_day_min_days = fields.Integer(
        string="Minimum History (days)", default=SETTINGS["km_per_day_min_days"])
    autorepair_crm_points_per_yuan = fields.Float(
        string="Loyalty Points per Yuan Paid", default=SETTINGS["points_per_yuan"])
    autorepair_crm_retention_years = fields.Integer(
        string="Anonymise Customers Absent For (years)", default=SETTINGS["retention_years"],
        help="Customers with no visit, order, invoice or contact for this many years are anonymised "
        "by the nightly retention run; invoices and repair records stay. 0 keeps them for ever.")

    # --------------------------------------------------------------- constraints

    @api.constrains("autorepair_crm_points_per_yuan")
    def _check_autorepair_crm_points(self):
        if any(company.autorepair_crm_points_per_yuan < 0 for company in self):
            raise ValidationError(self.env._("Loyalty points per yuan cannot be negative."))

    @api.constrains("autorepair_crm_retention_years")
    def _check_autorepair_crm_retention(self):
        if any(company.autorepair_crm_retention_years < 0 for company in self):
            raise ValidationError(self.env._("The retention period cannot be negative (0 keeps customers)."))

    @api.constrains(
        "autorepair_crm_abc_window_months", "autorepair_crm_abc_a_visits", "autorepair_crm_abc_a_spend",
        "autorepair_crm_abc_b_visits", "autorepair_crm_abc_b_spend",
    )
    def _check_autorepair_crm_value_class(self):
        for company in self:
            if company.autorepair_crm_abc_window_months <= 0:
                raise ValidationError(self.env._("The value class window must be at least one month."))
            if min(company.autorepair_crm_abc_a_visits, company.autorepair_crm_abc_b_visits,
                   company.autorepair_crm_abc_a_spend, company.autorepair_crm_abc_b_spend) < 0:
                raise ValidationError(self.env._("Value class thresholds cannot be negative."))
            if (company.autorepair_crm_abc_a_visits < company.autorepair_crm_abc_b_visits
                    or company.autorepair_crm_abc_a_spend < company.autorepair_crm_abc_b_spend):
                raise ValidationError(self.env._("Class A thresholds must be at least those of class B."))

    @api.constrains(
        "autorepair_crm_odometer_max_km_per_day", "autorepair_crm_km_per_day_fallback",
        "autorepair_crm_km_per_day_min_days",
    )
    def _check_autorepair_crm_odometer(self):
        for company in self:
            if min(company.autorepair_crm_odometer_max_km_per_day, company.autorepair_crm_km_per_day_fallback,
                   company.autorepair_crm_km_per_day_min_days) <= 0:
                raise ValidationError(self.env._("Odometer settings must be positive numbers."))

    # ------------------------------------------------------------------ settings

    def _autorepair_setting(self, module, settings, key):
        """The setting ``key`` of an addon whose table of defaults is
        ``settings``: the company's field ``<module>_<key>`` when the company
        has one (a business number), else the system parameter
        ``<module>.<key>`` (a technical knob), typed like its default. The
        company is this one, or the current company for company-less records.

        :raise KeyError: for a key the table does not have
        """
        default = settings[key]
        fname = f"{module}_{key}"
        if fname in self._fields:
            company = self or self.env.company
            company.ensure_one()
            value = company.sudo()[fname]
            # a record (a person, a calendar) comes back with the caller's rights
            return value.sudo(self.env.su) if isinstance(value, models.BaseModel) else value
        return typed_parameter(self.env["ir.config_parameter"].sudo().get_param(f"{module}.{key}"), default)

    def _autorepair_crm_setting(self, key):
        """A setting of the customer file (see ``SETTINGS``)."""
        return self._autorepair_setting("autorepair_crm", SETTINGS, key)
