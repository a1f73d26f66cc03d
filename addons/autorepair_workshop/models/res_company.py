import ipaddress
from urllib.parse import urlsplit

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .account_journal import PAYMENT_METHODS

# The quality guarantee of the Ministry of Transport's order 2016 No. 37 (机动车维修管理规定,
# art. 38) per JT/T 1133 repair category: (days, km) from completion, whichever comes first.
# A shop may promise more, never less.
GUARANTEE_MINIMUMS = {
    "vehicle_overhaul": (100, 20000),
    "assembly_overhaul": (100, 20000),
    "second_maintenance": (30, 5000),
    "special_repair": (30, 5000),
    "first_maintenance": (10, 2000),
    "minor_repair": (10, 2000),
}

# Every workshop setting and its default, in one table. A key with a company
# field ``autorepair_workshop_<key>`` is a business number of each company
# (Settings); any other key is a system parameter ``autorepair_workshop.<key>``.
SETTINGS = {
    # per company: the price of one hour of labour, mechanical work's and any labour's without a category
    "labour_rate": 0.0,
    # what one clocked hour of a technician costs the workshop (工时成本): the labour cost of the margin
    "labour_cost_rate": 0.0,
    # per company: the hour of the other categories of the labour catalogue (0: the labour rate above)
    "labour_rate_electrical": 0.0,
    "labour_rate_body": 0.0,
    "labour_rate_paint": 0.0,
    "appointment_default_hours": 1.0,
    "followup_delay_hours": 24,
    "csi_low_score": 2,
    # goodwill (free) lines of one order worth more than this are granted by a service manager only
    "goodwill_approval_amount": 500.0,
    # per company: days a quote's portal link (sent by SMS or e-mail) stays valid
    "portal_link_days": 7,
    # per company: the address customers open the links of SMS, e-mails and QR codes on
    # (empty: the server's own web.base.url, often localhost behind a proxy)
    "public_url": "",
    # system parameters: how many orders are settled in the request, and per background chunk
    "settlement_inline_limit": 50,
    "settlement_batch_size": 100,
    # system parameters: decisions tried on the portal per link and per address within the window
    "portal_decision_attempts": 5,
    "portal_decision_window_minutes": 10,
    # per company: the shop's filing number with the transport authority (备案号), on the JT/T 1133 statement
    "registration_number": "",
    # per company: the quality guarantee (质量保证期) of each repair category, days and km from completion,
    # whichever comes first; never below GUARANTEE_MINIMUMS
    **{f"guarantee_{key}_{category}": value
       for category, (days, km) in GUARANTEE_MINIMUMS.items() for key, value in (("days", days), ("km", km))},
    # per company: a customer moves or cancels his booking on the portal up to this many hours before it
    "portal_booking_change_hours": 24,
    # system parameter: the free slots offered on the portal start every this many minutes
    "booking_slot_minutes": 30,
}


def is_local_address(url):
    """Whether ``url`` points at a machine a customer's phone cannot reach:
    localhost, a private network (192.168.x.x, 10.x.x.x), no host at all."""
    host = urlsplit(url or "").hostname
    if not host:
        return True
    if host == "localhost" or host.endswith((".localhost", ".local", ".lan")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # an intranet name such as "odoo"
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified


class ResCompany(models.Model):
    _inherit = "res.company"

    autorepair_workshop_labour_rate = fields.Float(
        string="Labour Rate (per hour)", default=SETTINGS["labour_rate"],
        help="Price of one standard hour of mechanical work, and of labour outside the catalogue; "
        "0 takes the labour product's price.",
    )
    autorepair_workshop_labour_rate_electrical = fields.Float(
        string="Electrical Labour Rate (per hour)", default=SETTINGS["labour_rate_electrical"],
        help="Price of one standard hour of electrical work; 0 takes the labour rate.",
    )
    autorepair_workshop_labour_rate_body = fields.Float(
        string="Body Labour Rate (per hour)", default=SETTINGS["labour_rate_body"],
        help="Price of one standard hour of body work; 0 takes the labour rate.",
    )
    autorepair_workshop_labour_rate_paint = fields.Float(
        string="Paint Labour Rate (per hour)", default=SETTINGS["labour_rate_paint"],
        help="Price of one standard hour of paint work; 0 takes the labour rate.",
    )
    autorepair_workshop_labour_cost_rate = fields.Float(
        string="Labour Cost (per hour)", default=SETTINGS["labour_cost_rate"],
        help="What one clocked hour of a technician costs the workshop: the labour cost of an order's margin.",
    )
    autorepair_workshop_appointment_default_hours = fields.Float(
        string="Default Appointment Length (hours)", default=SETTINGS["appointment_default_hours"])
    autorepair_workshop_followup_delay_hours = fields.Integer(
        string="Follow-up Call After (hours)", default=SETTINGS["followup_delay_hours"])
    autorepair_workshop_csi_low_score = fields.Integer(
        string="Low Score Threshold", default=SETTINGS["csi_low_score"],
        help="A follow-up with any answer at or below this score marks the order for a complaint.",
    )

    autorepair_workshop_goodwill_approval_amount = fields.Float(
        string="Goodwill Approval Above", default=SETTINGS["goodwill_approval_amount"],
        help="Goodwill (free) lines of one order worth more than this in total are granted by a service manager; "
        "an advisor grants up to it on his own right.",
    )

    autorepair_workshop_portal_link_days = fields.Integer(
        string="Quote Link Valid For (days)", default=SETTINGS["portal_link_days"],
        help="The link sent with a quote opens it without logging in for this many days, "
        "and no longer once the quote is decided.",
    )

    autorepair_workshop_public_url = fields.Char(
        string="Customer Link Address", default=SETTINGS["public_url"],
        help="The public address of the service portal, e.g. https://service.example.com: the quote links of "
        "SMS and e-mails and the QR code shown at the desk open on it. Empty: the server's own address.",
    )

    autorepair_workshop_registration_number = fields.Char(
        string="Repair Registration Number", default=SETTINGS["registration_number"],
        help="The shop's filing number (备案号) with the road transport authority, printed on the settlement "
        "statement and the completion certificate.",
    )
    # quality guarantee per repair category (order 2016 No. 37): days and km from completion
    autorepair_workshop_guarantee_days_vehicle_overhaul = fields.Integer(
        string="Guarantee Days: Vehicle Overhaul", default=SETTINGS["guarantee_days_vehicle_overhaul"])
    autorepair_workshop_guarantee_km_vehicle_overhaul = fields.Integer(
        string="Guarantee km: Vehicle Overhaul", default=SETTINGS["guarantee_km_vehicle_overhaul"])
    autorepair_workshop_guarantee_days_assembly_overhaul = fields.Integer(
        string="Guarantee Days: Assembly Overhaul", default=SETTINGS["guarantee_days_assembly_overhaul"])
    autorepair_workshop_guarantee_km_assembly_overhaul = fields.Integer(
        string="Guarantee km: Assembly Overhaul", default=SETTINGS["guarantee_km_assembly_overhaul"])
    autorepair_workshop_guarantee_days_second_maintenance = fields.Integer(
        string="Guarantee Days: Second-Level Maintenance", default=SETTINGS["guarantee_days_second_maintenance"])
    autorepair_workshop_guarantee_km_second_maintenance = fields.Integer(
        string="Guarantee km: Second-Level Maintenance", default=SETTINGS["guarantee_km_second_maintenance"])
    autorepair_workshop_guarantee_days_special_repair = fields.Integer(
        string="Guarantee Days: Special Repair", default=SETTINGS["guarantee_days_special_repair"])
    autorepair_workshop_guarantee_km_special_repair = fields.Integer(
        string="Guarantee km: Special Repair", default=SETTINGS["guarantee_km_special_repair"])
    autorepair_workshop_guarantee_days_first_maintenance = fields.Integer(
        string="Guarantee Days: First-Level Maintenance", default=SETTINGS["guarantee_days_first_maintenance"])
    autorepair_workshop_guarantee_km_first_maintenance = fields.Integer(
        string="Guarantee km: First-Level Maintenance", default=SETTINGS["guarantee_km_first_maintenance"])
    autorepair_workshop_guarantee_days_minor_repair = fields.Integer(
        string="Guarantee Days: Minor Repair", default=SETTINGS["guarantee_days_minor_repair"])
    autorepair_workshop_guarantee_km_minor_repair = fields.Integer(
        string="Guarantee km: Minor Repair", default=SETTINGS["guarantee_km_minor_repair"])
    autorepair_workshop_portal_booking_change_hours = fields.Float(
        string="Online Booking Changes Up To (hours)", default=SETTINGS["portal_booking_change_hours"],
        help="A customer moves or cancels his booking on the portal up to this many hours before it; "
        "after that he calls the shop.",
    )

    # the parts store's issue operation (领料) and where issued parts are consumed (车间耗用)
    autorepair_parts_picking_type_id = fields.Many2one(
        "stock.picking.type", string="Parts Issue Operation", check_company=True,
        help="Issues parts from the parts store to the workshop against service orders.",
    )
    autorepair_consumption_location_id = fields.Many2one(
        "stock.location", string="Workshop Consumption Location", check_company=True,
        help="Where issued parts go: leaving the store they are booked to the cost of goods sold.",
    )

    # stored-value cards: the prepaid money customers hold (预收账款 / 合同负债) and what the top-up bonus costs
    autorepair_prepaid_account_id = fields.Many2one(
        "account.account", string="Prepaid Cards Account", check_company=True, ondelete="restrict",
        help="Liability the top-ups of stored-value cards are credited to and their use on orders debited from: "
        "its balance is what the cards hold.",
    )
    autorepair_card_bonus_account_id = fields.Many2one(
        "account.account", string="Top-up Bonus Account", check_company=True, ondelete="restrict",
        help="Selling expense the bonus of a top-up is booked to (and back from when a refund forfeits it).",
    )

    @api.constrains("autorepair_workshop_public_url")
    def _check_autorepair_workshop_public_url(self):
        for company in self.filtered("autorepair_workshop_public_url"):
            parts = urlsplit(company.autorepair_workshop_public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise ValidationError(self.env._(
                    "The customer link address is a web address such as https://service.example.com."))

    @api.constrains(*(f"autorepair_workshop_guarantee_{key}_{category}"
                      for category in GUARANTEE_MINIMUMS for key in ("days", "km")))
    def _check_autorepair_workshop_guarantee(self):
        labels = dict(self.env["autorepair.service.order"]._fields["repair_category"]._description_selection(self.env))
        for company in self:
            for category, (days, km) in GUARANTEE_MINIMUMS.items():
                if (company[f"autorepair_workshop_guarantee_days_{category}"] < days
                        or company[f"autorepair_workshop_guarantee_km_{category}"] < km):
                    raise ValidationError(self.env._(
                        "The quality guarantee of %(category)s is at least %(days)s days or %(km)s km from "
                        "completion (Ministry of Transport order 2016 No. 37): a shop may promise more, never less.",
                        category=labels[category], days=days, km=km))

    def _autorepair_workshop_guarantee(self, category):
        """(days, km) this company guarantees a repair of ``category`` for."""
        return (self._autorepair_workshop_setting(f"guarantee_days_{category}"),
                self._autorepair_workshop_setting(f"guarantee_km_{category}"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._autorepair_workshop_clean_url(vals)
        companies = super().create(vals_list)
        companies._autorepair_workshop_stock_setup()
        return companies

    def write(self, vals):
        self._autorepair_workshop_clean_url(vals)
        return super().write(vals)

    @api.model
    def _autorepair_workshop_clean_url(self, vals):
        # links are built as address + /my/..., whether the address was typed with a final slash or not
        if vals.get("autorepair_workshop_public_url"):
            vals["autorepair_workshop_public_url"] = vals["autorepair_workshop_public_url"].strip().rstrip("/")

    def _autorepair_workshop_link_base(self, public_url=None):
        """The address the customer links of this company open on: its public
        address (or ``public_url``, as typed in Settings), else the server's."""
        self.ensure_one()
        if public_url is None:
            public_url = self._autorepair_workshop_setting("public_url")
        return (public_url or "").rstrip("/") or self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""

    def _autorepair_workshop_link_warning(self, public_url=None):
        """Why a customer's phone could not open this company's links, or False."""
        self.ensure_one()
        base = self._autorepair_workshop_link_base(public_url)
        if not is_local_address(base):
            return False
        return self.env._(
            "Customer links point at %(address)s, which a customer's phone cannot open. Set the customer link "
            "address in Settings > After-Sales > Workshop.", address=base or "-")

    @api.constrains("autorepair_workshop_portal_link_days")
    def _check_autorepair_workshop_portal_link_days(self):
        if any(company.autorepair_workshop_portal_link_days < 1 for company in self):
            raise ValidationError(self.env._("A quote link is valid for at least one day."))

    @api.constrains(
        "autorepair_workshop_goodwill_approval_amount",
        "autorepair_workshop_csi_low_score",
        "autorepair_workshop_followup_delay_hours", "autorepair_workshop_labour_rate",
        "autorepair_workshop_labour_rate_electrical", "autorepair_workshop_labour_rate_body",
        "autorepair_workshop_labour_rate_paint", "autorepair_workshop_appointment_default_hours",
        "autorepair_workshop_labour_cost_rate", "autorepair_workshop_portal_booking_change_hours",
    )
    def _check_autorepair_workshop(self):
        for company in self:
            if not 1 <= company.autorepair_workshop_csi_low_score <= 5:
                raise ValidationError(self.env._("The low score threshold is a score from 1 to 5."))
            rates = (company.autorepair_workshop_labour_rate, company.autorepair_workshop_labour_rate_electrical,
                     company.autorepair_workshop_labour_rate_body, company.autorepair_workshop_labour_rate_paint)
            if (company.autorepair_workshop_followup_delay_hours < 0 or min(rates) < 0
                    or company.autorepair_workshop_labour_cost_rate < 0
                    or company.autorepair_workshop_goodwill_approval_amount < 0
                    or company.autorepair_workshop_portal_booking_change_hours < 0
                    or company.autorepair_workshop_appointment_default_hours <= 0):
                raise ValidationError(self.env._("Service settings cannot be negative."))

    def _autorepair_workshop_setting(self, key):
        """A workshop setting (see ``SETTINGS``) of this company, or of the
        current one when empty."""
        return self._autorepair_setting("autorepair_workshop", SETTINGS, key)

    def _autorepair_workshop_labour_rate(self, category=False):
        """The price of one standard hour of a labour category (see
        ``LABOUR_CATEGORIES``) in this company, or the current one: the
        category's own rate, else the labour rate (mechanical work, labour
        without a category). 0: none set, the labour product's price applies."""
        rate = category and category != "mechanical" and self._autorepair_workshop_setting(f"labour_rate_{category}")
        return rate or self._autorepair_workshop_setting("labour_rate")

    def _autorepair_workshop_vat(self, rate=13.0, name=None):
        """The dealer's VAT on parts and labour (13% in China): a sale tax at
        that rate, made the company's default sales tax and put on the
        workshop's products, so that quote lines, invoices and statements
        carry it. A Chinese company's own chart (l10n_cn) already has it: it
        is found, not duplicated; otherwise the chart's default sales tax is
        copied at that rate (same accounts and tax grids). Idempotent."""
        Tax = self.env["account.tax"].sudo()
        templates = self.env["product.template"].sudo()
        for xmlid in ("product_labour", "product_part", "product_other"):
            product = self.env.ref(f"autorepair_workshop.{xmlid}", raise_if_not_found=False)
            templates |= product.product_tmpl_id if product else templates.browse()
        if parts := self.env.ref("autorepair_workshop.product_category_parts", raise_if_not_found=False):
            templates |= templates.search([("categ_id", "child_of", parts.id)])
        for company in self:
            default = company.account_sale_tax_id
            if not default:
                continue  # no chart of accounts: nothing to invoice with yet
            tax = Tax.search([
                ("company_id", "=", company.id),
                ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent"), ("amount", "=", rate),
            ], limit=1)
            if not tax:
                tax = default.copy({"name": name or f"{rate:g}%", "amount": rate, "invoice_label": f"{rate:g}%"})
            company.account_sale_tax_id = tax
            for template in templates:
                template.taxes_id = template.taxes_id.filtered(lambda t, c=company: t.company_id != c) | tax

    def _autorepair_member_card_accounts(self):
        """{"prepaid": liability, "bonus": expense} of this company's
        stored-value cards: those of Settings, else created (a current
        liability 预收储值卡款 next to the chart's 2203) or found (the
        chart's expense account) and kept in Settings. Idempotent."""
        self.ensure_one()
        company = self.sudo()
        if not company.chart_template:
            raise UserError(self.env._("Install a chart of accounts before selling stored-value cards."))
        Account = self.env["account.account"].sudo().with_company(company)
        if not company.autorepair_prepaid_account_id:
            shop = self.with_context(lang=company.partner_id.lang or self.env.lang)
            company.autorepair_prepaid_account_id = Account.create({
                "name": shop.env._("Prepaid Member Cards"),
                "code": Account._search_new_account_code("220300"),
                "account_type": "liability_current",
                "company_ids": [Command.link(company.id)],
            })
        if not company.autorepair_card_bonus_account_id:
            expense = self.env["account.chart.template"].with_company(company).ref("expense", raise_if_not_found=False)
            company.autorepair_card_bonus_account_id = expense or Account.search(
                [*Account._check_company_domain(company), ("account_type", "=", "expense")], limit=1)
        return {"prepaid": company.autorepair_prepaid_account_id, "bonus": company.autorepair_card_bonus_account_id}

    def _autorepair_cashier_journals(self):
        """{method: journal} of this company's cashier payment methods (现金, 银联刷卡,
        微信支付, 支付宝, 银行转账; PAYMENT_METHODS), each its own journal, created
        the first time (named in the company's languages). Idempotent."""
        self.ensure_one()
        company = self.sudo()
        if not company.chart_template:
            raise UserError(self.env._("Install a chart of accounts before taking payments at the cashier's desk."))
        Journal = self.env["account.journal"].sudo().with_company(company)
        journals = {journal.autorepair_payment_method: journal for journal in Journal.search([
            ("company_id", "=", company.id), ("autorepair_payment_method", "!=", False)])}
        if all(key in journals for key, *__ in PAYMENT_METHODS):
            return journals
        langs = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        taken = set(Journal.with_context(active_test=False).search([("company_id", "=", company.id)]).mapped("code"))
        for key, label, journal_type, code in PAYMENT_METHODS:
            if key in journals:
                continue
            unique_code = next(f"{code}{i or ''}" for i in range(100) if f"{code}{i or ''}" not in taken)
            taken.add(unique_code)
            journal = Journal.with_context(lang="en_US").create({
                "name": label, "code": unique_code, "type": journal_type, "company_id": company.id,
                "autorepair_payment_method": key,
            })
            # named like the method in each language, once the module's terms are loaded
            names = {lang: self._autorepair_payment_method_label(key, lang) for lang in langs}
            journal.update_field_translations("name", {lang: name for lang, name in names.items() if name != label})
            journals[key] = journal
        return journals

    def _autorepair_ensure_cashier_journals(self):
        """The cashier's journals of those of these companies that have a chart of
        accounts; the others get them with their chart (account.chart.template
        _post_load_data): a demo or an install may come before the chart."""
        for company in self.filtered("chart_template"):
            company._autorepair_cashier_journals()
        return True

    def _autorepair_payment_method_label(self, key, lang):
        field = self.env["account.journal"]._fields["autorepair_payment_method"]
        return dict(field._description_selection(self.with_context(lang=lang).env))[key]

    def _autorepair_parts_store(self):
        """The parts stores of these companies: where their parts issue
        operation takes parts from (read as the system: advisors quoting a part
        or printing the parts list have no stock rights)."""
        return self.sudo().autorepair_parts_picking_type_id.default_location_src_id

    def _autorepair_workshop_stock_setup(self):
        """The parts store of each company (its main warehouse's stock), the
        workshop consumption location that issued parts go to, the issue
        operation between them, and the parts category valued in real time
        at average cost. Issued parts are booked from stock valuation to the
        cost of goods sold by the location's accounts, so the accounts and the
        warehouse agree. The accounts need a chart of accounts: a company
        without one is set up again when its chart is loaded. Idempotent."""
        category = self.env.ref("autorepair_workshop.product_category_parts", raise_if_not_found=False)
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        for company in self.sudo():
            warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", company.id)], limit=1)
            if not warehouse:
                continue
            # named in the shop's language: this runs at install, before the module's terms are loaded
            shop = self.with_context(lang=company.partner_id.lang or self.env.lang)
            location = company.autorepair_consumption_location_id
            if not location:
                location = location.create({
                    "name": shop.env._("Workshop Consumption"),
                    "usage": "production",
                    "location_id": self.env.ref("stock.stock_location_locations_virtual").id,
                    "company_id": company.id,
                })
                company.autorepair_consumption_location_id = location
            if not company.autorepair_parts_picking_type_id:
                picking_type = self.env["stock.picking.type"].sudo().with_context(lang="en_US").create({
                    "name": "Parts Issue",
                    "code": "internal",
                    "sequence_code": "LL",
                    "warehouse_id": warehouse.id,
                    "company_id": company.id,
                    "default_location_src_id": warehouse.lot_stock_id.id,
                    "default_location_dest_id": location.id,
                })
                picking_type.update_field_translations("name", {
                    lang: self.with_context(lang=lang).env._("Parts Issue") for lang in langs if lang != "en_US"})
                company.autorepair_parts_picking_type_id = picking_type
            if not category or not company.chart_template:
                continue
            category = category.with_company(company)
            cogs = company._autorepair_workshop_cogs_account(category)
            if cogs and not location.valuation_in_account_id:
                location.write({"valuation_in_account_id": cogs.id, "valuation_out_account_id": cogs.id})
            if category.property_valuation != "real_time" and category.property_stock_valuation_account_id:
                category.write({"property_cost_method": "average", "property_valuation": "real_time"})

    def _autorepair_workshop_cogs_account(self, category):
        """The cost-of-goods-sold account issued parts are booked to: the parts
        category's expense account when it is a direct cost (l10n_cn: 6401
        主营业务成本), else the chart's own cost of goods sold (the generic
        chart's expense account is 6000 Expenses, its COGS 5000), else that
        expense account all the same."""
        self.ensure_one()
        expense = category.with_company(self).property_account_expense_categ_id
        if expense.account_type == "expense_direct_cost":
            return expense
        cogs = self.env["account.chart.template"].with_company(self).ref("cost_of_goods_sold", raise_if_not_found=False)
        return cogs if cogs and not cogs.deprecated else expense
