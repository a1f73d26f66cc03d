import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, tagged

from odoo.addons.autorepair_crm.tests.common import add_role_users

SEPTEMBER = datetime.date(2026, 9, 1)
OCTOBER = datetime.date(2026, 10, 1)
# the plan for October is due by October 5th: the day ends at 16:00 UTC in Shanghai
DEADLINE = datetime.datetime(2026, 10, 5, 16, 0)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)


@tagged("post_install", "-at_install")
class TestKpiPlan(TransactionCase):
    """The care manager's summary and improvement plan for October, written
    from September's figures (RULEBOOK §5), and the penalty on a plan that
    is not in on time (§6 rule 6)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, tz="Asia/Shanghai"))
        add_role_users(cls, "plan", {
            "agent": "autorepair_care.group_care_agent",
            "care_manager": "autorepair_care.group_care_manager",
            "manager": "autorepair_crm.group_manager",
            "gm": "autorepair_crm.group_general_manager",
        })
        cls.env.company.autorepair_kpi_plan_deadline_day = 5
        cls.Plan = cls.env["autorepair.kpi.plan"]
        cls.period = cls.env["autorepair.kpi.definition"]._period(SEPTEMBER)

    def _plan(self, user=None, **vals):
        return self.Plan.with_user(user or self.user_care_manager).create({
            "month": OCTOBER,
            "analysis": "<p>首保提醒率 88%，低于 95% 的标准：晚间时段无人接听。</p>",
            "line_ids": [Command.create({
                "name": "晚间 18:00-20:00 增加一轮首保提醒电话", "user_id": self.user_agent.id,
                "date_deadline": datetime.date(2026, 10, 20)})],
            **vals,
        })

    def _submit_at(self, plan, when):
        with freeze_time(when):
            plan.action_submit()

    def _late(self, now):
        with freeze_time(now):
            return self.env["autorepair.kpi.rule"]._count_events("plan_late", self.period)

    # --------------------------------------------------------------- workflow

    def test_workflow(self):
        with Form(self.Plan.with_user(self.user_care_manager)) as form:
            form.month = datetime.date(2026, 10, 17)
            form.analysis = "<p>定保回厂率 52%：流失客户多为外地车主。</p>"
            with form.line_ids.new() as line:
                line.name = "外地车主改发微信提醒"
                line.user_id = self.user_agent
                line.date_deadline = datetime.date(2026, 10, 31)
        plan = form.record
        self.assertEqual((plan.month, plan.deadline, plan.user_id, plan.state),
                         (OCTOBER, datetime.date(2026, 10, 5), self.user_care_manager, "draft"))
        self.assertIn("2026-10", plan.name)
        self.assertEqual(plan.action_open_figures()["domain"][0], ("month", "=", SEPTEMBER),
                         "the plan opens the figures it analyses")

        with self.assertRaises(UserError, msg="a draft is submitted before it is approved"):
            plan.with_user(self.user_gm).action_approve()
        self._submit_at(plan, DEADLINE - DAY)
        self.assertEqual((plan.state, plan.submitted_by_id), ("submitted", self.user_care_manager))
        with self.assertRaises(AccessError, msg="only the general manager approves"):
            plan.action_approve()
        with self.assertRaises(UserError, msg="a submitted plan no longer changes"):
            plan.analysis = "<p>改过的分析</p>"
        with self.assertRaises(AccessError, msg="nor do its actions"):
            plan.line_ids.name = "改过的措施"

        # sent back by the general manager, reworked and resubmitted: the first submission decides the timing
        plan.with_user(self.user_gm).action_back_to_draft()
        plan.analysis = "<p>定保回厂率 52%：外地车主占流失客户的 70%。</p>"
        plan.line_ids.date_deadline = datetime.date(2026, 10, 25)
        self._submit_at(plan, DEADLINE + DAY)
        self.assertEqual(plan.submitted_date, DEADLINE - DAY)
        plan.with_user(self.user_gm).action_approve()
        self.assertEqual((plan.state, plan.approved_by_id), ("approved", self.user_gm))
        for change in (plan.with_user(self.user_gm).action_back_to_draft, plan.unlink,
                       lambda: plan.write({"analysis": "<p>x</p>"})):
            with self.assertRaises(UserError, msg="an approved plan is final"):
                change()

    def test_submit_needs_analysis_and_actions(self):
        with self.assertRaises(UserError):
            self._plan(analysis=False).action_submit()
        with self.assertRaises(UserError):
            self._plan(month=datetime.date(2026, 11, 1), line_ids=False).action_submit()

    def test_roles(self):
        """Staff read the plan at most; the service manager writes one as the
        care manager does; only the general manager approves."""
        plan = self._plan()
        self.assertEqual(plan.with_user(self.user_agent).read(["state"])[0]["state"], "draft")
        with self.assertRaises(AccessError):
            self._plan(user=self.user_agent, month=datetime.date(2026, 11, 1))
        for change in (plan.with_user(self.user_agent).action_submit,
                       lambda: plan.with_user(self.user_agent).write({"analysis": "<p>x</p>"}),
                       lambda: plan.line_ids.with_user(self.user_agent).write({"name": "x"})):
            with self.assertRaises(AccessError):
                change()
        service = self._plan(user=self.user_manager, department="service")
        service.action_submit()
        plan.action_submit()
        with self.assertRaises(AccessError):
            plan.action_approve()
        plan.with_user(self.user_gm).action_approve()
        self.assertEqual(plan.state, "approved")
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"autorepair_kpi_plan_deadline_day": 0})

    # ------------------------------------------------------------- late plans

    def test_late_at_and_around_the_deadline(self):
        plan = self._plan()
        self.assertFalse(self._late(DEADLINE - MINUTE), "not late until October 5th is over")
        count, domain = self._late(DEADLINE)[self.user_care_manager.id]
        self.assertEqual(count, 1)
        self.assertEqual(self.Plan.search(domain), plan, "the line opens the late plan")
        self._submit_at(plan, DEADLINE - MINUTE)  # 23:59 on the 5th in Shanghai
        self.assertNotIn(self.user_care_manager.id, self._late(DEADLINE + 20 * DAY))

    def test_submitted_a_minute_late(self):
        plan = self._plan()
        self._submit_at(plan, DEADLINE)  # midnight: the 6th has begun
        plan.with_user(self.user_gm).action_approve()
        self.assertEqual(self._late(DEADLINE + 20 * DAY)[self.user_care_manager.id][0], 1,
                         "approved later, still late")

    def test_no_plan_counts_for_the_care_manager(self):
        """No customer-care plan: the care manager is counted (the managers,
        who hold the care manager's role too, are not); another department's
        plan does not replace it."""
        self._submit_at(self._plan(user=self.user_manager, department="service"), DEADLINE - DAY)
        late = self._late(DEADLINE)
        self.assertEqual(late[self.user_care_manager.id], (1, [("id", "in", [])]))
        self.assertNotIn(self.user_manager.id, late)
        self.assertNotIn(self.user_gm.id, late)

    def test_deadline_day_in_settings(self):
        self.env["res.config.settings"].create({"autorepair_kpi_plan_deadline_day": 10}).execute()
        plan = self._plan()
        self.assertEqual(plan.deadline, datetime.date(2026, 10, 10))
        self.assertFalse(self._late(DEADLINE + DAY), "due on the 10th now")
        self._submit_at(plan, DEADLINE + 4 * DAY)
        self.assertNotIn(self.user_care_manager.id, self._late(DEADLINE + 20 * DAY))

    def test_penalty_on_the_statement(self):
        """Closing September on October 20th without a plan: the care
        manager's statement gets the 200 to 300 yuan penalty of rule 6; once
        the plan is in (late), the line stays and opens it; a plan submitted
        in time leaves no line."""
        Statement = self.env["autorepair.kpi.statement"]
        rule = self.env.ref("autorepair_kpi.kpi_rule_summary_plan")
        with freeze_time(DEADLINE + 15 * DAY):
            statement = Statement._close_month(SEPTEMBER).filtered(lambda s: s.user_id == self.user_care_manager)
        line = statement.line_ids.filtered(lambda line: line.rule_id == rule)
        self.assertEqual((line.quantity, line.amount, line.amount_min, line.amount_max), (1, 200, 200, 300))
        line.with_user(self.user_manager).amount_unit = 250

        plan = self._plan()
        self._submit_at(plan, DEADLINE + 16 * DAY)
        with freeze_time(DEADLINE + 16 * DAY):
            statement.action_recompute()
        self.assertEqual(line.amount, 250, "the manager's amount is kept")
        self.assertEqual(self.Plan.search(line.action_open_records()["domain"]), plan)

        plan.sudo().submitted_date = DEADLINE - DAY
        with freeze_time(DEADLINE + 16 * DAY):
            statement.action_recompute()
        self.assertFalse(statement.line_ids.filtered(lambda line: line.rule_id == rule))
