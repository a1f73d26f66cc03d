from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .autorepair_service_report import _report_date, order_selection

BOUNDARY_PARAM = "autorepair_workshop.service_report_month_boundary"
CACHE_TABLE = "autorepair_service_report_month_cache"
# the cache's columns, in the order of the query that adds the orders up
COLUMNS = ("id", "month", "company_id", "currency_id", "advisor_id", "need_type", "state", "is_appointment",
           "nbr", "amount_untaxed", "labour_hours", "actual_hours")


def _local_month(alias):
    """The first day of the month an order counts for, in its company's time
    zone (the partner's, else the working calendar's)."""
    return SQL(
        "date_trunc('month', timezone(COALESCE(company_partner.tz, calendar.tz, 'UTC'), timezone('UTC', %s)))::date",
        _report_date(alias),
    )


class AutorepairServiceReportMonth(models.Model):
    """Workshop figures per month: what the manager reads over a year or more.

    A year of a dealer group is some 300,000 orders, too many to add up at every
    click of a pivot. The months that are over are added up once a night into a
    cache table (a few thousand rows: month x advisor x need x status); the
    current month is added up live from the orders, so today's cars count today.
    """

    _name = "autorepair.service.report.month"
    _description = "Monthly Workshop Figures"
    _auto = False
    _order = "month desc"
    _depends = {
        "autorepair.service.order": [
            "delivered_date", "received_date", "appointment_start", "create_date", "company_id", "advisor_id",
            "need_type", "state", "is_appointment", "amount_untaxed", "labour_hours", "actual_hours",
        ],
    }

    month = fields.Date(readonly=True, help="First day of the month, in the company's time zone.")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    advisor_id = fields.Many2one("res.users", string="Service Advisor", readonly=True)
    need_type = fields.Selection(selection=order_selection("need_type"), string="Need", readonly=True)
    state = fields.Selection(selection=order_selection("state"), string="Status", readonly=True)
    is_appointment = fields.Boolean(string="Booked in Advance", readonly=True)
    nbr = fields.Integer(string="Car Count", readonly=True)
    amount_untaxed = fields.Monetary(string="Revenue", readonly=True, help="Untaxed amount of the orders.")
    # the average of averages is wrong: read_group divides the sums instead
    average_order_value = fields.Monetary(
        aggregator="avg", readonly=True, help="Revenue divided by the car count (ARO, 客单价).")
    labour_hours = fields.Float(string="Billed Hours", readonly=True)
    actual_hours = fields.Float(string="Clocked Hours", readonly=True)

    # ------------------------------------------------------------------ query

    @api.model
    def _aggregate_orders(self, where):
        """Sums of the orders matching ``where``, one row per month and dimension.
        A row's id is the smallest id of its orders: unique, since an order is
        in one row only, with no window function to number the rows."""
        return SQL(
            """
            SELECT MIN(so.id) AS id, %(month)s AS month, so.company_id, company.currency_id, so.advisor_id,
                   so.need_type, so.state, so.is_appointment,
                   count(*) AS nbr, SUM(so.amount_untaxed) AS amount_untaxed,
                   SUM(so.labour_hours) AS labour_hours, SUM(so.actual_hours) AS actual_hours
              FROM autorepair_service_order so
              JOIN res_company company ON company.id = so.company_id
              JOIN res_partner company_partner ON company_partner.id = company.partner_id
              LEFT JOIN resource_calendar calendar ON calendar.id = company.resource_calendar_id
             WHERE so.state != 'cancel' AND %(where)s
             GROUP BY 2, 3, 4, 5, 6, 7, 8
            """,
            month=_local_month("so"), where=where,
        )

    @property
    def _table_query(self):
        boundary = self._boundary()
        if boundary:
            # a day of margin for the time zones keeps the index on the order date usable
            live = self._aggregate_orders(SQL(
                "%s >= %s AND %s >= %s",
                _report_date("so"), boundary - timedelta(days=1), _local_month("so"), boundary,
            ))
            rows = SQL("SELECT %s FROM %s UNION ALL (%s)", SQL(", ").join(SQL.identifier(name) for name in COLUMNS),
                       SQL.identifier(CACHE_TABLE), live)
        else:
            rows = self._aggregate_orders(SQL("TRUE"))
        # no window function above the union: the pivot's filters reach the cache
        # and the orders, and PostgreSQL estimates them from their statistics
        return SQL("SELECT data.*, data.amount_untaxed / NULLIF(data.nbr, 0) AS average_order_value FROM (%s) data",
                   rows)

    def _boundary(self):
        """The first month not in the cache, or None before the first refresh."""
        value = self.env["ir.config_parameter"].sudo().get_param(BOUNDARY_PARAM)
        return fields.Date.to_date(value) if value else None

    def init(self):
        self.env.cr.execute(SQL(
            """
            CREATE TABLE IF NOT EXISTS %s (
                id integer PRIMARY KEY, month date NOT NULL, company_id integer NOT NULL, currency_id integer,
                advisor_id integer, need_type varchar, state varchar, is_appointment boolean, nbr integer,
                amount_untaxed numeric, labour_hours double precision, actual_hours double precision
            )
            """,
            SQL.identifier(CACHE_TABLE),
        ))

    # ---------------------------------------------------------------- refresh

    @api.model
    def _refresh_cache(self):
        """Add up again every month before the current one. The cache is rebuilt
        whole: a late settlement or a corrected order of a past month is counted
        on the next night, and the readers see the old rows until the commit."""
        today = fields.Date.context_today(self)
        boundary = today.replace(day=1)
        self.env.flush_all()
        self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(CACHE_TABLE)))
        self.env.cr.execute(SQL(
            "INSERT INTO %s (%s) %s",
            SQL.identifier(CACHE_TABLE),
            SQL(", ").join(SQL.identifier(name) for name in COLUMNS),
            self._aggregate_orders(SQL("%s < %s", _local_month("so"), boundary)),
        ))
        self.env["ir.config_parameter"].sudo().set_param(BOUNDARY_PARAM, fields.Date.to_string(boundary))
        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(CACHE_TABLE)))

    # ------------------------------------------------------------------- read

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """The average order value of a group is its revenue over its car count."""
        names = {spec.split(":")[0] for spec in fields}
        if "average_order_value" not in names:
            return super().read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
        extra = [spec for spec in ("amount_untaxed:sum", "nbr:sum") if spec.split(":")[0] not in names]
        groups = super().read_group(domain, [*fields, *extra], groupby, offset=offset, limit=limit,
                                    orderby=orderby, lazy=lazy)
        for group in groups:
            group["average_order_value"] = (group["amount_untaxed"] or 0.0) / group["nbr"] if group["nbr"] else 0.0
            for spec in extra:
                group.pop(spec.split(":")[0])
        return groups
