import io

import openpyxl

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MONTH, KpiCase


@tagged("post_install", "-at_install")
class TestKpiTour(HttpCase, KpiCase):
    def test_manager_reviews_general_manager_approves(self):
        Statement = self.env["autorepair.kpi.statement"]
        Statement._close_month(MONTH, self.user_agent)
        statement = self._statement(self.user_agent)
        # one penalty line to review: the others are rules switched off
        statement.line_ids.filtered(
            lambda line: line.rule_id != self.env.ref("autorepair_kpi.kpi_rule_first_maintenance_rate")).unlink()
        Statement.search([("id", "!=", statement.id)]).unlink()
        self.start_tour("/odoo/action-autorepair_kpi.autorepair_kpi_statement_action", "autorepair_kpi_review_tour",
                        login=self.user_manager.login)
        self.assertEqual(statement.state, "submitted")
        self.assertTrue(statement.line_ids.is_exempt)
        self.assertEqual(statement.penalty_total, 0)
        self.start_tour("/odoo/action-autorepair_kpi.autorepair_kpi_statement_action", "autorepair_kpi_approve_tour",
                        login=self.user_gm.login)
        self.assertEqual(statement.state, "locked")
        self.assertEqual(statement.approved_by_id, self.user_gm)

    def test_care_manager_submits_plan_general_manager_approves(self):
        plan = self.plan
        plan.action_back_to_draft()  # sent back: the care manager submits it again
        self.start_tour("/odoo/action-autorepair_kpi.autorepair_kpi_plan_action", "autorepair_kpi_plan_submit_tour",
                        login=self.user_care_manager.login)
        self.assertEqual((plan.state, plan.submitted_by_id), ("submitted", self.user_care_manager))
        self.start_tour("/odoo/action-autorepair_kpi.autorepair_kpi_plan_action", "autorepair_kpi_plan_approve_tour",
                        login=self.user_gm.login)
        self.assertEqual((plan.state, plan.approved_by_id), ("approved", self.user_gm))

    def test_export_download(self):
        self.env["autorepair.kpi.statement"]._close_month(MONTH)
        self.authenticate(self.user_manager.login, self.user_manager.login)
        response = self.url_open("/autorepair_kpi/export/2026-09-01/2026-09-01")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(len(book.worksheets), 3)
        names = {row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
        self.assertIn("KPI Agent", names)
        self.authenticate(self.user_agent.login, self.user_agent.login)
        with mute_logger("odoo.http"):
            response = self.url_open("/autorepair_kpi/export/2026-09-01/2026-09-01")
        self.assertNotEqual(response.status_code, 200, "staff cannot export the month")
