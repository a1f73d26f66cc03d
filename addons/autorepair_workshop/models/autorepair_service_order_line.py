import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from .autorepair_service_order import DELIVERED_STATES, fmt

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
    "bill_to", "line_type", "alt_type", "alt_description", "alt_price_unit", "risk_note",
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
    part_number = fields.Char()
    is_oem = fields.Boolean(string="OEM", help="Original part of the maker (原厂件).")
    quantity = fields.Float(
        string="Quantity / Hours", default=1.0, required=True, digits="Product Unit of Measure",
        help="Hours for labour: the maker's standard time.",
    )
    price_unit = fields.Float(
        string="Unit Price", digits="Product Price", compute="_compute_price_unit", store=True,
        readonly=False, precompute=True,
    )
    tax_ids = fields.Many2many(
        "account.tax", string="Taxes", compute="_compute_tax_ids", store=True, readonly=False,
        precompute=True, check_company=True, domain="[('type_tax_use', '=', 'sale')]",
    )
    bill_to = fields.Selection(
        [("customer", "Customer"), ("warranty", "Warranty (Maker)"), ("goodwill", "Goodwill (Free)")],
        required=True, default="customer",
    )
    alt_type = fields.Selection(
        [("aftermarket", "Aftermarket Part"), ("deferral", "Deferral")], string="Alternative"
    )
    alt_description = fields.Char(string="Alternative Offered")
    alt_price_unit = fields.Float(string="Alternative Price", digits="Product Price")
    alt_difference = fields.Monetary(
        compute="_compute_alt_difference", string="Saving",
        help="What the customer saves by taking the alternative.",
    )
    risk_note = fields.Char(string="Risk Stated", help="What the customer risks with the alternative or by declining.")
    decision = fields.Selection(DECISIONS, default="pending", required=True, copy=False, index=True)
    is_approved = fields.Boolean(compute="_compute_is_approved", store=True, index=True)
    decided_on = fields.Datetime(readonly=True, copy=False)
    price_subtotal = fields.Monetary(compute="_compute_amounts", store=True, string="Subtotal")
    price_tax = fields.Monetary(compute="_compute_amounts", store=True, string="Tax")
    price_total = fields.Monetary(compute="_compute_amounts", store=True, string="Total")

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

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id and not line.name:
                line.name = line.product_id.display_name

    @api.depends("product_id", "line_type")
    def _compute_price_unit(self):
        for line in self:
            if line.decision in APPROVED:
                continue
            if line.line_type == "labour":
                rate = line.order_id.company_id._autorepair_workshop_setting("labour_rate")
                line.price_unit = rate or line.product_id.lst_price
            else:
                line.price_unit = line.product_id.lst_price

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

    def _tax_totals(self, decision=None):
        """What the customer pays for the line under a decision (the line's
        own by default), before and after tax (``total_excluded``,
        ``total_included``): the quoted price while pending, the alternative's
        when he chose it, nothing for declined or deferred work nor for what
        the maker (warranty) or the dealer (goodwill) pays."""
        self.ensure_one()
        decision = decision or self.decision
        if decision in ("declined", "deferred") or self.bill_to != "customer":
            return {"total_excluded": 0.0, "total_included": 0.0}
        return self.tax_ids.compute_all(
            self._effective_price_unit(decision), self.currency_id, self.quantity,
            product=self.product_id, partner=self.order_id.partner_id,
        )

    def _amount_with_tax(self, decision=None):
        """The line's amount with tax under a decision: see _tax_totals."""
        return self._tax_totals(decision)["total_included"]

    @api.depends("price_unit", "alt_price_unit", "quantity", "tax_ids", "decision", "bill_to")
    def _compute_amounts(self):
        """The order's amounts count what the customer pays for: approved lines,
        or every line not yet declined while the quote is open."""
        for line in self:
            taxes = line._tax_totals()
            line.price_subtotal = taxes["total_excluded"]
            line.price_total = taxes["total_included"]
            line.price_tax = taxes["total_included"] - taxes["total_excluded"]

    @api.depends("move_ids.state", "move_ids.quantity", "line_type", "quantity", "decision", "product_id")
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
        lines.filtered(lambda line: line.bill_to == "goodwill").order_id._check_goodwill_allowance()
        for order in lines.order_id:
            if order.state in (*DELIVERED_STATES, "cancel"):
                raise UserError(self.env._("%(order)s is closed: no line can be added.", order=order.name))
            # a line added after the quote was sent belongs to the next round
            lines.filtered(lambda line: line.order_id == order and not line.quote_id).quote_id = order._draft_quote()
        # an appointment's parts are reserved ahead, before the car comes in
        lines._autorepair_sync_moves()
        return lines

    def write(self, vals):
        if FROZEN_FIELDS & vals.keys():
            frozen = self.filtered(
                lambda line: line.decision != "pending" or (line.quote_id and line.quote_id.state != "draft"))
            if frozen:
                raise UserError(self.env._(
                    "%(lines)s was already quoted or decided: add a new line for further work instead of changing it.",
                    lines=", ".join(frozen.mapped("name"))))
        result = super().write(vals)
        if {"bill_to", "price_unit", "quantity", "tax_ids"} & vals.keys():
            self.filtered(lambda line: line.bill_to == "goodwill").order_id._check_goodwill_allowance()
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

    def _prepare_invoice_line_vals(self, analytic_distribution):
        self.ensure_one()
        name = self.name
        if self.decision == "alternative" and self.alt_description:
            name = f"{name} ({self.alt_description})"
        if self.is_oem:
            name = self.env._("%(name)s [OEM]", name=name)
        return {
            "product_id": self.product_id.id,
            "name": name,
            "quantity": self.quantity,
            "price_unit": self._effective_price_unit(),
            "tax_ids": [fields.Command.set(self.tax_ids.ids)],
            "autorepair_line_id": self.id,
            "analytic_distribution": analytic_distribution or False,
        }

    # ------------------------------------------------------------ parts in store

    def _autorepair_is_stocked(self):
        """A part the store holds (a storable product): reserved, issued and returned."""
        self.ensure_one()
        return self.line_type == "part" and self.product_id.is_storable

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
            "product_id": self.product_id.id,
            "product_uom_qty": quantity,
            "product_uom": self.product_id.uom_id.id,
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
        lines = self.sudo().filtered(lambda line: line.line_type == "part" and line.product_id)
        Move = self.env["stock.move"].sudo()
        to_cancel = Move
        needs = {}
        for line in lines:
            open_moves = line._autorepair_open_moves()
            stale = open_moves.filtered(lambda move, line=line: move.product_id != line.product_id)
            to_cancel |= stale
            open_moves -= stale
            target = line._autorepair_reserve_target()
            if not target:
                to_cancel |= open_moves
                continue
            rounding = line.product_id.uom_id.rounding
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
        pickings = lines.order_id._autorepair_parts_picking(issue=True)
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
            if float_compare(quantity, 0.0, precision_rounding=line.product_id.uom_id.rounding or 0.01) <= 0:
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
            if float_compare(quantity, line.qty_to_issue, precision_rounding=line.product_id.uom_id.rounding) > 0:
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
            if not float_is_zero(remaining, precision_rounding=line.product_id.uom_id.rounding):
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
            if float_compare(quantity, line.qty_issued, precision_rounding=line.product_id.uom_id.rounding) > 0:
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
        code = self.product_id.default_code or self.part_number
        return f"[{code}] {self.name}" if code and code not in self.name else self.name

    @api.model
    def _autorepair_normalize_code(self, code):
        """Part numbers are printed with spaces or dashes (06H 905 110 G): compared without them."""
        return re.sub(r"[\s\-./]", "", code or "").upper()

    def _autorepair_matches_code(self, code):
        self.ensure_one()
        code = self._autorepair_normalize_code(code)
        # the part's own number (or barcode); the line's typed number only for a part without one
        known = [self.product_id.default_code, self.product_id.barcode] if self.product_id.default_code \
            else [self.part_number]
        return bool(code) and code in {self._autorepair_normalize_code(value) for value in known if value}
