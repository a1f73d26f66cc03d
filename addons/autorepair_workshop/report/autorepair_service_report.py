from odoo import fields, models, tools
from odoo.tools import SQL

# the day an order counts for: delivery, or for a car not yet delivered the day
# it came in or was booked for
DATE_COLUMNS = ("delivered_date", "received_date", "appointment_start", "create_date")
REPORT_DATE_INDEX = "autorepair_service_order_report_date_idx"


def order_selection(name):
    """The choices of a selection field of the orders, for a report's column."""
    def selection(model):
        return model.env["autorepair.service.order"]._fields[name]._description_selection(model.env)
    return selection


def _report_date(alias=None):
    columns = [SQL.identifier(alias, name) if alias else SQL.identifier(name) for name in DATE_COLUMNS]
    return SQL("COALESCE(%s)", SQL(", ").join(columns))


class AutorepairServiceReport(models.Model):
    """Workshop analysis: one row per service order, so that a count of rows is
    the car count (台次) and an average of the revenue is the average repair
    order value (客单价, ARO = revenue / car count)."""

    _name = "autorepair.service.report"
    _description = "Workshop Analysis"
    _auto = False
    _rec_name = "name"
    _order = "date desc"
    # flushed before the view is read
    _depends = {
        "autorepair.service.order": [
            "name", "delivered_date", "received_date", "appointment_start", "create_date", "company_id",
            "advisor_id", "technician_id", "need_type", "state", "partner_id", "vehicle_id", "is_appointment",
            "amount_untaxed", "labour_hours", "actual_hours",
        ],
        "res.company": ["currency_id"],
    }

    order_id = fields.Many2one("autorepair.service.order", string="Service Order", readonly=True)
    name = fields.Char(string="Order Number", readonly=True)
    date = fields.Datetime(
        readonly=True,
        help="Delivery date; for a car not yet delivered, the date it was received or booked for.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    advisor_id = fields.Many2one("res.users", string="Service Advisor", readonly=True)
    technician_id = fields.Many2one("res.users", string="Technician", readonly=True)
    need_type = fields.Selection(selection=order_selection("need_type"), string="Need", readonly=True)
    state = fields.Selection(selection=order_selection("state"), string="Status", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    vehicle_id = fields.Many2one("fleet.vehicle", string="Vehicle", readonly=True)
    is_appointment = fields.Boolean(string="Booked in Advance", readonly=True)
    amount_untaxed = fields.Monetary(string="Revenue", readonly=True, help="Untaxed amount of the order.")
    average_order_value = fields.Monetary(
        aggregator="avg", readonly=True,
        help="Revenue divided by the car count (ARO, 客单价).",
    )
    labour_hours = fields.Float(string="Billed Hours", readonly=True)
    actual_hours = fields.Float(string="Clocked Hours", readonly=True)
    nbr = fields.Integer(string="Car Count", readonly=True)

    # The order's stored totals are read as they are: the rules of what a line
    # adds to the revenue (declined, warranty, goodwill) stay in one place, and
    # one row per order needs no GROUP BY.
    def _select(self):
        return SQL("""
            so.id AS id,
            so.id AS order_id,
            so.name AS name,
            %s AS date,
            so.company_id AS company_id,
            company.currency_id AS currency_id,
            so.advisor_id AS advisor_id,
            so.technician_id AS technician_id,
            so.need_type AS need_type,
            so.state AS state,
            so.partner_id AS partner_id,
            so.vehicle_id AS vehicle_id,
            so.is_appointment AS is_appointment,
            so.amount_untaxed AS amount_untaxed,
            so.amount_untaxed AS average_order_value,
            so.labour_hours AS labour_hours,
            so.actual_hours AS actual_hours,
            1 AS nbr
        """, _report_date("so"))

    def _from(self):
        return SQL("""
            autorepair_service_order so
            JOIN res_company company ON company.id = so.company_id
        """)

    def _where(self):
        # a cancelled order brought no car into the workshop
        return SQL("so.state != 'cancel'")

    def _query(self):
        return SQL("SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where())

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
        # The pivot filters on a period: with an index on the very expression of
        # the view's date, a month out of 1,000,000 orders is read through the
        # index, and PostgreSQL keeps statistics on the expression to plan the
        # grouping (gathered now: autovacuum may analyse a large table late).
        if not tools.index_exists(self.env.cr, REPORT_DATE_INDEX):
            tools.create_index(self.env.cr, REPORT_DATE_INDEX, "autorepair_service_order", [f"({_report_date().code})"])
            self.env.cr.execute("ANALYZE autorepair_service_order")

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "autorepair.service.order",
            "res_id": self.order_id.id,
            "views": [[False, "form"]],
        }
