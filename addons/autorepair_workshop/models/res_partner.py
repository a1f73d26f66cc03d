import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from odoo.addons.autorepair_crm.models.base import CONTACT_MASKED
from odoo.addons.autorepair_crm.models.res_partner import ResPartner as CrmPartner

from .autorepair_service_order import ACTIVE_STATES, CREDIT_APPROVERS, DELIVERED_STATES, HISTORY_READERS

# a name written in Chinese characters: the surname and the title make the salutation (张先生)
CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
# GB 32100-2015: the unified social credit code (统一社会信用代码) is 18 characters of
# this alphabet (no I, O, Z, S, V); the last is a check character over the first 17
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FAPIAO_FIELDS = ("fapiao_title", "fapiao_tax_id", "fapiao_address", "fapiao_phone", "fapiao_bank",
                 "fapiao_account")


def uscc_check_char(code17):
    """The check character of the first 17 characters of a unified social
    credit code (GB 32100-2015, clause 5), or None if one is not of its alphabet."""
    try:
        total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(code17, USCC_WEIGHTS, strict=True))
    except ValueError:
        return None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code):
    """Whether ``code`` is a well-formed unified social credit code: 18
    characters of the alphabet, the region code (3rd-8th) in digits, the
    check character right."""
    code = (code or "").strip().upper()
    return (len(code) == 18 and code[2:8].isdigit()
            and all(char in USCC_ALPHABET for char in code) and uscc_check_char(code[:17]) == code[17])


class ResPartner(models.Model):
    """The workshop's part of data-subject requests: service orders, quotes
    and their decisions, walk-arounds, follow-up calls; SMS numbers kept by
    Odoo's sms queue. Service orders are the statutory repair records (JT/T
    1132/1133, Ministry of Transport order 2016 No. 37): an erasure keeps
    their lines, dates, odometer and amounts and empties only the person's
    signature, signer's name, damage photos and what he said on follow-up."""

    _inherit = "res.partner"
    # a private buyer's fapiao data is his, as his address and phone are
    _autorepair_personal_fields = (*CrmPartner._autorepair_personal_fields, *FAPIAO_FIELDS)

    # the buyer's data printed on a fapiao (开票信息): kept on the paying partner, checked here
    fapiao_title = fields.Char(string="Fapiao Buyer Name", help="The buyer's name on the fapiao (发票抬头).")
    fapiao_tax_id = fields.Char(
        string="Buyer Tax ID", size=18,
        help="The buyer's unified social credit code (统一社会信用代码), 18 characters: needed on a special VAT "
        "fapiao and on a company's ordinary one.")
    fapiao_address = fields.Char(help="The buyer's registered address on the fapiao.")
    fapiao_phone = fields.Char(help="The buyer's phone on the fapiao.")
    fapiao_bank = fields.Char(help="The buyer's bank branch (开户行) on the fapiao.")
    fapiao_account = fields.Char(string="Fapiao Bank Account", help="The buyer's account number on the fapiao.")
    # a company or fleet paying monthly (挂账): its cars may leave unpaid once a manager approves
    autorepair_credit_account = fields.Boolean(
        string="Credit Account", tracking=True,
        help="A company or fleet that settles its orders on one monthly statement (挂账). Set by a service manager.")

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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._autorepair_clean_fapiao(vals)
        if any(vals.get("autorepair_credit_account") for vals in vals_list):
            self._autorepair_check_credit_account()
        return super().create(vals_list)

    def write(self, vals):
        self._autorepair_clean_fapiao(vals)
        if "autorepair_credit_account" in vals and any(
                partner.autorepair_credit_account != bool(vals["autorepair_credit_account"]) for partner in self):
            self._autorepair_check_credit_account()
        return super().write(vals)

    @api.model
    def _autorepair_check_credit_account(self):
        # a credit account lets cars leave unpaid: the service managers decide who has one
        if not self.env.su and not self.env.user.has_group(CREDIT_APPROVERS):
            raise AccessError(self.env._("Only a service manager opens or closes a credit account (挂账)."))

    @api.model
    def _autorepair_clean_fapiao(self, vals):
        # typed with spaces or in lower case, the code is the same code
        if vals.get("fapiao_tax_id"):
            vals["fapiao_tax_id"] = "".join(vals["fapiao_tax_id"].split()).upper()
        if vals.get("fapiao_account"):
            vals["fapiao_account"] = "".join(vals["fapiao_account"].split())

    @api.constrains("fapiao_tax_id")
    def _check_fapiao_tax_id(self):
        for partner in self.filtered("fapiao_tax_id"):
            if not is_valid_uscc(partner.fapiao_tax_id):
                raise ValidationError(self.env._(
                    "%(code)s is not a valid unified social credit code: 18 letters and digits whose last one "
                    "is the check character of GB 32100-2015. Copy it from the buyer's business licence.",
                    code=partner.fapiao_tax_id))

    @api.constrains("fapiao_account")
    def _check_fapiao_account(self):
        for partner in self.filtered("fapiao_account"):
            if not partner.fapiao_account.isdigit() or not 8 <= len(partner.fapiao_account) <= 32:
                raise ValidationError(self.env._(
                    "%(account)s is not a bank account number: digits only.", account=partner.fapiao_account))

    def _autorepair_fapiao_missing(self, special=False):
        """The labels of the buyer's fapiao data still missing (all of it for
        a special VAT fapiao; the tax ID for a company's ordinary one)."""
        self.ensure_one()
        # the buyer's name is his own unless the fapiao title says otherwise
        fnames = FAPIAO_FIELDS[1:] if special else ("fapiao_tax_id",)
        return [self._fields[fname]._description_string(self.env) for fname in fnames if not self[fname]]

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
        sections.append(self._autorepair_report_section("fapiao", _("Fapiao Data"), list(FAPIAO_FIELDS)))
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
