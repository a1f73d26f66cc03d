"""Database steps of scripts/run that go through Odoo's own API.

python3 scripts/odoo_db.py create -d DB [odoo options]
    new database with demo data, Chinese, company in China (CNY), admin/admin
python3 scripts/odoo_db.py set-tz -d DB [odoo options]
    Asia/Shanghai for every user and as the default of new contacts/users
"""

import sys
from contextlib import closing

import odoo
from odoo import SUPERUSER_ID, api
from odoo.service import db as db_service
from odoo.tools import config

TIMEZONE = "Asia/Shanghai"


def create(db_name):
    db_service.exp_create_database(db_name, True, "zh_CN", "admin", "admin", "CN")
    # Odoo logs and swallows failures once the empty database exists
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        cr.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
        installed = cr.fetchone()[0]
        if installed:
            cr.execute("SELECT state FROM ir_module_module WHERE name = 'base'")
            installed = cr.fetchone() == ("installed",)
    if not installed:
        db_service.exp_drop(db_name)
        raise SystemExit(f"creating database {db_name!r} failed, see the log above")


def set_timezone(db_name):
    registry = odoo.modules.registry.Registry(db_name)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].with_context(active_test=False).search([]).write({"tz": TIMEZONE})
        # res.users takes its tz from its partner, so this covers new users too
        env["ir.default"].set("res.partner", "tz", TIMEZONE)


def main(argv):
    actions = {"create": create, "set-tz": set_timezone}
    if not argv or argv[0] not in actions:
        raise SystemExit(__doc__)
    config.parse_config(argv[1:], setup_logging=True)
    if not config["db_name"]:
        raise SystemExit("-d DB is required")
    actions[argv[0]](config["db_name"])


if __name__ == "__main__":
    main(sys.argv[1:])
