from odoo import api, fields, models
from odoo.exceptions import UserError


class AutorepairPartsIssueWizard(models.TransientModel):
    """The storekeeper at the store's counter: issue (领料) the approved parts
    of an order, or take back (退料) what the workshop did not use. Each part
    is scanned or typed by its number before it is handed over."""

    _name = "autorepair.parts.issue.wizard"
    _description = "Issue or Return Parts"

    order_id = fields.Many2one("autorepair.service.order", required=True, readonly=True, ondelete="cascade")
    mode = fields.Selection([("issue", "Issue"), ("return", "Return")], required=True, default="issue", readonly=True)
    line_ids = fields.One2many("autorepair.parts.issue.wizard.line", "wizard_id", string="Parts")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list and values.get("order_id"):
            self.env["autorepair.service.order.line"]._autorepair_check_storekeeper()
            order = self.env["autorepair.service.order"].browse(values["order_id"])
            mode = values.get("mode", "issue")
            lines = order.line_ids.filtered(
                lambda line: (line.qty_to_issue if mode == "issue" else line.qty_issued) > 0)
            values["line_ids"] = [fields.Command.create({"order_line_id": line.id}) for line in lines]
        return values

    def action_confirm(self):
        self.ensure_one()
        Line = self.env["autorepair.service.order.line"]
        Line._autorepair_check_storekeeper()
        lines_qty = {}
        for wizard_line in self.line_ids.filtered(lambda wl: wl.quantity > 0):
            line = wizard_line.order_line_id
            if line.order_id != self.order_id:
                raise UserError(self.env._("%(line)s is not a line of %(order)s.", line=line.name,
                                           order=self.order_id.name))
            if not line._autorepair_matches_code(wizard_line.scanned_code):
                raise UserError(self.env._(
                    "The part number %(scanned)s does not match %(part)s: check the part on the shelf.",
                    scanned=wizard_line.scanned_code or self.env._("(none)"), part=line._autorepair_part_label()))
            lines_qty[line] = wizard_line.quantity
        if not lines_qty:
            raise UserError(self.env._("Enter the quantity of at least one part."))
        if self.mode == "issue":
            Line._autorepair_issue_parts(lines_qty)
        else:
            Line._autorepair_return_parts(lines_qty)
        return {"type": "ir.actions.act_window_close"}


class AutorepairPartsIssueWizardLine(models.TransientModel):
    _name = "autorepair.parts.issue.wizard.line"
    _description = "Part to Issue or Return"

    wizard_id = fields.Many2one("autorepair.parts.issue.wizard", required=True, ondelete="cascade")
    order_line_id = fields.Many2one("autorepair.service.order.line", string="Line", required=True)
    product_id = fields.Many2one(related="order_line_id.stock_product_id", string="Part")
    part_number = fields.Char(related="order_line_id.stock_product_id.default_code", string="Part Number")
    qty_approved = fields.Float(related="order_line_id.quantity", string="Approved")
    qty_issued = fields.Float(related="order_line_id.qty_issued")
    qty_to_issue = fields.Float(related="order_line_id.qty_to_issue")
    qty_reserved = fields.Float(related="order_line_id.qty_reserved")
    scanned_code = fields.Char(string="Scanned Number", help="Scan or type the number on the part handed over.")
    quantity = fields.Float(digits="Product Unit of Measure", help="How many are handed over now.")
