"""Every menu and every window action of the suite, opened as each demo role the
way the web client opens them: the action, its views (get_views), its records
(web_search_read, web_read_group, read_group, web_read), and the form of each
record its form links to (a click on the vehicle of an order). No role may
meet an access error or a traceback on a screen its menus or its links lead to."""

import datetime
import logging

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from odoo.addons.autorepair_care.tests.common import run_cron
from odoo.addons.autorepair_workshop.tests.common import followup_answers

_logger = logging.getLogger(__name__)

SUITE = ("autorepair_crm", "autorepair_channel", "autorepair_workshop", "autorepair_care", "autorepair_complaint",
         "autorepair_kpi", "autorepair_archive", "autorepair_payment")
RECORD_VIEWS = ("list", "kanban", "form", "calendar")
GROUPED_VIEWS = ("pivot", "graph")


def field_spec(models, model, depth=1, arch=None):
    """The web client's specification for the fields a view shows: names of
    the records behind many2ones, the fields of embedded lists. Given the
    view's arch, only the fields in it: a field hidden from the user's groups
    leaves the arch, though get_views still lists it among the model's fields."""
    shown = arch is not None and {node.get("name") for node in arch.iter("field")}
    spec = {}
    for fname, field in models[model]["fields"].items():
        if shown is not False and fname not in shown and fname != "id":
            continue
        if field["type"] in ("one2many", "many2many") and depth and field["relation"] in models:
            spec[fname] = {"fields": field_spec(models, field["relation"], depth - 1)}
        elif field["type"] in ("many2one", "one2many", "many2many"):
            spec[fname] = {"fields": {"display_name": {}}}
        else:
            spec[fname] = {}
    return spec


@tagged("post_install", "-at_install")
class TestMenus(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        data = cls.env["ir.model.data"].search([
            ("module", "in", SUITE), ("model", "=", "res.users"), ("name", "=like", "user_demo_%")])
        cls.users = cls.env["res.users"].browse(data.mapped("res_id")).filtered("active")
        root = cls.env.ref("autorepair_crm.menu_root")
        cls.menus = cls.env["ir.ui.menu"].search([("id", "child_of", root.id), ("action", "!=", False)])
        suite_actions = cls.env["ir.model.data"].search([
            ("module", "in", SUITE), ("model", "=", "ir.actions.act_window")])
        cls.actions = cls.env["ir.actions.act_window"].browse(suite_actions.mapped("res_id"))
        cls._fill_empty_screens()

    @classmethod
    def _fill_empty_screens(cls):
        """What the demo's first morning lacks for a record on every screen: the
        care run and a call made, a broadcast, a follow-up call, a complaint on
        an order, an SMS reply, a WeChat notice, a repair filed with the health
        archive, last month closed with a penalty, a plan."""
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        login = {user.login: user for user in cls.users}
        run_cron(env["autorepair.care.task"], "_cron_daily_run")
        orders = env["autorepair.service.order"].search([])
        delivered = orders.filtered(lambda o: o.state in ("delivered", "done"))[:1] or orders[:1]
        env["autorepair.followup"].create({
            "order_id": delivered.id, "agent_id": login["demo_care_agent"].id,
            "answer_ids": followup_answers(env, delivered, {"attitude": 5, "quality": 5, "price": 4}),
        })
        workshop = [login[name].id for name in ("demo_technician", "demo_team_lead", "demo_inspector", "demo_sales",
                                                "demo_insurance")]
        env["autorepair.complaint"].create({
            "subject": "等待时间过长", "partner_id": delivered.partner_id.id, "service_order_id": delivered.id,
            "staff_ids": [Command.set(workshop)], "user_id": login["demo_care_agent"].id,
        })
        task = env["autorepair.care.task"].search([("user_id", "=", login["demo_care_agent"].id)], limit=1) \
            or env["autorepair.care.task"].search([], limit=1)
        task.user_id = login["demo_care_agent"]
        env["autorepair.care.attempt"].create({"task_id": task.id, "user_id": task.user_id.id, "outcome": "no_answer"})
        holiday = env["autorepair.care.rule"].search([("kind", "=", "holiday")], limit=1)
        env["autorepair.care.broadcast"].create({"name": "国庆节假期营业时间", "rule_id": holiday.id})
        env["autorepair.sms.reply"]._receive("+8613900000000", "收到，谢谢")
        env["autorepair.wechat.message"].create({
            "company_id": delivered.company_id.id, "partner_id": delivered.partner_id.id, "kind": "car_ready",
            "body": "您的爱车已完工，请到店提车。", "state": "sent"})
        if "autorepair.archive.filing" in env:  # the health archive addon, when installed
            env["autorepair.archive.filing"].create({"order_id": delivered.id})
        last_month = fields.Date.today().replace(day=1) - relativedelta(months=1)
        Statement = env["autorepair.kpi.statement"]
        Statement._close_month(last_month, cls.users)
        statement = Statement.search([("user_id", "=", login["demo_care_agent"].id)], limit=1)
        env["autorepair.kpi.statement.line"].create({
            "statement_id": statement.id, "rule_id": env["autorepair.kpi.rule"].search([], limit=1).id})
        env["autorepair.kpi.plan"].create({"user_id": login["demo_care_manager"].id})

    def test_demo_roles(self):
        """Each role of the demo has its user, and each user a menu to open."""
        self.assertGreaterEqual(len(self.users), 10, self.users.mapped("login"))

    def _eval(self, user, expr, default):
        if not expr or not isinstance(expr, str):
            return expr or default
        today = datetime.date.today()
        return safe_eval(expr, {
            "uid": user.id, "user": user, "context_today": lambda: today, "current_date": str(today),
            "datetime": safe_datetime, "relativedelta": relativedelta,
            "allowed_company_ids": user.company_ids.ids, "company_id": user.company_id.id,
            "active_id": False, "active_ids": [], "active_model": False,
        })

    def _default_filters(self, user, search_arch, context):
        """The domain of the search view's filters the action switches on."""
        domain = []
        for node in etree.fromstring(search_arch).iter("filter"):
            if context.get(f"search_default_{node.get('name')}") and node.get("domain"):
                try:
                    domain += self._eval(user, node.get("domain"), [])
                except (NameError, AttributeError, ValueError, SyntaxError, TypeError):
                    # the web client's own date helpers (to_utc): the filter is left out
                    continue
        return domain

    def _open_action(self, user, action, problems, opened):
        """Open the action as the web client does; return the records it showed."""
        env = self.env(user=user)
        values = action.sudo().read()[0]
        context = dict(self._eval(user, values["context"], {}), lang=user.lang or "en_US")
        Model = env[values["res_model"]].with_context(**context)
        views = [[view_id or False, view_type] for view_id, view_type in values["views"]]
        views.append([values["search_view_id"] and values["search_view_id"][0], "search"])
        result = Model.get_views(views, {"action_id": action.id, "load_filters": True, "toolbar": True})
        if values["target"] == "new":
            Model.default_get(list(result["models"][Model._name]["fields"]))
            return Model.browse()
        domain = self._eval(user, values["domain"], [])
        domain += self._default_filters(user, result["views"]["search"]["arch"], context)
        records = Model.search(domain, limit=80) or Model.search([], limit=1)
        for view_id, view_type in views:
            if view_type == "search":
                continue
            one = Model.get_views([[view_id, view_type]], {"action_id": action.id})
            models, arch = one["models"], etree.fromstring(one["views"][view_type]["arch"])
            spec = field_spec(models, Model._name, arch=arch)
            if view_type in ("list", "kanban"):
                Model.web_search_read(domain, spec, limit=80)
                group_by = arch.get("default_group_by") or context.get("group_by")
                if group_by:
                    group_by = group_by if isinstance(group_by, str) else group_by[0]
                    Model.web_read_group(domain, [], [group_by], limit=80)
            elif view_type == "calendar":
                Model.search_read(domain, list(models[Model._name]["fields"]), limit=80)
            elif view_type == "form" and records:
                [row] = records[:1].web_read(spec)
                self._open_links(user, Model, row, models, problems, opened)
                self._check_action_buttons(user, Model, arch, problems)
            elif view_type in GROUPED_VIEWS:
                rows = [node.get("name") for node in arch.iter("field") if node.get("type") in ("row", "col")]
                measures = [f"{node.get('name')}:sum" for node in arch.iter("field") if node.get("type") == "measure"]
                Model.read_group(domain, measures or ["__count"], rows[:1] or [], lazy=False)
        return records

    def _check_action_buttons(self, user, Model, arch, problems):
        """A button of the form that opens a window action opens it on a model the user reads."""
        for button in arch.iter("button"):
            if button.get("type") != "action" or not button.get("name", "").isdigit():
                continue
            action = self.env["ir.actions.actions"].browse(int(button.get("name"))).sudo()
            action = self.env[action.type].browse(action.id).sudo()
            if action._name == "ir.actions.act_window" and not self.env(user=user)[action.res_model].has_access("read"):
                problems.append(f"{user.login}: {Model._name} form button {action.name!r} opens "
                                f"{action.res_model}, which the role cannot read")

    def _open_links(self, user, Model, row, models, problems, opened):
        """A click on each record the form links to opens that record's own form."""
        for fname, field in models[Model._name]["fields"].items():
            if field["type"] != "many2one" or not row.get(fname):
                continue
            comodel = field["relation"]
            if (comodel, user.id) in opened or not (comodel.startswith(("autorepair.", "fleet.")) or
                                                   comodel == "res.partner"):
                continue
            opened.add((comodel, user.id))
            where = f"{user.login}: {Model._name}.{fname} -> {comodel} form"
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.models"):
                    target = self.env(user=user)[comodel]
                    form = target.get_views([[False, "form"]])
                    target.browse(row[fname]["id"]).web_read(field_spec(
                        form["models"], comodel, arch=etree.fromstring(form["views"]["form"]["arch"])))
            except Exception as error:  # noqa: BLE001 - every error is a finding, listed below
                problems.append(f"{where}: {type(error).__name__}: {error}")

    def test_every_menu_and_action_as_each_role(self):
        problems, opened, empty = [], set(), []
        shown, with_records = set(), set()
        for user in self.users:
            env = self.env(user=user)
            visible = env["ir.ui.menu"].load_menus(False)
            menu_actions = {
                int(menu["action"].split(",")[1]) for menu_id, menu in visible.items()
                if menu_id != "root" and menu.get("action") and menu["id"] in self.menus.ids
            }
            self.assertTrue(menu_actions, f"{user.login} sees no menu of the suite")
            # the menus' actions, then every other window action of the suite the role may open
            for action in self.actions.sorted(lambda a: (a.id not in menu_actions, a.id)):
                via = "menu" if action.id in menu_actions else "action"
                if via == "action" and (
                        action.sudo().groups_id and not (action.sudo().groups_id & user.groups_id)
                        or not env[action.sudo().res_model].has_access("read")):
                    continue
                where = f"{user.login}: {via} {action.sudo().get_external_id()[action.id]} ({action.sudo().res_model})"
                try:
                    with self.env.cr.savepoint(), mute_logger("odoo.models"):
                        records = self._open_action(user, action, problems, opened)
                except Exception as error:  # noqa: BLE001 - every error is a finding, listed below
                    problems.append(f"{where}: {type(error).__name__}: {error}")
                    continue
                if via == "menu" and action.target != "new":
                    shown.add(records._name)
                    if records:
                        with_records.add(records._name)
                    else:
                        empty.append(where)
        if empty:
            _logger.info("screens without a record to open:\n%s", "\n".join(empty))
        self.assertFalse(problems, "\n" + "\n".join(problems))
        # every screen's views were drawn with a record, for one role at least
        self.assertFalse(shown - with_records, "menus opened on no record for any role")

    def test_vehicle_from_an_order(self):
        """The vehicle of an order opens in the dealer's vehicle form for every
        role: fleet's own form leads at every button to fleet's logs (services,
        contracts, drivers), which are the company fleet manager's."""
        order = self.env["autorepair.service.order"].search([], limit=1)
        self.assertTrue(order, "the demo has service orders")
        dealer_form = self.env.ref("autorepair_crm.fleet_vehicle_view_form")
        for user in self.users:
            Vehicle = self.env(user=user)["fleet.vehicle"]
            if not Vehicle.has_access("read"):
                continue
            form = Vehicle.get_views([[False, "form"]])
            self.assertEqual(form["views"]["form"]["id"], dealer_form.id, user.login)
            self.assertNotIn("log_services", form["views"]["form"]["arch"], user.login)
            [row] = Vehicle.browse(order.vehicle_id.id).web_read(
                field_spec(form["models"], "fleet.vehicle", arch=etree.fromstring(form["views"]["form"]["arch"])))
            self.assertEqual(row["license_plate"], order.vehicle_id.license_plate)
            # fleet's logs stay the fleet manager's
            with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_model"):
                self.env(user=user)["fleet.vehicle.log.services"].search([])
        # fleet's own users keep fleet's form
        admin_form = self.env["fleet.vehicle"].get_views([[False, "form"]])["views"]["form"]["id"]
        self.assertEqual(admin_form, self.env.ref("fleet.fleet_vehicle_view_form").id)
