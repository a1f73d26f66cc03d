"""Database steps of scripts/run that go through Odoo's own API.

python3 scripts/odoo_db.py create -d DB [odoo options]
    new database with demo data, Chinese, company in China (CNY), admin/admin
python3 scripts/odoo_db.py install -d DB -i ADDONS [odoo options]
    installs ADDONS as `odoo -i ADDONS --stop-after-init` does, what their data and
    demo files do (<function>) in the database's language
python3 scripts/odoo_db.py set-tz -d DB [odoo options]
    Asia/Shanghai for every user and as the default of new contacts/users
"""

import sys
from contextlib import closing

import odoo
import odoo.service.server
from odoo import SUPERUSER_ID, api
from odoo.service import db as db_service
from odoo.tools import config, convert

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


def install(db_name):
    """Odoo loads data and demo files without a language (tools/convert.py), so
    that records keep their English source terms for the translations loaded
    after them. Their <function> calls are work done by someone, though: the
    demo's service orders received, quoted and approved by the demo advisor log
    chatter messages and schedule activities, and without a language those are
    English in a Chinese database. The addons' own <function> calls run in the
    database's language (the administrator's, set at creation); records and
    Odoo's own functions (chart of accounts, ...) load as Odoo loads them."""
    addons = set(config["init"])
    if not addons:
        raise SystemExit("-i ADDONS is required")
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        cr.execute("""SELECT p.lang FROM res_users u JOIN res_partner p ON p.id = u.partner_id
                       WHERE u.id = 2""")
        lang = (cr.fetchone() or (None,))[0]
    get_env = convert.xml_import.get_env

    def get_env_in_language(self, node, eval_context=None):
        env = get_env(self, node, eval_context)
        if node.tag == "function" and self.module in addons and lang and not env.context.get("lang"):
            env = env(context=dict(env.context, lang=lang))
        return env

    if lang and lang != "en_US":
        convert.xml_import.get_env = get_env_in_language
    odoo.service.server.load_server_wide_modules()
    odoo.modules.registry.Registry.new(db_name, update_module=True)


def set_timezone(db_name):
    registry = odoo.modules.registry.Registry(db_name)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].with_context(active_test=False).search([]).write({"tz": TIMEZONE})
        # res.users takes its tz from its partner, so this covers new users too
        env["ir.default"].set("res.partner", "tz", TIMEZONE)


def main(argv):
    actions = {"create": create, "install": install, "set-tz": set_timezone}
    if not argv or argv[0] not in actions:
        raise SystemExit(__doc__)
    config.parse_config(argv[1:], setup_logging=True)
    if not config["db_name"]:
        raise SystemExit("-d DB is required")
    actions[argv[0]](config["db_name"])


if __name__ == "__main__":
    main(sys.argv[1:])
