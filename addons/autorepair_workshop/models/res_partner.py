import re

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED

from .autorepair_service_order import ACTIVE_STATES, DELIVERED_STATES, HISTORY_READERS

# a name written in Chinese characters: the surname and the title make the salutation (张先生)
CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


class ResPartner(models.Model):
    """The workshop's part of data-subject requests: service orders, quotes
    and their decisions, walk-arounds, follow-up calls; SMS numbers kept by
    Odoo's sms queue. Service orders are the statutory repair records (JT/T
    1132/1133, Ministry of Transport order 2016 No. 37): an erasure keeps
    their lines, dates, odometer and amounts and empties only the person's
    signature, signer's name, damage photos and what he said on follow-up."""

    _inherit = "res.partner"

    # sms makes the customer a mail.thread.phone: its number search is a
    # number read a digit at a time, for those who read the number only
    phone_mobile_search = fields.Char(groups=CONTACT_MASKED)

    # the customer's past visits, every car of his, and the work he declined or deferred
    service_history_ids = fields.One2many(
        "autorepair.service.order", "partner_id", string="Service History", groups=HISTORY_READERS,
        domain=[("state", "in", DELIVERED_STATES)],
    )
    service_recommendation_ids = fields.Many2many(
        "autorepair.service.order.line", string="Open Recommendations", groups=HISTORY_READERS,
        compute="_compute_service_recommendation_ids",
        help="Work the customer declined or deferred, to offer again at the next visit.",
    )

    def _compute_service_recommendation_ids(self):
        lines = self.env["autorepair.service.order.line"].search(
            [("order_id.partner_id", "in", self.ids), ("recommendation_state", "=", "open")],
            order="vehicle_id, id desc")
        by_partner = lines.grouped(lambda line: line.order_id.partner_id)
        for partner in self:
            partner.service_recommendation_ids = by_partner.get(partner, lines.browse())

    def _autorepair_salutation(self):
        """How staff address the customer on a call: 张先生 for 张伟 with the
        title Mister, "Mr. Smith" for John Smith, the name without a title."""
        self.ensure_one()
        name = (self.name or "").strip()
        title = self.title
        if not title:
            return name
        if CJK_NAME.match(name):
            return name[0] + title.name
        return f"{title.shortcut or title.name} {name.split()[-1]}"

    def _autorepair_personal_data(self):
        sections = super()._autorepair_personal_data()
        _ = self.env._
        orders = self.env["autorepair.service.order"].search([("partner_id", "=", self.id)], order="id")
        sections.append(orders._autorepair_report_section("service_orders", _("Service Orders"), [
            "name", "state", "license_plate", "need_type", "appointment_start", "received_date", "odometer_in",
            "requested_work", "diagnosis", "delivered_date", "next_service_date", "next_service_km",
            "amount_untaxed", "amount_total", "payment_state", "walkaround_signed_by"]))
        sections.append(orders.line_ids._autorepair_report_section("work", _("Work and Parts"), [
            "order_id", "line_type", "name", "part_number", "quantity", "price_unit", "decision",
            "price_total"]))
        sections.append(orders.quote_ids._autorepair_report_section("quotes", _("Quotes and Decisions"), [
            "order_id", "name", "state", "sent_on", "decided_on", "approval_channel", "signed_by",
            "approved_amount", "signature"]))
        sections.append(orders.damage_ids._autorepair_report_section("damages", _("Walk-Around Damages"), [
            "order_id", "location", "description", "photo"]))
        followups = self.env["autorepair.followup"].search([("partner_id", "=", self.id)])
        sections.append(followups._autorepair_report_section("followups", _("Follow-up Calls"), [
            "order_id", "date", "channel", "csi", "remarks"]))
        sections.append(followups.answer_ids._autorepair_report_section("followup_answers", _("Follow-up Answers"), [
            "followup_id", "question_id", "score", "suggestion"]))
        return sections

    def _autorepair_open_documents(self):
        result = super()._autorepair_open_documents()
        # an order not settled or cancelled is still being worked or owed
        orders = self.env["autorepair.service.order"].sudo().search(
            [("partner_id", "in", self.ids), ("state", "in", (*ACTIVE_STATES, "delivered"))])
        for order in orders:
            result[order.partner_id.id].append(self.env._("service order %(order)s (%(state)s)", order=order.name,
                                                          state=dict(order._fields["state"]._description_selection(
                                                              self.env))[order.state]))
        return result

    def _autorepair_personal_records(self):
        records = super()._autorepair_personal_records()
        partners = records["res.partner"]
        orders = self.env["autorepair.service.order"].search([("partner_id", "in", partners.ids)])
        followups = self.env["autorepair.followup"].search([("order_id", "in", orders.ids)])
        records.update({
            "autorepair.service.order": orders,
            "autorepair.service.quote": orders.quote_ids,
            "autorepair.walkaround.line": orders.walkaround_line_ids,
            "autorepair.damage": orders.damage_ids,
            "autorepair.followup": followups,
            "autorepair.followup.answer": followups.answer_ids,
        })
        return records

    def _autorepair_scrub_notifications(self, partner_ids, message_ids):
        result = super()._autorepair_scrub_notifications(partner_ids, message_ids)
        # the number each SMS went to, and SMS still queued for the person
        self.env.cr.execute(SQL(
            """UPDATE mail_notification SET sms_number = NULL
                WHERE res_partner_id = ANY(%s) OR mail_message_id = ANY(%s)""",
            partner_ids, message_ids))
        self.env["sms.sms"].sudo().search(
            ["|", ("partner_id", "in", partner_ids), ("mail_message_id", "in", message_ids)]).unlink()
        self.env.invalidate_all()
        return result

    def _autorepair_active_partner_ids(self, since):
        active = super()._autorepair_active_partner_ids(since)
        if not self:
            return active
        self.env.cr.execute(SQL(
            """SELECT partner_id FROM autorepair_service_order
                WHERE partner_id = ANY(%(ids)s)
                  AND (create_date >= %(since)s OR delivered_date >= %(since)s OR appointment_start >= %(since)s)
               UNION
               SELECT partner_id FROM autorepair_followup WHERE partner_id = ANY(%(ids)s) AND date >= %(since)s""",
            ids=self.ids, since=since))
        return active | {row[0] for row in self.env.cr.fetchall()}
