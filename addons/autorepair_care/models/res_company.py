from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Every number of the care calendar that is not a rule's own, and its default,
# in one table. A key with a company field ``autorepair_care_<key>`` is a
# business number of each company (Settings); any other key is a system
# parameter ``autorepair_care.<key>``.
SETTINGS = {
    # per company: the attempt policy (RULEBOOK §4: 3 calls in 3 days), lost customers, broadcasts
    "attempt_count": 3,
    "attempt_days": 3,
    "lost_min_days": 90,
    "lost_max_days": 360,
    "at_risk_days": 60,
    "broadcast_min_per_month": 3,
    # per company: new-car delivery follow-ups (RULEBOOK §6.7)
    "delivery_call_hours": 24,
    "delivery_check_hours": 72,
    "delivery_callback_days": 2,
    # system parameter: visits within the value-class window that make a customer loyal
    "loyal_visits": 2,
    # system parameters: tasks per committed batch of the daily run, and the most
    # days a run catches up after the server missed some
    "batch_size": 2000,
    "catchup_max_days": 31,
}


class ResCompany(models.Model):
    _inherit = "res.company"

    autorepair_care_attempt_count = fields.Integer(string="Calls Before Fallback", default=SETTINGS["attempt_count"])
    autorepair_care_attempt_days = fields.Integer(string="Within (days)", default=SETTINGS["attempt_days"])
    autorepair_care_lost_min_days = fields.Integer(string="Lost After (days)", default=SETTINGS["lost_min_days"])
    autorepair_care_lost_max_days = fields.Integer(string="Lost Until (days)", default=SETTINGS["lost_max_days"])
    autorepair_care_at_risk_days = fields.Integer(
        string="About to Be Lost After (days)", default=SETTINGS["at_risk_days"])
    autorepair_care_broadcast_min_per_month = fields.Integer(
        string="Broadcasts per Month", default=SETTINGS["broadcast_min_per_month"])
    autorepair_care_delivery_call_hours = fields.Integer(
        string="Consultant's Call Within (hours)", default=SETTINGS["delivery_call_hours"])
    autorepair_care_delivery_check_hours = fields.Integer(
        string="Care Check At (hours)", default=SETTINGS["delivery_check_hours"])
    autorepair_care_delivery_callback_days = fields.Integer(
        string="Dissatisfied Called Back Within (days)", default=SETTINGS["delivery_callback_days"])
    autorepair_care_sales_manager_id = fields.Many2one(
        "res.users", string="Sales Supervisor", ondelete="set null",
        help="Calls dissatisfied new-car customers back; empty: the company's first sales manager.")

    @api.constrains(
        "autorepair_care_attempt_count", "autorepair_care_attempt_days", "autorepair_care_lost_min_days",
        "autorepair_care_lost_max_days", "autorepair_care_at_risk_days", "autorepair_care_broadcast_min_per_month",
        "autorepair_care_delivery_call_hours", "autorepair_care_delivery_check_hours",
        "autorepair_care_delivery_callback_days",
    )
    def _check_autorepair_care(self):
        for company in self:
            if min(company.autorepair_care_attempt_count, company.autorepair_care_attempt_days) < 1:
                raise ValidationError(self.env._(
                    "The calls before the fallback message and their days must be at least 1."))
            if not (0 < company.autorepair_care_at_risk_days < company.autorepair_care_lost_min_days
                    <= company.autorepair_care_lost_max_days):
                raise ValidationError(self.env._(
                    "Customers are about to be lost before they are lost: the days must increase from "
                    "'about to be lost' to 'lost after' to 'lost until'."))
            if company.autorepair_care_broadcast_min_per_month < 0:
                raise ValidationError(self.env._("The monthly number of broadcasts cannot be negative."))
            if not (0 < company.autorepair_care_delivery_call_hours <= company.autorepair_care_delivery_check_hours) \
                    or company.autorepair_care_delivery_callback_days < 1:
                raise ValidationError(self.env._(
                    "The consultant calls after a delivery before the care department checks, and a dissatisfied "
                    "customer is called back within at least a day."))

    def _autorepair_care_setting(self, key):
        """A care setting (see ``SETTINGS``) of this company, or of the current
        one when empty."""
        return self._autorepair_setting("autorepair_care", SETTINGS, key)
