import io

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.autorepair_crm.tests.common import chinese_gaps

from .common import MONTH, KpiCase


@tagged("post_install", "-at_install")
class TestKpiExport(KpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["autorepair.kpi.statement"]._close_month(MONTH)
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["autorepair_kpi"], ["zh_CN"], overwrite=True)
        cls.user_manager.lang = "zh_CN"

    def _export(self, user):
        output = io.BytesIO()
        counts = self.env["autorepair.kpi.statement"].with_user(user).with_context(lang=user.lang)._write_xlsx(
            output, MONTH)
        output.seek(0)
        return counts, openpyxl.load_workbook(output)

    def test_xlsx_in_chinese(self):
        statements = self.env["autorepair.kpi.statement"].search([("month", "=", MONTH)])
        counts, book = self._export(self.user_manager)
        self.assertEqual(counts[0], len(statements))
        self.assertEqual(book.sheetnames, ["考核单", "考核指标", "奖惩明细"])
        summary = book["考核单"]
        self.assertEqual([cell.value for cell in summary[1]],
                         ["月份", "员工", "登录账号", "状态", "罚款", "奖励", "净额"])
        rows = {row[2]: row for row in summary.iter_rows(min_row=2, values_only=True)}
        agent = rows["kpi_agent"]
        self.assertEqual(agent[1], "KPI Agent")
        self.assertEqual(agent[0].strftime("%Y-%m"), "2026-09")
        self.assertEqual(agent[3], "草稿")
        self.assertEqual((agent[4], agent[5], agent[6]), (320, 0, -320))

        figures = book["考核指标"]
        self.assertEqual([cell.value for cell in figures[1]][:4], ["月份", "员工", "指标", "数值"])
        agent_figures = {row[2]: row for row in figures.iter_rows(min_row=2, values_only=True) if row[1] == "KPI Agent"}
        self.assertAlmostEqual(agent_figures["首保提醒率"][3], 75.0)
        self.assertEqual(agent_figures["首保提醒率"][7], "否")
        self.assertAlmostEqual(agent_figures["流失率"][3], 50.0)

        lines = book["奖惩明细"]
        self.assertEqual([cell.value for cell in lines[1]][:4], ["月份", "员工", "规则", "类型"])
        amounts = sorted(row[6] for row in lines.iter_rows(min_row=2, values_only=True) if row[1] == "KPI Agent")
        self.assertEqual(amounts, [20, 50, 50, 200])
        self.assertEqual(counts[2], lines.max_row - 1)

    def test_export_for_managers_only(self):
        with self.assertRaises(AccessError):
            self._export(self.user_agent)

    def test_controller_wizard(self):
        wizard = self.env["autorepair.kpi.close"].with_user(self.user_manager).create({"month": "2026-09-17"})
        self.assertEqual(wizard.action_export()["url"], "/autorepair_kpi/export/2026-09-01/2026-09-01")
        action = wizard.action_compute()
        self.assertEqual(action["domain"], [("month", "=", MONTH)])

    def test_chinese_complete(self):
        """Every term the addon's code, views and data hold has its Chinese in
        zh_CN.po: a new label left untranslated fails here."""
        terms, gaps = chinese_gaps(self.env, "autorepair_kpi")
        self.assertGreater(len(terms), 250)
        self.assertFalse(gaps, "terms without Chinese")
