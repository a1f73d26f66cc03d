from odoo import models


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _callback(self, cron_name, server_action_id):
        """Odoo runs scheduled jobs without a language (ir_cron._process_job):
        what the suite's nightly jobs write for the staff (chatter messages,
        activities, escalations) would be English in a Chinese database. The
        suite's jobs run in the language of their user, as ``_`` already
        falls back to it."""
        cron = self
        if not self.env.lang and self.env.user.lang and any(
                xmlid.startswith("autorepair_") for xmlid in self.sudo()._get_external_ids()[self.id]):
            cron = self.with_context(lang=self.env.user.lang)
        return super(IrCron, cron)._callback(cron_name, server_action_id)
