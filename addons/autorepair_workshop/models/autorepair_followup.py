from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

SCORES = [(str(score), str(score)) for score in range(1, 6)]


class AutorepairFollowup(models.Model):
    """The follow-up call (回访) after delivery: three scores from 1 to 5, the
    weighted satisfaction (CSI) and the customer's remarks. A low score marks
    the order for a complaint (RULEBOOK §3.13-14)."""

    _name = "autorepair.followup"
    # what the customer said on the call
    _autorepair_personal_fields = ("remarks",)
    _description = "Follow-up Call"
    _order = "date desc, id desc"
    _check_company_auto = True

    order_id = fields.Many2one("autorepair.service.order", required=True, ondelete="cascade", index=True,
                               check_company=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, index=True)
    vehicle_id = fields.Many2one(related="order_id.vehicle_id", store=True)
    advisor_id = fields.Many2one(related="order_id.advisor_id", store=True, index=True)
    # who called and when count in the staff figures: always the caller, at the time he logs it
    agent_id = fields.Many2one("res.users", string="Agent", required=True, default=lambda self: self.env.user,
                               readonly=True,
                               ondelete="restrict", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    channel = fields.Selection([("phone", "Phone"), ("sms", "SMS"), ("wechat", "WeChat"), ("app", "App")],
                               default="phone", required=True)
    reached = fields.Boolean(default=True, help="Untick when the customer could not be reached.")
    score_attitude = fields.Selection(SCORES, string="Service Attitude")
    score_quality = fields.Selection(SCORES, string="Work Quality")
    score_transparency = fields.Selection(SCORES, string="Price Transparency")
    csi = fields.Float(string="CSI", compute="_compute_csi", store=True, aggregator="avg",
                       help="Weighted score on 100, with the weights set in Settings.")
    is_low = fields.Boolean(string="Low Score", compute="_compute_csi", store=True, index=True)
    remarks = fields.Text()

    @api.depends("score_attitude", "score_quality", "score_transparency", "reached")
    def _compute_csi(self):
        for followup in self:
            weights, threshold = self._csi_settings(followup.order_id.company_id)
            scores = [followup.score_attitude, followup.score_quality, followup.score_transparency]
            if not followup.reached or not all(scores):
                followup.csi, followup.is_low = 0.0, False
                continue
            values = [int(score) for score in scores]
            followup.csi = sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights) * 20
            followup.is_low = min(values) <= threshold

    @api.model
    def _csi_settings(self, company):
        setting = company._autorepair_workshop_setting
        weights = [setting(f"csi_weight_{key}") for key in ("attitude", "quality", "transparency")]
        return weights, setting("csi_low_score")

    @api.constrains("reached", "score_attitude", "score_quality", "score_transparency")
    def _check_scores(self):
        for followup in self:
            if followup.reached and not all(
                    [followup.score_attitude, followup.score_quality, followup.score_transparency]):
                raise ValidationError(self.env._("Score all three questions when the customer was reached."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if vals.get("agent_id") not in (None, False, self.env.uid):
                    raise AccessError(self.env._("A follow-up call is logged by the agent who made it."))
                vals["agent_id"] = self.env.uid
                vals.pop("date", None)
        followups = super().create(vals_list)
        followups._apply_to_order()
        return followups

    def write(self, vals):
        if not self.env.su and {"agent_id", "date", "order_id"} & vals.keys():
            raise AccessError(self.env._("Who made a follow-up call, when and for which order stay as logged."))
        return super().write(vals)

    def _apply_to_order(self):
        self._autorepair_notify_not_reached()
        for followup in self.filtered("is_low"):
            followup.order_id.message_post(body=self.env._(
                "Low follow-up score (%(csi)s): open a complaint. Customer said: %(remarks)s",
                csi=round(followup.csi), remarks=followup.remarks or "-"))
        # the call is made: the follow-up activity is done
        activity_type = self.env.ref("autorepair_workshop.mail_activity_type_followup")
        self.order_id.activity_ids.filtered(
            lambda activity: activity.activity_type_id == activity_type).action_feedback(
            feedback=self.env._("Follow-up call logged."))

    def _autorepair_notify_not_reached(self):
        """The customer could not be reached on the follow-up call: he gets
        the follow-up by WeChat or SMS instead (RULEBOOK §3.13: phone, app or
        SMS), naming the work done, once per order however many calls fail."""
        for followup in self.filtered(lambda f: not f.reached):
            order = followup.order_id
            if self.sudo().search_count([("order_id", "=", order.id), ("reached", "=", False),
                                         ("id", "!=", followup.id)], limit=1):
                continue
            values = order._autorepair_channel_values(order.partner_id)
            delivered = order.delivered_date and fields.Datetime.context_timestamp(
                order._autorepair_notice_tz(order.partner_id), order.delivered_date)
            work = "、".join(order.line_ids.filtered(
                lambda line: line.line_type == "labour" and line.is_approved).mapped("name")) or order.name
            values.update({"date": delivered.strftime("%Y-%m-%d") if delivered else "", "time": "", "text": work})
            # the agent logging the call may not write the order: the notice is the call's consequence
            order.sudo()._autorepair_notify("followup", self.env._(
                "%(shop)s: we called you about %(plate)s after its service on %(date)s (%(work)s). Is the car "
                "running well? Reply to this message or call us at %(phone)s.", shop=order.company_id.name,
                plate=values["plate"] or order.name, date=values["date"], work=work,
                phone=order.company_id.phone or ""), values)
