from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

# moves the suite's own steps make; staff propose adjustments only
SYSTEM_TYPES = ("earn", "redeem", "reverse")


class AutorepairLoyaltyMove(models.Model):
    """A line of a customer's points ledger (RULEBOOK §9). The balance is the sum
    of the approved moves; moves are never edited, a mistake is corrected by an
    adjustment move so that the history stays readable.

    Points are money: they come only from paid invoices (earned by the suite
    when the invoice is paid) and from adjustments a service manager approved;
    a credit note takes back the points of what it refunds; a redemption goes
    through ``res.partner.action_loyalty_redeem``, which checks the balance.
    Staff create adjustments only, as proposals (draft)."""

    _name = "autorepair.loyalty.move"
    _description = "Loyalty Points Move"
    _inherit = ["autorepair.workflow.mixin"]
    _order = "date desc, id desc"
    _rec_name = "description"
    _check_company_auto = True
    _workflow_fields = frozenset({"state", "approved_by_id", "approved_date", "invoice_id", "user_id"})
    _workflow_initial = {"state": "draft"}
    _workflow_fixed = frozenset({"partner_id", "points", "move_type", "company_id", "date"})

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    move_type = fields.Selection(
        [("earn", "Earned"), ("redeem", "Redeemed"), ("adjust", "Adjustment"), ("reverse", "Taken Back")],
        string="Type",
        required=True,
        default="adjust",
        help="Earned on a paid invoice, taken back by its credit note, redeemed by the customer, "
        "or adjusted by a service manager.",
    )
    points = fields.Integer(required=True, help="Positive when earned, negative when redeemed or taken back.")
    description = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [("draft", "To Approve"), ("approved", "Approved"), ("refused", "Refused")],
        default="draft", required=True, readonly=True, copy=False, index=True,
        help="Only approved moves count in the balance.",
    )
    user_id = fields.Many2one("res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True)
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False,
                                     ondelete="restrict")
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    invoice_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, ondelete="restrict", index="btree_not_null",
        help="The paid invoice the points were earned on, or the credit note that took them back.",
    )

    _sql_constraints = [
        ("invoice_uniq", "unique(invoice_id)", "Points were already earned or taken back for this invoice."),
    ]

    @api.constrains("move_type", "points")
    def _check_points_sign(self):
        for move in self:
            if not move.points:
                raise ValidationError(self.env._("A loyalty move must earn or redeem at least one point."))
            if move.move_type == "earn" and move.points < 0:
                raise ValidationError(self.env._("Earned points must be positive."))
            if move.move_type in ("redeem", "reverse") and move.points > 0:
                raise ValidationError(self.env._("Redeemed points must be negative."))

    def _check_balance(self):
        """A redemption or an approved adjustment may not take the balance below
        zero (a credit note may: the customer then earns the difference back)."""
        balances = self.partner_id._loyalty_balances()
        for partner in self.partner_id:
            if balances.get(partner.id, 0) < 0:
                raise ValidationError(
                    self.env._(
                        "Not enough points: %(customer)s would end with a balance of %(balance)s.",
                        customer=partner.display_name,
                        balance=balances[partner.id],
                    )
                )

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if vals.get("move_type", "adjust") != "adjust":
                    raise AccessError(self.env._(
                        "Points are earned on paid invoices and redeemed from the customer's form: "
                        "staff can only propose an adjustment, which a service manager approves."))
                # who proposed is the caller, whatever the values say
                vals.pop("user_id", None)
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_counted(self):
        if self.filtered(lambda move: move.state == "approved"):
            raise UserError(self.env._("Counted points cannot be deleted: correct them with an adjustment."))

    # ------------------------------------------------------------------- actions

    def _check_approver(self):
        user = self.env.user
        if not user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a service manager may approve or refuse a points adjustment."))
        for move in self:
            if move.move_type != "adjust" or move.state != "draft":
                raise UserError(self.env._("Only a proposed adjustment can be approved or refused."))
            if move.user_id == user:
                raise AccessError(self.env._(
                    "%(move)s was proposed by you: another service manager approves it.",
                    move=move.description))

    def action_approve(self):
        """A service manager (not the proposer) approves proposed adjustments:
        from then on they count in the balance."""
        self._check_approver()
        self.sudo().write({"state": "approved", "approved_by_id": self.env.uid,
                           "approved_date": fields.Datetime.now()})
        self._check_balance()
        return True

    def action_refuse(self):
        self._check_approver()
        self.sudo().write({"state": "refused", "approved_by_id": self.env.uid,
                           "approved_date": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------ business steps

    @api.model
    def _redeem(self, partner, points, description):
        """Redeem points of a customer: the balance is read under a lock on the
        customer, so that two desks cannot spend the same points."""
        if not isinstance(points, int) or points <= 0:
            raise UserError(self.env._("Redeem a positive whole number of points."))
        if not description:
            raise UserError(self.env._("Say what the points are redeemed for."))
        self.env.cr.execute(SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", partner.id))
        move = self.sudo().create({
            "partner_id": partner.id,
            "company_id": self.env.company.id,
            "move_type": "redeem",
            "points": -points,
            "description": description,
            "state": "approved",
            "user_id": self.env.uid,
        })
        move._check_balance()
        return move

    @api.model
    def _earn_for_invoices(self, invoices):
        """Earn points on paid invoices, once each, at the rate of the
        invoice's company; the credit notes already posted against them take
        their share back at once."""
        invoices = invoices.filtered(lambda inv: inv.move_type == "out_invoice" and inv.state == "posted")
        done = set(self.sudo().search([("invoice_id", "in", invoices.ids)]).invoice_id.ids)
        points = {
            invoice: int(invoice.amount_total_signed * invoice.company_id._autorepair_crm_setting("points_per_yuan"))
            for invoice in invoices if invoice.id not in done
        }
        self.sudo().create([
            {
                "partner_id": invoice.commercial_partner_id.id,
                "company_id": invoice.company_id.id,
                "move_type": "earn",
                "points": count,
                "description": self.env._("Paid %(invoice)s", invoice=invoice.name),
                "invoice_id": invoice.id,
                "state": "approved",
                "user_id": self.env.uid,
            }
            for invoice, count in points.items() if count > 0
        ])
        refunds = self.env["account.move"].sudo().search([
            ("reversed_entry_id", "in", invoices.ids), ("move_type", "=", "out_refund"), ("state", "=", "posted")])
        self._take_back_for_refunds(refunds)

    @api.model
    def _take_back_for_refunds(self, refunds):
        """A posted credit note takes back the points its invoice earned, in
        proportion to what it refunds; once per credit note, and never more
        than the invoice earned. A refund of an invoice not paid yet takes
        nothing now: the points are taken back when the invoice is paid."""
        Move = self.sudo()
        refunds = refunds.filtered(
            lambda r: r.move_type == "out_refund" and r.state == "posted" and r.reversed_entry_id)
        done = set(Move.search([("invoice_id", "in", refunds.ids)]).invoice_id.ids)
        refunds = refunds.filtered(lambda r: r.id not in done)
        if not refunds:
            return
        earned = {move.invoice_id: move for move in Move.search([
            ("invoice_id", "in", refunds.reversed_entry_id.ids), ("move_type", "=", "earn"),
            ("state", "=", "approved")])}
        taken = {}
        for move in Move.search([("invoice_id.reversed_entry_id", "in", refunds.reversed_entry_id.ids),
                                 ("move_type", "=", "reverse")]):
            invoice = move.invoice_id.reversed_entry_id
            taken[invoice] = taken.get(invoice, 0) - move.points
        vals_list = []
        for refund in refunds.sorted("id"):
            invoice = refund.reversed_entry_id
            earn = earned.get(invoice)
            if not earn or not invoice.amount_total:
                continue
            share = round(earn.points * min(refund.amount_total / invoice.amount_total, 1.0))
            share = min(share, earn.points - taken.get(invoice, 0))
            if share <= 0:
                continue
            taken[invoice] = taken.get(invoice, 0) + share
            vals_list.append({
                "partner_id": earn.partner_id.id,
                "company_id": earn.company_id.id,
                "move_type": "reverse",
                "points": -share,
                "description": self.env._("Credit note %(refund)s of %(invoice)s",
                                          refund=refund.name, invoice=invoice.name),
                "invoice_id": refund.id,
                "state": "approved",
                "user_id": self.env.uid,
            })
        Move.create(vals_list)
