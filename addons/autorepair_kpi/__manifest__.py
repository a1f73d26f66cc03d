{
    "name": "Autorepair Performance",
    "summary": "Monthly return, appointment and churn rates per agent, "
    "improvement plans, rewards and penalties",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "author": "autorepair",
    "license": "LGPL-3",
    "depends": ["autorepair_crm", "autorepair_care", "autorepair_complaint"],
    "data": [
        "views/menus.xml",
    ],
    "installable": True,
    "application": False,
}
