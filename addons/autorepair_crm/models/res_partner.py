from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import InvalidInput, check_resident_id, mask_phone, normalize_phone
from ..tools.value_class import Thresholds, classify
from .autorepair_customer_data_mixin import duplicate_error
from .base import CONTACT_MASKED

# Odoo's invoicing groups: the partner's invoice fields (account) read journal
# entries, which no after-sales role below the advisor may read
INVOICING = "account.group_account_invoice,account.group_account_readonly"


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
        [("loyal", "Loyal"), ("switcher", "Switcher"), ("lost", "Lost")], string="Loyalty", tracking=True
    )
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
    marketing_consent = fields.Boolean(tracking=True)
    marketing_consent_date = fields.Date(string="Consent Date", tracking=True)
    marketing_consent_source = fields.Selection(
        [("form", "Signed Form"), ("phone", "Phone Call"), ("wechat", "WeChat"),
         ("portal", "Customer Portal"), ("desk", "At the Desk")],
        string="Consent Source",
    )
    marketing_opt_out = fields.Boolean(
        string="Opted Out", tracking=True,
        help="The customer asked to receive no marketing at all; service reminders still go out.",
    )
    care_agent_id = fields.Many2one(
        "res.users", string="Care Agent", index=True, tracking=True, ondelete="set null",
        domain=lambda self: [("groups_id", "in", self.env.ref("autorepair_crm.group_user").ids)],
    )
    value_class = fields.Selection(
        [("A", "A"), ("B", "B"), ("C", "C")], default="C", index=True,
        help="Recomputed every night from visits and spend over the trailing window set in Settings.",
    )
    loyalty_move_ids = fields.One2many(
        "autorepair.loyalty.move", "partner_id", string="Points Ledger", groups="autorepair_crm.group_user")
    loyalty_points = fields.Integer(string="Points", compute="_compute_loyalty_points")

    # account's fields on every partner read journal entries: readable by the
    # invoicing roles only, instead of refusing the whole customer to the others
    invoice_ids = fields.One2many(groups=INVOICING)
    journal_item_count = fields.Integer(groups=INVOICING)
    supplier_invoice_count = fields.Integer(groups=INVOICING)
    days_sales_outstanding = fields.Float(groups=INVOICING)

    # ------------------------------------------------------------------ computes

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

    def _loyalty_balances(self):
        groups = self.env["autorepair.loyalty.move"].sudo()._read_group(
            [("partner_id", "in", self.ids), ("state", "=", "approved")], ["partner_id"], ["points:sum"]
        )
        return {partner.id: points for partner, points in groups}

    def _compute_loyalty_points(self):
        balances = self._loyalty_balances()
        for partner in self:
            partner.loyalty_points = balances.get(partner.id, 0)

    # --------------------------------------------------------------- constraints

    @api.constrains("resident_id_number")
    def _check_resident_id_number(self):
        for partner in self.sudo().filtered("resident_id_number"):
            try:
                check_resident_id(partner.resident_id_number, today=fields.Date.context_today(partner))
            except InvalidInput as exc:
                raise ValidationError(self.env._(exc.message)) from None

    @api.constrains("marketing_consent", "marketing_opt_out")
    def _check_consent(self):
        for partner in self:
            if partner.marketing_consent and partner.marketing_opt_out:
                raise ValidationError(
                    self.env._("%(customer)s has opted out: withdraw the consent as well.",
                               customer=partner.display_name)
                )

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
        return super().create(vals_list)

    def write(self, vals):
        # only contact fields are normalised: reading the flag otherwise would load
        # every column of every record written (the nightly value-class batch)
        if any(vals.get(fname) for fname in ("mobile", "phone", "resident_id_number")):
            is_customer = vals.get("is_autorepair_customer", any(self.mapped("is_autorepair_customer")))
            self._autorepair_normalise_vals(vals, is_customer)
        return super().write(vals)

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
                raise ValidationError(self.env._(exc.message)) from None

    # ------------------------------------------------------------------- actions

    def action_view_autorepair_vehicles(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_crm.fleet_vehicle_action")
        action["domain"] = [("owner_id", "=", self.id)]
        action["context"] = {"default_owner_id": self.id}
        return action

    def action_loyalty_redeem(self, points, description):
        """Redeem a customer's points (a voucher, a service): the only way
        points leave a balance, refused when the balance is short."""
        self.ensure_one()
        if not self.env.user.has_group("autorepair_crm.group_user"):
            raise AccessError(self.env._("Only after-sales staff may redeem a customer's points."))
        self.check_access("read")
        self.env["autorepair.loyalty.move"]._redeem(self, points, description)
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
    def _value_class_stats(self, date_from):
        """Visits and spend per customer since date_from: each posted customer
        invoice is a visit, spend is the untaxed amount net of credit notes."""
        Move = self.env["account.move"].sudo()
        domain = [("state", "=", "posted"), ("invoice_date", ">=", date_from)]
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
