from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .autorepair_check_item import CHECK_TYPES

# who may sign each check, and which check must have passed before it
CHECK_GROUPS = {
    "self": "autorepair_workshop.group_technician",
    "peer": "autorepair_workshop.group_team_lead",
    "final": "autorepair_workshop.group_inspector",
}
PREVIOUS_CHECK = {"peer": "self", "final": "peer"}


class AutorepairQualityCheck(models.Model):
    """One of the three checks (三检): the technician's self-check, the team
    lead's peer check and the inspector's final check with a road test. A fail
    sends the car back to work with its cause; the final pass releases it."""

    _name = "autorepair.quality.check"
    _description = "Quality Check"
    _order = "order_id, id"

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    check_type = fields.Selection(CHECK_TYPES, required=True)
    user_id = fields.Many2one("res.users", string="Checked By", required=True, default=lambda self: self.env.user,
                              ondelete="restrict", readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)
    result = fields.Selection([("pass", "Pass"), ("fail", "Fail")], required=True)
    reason = fields.Text(help="Why the check failed: what goes back to work.")
    road_test_km = fields.Float(string="Road Test (km)")
    line_ids = fields.One2many("autorepair.quality.check.line", "check_id", string="Checklist")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        check_type = values.get("check_type") or self.env.context.get("default_check_type")
        if "line_ids" in fields_list and check_type:
            values["line_ids"] = [
                fields.Command.create({"item_id": item.id, "ok": True})
                for item in self.env["autorepair.check.item"].search([("check_type", "=", check_type)])
            ]
        return values

    @api.constrains("result", "reason", "road_test_km", "check_type", "line_ids")
    def _check_result(self):
        for check in self:
            if check.result == "fail" and not check.reason:
                raise ValidationError(self.env._("A failed check states its reason."))
            if check.result == "pass" and check.line_ids.filtered(lambda line: not line.ok):
                raise ValidationError(self.env._("A check with a failed checklist point cannot pass."))
            if check.check_type == "final" and check.result == "pass" and check.road_test_km <= 0:
                raise ValidationError(self.env._("The final check includes a road test: enter its distance."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a check is signed by whoever records it, at the time he records it
            if not self.env.su and vals.get("user_id") not in (None, False, self.env.uid):
                raise AccessError(self.env._("A check is recorded by the person who made it, in his own session."))
            vals["user_id"] = self.env.uid if not self.env.su else vals.get("user_id") or self.env.uid
            vals.pop("date", None)
        checks = super().create(vals_list)
        for check in checks:
            check._check_signer()
            check._apply_result()
        return checks

    def write(self, vals):
        if self:  # a recorded check is evidence
            raise UserError(self.env._("A recorded check cannot be changed; record a new one."))
        return super().write(vals)

    def _check_label(self, check_type):
        return dict(self._fields["check_type"]._description_selection(self.env))[check_type]

    def _check_signer(self):
        self._check_can_sign(self.order_id, self.check_type, self.user_id, check=self)

    @api.model
    def _check_can_sign(self, order, check_type, user, check=None):
        """Refuse, with the reason, a check of check_type on the order by user:
        asked when the check's form is opened, so that a check that cannot pass
        is refused before it is filled, and again when it is recorded (check)."""
        check = check or self.browse()
        if order.state != "qc":
            raise UserError(self.env._("%(order)s is not waiting for its quality checks.", order=order.name))
        if not user.has_group(CHECK_GROUPS[check_type]):
            role = self.env.ref(CHECK_GROUPS[check_type]).name
            raise UserError(self.env._("The %(check)s is signed by a %(role)s.",
                                       check=self._check_label(check_type), role=role))
        if check_type == "self" and user not in order.line_ids.technician_id \
                and not user.has_group("autorepair_workshop.group_team_lead"):
            raise UserError(self.env._("The self-check is done by a technician who worked on the car."))
        previous = PREVIOUS_CHECK.get(check_type)
        if previous and order._last_check_result(previous, check.id) != "pass":
            raise UserError(self.env._("The %(check)s comes after a passed %(previous)s.",
                                       check=self._check_label(check_type), previous=self._check_label(previous)))
        if check_type != "self" and not self.env.su:
            earlier = order.check_ids.filtered(
                lambda c: c != check and c.result == "pass" and c.check_type != check_type)
            if user in earlier.user_id:
                raise UserError(self.env._("Each check is made by another person than the earlier ones."))

    def _apply_result(self):
        order = self.order_id
        if self.result == "fail":
            order._transition("fail_check")
            order.line_ids.filtered(
                lambda line: line.line_type == "labour" and line.is_approved).sudo().work_state = "paused"
            order.message_post(body=self.env._("%(check)s failed: %(reason)s. Back to work.",
                                               check=self._check_label(self.check_type), reason=self.reason))
        elif self.check_type == "final":
            order._transition("pass_final_check")


class AutorepairQualityCheckLine(models.Model):
    _name = "autorepair.quality.check.line"
    _description = "Quality Checklist Result"

    check_id = fields.Many2one("autorepair.quality.check", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="check_id.company_id", store=True, index=True)
    item_id = fields.Many2one("autorepair.check.item", string="Point", required=True, ondelete="restrict")
    ok = fields.Boolean(string="OK", default=True)
    note = fields.Char()
