from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class AutorepairLoyaltyAdjustment(models.Model):
    """A staff correction of a customer's points (RULEBOOK §9): proposed by
    anyone of after-sales, approved or refused by another service manager.
    Only the approval touches the customer's points card (Odoo ``loyalty``):
    it adds a line to the card's history and moves its balance.

    Earned points (paid invoices), points taken back (credit notes) and
    redemptions are written on the card by the suite's own steps, never here."""

    _name = "autorepair.loyalty.adjustment"
    _description = "Loyalty Points Adjustment"
    _inherit = ["autorepair.workflow.mixin"]
    _order = "date desc, id desc"
    _rec_name = "description"
    _check_company_auto = True
    _workflow_fields = frozenset({"state", "approved_by_id", "approved_date", "user_id", "card_id", "history_id"})
    _workflow_initial = {"state": "draft"}
    _workflow_fixed = frozenset({"partner_id", "points", "company_id", "date"})

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    points = fields.Integer(required=True, help="Positive to add points, negative to remove them.")
    description = fields.Char(string="Reason", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [("draft", "To Approve"), ("approved", "Approved"), ("refused", "Refused")],
        default="draft", required=True, readonly=True, copy=False, index=True,
        help="Only an approved adjustment moves the customer's points.",
    )
    user_id = fields.Many2one("res.users", string="Proposed By", default=lambda self: self.env.user, readonly=True)
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False,
                                     ondelete="restrict")
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    card_id = fields.Many2one("loyalty.card", string="Points Card", readonly=True, copy=False, ondelete="restrict")
    history_id = fields.Many2one("loyalty.history", string="Card History Line", readonly=True, copy=False,
                                 ondelete="set null")

    @api.constrains("points")
    def _check_points(self):
        if any(not adjustment.points for adjustment in self):
            raise ValidationError(self.env._("An adjustment must add or remove at least one point."))

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                # who proposed is the caller, whatever the values say
                vals.pop("user_id", None)
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_counted(self):
        if self.filtered(lambda adjustment: adjustment.state == "approved"):
            raise UserError(self.env._("Counted points cannot be deleted: correct them with an adjustment."))

    # ------------------------------------------------------------------- actions

    def _check_approver(self):
        user = self.env.user
        if not user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a service manager may approve or refuse a points adjustment."))
        for adjustment in self:
            if adjustment.state != "draft":
                raise UserError(self.env._("Only a proposed adjustment can be approved or refused."))
            if adjustment.user_id == user:
                raise AccessError(self.env._(
                    "%(adjustment)s was proposed by you: another service manager approves it.",
                    adjustment=adjustment.description))

    def action_approve(self):
        """A service manager (not the proposer) approves proposed adjustments:
        the customer's card gets them, and may not go below zero."""
        self._check_approver()
        for adjustment in self.sudo():
            card = adjustment.partner_id._autorepair_points_card(adjustment.company_id)
            history = card._autorepair_points_move(
                adjustment.points, self.env._("Adjustment: %(reason)s", reason=adjustment.description),
                record=adjustment, allow_negative=False)
            adjustment.write({"state": "approved", "approved_by_id": self.env.uid,
                              "approved_date": fields.Datetime.now(), "card_id": card.id,
                              "history_id": history.id})
        return True

    def action_refuse(self):
        self._check_approver()
        self.sudo().write({"state": "refused", "approved_by_id": self.env.uid,
                           "approved_date": fields.Datetime.now()})
        return True
