from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from .autorepair_service_order import ACTIVE_STATES

# the labour lines a walk-in's planned hours count: all but the work the customer refused or put off
NOT_PLANNED = ("declined", "deferred")


class AutorepairServiceOrder(models.Model):
    """The workshop's load (RULEBOOK §3.2): what each order holds of its bay and
    technician, the free slots left by the technicians' working hours, and the
    customer's own booking on the portal (moved or cancelled up to a set number
    of hours before), reminded the day before."""

    _inherit = "autorepair.service.order"

    # The time the order holds its bay and technician, in one place for the advisor's
    # double-booking check, the free slots and the load view: a booking from its start to
    # its end (or the default length); a walk-in from its reception (its creation until
    # then) to the promised time, else for the planned hours of its labour, else the default.
    occupation_start = fields.Datetime(compute="_compute_occupation", store=True, index=True, copy=False)
    occupation_end = fields.Datetime(compute="_compute_occupation", store=True, index=True, copy=False)
    occupation_hours = fields.Float(
        string="Occupied Hours", compute="_compute_occupation", store=True, copy=False, aggregator="sum",
        help="How long the order holds its bay and technician: the booking, or for a walk-in the promised "
             "time, else its planned labour hours, else the default appointment length.")
    appointment_reminded_on = fields.Datetime(
        string="Reminded On", readonly=True, copy=False,
        help="When the customer was reminded of the booking, the day before (again if it is moved).")

    @api.depends("appointment_start", "appointment_end", "received_date", "promised_date", "estimated_hours",
                 "line_ids.line_type", "line_ids.quantity", "line_ids.decision")
    def _compute_occupation(self):
        now = fields.Datetime.now()
        for order in self:
            default = timedelta(hours=order.company_id._autorepair_workshop_setting("appointment_default_hours"))
            if order.appointment_start:
                start = order.appointment_start
                end = order.appointment_end or start + default
            else:
                start = order.received_date or order.create_date or now
                planned = sum(order.line_ids.filtered(
                    lambda line: line.line_type == "labour" and line.decision not in NOT_PLANNED).mapped("quantity"))
                hours = planned or order.estimated_hours
                if order.promised_date and order.promised_date > start:
                    end = order.promised_date
                else:
                    end = start + (timedelta(hours=hours) if hours else default)
            order.occupation_start = start
            order.occupation_end = end
            order.occupation_hours = (end - start).total_seconds() / 3600

    def _occupying_domain(self, start, end, bay_id=None, technician_id=None):
        """The other active orders holding ``bay_id`` or ``technician_id`` (records)
        at some time between ``start`` and ``end``."""
        resources = []
        if bay_id:
            resources.append([("bay_id", "in", bay_id.ids)])
        if technician_id:
            resources.append([("technician_id", "in", technician_id.ids)])
        return [
            ("id", "not in", self.ids),
            ("state", "in", ACTIVE_STATES),
            ("occupation_start", "<", end),
            ("occupation_end", ">", start),
        ] + (["|"] * (len(resources) - 1)) + [leaf for domain in resources for leaf in domain]

    # ------------------------------------------------------------- free slots

    @api.model
    def _autorepair_booking_technicians(self, company, skill=None):
        """The technicians of ``company`` who can be booked: those with the skill, if one is needed."""
        domain = [("share", "=", False), ("company_ids", "in", company.ids),
                  ("groups_id", "in", self.env.ref("autorepair_workshop.group_technician").ids)]
        if skill:
            domain.append(("autorepair_skill_ids", "in", skill.ids))
        return self.env["res.users"].sudo().search(domain, order="id")

    @api.model
    def _autorepair_working_hours(self, company, technicians, date_from, date_to):
        """{technician: [(start, end)]}: when each technician works between the two
        times (naive UTC), by his own working hours (his resource's calendar and time
        off) or else the company's."""
        start = pytz.utc.localize(date_from)
        stop = pytz.utc.localize(date_to)
        hours = {}
        company_intervals = None
        for technician in technicians:
            # his resource in this company (or in all), as HR's employee would have it
            resource = technician.sudo().resource_ids.filtered(
                lambda r, c=company: not r.company_id or r.company_id == c).sorted(lambda r: not r.company_id)[:1]
            if resource.calendar_id:
                intervals = resource.calendar_id._work_intervals_batch(start, stop, resources=resource)[resource.id]
            else:
                if company_intervals is None:
                    company_intervals = company.resource_calendar_id._work_intervals_batch(start, stop)[False]
                intervals = company_intervals
            hours[technician] = [
                (begin.astimezone(pytz.utc).replace(tzinfo=None), end.astimezone(pytz.utc).replace(tzinfo=None))
                for begin, end, _meta in intervals]
        return hours

    @api.model
    def _autorepair_free_slots(self, company, date_from, date_to, need_type=None, skill=None, exclude=None):
        """The times a car can be booked between ``date_from`` and ``date_to`` (naive
        UTC): a technician (with ``skill`` if given) works for the whole booking and
        neither he nor one of the company's bays is held by another order (bookings
        and cars in the workshop alike, ``occupation_*``). ``exclude``: orders whose
        hold does not count (the booking being moved).

        :return: a list, by start, of dicts ``{"start", "end", "bay", "technician"}``,
            one per start time (the first bay and technician free then)
        """
        # every need takes the default length for now: the advisor adjusts it after reception
        company = company.sudo()  # its working hours, read for a portal customer too
        length = timedelta(hours=company._autorepair_workshop_setting("appointment_default_hours"))
        step = timedelta(minutes=company._autorepair_workshop_setting("booking_slot_minutes") or 30)
        date_from = max(date_from, fields.Datetime.now())
        bays = self.env["autorepair.bay"].sudo().search([("company_id", "=", company.id)])
        technicians = self._autorepair_booking_technicians(company, skill)
        if not bays or not technicians or date_from >= date_to:
            return []
        held = defaultdict(list)
        exclude = exclude or self.browse()
        for order in self.sudo().search(exclude._occupying_domain(
                date_from, date_to + length, bay_id=bays, technician_id=technicians)):
            for resource in (order.bay_id, order.technician_id):
                if resource:
                    held[resource].append((order.occupation_start, order.occupation_end))

        def free(resource, begin, end):
            return not any(s < end and e > begin for s, e in held[resource])

        tz = pytz.timezone(company.resource_calendar_id.tz or "Asia/Shanghai")
        slots = {}
        for technician, intervals in self._autorepair_working_hours(
                company, technicians, date_from, date_to + length).items():
            for work_start, work_end in intervals:
                # start times on the step from the local midnight: 08:00, 08:30, ...
                local = pytz.utc.localize(work_start).astimezone(tz)
                midnight = tz.localize(datetime.combine(local.date(), time())).astimezone(pytz.utc).replace(tzinfo=None)
                begin = midnight + step * -(-(work_start - midnight) // step)
                while begin + length <= work_end:
                    if date_from <= begin < date_to and begin not in slots and free(technician, begin, begin + length):
                        bay = next((bay for bay in bays if free(bay, begin, begin + length)), None)
                        if bay:
                            slots[begin] = {"start": begin, "end": begin + length, "bay": bay,
                                            "technician": technician}
                    begin += step
        return [slots[start] for start in sorted(slots)]

    # --------------------------------------------------------- portal booking

    @api.model
    def _autorepair_portal_book(self, partner, vehicle, need_type, start, requested_work=None):
        """The customer's booking from the portal, as the advisor's own: a booked order
        holding the bay and technician of a slot still free (in sudo: the caller
        checked the vehicle is his). Confirmed by his channel like any booking."""
        company = self.env.company
        slot = self._autorepair_slot_at(company, start)
        advisor = self.sudo().search([("vehicle_id", "=", vehicle.id), ("advisor_id.share", "=", False),
                                      ("company_id", "=", company.id)], limit=1).advisor_id
        # the customer books himself: he is the author, and still gets the confirmation
        return self.sudo().with_context(mail_notify_author=True).create({
            "company_id": company.id,
            "partner_id": partner.id,
            "vehicle_id": vehicle.id,
            "need_type": need_type,
            "source": "portal",
            "requested_work": requested_work or False,
            "appointment_start": slot["start"],
            "appointment_end": slot["end"],
            "bay_id": slot["bay"].id,
            "technician_id": slot["technician"].id,
            "advisor_id": advisor.id,
        })

    def _autorepair_slot_at(self, company, start):
        """The free slot starting at ``start``, or a UserError: another customer took it meanwhile."""
        # two customers booking the same time: the second waits here, then sees the first's booking
        self.env.cr.execute("SELECT id FROM autorepair_bay WHERE company_id = %s FOR UPDATE", [company.id])
        slot = next((slot for slot in self._autorepair_free_slots(
            company, start, start + timedelta(minutes=1), exclude=self) if slot["start"] == start), None)
        if not slot:
            raise UserError(self.env._("This time is no longer free: please choose another one."))
        return slot

    def _autorepair_check_portal_change(self):
        """A booking is moved or cancelled online up to the company's number of hours
        before it; after that, the customer calls the shop."""
        for order in self:
            if order.state != "draft" or not order.appointment_start:
                raise UserError(self.env._(
                    "%(order)s is no longer a booking: please call %(shop)s on %(phone)s.",
                    order=order.name, shop=order.company_id.name, phone=order.company_id.phone or ""))
            hours = order.company_id._autorepair_workshop_setting("portal_booking_change_hours")
            if order.appointment_start - fields.Datetime.now() < timedelta(hours=hours):
                raise UserError(self.env._(
                    "Your appointment is less than %(hours)s hours away: it can no longer be changed online. "
                    "Please call %(shop)s on %(phone)s.",
                    hours=f"{hours:g}", shop=order.company_id.name, phone=order.company_id.phone or ""))

    def _autorepair_portal_move(self, start):
        """The customer moves his booking to the free slot at ``start`` (sudo, his order)."""
        self.ensure_one()
        self._autorepair_check_portal_change()
        slot = self.with_company(self.company_id)._autorepair_slot_at(self.company_id, start)
        self.sudo().with_context(mail_notify_author=True).write({
            "appointment_start": slot["start"], "appointment_end": slot["end"],
            "bay_id": slot["bay"].id, "technician_id": slot["technician"].id,
        })

    def _autorepair_portal_cancel(self):
        """The customer cancels his booking (sudo, his order): the bay and technician are free again."""
        self._autorepair_check_portal_change()
        self.sudo()._transition("cancel")
        for order in self:
            order.sudo().message_post(body=self.env._("Cancelled by the customer on the portal."),
                                      subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------- reminder

    @api.model
    def _cron_appointment_reminder(self):
        """The day before a booking, the customer is reminded of it (once; again if it is moved)."""
        now = fields.Datetime.now()
        orders = self.sudo().search([
            ("state", "=", "draft"), ("appointment_start", ">", now),
            ("appointment_start", "<", now + timedelta(days=2)), ("appointment_reminded_on", "=", False)])
        for order in orders:
            partner = order.partner_id
            local = order._autorepair_notice_tz(partner)
            tomorrow = fields.Datetime.context_timestamp(local, now).date() + timedelta(days=1)
            if fields.Datetime.context_timestamp(local, order.appointment_start).date() != tomorrow:
                continue
            values = order._autorepair_channel_values(partner)
            # marked first: a notice that fails is told in the chatter, never sent twice
            order.appointment_reminded_on = now
            order._autorepair_notify("appointment_reminder", self.env._(
                "%(shop)s: a reminder of your appointment for %(plate)s tomorrow, %(date)s at %(time)s. "
                "To change it, please call %(phone)s.", shop=order.company_id.name,
                plate=values["plate"] or order.name, date=values["date"], time=values["time"],
                phone=order.company_id.phone or ""), values)
