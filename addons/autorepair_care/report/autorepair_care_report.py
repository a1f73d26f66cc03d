from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.autorepair_care_rule import KINDS
from ..models.autorepair_care_task import FAILURE_REASONS, LOST_CLASSES, NO_RETURN_REASONS, STATES


class AutorepairCareReport(models.Model):
    """Monthly care analysis per agent (RULEBOOK §5): one row per task, with
    0/100 columns averaged into rates (reminder, booking, return, failure)."""

    _name = "autorepair.care.report"
    _description = "Care Analysis"
    _auto = False
    _order = "due_date desc"

    due_date = fields.Date(string="Due", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    rule_id = fields.Many2one("autorepair.care.rule", string="Rule", readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    state = fields.Selection(STATES, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    vehicle_id = fields.Many2one("fleet.vehicle", string="Vehicle", readonly=True)
    lost_class = fields.Selection(LOST_CLASSES, string="Class", readonly=True)
    failure_reason = fields.Selection(FAILURE_REASONS, readonly=True)
    no_return_reason = fields.Selection(NO_RETURN_REASONS, string="Reason", readonly=True)
    other_shop_name = fields.Char(string="Other Shop", readonly=True)
    other_shop_price = fields.Float(string="Other Shop's Price", readonly=True, aggregator="avg")
    call_count = fields.Integer(string="Calls", readonly=True)
    task_count = fields.Integer(string="Tasks", readonly=True)
    reminded_rate = fields.Float(string="Reminder Rate (%)", readonly=True, aggregator="avg")
    booked_rate = fields.Float(string="Appointment Rate (%)", readonly=True, aggregator="avg")
    returned_rate = fields.Float(string="Return Rate (%)", readonly=True, aggregator="avg")
    failed_rate = fields.Float(string="Failure Rate (%)", readonly=True, aggregator="avg")

    def _select(self):
        return SQL(
            """
            SELECT t.id, t.due_date, t.company_id, t.user_id, t.rule_id, t.kind, t.state, t.partner_id, t.vehicle_id,
                   t.lost_class, t.failure_reason, t.no_return_reason, t.other_shop_name, t.other_shop_price,
                   t.call_count, 1 AS task_count,
                   CASE WHEN %s THEN 100.0 ELSE 0 END AS reminded_rate,
                   CASE WHEN t.service_order_id IS NOT NULL
                          OR t.state = 'booked' THEN 100.0 ELSE 0 END AS booked_rate,
                   CASE WHEN t.state = 'returned' THEN 100.0 ELSE 0 END AS returned_rate,
                   CASE WHEN t.state = 'failed' THEN 100.0 ELSE 0 END AS failed_rate
            """,
            self.env["autorepair.care.task"]._sql_reminded("t"),
        )

    def _from(self):
        return SQL("FROM autorepair_care_task t")

    def _where(self):
        return SQL("WHERE t.state != 'cancel'")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            "CREATE OR REPLACE VIEW %s AS (%s %s %s)",
            SQL.identifier(self._table), self._select(), self._from(), self._where(),
        ))
