import logging

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

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
    "points_redeem_per_yuan": 100,  # points a customer redeems for one yuan off
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
    autorepair_crm_points_redeem_per_yuan = fields.Integer(
        string="Points Redeemed per Yuan", default=SETTINGS["points_redeem_per_yuan"],
        help="How many points a customer gives for one yuan off at settlement (also the least he redeems).")
    autorepair_points_program_id = fields.Many2one(
        "loyalty.program", string="Points Program", readonly=True, copy=False, ondelete="restrict",
        help="The company's member points program (Odoo loyalty): one points card per customer.")
    autorepair_crm_retention_years = fields.Integer(
        string="Anonymise Customers Absent For (years)", default=SETTINGS["retention_years"],
        help="Customers with no visit, order, invoice or contact for this many years are anonymised "
        "by the nightly retention run; invoices and repair records stay. 0 keeps them for ever.")

    # --------------------------------------------------------------- constraints

    @api.constrains("autorepair_crm_points_per_yuan", "autorepair_crm_points_redeem_per_yuan")
    def _check_autorepair_crm_points(self):
        if any(company.autorepair_crm_points_per_yuan < 0 for company in self):
            raise ValidationError(self.env._("Loyalty points per yuan cannot be negative."))
        if any(company.autorepair_crm_points_redeem_per_yuan <= 0 for company in self):
            raise ValidationError(self.env._("The points redeemed per yuan must be a positive number."))

    def write(self, vals):
        result = super().write(vals)
        if {"autorepair_crm_points_per_yuan", "autorepair_crm_points_redeem_per_yuan"} & vals.keys():
            for company in self.sudo().filtered("autorepair_points_program_id"):
                company._autorepair_sync_points_program()
        return result

    # ------------------------------------------------------------ points program

    def _autorepair_points_rates(self):
        self.ensure_one()
        setting = self._autorepair_crm_setting
        return {
            "rule": {"reward_point_mode": "money", "reward_point_amount": setting("points_per_yuan"),
                     "minimum_qty": 0, "minimum_amount": 0},
            "reward": {"reward_type": "discount", "discount_mode": "per_point",
                       "discount": 1.0 / self._autorepair_crm_setting("points_redeem_per_yuan"),
                       "required_points": self._autorepair_crm_setting("points_redeem_per_yuan"),
                       "discount_applicability": "order"},
        }

    def _autorepair_points_program(self):
        """The company's member points program (an Odoo loyalty program of
        type loyalty), created on first use. Its rule says how many points a
        yuan paid earns; its first reward (``reward_ids[:1]``) is what the
        points buy at settlement (a discount per point, from the company's
        settings). As the system: the program is the company's terms."""
        self.ensure_one()
        company = self.sudo()
        if company.autorepair_points_program_id:
            return company.autorepair_points_program_id
        # two desks asking at once create one program
        self.env.cr.execute(SQL("SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE", company.id))
        company.invalidate_recordset(["autorepair_points_program_id"])
        if not company.autorepair_points_program_id:
            rates = company._autorepair_points_rates()
            program = self.env["loyalty.program"].sudo().with_company(company).create({
                "name": self.env._("Member Points"),
                "program_type": "loyalty",
                "company_id": company.id,
                "applies_on": "both",
                "trigger": "auto",
                "portal_visible": True,
                "portal_point_name": self.env._("Points"),
                "rule_ids": [Command.create(rates["rule"])],
                "reward_ids": [Command.create({**rates["reward"], "description": self.env._("Points Discount")})],
            })
            company.autorepair_points_program_id = program
            company._autorepair_translate_points_program()
        return company.autorepair_points_program_id

    def _autorepair_translate_points_program(self):
        """The program's names in every installed language: created in the
        caller's language (the installer's is English), a Chinese desk would
        otherwise read 'Member Points'."""
        program = self.sudo().autorepair_points_program_id
        for code, __ in self.env["res.lang"].get_installed():
            translated = self.with_context(lang=code).env
            program.with_context(lang=code).write({
                "name": translated._("Member Points"),
                "portal_point_name": translated._("Points"),
            })
            program.reward_ids[:1].with_context(lang=code).description = translated._("Points Discount")

    def _autorepair_sync_points_program(self):
        """The program's rule and reward follow the company's settings."""
        self.ensure_one()
        program = self.sudo().autorepair_points_program_id
        rates = self._autorepair_points_rates()
        program.rule_ids[:1].write(rates["rule"])
        program.reward_ids[:1].write(rates["reward"])

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
