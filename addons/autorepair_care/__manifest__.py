{
    "name": "Autorepair Customer Care",
    "summary": "Maintenance, warranty, inspection, insurance and birthday reminders, "
    "lost-customer lists",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "author": "autorepair",
    "license": "LGPL-3",
    "depends": ["autorepair_crm"],
    "data": [
        "views/menus.xml",
    ],
    "installable": True,
    "application": False,
}
