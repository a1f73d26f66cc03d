from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AutorepairWorkLog(models.Model):
    """A stretch of clocked work on a labour line: actual against standard hours."""

    _name = "autorepair.work.log"
    _description = "Work Time Log"
    _order = "date_start desc, id desc"

    line_id = fields.Many2one("autorepair.service.order.line", required=True, ondelete="cascade", index=True)
    order_id = fields.Many2one(related="line_id.order_id", store=True, index=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True, index=True)
    user_id = fields.Many2one("res.users", string="Technician", required=True, default=lambda self: self.env.user,
                              ondelete="restrict", index=True)
    date_start = fields.Datetime(string="Started", required=True, default=fields.Datetime.now)
    date_stop = fields.Datetime(string="Stopped")
    duration = fields.Float(string="Hours", compute="_compute_duration", store=True)

    @api.depends("date_start", "date_stop")
    def _compute_duration(self):
        for log in self:
            log.duration = (log.date_stop - log.date_start).total_seconds() / 3600 if log.date_stop else 0.0

    @api.constrains("date_start", "date_stop")
    def _check_dates(self):
        for log in self:
            if log.date_stop and log.date_stop < log.date_start:
                raise ValidationError(self.env._("Work cannot stop before it started."))
