"""The follow-up call's three fixed scores become answers to the questions of
the default questionnaire (data: service attitude, work quality, price
transparency), each with the weight its company had in Settings: the CSI of a
past call stays what it was, and the monthly satisfaction per question counts
the calls made before the questionnaires."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.misc import split_every
from odoo.tools.sql import column_exists

# old score column -> (question of the data, old weight column of the company)
LEGACY_SCORES = {
    "score_attitude": ("survey_question_attitude", "autorepair_workshop_csi_weight_attitude"),
    "score_quality": ("survey_question_quality", "autorepair_workshop_csi_weight_quality"),
    "score_transparency": ("survey_question_transparency", "autorepair_workshop_csi_weight_transparency"),
}


def migrate(cr, version):
    if not version:
        return
    migrate_scores(api.Environment(cr, SUPERUSER_ID, {}))


def migrate_scores(env):
    """Answers for the calls scored on the old form that have none.

    :return: the answers created
    """
    cr = env.cr
    Question = env["autorepair.survey.question"].with_context(active_test=False)
    questions = {column: Question.env.ref(f"autorepair_workshop.{xmlid}") for column, (xmlid, _w) in
                 LEGACY_SCORES.items()}
    # the weights the companies had; the columns are left behind by the removed settings
    weights = {}
    for column, (_xmlid, weight_column) in LEGACY_SCORES.items():
        if column_exists(cr, "res_company", weight_column):
            cr.execute(SQL("SELECT id, %s FROM res_company", SQL.identifier(weight_column)))
            weights.update({(column, company_id): weight for company_id, weight in cr.fetchall()})
    cr.execute(SQL(
        """SELECT f.id, f.company_id, f.score_attitude, f.score_quality, f.score_transparency
             FROM autorepair_followup f
            WHERE COALESCE(f.score_attitude, f.score_quality, f.score_transparency) IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM autorepair_followup_answer a WHERE a.followup_id = f.id)
         ORDER BY f.id"""))
    vals_list = []
    for followup_id, company_id, *scores in cr.fetchall():
        for column, score in zip(LEGACY_SCORES, scores, strict=True):
            if score:
                vals_list.append({
                    "followup_id": followup_id, "question_id": questions[column].id, "score": score,
                    # a weight of 0 was allowed when another was set: it still counts for nothing
                    "weight": 1.0 if weights.get((column, company_id)) is None else weights[column, company_id],
                })
    answers = env["autorepair.followup.answer"]
    for batch in split_every(5000, vals_list, list):
        answers |= answers.create(batch)
    return answers
