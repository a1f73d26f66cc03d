from . import test_kpi, test_statement, test_plan, test_export, test_ui, test_settings, test_dashboard
