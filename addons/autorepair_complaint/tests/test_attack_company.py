from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.autorepair_crm.tests.common import RpcClientMixin, make_vin

EXPORT = "base.group_allow_export"


class TwoCompaniesCase(RpcClientMixin, HttpCase):
    """Two companies of a dealer group, each with a customer, his car, a
    service order through its walk-around, work and checks, a care task and
    a complaint; the staff of the first company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.branch = cls.env["res.company"].create({"name": "绵阳分店"})

        def user(login, groups, company):
            return new_test_user(cls.env, login=login, groups=groups, company_id=company.id,
                                 company_ids=[company.id])

        # the export feature given by hand: the suite's own guard is what refuses
        cls.advisor = user("tc_advisor", f"autorepair_workshop.group_advisor,{EXPORT}", cls.company)
        cls.care_agent = user("tc_agent", f"autorepair_care.group_care_agent,{EXPORT}", cls.company)
        cls.sales = user("tc_sales", f"autorepair_crm.group_sales,{EXPORT}", cls.company)
        cls.technician = user("tc_technician", f"autorepair_workshop.group_technician,{EXPORT}", cls.company)
        cls.manager = user("tc_manager", "autorepair_crm.group_manager", cls.company)
        cls.team_lead_b = user("tc_lead_b", "autorepair_workshop.group_team_lead", cls.branch)
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        cls.car_model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        cls.data = {company: cls._company_data(company, index)
                    for index, company in enumerate((cls.company, cls.branch), 1)}

    @classmethod
    def _company_data(cls, company, index):
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        customer = env["res.partner"].create({
            "name": f"客户{index}", "mobile": f"1380013800{index}", "is_autorepair_customer": True,
            "company_id": company.id, "resident_id_consent": index == 1,
            "resident_id_number": "11010519491231002X" if index == 1 else False,
        })
        vehicle = env["fleet.vehicle"].create({
            "model_id": cls.car_model.id, "license_plate": f"川A1234{index}",
            "vin_sn": make_vin(f"LFV2A2BHRC12345{index}"), "owner_id": customer.id, "company_id": company.id,
        })
        order = env["autorepair.service.order"].create({
            "vehicle_id": vehicle.id, "company_id": company.id, "advisor_id": cls.advisor.id,
        })
        line = env["autorepair.service.order.line"].create({
            "order_id": order.id, "line_type": "labour", "name": "更换机油", "quantity": 1, "price_unit": 100,
        })
        order.write({"walkaround_signature": SIGNATURE_PNG, "walkaround_signed_by": customer.name})
        walkaround = env["autorepair.walkaround.line"].create({
            "order_id": order.id, "item_id": env.ref("autorepair_workshop.walkaround_item_body").id,
            "condition": "damaged", "note": "左后门划痕",
        })
        damage = env["autorepair.damage"].create({
            "order_id": order.id, "location": "左后门", "description": "5厘米划痕", "photo": SIGNATURE_PNG,
        })
        work_log = env["autorepair.work.log"].create({"line_id": line.id, "user_id": cls.advisor.id})
        order.state = "qc"
        check = env["autorepair.quality.check"].create({
            "order_id": order.id, "check_type": "self", "result": "pass", "user_id": cls.team_lead_b.id,
            "line_ids": [(0, 0, {"item_id": env.ref("autorepair_workshop.check_item_self_work").id})],
        }) if company == cls.branch else env["autorepair.quality.check"]
        task = env["autorepair.care.task"].create({
            "rule_id": env.ref("autorepair_care.rule_periodic_maintenance").id, "kind": "periodic_maintenance",
            "company_id": company.id, "partner_id": customer.id, "vehicle_id": vehicle.id,
            "due_date": "2026-12-01", "deadline": "2026-12-31", "user_id": cls.care_agent.id,
            "no_return_note": "在别家保养",
        })
        complaint = env["autorepair.complaint"].create({
            "subject": "空调异响", "partner_id": customer.id, "service_order_id": order.id,
            "company_id": company.id, "description": "客户说空调有异响", "user_id": cls.advisor.id,
        })
        return {"customer": customer, "vehicle": vehicle, "order": order, "line": line, "walkaround": walkaround,
                "damage": damage, "work_log": work_log, "check": check, "task": task, "complaint": complaint}

    def _log_count(self):
        return self.env["autorepair.privacy.log"].search_count([])


SIGNATURE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestAttackCompany(TwoCompaniesCase):
    """The staff of one company read nothing of another's workshop records or
    complaint analysis, by search, by id or by grouping, over JSON-RPC."""

    def assert_other_company_unreadable(self, user, model, record, fnames):
        self.env.invalidate_all()
        before = record.sudo().read(fnames)
        rows = self._jsonrpc_ok(user, model, "search_read", [], fnames)
        self.assertNotIn(record.id, [row["id"] for row in rows])
        count = self._jsonrpc_ok(user, model, "search_count", [("id", "=", record.id)])
        self.assertEqual(count, 0)
        result, error = self._jsonrpc(user, model, "read", [record.id], fnames)
        self.assertIsNone(result)
        self.assertIn("AccessError", error["name"])
        self.env.invalidate_all()
        self.assertEqual(record.sudo().read(fnames), before, "nothing changed")

    def test_work_logs_of_other_company(self):
        other = self.data[self.branch]["work_log"]
        self.assertEqual(other.company_id, self.branch)
        self.assert_other_company_unreadable(self.technician, "autorepair.work.log", other,
                                             ["order_id", "user_id", "duration"])
        # the first company's own logs stay readable
        own = self.data[self.company]["work_log"]
        self.assertEqual(self._jsonrpc_ok(self.technician, "autorepair.work.log", "search_count",
                                          [("id", "=", own.id)]), 1)

    def test_quality_checks_of_other_company(self):
        other = self.data[self.branch]["check"]
        self.assertEqual((other.company_id, other.line_ids.company_id), (self.branch, self.branch))
        self.assert_other_company_unreadable(self.advisor, "autorepair.quality.check", other,
                                             ["order_id", "result", "user_id"])
        self.assert_other_company_unreadable(self.advisor, "autorepair.quality.check.line", other.line_ids,
                                             ["item_id", "ok"])

    def test_walkaround_of_other_company(self):
        data = self.data[self.branch]
        self.assert_other_company_unreadable(self.technician, "autorepair.walkaround.line", data["walkaround"],
                                             ["order_id", "condition", "note"])
        self.assert_other_company_unreadable(self.advisor, "autorepair.damage", data["damage"],
                                             ["order_id", "location", "description"])

    def test_complaint_analysis_of_other_company(self):
        other = self.data[self.branch]["complaint"]
        # the care agent reads every complaint of his own companies, none of another's
        for user in (self.advisor, self.care_agent):
            with self.subTest(user=user.login):
                self.assert_other_company_unreadable(user, "autorepair.complaint.report",
                                                     self.env["autorepair.complaint.report"].browse(other.id),
                                                     ["partner_id", "reported_date", "company_id"])
                groups = self._jsonrpc_ok(user, "autorepair.complaint.report", "read_group", [],
                                          ["nbr:sum"], ["partner_id"], lazy=False)
                self.assertNotIn(other.partner_id.id, [group["partner_id"][0] for group in groups])
        own = self.data[self.company]["complaint"]
        rows = self._jsonrpc_ok(self.care_agent, "autorepair.complaint.report", "search_read", [], ["partner_id"])
        self.assertIn(own.id, [row["id"] for row in rows])

    def test_every_model_of_the_suite_has_a_company_rule(self):
        modules = ("autorepair_crm", "autorepair_workshop", "autorepair_care", "autorepair_complaint",
                   "autorepair_kpi")
        missing = []
        for name, model in self.env.registry.items():
            if model._abstract or model._transient or model._original_module not in modules:
                continue
            acls = self.env["ir.model.access"].sudo().search([("model_id.model", "=", name)])
            if acls and all(acl.group_id == self.env.ref("base.group_system") for acl in acls):
                continue  # technical records that only the administrator reads (portal attempts)
            rules = self.env["ir.rule"].sudo().search([("model_id.model", "=", name), ("global", "=", True)])
            if not any("company_id" in rule.domain_force for rule in rules):
                missing.append(name)
        self.assertEqual(missing, [])
