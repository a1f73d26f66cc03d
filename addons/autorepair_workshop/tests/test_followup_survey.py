import ast

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.modules.migration import load_script
from odoo.tests import Form, tagged

from .common import ServiceOrderCase, followup_answers, make_questionnaire

# the migration of the three old scores, loaded as Odoo's upgrade loads it
migration = load_script("autorepair_workshop/migrations/18.0.1.1.0/post-migrate.py", "autorepair_workshop_migration")


@tagged("post_install", "-at_install")
class TestFollowupSurvey(ServiceOrderCase):
    """The follow-up questionnaire is data per brand (RULEBOOK §3.13, §8):
    answers 1-5 with suggestions, the CSI weighted on 100, the lowest answer
    marks a low call, the script names the work, the monthly figures per
    question."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.byd = cls.env["fleet.vehicle.model.brand"].create({"name": "比亚迪"})
        cls.byd_questions = make_questionnaire(cls.env, cls.byd, (
            ("attitude", "接待是否热情？", 16.0), ("product", "车辆本身是否满意？", 21.0),
            ("price", "收费是否清楚？", 11.0)))
        byd_model = cls.env["fleet.vehicle.model"].create({"name": "汉", "brand_id": cls.byd.id})
        cls.byd_car = cls.env["fleet.vehicle"].create({
            "model_id": byd_model.id, "license_plate": "川A66666", "owner_id": cls.customer.id})
        cls.other_brand = cls.env["fleet.vehicle.model.brand"].create({"name": "长城"})
        other_model = cls.env["fleet.vehicle.model"].create({"name": "哈弗H6", "brand_id": cls.other_brand.id})
        cls.other_car = cls.env["fleet.vehicle"].create({
            "model_id": other_model.id, "license_plate": "川A77777", "owner_id": cls.customer.id})

    def _delivered(self, vehicle=None):
        order = self._received_order(vehicle_id=(vehicle or self.vehicle).id)
        self._approve_all(order)
        self._work_and_check(order)
        self._deliver(order)
        return order

    def _call(self, order, scores, **vals):
        return self.env["autorepair.followup"].with_user(self.user_care_agent).create({
            "order_id": order.id, "answer_ids": followup_answers(self.env, order, scores), **vals})

    def test_each_brand_its_questionnaire_and_weights(self):
        Question = self.env["autorepair.survey.question"]
        self.assertEqual(Question._autorepair_questionnaire(self.byd_car, self.env.company), self.byd_questions)
        self.assertEqual(Question._autorepair_questionnaire(self.vehicle, self.env.company), self.questions)
        self.assertEqual(Question._autorepair_questionnaire(self.other_car, self.env.company),
                         Question.search([("brand_id", "=", False)]), "a brand without its own: the default")
        # the form gives the call the questionnaire of the car's brand, of the order chosen last
        order = self._delivered(self.byd_car)
        form = Form(self.env["autorepair.followup"].with_user(self.user_care_agent))
        form.order_id = self._delivered()
        self.assertEqual(len(form.answer_ids), 3)
        form.order_id = order
        self.assertEqual(len(form.answer_ids), 3)
        for index, score in enumerate(("5", "3", "4")):
            with form.answer_ids.edit(index) as answer:
                answer.score = score
        with form.answer_ids.edit(1) as answer:
            answer.suggestion = "电池续航比宣传的短"
        followup = form.save()
        self.assertEqual(followup.answer_ids.question_id, self.byd_questions)
        # (5 x 16 + 3 x 21 + 4 x 11) / 48 x 20
        self.assertAlmostEqual(followup.csi, 77.92, places=2)
        self.assertFalse(followup.is_low)
        self.assertEqual((followup.score_attitude, followup.score_transparency, followup.score_quality),
                         ("5", "4", False), "the old scores read the lowest answer of their point")
        # a questionnaire changed later leaves the past CSI as it was
        self.byd_questions[1].weight = 50
        self.assertAlmostEqual(followup.csi, 77.92, places=2)
        self.assertEqual(followup.answer_ids[1].weight, 21)

    def test_every_question_scored_when_reached(self):
        order = self._delivered()
        with self.assertRaises(ValidationError):
            self.env["autorepair.followup"].with_user(self.user_care_agent).create({"order_id": order.id})
        followup = self.env["autorepair.followup"].with_user(self.user_care_agent).create(
            {"order_id": order.id, "reached": False})
        self.assertEqual(len(followup.answer_ids), 3, "the questions are ready for the next call")
        self.assertEqual(followup.csi, 0.0)

    def test_low_answer_marks_the_call(self):
        order = self._delivered()
        followup = self._call(order, {"attitude": 5, "quality": 2, "price": 5}, remarks="空调还是响")
        self.assertTrue(followup.is_low)
        self.assertEqual(followup._worst_answer().aspect, "quality")
        self.assertAlmostEqual(followup.csi, 80.0, places=2)
        self.assertTrue(order.message_ids.filtered(lambda message: "空调还是响" in message.body))
        self.env.company.autorepair_workshop_csi_low_score = 1
        self.assertFalse(self._call(order, 2).is_low, "the threshold is the company's setting")

    def test_answer_weight_and_question_stay_as_asked(self):
        order = self._delivered()
        followup = self._call(order, 4)
        answer = followup.answer_ids[0].with_user(self.user_care_agent)
        for vals in ({"weight": 100.0}, {"question_id": self.questions[1].id}):
            with self.assertRaises(AccessError):
                answer.write(vals)
        answer.write({"score": "5", "suggestion": "很好"})
        self.assertAlmostEqual(followup.csi, 86.67, places=2)
        # a weight typed on a new answer is the question's
        new = self.env["autorepair.followup.answer"].with_user(self.user_care_agent).create({
            "followup_id": self._call(self._delivered(self.byd_car), 5).id, "question_id": self.questions[0].id,
            "score": "5", "weight": 1000.0})
        self.assertEqual(new.weight, 1.0)
        with self.assertRaises(AccessError):
            self.env["autorepair.survey.question"].with_user(self.user_care_agent).create(
                {"name": "x", "weight": 1})

    def test_call_script_names_the_customer_and_the_work(self):
        self.customer.title = self.env.ref("base.res_partner_title_mister")
        with freeze_time("2026-03-02 02:00:00"):
            order = self._delivered()
        self.assertEqual(self.customer._autorepair_salutation(), "张" + self.customer.title.name)
        with freeze_time("2026-03-03 02:00:00"):
            followup = self.env["autorepair.followup"].with_user(self.user_care_agent).new({"order_id": order.id})
            script = followup.call_script
        self.assertIn("张" + self.customer.title.name, script)
        self.assertIn("项目0", script, "the work done")
        self.assertIn("yesterday", script)
        partner = self.env["res.partner"].create({"name": "John Smith", "title": self.customer.title.id})
        self.assertEqual(partner._autorepair_salutation(), f"{partner.title.shortcut} Smith")

    def test_monthly_satisfaction_per_question(self):
        with freeze_time("2026-03-10 02:00:00"):
            march = [self._delivered(), self._delivered()]
            self._call(march[0], {"attitude": 5, "quality": 4, "price": 3})
            self._call(march[1], {"attitude": 3, "quality": 4, "price": 2})
        with freeze_time("2026-04-10 02:00:00"):
            april = self._delivered()
            self._call(april, {"attitude": 4, "quality": 5, "price": 5})
            # not reached: no answer counts
            self.env["autorepair.followup"].with_user(self.user_care_agent).create(
                {"order_id": self._delivered().id, "reached": False})
        action = self.env.ref("autorepair_workshop.autorepair_followup_answer_action")
        Answer = self.env["autorepair.followup.answer"].with_user(self.user_advisor)
        rows = Answer._read_group(
            [*ast.literal_eval(action.domain), ("question_id", "in", self.questions.ids)],
            ["question_id", "date:month"], ["score_value:avg", "__count"])
        figures = {(question.aspect, month.strftime("%Y-%m")): (avg, count) for question, month, avg, count in rows}
        self.assertEqual(figures, {
            ("attitude", "2026-03"): (4.0, 2), ("quality", "2026-03"): (4.0, 2), ("price", "2026-03"): (2.5, 2),
            ("attitude", "2026-04"): (4.0, 1), ("quality", "2026-04"): (5.0, 1), ("price", "2026-04"): (5.0, 1),
        })

    def test_old_scores_migrate_into_answers(self):
        """A call scored on the old form (three score columns, the company's
        weights in Settings) gets its answers, and its CSI stays."""
        order = self._delivered()
        followup = self.env["autorepair.followup"].create({
            "order_id": order.id, "reached": False, "answer_ids": []})
        done = self.env["autorepair.followup"].create({"order_id": order.id, "answer_ids": followup_answers(
            self.env, order, 5)})
        cr = self.env.cr
        # the old shape: the weights of the removed settings, the scores written by the old form
        cr.execute("ALTER TABLE res_company ADD COLUMN IF NOT EXISTS autorepair_workshop_csi_weight_quality float8")
        cr.execute("UPDATE res_company SET autorepair_workshop_csi_weight_quality = 2 WHERE id = %s",
                   [order.company_id.id])
        cr.execute("""UPDATE autorepair_followup SET reached = TRUE, score_attitude = '5', score_quality = '4',
                      score_transparency = '5', csi = 90 WHERE id = %s""", [followup.id])
        self.env.invalidate_all()
        answers = migration.migrate_scores(self.env)
        self.assertEqual(answers.followup_id, followup, "only the calls without answers")
        self.assertEqual(sorted(answers.mapped(lambda a: (a.question_id.aspect, a.score, a.weight))), [
            ("attitude", "5", 1.0), ("price", "5", 1.0), ("quality", "4", 2.0)])
        # (5 + 4 x 2 + 5) / 4 x 20, as the old form computed it
        self.assertAlmostEqual(followup.csi, 90.0, places=2)
        self.assertEqual((followup.score_attitude, followup.score_quality, followup.score_transparency),
                         ("5", "4", "5"))
        self.assertFalse(migration.migrate_scores(self.env), "run twice: nothing more")
        self.assertEqual(len(done.answer_ids), 3)
