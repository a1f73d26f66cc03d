from odoo import fields, models
from odoo.tools import SQL

from ..models.autorepair_complaint import CATEGORIES, CHANNELS


class AutorepairComplaintReport(models.Model):
    """One row per complaint with its service-level figures as 0/100 values, so
    that the pivot's average is the hit rate. A value is NULL while it is not
    yet decided (a response still in time), which the average leaves out."""

    _name = "autorepair.complaint.report"
    _description = "Complaint Analysis"
    _auto = False
    _rec_name = "complaint_id"
    _order = "reported_date desc"
    # flush what the view reads before it is queried
    _depends = {
        "autorepair.complaint": [
            "reported_date", "company_id", "partner_id", "advisor_id", "user_id", "category", "channel",
            "severity_id", "is_closed", "is_repeat", "first_response_date", "first_response_deadline",
            "resolved_date", "resolution_deadline", "customer_satisfied", "service_order_id",
        ],
        "autorepair.service.order": ["technician_id"],
        "res.company": ["autorepair_complaint_closure_days"],
    }

    complaint_id = fields.Many2one("autorepair.complaint", readonly=True)
    reported_date = fields.Datetime(string="Reported On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    advisor_id = fields.Many2one("res.users", string="Advisor", readonly=True)
    technician_id = fields.Many2one("res.users", string="Technician", readonly=True)
    user_id = fields.Many2one("res.users", string="Handled By", readonly=True)
    category = fields.Selection(CATEGORIES, readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    severity_id = fields.Many2one("autorepair.complaint.severity", readonly=True)
    is_closed = fields.Boolean(readonly=True)
    is_repeat = fields.Boolean(string="Repeat Complaint", readonly=True)
    nbr = fields.Integer(string="Number of Complaints", readonly=True, aggregator="sum")
    response_hit = fields.Float(string="First Response on Time (%)", readonly=True, aggregator="avg")
    resolution_hit = fields.Float(string="Resolution on Time (%)", readonly=True, aggregator="avg")
    closure_hit = fields.Float(string="Closure Rate (%)", readonly=True, aggregator="avg")
    satisfied = fields.Float(string="Satisfied at Closure (%)", readonly=True, aggregator="avg")

    def _select(self):
        return SQL(
            """
            SELECT c.id, c.id AS complaint_id, c.reported_date, c.company_id, c.partner_id, c.advisor_id,
                   so.technician_id, c.user_id, c.category, c.channel, c.severity_id, c.is_closed, c.is_repeat,
                   1 AS nbr,
                   CASE WHEN c.first_response_date IS NOT NULL
                        THEN CASE WHEN c.first_response_date <= c.first_response_deadline THEN 100 ELSE 0 END
                        WHEN c.first_response_deadline < NOW() AT TIME ZONE 'UTC' THEN 0 END AS response_hit,
                   CASE WHEN c.resolved_date IS NOT NULL
                        THEN CASE WHEN c.resolved_date <= c.resolution_deadline THEN 100 ELSE 0 END
                        WHEN c.resolution_deadline < NOW() AT TIME ZONE 'UTC' THEN 0 END AS resolution_hit,
                   -- RULEBOOK §5: closed / (closed + open for more than the complaint's company's window)
                   CASE WHEN c.is_closed THEN 100
                        WHEN c.reported_date < NOW() AT TIME ZONE 'UTC'
                                               - rc.autorepair_complaint_closure_days * INTERVAL '1 day' THEN 0
                   END AS closure_hit,
                   CASE c.customer_satisfied WHEN 'satisfied' THEN 100 WHEN 'not_satisfied' THEN 0 END AS satisfied
            """
        )

    def _from(self):
        return SQL("""autorepair_complaint c
                      JOIN res_company rc ON rc.id = c.company_id
                 LEFT JOIN autorepair_service_order so ON so.id = c.service_order_id""")

    @property
    def _table_query(self):
        return SQL("%s FROM %s", self._select(), self._from())
