from odoo import api, fields, models
from odoo.exceptions import ValidationError

# what a question is about: the complaint a low answer opens and the old
# three scores (attitude, quality, price transparency) read from it
ASPECTS = [
    ("attitude", "Service Attitude"),
    ("quality", "Work Quality"),
    ("price", "Price Transparency"),
    ("waiting", "Waiting Time"),
    ("product", "Product"),
]


class AutorepairSurveyQuestion(models.Model):
    """One question of the follow-up questionnaire (回访问卷) of a brand, or of
    the default questionnaire for the brands without their own: the maker's
    CSI items with their weights (RULEBOOK §3.13, §8), each answered from 1
    to 5."""

    _name = "autorepair.survey.question"
    _description = "Follow-up Question"
    _order = "brand_id nulls first, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    name = fields.Char(string="Question", required=True, translate=True)
    brand_id = fields.Many2one(
        "fleet.vehicle.model.brand", string="Brand", index=True, ondelete="cascade",
        help="The brand whose cars are asked this question; empty: the default questionnaire, for the brands "
        "without their own.")
    company_id = fields.Many2one(
        "res.company", string="Company", index=True, ondelete="cascade",
        help="Empty: the question is asked in every company.")
    weight = fields.Float(
        default=1.0, required=True,
        help="The question's share of the CSI score, e.g. 16 for 16%; the weights of a questionnaire need not "
        "add up to 100. An answer keeps the weight it was given with.")
    aspect = fields.Selection(
        ASPECTS, required=True, default="quality",
        help="What the question is about: a low answer opens a complaint of this kind.")
    active = fields.Boolean(default=True)

    @api.constrains("weight")
    def _check_weight(self):
        if any(question.weight <= 0 for question in self):
            raise ValidationError(self.env._("A question's weight is above zero."))

    @api.model
    def _autorepair_questionnaire(self, vehicle, company):
        """The active questions asked about ``vehicle`` in ``company``: its
        brand's own, else the default questionnaire (read as the system: the
        agent logging the call reads the questionnaire he is given)."""
        Question = self.sudo()
        domain = [("company_id", "in", (False, company.id))]
        questions = Question.browse()
        if vehicle.brand_id:
            questions = Question.search([*domain, ("brand_id", "=", vehicle.brand_id.id)])
        return questions or Question.search([*domain, ("brand_id", "=", False)])
