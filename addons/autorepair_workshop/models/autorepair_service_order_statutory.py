from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .autorepair_service_order import DELIVERED_STATES, HISTORY_READERS

# the advisor's need -> the JT/T 1133 repair category it usually is; he corrects it
NEED_CATEGORIES = {
    "first_maintenance": "first_maintenance",
    "periodic_maintenance": "first_maintenance",
    "repair": "minor_repair",
}
# the categories that leave the shop with a completion certificate (竣工出厂合格证, order 2016 No. 37)
CERTIFIED_CATEGORIES = ("vehicle_overhaul", "assembly_overhaul", "second_maintenance")
FAPIAO_TYPES = [
    ("none", "No Fapiao"),
    ("ordinary", "Ordinary Fapiao"),  # 普通发票
    ("special", "Special VAT Fapiao"),  # 增值税专用发票
]


class AutorepairServiceOrder(models.Model):
    """The statutory side of an order (JT/T 1133-2017, Ministry of Transport
    order 2016 No. 37): its repair category, the quality guarantee it carries
    from completion, a return within an earlier order's guarantee flagged as
    rework (返修), the completion certificate (竣工出厂合格证) and the fapiao the
    customer asks for."""

    _inherit = "autorepair.service.order"

    # quality guarantee, set from the company's terms when the car leaves (completion)
    guarantee_days = fields.Integer(compute="_compute_guarantee", store=True, string="Guarantee (days)")
    guarantee_km = fields.Integer(compute="_compute_guarantee", store=True, string="Guarantee (km)")
    guarantee_end_date = fields.Date(
        compute="_compute_guarantee", store=True, index="btree_not_null", string="Guarantee Until",
        help="The quality guarantee ends on this date or at the km below, whichever comes first.")
    guarantee_end_km = fields.Integer(compute="_compute_guarantee", store=True, string="Guarantee Until (km)")

    # rework: the car came back within the guarantee of an earlier order
    rework_of_id = fields.Many2one(
        "autorepair.service.order", string="Rework Of", readonly=True, copy=False, index="btree_not_null",
        ondelete="restrict", help="The earlier order whose guarantee this visit falls in: a rework (返修).")
    is_rework = fields.Boolean(compute="_compute_rework", store=True, string="Rework", index=True)
    rework_technician_id = fields.Many2one(
        "res.users", compute="_compute_rework", store=True, string="Technician of the First Repair")
    rework_advisor_id = fields.Many2one(
        "res.users", compute="_compute_rework", store=True, string="Advisor of the First Repair")

    # completion certificate
    needs_certificate = fields.Boolean(compute="_compute_needs_certificate")
    certificate_number = fields.Char(
        string="Completion Certificate", readonly=True, copy=False, index="btree_not_null",
        help="Number of the completion certificate (竣工出厂合格证) issued when the car left.")
    certificate_date = fields.Datetime(string="Certificate Issued On", readonly=True, copy=False)
    certificate_inspector_id = fields.Many2one(
        "res.users", string="Final Inspector", readonly=True, copy=False, ondelete="restrict")

    # fapiao asked for by the customer; the buyer's data is kept on the paying partner
    fapiao_type = fields.Selection(FAPIAO_TYPES, string="Fapiao", default="none", required=True, tracking=True)

    @api.depends("need_type")
    def _compute_repair_category(self):
        # a default the advisor corrects; once work starts a change of need leaves it alone
        for order in self:
            if order.state in (False, "draft", "received") or not order.repair_category:
                order.repair_category = NEED_CATEGORIES.get(order.need_type, order.repair_category)

    @api.depends("repair_category", "delivered_date", "odometer_in", "company_id")
    def _compute_guarantee(self):
        for order in self:
            if not (order.repair_category and order.delivered_date):
                order.update({"guarantee_days": 0, "guarantee_km": 0,
                              "guarantee_end_date": False, "guarantee_end_km": 0})
                continue
            days, km = order.company_id._autorepair_workshop_guarantee(order.repair_category)
            completed = fields.Datetime.context_timestamp(order, order.delivered_date).date()
            order.update({
                "guarantee_days": days,
                "guarantee_km": km,
                "guarantee_end_date": completed + timedelta(days=days),
                "guarantee_end_km": int(order.odometer_in) + km,
            })

    @api.depends("rework_of_id")
    def _compute_rework(self):
        for order in self:
            first = order.rework_of_id.sudo()
            order.is_rework = bool(first)
            order.rework_advisor_id = first.advisor_id
            order.rework_technician_id = first._autorepair_main_technician()

    @api.depends("repair_category")
    def _compute_needs_certificate(self):
        for order in self:
            order.needs_certificate = order.repair_category in CERTIFIED_CATEGORIES

    @api.constrains("fapiao_type", "partner_id")
    def _check_fapiao_type(self):
        for order in self.filtered(lambda o: o.fapiao_type == "special"):
            order._check_special_fapiao()

    def write(self, vals):
        if "repair_category" in vals and not self.env.su:
            settled = self.filtered(lambda o: o.state == "done" and o.repair_category != vals["repair_category"])
            if settled:
                raise UserError(self.env._(
                    "%(order)s is settled: its repair category is on the statement and the health archive "
                    "and cannot change.", order=settled[0].name))
        return super().write(vals)

    def _autorepair_main_technician(self):
        """The technician answerable for the order's work: the one it was
        booked for, else the one who clocked the most hours on it."""
        if not self:
            return self.env["res.users"]
        self.ensure_one()
        if self.technician_id:
            return self.technician_id
        hours = {}
        for log in self.env["autorepair.work.log"].sudo().search([("order_id", "=", self.id)]):
            hours[log.user_id] = hours.get(log.user_id, 0.0) + log.duration
        return max(hours, key=hours.get) if hours else self.env["res.users"]

    def _autorepair_guarantee_covering(self):
        """The latest earlier order of the car whose guarantee this visit
        (its reception date and odometer) falls in, if any."""
        self.ensure_one()
        day = fields.Datetime.context_timestamp(self, self.received_date or fields.Datetime.now()).date()
        return self.sudo().search([
            ("vehicle_id", "=", self.vehicle_id.id), ("id", "!=", self.id),
            ("company_id", "=", self.company_id.id),
            ("state", "in", DELIVERED_STATES), ("guarantee_end_date", ">=", day),
            ("delivered_date", "<=", self.received_date or fields.Datetime.now()),
            ("guarantee_end_km", ">=", self.odometer_in),
        ], order="delivered_date desc, id desc", limit=1)

    def action_receive(self):
        result = super().action_receive()
        for order in self:
            if first := order._autorepair_guarantee_covering():
                order._write_workflow({"rework_of_id": first.id})
                order.message_post(body=self.env._(
                    "Rework: the car is back within the guarantee of %(order)s (until %(date)s or %(km)s km).",
                    order=first.name, date=first.guarantee_end_date, km=first.guarantee_end_km))
        return result

    def action_deliver(self):
        result = super().action_deliver()
        self._autorepair_issue_certificates()
        return result

    def _autorepair_issue_certificates(self):
        """Number the completion certificate of the orders whose category
        needs one, signed by the inspector of the passing final check."""
        for order in self.filtered(lambda o: o.needs_certificate and not o.certificate_number):
            final = order.check_ids.filtered(lambda c: c.check_type == "final" and c.result == "pass").sorted("id")[-1:]
            number = self.env["ir.sequence"].with_company(order.company_id).sudo().next_by_code(
                "autorepair.completion.certificate")
            order._write_workflow({
                "certificate_number": number,
                "certificate_date": fields.Datetime.now(),
                "certificate_inspector_id": final.user_id.id,
            })

    def _check_invoiceable(self):
        super()._check_invoiceable()
        for order in self:
            if not order.repair_category:
                raise UserError(self.env._(
                    "Choose the repair category of %(order)s (JT/T 1133) before settling it: it sets the "
                    "guarantee and goes on the statement.", order=order.name))
            if order.fapiao_type == "special":
                order._check_special_fapiao()

    def _check_special_fapiao(self):
        """A special VAT fapiao (增值税专用发票) goes to a company with its full
        tax data: name, a valid unified social credit code, address and
        phone, bank and account."""
        self.ensure_one()
        buyer = self.partner_id.commercial_partner_id.sudo()
        if not buyer.is_company:
            raise ValidationError(self.env._(
                "A special VAT fapiao is issued to a company, not to %(buyer)s: choose an ordinary fapiao.",
                buyer=buyer.display_name))
        missing = buyer._autorepair_fapiao_missing(special=True)
        if missing:
            raise ValidationError(self.env._(
                "%(buyer)s lacks the data of a special VAT fapiao: %(missing)s.",
                buyer=buyer.display_name, missing=", ".join(missing)))

    def action_view_guarantee_orders(self):
        return self.vehicle_id.action_view_guarantee_orders()


class FleetVehicle(models.Model):
    _inherit = "fleet.vehicle"

    guarantee_order_ids = fields.Many2many(
        "autorepair.service.order", string="Repairs under Guarantee", compute="_compute_guarantee_order_ids",
        groups=HISTORY_READERS, help="Delivered repairs of the car whose quality guarantee still runs.")
    guarantee_order_count = fields.Integer(compute="_compute_guarantee_order_ids", groups=HISTORY_READERS)

    def _compute_guarantee_order_ids(self):
        today = fields.Date.context_today(self)
        orders = self.env["autorepair.service.order"].search([
            ("vehicle_id", "in", self.ids), ("state", "in", DELIVERED_STATES),
            ("guarantee_end_date", ">=", today),
        ])
        for vehicle in self:
            mine = orders.filtered(lambda o, v=vehicle: o.vehicle_id == v and o.guarantee_end_km >= v.odometer)
            vehicle.guarantee_order_ids = mine
            vehicle.guarantee_order_count = len(mine)

    def action_view_guarantee_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Repairs under Guarantee"),
            "res_model": "autorepair.service.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.guarantee_order_ids.ids)],
            "context": {"create": False},
        }
