import json
import re
import sys
import threading
import traceback
from contextlib import contextmanager
from xmlrpc.client import Fault

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, Form, TransactionCase, new_test_user
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger
from odoo.tools.misc import file_open
from odoo.tools.translate import PoFileReader, TranslationModuleReader

from ..tools import vin_check_digit


def add_role_users(cls, prefix, roles, **values):
    """Set cls.user_<role> for each role -> group xml id, users of the current company."""
    company = cls.env.company
    for role, group in roles.items():
        setattr(cls, f"user_{role}", new_test_user(
            cls.env, login=f"{prefix}_{role}", groups=group, company_id=company.id,
            company_ids=[company.id], tz="Asia/Shanghai", **values.get(role, {}),
        ))


def new_portal_user(env, login, partner):
    """The portal login (password = login) of the customer ``partner``, in the current company."""
    company = env.company
    return new_test_user(env, login=login, groups="base.group_portal", name=partner.name, partner_id=partner.id,
                         company_id=company.id, company_ids=[company.id])


class RpcClientMixin:
    """For an HttpCase: calls over real HTTP, logged in as a user (password =
    login), with JSON-RPC the way the web client sends them and XML-RPC the
    way a dealer's old system does."""

    def _jsonrpc(self, user, model, method, *args, **kwargs):
        """(result, error): the error is the JSON-RPC error's data (name, message)."""
        self.authenticate(user.login, user.login)
        response = self.url_open("/web/dataset/call_kw", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 0,
            "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        }), headers={"Content-Type": "application/json"})
        response.raise_for_status()
        body = response.json()
        return body.get("result"), (body.get("error") or {}).get("data")

    def _jsonrpc_ok(self, user, model, method, *args, **kwargs):
        result, error = self._jsonrpc(user, model, method, *args, **kwargs)
        if error:
            self.fail(f"{user.login}: {model}.{method} refused: {error['message']}")
        return result

    def _xmlrpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def _assert_reads_every_field(self, user, model, record):
        """Every field the user is shown reads, with read and web_read over
        JSON-RPC and read over XML-RPC."""
        fnames = list(self._jsonrpc_ok(user, model, "fields_get", attributes=["type"]))
        [row] = self._jsonrpc_ok(user, model, "read", [record.id], fnames)
        self.assertEqual(set(row), set(fnames) | {"id"})
        [row] = self._jsonrpc_ok(user, model, "web_read", [record.id], {fname: {} for fname in fnames})
        self.assertEqual(row["id"], record.id)
        [row] = self._xmlrpc(user, model, "read", [record.id], fnames)
        self.assertEqual(row["id"], record.id)

    # what an attack may get back: a refusal, never a result
    REFUSALS = ("odoo.exceptions.AccessError", "odoo.exceptions.UserError", "odoo.exceptions.ValidationError")

    def _assert_rpc_refused(self, user, model, method, *args, refusals=REFUSALS, xmlrpc=False, **kwargs):
        """The user's call is refused over JSON-RPC (and over XML-RPC with
        ``xmlrpc``) with one of ``refusals``, and what the attack aims at
        (``self._snapshot()``, read as the superuser) did not change."""
        before = self._snapshot()
        with mute_logger("odoo.http", "odoo.models"):
            result, error = self._jsonrpc(user, model, method, *args, **kwargs)
            self.assertTrue(error, f"{user.login}: {model}.{method}{args} went through: {result!r}")
            self.assertIn(error["name"], refusals, error["message"])
            if xmlrpc:
                with self.assertRaises(Fault) as fault:
                    self._xmlrpc(user, model, method, *args, **kwargs)
                self.assertIn(error["message"].splitlines()[0], fault.exception.faultString)
        self.assertEqual(self._snapshot(), before, "nothing changed")
        return error

    def _form_spec(self, user, model):
        """The specification the web client reads a record's form with: the
        fields of the form as this user gets it, those of its lists, the
        names of the records its many2ones point to."""
        models = self._jsonrpc_ok(user, model, "get_views", [[False, "form"]])["models"]

        def spec(model_name, depth):
            fields_spec = {}
            for fname, field in models[model_name]["fields"].items():
                if field["type"] in ("one2many", "many2many") and depth and field["relation"] in models:
                    fields_spec[fname] = {"fields": spec(field["relation"], depth - 1)}
                elif field["type"] == "many2one":
                    fields_spec[fname] = {"fields": {"display_name": {}}}
                else:
                    fields_spec[fname] = {}
            return fields_spec

        return spec(model, 1)


class CompanySettingsMixin:
    """Two companies of a dealer group and the Settings form of each. The
    per-company settings are fields of the same name on res.company and
    res.config.settings."""

    @classmethod
    def _setup_company_settings(cls):
        cls.company_1 = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "二店 Branch"})

    def settings_form(self, company, **values):
        """The Settings form as the administrator opens it in ``company``."""
        env = self.env(user=SUPERUSER_ID, context=dict(self.env.context, allowed_company_ids=company.ids))
        form = Form(env["res.config.settings"])
        for name, value in values.items():
            setattr(form, name, value)
        return form

    def assert_saved_per_company(self, **values):
        """Saved in the second company's Settings, the values are that
        company's only; each company's form shows its own."""
        before = {name: self.company_1[name] for name in values}
        self.settings_form(self.company_2, **values).save().execute()
        self.env.invalidate_all()
        for name, value in values.items():
            self.assertEqual(self.company_2[name], value, f"{name} saved for the second company")
            self.assertEqual(self.company_1[name], before[name], f"{name} of the first company unchanged")
            self.assertEqual(self.settings_form(self.company_2)[name], value)
            self.assertEqual(self.settings_form(self.company_1)[name], before[name])

    def assert_refused(self, *bad_values):
        """Each set of values is refused, from the Settings form and from any
        other write on the company, and nothing of it is saved."""
        names = {name for values in bad_values for name in values}
        before = {company: {name: company[name] for name in names} for company in (self.company_1, self.company_2)}
        for values in bad_values:
            with self.subTest(values=values):
                with self.assertRaises(ValidationError):
                    self.settings_form(self.company_2, **values).save()
                with self.assertRaises(ValidationError):
                    self.company_2.write(values)
        self.env.invalidate_all()
        for company, saved in before.items():
            self.assertEqual({name: company[name] for name in names}, saved, "nothing refused is saved")


def make_vin(prefix16):
    """A VIN with the correct ISO 3779 check digit from its 16 other characters."""
    vin = prefix16[:8] + "0" + prefix16[8:]
    return vin[:8] + vin_check_digit(vin) + vin[9:]


class AutorepairCrmCase(TransactionCase):
    """Fixtures without demo data: one user per role, a district, a car model."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        roles = {
            "technician": "autorepair_workshop.group_technician",
            "team_lead": "autorepair_workshop.group_team_lead",
            "inspector": "autorepair_workshop.group_inspector",
            "care_agent": "autorepair_care.group_care_agent",
            "advisor": "autorepair_workshop.group_advisor",
            "insurance": "autorepair_care.group_insurance",
            "sales": "autorepair_crm.group_sales",
            "care_manager": "autorepair_care.group_care_manager",
            "manager": "autorepair_crm.group_manager",
            "general_manager": "autorepair_crm.group_general_manager",
        }
        add_role_users(cls, "ar", roles)
        cls.district_local = cls.env["autorepair.district"].create({"name": "武侯区", "is_local": True})
        cls.district_remote = cls.env["autorepair.district"].create({"name": "绵阳市", "is_local": False})
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        cls.car_model = cls.env["fleet.vehicle.model"].create({
            "name": "迈腾", "brand_id": brand.id, "vehicle_type": "car",
        })

    @classmethod
    def _customer(cls, name="张伟", mobile="13800138000", **vals):
        return cls.env["res.partner"].create({
            "name": name, "mobile": mobile, "is_autorepair_customer": True, **vals,
        })

    @classmethod
    def _vehicle(cls, plate="川A12345", vin=None, owner=None, **vals):
        return cls.env["fleet.vehicle"].create({
            "model_id": cls.car_model.id,
            "license_plate": plate,
            "vin_sn": make_vin("LFV2A2BH" + "RC123456") if vin is None else vin,
            "owner_id": owner and owner.id,
            **vals,
        })

    def _count_queries(self, func):
        """Number of SQL queries func() runs, everything flushed before and after."""
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before


class CommittedCase(BaseCase):
    """Two users at once, for real: each in a transaction of its own on the
    test database, as two workers of a server are. What a TransactionCase
    makes stays invisible to other transactions, so here the fixtures are
    committed (``committed()``), and every row made during the test, in any
    table, is deleted afterwards: the rows past each table's highest id at
    the start. Nothing else writes to a test database while a test runs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            self._id_marks = self._max_ids(cr)
        self.addCleanup(self._delete_rows_made)

    @contextmanager
    def committed(self, uid=SUPERUSER_ID, context=None):
        """An environment in a transaction of its own, committed at the end
        of the block (rolled back when it raises), as a request or a cron is."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, uid, dict({"tracking_disable": True}, **(context or {})))

    def transaction(self, uid=SUPERUSER_ID, context=None):
        """An environment in a new transaction left open: the caller commits,
        rolls back and closes it (``env.cr``) to interleave it with others."""
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        return api.Environment(cr, uid, dict(context or {}))

    def in_thread(self, func, timeout=30):
        """func() run in a thread of its own, as another worker of the server
        is: returns a function that waits for it (at most ``timeout`` seconds)
        and returns ("result", value) or ("error", exception)."""
        box = {}

        def run():
            threading.current_thread().testing = True  # no mail leaves, as in the test's own thread
            try:
                box["result"] = func()
            except Exception as error:  # noqa: BLE001 - handed to the test
                box["error"] = error

        thread = threading.Thread(target=run, daemon=True)
        thread.start()

        def join():
            thread.join(timeout)
            if thread.is_alive():
                stack = "".join(traceback.format_stack(sys._current_frames()[thread.ident]))
                self.fail(f"still running after {timeout} s:\n{stack}")
            return next(iter(box.items()))
        join.thread = thread
        return join

    @staticmethod
    def _max_ids(cr):
        cr.execute("""
            SELECT c.relname FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped
             WHERE c.relkind = 'r' AND a.atttypid IN ('int4'::regtype, 'int8'::regtype)""")
        tables = [row[0] for row in cr.fetchall()]
        cr.execute(" UNION ALL ".join(
            f'SELECT %s, COALESCE(max(id), 0) FROM "{table}"' for table in tables), tables)
        return dict(cr.fetchall())

    def _delete_rows_made(self):
        """Delete the test's rows, children before parents: a table whose rows
        are still referenced is tried again after the others."""
        with self.registry.cursor() as cr, mute_logger("odoo.sql_db"):
            now = self._max_ids(cr)
            pending = [table for table, top in now.items() if top > self._id_marks.get(table, 0)]
            while pending:
                left = []
                for table in pending:
                    try:
                        with cr.savepoint(flush=False):
                            cr.execute(f'DELETE FROM "{table}" WHERE id > %s', [self._id_marks.get(table, 0)])
                    except psycopg2.errors.ForeignKeyViolation:
                        left.append(table)
                if len(left) == len(pending):
                    raise AssertionError(f"rows of the test left in {', '.join(left)}")
                pending = left
        self.registry.clear_cache()


def chinese_gaps(env, module):
    """The terms of a module's code, views and data, and those of them that
    have no Chinese in its zh_CN.po: a new label left untranslated shows here.
    Terms without a Latin letter, or starting in Chinese, are left out: the
    demo data (bays, districts, parts such as "机油滤清器 (EA888)") is written
    in Chinese already."""
    with file_open(f"{module}/i18n/zh_CN.po", "rb") as po_file:
        translated = {row["src"] for row in PoFileReader(po_file) if row["value"].strip()}
    terms = {source for _module, _type, _name, _res_id, source, _value, _comments
             in TranslationModuleReader(env.cr, [module])
             if re.search("[A-Za-z]", source) and not re.match("[\u4e00-\u9fff]", source)}
    return terms, terms - translated
