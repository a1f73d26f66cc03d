from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.autorepair_workshop.models.autorepair_service_order import DELIVERED_STATES
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class ComplaintPortal(CustomerPortal):
    """Logged-in customers file a complaint and follow it on the portal."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "complaint_count" in counters:
            values["complaint_count"] = request.env["autorepair.complaint"].sudo().search_count(
                self._complaint_domain())
        return values

    def _complaint_domain(self):
        partner = request.env.user.partner_id
        return [("partner_id", "child_of", partner.commercial_partner_id.id)]

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_complaints(self, page=1, **kw):
        Complaint = request.env["autorepair.complaint"].sudo()
        domain = self._complaint_domain()
        pager = portal_pager(url="/my/complaints", total=Complaint.search_count(domain), page=page,
                             step=self._items_per_page)
        complaints = Complaint.search(domain, limit=self._items_per_page, offset=pager["offset"])
        return request.render("autorepair_complaint.portal_my_complaints", {
            "complaints": complaints, "pager": pager, "page_name": "complaint", "default_url": "/my/complaints",
        })

    @http.route("/my/complaints/new", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_new_complaint(self, **post):
        partner = request.env.user.partner_id.commercial_partner_id
        vehicles = request.env["fleet.vehicle"].sudo().search([("owner_id", "child_of", partner.id)])
        orders = request.env["autorepair.service.order"].sudo().search(
            [("partner_id", "child_of", partner.id), ("state", "in", DELIVERED_STATES)], limit=20)
        error = None
        if request.httprequest.method == "POST":
            subject = (post.get("subject") or "").strip()
            description = (post.get("description") or "").strip()
            vehicle = vehicles.filtered(lambda v: str(v.id) == post.get("vehicle_id"))
            order = orders.filtered(lambda o: str(o.id) == post.get("service_order_id"))
            if not subject or not description:
                error = request.env._("Please say what happened, with a short title.")
            else:
                complaint = request.env["autorepair.complaint"].sudo().create({
                    "subject": subject,
                    "description": description,
                    "partner_id": partner.id,
                    "vehicle_id": vehicle.id or order.vehicle_id.id or False,
                    "service_order_id": order.id or False,
                    "channel": "portal",
                    "company_id": (order or vehicle).company_id.id or request.env.company.id,
                    "user_id": partner.care_agent_id.id or False,
                })
                return request.redirect(complaint.get_portal_url())
        return request.render("autorepair_complaint.portal_new_complaint", {
            "vehicles": vehicles, "orders": orders, "error": error, "post": post, "page_name": "complaint",
        })

    @http.route("/my/complaints/<int:complaint_id>", type="http", auth="public", website=True)
    def portal_complaint_page(self, complaint_id, access_token=None, **kw):
        try:
            complaint = self._document_check_access("autorepair.complaint", complaint_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(complaint, access_token, {"complaint": complaint, "page_name": "complaint"},
                                            "my_complaints_history", False)
        return request.render("autorepair_complaint.portal_complaint_page", values)
