from odoo.tests import TransactionCase

from odoo.addons.autorepair_crm.tests.common import add_role_users, make_vin
from odoo.addons.autorepair_workshop.tests.common import make_questionnaire


class ComplaintCase(TransactionCase):
    """A shop open Monday to Friday, 9:00-12:00 and 13:00-18:00 in Chengdu,
    its staff, a customer, his car and the order he complains about."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        roles = {
            "care_agent": "autorepair_care.group_care_agent",
            "care_manager": "autorepair_care.group_care_manager",
            "advisor": "autorepair_workshop.group_advisor",
            "advisor2": "autorepair_workshop.group_advisor",
            "technician": "autorepair_workshop.group_technician",
            "technician2": "autorepair_workshop.group_technician",
            "manager": "autorepair_crm.group_manager",
            "general_manager": "autorepair_crm.group_general_manager",
        }
        add_role_users(cls, "cp", roles)
        cls.calendar = cls.env["resource.calendar"].create({
            "name": "Chengdu shop hours",
            "tz": "Asia/Shanghai",
            "attendance_ids": [
                (0, 0, {"name": f"{day} {period}", "dayofweek": str(day), "hour_from": start, "hour_to": end,
                        "day_period": period})
                for day in range(5)
                for period, start, end in (("morning", 9, 12), ("afternoon", 13, 18))
            ],
        })
        cls.env.company.write({
            "autorepair_complaint_calendar_id": cls.calendar.id,
            "autorepair_complaint_response_hours": 2,
            "autorepair_complaint_second_escalation_hours": 4,
            "autorepair_complaint_service_manager_id": cls.user_manager.id,
            "autorepair_complaint_general_manager_id": cls.user_general_manager.id,
        })
        cls.severity_critical = cls.env.ref("autorepair_complaint.severity_critical")
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "一汽-大众"})
        model = cls.env["fleet.vehicle.model"].create({"name": "迈腾", "brand_id": brand.id})
        make_questionnaire(cls.env, brand)
        cls.customer = cls.env["res.partner"].create({
            "name": "张伟", "mobile": "13800138000", "is_autorepair_customer": True,
            "care_agent_id": cls.user_care_agent.id,
        })
        cls.vehicle = cls.env["fleet.vehicle"].create({
            "model_id": model.id, "license_plate": "川A12345", "vin_sn": make_vin("LFV2A2BHRC123456"),
            "owner_id": cls.customer.id,
        })
        cls.order = cls.env["autorepair.service.order"].create({
            "vehicle_id": cls.vehicle.id, "advisor_id": cls.user_advisor.id,
            "technician_id": cls.user_technician.id,
        })
        cls.order.state = "done"

    def _complaint(self, user=None, **vals):
        return self.env["autorepair.complaint"].with_user(user or self.user_care_agent).create({
            "subject": "空调异响", "partner_id": self.customer.id, "channel": "phone", **vals,
        })

    def _resolve(self, complaint, user=None):
        complaint = complaint.with_user(user or self.user_care_agent)
        complaint.response_note = "请客户明天回店检查"
        complaint.action_respond()
        complaint.write({
            "root_cause_category": "diagnosis",
            "root_cause": "技师未做完整诊断",
            "action_ids": [(0, 0, {"name": "技师诊断培训", "user_id": self.user_manager.id, "date_due": "2026-12-31"})],
        })
        complaint.action_request_confirmation()
        return complaint
