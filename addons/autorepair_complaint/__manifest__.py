{
    "name": "Autorepair Complaints",
    "summary": "Customer complaints: 2-hour response, escalation, resolution, "
    "root cause and corrective actions",
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
