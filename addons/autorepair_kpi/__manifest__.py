{
    "name": "Autorepair Performance",
    "summary": "Monthly return, appointment and churn rates per agent, "
    "improvement plans, rewards and penalties",
    "version": "18.0.1.2.0",
    "category": "Services/After-Sales",
    "author": "autorepair",
    "website": "https://github.com/autorepair/autorepair",
    "license": "LGPL-3",
    "depends": ["autorepair_crm", "autorepair_care", "autorepair_complaint"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/autorepair_kpi_security.xml",
        "security/ir.model.access.csv",
        "data/autorepair_kpi_definition_data.xml",
        "data/autorepair_kpi_rule_data.xml",
        "views/autorepair_kpi_definition_views.xml",
        "views/autorepair_kpi_rule_views.xml",
        "views/autorepair_kpi_value_views.xml",
        "views/autorepair_kpi_statement_views.xml",
        "views/autorepair_kpi_statement_line_views.xml",
        "views/autorepair_kpi_plan_views.xml",
        "wizard/autorepair_kpi_close_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/autorepair_kpi_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "autorepair_kpi/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
