from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

# Every complaint setting and its default, in one table. A key with a company
# field ``autorepair_complaint_<key>`` is a business number of each company
# (Settings); any other key would be a system parameter ``autorepair_complaint.<key>``.
SETTINGS = {
    # per company: the deadlines of RULEBOOK §7 and who is alerted when they are missed
    "response_hours": 2.0,
    "calendar_id": False,
    "service_manager_id": False,
    "general_manager_id": False,
    "second_escalation_hours": 4.0,
    "closure_days": 14,
    # per company: a compensation above this amount waits for a service manager's approval
    "compensation_approval_amount": 500.0,
    # per company: tickets one sender may open through the complaints alias in an hour
    "alias_rate_limit": 3,
}


class ResCompany(models.Model):
    _inherit = "res.company"

    autorepair_complaint_response_hours = fields.Float(
        string="First Response Within (working hours)", default=SETTINGS["response_hours"])
    autorepair_complaint_calendar_id = fields.Many2one(
        "resource.calendar", string="Shop Working Hours", ondelete="set null", default=SETTINGS["calendar_id"],
        help="Deadlines count these hours; the company's working hours when empty. The dealer's opening hours "
        "(08:30-18:00, every day, China time) at installation.",
    )
    autorepair_complaint_service_manager_id = fields.Many2one(
        "res.users", string="First Escalation To", ondelete="set null", domain=[("share", "=", False)],
        default=SETTINGS["service_manager_id"],
    )
    autorepair_complaint_general_manager_id = fields.Many2one(
        "res.users", string="Second Escalation To", ondelete="set null", domain=[("share", "=", False)],
        default=SETTINGS["general_manager_id"],
    )
    autorepair_complaint_second_escalation_hours = fields.Float(
        string="Second Escalation After (working hours)", default=SETTINGS["second_escalation_hours"])
    autorepair_complaint_closure_days = fields.Integer(
        string="Closure Window (days)", default=SETTINGS["closure_days"])
    autorepair_complaint_compensation_approval_amount = fields.Float(
        string="Compensation Approval Above", default=SETTINGS["compensation_approval_amount"],
        help="A compensation (credit note or free work) worth more than this waits for a service manager's "
        "approval; at or below it, the proposer applies it on his own right.",
    )
    autorepair_complaint_alias_rate_limit = fields.Integer(
        string="E-mail Complaints per Sender and Hour", default=SETTINGS["alias_rate_limit"],
        help="Beyond this many tickets from one sender within an hour, the complaints alias "
        "turns no further e-mail of that sender into a ticket.",
    )

    @api.constrains("autorepair_complaint_response_hours", "autorepair_complaint_second_escalation_hours",
                    "autorepair_complaint_closure_days", "autorepair_complaint_compensation_approval_amount")
    def _check_autorepair_complaint(self):
        for company in self:
            if min(company.autorepair_complaint_response_hours, company.autorepair_complaint_second_escalation_hours,
                   company.autorepair_complaint_closure_days) <= 0:
                raise ValidationError(self.env._("Complaint deadlines must be positive."))
            if company.autorepair_complaint_compensation_approval_amount < 0:
                raise ValidationError(self.env._("The compensation approval amount cannot be negative."))

    @api.constrains("autorepair_complaint_alias_rate_limit")
    def _check_autorepair_complaint_alias_rate_limit(self):
        if any(company.autorepair_complaint_alias_rate_limit < 1 for company in self):
            raise ValidationError(self.env._("At least one e-mail complaint per sender and hour is accepted."))

    @api.model
    def _autorepair_complaint_init_calendar(self):
        """At installation: the companies without complaint hours count their
        deadlines in the dealer's opening hours, not in Odoo's default
        calendar (Monday to Friday, in the installer's time zone)."""
        dealer = self.env.ref("autorepair_complaint.resource_calendar_dealer", raise_if_not_found=False)
        if dealer:
            self.search([("autorepair_complaint_calendar_id", "=", False)]).autorepair_complaint_calendar_id = dealer

    def _prepare_resource_calendar_values(self):
        """A new dealer's working hours: a copy of the dealer's opening hours
        (every day, China time), its own to change."""
        values = super()._prepare_resource_calendar_values()
        dealer = self.env.ref("autorepair_complaint.resource_calendar_dealer", raise_if_not_found=False)
        if dealer:
            values.update(
                name=dealer.name,
                tz=dealer.tz,
                attendance_ids=[Command.create({
                    "name": attendance.name, "dayofweek": attendance.dayofweek, "day_period": attendance.day_period,
                    "hour_from": attendance.hour_from, "hour_to": attendance.hour_to,
                }) for attendance in dealer.attendance_ids],
            )
        return values

    def _autorepair_complaint_setting(self, key):
        """A complaint setting (see ``SETTINGS``) of this company, or of the
        current one when empty."""
        return self._autorepair_setting("autorepair_complaint", SETTINGS, key)
