from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .autorepair_followup_answer import SCORES


class AutorepairFollowup(models.Model):
    """The follow-up call (回访) after delivery: the customer's answers to the
    questionnaire of his car's brand, each scored 1 to 5 with his
    suggestions, the weighted satisfaction (CSI) and his remarks. A low answer
    marks the order for a complaint (RULEBOOK §3.13-15)."""

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
    brand_id = fields.Many2one(related="order_id.vehicle_id.brand_id", string="Brand", store=True, index=True)
    advisor_id = fields.Many2one(related="order_id.advisor_id", store=True, index=True)
    # who called and when count in the staff figures: always the caller, at the time he logs it
    agent_id = fields.Many2one("res.users", string="Agent", required=True, default=lambda self: self.env.user,
                               readonly=True,
                               ondelete="restrict", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    channel = fields.Selection([("phone", "Phone"), ("sms", "SMS"), ("wechat", "WeChat"), ("app", "App")],
                               default="phone", required=True)
    reached = fields.Boolean(default=True, help="Untick when the customer could not be reached.")
    call_script = fields.Text(
        compute="_compute_call_script",
        help="What to ask first: the customer by his name and the work done on his car.")
    answer_ids = fields.One2many(
        "autorepair.followup.answer", "followup_id", string="Answers", copy=False,
        compute="_compute_answer_ids", store=True, readonly=False, precompute=True)
    # the lowest answer about each of the three points of the old form, kept for reading
    # (RULEBOOK §3.13: attitude, work quality, price transparency)
    score_attitude = fields.Selection(SCORES, string="Service Attitude", compute="_compute_csi", store=True)
    score_quality = fields.Selection(SCORES, string="Work Quality", compute="_compute_csi", store=True)
    score_transparency = fields.Selection(SCORES, string="Price Transparency", compute="_compute_csi", store=True)
    csi = fields.Float(string="CSI", compute="_compute_csi", store=True, aggregator="avg",
                       help="The answers' weighted score on 100 (5 on every question = 100).")
    is_low = fields.Boolean(string="Low Score", compute="_compute_csi", store=True, index=True)
    remarks = fields.Text()

    @api.depends("order_id")
    def _compute_answer_ids(self):
        """A new call is given the questionnaire of the car's brand (another
        order chosen on the form: its brand's); the answers of a logged call
        stay as given."""
        Question = self.env["autorepair.survey.question"]
        for followup in self:
            if followup._origin:
                continue
            order = followup.order_id
            questions = Question._autorepair_questionnaire(order.vehicle_id, order.company_id) if order else Question
            followup.answer_ids = [Command.clear()] + [
                Command.create({"question_id": question.id}) for question in questions]

    @api.depends("reached", "answer_ids.score", "answer_ids.weight", "answer_ids.aspect")
    def _compute_csi(self):
        for followup in self:
            answers = followup.answer_ids.filtered("score")
            for fname, aspect in (("score_attitude", "attitude"), ("score_quality", "quality"),
                                  ("score_transparency", "price")):
                scores = answers.filtered(lambda a, asp=aspect: a.aspect == asp).mapped("score_value")
                followup[fname] = str(min(scores)) if followup.reached and scores else False
            weight = sum(answers.mapped("weight"))
            if not followup.reached or not answers or not weight:
                followup.csi, followup.is_low = 0.0, False
                continue
            threshold = followup.order_id.company_id._autorepair_workshop_setting("csi_low_score")
            followup.csi = sum(a.score_value * a.weight for a in answers) / weight * 20
            followup.is_low = min(answers.mapped("score_value")) <= threshold

    @api.depends("order_id", "partner_id")
    def _compute_call_script(self):
        for followup in self:
            followup.call_script = followup.order_id and followup._autorepair_call_script()

    def _autorepair_call_script(self):
        """The call's first question names the customer and the work done:
        "张先生，昨天更换氧传感器后车辆是否正常？"."""
        self.ensure_one()
        order = self.order_id
        delivered = order.delivered_date and fields.Datetime.context_timestamp(self, order.delivered_date).date()
        today = fields.Date.context_today(self)
        if not delivered or delivered == today:
            when = self.env._("today")
        elif (today - delivered).days == 1:
            when = self.env._("yesterday")
        else:
            when = self.env._("on %(date)s", date=delivered.strftime("%m-%d"))
        return self.env._(
            "%(customer)s, is the car running normally since the %(work)s %(when)s?",
            customer=order.partner_id._autorepair_salutation(), work=order._autorepair_work_done(limit=2),
            when=when)

    def _worst_answer(self):
        """The answer with the lowest score (the heaviest first among equals):
        what a complaint is about."""
        self.ensure_one()
        return self.answer_ids.filtered("score").sorted(lambda a: (a.score_value, -a.weight))[:1]

    @api.constrains("reached", "answer_ids")
    def _check_scores(self):
        for followup in self:
            if followup.reached and (not followup.answer_ids or not all(followup.answer_ids.mapped("score"))):
                raise ValidationError(self.env._("Score every question when the customer was reached."))

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
            work = order._autorepair_work_done()
            values.update({"date": delivered.strftime("%Y-%m-%d") if delivered else "", "time": "", "text": work})
            # the agent logging the call may not write the order: the notice is the call's consequence
            order.sudo()._autorepair_notify("followup", self.env._(
                "%(shop)s: we called you about %(plate)s after its service on %(date)s (%(work)s). Is the car "
                "running well? Reply to this message or call us at %(phone)s.", shop=order.company_id.name,
                plate=values["plate"] or order.name, date=values["date"], work=work,
                phone=order.company_id.phone or ""), values)
