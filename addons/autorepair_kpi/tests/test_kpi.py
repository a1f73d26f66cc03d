from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MONTH, KpiCase


@tagged("post_install", "-at_install")
class TestKpiFigures(KpiCase):
    """Each figure of September 2026 against the fixture counted by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["autorepair.kpi.statement"]._close_month(MONTH)

    def assertFigure(self, user, code, numerator, denominator, value):
        figure = self._figure(self._statement(user), code)
        self.assertEqual(len(figure), 1, code)
        self.assertAlmostEqual(figure.numerator, numerator, places=1, msg=code)
        self.assertEqual(figure.denominator, denominator, code)
        self.assertAlmostEqual(figure.value, value, places=1, msg=code)
        return figure

    def test_first_maintenance(self):
        # reminded, returned and the failed one whose SMS went out: 3 of 4;
        # the task of October and the cancelled one are not counted
        self.assertFigure(self.user_agent, "first_maintenance_reminder", 3, 4, 75.0)
        self.assertFigure(self.user_agent, "first_maintenance_return", 1, 4, 25.0)

    def test_periodic_return(self):
        self.assertFigure(self.user_agent, "periodic_return", 1, 3, 33.3)

    def test_birthday_and_insurance(self):
        self.assertFigure(self.user_agent, "birthday_on_time", 1, 2, 50.0)
        self.assertFigure(self.user_insurer, "insurance_reminder", 1, 2, 50.0)

    def test_appointment_rate(self):
        # received in September, cancelled excluded: 2 booked of 3
        self.assertFigure(self.user_advisor, "appointment", 2, 3, 66.7)

    def test_labour_efficiency(self):
        # delivered in September: 3 + 2 + 1 billed hours for 2 + 4 + 1 clocked
        self.assertFigure(self.user_technician, "labour_efficiency", 6, 7, 85.7)

    def test_followup_24h(self):
        # A's two deliveries go to her agent (one called in time), B's to the advisor (called late)
        self.assertFigure(self.user_agent, "followup_24h", 1, 2, 50.0)
        self.assertFigure(self.user_advisor, "followup_24h", 0, 1, 0.0)

    def test_satisfaction(self):
        # CSI 100 and (4 + 4 + 3) / 3 x 20 = 73.3: on average 86.7; one of two all-top answers
        self.assertFigure(self.user_advisor, "csi", 173.3, 2, 86.7)
        self.assertFigure(self.user_advisor, "very_satisfied", 1, 2, 50.0)

    def test_churn(self):
        # served in March: A (back in September) and C (never back); B has no agent
        figure = self.assertFigure(self.user_agent, "churn", 1, 2, 50.0)
        self.assertFalse(figure.is_met, "50% churn misses the 20% target where lower is better")
        records = self.env["res.partner"].search(figure.action_open_records()["domain"])
        self.assertEqual(records, self.customer_a | self.customer_c)

    def test_complaints(self):
        # reported in September: answered in time 1 of 3
        self.assertFigure(self.user_agent, "complaint_response", 1, 3, 33.3)
        # closed in September 2 (one reported in August) against 1 open since Sept 5
        self.assertFigure(self.user_agent, "complaint_closure", 2, 3, 66.7)

    def test_drill_down(self):
        figure = self._figure(self._statement(self.user_agent), "first_maintenance_reminder")
        action = figure.action_open_records()
        self.assertEqual(action["res_model"], "autorepair.care.task")
        tasks = self.env["autorepair.care.task"].search(action["domain"])
        self.assertEqual(len(tasks), 4)
        self.assertEqual(set(tasks.mapped("kind")), {"first_maintenance"})

    def test_compute_key_checked(self):
        with self.assertRaises(ValidationError):
            self.env.ref("autorepair_kpi.kpi_csi").compute_key = "no_such_figure"

    def test_month_without_data(self):
        month = MONTH.replace(year=2025)
        Statement = self.env["autorepair.kpi.statement"]
        self.assertFalse(Statement._close_month(month), "nobody has figures: no statement")
        statement = Statement._close_month(month, self.user_agent)
        self.assertTrue(statement.value_ids, "the agent's figures are listed, at zero")
        self.assertFalse(any(statement.value_ids.mapped("denominator")))
        self.assertFalse(any(statement.value_ids.mapped("is_met")))
        self.assertFalse(statement.line_ids, "no figure, no penalty")
        self.assertEqual(statement.net_amount, 0.0)
