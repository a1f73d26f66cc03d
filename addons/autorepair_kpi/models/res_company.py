from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Every setting of the monthly figures and its default, in one table. A key
# with a company field ``autorepair_kpi_<key>`` is a business number of each
# company (Settings); any other key would be a system parameter ``autorepair_kpi.<key>``.
SETTINGS = {
    # per company: RULEBOOK §5 (churn over 6 months, two-week complaint closure)
    # and the day the month's improvement plan is due
    "churn_months": 6,
    "complaint_open_days": 14,
    "plan_deadline_day": 5,
    # RULEBOOK §5: the month's figures, the lost-customer list among them, are handed in by the 1st
    "lost_list_deadline_day": 1,
}


class ResCompany(models.Model):
    _inherit = "res.company"

    autorepair_kpi_churn_months = fields.Integer(
        string="Churn Window", default=SETTINGS["churn_months"],
        help="A customer served in a month who does not come back within this many months is lost.")
    autorepair_kpi_complaint_open_days = fields.Integer(
        string="Complaint Closure Days", default=SETTINGS["complaint_open_days"],
        help="A complaint open longer than this counts against the closure rate.")
    autorepair_kpi_plan_deadline_day = fields.Integer(
        string="Improvement Plan Due", default=SETTINGS["plan_deadline_day"],
        help="Day of the month by which the month's improvement plan is submitted; later, it counts as late.")
    autorepair_kpi_lost_list_deadline_day = fields.Integer(
        string="Lost-Customer List Due", default=SETTINGS["lost_list_deadline_day"],
        help="Day of the next month by which the month's lost-customer list is handed in; later, it counts as "
        "late for the agents with customers on it.")

    @api.constrains("autorepair_kpi_churn_months", "autorepair_kpi_complaint_open_days",
                    "autorepair_kpi_plan_deadline_day", "autorepair_kpi_lost_list_deadline_day")
    def _check_autorepair_kpi(self):
        for company in self:
            if not 1 <= company.autorepair_kpi_plan_deadline_day <= 28:
                raise ValidationError(self.env._("The improvement plan is due on a day from 1 to 28."))
            if not 1 <= company.autorepair_kpi_lost_list_deadline_day <= 28:
                raise ValidationError(self.env._("The lost-customer list is due on a day from 1 to 28."))
            if min(company.autorepair_kpi_churn_months, company.autorepair_kpi_complaint_open_days) < 1:
                raise ValidationError(self.env._(
                    "The churn window and the complaint closure days must be at least 1."))

    def _autorepair_kpi_setting(self, key):
        """A setting of the monthly figures (see ``SETTINGS``) of this company,
        or of the current one when empty."""
        return self._autorepair_setting("autorepair_kpi", SETTINGS, key)
