{
    "name": "Autorepair Complaints",
    "summary": "Customer complaints: 2-hour response, escalation, resolution, "
    "root cause and corrective actions",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "author": "autorepair",
    "website": "https://github.com/autorepair/autorepair",
    "license": "LGPL-3",
    "depends": ["autorepair_care", "resource"],
    "data": [
        "security/autorepair_complaint_security.xml",
        "security/ir.model.access.csv",
        "data/autorepair_complaint_data.xml",
        "data/resource_calendar_data.xml",
        "data/ir_cron_data.xml",
        "views/autorepair_complaint_views.xml",
        "views/autorepair_complaint_config_views.xml",
        "views/autorepair_service_order_views.xml",
        "views/res_config_settings_views.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_company_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "autorepair_complaint/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
