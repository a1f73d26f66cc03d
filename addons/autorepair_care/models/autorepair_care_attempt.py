import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .autorepair_care_task import NO_RETURN_REASONS

OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("wrong_number", "Wrong Number"),
    ("refused", "Refused"),
    ("booked", "Booked"),
    ("serviced_elsewhere", "Serviced Elsewhere"),
]


class AutorepairCareAttempt(models.Model):
    """One contact attempt of a care task and its outcome. Logging it moves
    the task on (attempt policy, booking, correction list)."""

    _name = "autorepair.care.attempt"
    _autorepair_personal_fields = ("note", "other_shop_name", "other_shop_place")
    _description = "Care Contact Attempt"
    _order = "date desc, id desc"
    _check_company_auto = True

    task_id = fields.Many2one(
        "autorepair.care.task", string="Task", required=True, index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(related="task_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="task_id.currency_id")
    rule_id = fields.Many2one(related="task_id.rule_id", store=True, index=True)
    partner_id = fields.Many2one(related="task_id.partner_id", store=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Agent", required=True, default=lambda self: self.env.user, index=True,
        ondelete="restrict")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    channel = fields.Selection(
        [("phone", "Phone Call"), ("sms", "SMS"), ("email", "Email"), ("wechat", "WeChat")],
        default="phone", required=True)
    slot_id = fields.Many2one(
        "autorepair.time.slot", string="Time Slot", compute="_compute_slot_id", store=True, ondelete="set null",
        help="The contact time slot the call was made in, in the agent's time zone.")
    outcome = fields.Selection(OUTCOMES, required=True)
    note = fields.Text(string="Notes")
    vehicle_id = fields.Many2one(
        "fleet.vehicle", string="Vehicle", ondelete="set null",
        compute="_compute_vehicle_id", store=True, readonly=False, precompute=True,
        domain="[('owner_id', '=', partner_id)]")
    appointment_start = fields.Datetime(
        string="Appointment", compute="_compute_appointment_start", store=True, readonly=False, precompute=True)
    no_return_reason = fields.Selection(NO_RETURN_REASONS, string="Reason")
    other_shop_name = fields.Char(string="Other Shop")
    other_shop_place = fields.Char(string="Other Shop's Place")
    other_shop_price = fields.Monetary(string="Other Shop's Price")

    # ------------------------------------------------------------------ computes

    @api.depends("date", "user_id", "channel")
    def _compute_slot_id(self):
        slots = self.env["autorepair.time.slot"].sudo().search([])
        for attempt in self:
            local = attempt._local_datetime()
            hour = local.hour + local.minute / 60
            attempt.slot_id = slots.filtered(lambda s, h=hour: s.hour_from <= h < s.hour_to)[:1] \
                if attempt.channel == "phone" else False

    @api.depends("task_id")
    def _compute_vehicle_id(self):
        for attempt in self:
            task = attempt.task_id
            attempt.vehicle_id = task.vehicle_id or task.partner_id.autorepair_vehicle_ids[:1]

    @api.depends("outcome")
    def _compute_appointment_start(self):
        """A booking proposes tomorrow at the start of the customer's
        preferred time (9:00 without one); the agent changes it as agreed."""
        for attempt in self:
            if attempt.outcome != "booked" or attempt.appointment_start:
                continue
            local = attempt._local_datetime()
            hour = attempt.task_id.partner_id.preferred_slot_id.hour_from or 9.0
            start = (local + datetime.timedelta(days=1)).replace(
                hour=int(hour), minute=round(hour % 1 * 60), second=0, microsecond=0)
            attempt.appointment_start = start.astimezone(pytz.utc).replace(tzinfo=None)

    def _local_datetime(self):
        self.ensure_one()
        tz = pytz.timezone(self.user_id.tz or self.env["autorepair.care.rule"]._care_tz())
        return pytz.utc.localize(self.date or fields.Datetime.now()).astimezone(tz)

    def _local_date(self):
        return self._local_datetime().date()

    def _outcome_label(self):
        self.ensure_one()
        label = dict(self._fields["outcome"]._description_selection(self.env))[self.outcome]
        return f"{label}: {self.note}" if self.note else label

    # --------------------------------------------------------------- constraints

    @api.constrains("outcome", "appointment_start", "no_return_reason", "other_shop_name")
    def _check_outcome_details(self):
        for attempt in self:
            if attempt.outcome == "booked" and not attempt.appointment_start:
                raise ValidationError(self.env._("Give the date and time of the appointment booked."))
            if attempt.outcome == "refused" and not attempt.no_return_reason:
                raise ValidationError(self.env._("Record why the customer does not want to come."))
            if attempt.outcome == "serviced_elsewhere" and not attempt.other_shop_name:
                raise ValidationError(self.env._("Record the name of the shop the customer went to."))

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        attempts = super().create(vals_list)
        for attempt in attempts:
            attempt.task_id._check_can_attempt()
            attempt.task_id._apply_attempt(attempt)
        return attempts
