import datetime

from odoo import models


class AutorepairFollowup(models.Model):
    _inherit = "autorepair.followup"

    def _apply_to_order(self):
        """A customer the follow-up call did not reach is called again by the
        care department's attempt policy (RULEBOOK §4: calls in different
        time slots within the days of Settings): the call that found nobody
        opens the order's follow-up task as its first unanswered attempt, each
        later call is logged on it, and a call that reaches him closes it."""
        result = super()._apply_to_order()
        self._care_log_attempts()
        return result

    def _care_log_attempts(self):
        # the caller may have no care rights: the attempt is the consequence of his call, logged in his name
        Task = self.env["autorepair.care.task"].sudo()
        Attempt = self.env["autorepair.care.attempt"].sudo()
        for followup in self.sudo():
            task = Task.search([("followup_order_id", "=", followup.order_id.id)], limit=1)
            if followup.reached and task.state != "open":
                continue
            task = task or followup._care_followup_task()
            if task.to_schedule:
                # the call is on the agent's list at once; the attempt below moves it to the policy's next slot
                task._schedule()
            if task.state != "open":
                continue
            Attempt.create({
                "task_id": task.id, "user_id": followup.agent_id.id, "date": followup.date,
                "channel": "phone", "outcome": "reached" if followup.reached else "no_answer",
            })

    def _care_followup_task(self):
        """The follow-up task of the order: its customer and car, due on the
        day of the first call, for the agent who made it (the customer's
        care agent when a service advisor made it)."""
        self.ensure_one()
        rule = self.env["autorepair.care.rule"].sudo().search(
            [("kind", "=", "followup"), ("company_id", "in", (False, self.company_id.id))],
            order="company_id, sequence, id", limit=1)
        if not rule:
            # the care manager archived the rule: no retries
            return self.env["autorepair.care.task"]
        order = self.order_id
        day = self.env["autorepair.care.rule"]._care_today()
        partner = order.partner_id.commercial_partner_id
        # two orders of one car followed up on one day: one customer to call, one task
        same = self.env["autorepair.care.task"].sudo().search([
            ("rule_id", "=", rule.id), ("vehicle_id", "=", order.vehicle_id.id), ("partner_id", "=", partner.id),
            ("due_date", "=", day)], limit=1)
        if same:
            return same
        care_agent = self.env.ref("autorepair_care.group_care_agent")
        user = self.agent_id if care_agent in self.agent_id.groups_id else order.partner_id.care_agent_id
        return self.env["autorepair.care.task"].sudo().create({
            "rule_id": rule.id, "kind": rule.kind, "company_id": order.company_id.id,
            "vehicle_id": order.vehicle_id.id, "partner_id": partner.id,
            "user_id": user.id, "due_date": day, "deadline": day + datetime.timedelta(days=rule.window_days),
            "followup_order_id": order.id,
        })
