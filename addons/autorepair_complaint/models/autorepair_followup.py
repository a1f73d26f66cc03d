from odoo import models

from .autorepair_complaint import CATEGORIES


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
            # the answer with the lowest score tells what the complaint is about
            worst = followup._worst_answer()
            category = worst.aspect if worst.aspect in dict(CATEGORIES) else "quality"
            Complaint.create({
                "subject": self.env._("Low follow-up score on %(order)s", order=order.name),
                "description": "\n".join(filter(None, [
                    followup.remarks,
                    *(f"{answer.question_id.name}: {answer.suggestion}" for answer in followup.answer_ids.sudo()
                      if answer.suggestion),
                ])) or False,
                "service_order_id": order.id,
                "channel": "followup",
                "category": category,
                "user_id": followup.agent_id.id,
                "reported_date": followup.date,
            })
        return result
