from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.autorepair_crm.tests.common import add_role_users, make_vin

DASHBOARD = "autorepair_kpi.autorepair_kpi_dashboard_action"


class DashboardCase(TransactionCase):
    """Last month (relative to today, as the dashboard shows it) of one care
    agent who reminded one first maintenance of two, and one advisor with
    nothing to count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, tz="Asia/Shanghai"))
        add_role_users(cls, "dash", {
            "agent": "autorepair_care.group_care_agent",
            "advisor": "autorepair_workshop.group_advisor",
        }, agent={"name": "Dash Agent"}, advisor={"name": "Dash Advisor"})
        cls.month = fields.Date.context_today(cls.env.user).replace(day=1) - relativedelta(months=1)
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        for number, state in enumerate(("reminded", "failed"), start=1):
            partner = cls.env["res.partner"].create({
                "name": f"客户{number}", "mobile": f"1390000000{number}", "is_autorepair_customer": True,
                "care_agent_id": cls.user_agent.id})
            vehicle = cls.env["fleet.vehicle"].create({
                "model_id": model.id, "license_plate": f"川A2000{number}", "owner_id": partner.id,
                "vin_sn": make_vin(f"LFV2A2BHRC20000{number}")})
            due = cls.month + relativedelta(days=number + 2)
            cls.env["autorepair.care.task"].create({
                "rule_id": cls.env.ref("autorepair_care.rule_first_maintenance").id, "kind": "first_maintenance",
                "vehicle_id": vehicle.id, "partner_id": partner.id, "user_id": cls.user_agent.id,
                "due_date": due, "deadline": due + relativedelta(days=10), "state": state,
                "failure_reason": state == "failed" and "unreachable" or False})
        cls.statements = cls.env["autorepair.kpi.statement"]._close_month(cls.month)

    def _figure(self, user, code):
        return self.statements.filtered(lambda s: s.user_id == user).value_ids.filtered(
            lambda v: v.definition_id.code == code)


@tagged("post_install", "-at_install")
class TestDashboardFigures(DashboardCase):
    def test_every_staff_member_has_a_statement(self):
        """The close gives every staff member holding a rated role a statement,
        with figures or not: the advisor who counted nothing has one too."""
        self.assertIn(self.user_agent, self.statements.user_id)
        self.assertIn(self.user_advisor, self.statements.user_id)
        demo_staff = self.env["autorepair.kpi.statement"]._staff(
            self.env.company, self.env["autorepair.kpi.statement"]._role_groups())
        self.assertFalse(demo_staff - self.statements.user_id, "nobody rated is left without a statement")

    def test_no_data_is_not_zero(self):
        """A figure with nothing counted reads "No data" and its target is not
        judged; a rate reads with its % sign."""
        reminder = self._figure(self.user_agent, "first_maintenance_reminder")
        self.assertTrue(reminder.has_data)
        self.assertEqual(reminder.value_display, "50.0%")
        self.assertEqual(reminder.target_display, "≥ 100.0%")
        self.assertFalse(reminder.is_met)
        churn = self._figure(self.user_agent, "churn")
        self.assertFalse(churn.has_data)
        self.assertEqual(churn.value_display, "No data")
        self.assertEqual(churn.target_display, "≤ 20.0%")
        self.env.flush_all()
        self.env.cr.execute("SELECT value, is_met FROM autorepair_kpi_value WHERE id = %s", [churn.id])
        self.assertEqual(self.env.cr.fetchone(), (None, None), "no value stored, no target judged")
        appointment = self._figure(self.user_advisor, "appointment")
        self.assertEqual(appointment.value_display, "No data")
        Value = self.env["autorepair.kpi.value"]
        mine = self.statements.filtered(lambda s: s.user_id in (self.user_agent | self.user_advisor)).value_ids
        missed = Value.search([("id", "in", mine.ids), ("has_data", "=", True), ("is_met", "=", False)])
        self.assertIn(reminder, missed)
        self.assertNotIn(churn, missed, "only a counted figure can miss its target")
        self.assertNotIn(appointment, missed)
        # averages (pivot, graph) leave out the figures without data
        groups = Value._read_group([("id", "in", (churn | reminder).ids)], [], ["value:avg"])
        self.assertEqual(groups[0][0], 50.0)
        # the pivot's cell of a figure without data is empty, not 0.0
        churn_avg = Value.read_group([("id", "=", churn.id)], ["value:avg"], [])[0]["value"]
        self.assertIn(churn_avg, (None, False))
        self.assertNotIsInstance(churn_avg, float)

    def test_dashboard_action(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(DASHBOARD)
        self.assertEqual(action["res_model"], "autorepair.kpi.value")
        self.assertEqual([mode for _view, mode in action["views"]], ["kanban", "list", "pivot", "graph"])
        # the default filter (last month) is the month just closed
        search = self.env["autorepair.kpi.value"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="last_month"', search)


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase, DashboardCase):
    def _start(self, tour, login):
        # from the managers' home: the dashboard
        self.start_tour("/odoo", tour, login=login)

    def test_general_manager_dashboard(self):
        statement = self.statements.filtered(lambda s: s.user_id == self.user_agent)
        statement.with_user(self.env.ref("autorepair_crm.user_demo_manager")).action_submit()
        self._start("autorepair_kpi_general_manager_tour", "demo_general_manager")
        self.assertEqual(statement.state, "approved")
        self.assertEqual(statement.approved_by_id, self.env.ref("autorepair_crm.user_demo_general_manager"))

    def test_service_manager_dashboard(self):
        self._start("autorepair_kpi_service_manager_tour", "demo_manager")
        statement = self.statements.filtered(lambda s: s.user_id == self.user_advisor)
        self.assertEqual(statement.state, "submitted")
