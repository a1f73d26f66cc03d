"""Service-order benchmark of autorepair_workshop at the size of a dealer group.

On the foundation data of benchmark_foundation.py (200,000 customers, 250,000
vehicles, 2,000,000 odometer readings, 600,000 posted invoices), adds three
years of workshop history: 1,000,000 service orders with about 4 lines each,
their quotes and the technicians' time logs, then times what the workshop
does all day:

* the first page of the workshop kanban (the columns of the cars in the
  workshop and the first cards of each), target under 300 ms;
* the pivot by month and advisor, target under 300 ms: the workshop
  analysis (one row per order) with its default filters, delivered this
  month; the monthly figures (past months added up by a nightly cron, the
  current month live) over this year and all three years; and, for
  comparison, the per-order analysis over this year. The nightly refresh
  of the monthly figures is timed too;
* the settlement of 1,000 checked orders in one batch (invoices created
  and posted), target at least 50 orders a second.

A figure that misses its target is printed with what explains it: the
PostgreSQL plans of the slowest queries, or the profile of the batch.

Run from the repository root (it is not a test; nothing here runs in CI):

    python3 tests/benchmark_service_orders.py [--db autorepair_bench_orders] [--keep]

Every other option is benchmark_foundation.py's (sizes of the foundation data,
--db-host and the like, --keep). The database is dropped and rebuilt unless
--keep is given; with --keep, data already generated is reused. The settlement
is rolled back at the end, so that a database kept runs the same benchmark again.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import re
import statistics
import threading
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager

import benchmark_foundation as foundation
import pytz
from dateutil.relativedelta import relativedelta
from lxml import etree

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, config
from odoo.tools.safe_eval import safe_eval

DEFAULT_DB = "autorepair_bench_orders"
TARGET_PAGE_MS = 300
TARGET_INVOICE_RATE = 50  # orders a second
PROFILE_BATCH = 200
KANBAN_LIMIT = 40  # cards per column: the limit of Odoo 18's kanban controller
TZ = "Asia/Shanghai"
DAYS = 3 * 365
# of the orders, the newest: cars in the workshop, and cars checked and waiting
# for the cashier (a month-end batch of fleet and insurance accounts); the rest is history
# settlement before release: the checked cars the cashier settles
TO_SETTLE = [("state", "=", "ready"), ("settled_date", "=", False)]
OPEN_SHARE = 0.005
DELIVERED_SHARE = 0.002
CANCEL_SHARE = 0.03
LABOUR = (
    "更换机油机滤", "四轮定位", "更换刹车片", "空调检修", "发动机故障诊断", "更换正时皮带", "底盘检查", "更换火花塞",
)
PARTS = ("机油", "机油滤清器", "空气滤清器", "刹车片", "火花塞", "雨刮片", "蓄电池", "轮胎")
OTHERS = ("洗车", "检测费", "材料费")
LOADED_TABLES = (
    "autorepair_service_order", "autorepair_service_order_line", "autorepair_service_quote",
    "autorepair_work_log", "account_tax_autorepair_service_order_line_rel",
)
# what the kanban card shows (autorepair_service_order_view_kanban), as its
# fields are asked by the web client
DISPLAY = {"fields": {"display_name": {}}}
KANBAN_SPEC = {
    "state": {}, "currency_id": DISPLAY, "license_plate": {}, "is_appointment": {}, "vehicle_id": DISPLAY,
    "partner_id": DISPLAY, "need_type": {}, "amount_total": {}, "activity_ids": {},
    "activity_exception_decoration": {}, "activity_exception_icon": {}, "activity_state": {},
    "activity_summary": {}, "activity_type_icon": {}, "activity_type_id": DISPLAY,
    "technician_id": DISPLAY, "advisor_id": DISPLAY,
}
PIVOT_MEASURES = ["__count", "nbr:sum", "amount_untaxed:sum", "average_order_value:avg", "labour_hours:sum"]
MONTHLY = ("autorepair.service.report.month", "month")  # the monthly figures' model and date
# what a settlement writes: vacuumed before each timed settlement, so that the
# dead rows of the run rolled back before it do not slow the next one
SETTLEMENT_TABLES = ("account_move, account_move_line, autorepair_service_order, mail_message, mail_followers, "
                     "mail_tracking_value, mail_activity, res_partner")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog="Any other option is passed to benchmark_foundation.py's parser.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--db", default=DEFAULT_DB, help="database to (re)build")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--advisors", type=int, default=30)
    parser.add_argument("--technicians", type=int, default=60)
    parser.add_argument("--invoice-batch", type=int, default=1000, help="checked orders settled in one batch")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each page (the median is kept)")
    own, rest = parser.parse_known_args(argv)
    args = foundation.parse_args([*rest, "--db", own.db])
    vars(args).update(vars(own))
    if min(args.advisors, args.technicians, args.invoice_batch, args.runs) < 1:
        parser.error("--advisors, --technicians, --invoice-batch and --runs must be at least 1")
    if args.orders * (1 - OPEN_SHARE) < 2 * max(args.invoice_batch, args.orders * DELIVERED_SHARE):
        parser.error("--orders is too small for the orders to settle of --invoice-batch")
    return args


# --------------------------------------------------------------- generation


def make_users(env, prefix, count, group):
    company = env.ref("base.main_company")
    return env["res.users"].with_context(no_reset_password=True, tracking_disable=True).create([
        {"name": f"{prefix.title()} {i:02d}", "login": f"bench_{prefix}_{i:02d}", "tz": TZ,
         "groups_id": [(6, 0, [env.ref(group).id])], "company_id": company.id, "company_ids": [(6, 0, company.ids)]}
        for i in range(1, count + 1)
    ])


def bench_users(env):
    Users = env["res.users"]
    return {role: Users.search([("login", "=like", f"bench_{role}_%")], order="login")
            for role in ("advisor", "technician", "manager")}


def reference_data(env, args):
    """Staff, makers that pay the warranty, and the rows the ORM writes for an
    order and its line (the generated rows copy their other columns), made in
    a savepoint rolled back at once, like foundation.orm_row."""
    make_users(env, "advisor", args.advisors, "autorepair_workshop.group_advisor")
    make_users(env, "technician", args.technicians, "autorepair_workshop.group_technician")
    make_users(env, "manager", 1, "autorepair_crm.group_manager")
    for brand in env["fleet.vehicle.model.brand"].search([("warranty_partner_id", "=", False)]):
        brand.warranty_partner_id = env["res.partner"].create({"name": f"{brand.name} 厂家索赔", "is_company": True})
    vehicle = env["fleet.vehicle"].search([("owner_id", "!=", False)], limit=1)
    savepoint = env.cr.savepoint()
    order = env["autorepair.service.order"].with_context(tracking_disable=True).create({
        "vehicle_id": vehicle.id, "need_type": "repair",
    })
    line = env["autorepair.service.order.line"].create({
        "order_id": order.id, "line_type": "labour", "name": LABOUR[0], "quantity": 1,
    })
    env.flush_all()
    rows = {}
    for record in (order, line):
        env.cr.execute(SQL("SELECT * FROM %s WHERE id = %s", SQL.identifier(record._table), record.id))
        rows[record._name] = env.cr.dictfetchone()
    taxes = line.tax_ids
    ref = {
        "order_row": rows[order._name], "line_row": rows[line._name], "users": bench_users(env),
        "company_id": order.company_id.id,
        "labour_rate": line.price_unit,  # the rate the line's own compute found
        "tax_ids": taxes.ids,
        "tax_rate": sum(taxes.filtered(lambda tax: tax.amount_type == "percent").mapped("amount")) / 100,
        "products": {line_type: product.id for line_type, product in line._default_products().items()},
    }
    savepoint.close(rollback=True)
    env.invalidate_all(flush=False)
    return ref


def create_orders_table(env, args, ref):
    """One row per order, its state, dates and people drawn at random (seeded);
    the newest orders are the cars in the workshop."""
    cr = env.cr
    cr.execute("""
        CREATE TEMP TABLE bench_vehicle ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY v.id))::int - 1 AS idx, v.id, v.owner_id, v.license_plate,
               v.odometer, p.name AS owner_name
          FROM fleet_vehicle v JOIN res_partner p ON p.id = v.owner_id
    """)
    cr.execute("CREATE UNIQUE INDEX ON bench_vehicle (idx)")
    cr.execute("ANALYZE bench_vehicle")
    cr.execute("SELECT count(*) FROM bench_vehicle")
    vehicles = cr.fetchone()[0]
    open_count = round(args.orders * OPEN_SHARE)
    historic = args.orders - open_count
    cr.execute("SELECT setseed(0.2025)")
    cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_order ON COMMIT DROP AS
        WITH drawn AS MATERIALIZED (
            SELECT g, random() AS r_state, random() AS r_vehicle, random() AS r_advisor, random() AS r_tech,
                   random() AS r_need, random() AS r_booked, random() AS r_time, random() AS r_hour,
                   random() AS r_stay, random() AS r_lines, random() AS r_source, random() AS r_fuel
              FROM generate_series(0, %(last)s) AS g
        ), stated AS (
            SELECT d.*,
                   CASE WHEN g >= %(historic)s THEN
                            CASE WHEN r_state < 0.30 THEN 'draft' WHEN r_state < 0.40 THEN 'received'
                                 WHEN r_state < 0.50 THEN 'quoted' WHEN r_state < 0.60 THEN 'approved'
                                 WHEN r_state < 0.85 THEN 'in_progress' WHEN r_state < 0.90 THEN 'qc'
                                 ELSE 'ready' END
                        WHEN g >= %(historic)s - %(delivered)s THEN 'ready'
                        WHEN r_state < %(cancel)s THEN 'cancel'
                        ELSE 'done' END AS state,
                   -- history: business hours (08:30-17:00 in Beijing) of the last three years, up to
                   -- yesterday; the cars in the workshop came in over the last day and a half, two
                   -- hours ago at the latest (their quote sent and decided since, none in the future)
                   CASE WHEN g >= %(historic)s
                        THEN now() AT TIME ZONE 'UTC' - interval '2 hours' - r_time * interval '34 hours'
                        ELSE (CURRENT_DATE - %(days)s + floor((g + r_time) / %(historic)s * %(days)s)::int)
                             + interval '30 minutes' + r_hour * interval '510 minutes'
                   END AS visit
              FROM drawn d
        ), booked AS (
            SELECT s.*,
                   CASE WHEN state = 'draft'
                        THEN CURRENT_DATE + (1 + floor(r_time * 7))::int + (1 + floor(r_hour * 8)) * interval '1 hour'
                        WHEN r_booked < 0.4 THEN date_trunc('hour', visit)
                   END AS appointment_start,
                   CASE WHEN state IN ('delivered', 'done')
                        THEN LEAST(now() AT TIME ZONE 'UTC', visit + (1 + r_stay * r_stay * 30) * interval '1 hour')
                   END AS delivered_date
              FROM stated s
        )
        SELECT nextval('autorepair_service_order_id_seq')::int AS id,
               'WT' || to_char(COALESCE(appointment_start, visit), 'YYYYMM') || '-' || lpad((g + 1)::text, 7, '0')
                   AS name,
               state, v.id AS vehicle_id, v.owner_id AS partner_id, v.owner_name, v.license_plate,
               (%(advisors)s::int[])[1 + floor(r_advisor * %(advisor_count)s)::int] AS advisor_id,
               (%(technicians)s::int[])[1 + floor(r_tech * %(technician_count)s)::int] AS technician_id,
               CASE WHEN r_need < 0.08 THEN 'first_maintenance' WHEN r_need < 0.60 THEN 'periodic_maintenance'
                    WHEN r_need < 0.92 THEN 'repair' ELSE 'extra' END AS need_type,
               CASE WHEN appointment_start IS NULL THEN 'walk_in'
                    ELSE (ARRAY['phone', 'wechat', 'app'])[1 + floor(r_source * 3)::int] END AS source,
               appointment_start IS NOT NULL AS is_appointment,
               appointment_start, appointment_start + interval '1 hour' AS appointment_end,
               CASE WHEN state <> 'draft' THEN visit END AS received_date,
               state <> 'draft' AS identity_checked,
               CASE WHEN state <> 'draft' THEN 'driving_licence' END AS identity_document,
               CASE WHEN state <> 'draft'
                    THEN round(v.odometer * GREATEST(0.2, 1 - extract(epoch FROM now() AT TIME ZONE 'UTC' - visit)
                                                          / (1200 * 86400)))
               END AS odometer_in,
               CASE WHEN state <> 'draft' THEN (ARRAY['25', '50', '75', '100'])[1 + floor(r_fuel * 4)::int] END
                   AS fuel_level,
               delivered_date,
               delivered_date::date + 180 AS next_service_date,
               CASE WHEN delivered_date IS NOT NULL THEN round(v.odometer) + 5000 END AS next_service_km,
               delivered_date IS NOT NULL AS old_parts_offered,
               CASE WHEN state = 'done' THEN 'paid' ELSE 'not_invoiced' END AS payment_state,
               CASE WHEN state = 'draft' THEN 0 ELSE 2 + floor(r_lines * 5)::int END AS line_count,
               CASE WHEN state <> 'draft' THEN nextval('autorepair_service_quote_id_seq')::int END AS quote_id,
               CASE state WHEN 'received' THEN 'draft' WHEN 'quoted' THEN 'sent' ELSE 'decided' END AS quote_state,
               visit > now() AT TIME ZONE 'UTC' - interval '90 days' AS recent,
               LEAST(now() AT TIME ZONE 'UTC', COALESCE(appointment_start - interval '2 days', visit))
                   AS create_date,
               COALESCE(delivered_date, visit) AS write_date
          FROM booked b
          JOIN bench_vehicle v ON v.idx = floor(b.r_vehicle * %(vehicles)s)::int
        """,
        last=args.orders - 1,
        historic=historic,
        delivered=max(args.invoice_batch, round(args.orders * DELIVERED_SHARE)),
        cancel=CANCEL_SHARE,
        days=DAYS,
        advisors=ref["users"]["advisor"].ids,
        advisor_count=len(ref["users"]["advisor"]),
        technicians=ref["users"]["technician"].ids,
        technician_count=len(ref["users"]["technician"]),
        vehicles=vehicles,
    ))
    cr.execute("ANALYZE bench_order")


def create_lines_table(env, ref):
    """About 4 lines an order, priced and decided by the rules of the line model:
    declined, deferred and warranty lines add nothing, goodwill is free, the
    alternative is charged at its own price, a pending line counts while the
    quote is open."""
    env.cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_line ON COMMIT DROP AS
        WITH drawn AS MATERIALIZED (
            SELECT o.id AS order_id, o.quote_id, o.quote_state, o.state, o.vehicle_id, o.technician_id,
                   o.received_date, o.recent, o.advisor_id, n AS sequence,
                   random() AS r_type, random() AS r_qty, random() AS r_price, random() AS r_decision,
                   random() AS r_bill, random() AS r_work, random() AS r_name, random() AS r_oem, random() AS r_rec
              FROM bench_order o, generate_series(1, o.line_count) AS n
        ), typed AS (
            SELECT d.*,
                   CASE WHEN sequence = 1 OR r_type < 0.35 THEN 'labour' WHEN r_type < 0.9 THEN 'part'
                        ELSE 'other' END AS line_type
              FROM drawn d
        ), decided AS (
            SELECT t.*,
                   CASE WHEN state = 'cancel' THEN 'declined'
                        WHEN quote_state <> 'decided' THEN 'pending'
                        WHEN sequence = 1 OR r_decision < 0.85 THEN 'approved'
                        WHEN r_decision < 0.88 AND line_type = 'part' THEN 'alternative'
                        WHEN r_decision < 0.95 THEN 'declined'
                        ELSE 'deferred' END AS decision,
                   CASE WHEN r_bill < 0.06 THEN 'warranty' WHEN r_bill < 0.08 THEN 'goodwill'
                        ELSE 'customer' END AS bill_to,
                   CASE line_type WHEN 'labour' THEN round((0.3 + r_qty * 3)::numeric, 1)
                                  WHEN 'part' THEN 1 + floor(r_qty * 4)::numeric ELSE 1 END AS quantity,
                   CASE line_type WHEN 'labour' THEN %(rate)s::numeric
                                  WHEN 'part' THEN round((30 + r_price ^ 2 * 2500)::numeric)
                                  ELSE round((20 + r_price * 180)::numeric) END AS price_unit
              FROM typed t
        ), worked AS (
            SELECT d.*, decision IN ('approved', 'alternative') AS is_approved,
                   CASE WHEN decision = 'alternative' THEN round(price_unit * 0.6, 2) END AS alt_price_unit,
                   CASE WHEN line_type <> 'labour' OR decision NOT IN ('approved', 'alternative')
                             OR state IN ('draft', 'received', 'quoted', 'approved', 'cancel') THEN 'todo'
                        WHEN state = 'in_progress' AND r_work < 0.5 THEN 'running'
                        ELSE 'done' END AS work_state
              FROM decided d
        ), priced AS (
            SELECT w.*,
                   CASE WHEN decision IN ('declined', 'deferred') OR bill_to IN ('warranty', 'goodwill') THEN 0
                        ELSE COALESCE(alt_price_unit, price_unit) * quantity END AS price_subtotal
              FROM worked w
        )
        SELECT nextval('autorepair_service_order_line_id_seq')::int AS id, p.*,
               %(products)s::jsonb ->> line_type AS product_id,
               CASE line_type
                    WHEN 'labour' THEN (%(labour)s::varchar[])[1 + floor(r_name * %(labour_count)s)::int]
                    WHEN 'part' THEN (%(parts)s::varchar[])[1 + floor(r_name * %(part_count)s)::int]
                    ELSE (%(others)s::varchar[])[1 + floor(r_name * %(other_count)s)::int]
               END AS name,
               CASE WHEN line_type = 'part' THEN 'P' || lpad(floor(r_name * 1000000)::text, 6, '0') END
                   AS part_number,
               line_type = 'part' AND r_oem < 0.8 AS is_oem,
               CASE WHEN decision = 'alternative' THEN 'aftermarket' END AS alt_type,
               CASE WHEN decision = 'alternative' THEN '品牌副厂件' END AS alt_description,
               CASE WHEN decision = 'alternative' THEN '质保期一年' END AS risk_note,
               CASE WHEN decision <> 'pending' THEN received_date + interval '1 hour' END AS decided_on,
               round(price_subtotal * %(tax_rate)s::numeric, 2) AS price_tax,
               price_subtotal + round(price_subtotal * %(tax_rate)s::numeric, 2) AS price_total,
               CASE WHEN line_type = 'labour' THEN technician_id END AS line_technician_id,
               CASE WHEN work_state = 'done' THEN round((quantity * (0.7 + r_work * 0.6))::numeric, 2)::float
                    ELSE 0 END AS actual_hours,
               CASE WHEN line_type = 'part' AND is_approved
                         AND state IN ('in_progress', 'qc', 'ready', 'delivered', 'done')
                    THEN quantity ELSE 0 END AS qty_issued,
               CASE WHEN decision IN ('declined', 'deferred') AND state <> 'cancel' THEN
                         CASE WHEN recent THEN 'open' WHEN r_rec < 0.5 THEN 'done' ELSE 'dropped' END
               END AS recommendation_state,
               COALESCE(received_date, now() AT TIME ZONE 'UTC') AS create_date
          FROM priced p
        """,
        rate=ref["labour_rate"],
        tax_rate=ref["tax_rate"],
        products=json.dumps(ref["products"]),
        labour=list(LABOUR), labour_count=len(LABOUR),
        parts=list(PARTS), part_count=len(PARTS),
        others=list(OTHERS), other_count=len(OTHERS),
    ))
    env.cr.execute("ANALYZE bench_line")


ORDER_COLUMNS = [
    "id", "name", "state", "partner_id", "vehicle_id", "license_plate", "advisor_id", "technician_id",
    "need_type", "source", "is_appointment", "appointment_start", "appointment_end", "received_date",
    "identity_checked", "identity_document", "odometer_in", "fuel_level", "amount_untaxed", "amount_tax",
    "amount_total", "approved_amount", "labour_hours", "actual_hours", "delivered_date", "next_service_date",
    "next_service_km", "old_parts_offered", "payment_state", "occupation_start", "occupation_end",
    "occupation_hours", "create_uid", "create_date", "write_uid", "write_date",
]
LINE_COLUMNS = [
    "id", "order_id", "quote_id", "vehicle_id", "sequence", "line_type", "product_id", "name", "part_number",
    "is_oem", "quantity", "price_unit", "bill_to", "alt_type", "alt_description", "alt_price_unit", "risk_note",
    "decision", "is_approved", "decided_on", "price_subtotal", "price_tax", "price_total", "technician_id",
    "work_state", "actual_hours", "qty_issued", "recommendation_state", "create_uid", "create_date", "write_uid",
    "write_date",
]


def insert_rows(env, ref):
    from odoo.addons.autorepair_workshop.models.autorepair_service_order import NOT_PLANNED  # noqa: PLC0415
    cr = env.cr
    default_hours = env.company._autorepair_workshop_setting("appointment_default_hours")
    # the order's stored totals, from its lines as its computes add them up, and the
    # time it holds its technician (``_compute_occupation``): its booking, else from
    # its arrival for its planned labour (a copied value would book every car at once)
    orders = SQL("""(
        SELECT o.*, o.advisor_id AS create_uid, o.advisor_id AS write_uid,
               COALESCE(t.amount_untaxed, 0) AS amount_untaxed, COALESCE(t.amount_tax, 0) AS amount_tax,
               COALESCE(t.amount_total, 0) AS amount_total, COALESCE(t.approved_amount, 0) AS approved_amount,
               COALESCE(t.labour_hours, 0) AS labour_hours, COALESCE(t.actual_hours, 0) AS actual_hours,
               h.occupation_start, h.occupation_start + h.hours * interval '1 hour' AS occupation_end,
               h.hours AS occupation_hours
          FROM bench_order o
          LEFT JOIN (SELECT order_id, sum(price_subtotal) AS amount_untaxed, sum(price_tax) AS amount_tax,
                            sum(price_total) AS amount_total,
                            sum(price_total) FILTER (WHERE is_approved) AS approved_amount,
                            sum(quantity) FILTER (WHERE line_type = 'labour' AND is_approved) AS labour_hours,
                            sum(actual_hours) FILTER (WHERE line_type = 'labour' AND is_approved) AS actual_hours,
                            sum(quantity) FILTER (WHERE line_type = 'labour' AND decision NOT IN %(not_planned)s)
                                AS planned_hours
                       FROM bench_line GROUP BY order_id) t ON t.order_id = o.id
          CROSS JOIN LATERAL (
              SELECT COALESCE(o.appointment_start, o.received_date, o.create_date) AS occupation_start,
                     CASE WHEN o.appointment_start IS NOT NULL
                          THEN extract(epoch FROM o.appointment_end - o.appointment_start) / 3600
                          ELSE COALESCE(NULLIF(t.planned_hours, 0), %(default_hours)s) END::float AS hours
          ) h
    )""", not_planned=NOT_PLANNED, default_hours=default_hours)
    foundation.insert_like(cr, "autorepair_service_order", ref["order_row"], orders, ORDER_COLUMNS)
    cr.execute(SQL(
        """INSERT INTO autorepair_service_quote
                (id, order_id, company_id, sequence, state, approval_channel, signed_by, approved_amount,
                 sent_on, decided_on, create_uid, create_date, write_uid, write_date)
           SELECT o.quote_id, o.id, %(company)s, 1, o.quote_state,
                  CASE WHEN o.quote_state = 'decided' THEN 'desk' END,
                  CASE WHEN o.quote_state = 'decided' THEN o.owner_name END,
                  CASE WHEN o.quote_state = 'decided' THEN t.approved END,
                  CASE WHEN o.quote_state <> 'draft' THEN o.received_date + interval '30 minutes' END,
                  CASE WHEN o.quote_state = 'decided' THEN o.received_date + interval '1 hour' END,
                  o.advisor_id, o.received_date, o.advisor_id, o.received_date
             FROM bench_order o
             JOIN (SELECT order_id, COALESCE(sum(price_total) FILTER (WHERE is_approved), 0) AS approved
                     FROM bench_line GROUP BY order_id) t ON t.order_id = o.id""",
        company=ref["company_id"],
    ))
    # insert_like takes the columns by their names
    lines = SQL("""(
        SELECT id, order_id, quote_id, vehicle_id, sequence, line_type, product_id::int AS product_id, name,
               part_number, is_oem, quantity, price_unit, bill_to, alt_type, alt_description, alt_price_unit,
               risk_note, decision, is_approved, decided_on, price_subtotal, price_tax, price_total,
               line_technician_id AS technician_id, work_state, actual_hours, qty_issued, recommendation_state,
               advisor_id AS create_uid, create_date, advisor_id AS write_uid, create_date AS write_date
          FROM bench_line
    )""")
    foundation.insert_like(cr, "autorepair_service_order_line", ref["line_row"], lines, LINE_COLUMNS)
    if ref["tax_ids"]:
        cr.execute(SQL(
            """INSERT INTO account_tax_autorepair_service_order_line_rel
                    (autorepair_service_order_line_id, account_tax_id)
               SELECT l.id, t.tax_id FROM bench_line l, unnest(%s::int[]) AS t(tax_id)""",
            ref["tax_ids"],
        ))
    # one stretch of work per labour line started; a running one is still open
    cr.execute("""
        INSERT INTO autorepair_work_log
                (line_id, order_id, user_id, date_start, date_stop, duration,
                 create_uid, create_date, write_uid, write_date)
        SELECT id, order_id, technician_id, received_date + interval '1 hour',
               CASE WHEN work_state = 'done'
                    THEN received_date + interval '1 hour' + actual_hours * interval '1 hour' END,
               actual_hours, technician_id, received_date, technician_id, received_date
          FROM bench_line WHERE work_state <> 'todo'
    """)


def check_generated(env, samples=300):
    """The generated totals are those the models' own computes find."""
    Order = env["autorepair.service.order"]
    env.cr.execute(SQL(
        "SELECT id FROM autorepair_service_order TABLESAMPLE BERNOULLI (1) REPEATABLE (3)"
        " WHERE state NOT IN ('draft', 'cancel') LIMIT %s", samples,
    ))
    orders = Order.browse([order_id for (order_id,) in env.cr.fetchall()])
    names = ["amount_untaxed", "amount_tax", "amount_total", "labour_hours", "actual_hours", "occupation_hours"]
    stored = {order.id: [order[name] for name in names] for order in orders}
    booked = {order.id: (order.occupation_start, order.occupation_end) for order in orders}
    lines = orders.line_ids
    Line = env["autorepair.service.order.line"]
    for field_name in ("actual_hours", "is_approved", "price_subtotal"):
        Line._fields[field_name].compute_value(lines)
    for field_name in ("amount_untaxed", "labour_hours", "occupation_start"):
        Order._fields[field_name].compute_value(orders)
    differing = [
        (order.name, stored[order.id], [order[name] for name in names])
        for order in orders
        if any(abs(a - b) > 0.005 for a, b in zip(stored[order.id], [order[name] for name in names], strict=True))
    ]
    assert not differing, f"generated totals differ from the computes: {differing[:5]}"
    moved = [order.name for order in orders if booked[order.id] != (order.occupation_start, order.occupation_end)]
    assert not moved, f"generated bookings differ from the computes: {moved[:5]}"
    # every decided order has approved work, none to settle waits for a decision
    env.cr.execute("""
        SELECT count(*) FILTER (WHERE state NOT IN ('received', 'quoted', 'cancel') AND NOT approved),
               count(*) FILTER (WHERE state IN ('ready', 'delivered') AND pending)
          FROM (SELECT o.state, bool_or(l.is_approved) AS approved, bool_or(l.decision = 'pending') AS pending
                  FROM autorepair_service_order o
                  JOIN autorepair_service_order_line l ON l.order_id = o.id
                 GROUP BY o.id, o.state) AS s
    """)
    unapproved, pending_delivered = env.cr.fetchone()
    assert not unapproved and not pending_delivered, (unapproved, pending_delivered)
    print(f"  checks passed: totals of {len(orders)} sampled orders recomputed by the ORM")


def generate_orders(env, args):
    print("Generating service orders", flush=True)
    timings = {}
    cr = env.cr
    with foundation.timed(timings, "users, makers, templates"):
        ref = reference_data(env, args)
    with foundation.timed(timings, "orders and lines, drawn"):
        create_orders_table(env, args, ref)
        create_lines_table(env, ref)
    with foundation.timed(timings, "orders, quotes, lines, time logs"), ExitStack() as stack:
        cr.execute("SET LOCAL maintenance_work_mem = '1GB'")  # faster index builds
        for table in LOADED_TABLES:
            stack.enter_context(foundation.bulk_load(cr, table))
        insert_rows(env, ref)
    with foundation.timed(timings, "ANALYZE"):
        cr.execute(f"ANALYZE {', '.join(LOADED_TABLES)}")
    env.invalidate_all()
    with foundation.timed(timings, "consistency checks"):
        check_generated(env)
    cr.commit()  # only now: a failed generation leaves no partial data
    with foundation.timed(timings, "VACUUM"):
        foundation.vacuum(cr.dbname, ", ".join(LOADED_TABLES))
    return timings


def count_orders(env):
    env.cr.execute("SELECT state, count(*) FROM autorepair_service_order GROUP BY state")
    return dict(env.cr.fetchall())


# ------------------------------------------------------------------ timings


class QueryLog:
    """The queries run by the current thread, with their time (Odoo's own hook)."""

    def __init__(self):
        self.queries = []

    def __call__(self, cr, query, params, start, delay):
        self.queries.append((delay, query, params))

    @contextmanager
    def recording(self):
        thread = threading.current_thread()
        hooks = thread.__dict__.setdefault("query_hooks", [])
        hooks.append(self)
        try:
            yield self
        finally:
            hooks.remove(self)

    def slowest(self, count):
        return sorted(self.queries, key=lambda query: query[0], reverse=True)[:count]

    def by_shape(self, count):
        """Time and number of the queries of each shape (literals stripped)."""
        shapes = defaultdict(lambda: [0, 0.0])
        for delay, query, _params in self.queries:
            text = query.decode() if isinstance(query, bytes) else query
            shape = re.sub(r"\s+", " ", re.sub(r"'[^']*'|\b\d+\b", "?", text))[:160]
            shapes[shape][0] += 1
            shapes[shape][1] += delay
        return sorted(shapes.items(), key=lambda item: item[1][1], reverse=True)[:count]


def explain(cr, query, params):
    text = cr.mogrify(query, params).decode()
    cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {text}")
    return text, "\n".join(line for (line,) in cr.fetchall())


def time_page(env, label, page, runs):
    """Median wall time of ``page`` over ``runs`` runs (after one warm-up) with
    an empty record cache each time, as for every request."""
    page()
    times, queries = [], 0
    for _ in range(runs):
        env.invalidate_all()
        before = env.cr.sql_log_count
        start = time.perf_counter()
        page()
        times.append((time.perf_counter() - start) * 1000)
        queries = env.cr.sql_log_count - before
    median = statistics.median(times)
    result = {"label": label, "median": median, "min": min(times), "max": max(times), "queries": queries,
              "explained": []}
    if median >= TARGET_PAGE_MS:
        env.invalidate_all()
        with QueryLog().recording() as log:
            page()
        for delay, query, params in log.slowest(3):
            if (query.decode() if isinstance(query, bytes) else query).lstrip().upper().startswith("SELECT"):
                result["explained"].append((delay * 1000, *explain(env.cr, query, params)))
    return result


def workshop_domain(env):
    """The domain of the kanban's default filter, as the search view has it."""
    arch = env.ref("autorepair_workshop.autorepair_service_order_view_search").sudo().arch
    return safe_eval(etree.fromstring(arch).find(".//filter[@name='open']").get("domain"), {"uid": env.uid})


def kanban_page(env, domain):
    """The RPCs of the workshop kanban's first page: the columns, then the
    first cards of each column that holds any."""
    Order = env["autorepair.service.order"]
    aggregates = ["amount_total:sum"]  # the card's fields that have an aggregator
    groups = Order.web_read_group(domain, aggregates, ["state"], lazy=True)["groups"]
    for group in groups:
        if group["state_count"]:
            Order.web_search_read(group["__domain"], KANBAN_SPEC, limit=KANBAN_LIMIT)
    return groups


def pivot_domain(env, period):
    """Delivered orders of this month or year in Beijing: the report action's
    default filters are delivered, this month."""
    start, end = period_bounds(env, period)
    start, end = (pytz.timezone(TZ).localize(day).astimezone(pytz.utc).replace(tzinfo=None) for day in (start, end))
    return [("state", "in", ("delivered", "done")), ("date", ">=", start), ("date", "<", end)]


def month_domain(env, period):
    """The same for the monthly figures, whose months are dates."""
    start, end = period_bounds(env, period)
    return [("state", "in", ("delivered", "done")), ("month", ">=", start.date()), ("month", "<", end.date())]


def period_bounds(env, period):
    today = odoo.fields.Date.context_today(env["autorepair.service.report"])
    start = datetime.datetime(today.year, today.month if period == "month" else 1, 1)
    return start, start + relativedelta(**{f"{period}s": 1})


def pivot_read_group(env, domain, model="autorepair.service.report", date_field="date"):
    return env[model].read_group(domain, PIVOT_MEASURES, [f"{date_field}:month", "advisor_id"], lazy=False)


def pivot_page(env, domain):
    """The pivot's RPCs: one read_group per pair of row and column prefixes."""
    Report = env["autorepair.service.report"]
    for rows in ([], ["advisor_id"]):
        for cols in ([], ["date:month"]):
            Report.read_group(domain, PIVOT_MEASURES, rows + cols, lazy=False)


def refresh_month_cache(env):
    """The nightly cron that adds up the months that are over, committed: the
    monthly figures read it."""
    start = time.perf_counter()
    env["autorepair.service.report.month"]._refresh_cache()
    env.cr.commit()
    env.cr.execute("SELECT count(*) FROM autorepair_service_report_month_cache")
    return time.perf_counter() - start, env.cr.fetchone()[0]


def bench_pages(env, runs):
    users = bench_users(env)
    context = {"tz": TZ, "lang": "en_US"}
    advisor = env(user=users["advisor"][0].id, context=context)
    manager = env(user=users["manager"][0].id, context=context)
    workshop = workshop_domain(advisor)
    month, year = pivot_domain(manager, "month"), pivot_domain(manager, "year")
    monthly_year = month_domain(manager, "year")
    delivered = monthly_year[:1]
    return [
        time_page(advisor, "workshop kanban, first page (advisor)", lambda: kanban_page(advisor, workshop), runs),
        time_page(manager, "pivot month x advisor, delivered this month",
                  lambda: pivot_read_group(manager, month), runs),
        time_page(manager, "pivot page (4 read_group), delivered this month",
                  lambda: pivot_page(manager, month), runs),
        time_page(manager, "monthly figures month x advisor, this year",
                  lambda: pivot_read_group(manager, monthly_year, *MONTHLY), runs),
        time_page(manager, "monthly figures month x advisor, 3 years",
                  lambda: pivot_read_group(manager, delivered, *MONTHLY), runs),
        time_page(manager, "(per order) pivot month x advisor, this year",
                  lambda: pivot_read_group(manager, year), runs),
    ]


def bench_invoicing(env, batch):
    """Settle ``batch`` checked orders in one call, as the advisor does; then
    profile it again when it misses its target. Rolled back each time."""
    cr = env.cr
    users = bench_users(env)
    advisor = env(user=users["advisor"][0].id, context={"tz": TZ, "lang": "en_US"})
    Order = advisor["autorepair.service.order"]

    def settle():
        orders = Order.search(TO_SETTLE, order="id", limit=batch)
        assert len(orders) == batch, f"only {len(orders)} orders to settle"
        invoices = orders._create_invoices()
        advisor.flush_all()
        return orders, invoices

    log = QueryLog()
    foundation.vacuum(cr.dbname, SETTLEMENT_TABLES)
    cpu = time.process_time()
    with log.recording(), foundation.measured(cr) as stats:
        orders, invoices = settle()
    stats["cpu_seconds"] = time.process_time() - cpu
    result = {
        "orders": len(orders), "invoices": len(invoices), "lines": len(invoices.invoice_line_ids),
        "posted": set(invoices.mapped("state")) == {"posted"}, "stats": stats,
        "rate": len(orders) / stats["seconds"], "shapes": log.by_shape(12),
    }
    cr.rollback()
    env.invalidate_all()
    result["queued"] = bench_queued_settlement(advisor, batch)
    if result["rate"] < TARGET_INVOICE_RATE:
        # a smaller batch suffices: the cost is per order
        batch = min(batch, PROFILE_BATCH)
        profile = cProfile.Profile()
        profile.enable()
        settle()
        profile.disable()
        cr.rollback()
        env.invalidate_all()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(35)
        result["profile"] = (batch, out.getvalue())
    return result


def bench_queued_settlement(advisor, batch):
    """The same batch as the advisor sends it from the list: queued in the
    request, settled by the scheduler in committed chunks (not committed here:
    rolled back like the rest)."""
    cr = advisor.cr
    foundation.vacuum(cr.dbname, SETTLEMENT_TABLES)
    Order = advisor["autorepair.service.order"]
    orders = Order.search(TO_SETTLE, order="id", limit=batch)
    start = time.perf_counter()
    orders.action_create_invoice()
    advisor.flush_all()
    request = time.perf_counter() - start
    cron = advisor(su=True)["autorepair.service.order"]
    chunks = 0
    start = time.perf_counter()
    while cron.search_count([("settlement_requested_by_id", "!=", False)]):
        cron._cron_settle_queued()
        chunks += 1
    advisor.flush_all()
    seconds = time.perf_counter() - start
    settled = Order.search_count([("id", "in", orders.ids), ("state", "=", "done")])
    cr.rollback()
    advisor.invalidate_all()
    return {"request_ms": request * 1000, "seconds": seconds, "chunks": chunks, "settled": settled,
            "rate": settled / seconds}


# ------------------------------------------------------------------ summary


def print_page(result):
    verdict = foundation.verdict(result["median"] < TARGET_PAGE_MS)
    print(f"  {result['label']:<48} {result['median']:7.1f} ms (min {result['min']:6.1f}, max {result['max']:6.1f},"
          f" {result['queries']:3d} queries)  target <{TARGET_PAGE_MS} ms  {verdict}")


def print_details(pages, invoicing):
    for result in pages:
        for ms, sql, plan in result["explained"]:
            print(f"\n{result['label']}: a slow query ({ms:.1f} ms):\n  {sql}")
            print("    " + plan.replace("\n", "\n    "))
    print(f"\nSettlement of {invoicing['orders']:,} orders: queries by shape (count, seconds)")
    for shape, (count, seconds) in invoicing["shapes"]:
        print(f"  {count:7,d} {seconds:8.2f} s  {shape}")
    if profile := invoicing.get("profile"):
        print(f"\nProfile of the settlement of {profile[0]:,} orders (cumulative):")
        print(profile[1])


def print_summary(args, counts, timings, refresh, pages, invoicing):
    print("\n" + "=" * 100)
    print(f"SUMMARY  database {args.db}: " + ", ".join(f"{count:,} {state}" for state, count in sorted(counts.items())))
    print("=" * 100)
    for part, part_timings in timings.items():
        print(f"Generation: {part}")
        for label, seconds in part_timings.items():
            print(f"  {label:<36} {seconds:8.1f} s")
    # the machine may be shared: a load above its cores slows every figure
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Nightly refresh of the monthly figures: {refresh[0]:.1f} s, {refresh[1]:,} cached rows")
    print(f"Pages, server time, median of {args.runs} runs (load average {load} on {os.cpu_count()} cores)")
    for result in pages:
        print_page(result)
    stats = invoicing["stats"]
    verdict = foundation.verdict(invoicing["rate"] >= TARGET_INVOICE_RATE)
    print(f"Settlement: {invoicing['orders']:,} checked orders in one batch -> {invoicing['invoices']:,} invoices, "
          f"{invoicing['lines']:,} lines, all posted: {'yes' if invoicing['posted'] else 'NO'}")
    print(f"  {stats['seconds']:8.1f} s, {stats['queries']:,} queries, {stats['db_seconds']:.1f} s in PostgreSQL,"
          f" {stats['cpu_seconds']:.1f} s of CPU in Odoo")
    print(f"  {invoicing['rate']:8.1f} orders/s   target >= {TARGET_INVOICE_RATE} orders/s  {verdict}")
    queued = invoicing["queued"]
    print(f"Settlement queued from the list: the request answers in {queued['request_ms']:.0f} ms; the scheduler"
          f" settles {queued['settled']:,} orders in {queued['chunks']} chunks, {queued['seconds']:.1f} s ="
          f" {queued['rate']:.1f} orders/s")


def main(argv=None):
    args = parse_args(argv)
    options = foundation.odoo_options(args)
    config.parse_config(options, setup_logging=True)
    reused = foundation.prepare_database(args, options, module="autorepair_workshop")
    registry = odoo.modules.registry.Registry(args.db)
    timings = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not reused:
            timings["foundation"] = foundation.generate(env, args)
        if not count_orders(env):
            timings["service orders"] = generate_orders(env, args)
        counts = count_orders(env)
        print("Adding up the past months (nightly cron)", flush=True)
        refresh = refresh_month_cache(env)
        print("Timing the pages", flush=True)
        pages = bench_pages(env, args.runs)
        for result in pages:
            print_page(result)
        print("Settling checked orders", flush=True)
        invoicing = bench_invoicing(env, args.invoice_batch)
        print_details(pages, invoicing)
    print_summary(args, counts, timings, refresh, pages, invoicing)


if __name__ == "__main__":
    main()
