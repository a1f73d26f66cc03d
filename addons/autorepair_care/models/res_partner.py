from odoo import api, fields, models

CARE_ROLES = "autorepair_care.group_care_agent,autorepair_care.group_insurance"


class ResPartner(models.Model):
    _inherit = "res.partner"

    care_wrong_number = fields.Boolean(
        string="Wrong Number", index=True, tracking=True,
        help="A care agent found the number wrong or empty: on the correction list until it is fixed.",
    )
    # the care department's own records: hidden from the other roles rather
    # than refusing them the whole customer
    care_task_ids = fields.One2many("autorepair.care.task", "partner_id", string="Care Tasks", groups=CARE_ROLES)
    care_task_count = fields.Integer(compute="_compute_care_task_count", string="Care Tasks Count", groups=CARE_ROLES)

    @api.model
    def mail_allowed_qweb_expressions(self):
        # placeholders of the broadcasts a care manager writes
        return super().mail_allowed_qweb_expressions() + (
            "object.lang", "object.company_id.name", "object.company_id.phone")

    def _compute_care_task_count(self):
        counts = dict(self.env["autorepair.care.task"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.care_task_count = counts.get(partner, 0)

    def write(self, vals):
        corrected = self.browse()
        if ("phone" in vals or "mobile" in vals) and "care_wrong_number" not in vals:
            corrected = self.filtered("care_wrong_number")
            if corrected:
                vals = dict(vals, care_wrong_number=False)
        result = super().write(vals)
        if corrected:
            corrected._care_reopen_corrected()
        return result

    def _care_reopen_corrected(self):
        """The number is fixed: the tasks waiting for it are called again."""
        tasks = self.env["autorepair.care.task"].sudo().search(
            [("partner_id", "in", self.ids), ("state", "=", "correction")])
        if tasks:
            tasks.write({"state": "open", "next_call_date": self.env["autorepair.care.rule"]._care_today()})
            tasks._schedule()

    def action_view_care_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_care.autorepair_care_task_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        return action
