from odoo import api, fields, models

from odoo.addons.autorepair_workshop.models.autorepair_service_order import WORKSHOP_READERS


class AutorepairServiceOrder(models.Model):
    _inherit = "autorepair.service.order"

    complaint_ids = fields.One2many("autorepair.complaint", "service_order_id", string="Complaints")
    complaint_count = fields.Integer(compute="_compute_complaint_count")
    compensation_ids = fields.One2many(
        "autorepair.complaint.compensation", "service_order_id",
        groups=f"{WORKSHOP_READERS},autorepair_care.group_care_agent")
    complaint_needed = fields.Boolean(
        string="Open Complaint", compute="_compute_complaint_needed", store=True, index=True,
        help="A complaint about this order is not closed yet.",
    )

    @api.depends("complaint_ids")
    def _compute_complaint_count(self):
        for order in self:
            order.complaint_count = len(order.complaint_ids)

    @api.depends("complaint_ids.is_closed")
    def _compute_complaint_needed(self):
        for order in self:
            order.complaint_needed = any(not complaint.is_closed for complaint in order.complaint_ids)

    def _goodwill_allowance(self):
        """A free-work order given as compensation may carry the value a
        service manager approved for it."""
        approved = sum(self.sudo().compensation_ids.filtered(
            lambda c: c.compensation_type == "free_work" and c.state == "done" and c.approved_by_id).mapped("amount"))
        return super()._goodwill_allowance() + approved

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_complaint.autorepair_complaint_action")
        action["domain"] = [("service_order_id", "=", self.id)]
        action["context"] = {"default_service_order_id": self.id, "default_channel": "in_person"}
        return action


class AutorepairServiceOrderLine(models.Model):
    _inherit = "autorepair.service.order.line"

    @api.model
    def _default_bill_to(self):
        # the lines of a free-work order given as compensation cost the customer nothing
        order = self.env["autorepair.service.order"].browse(self.env.context.get("default_order_id"))
        return "goodwill" if order.compensation_ids else "customer"

    bill_to = fields.Selection(default=_default_bill_to)
