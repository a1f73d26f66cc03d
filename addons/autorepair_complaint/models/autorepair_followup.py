from odoo import models

# the answer with the lowest score tells what the complaint is about
QUESTION_CATEGORY = {"score_attitude": "attitude", "score_quality": "quality", "score_transparency": "price"}


class AutorepairFollowup(models.Model):
    _inherit = "autorepair.followup"

    def _apply_to_order(self):
        """A low follow-up score opens a complaint by itself (RULEBOOK §3.14)."""
        result = super()._apply_to_order()
        Complaint = self.env["autorepair.complaint"].sudo()
        for followup in self.filtered("is_low"):
            order = followup.order_id
            if Complaint.search_count([("service_order_id", "=", order.id), ("channel", "=", "followup")]):
                continue
            worst = min(QUESTION_CATEGORY, key=lambda fname: int(followup[fname]))
            Complaint.create({
                "subject": self.env._("Low follow-up score on %(order)s", order=order.name),
                "description": followup.remarks,
                "service_order_id": order.id,
                "channel": "followup",
                "category": QUESTION_CATEGORY[worst],
                "user_id": followup.agent_id.id,
                "reported_date": followup.date,
            })
        return result
