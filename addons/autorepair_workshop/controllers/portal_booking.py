from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

import pytz
from werkzeug.exceptions import Forbidden

from odoo import _, fields, http
from odoo.exceptions import UserError
from odoo.http import request

from .portal_history import ServiceHistoryPortal

# the days a customer can book ahead on the portal
BOOKING_DAYS = 14


class ServiceBookingPortal(ServiceHistoryPortal):
    """The customer books a service on the portal (RULEBOOK §3.2): his car, the
    need, a free time of the workshop; then moves or cancels it up to the
    company's number of hours before. Pages of a few taps, read on a phone.
    The visitor is logged in; every route checks the car or the booking is his,
    then works in sudo (portal users have no rights on the workshop's models)."""

    def _booking_vehicles(self):
        return request.env["fleet.vehicle"].sudo().search(
            [("owner_id", "child_of", request.env.user.commercial_partner_id.id)], order="license_plate")

    def _booking_order(self, order_id):
        """The visitor's own booking, in sudo; another's is refused (403)."""
        order_sudo = request.env["autorepair.service.order"].sudo().browse(order_id).exists()
        if not order_sudo or order_sudo.partner_id.commercial_partner_id != request.env.user.commercial_partner_id:
            raise Forbidden()
        return order_sudo

    def _booking_tz(self, company):
        return pytz.timezone(company.sudo().resource_calendar_id.tz or request.env.user.tz or "Asia/Shanghai")

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "booking_vehicle_count" in counters:
            values["booking_vehicle_count"] = len(self._booking_vehicles())
        return values

    def _booking_values(self, vehicle=None, need_type=None, day=None, order=None, error=None):
        """The picker: the customer's cars, the needs, the next days and the free times of the chosen day."""
        company = order.company_id if order else request.env.company
        tz = self._booking_tz(company)
        today = datetime.now(tz).date()
        try:
            day = date.fromisoformat(day) if day else today + timedelta(days=1)
        except ValueError:
            day = today + timedelta(days=1)
        day = min(max(day, today), today + timedelta(days=BOOKING_DAYS))
        day_start = tz.localize(datetime.combine(day, time())).astimezone(pytz.utc).replace(tzinfo=None)
        Order = request.env["autorepair.service.order"].sudo().with_company(company)
        slots = Order._autorepair_free_slots(
            company, day_start, day_start + timedelta(days=1), need_type=need_type, exclude=order)
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "service_booking",
            "booking_order": order,
            "vehicles": self._booking_vehicles(),
            "vehicle": vehicle,
            "needs": Order._fields["need_type"]._description_selection(request.env),
            "need_type": need_type or "periodic_maintenance",
            "days": [(one_day, self._booking_day_url(one_day, vehicle, need_type, order))
                     for one_day in (today + timedelta(days=i) for i in range(BOOKING_DAYS + 1))],
            "day": day,
            "slots": [(fields.Datetime.to_string(slot["start"]),
                       pytz.utc.localize(slot["start"]).astimezone(tz).strftime("%H:%M")) for slot in slots],
            "error": error,
            "shop_phone": company.phone,
        })
        return values

    def _booking_day_url(self, day, vehicle, need_type, order):
        if order:
            return f"/my/booking/{order.id}/move?" + urlencode({"day": day.isoformat()})
        return "/my/booking?" + urlencode({"day": day.isoformat(), "vehicle_id": vehicle.id or "",
                                           "need_type": need_type or ""})

    @http.route(["/my/booking"], type="http", auth="user", website=True)
    def portal_booking(self, vehicle_id=None, need_type=None, day=None, **kw):
        vehicles = self._booking_vehicles()
        vehicle = vehicles.filtered(lambda v: str(v.id) == str(vehicle_id))[:1] or vehicles[:1]
        return request.render("autorepair_workshop.portal_booking",
                              self._booking_values(vehicle, need_type, day))

    @http.route(["/my/booking/confirm"], type="http", auth="user", website=True, methods=["POST"])
    def portal_booking_confirm(self, vehicle_id=None, need_type=None, start=None, requested_work=None, **kw):
        vehicle = self._booking_vehicles().filtered(lambda v: str(v.id) == str(vehicle_id))
        if not vehicle:
            raise Forbidden()
        needs = dict(request.env["autorepair.service.order"]._fields["need_type"]._description_selection(request.env))
        if need_type not in needs:
            need_type = "repair"
        try:
            with request.env.cr.savepoint():
                order_sudo = request.env["autorepair.service.order"].sudo()._autorepair_portal_book(
                    request.env.user.partner_id, vehicle, need_type, fields.Datetime.to_datetime(start),
                    (requested_work or "").strip()[:500])
        except (UserError, ValueError, TypeError) as error:
            message = error.args[0] if isinstance(error, UserError) else _("Please choose a time.")
            day = kw.get("day")
            return request.render("autorepair_workshop.portal_booking",
                                  self._booking_values(vehicle, need_type, day, error=message))
        return request.redirect(order_sudo.get_portal_url(query_string="&message=booked"))

    @http.route(["/my/booking/<int:order_id>/move"], type="http", auth="user", website=True)
    def portal_booking_move(self, order_id, day=None, start=None, **kw):
        order_sudo = self._booking_order(order_id)
        error = None
        try:
            order_sudo._autorepair_check_portal_change()
        except UserError as exc:
            error = exc.args[0]
        if start and not error and request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    order_sudo._autorepair_portal_move(fields.Datetime.to_datetime(start))
            except (UserError, ValueError, TypeError) as exc:
                error = exc.args[0] if isinstance(exc, UserError) else _("Please choose a time.")
            else:
                return request.redirect(order_sudo.get_portal_url(query_string="&message=moved"))
        day = day or (order_sudo.appointment_start and fields.Datetime.context_timestamp(
            order_sudo.with_context(tz=self._booking_tz(order_sudo.company_id).zone),
            order_sudo.appointment_start).date().isoformat())
        return request.render("autorepair_workshop.portal_booking", self._booking_values(
            order_sudo.vehicle_id, order_sudo.need_type, day, order=order_sudo, error=error))

    @http.route(["/my/booking/<int:order_id>/cancel"], type="http", auth="user", website=True, methods=["POST"])
    def portal_booking_cancel(self, order_id, **kw):
        order_sudo = self._booking_order(order_id)
        try:
            with request.env.cr.savepoint():
                order_sudo._autorepair_portal_cancel()
        except UserError as exc:
            return request.render("autorepair_workshop.portal_booking", self._booking_values(
                order_sudo.vehicle_id, order_sudo.need_type, None, order=order_sudo, error=exc.args[0]))
        return request.redirect(order_sudo.get_portal_url(query_string="&message=cancelled"))
