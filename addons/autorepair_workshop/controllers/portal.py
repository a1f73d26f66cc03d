from urllib.parse import urlencode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.autorepair_service_order_line import APPROVED, DECISIONS


class PortalLinkExpired(AccessError):
    """A portal link that does not, or no longer, open its document."""


# what the customer may answer on a line of a quote
PORTAL_DECISIONS = {code for code, _label in DECISIONS if code != "pending"}
DECISION_PREFIX = "decision_"


class ServiceOrderPortal(CustomerPortal):
    """The customer follows his service orders and decides each quote line,
    signing on the portal. Portal users get no access rights on the workshop's
    models: every route checks the visitor first, then works in sudo."""

    # ------------------------------------------------------------------ access

    def _service_order_domain(self):
        return [("partner_id", "child_of", request.env.user.commercial_partner_id.id)]

    def _service_order_check_access(self, order_id, access_token=None):
        """The order in sudo if the visitor may see it: staff by their access
        rights, the customer logged in, or whoever holds the order's valid link.

        :raise PortalLinkExpired: a link was given that does not, or no longer, open the order
        :raise AccessError: no link and not the customer's
        """
        order = request.env["autorepair.service.order"].browse(order_id)
        order_sudo = order.sudo().exists()
        if not order_sudo:
            raise MissingError(_("This document does not exist."))
        user = request.env.user
        if not user._is_public() and user._is_internal() and order.has_access("read"):
            return order_sudo
        if not user._is_public() and user.commercial_partner_id == order_sudo.partner_id.commercial_partner_id:
            return order_sudo
        if order_sudo._portal_token_valid(access_token):
            return order_sudo
        if access_token:
            raise PortalLinkExpired(_("This link has expired or is no longer valid."))
        raise AccessError(_("This service order is not yours."))

    def _service_order_customer_access(self, order_sudo, access_token=None):
        """True when the visitor is the order's customer: his portal user, or
        whoever holds the order's valid link outside a staff session. Staff
        record a customer's decision at the desk, with his signature, never here."""
        user = request.env.user
        if not user._is_public() and user._is_internal():
            return False
        if not user._is_public() and user.commercial_partner_id == order_sudo.partner_id.commercial_partner_id:
            return True
        return order_sudo._portal_token_valid(access_token)

    def _service_order_link_expired(self):
        """A friendly page for a link that no longer opens the order: it shows
        nothing of the order, and says how to see it."""
        return request.render("autorepair_workshop.portal_service_order_link_expired", {
            "page_name": "service_order",
        }, status=403)

    def _service_order_decision_allowed(self, order_id, access_token):
        """Whether one more decision may be tried: at most the configured number
        per link (or customer) and per network address within the window,
        counted in the database so that every web worker sees the same count."""
        company = request.env.company
        limit = company._autorepair_workshop_setting("portal_decision_attempts")
        window = company._autorepair_workshop_setting("portal_decision_window_minutes")
        user = request.env.user
        holder = f"user:{user.id}" if not user._is_public() else f"order:{order_id}:token:{access_token or ''}"
        return request.env["autorepair.portal.attempt"].sudo()._allow_attempt(
            "quote_decision", [holder, f"ip:{request.httprequest.remote_addr}"], limit, window)

    # -------------------------------------------------------------- home, list

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        Order = request.env["autorepair.service.order"].sudo()
        if "service_order_count" in counters:
            values["service_order_count"] = Order.search_count(self._service_order_domain())
        if "service_quote_count" in counters:
            values["service_quote_count"] = Order.search_count(
                self._service_order_domain() + [("quote_ids.state", "=", "sent")])
        return values

    def _get_service_order_searchbar_sortings(self):
        return {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": _("Order Number"), "order": "name desc"},
        }

    @http.route(["/my/service_orders", "/my/service_orders/page/<int:page>"], type="http", auth="user",
                website=True)
    def portal_my_service_orders(self, page=1, sortby=None, **kw):
        Order = request.env["autorepair.service.order"].sudo()
        domain = self._service_order_domain()
        searchbar_sortings = self._get_service_order_searchbar_sortings()
        if sortby not in searchbar_sortings:
            sortby = "date"
        pager = portal_pager(
            url="/my/service_orders",
            total=Order.search_count(domain),
            page=page,
            step=self._items_per_page,
            url_args={"sortby": sortby},
        )
        orders = Order.search(domain, order=searchbar_sortings[sortby]["order"], limit=self._items_per_page,
                              offset=pager["offset"])
        request.session["my_service_orders_history"] = orders.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({
            "orders": orders,
            "page_name": "service_order",
            "pager": pager,
            "default_url": "/my/service_orders",
            "searchbar_sortings": searchbar_sortings,
            "sortby": sortby,
        })
        return request.render("autorepair_workshop.portal_my_service_orders", values)

    # -------------------------------------------------------------- order page

    @http.route(["/my/service_orders/<int:order_id>"], type="http", auth="public", website=True)
    def portal_service_order_page(self, order_id, access_token=None, message=None, **kw):
        try:
            order_sudo = self._service_order_check_access(order_id, access_token)
        except PortalLinkExpired:
            return self._service_order_link_expired()
        except (AccessError, MissingError):
            return request.redirect("/my")
        quote_sudo = order_sudo.quote_ids.filtered(lambda quote: quote.state == "sent")[:1]
        # the advisor's preview (the customer link's "Preview"): the page as the customer sees it,
        # its decision form shown but disabled; staff record a decision at the desk, never here
        preview = bool(kw.get("preview")) and request.env.user._is_internal()
        if not preview and not self._service_order_customer_access(order_sudo, access_token):
            quote_sudo = quote_sudo.browse()  # staff see the quote among the others, without the decision form
        chosen = {line.id: None if preview else kw.get(f"{DECISION_PREFIX}{line.id}") for line in quote_sudo.line_ids}
        decisions = decision_amounts = decision_error = call_url = None
        # a first submit of the choices shows them back for review, with the signature pad
        if any(chosen.values()):
            try:
                decisions = self._service_order_decisions(quote_sudo, kw)
            except UserError as error:
                decision_error = error.args[0]
            else:
                decision_amounts = {line.id: self._service_decision_amount(line, decisions[line.id])
                                    for line in quote_sudo.line_ids}
                call_url = order_sudo.get_portal_url(suffix="/decide", query_string="&" + urlencode({
                    f"{DECISION_PREFIX}{line_id}": decision for line_id, decision in decisions.items()}))
        # the workshop steps, in their order, make the progress bar
        # (a car is released settled: "delivered" is only the step of orders of earlier versions)
        steps = [step for step in order_sudo._fields["state"]._description_selection(request.env)
                 if step[0] != "cancel" and (step[0] != "delivered" or order_sudo.state == "delivered")]
        state_codes = [code for code, _label in steps]
        values = {
            "service_order": order_sudo,
            "page_name": "service_order",
            "preview": preview,
            "message": message,
            "steps": steps,
            "current_step": state_codes.index(order_sudo.state) if order_sudo.state in state_codes else -1,
            "quotes": order_sudo.quote_ids.filtered(lambda quote: quote.state != "draft"),
            "sent_quote": quote_sudo,
            "chosen": chosen,
            "decisions": decisions,
            "decision_amounts": decision_amounts,
            "decision_total": decision_amounts and sum(decision_amounts.values()),
            "decision_error": decision_error,
            "call_url": call_url,
            "decision_labels": dict(request.env["autorepair.service.order.line"]._fields[
                "decision"]._description_selection(request.env)),
            "invoices": order_sudo.invoice_ids.filtered(
                lambda move: move.state == "posted"
                and move.commercial_partner_id == order_sudo.partner_id.commercial_partner_id),
            # the portal chatter checks the visitor against the token, logged in or not
            "token": order_sudo._portal_ensure_token(),
        }
        values = self._get_page_view_values(order_sudo, access_token, values, "my_service_orders_history", False)
        return request.render("autorepair_workshop.portal_service_order_page", values)

    def _service_order_decisions(self, quote_sudo, params):
        """The customer's choice for every line of the quote, read from the
        form's decision_<line id> fields; a UserError tells him what is wrong."""
        decisions = {}
        for line in quote_sudo.line_ids:
            decision = params.get(f"{DECISION_PREFIX}{line.id}")
            if not decision:
                continue
            if decision not in PORTAL_DECISIONS or (decision == "alternative" and not line.alt_type):
                raise UserError(_("%(line)s cannot be answered with this choice.", line=line.name))
            decisions[line.id] = decision
        missing = quote_sudo.line_ids.filtered(lambda line: line.id not in decisions)
        if missing:
            raise UserError(_("Choose what to do with every line: %(lines)s.",
                              lines=", ".join(missing.mapped("name"))))
        if not any(decision in APPROVED for decision in decisions.values()):
            raise UserError(_(
                "Approve at least one line before signing. To decline all the work, "
                "please call your service advisor %(advisor)s.",
                advisor=quote_sudo.order_id.advisor_id.name or ""))
        return decisions

    def _service_decision_amount(self, line, decision):
        """What a line will cost the customer under his choice, shown for review
        before he signs: the line computes its own amount once decided."""
        return line._amount_with_tax(decision)

    @http.route(["/my/service_orders/<int:order_id>/decide"], type="json", auth="public", website=True)
    def portal_service_order_decide(self, order_id, access_token=None, name=None, signature=None, **kw):
        """Called by the portal's signature form: the decisions come in the
        query string of its URL, fixed when the customer reviewed them."""
        args = request.httprequest.args.to_dict()
        access_token = access_token or args.get("access_token")
        if not self._service_order_decision_allowed(order_id, access_token):
            return {"error": _("Too many attempts. Please wait a few minutes, or call your service advisor.")}
        try:
            order_sudo = self._service_order_check_access(order_id, access_token)
        except PortalLinkExpired:
            return {"error": _("This link has expired or is no longer valid. Log in to your account, "
                               "or ask your service advisor for a new link.")}
        except (AccessError, MissingError):
            return {"error": _("This service order does not exist or is not yours.")}
        if not self._service_order_customer_access(order_sudo, access_token):
            return {"error": _("Only the customer decides on the quote here; staff record it at the desk.")}
        quote_sudo = order_sudo.quote_ids.filtered(lambda quote: quote.state == "sent")[:1]
        if not quote_sudo:
            return {"error": _("No quote of %(order)s is awaiting your decision.", order=order_sudo.name)}
        if not signature:
            return {"error": _("Please sign the quote.")}
        # sudo as the visitor, not as the superuser: the chatter names the customer who signed
        quote_sudo = request.env["autorepair.service.quote"].sudo().browse(quote_sudo.id)
        try:
            decisions = self._service_order_decisions(quote_sudo, {**args, **kw})
            # all or nothing: a refused decision leaves no line half decided
            with request.env.cr.savepoint():
                quote_sudo._record_decisions(decisions, signature, name, "portal")
        except UserError as error:  # ValidationError and unreadable signatures too
            return {"error": error.args[0]}
        return {
            "force_refresh": True,
            "redirect_url": order_sudo.get_portal_url(query_string="&message=decided"),
        }
