import json
import logging

import requests

from odoo import api, models

_logger = logging.getLogger(__name__)


class ArchiveUnreachable(Exception):
    """The platform did not answer usably (network, timeout, 5xx, not JSON):
    the filing is tried again later."""


class AutorepairArchiveAdapter(models.AbstractModel):
    """How a settled service order reaches a health archive platform
    (汽车维修电子健康档案系统, JT/T 1132-2017). This model builds the standard's
    data items of an order, the same for every platform; each platform's
    interface is a model ``autorepair.archive.adapter.<key>`` (PLATFORMS in
    res_company.py) that turns them into its own record and sends it."""

    _name = "autorepair.archive.adapter"
    _description = "Health Archive Interface"

    # ------------------------------------------------------------------ items

    @api.model
    def _autorepair_items(self, order):
        """The JT/T 1132 data items of a settled order: the shop, the car, the
        dates, the odometer, the repair category, the fault, the labour items
        with their hours, the parts with their numbers and quantities, the
        settlement number and amount. Read as the system: the scheduler and a
        manager exporting a month read invoices they may have no rights on."""
        order = order.sudo()
        company = order.company_id
        invoices = order.invoice_ids.filtered(lambda move: move.state == "posted")
        sales = invoices.filtered(lambda move: move.move_type == "out_invoice")
        refunds = invoices.filtered(lambda move: move.move_type == "out_refund")
        # a re-issued invoice after a credit note settles the order again: its date counts
        settled = max(sales.mapped("invoice_date"), default=False)
        lines = order.line_ids.filtered("is_approved")
        categories = dict(order._fields["repair_category"]._description_selection(self.env))
        return {
            "company_code": company.autorepair_archive_company_code or "",
            "company_name": company.name,
            "vin": (order.vehicle_id.vin_sn or "").strip().upper(),
            "plate": (order.vehicle_id.license_plate or "").strip(),
            "repair_date": (order.received_date or order.create_date).date(),
            "odometer": int(order.odometer_in or 0),
            "settle_date": settled,
            "repair_category": order.repair_category or "",
            "repair_category_label": categories.get(order.repair_category, ""),
            "fault_description": (order.diagnosis or order.requested_work or "").strip(),
            "settlement_number": order.name,
            "amount": round(sum(sales.mapped("amount_total")) - sum(refunds.mapped("amount_total")), 2),
            "labour": [{"name": line.name, "hours": line.quantity}
                       for line in lines if line.line_type == "labour"],
            "parts": [{"name": line.name, "code": line.part_number or line.product_id.default_code or "",
                       "quantity": line.quantity}
                      for line in lines if line.line_type == "part"],
        }

    @api.model
    def _autorepair_missing(self, items):
        """The items the platform requires that the order lacks, by name."""
        required = {
            "vin": self.env._("VIN (17 characters)"),
            "plate": self.env._("licence plate"),
            "settle_date": self.env._("settlement date"),
            "fault_description": self.env._("fault description (the order's findings or the customer's request)"),
        }
        missing = [label for key, label in required.items() if not items[key]]
        if items["vin"] and len(items["vin"]) != 17:
            missing.append(required["vin"])
        if not items["labour"] and not items["parts"]:
            missing.append(self.env._("labour items or parts"))
        return missing

    # ------------------------------------------------------------------ interface

    @api.model
    def _autorepair_record(self, items):
        """The platform's record of one order, as it is sent and exported
        (without the access token)."""
        raise NotImplementedError

    @api.model
    def _autorepair_token(self, company, timeout):
        """Log in as the shop: the access token the records are sent with.

        :return: (token, refusal): the token, or the platform's reason for refusing
        :raise ArchiveUnreachable: when the platform does not answer usably
        """
        raise NotImplementedError

    @api.model
    def _autorepair_send_record(self, company, token, record, timeout):
        """Send one record.

        :return: ``{"state": "filed" | "refused", "ref": the platform's id of
            the record, "reason": the platform's words, "response": its answer}``
        :raise ArchiveUnreachable: when the platform does not answer usably
        """
        raise NotImplementedError

    @api.model
    def _autorepair_file(self, company, records):
        """Send records of one company: one login, then each record.

        :param records: ``[(key, record), ...]``
        :return: ``{key: {"state": "filed" | "refused" | "retry", "ref", "reason", "response"}}``
        """
        timeout = company._autorepair_archive_setting("timeout")
        try:
            token, refusal = self._autorepair_token(company, timeout)
        except ArchiveUnreachable as error:
            token, refusal = None, str(error)
        if not token:
            # the login failed: nothing was filed; again later (a wrong password is fixed in Settings)
            reason = self.env._("The platform refused the shop's login: %(reason)s", reason=refusal)
            return {key: {"state": "retry", "reason": reason} for key, _record in records}
        results = {}
        for key, record in records:
            try:
                results[key] = self._autorepair_send_record(company, token, record, timeout)
            except ArchiveUnreachable as error:
                results[key] = {"state": "retry", "reason": str(error)}
        return results

    # ------------------------------------------------------------------ HTTP

    @api.model
    def _autorepair_http(self, method, url, timeout, payload=None, params=None):
        """One call to the platform; its JSON answer as a dict.

        :raise ArchiveUnreachable: on a network error, a timeout, a 5xx or 429
            answer, or an answer that is not a JSON object
        """
        try:
            response = requests.request(method, url, json=payload, params=params, timeout=timeout)
        except requests.RequestException as error:
            raise ArchiveUnreachable(self.env._("The platform did not answer: %(error)s", error=error)) from error
        if response.status_code >= 500 or response.status_code == 429:
            raise ArchiveUnreachable(self.env._(
                "The platform answered HTTP %(status)s.", status=response.status_code))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ArchiveUnreachable(self.env._(
                "The platform answered HTTP %(status)s without a readable result: %(text)s",
                status=response.status_code, text=response.text[:200]))
        return body

    @api.model
    def _autorepair_dump(self, data):
        return json.dumps(data, ensure_ascii=False, sort_keys=True)
