from odoo import http
from odoo.http import request

from ..models.autorepair_service_order import DELIVERED_STATES
from .portal import ServiceOrderPortal


class ServiceHistoryPortal(ServiceOrderPortal):
    """The customer's service history on the portal: his past visits, car by
    car, with their work, parts and amounts, and the work he declined or
    deferred. His own visits only: a car bought second-hand does not show the
    former owner's orders (the staff see the car's whole history)."""

    def _service_history_domain(self):
        return self._service_order_domain() + [("state", "in", DELIVERED_STATES)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_history_count" in counters:
            values["service_history_count"] = request.env["autorepair.service.order"].sudo().search_count(
                self._service_history_domain())
        return values

    @http.route(["/my/service_history"], type="http", auth="user", website=True)
    def portal_my_service_history(self, **kw):
        # the visitor is logged in and the domain is his: read in sudo (portal users have no rights here)
        orders = request.env["autorepair.service.order"].sudo().search(
            self._service_history_domain(), order="delivered_date desc, id desc")
        recommendations = request.env["autorepair.service.order.line"].sudo().search(
            [("order_id", "any", self._service_order_domain()), ("recommendation_state", "=", "open")],
            order="decided_on desc, id desc")
        vehicles = (orders.vehicle_id | recommendations.vehicle_id).sorted("license_plate")
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "service_history",
            "history": [{
                "vehicle": vehicle,
                "orders": orders.filtered(lambda o, v=vehicle: o.vehicle_id == v),
                "recommendations": recommendations.filtered(lambda line, v=vehicle: line.vehicle_id == v),
            } for vehicle in vehicles],
        })
        return request.render("autorepair_workshop.portal_my_service_history", values)
