"""No English in the Chinese demo's screens.

A Chinese dealer's staff read every screen of the suite in Chinese: the menus,
the actions' views (labels, buttons, filters, selection values, help texts,
print menus), the records they list, and the chatter and activities of those
records. The test loads zh_CN into the (English) test database, opens every
window action under the suite's menu as each demo role the way the web client
does (load_menus, get_views, web_search_read, the chatter's message_format
and the activities), and fails listing every English phrase with where it was
seen. Brand names, units and codes the staff write in Latin letters are in
ALLOWED, a short explicit list.

The test database is installed in English, so the messages logged while it was
installed are English by right; the chatter checked is what the suite writes
in a Chinese database: records created and worked on by the demo users in
Chinese, and what install-time code writes in a database whose users speak
Chinese (data files load without a language, tools/convert.py).
"""

import logging
import re
from collections import defaultdict
from unittest.mock import patch

import polib
from lxml import etree

from odoo import fields
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools import html2plaintext
from odoo.tools.safe_eval import safe_eval

from odoo.addons.autorepair_workshop.tests import common as workshop_common
from odoo.addons.mail.tools.discuss import Store

_logger = logging.getLogger(__name__)

LANG = "zh_CN"
SUITE = ("autorepair_crm", "autorepair_channel", "autorepair_workshop", "autorepair_care", "autorepair_complaint",
         "autorepair_kpi", "autorepair_archive", "autorepair_payment")

DEMO_ROLES = (
    "autorepair_crm.user_demo_advisor",
    "autorepair_crm.user_demo_technician",
    "autorepair_crm.user_demo_team_lead",
    "autorepair_crm.user_demo_inspector",
    "autorepair_crm.user_demo_care_agent",
    "autorepair_crm.user_demo_insurance",
    "autorepair_crm.user_demo_sales",
    "autorepair_crm.user_demo_care_manager",
    "autorepair_crm.user_demo_manager",
    "autorepair_crm.user_demo_general_manager",
    "autorepair_care.user_demo_sales_manager",
)

# Latin words a Chinese dealer's staff read as they are: units, codes and
# standards, brands (single letters and words with digits are never English:
# value classes A/B/C, plates, part numbers).
ALLOWED = {
    # units and currency
    "km", "kg", "CNY", "RMB",
    # codes and channels said in Latin letters in Chinese dealerships
    "VIN", "OEM", "SMS", "KPI", "CSI", "ID", "QR", "PDF", "JSON", "Excel", "WeChat", "App", "APP", "VIP", "VAT",
    "TD",  # the SMS opt-out keyword (退订)
    "JT",  # the transport standards (JT/T 1133)
    # car model names of the demo (秦PLUS DM-i, 汉EV)
    "EV", "DM-i", "PLUS",
    # brands
    "Odoo", "Alipay",
}
# the languages and time zones listed by their own names ("Chinese (Simplified) / 简体中文", "Asia/Shanghai")
NAMED_IN_THEIR_LANGUAGE = ("lang", "tz")
# records whose names are brand names
BRAND_MODELS = ("fleet.vehicle.model.brand",)

# a run of Latin words (letters, digits inside, hyphen, apostrophe), spaces between
PHRASE = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*(?:[ .,/&]+[A-Za-z][A-Za-z0-9'’\-]*)*")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*")
# what is not language: placeholders (ours and the SMS consoles' ${name}), e-mail addresses, URLs
NOT_TEXT = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\$\{\w+\}|[\w.\-]+@[\w.\-]+|https?://\S+")

# arch attributes that the user reads
ARCH_TEXT_ATTRIBUTES = ("string", "help", "placeholder", "confirm", "title", "sum", "avg", "aria-label",
                        "data-tooltip")


def english_phrases(text):
    """The English phrases of a text: runs of Latin words that are not all allowed."""
    if not text:
        return []
    text = NOT_TEXT.sub(" ", str(text))
    found = []
    for match in PHRASE.finditer(text):
        # single letters are classes and grades (A/B/C), words with digits codes and plates
        words = [word for word in WORD.findall(match.group())
                 if len(word) > 1 and not any(char.isdigit() for char in word)]
        if any(word not in ALLOWED for word in words):
            found.append(match.group().strip(" .,/&"))
    return found


def _hidden(node):
    return any(node.get(attribute) in ("1", "True", "true")
               for attribute in ("invisible", "column_invisible"))


def arch_texts(arch):
    """What a user reads in a view: text of the nodes that are not always
    hidden, their labels, help and placeholders, and the fields shown."""
    root = etree.fromstring(arch) if isinstance(arch, str | bytes) else arch

    def walk(node):
        if not isinstance(node.tag, str) or _hidden(node):
            return
        if node.tag == "field":
            yield "field", node
        if node.text and node.text.strip():
            yield node.tag, node.text.strip()
        for attribute in ARCH_TEXT_ATTRIBUTES:
            if node.get(attribute):
                yield f"{node.tag}@{attribute}", node.get(attribute)
        for child in node:
            yield from walk(child)
            if isinstance(child.tag, str) and not _hidden(child) and child.tail and child.tail.strip():
                yield node.tag, child.tail.strip()

    yield from walk(root)


def odoo_untranslated_terms(env, lang=LANG):
    """The terms of Odoo's own installed modules that Odoo's own translation
    leaves in English (no translation, or an English one): the suite cannot
    translate another module's terms, so those are reported apart."""
    modules = env["ir.module.module"].search([("state", "=", "installed"), ("name", "not in", SUITE)])
    terms = set()
    for module in modules.mapped("name"):
        path = get_module_path(module, display_warning=False)
        if not path:
            continue
        try:
            entries = polib.pofile(f"{path}/i18n/{lang}.po")
        except OSError:
            # not translated at all: every term of the module
            try:
                entries = polib.pofile(f"{path}/i18n/{module}.pot")
            except OSError:
                continue
        for entry in entries:
            if not entry.msgstr or english_phrases(entry.msgstr):
                terms.add((entry.msgstr or entry.msgid).strip())
    return terms


def _only_in_odoo_views(env, text):
    views = env["ir.ui.view"].sudo().with_context(lang="en_US", active_test=False).search(
        [("arch_db", "ilike", text)])
    modules = {xmlid.split(".")[0] for xmlids in views._get_external_ids().values() for xmlid in xmlids}
    return bool(modules) and not modules & set(SUITE)


class EnglishFinder:
    """Collects English phrases with where they were seen, once per phrase;
    the whole texts that are Odoo's own untranslated terms apart."""

    def __init__(self, odoo_terms=()):
        self.found = defaultdict(set)
        self.odoo_terms = odoo_terms
        self.odoo_found = defaultdict(set)

    def check(self, where, text, view_env=None):
        """``view_env``: the text is a view's, Odoo's own when only Odoo's views have it
        (Odoo's translation files are older than some of its views)."""
        phrases = english_phrases(text)
        odoo = phrases and (str(text).strip() in self.odoo_terms
                            or view_env is not None and _only_in_odoo_views(view_env, str(text).strip()))
        for phrase in phrases:
            (self.odoo_found if odoo else self.found)[phrase].add(where)

    @staticmethod
    def _report(found):
        lines = []
        for phrase in sorted(found, key=str.lower):
            places = sorted(found[phrase])
            more = f" (+{len(places) - 3} more)" if len(places) > 3 else ""
            lines.append(f"  {phrase!r}: {'; '.join(places[:3])}{more}")
        return "\n".join(lines)

    def report(self):
        return self._report(self.found)

    def odoo_report(self):
        return self._report(self.odoo_found)


def suite_menus(env):
    """(menu path, window action) of every menu under the suite's root that the
    env's user sees, as the web client loads them."""
    menus = env["ir.ui.menu"].load_menus(False)
    root_id = env.ref("autorepair_crm.menu_root").id
    todo = [root_id] if root_id in menus else []
    while todo:
        menu = menus[todo.pop(0)]
        todo += menu["children"]
        yield menu


def render_screens(env, users, finder, records_per_action=20):
    """Opens every suite action as each user the way the web client does and
    feeds what it shows to the finder. Returns the records shown per model."""
    shown = defaultdict(set)
    for user in users:
        uenv = env(user=user, context={"lang": LANG, "tz": "Asia/Shanghai"})
        for menu in suite_menus(uenv):
            finder.check(f"{user.login} menu {menu['xmlid']}", menu["name"])
            if not (menu["action"] or "").startswith("ir.actions.act_window,"):
                continue
            action = uenv["ir.actions.act_window"].sudo().browse(int(menu["action"].split(",")[1]))
            model = uenv[action.res_model]
            where = f"{user.login} {menu['xmlid']}"
            finder.check(f"{where} (action name)", action.name)
            finder.check(f"{where} (action help)", html2plaintext(action.help or ""))
            views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
            for vtype in action.view_mode.split(","):
                if vtype not in {mode for _id, mode in views}:
                    views.append((action.view_id.id if action.view_id.type == vtype else False, vtype))
            views.append((action.search_view_id.id, "search"))
            result = model.get_views(views, {"toolbar": True})
            for vtype, view in result["views"].items():
                for tag, text in arch_texts(view["arch"]):
                    if tag == "search@string":  # the model's name, not shown
                        continue
                    if tag == "field":
                        _check_field(finder, f"{where} {vtype} view", model._name, result["models"], text)
                    else:
                        finder.check(f"{where} {vtype} view <{tag}>", text, view_env=uenv)
                for items in (view.get("toolbar") or {}).values():
                    for item in items:
                        finder.check(f"{where} {vtype} print/action menu", item.get("name"))
            if not {"list", "kanban", "form", "calendar"} & set(action.view_mode.split(",")):
                continue  # figures only (pivot, graph): no record is named
            records = _action_records(model, action, records_per_action)
            # the demo's own records; what flows generated at install is in the install's language
            # (the chatter tests check what they write in Chinese)
            demo = {rid for rid, xmlids in records.sudo()._get_external_ids().items() if xmlids}
            for record in records if model._name not in BRAND_MODELS else ():
                if record.id in demo:
                    finder.check(f"{where} record {record._name}", record.display_name)
            shown[model._name].update(records.ids)
    return shown


def _check_field(finder, where, root_model, models, node):
    """A field shown in a view: its label (unless the view gives one) and its values' labels."""
    model = _node_model(node, root_model, models)
    fdesc = models.get(model, {}).get("fields", {}).get(node.get("name"))
    if not fdesc:
        return
    where = f"{where} field {model}.{node.get('name')}"
    if not node.get("string") and not node.get("nolabel"):
        finder.check(where, fdesc.get("string"))
    if node.get("widget") not in ("statusbar", "radio", "selection", "badge", None, "priority"):
        return
    if node.get("name") in NAMED_IN_THEIR_LANGUAGE:
        return
    for _value, label in fdesc.get("selection") or ():
        finder.check(f"{where} value", label)


def _node_model(node, root_model, models):
    """The model of a field node: sub-views of x2many fields show their comodel's fields."""
    parent = next(node.iterancestors("field"), None)
    if parent is None:
        return root_model
    parent_model = _node_model(parent, root_model, models)
    return models.get(parent_model, {}).get("fields", {}).get(parent.get("name"), {}).get("relation")


def _action_records(model, action, limit):
    """The first records of the action's list, as its domain selects them."""
    eval_context = {
        **model.env["ir.actions.actions"]._get_eval_context(action),
        "context_today": lambda: fields.Date.context_today(model),
        "allowed_company_ids": model.env.companies.ids,
        "active_id": False, "active_ids": [],
    }
    domain = safe_eval(action.domain or "[]", eval_context)
    return model.search(domain, limit=limit)


def render_chatter(env, user, records, finder, since_id=0, since_activity_id=0):
    """The chatter and the activities of records as the user reads them."""
    uenv = env(user=user, context={"lang": LANG, "tz": "Asia/Shanghai"})
    where = user.login
    for record in records.with_env(uenv):
        messages = uenv["mail.message"].search([
            ("model", "=", record._name), ("res_id", "=", record.id), ("id", ">", since_id)])
        data = Store(messages, for_current_user=True).get_result() if messages else {}
        for message in data.get("mail.message", ()):
            label = f"{where} chatter of {record._name} {record.display_name}"
            body = message.get("body")
            finder.check(label, html2plaintext(body[1] if isinstance(body, list) else str(body or "")))
            finder.check(label, message.get("subtype_description"))
            for tracking in message.get("trackingValues") or ():
                finder.check(f"{label} (tracking)", tracking.get("changedField"))
                for side in ("oldValue", "newValue"):
                    value = (tracking.get(side) or {}).get("value")
                    if isinstance(value, str):
                        finder.check(f"{label} (tracking)", value)
        if "activity_ids" in record._fields:
            for activity in record.activity_ids.filtered(lambda a: a.id > since_activity_id):
                label = f"{where} activity of {record._name} {record.display_name}"
                finder.check(label, activity.summary)
                finder.check(label, activity.activity_type_id.name)
                finder.check(label, html2plaintext(activity.note or ""))


@tagged("post_install", "-at_install")
class TestNoEnglish(TransactionCase):
    # the desk's steps as the workshop's tests take them
    _order = workshop_common.ServiceOrderCase._order
    _received_order = workshop_common.ServiceOrderCase._received_order
    _approve_all = workshop_common.ServiceOrderCase._approve_all

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang(LANG)
        cls.env["ir.module.module"].search([("state", "=", "installed")])._update_translations(LANG)
        cls.users = cls.env["res.users"].browse([cls.env.ref(xmlid).id for xmlid in DEMO_ROLES])
        # a Chinese database: its staff, its superuser and its customers speak Chinese
        cls.env["res.partner"].with_context(active_test=False).search([]).write({"lang": LANG})
        cls.odoo_terms = odoo_untranslated_terms(cls.env)
        cls.advisor = cls.env.ref("autorepair_crm.user_demo_advisor")
        cls.demo_vehicle = cls.env.ref("autorepair_crm.vehicle_00")

    def _assert_no_english(self, finder, what):
        if finder.odoo_found:
            _logger.info("%s: Odoo's own terms that Odoo's %s translation leaves in English "
                         "(not the suite's to translate):\n%s", what, LANG, finder.odoo_report())
        if finder.found:
            self.fail(f"English in the Chinese {what} ({len(finder.found)} phrases):\n{finder.report()}")

    def _last_message_id(self):
        return self.env["mail.message"].search([], order="id desc", limit=1).id

    def test_screens(self):
        """Every suite menu's action as each demo role: views, labels, values, buttons, records."""
        finder = EnglishFinder(self.odoo_terms)
        shown = render_screens(self.env, self.users, finder)
        self.assertIn("autorepair.service.order", shown, "the workshop board was not opened")
        self.assertFalse(self.env.ref("fleet.vehicle_1", raise_if_not_found=False),
                         "fleet's own demo cars are in the dealer's demo")
        self._assert_no_english(finder, "screens")

    def test_chatter_of_the_desk(self):
        """An order received, quoted and decided at the desk by the demo advisor
        working in Chinese (the workshop tests' own steps): its chatter and its
        vehicle's, as the service manager reads them."""
        since = self._last_message_id()
        self.env = self.env(context=dict(self.env.context, lang=LANG))
        self.user_advisor = self.advisor
        self.user_technician = self.env.ref("autorepair_crm.user_demo_technician")
        self.vehicle = self.env["fleet.vehicle"].create({
            "model_id": self.demo_vehicle.model_id.id, "license_plate": "川A9Z002",
            "owner_id": self.demo_vehicle.owner_id.id})
        order = self._received_order()
        self._approve_all(order)
        self.assertTrue(order.message_ids.filtered(lambda m: m.id > since), "nothing was logged")
        finder = EnglishFinder(self.odoo_terms)
        manager = self.env.ref("autorepair_crm.user_demo_manager")
        for records in (order, self.vehicle):
            render_chatter(self.env, manager, records, finder, since_id=since)
        self._assert_no_english(finder, "chatter of the desk")

    def test_install_time_chatter(self):
        """What runs without a language, as data and demo files do at install
        (odoo/tools/convert.py) and the scheduler at night, writes in the
        database's language: records created log "服务委托书 已创建", not
        "Service Order 创建", and the care run's calls are named in the agent's
        language."""
        since = self._last_message_id()
        env = self.env(context={})
        self.assertFalse(env.lang)
        vehicle = env["fleet.vehicle"].create({
            "model_id": self.demo_vehicle.model_id.id, "license_plate": "川A9Z001",
            "owner_id": self.demo_vehicle.owner_id.id})
        order = env["autorepair.service.order"].create({"vehicle_id": vehicle.id, "need_type": "repair"})
        Task = env["autorepair.care.task"]
        since_activity = env["mail.activity"].search([], order="id desc", limit=1).id
        for _chunk in range(50):
            if not Task._cron_daily_run().get("remaining"):
                break
        new_calls = env["mail.activity"].search([("res_model", "=", Task._name), ("id", ">", since_activity)])
        if not new_calls:
            # today's run was done at install: the calls of a few open tasks scheduled again
            tasks = Task.search([("state", "=", "open"), ("user_id", "!=", False),
                                 ("activity_ids", "!=", False)], limit=5)
            tasks.activity_ids.unlink()
            tasks._create_calls()
            new_calls = tasks.activity_ids
        tasks = Task.browse(new_calls.mapped("res_id"))
        self.assertTrue(tasks, "no care call was scheduled")
        finder = EnglishFinder(self.odoo_terms)
        manager = self.env.ref("autorepair_crm.user_demo_manager")
        for records in (order, vehicle):
            render_chatter(self.env, manager, records, finder, since_id=since)
        for agent in tasks.user_id:
            render_chatter(self.env, agent, tasks.filtered(lambda t, a=agent: t.user_id == a), finder,
                           since_id=since, since_activity_id=min(new_calls.ids) - 1)
        self.assertIn(order.with_context(lang=LANG)._creation_message(),
                      order.message_ids.mapped(lambda m: html2plaintext(m.body)))
        self._assert_no_english(finder, "install-time chatter")

    def test_nightly_jobs_in_chinese(self):
        """Odoo runs scheduled jobs without a language; the suite's run in their
        user's, so what they write for the staff is Chinese."""
        seen = []
        Partner = type(self.env["res.partner"])
        cron = self.env.ref("autorepair_crm.ir_cron_recompute_value_class")
        with patch.object(Partner, "_cron_recompute_value_class", autospec=True,
                          side_effect=lambda records: seen.append(records.env.lang)):
            self.env(user=cron.user_id, context={})["ir.cron"].browse(cron.id)._callback(
                cron.name, cron.ir_actions_server_id.id)
        self.assertEqual(seen, [LANG])
