import re

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from .autorepair_service_order import DELIVERED_STATES, MARGIN_READERS, fmt

DECISIONS = [
    ("pending", "Awaiting Decision"),
    ("approved", "Approved"),
    ("alternative", "Alternative Approved"),
    ("declined", "Declined"),
    ("deferred", "Deferred"),
]
APPROVED = ("approved", "alternative")
# what the customer was shown and signed for may not change afterwards (RULEBOOK §3.7)
FROZEN_FIELDS = {
    "order_id", "quote_id", "name", "product_id", "part_number", "is_oem", "quantity", "price_unit", "tax_ids",
    "bill_to", "line_type", "alt_type", "alt_product_id", "alt_description", "alt_price_unit", "risk_note",
    "package_id", "labour_operation_id", "price_override_reason", "discount",
}


class AutorepairServiceOrderLine(models.Model):
    """One itemised line of a quote (报价): labour at the maker's standard hours
    times the rate, a part (OEM marked) or another charge, with an optional
    alternative (aftermarket part or deferral) and the customer's decision."""

    _name = "autorepair.service.order.line"
    _description = "Service Order Line"
    _inherit = ["autorepair.workflow.mixin"]
    _order = "order_id, sequence, id"
    _check_company_auto = True
    # the customer's decision and the work done are recorded by their steps; the parts issued
    # follow from the stock moves (computed)
    _workflow_fields = frozenset({"decision", "decided_on", "work_state", "recommendation_state"})
    _workflow_initial = {"decision": "pending", "work_state": "todo"}

    order_id = fields.Many2one(
        "autorepair.service.order", required=True, ondelete="cascade", index=True
    )
    quote_id = fields.Many2one(
        "autorepair.service.quote", string="Quote", ondelete="restrict", index=True, copy=False,
        help="The quote round that asked the customer's approval for this line.",
    )
    quote_state = fields.Selection(related="quote_id.state", string="Quote Status")
    order_state = fields.Selection(related="order_id.state", string="Order Status")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    vehicle_id = fields.Many2one(related="order_id.vehicle_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    line_type = fields.Selection(
        [("labour", "Labour"), ("part", "Part"), ("other", "Other Charge")], required=True, default="labour"
    )
    product_id = fields.Many2one(
        "product.product", string="Item", required=True, ondelete="restrict", check_company=True,
        compute="_compute_product_id", store=True, readonly=False, precompute=True,
    )
    name = fields.Char(string="Description", required=True, compute="_compute_name", store=True,
                       readonly=False, precompute=True)
    # a catalogue part fills them; typed by hand on the generic part
    part_number = fields.Char(compute="_compute_part_fields", store=True, readonly=False, precompute=True)
    is_oem = fields.Boolean(
        string="OEM", help="Original part of the maker (原厂件).",
        compute="_compute_part_fields", store=True, readonly=False, precompute=True)
    # labour from the catalogue (工时项目): the maker's standard hours for the car's model at the category's rate
    labour_operation_id = fields.Many2one(
        "autorepair.labour.operation", ondelete="restrict", index="btree_not_null",
        check_company=True, compute="_compute_labour_operation_id", store=True, readonly=False, precompute=True,
        copy=True,
    )
    catalogue_hours = fields.Float(
        digits="Product Unit of Measure", compute="_compute_catalogue", store=True, precompute=True,
        help="The maker's standard hours of the operation for the car's model when it was quoted.",
    )
    catalogue_price_unit = fields.Float(
        string="Catalogue Rate", digits="Product Price", compute="_compute_catalogue", store=True, precompute=True,
        help="The company's rate of the operation's category when it was quoted.",
    )
    is_price_overridden = fields.Boolean(
        string="Price Overridden", compute="_compute_is_price_overridden", store=True, precompute=True,
        help="The hours or the price differ from the labour catalogue's.",
    )
    price_override_reason = fields.Char(
        string="Override Reason", help="Why the hours or the price differ from the labour catalogue's.",
    )
    package_id = fields.Many2one(
        "autorepair.service.package", string="Maintenance Package", ondelete="restrict", index="btree_not_null",
        copy=False, help="The maintenance package this line was quoted in.",
    )
    quantity = fields.Float(
        string="Quantity / Hours", required=True, digits="Product Unit of Measure",
        compute="_compute_quantity", store=True, readonly=False, precompute=True, copy=True,
        help="Hours for labour: the maker's standard time.",
    )
    price_unit = fields.Float(
        string="Unit Price", digits="Product Price", compute="_compute_price_unit", store=True,
        readonly=False, precompute=True,
    )
    discount = fields.Float(
        string="Discount (%)", digits="Discount", compute="_compute_discount", store=True, readonly=False,
        precompute=True,
        help="The customer's member level discount on labour or parts; frozen once the line is quoted.")
    tax_ids = fields.Many2many(
        "account.tax", string="Taxes", compute="_compute_tax_ids", store=True, readonly=False,
        precompute=True, check_company=True, domain="[('type_tax_use', '=', 'sale')]",
    )
    bill_to = fields.Selection(
        [("customer", "Customer"), ("warranty", "Warranty (Maker)"), ("goodwill", "Goodwill (Free)")],
        required=True, default="customer",
    )
    alt_type = fields.Selection(
        [("aftermarket", "Aftermarket Part"), ("deferral", "Deferral")], string="Alternative",
        compute="_compute_alt_offer", store=True, readonly=False, precompute=True,
    )
    alt_product_id = fields.Many2one(
        "product.product", string="Alternative Part", ondelete="restrict", check_company=True,
        compute="_compute_alt_product_id", store=True, readonly=False, precompute=True,
        help="The aftermarket part (副厂件) offered instead of the original: the part issued when the "
             "customer takes the alternative.")
    alt_description = fields.Char(
        string="Alternative Offered", compute="_compute_alt_offer", store=True, readonly=False, precompute=True)
    alt_price_unit = fields.Float(
        string="Alternative Price", digits="Product Price",
        compute="_compute_alt_offer", store=True, readonly=False, precompute=True)
    alt_difference = fields.Monetary(
        compute="_compute_alt_difference", string="Saving",
        help="What the customer saves by taking the alternative.",
    )
    risk_note = fields.Char(
        string="Risk Stated", help="What the customer risks with the alternative or by declining.",
        compute="_compute_alt_offer", store=True, readonly=False, precompute=True)
    decision = fields.Selection(DECISIONS, default="pending", required=True, copy=False, index=True)
    is_approved = fields.Boolean(compute="_compute_is_approved", store=True, index=True)
    decided_on = fields.Datetime(readonly=True, copy=False)
    price_subtotal = fields.Monetary(compute="_compute_amounts", store=True, string="Subtotal")
    price_tax = fields.Monetary(compute="_compute_amounts", store=True, string="Tax")
    price_total = fields.Monetary(compute="_compute_amounts", store=True, string="Total")
    # accident repair (事故车): the insurer's assessment (定损) of the line, before tax
    order_is_insurance = fields.Boolean(related="order_id.is_insurance")
    assessed_amount = fields.Monetary(
        string="Assessed (untaxed)", copy=False,
        help="What the insurer's assessor accepted for this line, before tax: the insurer pays up to it, "
             "never more than the line's amount; the customer pays the rest.")
    insurer_share = fields.Monetary(
        compute="_compute_insurance_shares", string="Insurer's Share",
        help="Before tax, after the order's deductible.")
    customer_share = fields.Monetary(compute="_compute_insurance_shares", string="Customer's Share",
                                     help="Before tax, with the order's deductible.")

    # work on the line
    # the order's booked technician does its labour unless the line names another
    technician_id = fields.Many2one(
        "res.users", string="Technician", index=True, ondelete="restrict",
        compute="_compute_technician_id", store=True, readonly=False, precompute=True,
    )
    work_state = fields.Selection(
        [("todo", "To Do"), ("running", "Running"), ("paused", "Paused"), ("done", "Done")],
        default="todo", copy=False, index=True,
    )
    work_log_ids = fields.One2many("autorepair.work.log", "line_id", string="Time Logs", copy=False)
    actual_hours = fields.Float(compute="_compute_actual_hours", store=True, string="Clocked Hours")
    move_ids = fields.One2many(
        "stock.move", "autorepair_line_id", string="Stock Moves", copy=False, groups="stock.group_stock_user")
    # the part the store hands over: the aftermarket one when the customer chose it as the alternative
    stock_product_id = fields.Many2one(
        "product.product", string="Part Issued", compute="_compute_stock_product_id", store=True)
    # the part in the store (领料/退料): issued = done moves to the workshop minus those returned
    qty_issued = fields.Float(
        string="Issued", compute="_compute_qty_issued", store=True, digits="Product Unit of Measure",
        help="Issued to the workshop by the storekeeper, less what was returned to the store.")
    qty_to_issue = fields.Float(
        string="To Issue", compute="_compute_qty_issued", store=True, digits="Product Unit of Measure",
        help="Approved and not issued yet.")
    qty_reserved = fields.Float(
        string="Reserved", compute="_compute_qty_reserved", digits="Product Unit of Measure",
        help="Held in the parts store for this line, not issued yet.")
    qty_missing = fields.Float(
        string="Missing", compute="_compute_qty_reserved", digits="Product Unit of Measure",
        help="Not in the parts store (缺件): to be ordered before the line can be issued in full.")
    # cost and margin of the line (see the order's)
    parts_cost = fields.Monetary(compute="_compute_margin", groups=MARGIN_READERS)
    labour_cost = fields.Monetary(compute="_compute_margin", groups=MARGIN_READERS)
    revenue = fields.Monetary(compute="_compute_margin", groups=MARGIN_READERS)
    margin = fields.Monetary(compute="_compute_margin", groups=MARGIN_READERS)
    margin_percent = fields.Float(string="Margin (%)", compute="_compute_margin", groups=MARGIN_READERS)
    # the part's stock at the workshop's parts store, for the advisor quoting it
    qty_available = fields.Float(
        string="On Hand", compute="_compute_part_stock", digits="Product Unit of Measure",
        help="Quantity of the part in the workshop's parts store now.")
    virtual_available = fields.Float(
        string="Forecast", compute="_compute_part_stock", digits="Product Unit of Measure",
        help="On hand plus incoming minus what is already reserved or promised.")
    # what the technician sees of the car on his job card and form
    license_plate = fields.Char(related="order_id.license_plate", string="Plate")
    vehicle_model_id = fields.Many2one(related="vehicle_id.model_id", string="Car")
    bay_id = fields.Many2one(related="order_id.bay_id")
    promised_date = fields.Datetime(related="order_id.promised_date")
    requested_work = fields.Text(related="order_id.requested_work")
    fault_codes = fields.Char(related="order_id.fault_codes")
    diagnosis = fields.Text(related="order_id.diagnosis")
    check_due = fields.Selection(related="order_id.check_due")
    can_request_check = fields.Boolean(
        compute="_compute_can_request_check",
        help="The order's approved labour is all done: the car can go to its checks.")
    recommendation_state = fields.Selection(
        [("open", "Open"), ("done", "Done Later"), ("dropped", "Dropped")],
        string="Recommendation", copy=False, index=True,
        help="Declined and deferred work stays on the vehicle until it is done or dropped.",
    )

    # ------------------------------------------------------------------ computes

    @api.depends("line_type")
    def _compute_product_id(self):
        defaults = self._default_products()
        for line in self:
            if not line.product_id or line.product_id in defaults.values():
                line.product_id = defaults.get(line.line_type)

    @api.model
    def _default_products(self):
        return {
            line_type: self.env.ref(f"autorepair_workshop.product_{line_type}", raise_if_not_found=False)
            or self.env["product.product"]
            for line_type in ("labour", "part", "other")
        }

    @api.depends("order_id.technician_id", "line_type")
    def _compute_technician_id(self):
        for line in self:
            if line.line_type == "labour" and not line.technician_id:
                line.technician_id = line.order_id.technician_id

    @api.depends("order_id.state", "order_id.line_ids.work_state", "order_id.line_ids.is_approved")
    def _compute_can_request_check(self):
        for line in self:
            order = line.order_id
            line.can_request_check = order.state == "in_progress" and not order.line_ids.filtered(
                lambda other: other.line_type == "labour" and other.is_approved and other.work_state != "done")

    @api.depends("product_id", "labour_operation_id")
    def _compute_name(self):
        for line in self:
            if line.labour_operation_id and not line._is_quoted():
                line.name = line.labour_operation_id.name
            elif line.product_id and (not line.name or line._is_catalogue_part()):
                line.name = line.product_id.name if line._is_catalogue_part() else line.product_id.display_name

    def _is_catalogue_part(self):
        """A part of the parts catalogue (its category), not the generic part."""
        self.ensure_one()
        parts = self.env.ref("autorepair_workshop.product_category_parts", raise_if_not_found=False)
        return bool(parts) and self.line_type == "part" and bool(self.product_id) \
            and self.product_id.categ_id.parent_path.startswith(parts.parent_path)

    @api.depends("product_id", "line_type")
    def _compute_part_fields(self):
        for line in self:
            if line._is_catalogue_part():
                line.part_number = line.product_id.default_code
                line.is_oem = line.product_id.is_oem

    def _frozen(self):
        """The lines the customer was shown or decided: what they say is kept."""
        return self.filtered(lambda line: line._is_quoted())

    @api.depends("product_id", "line_type")
    def _compute_alt_product_id(self):
        """The original part's aftermarket equivalent is offered as the alternative."""
        for line in self:
            if line._is_quoted() or line.alt_type == "deferral":
                continue
            equivalent = line.product_id.equivalent_ids[:1] if line._is_catalogue_part() else False
            line.alt_product_id = equivalent.product_variant_id if equivalent else False

    @api.depends("alt_product_id")
    def _compute_alt_offer(self):
        for line in self:
            if line._is_quoted():
                continue
            part = line.alt_product_id
            if not part:
                # another part picked without equivalent: the previous part's offer goes with it
                if line.alt_type == "aftermarket" and line._is_catalogue_part():
                    line.update({"alt_type": False, "alt_description": False, "alt_price_unit": 0.0,
                                 "risk_note": False})
                continue
            line.alt_type = "aftermarket"
            line.alt_description = part.display_name
            line.alt_price_unit = part.lst_price
            if not line.risk_note:
                line.risk_note = self.env._(
                    "An aftermarket part, not the maker's original: its fit, life and warranty are the "
                    "parts maker's, not the car maker's.")

    @api.depends("product_id", "company_id")
    @api.depends_context("uid")
    def _compute_part_stock(self):
        """On hand and forecast at the company's parts store (the issue
        operation's source), read as the system: stock figures, not records."""
        self.qty_available = self.virtual_available = 0.0
        for company, lines in self.filtered(lambda line: line.product_id.is_storable).grouped("company_id").items():
            store = company._autorepair_parts_store()
            if not store:
                continue
            products = lines.product_id.sudo().with_context(location=store.id, warehouse_id=False)
            quantities = products._compute_quantities_dict(None, None, None)
            for line in lines:
                line.qty_available = quantities[line.product_id.id]["qty_available"]
                line.virtual_available = quantities[line.product_id.id]["virtual_available"]

    @api.depends("line_type")
    def _compute_labour_operation_id(self):
        for line in self:
            line.labour_operation_id = line.labour_operation_id if line.line_type == "labour" else False

    @api.depends("labour_operation_id", "order_id.vehicle_id.model_id", "order_id.company_id")
    def _compute_catalogue(self):
        # not on the catalogue's nor the rates' changes: a line keeps the price it was quoted at
        for line in self:
            if line._is_quoted():
                continue
            price = line._autorepair_catalogue_price() if line.labour_operation_id else {}
            line.catalogue_hours = price.get("quantity", 0.0)
            line.catalogue_price_unit = price.get("price_unit", 0.0)

    @api.depends("catalogue_hours")
    def _compute_quantity(self):
        for line in self:
            if line._is_quoted():
                continue
            line.quantity = line.catalogue_hours or line.quantity or 1.0

    @api.depends("line_type", "bill_to", "order_id.partner_id", "order_id.company_id")
    def _compute_discount(self):
        """The member level of the order's customer (autorepair_crm) gives
        its labour or parts discount to the lines the customer pays himself,
        until they are quoted: then the line keeps what he was shown."""
        levels = {}
        for line in self:
            if line._is_quoted():
                continue
            partner, company = line.order_id.partner_id, line.order_id.company_id
            if line.bill_to != "customer" or not partner or not company:
                line.discount = 0.0
                continue
            if (partner, company) not in levels:
                levels[partner, company] = partner._origin._autorepair_member_level(company) if partner._origin \
                    else self.env["autorepair.member.level"]
            line.discount = levels[partner, company]._discount_for(line.line_type)

    @api.depends("product_id", "line_type", "catalogue_price_unit")
    def _compute_price_unit(self):
        for line in self:
            if line._is_quoted():
                continue
            if line.line_type == "labour":
                line.price_unit = line._autorepair_catalogue_price()["price_unit"]
            else:
                line.price_unit = line.product_id.lst_price

    @api.depends("labour_operation_id", "quantity", "price_unit", "catalogue_hours", "catalogue_price_unit")
    def _compute_is_price_overridden(self):
        hours_digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        for line in self:
            line.is_price_overridden = bool(line.labour_operation_id) and bool(
                float_compare(line.quantity, line.catalogue_hours, precision_digits=hours_digits)
                or float_compare(line.price_unit, line.catalogue_price_unit, precision_digits=price_digits))

    @api.depends("product_id")
    def _compute_tax_ids(self):
        for line in self:
            line.tax_ids = line.product_id.taxes_id.filtered(lambda tax: tax.company_id in line.company_id.parent_ids)

    @api.depends("decision")
    def _compute_is_approved(self):
        for line in self:
            line.is_approved = line.decision in APPROVED

    @api.depends("price_unit", "alt_price_unit", "quantity", "alt_type")
    def _compute_alt_difference(self):
        for line in self:
            line.alt_difference = (line.price_unit - line.alt_price_unit) * line.quantity if line.alt_type else 0.0

    def _effective_price_unit(self, decision=None):
        """The price the customer pays under a decision (the line's own by
        default): the alternative's when he chose it, nothing for goodwill."""
        self.ensure_one()
        if self.bill_to == "goodwill":
            return 0.0
        return self.alt_price_unit if (decision or self.decision) == "alternative" else self.price_unit

    def _tax_totals(self, decision=None, any_payer=False):
        """What the customer pays for the line under a decision (the line's
        own by default), before and after tax (``total_excluded``,
        ``total_included``): the quoted price while pending, the alternative's
        when he chose it, nothing for declined or deferred work nor for what
        the maker (warranty) or the dealer (goodwill) pays. ``any_payer``:
        what the line earns whoever pays it (goodwill's price is nothing)."""
        self.ensure_one()
        decision = decision or self.decision
        if decision in ("declined", "deferred") or (self.bill_to != "customer" and not any_payer):
            return {"total_excluded": 0.0, "total_included": 0.0}
        return self.tax_ids.compute_all(
            self._effective_price_unit(decision) * (1 - self.discount / 100.0), self.currency_id, self.quantity,
            product=self.product_id, partner=self.order_id.partner_id,
        )

    def _amount_with_tax(self, decision=None):
        """The line's amount with tax under a decision: see _tax_totals."""
        return self._tax_totals(decision)["total_included"]

    @api.depends("price_unit", "alt_price_unit", "quantity", "tax_ids", "decision", "bill_to", "discount")
    def _compute_amounts(self):
        """The order's amounts count what the customer pays for: approved lines,
        or every line not yet declined while the quote is open."""
        for line in self:
            taxes = line._tax_totals()
            line.price_subtotal = taxes["total_excluded"]
            line.price_total = taxes["total_included"]
            line.price_tax = taxes["total_included"] - taxes["total_excluded"]

    @api.depends("move_ids.stock_valuation_layer_ids.value", "actual_hours", "price_unit", "alt_price_unit",
                 "quantity", "tax_ids", "decision", "bill_to", "company_id", "discount")
    def _compute_margin(self):
        figures = self._cost_figures()
        for line in self:
            line.update(self._margin_values(**figures[line]))

    def _cost_figures(self):
        """Per line, what it cost and earned: ``parts_cost`` the stock value
        of its done moves (an issue's valuation layer is negative, a return's
        positive: at the part's average cost when it moved), ``labour_cost``
        its clocked hours at the company's labour cost per hour, ``revenue``
        its untaxed amount whoever pays it, once approved. In one pass over
        the batch; the stock values are read as the system: the figures are
        shown to advisors and managers only (the fields' groups)."""
        rates = {}
        figures = {}
        for line, sudo_line in zip(self, self.sudo(), strict=True):
            company = line.company_id
            if company not in rates:
                rates[company] = company._autorepair_workshop_setting("labour_cost_rate") if company else 0.0
            figures[line] = {
                "parts_cost": -sum(sudo_line.move_ids.stock_valuation_layer_ids.mapped("value")),
                "labour_cost": line.actual_hours * rates[company] if line.line_type == "labour" else 0.0,
                "revenue": line._tax_totals(any_payer=True)["total_excluded"] if line.is_approved else 0.0,
            }
        return figures

    @api.model
    def _margin_values(self, parts_cost, labour_cost, revenue):
        margin = revenue - parts_cost - labour_cost
        return {
            "parts_cost": parts_cost, "labour_cost": labour_cost, "revenue": revenue, "margin": margin,
            "margin_percent": margin / revenue if revenue else 0.0,
        }

    @api.depends("price_subtotal", "assessed_amount", "order_id.is_insurance", "order_id.deductible",
                 "order_id.line_ids.assessed_amount", "order_id.line_ids.price_subtotal")
    def _compute_insurance_shares(self):
        for line in self:
            line.insurer_share = line.customer_share = 0.0
        for order in self.order_id.filtered("is_insurance"):
            for line, shares in order._insurance_shares().items():
                if line in self:
                    amounts = {share["payer"]: share["amount"] for share in shares}
                    line.insurer_share = amounts.get("insurer", 0.0)
                    line.customer_share = amounts.get("customer", 0.0)

    def _insurance_base(self):
        """What the line costs before the taxes the price excludes: what the
        insurer's assessment is measured against."""
        self.ensure_one()
        return self.currency_id.round(self._effective_price_unit() * (1 - self.discount / 100.0) * self.quantity)

    @api.depends("product_id", "alt_product_id", "decision")
    def _compute_stock_product_id(self):
        for line in self:
            line.stock_product_id = line.alt_product_id if line.decision == "alternative" and line.alt_product_id \
                else line.product_id

    @api.depends("move_ids.state", "move_ids.quantity", "line_type", "quantity", "decision", "stock_product_id")
    def _compute_qty_issued(self):
        for line in self:
            issued = 0.0
            for move in line.sudo().move_ids.filtered(lambda move: move.state == "done"):
                if move.location_dest_id.usage == "production":
                    issued += move.product_qty
                elif move.location_id.usage == "production":
                    issued -= move.product_qty
            line.qty_issued = issued
            line.qty_to_issue = max(line.quantity - issued, 0.0) if line._autorepair_is_stocked() \
                and line.decision in APPROVED else 0.0

    @api.depends("move_ids.state", "move_ids.quantity", "move_ids.product_uom_qty")
    def _compute_qty_reserved(self):
        for line in self:
            moves = line.sudo()._autorepair_open_moves()
            line.qty_reserved = sum(moves.mapped("quantity"))
            line.qty_missing = sum(moves.mapped("product_uom_qty")) - line.qty_reserved

    @api.depends("work_log_ids.duration")
    def _compute_actual_hours(self):
        for line in self:
            line.actual_hours = sum(line.work_log_ids.mapped("duration"))

    # --------------------------------------------------------------- constraints

    @api.constrains("quantity", "price_unit", "alt_price_unit")
    def _check_amounts(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(self.env._("The quantity of %(line)s must be positive.", line=line.name))
            if line.price_unit < 0 or line.alt_price_unit < 0:
                raise ValidationError(self.env._("The price of %(line)s cannot be negative.", line=line.name))

    @api.constrains("assessed_amount", "bill_to")
    def _check_assessed_amount(self):
        """The insurer pays no more than the line costs, and nothing of what the maker or the dealer pays."""
        for line in self.filtered("assessed_amount"):
            if line.currency_id.compare_amounts(line.assessed_amount, 0.0) < 0:
                raise ValidationError(self.env._("The assessed amount of %(line)s cannot be negative.", line=line.name))
            if line.bill_to != "customer":
                raise ValidationError(self.env._(
                    "%(line)s is paid by warranty or goodwill: the insurer's assessment does not apply to it.",
                    line=line.name))
            if line.currency_id.compare_amounts(line.assessed_amount, line._insurance_base()) > 0:
                raise ValidationError(self.env._(
                    "The assessed amount of %(line)s (%(assessed)s) cannot exceed the line's amount of %(amount)s.",
                    line=line.name, assessed=line.assessed_amount, amount=line._insurance_base()))

    @api.constrains("labour_operation_id", "line_type")
    def _check_labour_operation(self):
        if self.filtered(lambda line: line.labour_operation_id and line.line_type != "labour"):
            raise ValidationError(self.env._("Only a labour line is priced from the labour catalogue."))

    @api.constrains("is_price_overridden", "quantity", "price_unit", "price_override_reason")
    def _check_price_override(self):
        """Hours or a price other than the catalogue's are quoted for a stated
        reason (RULEBOOK §3.6: the maker's standard hours x rate)."""
        for line in self.filtered("is_price_overridden"):
            if not (line.price_override_reason or "").strip():
                raise ValidationError(self.env._(
                    "%(line)s differs from the labour catalogue (%(hours)s h at %(rate)s per hour): "
                    "state the reason for the override.",
                    line=line.name, hours=fmt(line.catalogue_hours),
                    rate=line._format_price(line.catalogue_price_unit)))

    @api.constrains("alt_type", "alt_description", "risk_note")
    def _check_alternative(self):
        """Never a bare alternative: what differs and the risk are stated (RULEBOOK §3.6)."""
        for line in self.filtered("alt_type"):
            if not line.alt_description or not line.risk_note:
                raise ValidationError(self.env._(
                    "Describe the alternative to %(line)s and the risk the customer takes.", line=line.name))

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        quotes = self.env["autorepair.service.quote"].browse(
            {vals["quote_id"] for vals in vals_list if vals.get("quote_id")})
        if quotes.filtered(lambda quote: quote.state != "draft"):
            raise UserError(self.env._("A quote the customer has seen takes no new line: add it to the next quote."))
        lines = super().create(vals_list)
        lines.filtered("assessed_amount").order_id._check_can_assess()
        lines.filtered(lambda line: line.bill_to == "goodwill").order_id._check_goodwill_allowance()
        lines.filtered("is_price_overridden")._note_price_override()
        for order in lines.order_id:
            if order.state in (*DELIVERED_STATES, "cancel") or order.settled_date:
                raise UserError(self.env._("%(order)s is closed: no line can be added.", order=order.name))
            # a line added after the quote was sent belongs to the next round
            lines.filtered(lambda line: line.order_id == order and not line.quote_id).quote_id = order._draft_quote()
        # an appointment's parts are reserved ahead, before the car comes in
        lines._autorepair_sync_moves()
        return lines

    def write(self, vals):
        if "assessed_amount" in vals:
            self.order_id._check_can_assess()
        if FROZEN_FIELDS & vals.keys():
            if frozen := self._frozen():
                raise UserError(self.env._(
                    "%(lines)s was already quoted or decided: add a new line for further work instead of changing it.",
                    lines=", ".join(frozen.mapped("name"))))
        overridden = self.filtered("is_price_overridden")
        before = {line: (line.quantity, line.price_unit, line.price_override_reason) for line in overridden}
        result = super().write(vals)
        if {"bill_to", "price_unit", "quantity", "tax_ids"} & vals.keys():
            self.filtered(lambda line: line.bill_to == "goodwill").order_id._check_goodwill_allowance()
        # noted once per change of the overridden hours, price or reason
        self.filtered(lambda line: line.is_price_overridden and before.get(line) != (
            line.quantity, line.price_unit, line.price_override_reason))._note_price_override()
        if {"decision", "product_id", "quantity", "line_type"} & vals.keys():
            self._autorepair_sync_moves()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_quoted(self):
        if self.filtered(lambda line: line.quote_id.state != "draft"):
            raise UserError(self.env._("A line the customer has seen cannot be deleted."))

    @api.ondelete(at_uninstall=False)
    def _unlink_release_parts(self):
        # a booked line taken off the appointment frees what the store held for it
        self.sudo()._autorepair_open_moves()._action_cancel()

    # ------------------------------------------------------------------- actions

    def _check_can_work(self):
        user = self.env.user
        for line in self:
            if not line.is_approved:
                raise UserError(self.env._(
                    "%(line)s has not been approved by the customer: it cannot be worked on.", line=line.name))
            if line.line_type != "labour":
                raise UserError(self.env._("Only labour lines are clocked."))
            if line.technician_id and line.technician_id != user \
                    and not user.has_group("autorepair_workshop.group_team_lead"):
                raise UserError(self.env._(
                    "%(line)s is assigned to %(technician)s: only he or a team lead can clock it.",
                    line=line.name, technician=line.technician_id.name))

    def action_start_work(self):
        self._check_can_work()
        if self.filtered(lambda line: line.work_state in ("running", "done")):
            raise UserError(self.env._("This work is already running or done."))
        self.env["autorepair.work.log"].sudo().create([
            {"line_id": line.id, "user_id": (line.technician_id or self.env.user).id} for line in self
        ])
        self.filtered(lambda line: not line.technician_id).technician_id = self.env.user
        self.sudo().work_state = "running"
        self.order_id.filtered(lambda order: order.state == "approved")._transition("start_work")
        return True

    def _stop_running_logs(self):
        self.work_log_ids.filtered(lambda log: not log.date_stop).sudo().date_stop = fields.Datetime.now()

    def action_pause_work(self):
        self._check_can_work()
        self._stop_running_logs()
        self.filtered(lambda line: line.work_state == "running").sudo().work_state = "paused"
        return True

    def action_finish_work(self):
        self._check_can_work()
        if self.filtered(lambda line: line.work_state == "todo"):
            raise UserError(self.env._("Start the work before finishing it."))
        self._stop_running_logs()
        self.sudo().work_state = "done"
        return True

    def action_request_check(self):
        """From the job: the work on the car is done, on to its checks."""
        return self.order_id.action_request_check()

    def action_open_check(self):
        """From the job: the check the car waits for (the self-check by default)."""
        self.ensure_one()
        return self.order_id.action_open_check()

    def _check_recommendation(self):
        if not self.env.user.has_group("autorepair_workshop.group_advisor"):
            raise AccessError(self.env._("A service advisor closes recommendations."))
        if self.filtered(lambda line: line.recommendation_state != "open"):
            raise UserError(self.env._("Only open recommendations can be closed."))

    def action_close_recommendation(self):
        self._check_recommendation()
        self.sudo().recommendation_state = "done"
        return True

    def action_drop_recommendation(self):
        self._check_recommendation()
        self.sudo().recommendation_state = "dropped"
        return True

    # ----------------------------------------------------------------- business

    def _is_quoted(self):
        """Whether the customer has seen or decided the line: what he was
        shown cannot change (FROZEN_FIELDS)."""
        self.ensure_one()
        return self.decision != "pending" or bool(self.quote_id and self.quote_id.state != "draft")

    def _autorepair_catalogue_price(self, operation=None, car_model=None, company=None):
        """The labour catalogue's price of a labour line: ``{"quantity":
        hours, "price_unit": rate}``, values of a line. The hours are the
        maker's standard hours of the operation for the car model, else the
        operation's standard hours; the rate is the company's of the
        operation's category (``res.company._autorepair_workshop_labour_rate``),
        else the labour product's price. Without an operation only the rate
        of labour outside the catalogue is given (no ``quantity``).

        The operation, the car model and the company are the line's (its
        order's car and company) unless given: a caller without a line yet
        (a maintenance package expanding into lines) passes them on an empty
        recordset, ``env["autorepair.service.order.line"]._autorepair_catalogue_price(op, model, company)``.
        """
        line = self[:1]
        operation = line.labour_operation_id if operation is None else operation
        car_model = line.order_id.vehicle_id.model_id if car_model is None else car_model
        company = (line.company_id or line.order_id.company_id) if company is None else company
        rate = company._autorepair_workshop_labour_rate(operation.category)
        price = {"price_unit": rate or (line.product_id or self._default_products()["labour"]).lst_price}
        if operation:
            price["quantity"] = operation._hours_for(car_model)
        return price

    def _format_price(self, amount):
        self.ensure_one()
        currency = self.currency_id or self.company_id.currency_id or self.env.company.currency_id
        return currency.format(amount)

    def _note_price_override(self):
        """The order's chatter keeps each labour price quoted away from the
        catalogue, with its reason: the manager sees who priced what and why."""
        for order in self.order_id:
            notes = [
                self.env._(
                    "%(line)s: %(hours)s h at %(price)s instead of the catalogue's %(catalogue_hours)s h at "
                    "%(catalogue_price)s. Reason: %(reason)s",
                    line=line.name, hours=fmt(line.quantity), price=line._format_price(line.price_unit),
                    catalogue_hours=fmt(line.catalogue_hours),
                    catalogue_price=line._format_price(line.catalogue_price_unit), reason=line.price_override_reason,
                )
                for line in self.filtered(lambda line, order=order: line.order_id == order)
            ]
            body = Markup("<br/>").join([self.env._("Labour priced away from the catalogue:"), *notes])
            order.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _prepare_invoice_line_vals(self, analytic_distribution, amount=None):
        """The invoice line of the whole line, or with an amount of one payer's
        share of it (an accident repair's line the insurer pays in part)."""
        self.ensure_one()
        name = self.name
        if self.decision == "alternative" and self.alt_description:
            name = f"{name} ({self.alt_description})"
        if self.is_oem:
            name = self.env._("%(name)s [OEM]", name=name)
        if amount is not None:
            name = self.env._("%(name)s (share of %(quantity)s x %(price)s)", name=name,
                              quantity=self.quantity, price=self._effective_price_unit())
        return {
            "product_id": self.product_id.id,
            "name": name,
            "quantity": self.quantity if amount is None else 1.0,
            "price_unit": self._effective_price_unit() if amount is None else amount,
            "discount": self.discount if amount is None else 0.0,
            "tax_ids": [fields.Command.set(self.tax_ids.ids)],
            "autorepair_line_id": self.id,
            "analytic_distribution": analytic_distribution or False,
        }

    # ------------------------------------------------------------ parts in store

    def _autorepair_is_stocked(self):
        """A part the store holds (a storable product): reserved, issued and returned."""
        self.ensure_one()
        return self.line_type == "part" and self.stock_product_id.is_storable

    def _autorepair_open_moves(self):
        """The line's moves from the store to the workshop not issued yet."""
        return self.move_ids.filtered(
            lambda move: move.state not in ("done", "cancel") and move.location_dest_id.usage == "production")

    def _autorepair_reserve_target(self):
        """How many of the part the store holds for the line: what the customer
        approved, or what a booked appointment names ahead of its decision;
        nothing once declined, deferred or the order cancelled."""
        self.ensure_one()
        if not self._autorepair_is_stocked() or self.order_id.state == "cancel":
            return 0.0
        if self.decision in APPROVED:
            return self.quantity
        if self.decision == "pending" and (self.order_id.state == "draft" or self._autorepair_open_moves()):
            return self.quantity
        return 0.0

    def _autorepair_prepare_move_vals(self, quantity, picking, origin_move=None):
        """The stock move of the line's part: from the parts store to the
        workshop (领料), or back with origin_move the issue it returns (退料).
        The one place moves of a line are made: cost and packages read them."""
        self.ensure_one()
        store, workshop = picking.location_id, picking.location_dest_id
        return {
            "name": self.name,
            "product_id": self.stock_product_id.id,
            "product_uom_qty": quantity,
            "product_uom": self.stock_product_id.uom_id.id,
            "location_id": store.id,
            "location_dest_id": workshop.id,
            "picking_id": picking.id,
            "picking_type_id": picking.picking_type_id.id,
            "company_id": self.company_id.id,
            "origin": self.order_id.name,
            "partner_id": self.order_id.partner_id.id,
            "autorepair_line_id": self.id,
            "origin_returned_move_id": origin_move.id if origin_move else False,
        }

    def _autorepair_sync_moves(self):
        """Bring the line's reservation in line with its decision: a move per
        line for what is to issue, in the order's open parts picking, confirmed
        and reserved; cancelled when the line is declined or deferred or the
        order cancelled. The advisor is told what the store is missing."""
        lines = self.sudo().filtered(lambda line: line.line_type == "part" and line.stock_product_id)
        Move = self.env["stock.move"].sudo()
        to_cancel = Move
        needs = {}
        for line in lines:
            open_moves = line._autorepair_open_moves()
            stale = open_moves.filtered(lambda move, line=line: move.product_id != line.stock_product_id)
            to_cancel |= stale
            open_moves -= stale
            target = line._autorepair_reserve_target()
            if not target:
                to_cancel |= open_moves
                continue
            rounding = line.stock_product_id.uom_id.rounding
            wanted = target - line.qty_issued
            missing = wanted - sum(open_moves.mapped("product_uom_qty"))
            if float_compare(missing, 0.0, precision_rounding=rounding) < 0:
                # less than reserved (a booked line's quantity lowered): reserve again what is wanted
                to_cancel |= open_moves
                missing = wanted
            if float_compare(missing, 0.0, precision_rounding=rounding) > 0:
                needs[line] = missing
        if to_cancel:
            to_cancel._action_cancel()
        if not needs:
            return Move
        pickings = lines.browse([line.id for line in needs]).order_id._autorepair_parts_picking(issue=True)
        moves = Move.create([
            line._autorepair_prepare_move_vals(quantity, pickings[line.order_id])
            for line, quantity in needs.items()])
        moves._action_confirm()
        moves._action_assign()
        moves.autorepair_line_id.order_id._autorepair_notify_shortage(moves.autorepair_line_id)
        return moves

    @api.model
    def _autorepair_check_storekeeper(self):
        if not self.env.su and not self.env.user.has_group("autorepair_workshop.group_storekeeper") \
                and not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only the storekeeper issues parts to the workshop and takes them back."))

    @api.model
    def _autorepair_lines_qty(self, lines_qty):
        """{line or line id: quantity} as sudo lines and their quantities, refused when not positive."""
        result = {}
        for line, quantity in lines_qty.items():
            line = self.sudo().browse(line.id if isinstance(line, models.BaseModel) else int(line))
            if float_compare(quantity, 0.0, precision_rounding=line.stock_product_id.uom_id.rounding or 0.01) <= 0:
                raise UserError(self.env._("The quantity of %(part)s must be positive.", part=line.name))
            result[line] = result.get(line, 0.0) + quantity
        return result

    @api.model
    def _autorepair_issue_parts(self, lines_qty):
        """Issue (领料) parts to the workshop, for any number of lines and
        orders at once: lines_qty maps each line to the quantity handed over.
        At most what was approved and not issued yet (more needs a supplementary
        quote), out of what the store holds for the line; what is left stays
        reserved in a backorder, as Odoo does."""
        self._autorepair_check_storekeeper()
        lines_qty = self._autorepair_lines_qty(lines_qty)
        lines = self.sudo().browse([line.id for line in lines_qty])
        lines.check_access("read")
        for line, quantity in lines_qty.items():
            if not line.is_approved or not line._autorepair_is_stocked():
                raise UserError(self.env._(
                    "%(line)s is not an approved part of the store: nothing is issued for it.", line=line.name))
            if line.order_id.state not in ("approved", "in_progress", "qc"):
                raise UserError(self.env._(
                    "%(order)s is not being worked on: no part is issued for it.", order=line.order_id.name))
            if float_compare(quantity, line.qty_to_issue, precision_rounding=line.stock_product_id.uom_id.rounding) > 0:
                raise UserError(self.env._(
                    "%(part)s: at most %(qty)s can be issued (approved less already issued). "
                    "More needs a supplementary quote.",
                    part=line._autorepair_part_label(), qty=fmt(line.qty_to_issue)))
        moves = lines._autorepair_open_moves()
        moves.filtered(lambda move: move.state != "assigned")._action_assign()
        to_do = moves.browse()
        for line, quantity in lines_qty.items():
            remaining = quantity
            for move in line._autorepair_open_moves().sorted("id"):
                if float_is_zero(remaining, precision_rounding=move.product_uom.rounding):
                    break
                take = min(remaining, move.quantity)
                if float_is_zero(take, precision_rounding=move.product_uom.rounding):
                    continue
                if float_compare(take, move.quantity, precision_rounding=move.product_uom.rounding):
                    move.quantity = take
                to_do |= move
                remaining -= take
            if not float_is_zero(remaining, precision_rounding=line.stock_product_id.uom_id.rounding):
                raise UserError(self.env._(
                    "%(part)s: only %(qty)s in the store for %(order)s (missing parts): "
                    "issue what is there and order the rest.",
                    part=line._autorepair_part_label(), qty=fmt(quantity - remaining), order=line.order_id.name))
        to_do.picked = True
        to_do._action_done()
        return to_do

    @api.model
    def _autorepair_return_parts(self, lines_qty):
        """Return (退料) issued parts to the store: a move back per line, from
        the issue it undoes (its cost), in a return picking of the order."""
        self._autorepair_check_storekeeper()
        lines_qty = self._autorepair_lines_qty(lines_qty)
        lines = self.sudo().browse([line.id for line in lines_qty])
        lines.check_access("read")
        for line, quantity in lines_qty.items():
            if float_compare(quantity, line.qty_issued, precision_rounding=line.stock_product_id.uom_id.rounding) > 0:
                raise UserError(self.env._(
                    "%(part)s: only %(qty)s were issued, no more can be returned.",
                    part=line._autorepair_part_label(), qty=fmt(line.qty_issued)))
        pickings = lines.order_id._autorepair_parts_picking(issue=False)
        vals_list = []
        for line, quantity in lines_qty.items():
            issues = line.move_ids.filtered(
                lambda move: move.state == "done" and move.location_dest_id.usage == "production")
            vals_list.append(line._autorepair_prepare_move_vals(
                quantity, pickings[line.order_id], origin_move=issues.sorted("id")[-1:]))
        moves = self.env["stock.move"].sudo().create(vals_list)
        moves._action_confirm(merge=False)
        moves._action_assign()
        moves.picked = True
        moves._action_done()
        return moves

    def _autorepair_part_label(self):
        self.ensure_one()
        code = self.stock_product_id.default_code or self.part_number
        return f"[{code}] {self.name}" if code and code not in self.name else self.name

    @api.model
    def _autorepair_normalize_code(self, code):
        """Part numbers are printed with spaces or dashes (06H 905 110 G): compared without them."""
        return re.sub(r"[\s\-./]", "", code or "").upper()

    def _autorepair_matches_code(self, code):
        self.ensure_one()
        code = self._autorepair_normalize_code(code)
        # the part's own number (or barcode); the line's typed number only for a part without one
        part = self.stock_product_id
        known = [part.default_code, part.barcode] if part.default_code else [self.part_number]
        return bool(code) and code in {self._autorepair_normalize_code(value) for value in known if value}
