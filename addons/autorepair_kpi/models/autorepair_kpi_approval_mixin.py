from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class AutorepairKpiApprovalMixin(models.AbstractModel):
    """The review of a monthly document (statement, improvement plan): which
    role may move its state where, its content frozen once it leaves the
    draft, and who approved it. The model using it has a state selection
    with a draft, a submitted and an approved state."""

    _name = "autorepair.kpi.approval.mixin"
    _description = "Monthly Review"

    # {(state, next state): xml id of the group allowed to make the move}
    _approval_transitions = {}
    # fields written by the model's own moves (who, when): they change outside a draft
    _approval_fields = frozenset()

    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, ondelete="set null",
                                     copy=False)
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)

    def _state_label(self, state):
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _check_draft(self):
        for record in self:
            if record.state != "draft":
                raise UserError(self.env._(
                    "%(record)s is %(state)s: only a draft can change.", record=record.display_name,
                    state=self._state_label(record.state)))

    def write(self, vals):
        # the chatter and activities go on whatever the state
        free = {"state", "approved_by_id", "approved_date", *self._approval_fields,
                *self.env["mail.thread"]._fields, *self.env["mail.activity.mixin"]._fields}
        content = set(vals) - free
        for record in self:
            new_state = vals.get("state", record.state)
            if new_state != record.state:
                group = self._approval_transitions.get((record.state, new_state))
                if not group:
                    raise UserError(self.env._(
                        "%(record)s cannot go from %(old)s to %(new)s.", record=record.display_name,
                        old=self._state_label(record.state), new=self._state_label(new_state)))
                if not self.env.su and not self.env.user.has_group(group):
                    raise AccessError(self.env._(
                        "You are not allowed to move %(record)s to %(new)s.", record=record.display_name,
                        new=self._state_label(new_state)))
            if content:
                record._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        self._check_draft()

    def action_back_to_draft(self):
        self.write({"state": "draft"})
        return True

    def action_approve(self):
        self.write({"state": "approved", "approved_by_id": self.env.uid, "approved_date": fields.Datetime.now()})
        return True
