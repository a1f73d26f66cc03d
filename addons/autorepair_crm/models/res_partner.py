from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools import InvalidInput, check_resident_id, mask_phone, normalize_phone, normalize_resident_id
from ..tools.value_class import Thresholds, classify
from .autorepair_consent import SOURCE_CHANNEL, SOURCES
from .autorepair_customer_data_mixin import duplicate_error
from .base import CONTACT_MASKED

# Odoo's invoicing groups: the partner's invoice fields (account) read journal
# entries, which no after-sales role below the advisor may read
INVOICING = "account.group_account_invoice,account.group_account_readonly"
# writing one of these records a consent decision instead of storing the value
CONSENT_INPUTS = ("marketing_consent", "marketing_consent_date", "marketing_consent_source",
                  "marketing_opt_out", "service_opt_out", "resident_id_consent")
PURPOSE_FIELD = {"service": "service_opt_out", "marketing": "marketing_consent",
                 "resident_id": "resident_id_consent"}
# RULEBOOK §2: 忠诚 / 灵活 / 流失
LOYALTY_TYPES = [("loyal", "Loyal"), ("switcher", "Switcher"), ("lost", "Lost")]
# a manager's decision on the loyalty type, with its reason
LOYALTY_OVERRIDE_FIELDS = ("loyalty_type_override", "loyalty_type_reason")


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "autorepair.customer.data.mixin"]
    _autorepair_personal_fields = (
        "name", "phone", "mobile", "phone_sanitized", "email", "email_normalized", "street", "street2",
        "zip", "city", "resident_id_number", "birthday", "image_1920", "comment",
    )
    # the internal notes: a second number is often written there
    _autorepair_masked_text_fields = ("comment",)

    _autorepair_unexportable_fields = ("resident_id_number",)

    # Contact data: stored in E.164 for customers, trigram-indexed for fragment
    # search, unreadable for workshop staff who get the masked twin instead.
    phone = fields.Char(index="trigram", groups=CONTACT_MASKED)
    mobile = fields.Char(index="trigram", groups=CONTACT_MASKED)
    phone_sanitized = fields.Char(groups=CONTACT_MASKED)
    # computed as the superuser from the raw numbers it hides: as the reader, a
    # workshop user would be refused the very fields it is the masked twin of
    phone_masked = fields.Char(string="Phone (masked)", compute="_compute_phone_masked", compute_sudo=True)
    # searching a number is reading it a digit at a time: for those who read it
    phone_search = fields.Char(
        string="Phone Fragment", compute="_compute_phone_search", search="_search_phone_search",
        groups=CONTACT_MASKED,
    )

    is_autorepair_customer = fields.Boolean(
        string="After-Sales Customer", index=True, tracking=True,
        help="Vehicle owners and anyone the after-sales team serves. Their phones "
        "are validated and kept unique.",
    )
    autorepair_vehicle_ids = fields.One2many("fleet.vehicle", "owner_id", string="Owned Vehicles")
    autorepair_vehicle_count = fields.Integer(
        string="Vehicle Count", compute="_compute_autorepair_vehicle_count"
    )
    vehicle_use = fields.Selection(
        [("private", "Private Car"), ("company", "Company Car")], tracking=True
    )
    is_operating = fields.Boolean(
        string="Operating Vehicle", help="Taxi, ride-hailing or other commercial operation."
    )
    district_id = fields.Many2one(
        "autorepair.district", string="District", ondelete="restrict", index=True
    )
    is_local = fields.Boolean(related="district_id.is_local", string="Local Customer", store=True)
    value_focus = fields.Selection(
        [("relationship", "Relationship"), ("price", "Cost-Effectiveness"), ("time", "Time Efficiency")],
        string="Customer Values",
    )
    loyalty_type = fields.Selection(
        LOYALTY_TYPES, string="Loyalty", compute="_compute_loyalty_type", store=True, index=True, tracking=True,
        help="Follows the visits and the lost-customer lists, recomputed every night and at each visit, "
        "unless a manager overrides it with a reason.",
    )
    # written by the system only (_autorepair_set_loyalty_type): what the history says
    loyalty_type_auto = fields.Selection(LOYALTY_TYPES, string="Loyalty from History", readonly=True, copy=False)
    loyalty_type_override = fields.Selection(
        LOYALTY_TYPES, string="Loyalty Set by Manager", tracking=True, copy=False,
        help="A manager's own judgement; empty, the loyalty follows the history again.",
    )
    loyalty_type_reason = fields.Char(string="Why Overridden", tracking=True, copy=False)
    vehicle_segment = fields.Selection([("premium", "Premium"), ("economy", "Economy")], string="Segment")
    taste = fields.Selection([("sporty", "Sporty"), ("social", "Social")])
    warranty_state = fields.Selection(
        [("in", "In Warranty"), ("out", "Out of Warranty")],
        string="Warranty", compute="_compute_warranty_state", store=True,
        help="In warranty while at least one of the customer's vehicles is.",
    )

    resident_id_number = fields.Char(
        string="Resident ID", groups="autorepair_crm.group_manager", copy=False,
        help="18-digit resident identity number; the birthday is derived from it.",
    )
    birthday = fields.Date(
        compute="_compute_birthday", store=True, readonly=False, precompute=True, index=True
    )
    preferred_channel = fields.Selection(
        [("phone", "Phone Call"), ("sms", "SMS"), ("wechat", "WeChat"), ("email", "Email")],
        default="phone",
    )
    preferred_slot_id = fields.Many2one(
        "autorepair.time.slot", string="Preferred Time", ondelete="set null"
    )
    # consent per purpose (PIPL): the history is autorepair.consent, one line
    # per decision; the current state is stored here for the care engine's SQL.
    # Writing these fields records a decision (see _consent_apply_vals). Not
    # copied: a duplicated file is another person, who consented to nothing.
    consent_ids = fields.One2many(
        "autorepair.consent", "partner_id", string="Consent History", readonly=True,
        groups="autorepair_crm.group_user")
    marketing_consent = fields.Boolean(
        compute="_compute_consents", store=True, readonly=False, copy=False, tracking=True,
        help="The customer agreed to marketing: greetings, offers, win-back and broadcasts.")
    marketing_consent_date = fields.Date(
        string="Consent Date", compute="_compute_consents", store=True, readonly=False, copy=False)
    marketing_consent_source = fields.Selection(
        SOURCES, string="Consent Source", compute="_compute_consents", store=True, readonly=False, copy=False)
    marketing_opt_out = fields.Boolean(
        string="Opted Out", compute="_compute_consents", store=True, readonly=False, copy=False, tracking=True,
        help="The customer withdrew the marketing consent: no marketing by any channel, the numbers and "
        "address are on Odoo's blacklists; service reminders still go out.",
    )
    service_opt_out = fields.Boolean(
        string="No Service Reminders", compute="_compute_consents", store=True, readonly=False, copy=False,
        tracking=True,
        help="The customer asked for no service reminders either (maintenance, inspection, warranty, "
        "insurance, quotes). Service reminders need no separate consent until then.",
    )
    resident_id_consent = fields.Boolean(
        string="Resident ID Consent", compute="_compute_consents", store=True, readonly=False, copy=False,
        groups="autorepair_crm.group_manager", tracking=True,
        help="The customer's separate consent to keep the resident ID (sensitive personal information); "
        "withdrawing it erases the ID.",
    )
    care_agent_id = fields.Many2one(
        "res.users", string="Care Agent", index=True, tracking=True, ondelete="set null",
        domain=lambda self: [("groups_id", "in", self.env.ref("autorepair_crm.group_user").ids)],
    )
    value_class = fields.Selection(
        [("A", "A"), ("B", "B"), ("C", "C")], default="C", index=True,
        help="Recomputed every night from visits and spend over the trailing window set in Settings.",
    )
    loyalty_adjustment_ids = fields.One2many(
        "autorepair.loyalty.adjustment", "partner_id", string="Points Adjustments",
        groups="autorepair_crm.group_user")
    loyalty_points = fields.Integer(
        string="Points", compute="_compute_loyalty_points",
        help="The balance of the customer's points card in the current company.")
    loyalty_history_ids = fields.Many2many(
        "loyalty.history", string="Points History", compute="_compute_loyalty_points",
        groups="autorepair_crm.group_user")
    autorepair_member_level_id = fields.Many2one(
        "autorepair.member.level", string="Member Level", compute="_compute_autorepair_member_level",
        help="The highest member level of the current company the customer reaches by his points or spend.")

    # account's fields on every partner read journal entries: readable by the
    # invoicing roles only, instead of refusing the whole customer to the others
    invoice_ids = fields.One2many(groups=INVOICING)
    journal_item_count = fields.Integer(groups=INVOICING)
    supplier_invoice_count = fields.Integer(groups=INVOICING)
    days_sales_outstanding = fields.Float(groups=INVOICING)

    # ------------------------------------------------------------------ computes

    @api.depends("consent_ids.purpose", "consent_ids.granted", "consent_ids.date")
    def _compute_consents(self):
        latest = self._consent_latest()
        for partner in self:
            lines = latest.get(partner.id, {})
            marketing = lines.get("marketing")
            partner.marketing_consent = bool(marketing and marketing.granted)
            partner.marketing_opt_out = bool(marketing and not marketing.granted)
            partner.marketing_consent_date = marketing.date if partner.marketing_consent else False
            partner.marketing_consent_source = marketing.source if partner.marketing_consent else False
            partner.service_opt_out = bool(lines.get("service") and not lines["service"].granted)
            partner.resident_id_consent = bool(lines.get("resident_id") and lines["resident_id"].granted)

    def _consent_latest(self):
        """{partner id: {purpose: latest consent line}}"""
        latest = {}
        partner_ids = [pid for pid in self.ids if pid]
        if not partner_ids:
            return latest
        lines = self.env["autorepair.consent"].sudo().search(
            [("partner_id", "in", partner_ids)], order="id desc")
        for line in lines:
            latest.setdefault(line.partner_id.id, {}).setdefault(line.purpose, line)
        return latest

    @api.depends("loyalty_type_override", "loyalty_type_auto")
    def _compute_loyalty_type(self):
        for partner in self:
            partner.loyalty_type = partner.loyalty_type_override or partner.loyalty_type_auto

    @api.constrains("loyalty_type_override", "loyalty_type_reason")
    def _check_loyalty_type_reason(self):
        for partner in self:
            if partner.loyalty_type_override and not (partner.loyalty_type_reason or "").strip():
                raise ValidationError(self.env._(
                    "Say why the loyalty of %(customer)s is overridden.", customer=partner.display_name))

    @api.depends("phone", "mobile")
    def _compute_phone_masked(self):
        for partner in self:
            number = partner.mobile or partner.phone
            partner.phone_masked = mask_phone(number) if number else False

    def _compute_phone_search(self):
        self.phone_search = False

    def _search_phone_search(self, operator, value):
        """Match a typed fragment whatever its spacing ('138 0013', '0013-8000')."""
        if operator not in ("ilike", "=", "like") or not isinstance(value, str):
            raise ValidationError(self.env._("Search phones with a fragment of digits."))
        digits = "".join(ch for ch in value if ch.isdigit())
        if not digits:
            return [("id", "=", False)]
        return ["|", ("mobile", "ilike", digits), ("phone", "ilike", digits)]

    def _compute_autorepair_vehicle_count(self):
        counts = dict(
            self.env["fleet.vehicle"]._read_group(
                [("owner_id", "in", self.ids)], ["owner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.autorepair_vehicle_count = counts.get(partner, 0)

    @api.depends("autorepair_vehicle_ids.warranty_state")
    def _compute_warranty_state(self):
        for partner in self:
            states = set(partner.autorepair_vehicle_ids.mapped("warranty_state"))
            partner.warranty_state = "in" if "in" in states else ("out" if "out" in states else False)

    @api.depends("resident_id_number")
    def _compute_birthday(self):
        for partner in self.sudo():
            if not partner.resident_id_number:
                continue
            try:
                partner.birthday = check_resident_id(
                    partner.resident_id_number, today=fields.Date.context_today(partner))[1]
            except InvalidInput:
                continue  # refused by the constraint; keep the birthday on file

    def _autorepair_points_cards(self, company=None):
        """The points cards of these customers in ``company`` (the current
        one by default), as the system: one per customer (a merge of files
        archives the merged ones, see the merge wizard). Creates nothing: reads may run on a read-only cursor."""
        program = (company or self.env.company).sudo().autorepair_points_program_id
        if not program:
            return self.env["loyalty.card"].sudo()
        return self.env["loyalty.card"].sudo().search(
            [("program_id", "=", program.id), ("partner_id", "in", self.ids)], order="id")

    def _autorepair_points_card(self, company=None):
        """The customer's points card in ``company`` (the current one by
        default), created on first use. The customer is locked while it is
        looked up, so that two desks never give him two cards. As the system."""
        self.ensure_one()
        company = company or self.env.company
        card = self._autorepair_points_cards(company)[:1]
        if card:
            return card
        self.env.cr.execute(SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", self.id))
        return self._autorepair_points_cards(company)[:1] or self.env["loyalty.card"].sudo().create({
            "program_id": company._autorepair_points_program().id,
            "partner_id": self.id,
            "points": 0,
        })

    def _loyalty_balances(self, company=None):
        """{customer id: points} in ``company`` (the current one by default)."""
        balances = {}
        for card in self._autorepair_points_cards(company):
            balances[card.partner_id.id] = balances.get(card.partner_id.id, 0) + card.points
        return balances

    @api.depends_context("company")
    def _compute_loyalty_points(self):
        cards = self._autorepair_points_cards() if self.ids else self.env["loyalty.card"]
        for partner in self:
            own = cards.filtered(lambda card, partner=partner: card.partner_id.id == partner.id)
            partner.loyalty_points = int(sum(own.mapped("points")))
            partner.loyalty_history_ids = own.history_ids.sudo(False)

    @api.depends_context("company")
    def _compute_autorepair_member_level(self):
        for partner in self:
            partner.autorepair_member_level_id = partner._autorepair_member_level(self.env.company).sudo(False)

    def _autorepair_member_level(self, company):
        """The highest member level of ``company`` the customer reaches by
        his points or his spend (as the system: levels are the company's
        terms, not the caller's data)."""
        self.ensure_one()
        levels = self.env["autorepair.member.level"].sudo().search([("company_id", "=", company.id)])
        if not levels or not self.id:
            return levels.browse()
        customer = self.commercial_partner_id
        points = customer._loyalty_balances(company).get(customer.id, 0)
        if customer != self:
            points += self._loyalty_balances(company).get(self.id, 0)
        date_from = self._value_class_window_start(company)
        spend = self._value_class_stats(date_from, [("commercial_partner_id", "=", customer.id),
                                                    ("company_id", "=", company.id)])[customer.id][1]
        return levels.filtered(lambda level: level._is_reached(points, spend))[-1:]

    # --------------------------------------------------------------- constraints

    @api.constrains("resident_id_number")
    def _check_resident_id_number(self):
        for partner in self.sudo().filtered("resident_id_number"):
            try:
                check_resident_id(partner.resident_id_number, today=fields.Date.context_today(partner))
            except InvalidInput as exc:
                raise ValidationError(self._resident_id_error(exc, partner.resident_id_number)) from None

    @api.constrains("resident_id_number", "resident_id_consent")
    def _check_resident_id_consent(self):
        for partner in self.sudo():
            if partner.resident_id_number and not partner.resident_id_consent:
                raise ValidationError(self._resident_id_consent_message(partner))

    def _resident_id_consent_message(self, partner):
        return self.env._(
            "The resident ID of %(customer)s is sensitive personal information: record the customer's separate "
            "consent to keep it (Resident ID Consent) before entering the number.", customer=partner.display_name)

    @api.constrains("phone", "mobile", "is_autorepair_customer", "company_id", "active")
    def _check_unique_phone(self):
        """One customer per phone number (RULEBOOK §2: a new phone or owner is
        recorded on the existing file, never by creating a duplicate). One
        search for a whole batch; the refusal names the row, the incoming name
        and number (masked) and the customer who has the number already."""
        partners = self.sudo().filtered(lambda p: p.is_autorepair_customer and p.active)
        numbers = list({number for partner in partners for number in (partner.phone, partner.mobile) if number})
        if not numbers:
            return
        holders = self.sudo().search(
            [("is_autorepair_customer", "=", True), "|", ("phone", "in", numbers), ("mobile", "in", numbers)])
        # a customer already on file is named before a second row of the same batch
        holders = holders.filtered(lambda holder: holder not in self) + holders.filtered(lambda holder: holder in self)
        rows = {partner.id: index for index, partner in enumerate(self)}
        for partner in partners:
            own = {number for number in (partner.phone, partner.mobile) if number}
            for holder in holders:
                shared = own & {holder.phone, holder.mobile}
                if (shared and holder != partner and holder.company_id.id in (partner.company_id.id, False)
                        and holder.commercial_partner_id != partner.commercial_partner_id):
                    error = self._duplicate_phone_error(partner, holder, mask_phone(min(shared)), rows)
                    raise self._in_row(error, rows[partner.id], len(self))

    def _duplicate_phone_error(self, partner, holder, phone, rows):
        if not holder.with_env(self.env).has_access("read"):
            # on file in a company this user does not work in: say no more than that
            return ValidationError(self.env._(
                "This phone number is already on file in another company of the group."))
        if holder.id in rows:
            return ValidationError(self.env._(
                "%(name)s has the phone number %(phone)s, and so has %(other)s on row %(row)s: "
                "one customer per number.",
                name=partner.display_name, phone=phone, other=holder.display_name, row=rows[holder.id] + 1,
            ))
        return duplicate_error(self.env._(
            "The phone number %(phone)s of %(name)s is already on file for the customer %(customer)s. "
            "Update that customer instead of creating a duplicate, or merge the two.",
            phone=phone, name=partner.display_name, customer=holder.display_name,
        ), holder)

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        consents, resident_ids = [], []
        for index, vals in enumerate(vals_list):
            # the flag may come as a default of the context: a customer quick-created
            # from a many2one (name_create) of the vehicle, order or complaint form
            is_customer = vals.get(
                "is_autorepair_customer", self.env.context.get("default_is_autorepair_customer"))
            if is_customer and not vals.get("company_id") and not vals.get("parent_id") \
                    and not self.env.context.get("default_company_id"):
                # customers belong to the dealer that serves them (company isolation)
                vals["company_id"] = self.env.company.id
            try:
                self._autorepair_normalise_vals(vals, is_customer)
            except ValidationError as exc:
                raise self._in_row(exc, index, len(vals_list)) from None
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            consents.append({fname: vals.pop(fname) for fname in CONSENT_INPUTS if fname in vals})
            # the ID is kept only once its consent is on record: written after it
            resident_ids.append(vals.pop("resident_id_number", False))
        if any(consents) and not self.env.su:
            self.check_field_access_rights("write", list({fname for vals in consents for fname in vals}))
        if not self.env.su:
            for vals in vals_list:
                self._check_loyalty_type_write(vals)
        if any(resident_ids) and not self.env.su:
            self.check_field_access_rights("write", ["resident_id_number"])
        partners = super().create(vals_list)
        for partner, consent_vals, resident_id in zip(partners, consents, resident_ids, strict=True):
            if consent_vals:
                partner._consent_apply_vals(consent_vals)
            if resident_id:
                partner.write({"resident_id_number": resident_id})
        return partners

    def write(self, vals):
        # only contact fields are normalised: reading the flag otherwise would load
        # every column of every record written (the nightly value-class batch)
        if any(vals.get(fname) for fname in ("mobile", "phone", "resident_id_number")):
            is_customer = vals.get("is_autorepair_customer", any(self.mapped("is_autorepair_customer")))
            self._autorepair_normalise_vals(vals, is_customer)
        if any(fname in vals for fname in CONSENT_INPUTS):
            vals = dict(vals)
            consent_vals = {fname: vals.pop(fname) for fname in CONSENT_INPUTS if fname in vals}
            if not self.env.su:
                self.check_access("write")
                self.check_field_access_rights("write", list(consent_vals))
            self._consent_apply_vals(consent_vals)
        if not self.env.su:
            self._check_loyalty_type_write(vals)
        if vals.get("resident_id_number"):
            missing = self.sudo().filtered(lambda partner: not partner.resident_id_consent)
            if missing:
                raise UserError(self._resident_id_consent_message(missing[0]))
        result = super().write(vals)
        if any(fname in vals for fname in ("mobile", "phone", "email")):
            # a new number or address of an opted-out customer is blacklisted too
            self.filtered("marketing_opt_out")._consent_sync_blacklists(listed=True)
        return result

    def read(self, fields=None, load="_classic_read"):
        result = super().read(fields, load=load)
        self._resident_id_log_read(result)
        return result

    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        result = super().search_read(domain, fields, offset=offset, limit=limit, order=order, **read_kwargs)
        self._resident_id_log_read(result)
        return result

    def web_read(self, specification):
        return super().web_read(specification)

    @api.model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        return super().web_search_read(domain, specification, offset=offset, limit=limit, order=order,
                                       count_limit=count_limit)

    # A read of customers may write its line in the privacy log: over RPC it
    # runs on a read/write cursor (Odoo's @api.readonly would give the call a
    # read-only one, on a replica where one is configured).
    read._readonly = False
    search_read._readonly = False
    web_read._readonly = False
    web_search_read._readonly = False

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        # a group's label or an aggregate would hand out resident IDs unlogged
        specs = [spec.split(":")[0].split(".")[0] for spec in (*groupby, *aggregates)]
        if "resident_id_number" in specs and not self.env.su:
            raise AccessError(self.env._("Customers cannot be grouped or aggregated by resident ID."))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _resident_id_log_read(self, result):
        """One entry in the privacy log per call that returned resident IDs
        to a user (read, web_read and search_read)."""
        if self.env.su or not result or "resident_id_number" not in result[0]:
            return
        partner = self.browse(result[0]["id"]) if len(result) == 1 else None
        self.env["autorepair.privacy.log"]._log(
            "id_read", model=self._name, partner=partner, field_names=["resident_id_number"],
            record_count=len(result))

    # ------------------------------------------------------------------ consent

    def _consent_apply_vals(self, vals):
        """Turn the consent fields written on the form (or by RPC) into
        decisions on record: only a change of state makes a line."""
        today = fields.Date.context_today(self)
        source = vals.get("marketing_consent_source") or "desk"
        date = vals.get("marketing_consent_date") or today
        for partner in self:
            decisions = []
            if vals.get("marketing_opt_out"):
                wanted = False
            elif vals.get("marketing_consent"):
                wanted = True
            elif "marketing_consent" in vals and partner.marketing_consent:
                wanted = False
            else:
                wanted = None
            if wanted is True and not partner.marketing_consent:
                decisions.append(("marketing", True))
            elif wanted is False and not partner.marketing_opt_out:
                decisions.append(("marketing", False))
            if "service_opt_out" in vals and bool(vals["service_opt_out"]) != partner.service_opt_out:
                decisions.append(("service", not vals["service_opt_out"]))
            id_consent = bool(vals.get("resident_id_consent"))
            if "resident_id_consent" in vals and id_consent != partner.sudo().resident_id_consent:
                decisions.append(("resident_id", id_consent))
            for purpose, granted in decisions:
                partner._record_consent(purpose, granted, source=source, date=date)

    def _record_consent(self, purpose, granted, source="desk", channel=None, date=None):
        """Record one decision of each customer of ``self`` about ``purpose``
        (trusted code: the callers checked who may), with its consequences:
        the privacy log, Odoo's blacklists for marketing, the resident ID
        erased when its consent is withdrawn."""
        if not self:
            return
        if purpose == "resident_id" and not granted:
            # erased first: the ID is never on file without its consent; the
            # birthday taken from it stays (the customer gave it with the ID)
            for partner in self.sudo().with_context(tracking_disable=True):
                partner.write({"resident_id_number": False, "birthday": partner.birthday})
        self.env["autorepair.consent"].sudo().create([{
            "partner_id": partner.id,
            "purpose": purpose,
            "granted": granted,
            "date": date or fields.Date.context_today(self),
            "source": source,
            "channel": channel or SOURCE_CHANNEL[source],
            "user_id": self.env.uid,
        } for partner in self])
        for partner in self:
            self.env["autorepair.privacy.log"]._log(
                "consent" if granted else "opt_out", model=self._name, partner=partner,
                field_names=[PURPOSE_FIELD[purpose]], record_count=1, note=purpose)
        self.invalidate_recordset(list(CONSENT_INPUTS))
        if purpose == "marketing":
            self._consent_sync_blacklists(listed=not granted)

    def _consent_sync_blacklists(self, listed):
        """Put the customers' numbers and addresses on Odoo's phone and mail
        blacklists (``listed``) or take them off, so that Odoo's own SMS and
        email composers skip an opted-out customer in mass mode as the suite
        does. An address another opted-out customer shares stays listed."""
        partners = self.sudo()
        numbers, emails = set(), set()
        for partner in partners:
            for number in (partner.mobile, partner.phone):
                sanitized = number and (partner._phone_format(number=number) or number)
                if sanitized:
                    numbers.add(sanitized)
            if partner.email_normalized:
                emails.add(partner.email_normalized)
        if not listed and (numbers or emails):
            still_out = self.sudo().search([
                ("id", "not in", partners.ids), ("marketing_opt_out", "=", True),
                "|", "|", "|", ("mobile", "in", list(numbers)), ("phone", "in", list(numbers)),
                ("phone_sanitized", "in", list(numbers)), ("email_normalized", "in", list(emails)),
            ])
            numbers -= {number for partner in still_out for number in (partner.mobile, partner.phone,
                                                                       partner.phone_sanitized)}
            emails -= set(still_out.mapped("email_normalized"))
        message = (self.env._("The customer opted out of marketing.") if listed
                   else self.env._("The customer consented to marketing again."))
        if numbers:
            PhoneBlacklist = self.env["phone.blacklist"].sudo()
            (PhoneBlacklist._add if listed else PhoneBlacklist._remove)(sorted(numbers), message=message)
        MailBlacklist = self.env["mail.blacklist"].sudo()
        for email in sorted(emails):
            (MailBlacklist._add if listed else MailBlacklist._remove)(email, message=message)

    def init(self):
        result = super().init()
        # ILIKE '%0921%' is estimated from the column's most common values: with
        # the default 100 a fragment found in one of them counts as 1% of the
        # partners and PostgreSQL walks the name index instead of the trigram one
        # (0.2-1 s instead of milliseconds at 200,000 customers)
        self.env.cr.execute(
            "ALTER TABLE res_partner ALTER COLUMN mobile SET STATISTICS 1000, "
            "ALTER COLUMN phone SET STATISTICS 1000"
        )
        return result

    def _autorepair_normalise_vals(self, vals, is_customer):
        """Store a customer's phones in E.164 and the resident ID in its canonical
        form; refuse what cannot be a valid number. Other contacts are left as typed."""
        if not is_customer:
            return
        for fname, mobile_only in (("mobile", True), ("phone", False)):
            if vals.get(fname):
                try:
                    vals[fname] = normalize_phone(vals[fname], mobile_only=mobile_only)
                except InvalidInput as exc:
                    raise ValidationError(self.env._(exc.message)) from None
        if vals.get("resident_id_number"):
            try:
                vals["resident_id_number"] = check_resident_id(
                    vals["resident_id_number"], today=fields.Date.context_today(self))[0]
            except InvalidInput as exc:
                raise ValidationError(self._resident_id_error(exc, vals["resident_id_number"])) from None

    def _resident_id_error(self, exc, raw):
        """The refusal of an invalid resident ID, the number masked: Odoo's
        server log keeps the message of every refused request."""
        text = self.env._(exc.message)
        number = normalize_resident_id(raw)
        if len(number) > 4:
            text = text.replace(number, "*" * (len(number) - 4) + number[-4:])
        return text

    # ------------------------------------------------------------------- actions

    def action_view_autorepair_vehicles(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_crm.fleet_vehicle_action")
        action["domain"] = [("owner_id", "=", self.id)]
        action["context"] = {"default_owner_id": self.id}
        return action

    def action_loyalty_redeem(self, points, description):
        """Redeem a customer's points for a voucher or a service from his
        form (at settlement, the order applies the points program's reward):
        refused when the balance is short."""
        self.ensure_one()
        if not self.env.user.has_group("autorepair_crm.group_user"):
            raise AccessError(self.env._("Only after-sales staff may redeem a customer's points."))
        self.check_access("read")
        if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
            raise UserError(self.env._("Redeem a positive whole number of points."))
        if not description:
            raise UserError(self.env._("Say what the points are redeemed for."))
        self._autorepair_points_card()._autorepair_points_move(
            -points, self.env._("Redeemed: %(what)s", what=description), record=self, allow_negative=False)
        return True

    # ------------------------------------------------------------ value classes

    @api.model
    def _value_class_thresholds(self, company):
        setting = company._autorepair_crm_setting
        return Thresholds(
            a_visits=setting("abc_a_visits"),
            a_spend=setting("abc_a_spend"),
            b_visits=setting("abc_b_visits"),
            b_spend=setting("abc_b_spend"),
        )

    @api.model
    def _value_class_window_start(self, company):
        months = company._autorepair_crm_setting("abc_window_months")
        return fields.Date.context_today(self) - relativedelta(months=months)

    @api.model
    def _value_class_stats(self, date_from, domain=None):
        """Visits and spend per customer since date_from: each posted customer
        invoice is a visit, spend is the untaxed amount net of credit notes.
        ``domain`` narrows the invoices (a customer, a company)."""
        Move = self.env["account.move"].sudo()
        domain = [("state", "=", "posted"), ("invoice_date", ">=", date_from), *(domain or [])]
        visits = dict(Move._read_group(
            domain + [("move_type", "=", "out_invoice")], ["commercial_partner_id"], ["__count"]
        ))
        spend = dict(Move._read_group(
            domain + [("move_type", "in", ("out_invoice", "out_refund"))],
            ["commercial_partner_id"], ["amount_untaxed_signed:sum"],
        ))
        stats = defaultdict(lambda: (0, 0.0))
        for partner in visits.keys() | spend.keys():
            stats[partner.id] = (visits.get(partner, 0), spend.get(partner, 0.0))
        return stats

    @api.model
    def _recompute_value_class(self):
        """Set-based A/B/C recomputation for every customer: two grouped reads
        per trailing window of the companies' settings, then one write per class
        over the customers whose class changed."""
        customers = self.sudo().with_context(active_test=False).search_fetch(
            [("is_autorepair_customer", "=", True)], ["value_class", "company_id"]
        )
        changed = defaultdict(list)
        stats_since = {}
        # each company's window and thresholds; a customer of no company has the current one's
        for company, partners in customers.grouped(lambda p: p.company_id or self.env.company).items():
            thresholds = self._value_class_thresholds(company)
            date_from = self._value_class_window_start(company)
            if date_from not in stats_since:
                stats_since[date_from] = self._value_class_stats(date_from)
            for partner in partners:
                new_class = classify(*stats_since[date_from][partner.id], thresholds)
                if new_class != partner.value_class:
                    changed[new_class].append(partner.id)
        for value_class, ids in changed.items():
            # nothing of this write is tracked: skip mail's tracking preparation
            self.sudo().with_context(tracking_disable=True).browse(ids).write({"value_class": value_class})
        return {value_class: len(ids) for value_class, ids in changed.items()}

    @api.model
    def _cron_recompute_value_class(self):
        self._recompute_value_class()

    # ------------------------------------------------------------ loyalty types

    def _check_loyalty_type_write(self, vals):
        """The loyalty type follows the history (system-written) or a
        manager's override with its reason: nobody else sets it, by any path."""
        if any(fname in vals for fname in ("loyalty_type", "loyalty_type_auto")):
            raise AccessError(self.env._(
                "The loyalty type follows the customer's visits and the lost-customer lists; "
                "a manager may override it with a reason."))
        if any(fname in vals for fname in LOYALTY_OVERRIDE_FIELDS) \
                and not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a service manager may override a customer's loyalty type."))

    @api.model
    def _autorepair_loyalty_types(self, partners):
        """{partner id: loyalty type or False} from the history, for the
        customers ``partners``. The customer file alone holds no visits: the
        workshop and the care department say (autorepair_care)."""
        return {}

    @api.model
    def _autorepair_set_loyalty_type(self, partners=None):
        """Recompute the loyalty type from the history of ``partners`` (every
        customer when None), writing only the changes, one write per type.

        :return: {loyalty type: number of customers moved to it}
        """
        Partner = self.sudo().with_context(active_test=False)
        if partners is None:
            partners = Partner.search_fetch([("is_autorepair_customer", "=", True)], ["loyalty_type_auto"])
        else:
            partners = Partner.browse(partners.ids).filtered("is_autorepair_customer")
        types = self._autorepair_loyalty_types(partners)
        changed = defaultdict(list)
        for partner in partners:
            new_type = types.get(partner.id, False)
            if new_type != partner.loyalty_type_auto:
                changed[new_type].append(partner.id)
        for loyalty_type, ids in changed.items():
            Partner.browse(ids).write({"loyalty_type_auto": loyalty_type})
        return {loyalty_type: len(ids) for loyalty_type, ids in changed.items()}

    @api.model
    def _cron_recompute_loyalty_type(self):
        return self._autorepair_set_loyalty_type()
