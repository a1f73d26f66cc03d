from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import MONTH, KpiCase


@tagged("post_install", "-at_install")
class TestKpiStatement(KpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["autorepair.kpi.statement"]._close_month(MONTH)
        cls.statement = cls.env["autorepair.kpi.statement"].search(
            [("user_id", "=", cls.user_agent.id), ("month", "=", MONTH)])

    def _line(self, statement, xmlid):
        return statement.line_ids.filtered(lambda line: line.rule_id == self.env.ref(f"autorepair_kpi.{xmlid}"))

    # ------------------------------------------------------------------ rules

    def test_default_rules_on_agent(self):
        """75% first-maintenance reminders (< 95%: 200), one failed reminder not
        followed up (20), one birthday missed (50), one periodic reminder out
        of time (50 to 100, 50 proposed)."""
        lines = self.statement.line_ids
        self.assertEqual(self._line(self.statement, "kpi_rule_first_maintenance_rate").amount, 200)
        failed = self._line(self.statement, "kpi_rule_first_maintenance_failed")
        self.assertEqual((failed.quantity, failed.amount), (1, 20))
        self.assertEqual(self.env["autorepair.care.task"].search(failed.action_open_records()["domain"]),
                         self.fm_failed, "the line drills down to the failed reminder")
        self.assertEqual(self._line(self.statement, "kpi_rule_birthday_missed").amount, 50)
        expired = self._line(self.statement, "kpi_rule_care_expired")
        self.assertEqual((expired.amount_min, expired.amount_max, expired.amount), (50, 100, 50))
        self.assertFalse(self._line(self.statement, "kpi_rule_first_maintenance_reward"))
        self.assertEqual(len(lines), 4)
        self.assertEqual((self.statement.penalty_total, self.statement.reward_total), (320, 0))
        self.assertEqual(self.statement.net_amount, -320)

    def test_rules_apply_to_their_roles(self):
        insurer = self._statement(self.user_insurer)
        self.assertEqual(insurer.line_ids.rule_id, self.env.ref("autorepair_kpi.kpi_rule_insurance_rate"),
                         "the insurance specialist gets the insurance rule only")
        technician = self._statement(self.user_technician)
        self.assertFalse(technician.line_ids, "no rule rates the technician by default")

    def test_threshold_at_and_around(self):
        below = self.env.ref("autorepair_kpi.kpi_rule_first_maintenance_rate")
        self.assertFalse(below._fires(95.0), "95% is not under 95%")
        self.assertTrue(below._fires(94.9))
        self.assertFalse(below._fires(95.1))
        reward = self.env.ref("autorepair_kpi.kpi_rule_first_maintenance_reward")
        self.assertTrue(reward._fires(100.0), "100% earns the reward")
        self.assertFalse(reward._fires(99.9))

    def test_threshold_on_statement(self):
        """Moving the threshold to the agent's figure (75%) drops the penalty;
        just above it brings it back; a reward at 75% pays."""
        rule = self.env.ref("autorepair_kpi.kpi_rule_first_maintenance_rate")
        rule.threshold = 75
        self.statement.action_recompute()
        self.assertFalse(self._line(self.statement, "kpi_rule_first_maintenance_rate"))
        rule.threshold = 75.01
        self.statement.action_recompute()
        self.assertTrue(self._line(self.statement, "kpi_rule_first_maintenance_rate"))
        self.env.ref("autorepair_kpi.kpi_rule_first_maintenance_reward").threshold = 75
        self.statement.action_recompute()
        self.assertEqual(self.statement.reward_total, 100)

    def test_rule_dates_in_force(self):
        self.env.ref("autorepair_kpi.kpi_rule_birthday_missed").date_from = "2026-10-01"
        self.statement.action_recompute()
        self.assertFalse(self._line(self.statement, "kpi_rule_birthday_missed"), "not yet in force in September")

    def test_range_and_exemption(self):
        statement = self.statement.with_user(self.user_manager)
        expired = self._line(statement, "kpi_rule_care_expired")
        with self.assertRaises(ValidationError):
            expired.amount_unit = 120
        expired.amount_unit = 80
        rate = self._line(statement, "kpi_rule_first_maintenance_rate")
        with self.assertRaises(ValidationError):
            rate.is_exempt = True
        rate.write({"is_exempt": True, "exempt_reason": "系统故障，客户电话无法拨出"})
        statement.action_recompute()
        self.assertEqual(self._line(statement, "kpi_rule_care_expired").amount, 80,
                         "the manager's amount survives the recompute")
        self.assertTrue(self._line(statement, "kpi_rule_first_maintenance_rate").is_exempt)
        self.assertEqual(statement.penalty_total, 80 + 20 + 50)

    def test_manual_line(self):
        statement = self.statement.with_user(self.user_manager)
        statement.line_ids = [(0, 0, {"rule_id": self.env.ref("autorepair_kpi.kpi_rule_insurance_audit").id,
                                      "quantity": 3})]
        manual = self._line(statement, "kpi_rule_insurance_audit")
        self.assertEqual(manual.amount, 60)
        with self.assertRaises(UserError, msg="no records behind a line added by hand"):
            manual.action_open_records()
        statement.action_recompute()
        self.assertEqual(self._line(statement, "kpi_rule_insurance_audit").amount, 60, "kept by the recompute")

    def test_role_change_mid_month(self):
        """The second agent fails a first-maintenance reminder early in
        September, then becomes a service advisor and receives a booked car:
        the statement keeps both roles, with the figures and rules of both."""
        agent2 = self.user_agent2
        self._task("first_maintenance", self.vehicle_c, 8, agent2, "failed", failure_reason="unreachable")
        Statement = self.env["autorepair.kpi.statement"]
        statement = Statement._close_month(MONTH, agent2)
        agent2.groups_id = [(3, self.env.ref("autorepair_care.group_care_agent").id),
                            (4, self.env.ref("autorepair_workshop.group_advisor").id)]
        order = self._order(self.vehicle_c, "2026-09-25 10:00:00", appointment=True)
        order.advisor_id = agent2
        statement.action_recompute()
        self.assertIn(self.env.ref("autorepair_care.group_care_agent"), statement.role_group_ids)
        self.assertIn(self.env.ref("autorepair_workshop.group_advisor"), statement.role_group_ids)
        self.assertEqual(self._figure(statement, "appointment").value, 100.0)
        self.assertEqual(self._figure(statement, "first_maintenance_reminder").value, 0.0)
        self.assertTrue(self._line(statement, "kpi_rule_first_maintenance_failed"))

    def test_role_added_by_manager(self):
        """A role held earlier and left before the first computation is added
        to the statement by the manager."""
        self.user_agent2.groups_id = [(4, self.env.ref("autorepair_care.group_insurance").id)]
        statement = self.env["autorepair.kpi.statement"]._close_month(MONTH, self.user_agent2)
        statement.with_user(self.user_manager).role_group_ids = [
            (4, self.env.ref("autorepair_workshop.group_technician").id)]
        statement.action_recompute()
        self.assertTrue(self._figure(statement, "labour_efficiency"), "the technician's figure is listed")

    # --------------------------------------------------------------- workflow

    def test_workflow_and_lock(self):
        statement = self.statement
        with self.assertRaises(AccessError):
            statement.with_user(self.user_agent).action_submit()
        statement.with_user(self.user_manager).action_submit()
        self.assertEqual(statement.state, "submitted")
        self.assertEqual(statement.submitted_by_id, self.user_manager)
        with self.assertRaises(UserError):
            statement.with_user(self.user_manager).note = "changed after submission"
        with self.assertRaises(AccessError):
            statement.with_user(self.user_manager).action_approve()
        statement.with_user(self.user_gm).action_approve()
        statement.with_user(self.user_gm).action_lock()
        self.assertEqual(statement.state, "locked")

        line = statement.line_ids[:1]
        for change in (
            lambda: statement.write({"note": "late note"}),
            lambda: statement.write({"state": "draft"}),
            lambda: statement.action_recompute(),
            lambda: statement.unlink(),
            lambda: line.write({"is_exempt": True, "exempt_reason": "x"}),
            lambda: line.unlink(),
            lambda: statement.value_ids[:1].write({"value": 100}),
            lambda: statement.write({"line_ids": [(0, 0, {"rule_id": line.rule_id.id})]}),
            lambda: self.env["autorepair.kpi.statement.line"].create(
                {"statement_id": statement.id, "rule_id": line.rule_id.id}),
            lambda: self.env["autorepair.kpi.value"].create(
                {"statement_id": statement.id, "definition_id": self.env.ref("autorepair_kpi.kpi_csi").id}),
            lambda: statement.value_ids[:1].unlink(),
        ):
            with self.assertRaises(UserError):
                change()
        with self.assertRaises(UserError):
            statement.sudo().write({"note": "not even the superuser"})
        before = statement.penalty_total
        self.env["autorepair.kpi.statement"]._close_month(MONTH)
        self.assertEqual((statement.state, statement.penalty_total), ("locked", before),
                         "closing the month again leaves a locked statement alone")

    def test_back_to_draft(self):
        self.statement.with_user(self.user_manager).action_submit()
        self.statement.with_user(self.user_manager).action_back_to_draft()
        self.statement.with_user(self.user_manager).note = "reviewed"
        self.assertEqual(self.statement.state, "draft")

    # ----------------------------------------------------------------- access

    def test_staff_see_only_their_own(self):
        Statement = self.env["autorepair.kpi.statement"]
        own = Statement.with_user(self.user_agent).search([])
        self.assertEqual(own, self.statement)
        self.assertEqual(self.env["autorepair.kpi.value"].with_user(self.user_agent).search([]).user_id,
                         self.user_agent)
        self.assertEqual(self.env["autorepair.kpi.statement.line"].with_user(self.user_agent).search([]).user_id,
                         self.user_agent)
        other = self._statement(self.user_advisor)
        with self.assertRaises(AccessError):
            other.with_user(self.user_agent).read(["net_amount"])
        with self.assertRaises(AccessError):
            self.statement.with_user(self.user_agent).write({"note": "I was ill"})
        with self.assertRaises(AccessError):
            self.env.ref("autorepair_kpi.kpi_rule_birthday_missed").with_user(self.user_agent).amount = 0
        self.assertGreater(Statement.with_user(self.user_manager).search_count([]), 1, "managers see all")

    def test_rule_edit_leaves_closed_month(self):
        self.statement.with_user(self.user_manager).action_submit()
        self.statement.with_user(self.user_gm).action_approve()
        self.statement.with_user(self.user_gm).action_lock()
        rule = self.env.ref("autorepair_kpi.kpi_rule_birthday_missed")
        rule.write({"kind": "reward", "amount": 500})
        self.env.flush_all()
        self.assertEqual(self._line(self.statement, "kpi_rule_birthday_missed").kind, "penalty")
        self.assertEqual(self.statement.penalty_total, 320)
