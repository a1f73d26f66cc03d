{
    "name": "Autorepair Health Archive",
    "summary": "Each settled repair filed with the province's vehicle-maintenance electronic health archive "
    "(汽车维修电子健康档案, JT/T 1132-2017): scheduled, batched, retried, refiled on correction, a month as a file",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "author": "autorepair",
    "website": "https://github.com/autorepair/autorepair",
    "license": "LGPL-3",
    "depends": ["autorepair_workshop"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/autorepair_archive_rules.xml",
        "data/ir_cron_data.xml",
        "views/autorepair_archive_filing_views.xml",
        "views/autorepair_service_order_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/autorepair_archive_export_views.xml",
        "views/menus.xml",
    ],
    "installable": True,
    "application": False,
}
