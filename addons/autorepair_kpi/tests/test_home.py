import json

from odoo.tests import HttpCase, tagged

# each demo role's home after login: its work (xml ids of the actions)
HOMES = {
    "demo_advisor": "autorepair_workshop.autorepair_service_order_action",
    "demo_technician": "autorepair_workshop.autorepair_service_order_line_action_work",
    "demo_team_lead": "autorepair_workshop.autorepair_service_order_line_action_work",
    "demo_inspector": "autorepair_workshop.autorepair_service_order_action_checks",
    "demo_care_agent": "autorepair_care.autorepair_care_task_action_my",
    "demo_insurance": "autorepair_care.autorepair_care_task_action_my",
    "demo_care_manager": "autorepair_care.autorepair_care_task_action",
    "demo_sales": "autorepair_crm.res_partner_action_customer",
}
MANAGERS = ("demo_manager", "demo_general_manager")


@tagged("post_install", "-at_install")
class TestHome(HttpCase):
    def _home(self, login):
        self.authenticate(login, login)
        return self.make_jsonrpc_request("/web/session/get_session_info")["home_action_id"]

    def test_each_role_lands_on_its_work(self):
        for login, xmlid in HOMES.items():
            with self.subTest(login=login):
                self.assertEqual(self._home(login), self.env.ref(xmlid).id)
        for login in MANAGERS:
            with self.subTest(login=login):
                self.assertEqual(self._home(login), self.env.ref("autorepair_kpi.autorepair_kpi_dashboard_action").id)

    def test_own_home_action_wins(self):
        user = self.env["res.users"].search([("login", "=", "demo_advisor")])
        calendar = self.env.ref("autorepair_workshop.autorepair_service_order_action_calendar")
        user.action_id = calendar.id
        self.assertEqual(self._home("demo_advisor"), calendar.id)

    def test_outside_the_suite_keeps_odoo_default(self):
        user = self.env["res.users"].create({"name": "Bookkeeper", "login": "ar_home_bookkeeper",
                                             "password": "ar_home_bookkeeper"})
        user.groups_id -= self.env.ref("autorepair_crm.group_user")
        self.assertFalse(user.has_group("autorepair_crm.group_user"))
        self.assertFalse(self._home("ar_home_bookkeeper"))

    def _page_home(self, login, url):
        """The home action the web client page at ``url`` starts with."""
        self.authenticate(login, login)
        html = self.url_open(url).text
        start = html.index("odoo.__session_info__ = ") + len("odoo.__session_info__ = ")
        return json.JSONDecoder().raw_decode(html, start)[0].get("home_action_id")

    def test_menu_link_opens_its_menu(self):
        """A link naming a menu (a bookmark, Odoo's own tours) opens that menu's action when the
        view it names cannot be restored, as in Odoo: the home is only where one lands."""
        dashboard = self.env.ref("autorepair_kpi.autorepair_kpi_dashboard_action")
        self.assertEqual(self._page_home("demo_manager", "/odoo"), dashboard.id)
        menu = self.env.ref("autorepair_crm.res_partner_menu_customer")
        self.assertFalse(self._page_home("demo_manager", f"/odoo/res.partner?menu_id={menu.id}"))

    def test_home_in_the_browser(self):
        """The web client opens the home: the After-Sales app, not Discuss."""
        for login in ("demo_advisor", "demo_technician", "demo_inspector", "demo_care_agent", "demo_manager"):
            with self.subTest(login=login):
                self.start_tour("/odoo", "autorepair_home_tour", login=login)
