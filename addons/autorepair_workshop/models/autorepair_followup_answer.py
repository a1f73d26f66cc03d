from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .autorepair_survey_question import ASPECTS

SCORES = [(str(score), str(score)) for score in range(1, 6)]


class AutorepairFollowupAnswer(models.Model):
    """The customer's answer to one question of the follow-up call: a score
    from 1 (very dissatisfied) to 5 (very satisfied) and his suggestion. It
    keeps the question's weight of the day: a questionnaire changed later
    does not change the past CSI."""

    _name = "autorepair.followup.answer"
    # what the customer said on the call
    _autorepair_personal_fields = ("suggestion",)
    _description = "Follow-up Answer"
    _order = "followup_id, sequence, id"
    _check_company_auto = True

    followup_id = fields.Many2one(
        "autorepair.followup", string="Follow-up Call", required=True, index=True, ondelete="cascade")
    question_id = fields.Many2one(
        "autorepair.survey.question", string="Question", required=True, index=True, ondelete="restrict")
    sequence = fields.Integer(
        compute="_compute_from_question", store=True, readonly=False, precompute=True)
    weight = fields.Float(
        compute="_compute_from_question", store=True, readonly=False, precompute=True)
    aspect = fields.Selection(ASPECTS, compute="_compute_from_question", store=True, readonly=False,
                              precompute=True)
    score = fields.Selection(SCORES, help="1 = very dissatisfied, 5 = very satisfied.")
    score_value = fields.Integer(
        string="Score (1-5)", compute="_compute_score_value", store=True, aggregator="avg",
        help="The score as a number: averaged per question and month in the satisfaction report.")
    suggestion = fields.Char(help="What the customer suggests or complains about on this point.")
    # the monthly satisfaction per question reads these (RULEBOOK §3.15)
    date = fields.Datetime(related="followup_id.date", store=True, index=True)
    reached = fields.Boolean(related="followup_id.reached", store=True)
    company_id = fields.Many2one(related="followup_id.company_id", store=True, index=True)
    advisor_id = fields.Many2one(related="followup_id.advisor_id", store=True, index=True)
    brand_id = fields.Many2one(related="followup_id.brand_id", store=True, index=True)

    _sql_constraints = [
        ("question_uniq", "UNIQUE (followup_id, question_id)", "A question is answered once per call."),
    ]

    @api.depends("question_id")
    def _compute_from_question(self):
        for answer in self:
            question = answer.question_id.sudo()
            answer.sequence, answer.weight, answer.aspect = question.sequence, question.weight, question.aspect

    @api.depends("score")
    def _compute_score_value(self):
        for answer in self:
            answer.score_value = int(answer.score or 0)

    @api.constrains("weight")
    def _check_weight(self):
        for answer in self:
            if answer.weight < 0:
                raise ValidationError(self.env._("An answer's weight cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                # the weight is the question's of the day, never typed
                for fname in ("weight", "aspect", "sequence"):
                    vals.pop(fname, None)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and {"followup_id", "question_id", "weight", "aspect"} & vals.keys():
            raise AccessError(self.env._("The question of an answer and its weight stay as asked."))
        return super().write(vals)
