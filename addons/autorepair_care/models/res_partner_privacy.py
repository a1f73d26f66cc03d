from odoo import models
from odoo.tools import SQL

from .autorepair_care_task import DONE_STATES


class ResPartner(models.Model):
    """Care's part of data-subject requests: the care tasks and call
    attempts about the person. An erasure empties their free notes and
    cancels the contacts still to make; the tasks stay (without the
    person's data) for the agents' monthly figures."""

    _inherit = "res.partner"

    def _autorepair_personal_data(self):
        sections = super()._autorepair_personal_data()
        _ = self.env._
        tasks = self.env["autorepair.care.task"].search([("partner_id", "=", self.id)], order="due_date, id")
        sections.append(tasks._autorepair_report_section("care_tasks", _("Care Reminders"), [
            "kind", "rule_id", "license_plate", "due_date", "state", "done_date", "failure_reason",
            "message_channel", "no_return_reason", "no_return_note", "other_shop_name", "other_shop_place"]))
        attempts = self.env["autorepair.care.attempt"].search([("partner_id", "=", self.id)], order="date, id")
        sections.append(attempts._autorepair_report_section("care_attempts", _("Call Attempts"), [
            "task_id", "date", "channel", "outcome", "note", "appointment_start"]))
        return sections

    def _autorepair_personal_records(self):
        records = super()._autorepair_personal_records()
        partners = records["res.partner"]
        tasks = self.env["autorepair.care.task"].search([("partner_id", "in", partners.ids)])
        records.update({
            "autorepair.care.task": tasks,
            "autorepair.care.attempt": self.env["autorepair.care.attempt"].search([("task_id", "in", tasks.ids)]),
        })
        return records

    def _autorepair_erase_partners(self, partners):
        # nobody calls an erased person: the contacts still to make are cancelled
        self.env["autorepair.care.task"].search(
            [("partner_id", "in", partners.ids), ("state", "not in", DONE_STATES)]).write({"state": "cancel"})
        return super()._autorepair_erase_partners(partners)

    def _autorepair_active_partner_ids(self, since):
        active = super()._autorepair_active_partner_ids(since)
        if not self:
            return active
        # a call or message to the customer is a contact
        self.env.cr.execute(SQL(
            "SELECT partner_id FROM autorepair_care_attempt WHERE partner_id = ANY(%s) AND date >= %s",
            self.ids, since))
        return active | {row[0] for row in self.env.cr.fetchall()}
