"""Monthly close benchmark of autorepair_kpi at the size of a dealer group.

On the foundation data of benchmark_foundation.py (customers, vehicles,
readings, invoices) and the workshop history of benchmark_service_orders.py
(1,000,000 service orders with their lines and time logs), adds what the
staff figures read: 300 staff (advisors, technicians, care agents,
insurance specialists), 500,000 care tasks, follow-up calls on 60% of the
deliveries and 20,000 complaints, all generated set-based. Then it times:

* the bare SQL aggregates of the month: the figures' grouped queries and the
  counted events, nothing else;
* the month close (autorepair.kpi.statement._close_month): the same
  aggregates plus the statements, figures and lines written through the
  ORM, first on an empty month, then recomputing its drafts; target within
  3x of the bare aggregates;
* the Excel export of 100,000 figure rows (xlsxwriter in constant-memory
  mode): its time and its peak memory, traced by tracemalloc and by the
  process's maximum resident size; target under 300 MB.

Run from the repository root (it is not a test; nothing here runs in CI):

    python3 tests/benchmark_kpi.py [--db autorepair_bench_kpi] [--keep]

Every other option is benchmark_service_orders.py's and benchmark_foundation.py's
(sizes, --db-host and the like). The database is dropped and rebuilt unless
--keep is given. The close and the export are rolled back at the end, so that
a database kept runs the same benchmark again.
"""

import argparse
import datetime
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

import benchmark_foundation as foundation
import benchmark_service_orders as service_orders

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, config

DEFAULT_DB = "autorepair_bench_kpi"
TARGET_RATIO = 3.0
TARGET_EXPORT_MB = 300
# care kinds given to the generated tasks, each a rule of autorepair_care
CARE_KINDS = ("first_maintenance", "periodic_maintenance", "insurance", "birthday", "warranty_expiry", "inspection")
LOADED_TABLES = ("autorepair_care_task", "autorepair_followup", "autorepair_complaint", "res_partner")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog="Any other option is passed to benchmark_service_orders.py's parser.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--db", default=DEFAULT_DB, help="database to (re)build")
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--insurers", type=int, default=19)
    parser.add_argument("--tasks", type=int, default=500_000)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    own, rest = parser.parse_known_args(argv)
    # 80 advisors + 100 technicians + 1 manager + the care staff: 300 staff
    defaults = ["--advisors", "80", "--technicians", "100", "--customers", "100000", "--vehicles", "120000",
                "--readings", "240000", "--invoices", "20000"]
    args = service_orders.parse_args([*defaults, *rest, "--db", own.db])
    vars(args).update(vars(own))
    if not args.db.startswith(DEFAULT_DB):
        parser.error(f"--db must start with {DEFAULT_DB!r}: the database is dropped")
    if args.tasks > args.vehicles * len(CARE_KINDS):
        parser.error("--tasks is at most 6 tasks a vehicle")
    return args


def install_kpi(args, options):
    """autorepair_kpi and the addons it reads, on the empty foundation database."""
    print(f"Installing autorepair_kpi into {args.db}", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "odoo", "server", *options, "--init=autorepair_kpi", "--without-demo=all",
         "--stop-after-init", "--no-http"],
        check=True,
    )
    print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)


# --------------------------------------------------------------- generation


def care_staff(env, args):
    service_orders.make_users(env, "agent", args.agents, "autorepair_care.group_care_agent")
    service_orders.make_users(env, "insurer", args.insurers, "autorepair_care.group_insurance")
    Users = env["res.users"]
    return {role: Users.search([("login", "=like", f"bench_{role}_%")], order="login").ids
            for role in ("agent", "insurer", "advisor")}


def insert_tasks(env, args, staff):
    """Task g is about vehicle g mod n and of kind g div n: no two tasks share
    the unique key (rule, vehicle, partner, due date)."""
    cr = env.cr
    rules = [env.ref(f"autorepair_care.rule_{kind}").id for kind in CARE_KINDS]
    vehicle = env["fleet.vehicle"].search([("owner_id", "!=", False)], limit=1)
    template = foundation.orm_row(env, "autorepair.care.task", {
        "rule_id": rules[0], "kind": CARE_KINDS[0], "vehicle_id": vehicle.id, "partner_id": vehicle.owner_id.id,
        "due_date": "2020-01-01", "deadline": "2020-01-10", "user_id": staff["agent"][0],
    })
    cr.execute("""
        CREATE TEMP TABLE kpi_vehicle ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY id))::int - 1 AS idx, id, owner_id
          FROM fleet_vehicle WHERE owner_id IS NOT NULL
    """)
    cr.execute("CREATE UNIQUE INDEX ON kpi_vehicle (idx)")
    cr.execute("SELECT count(*) FROM kpi_vehicle")
    vehicles = cr.fetchone()[0]
    cr.execute("SELECT setseed(0.6)")
    source = SQL(
        """(WITH drawn AS (
               SELECT g, mod(g / %(n)s, 6) AS k, random() AS r_user, random() AS r_day, random() AS r_state,
                      random() AS r_done
                 FROM generate_series(0, %(last)s) AS g)
            SELECT (%(rules)s::int[])[k + 1] AS rule_id, (%(kinds)s::varchar[])[k + 1] AS kind,
                   v.id AS vehicle_id, v.owner_id AS partner_id,
                   CASE WHEN k = 2 THEN (%(insurers)s::int[])[1 + floor(r_user * %(n_insurers)s)::int]
                        ELSE (%(agents)s::int[])[1 + floor(r_user * %(n_agents)s)::int] END AS user_id,
                   current_date - floor(r_day * 730)::int AS due_date,
                   current_date - floor(r_day * 730)::int + 10 AS deadline,
                   CASE WHEN r_state < 0.45 THEN 'reminded' WHEN r_state < 0.65 THEN 'returned'
                        WHEN r_state < 0.75 THEN 'booked' WHEN r_state < 0.90 THEN 'failed'
                        WHEN r_state < 0.97 THEN 'open' ELSE 'cancel' END AS state,
                   CASE WHEN r_state >= 0.75 AND r_state < 0.90 THEN
                        CASE WHEN r_state < 0.82 THEN 'expired' ELSE 'unreachable' END END AS failure_reason,
                   CASE WHEN r_state >= 0.86 AND r_state < 0.90 THEN 'queued' END AS message_state,
                   -- closed within two days of the due date, open tasks not yet
                   CASE WHEN r_state < 0.90 OR r_state >= 0.97 THEN
                        (current_date - floor(r_day * 730)::int) + make_interval(hours => floor(r_done * 48)::int)
                        END AS done_date
              FROM drawn JOIN kpi_vehicle v ON v.idx = mod(g, %(n)s))""",
        n=vehicles, last=args.tasks - 1, rules=rules, kinds=list(CARE_KINDS), insurers=staff["insurer"],
        n_insurers=len(staff["insurer"]), agents=staff["agent"], n_agents=len(staff["agent"]),
    )
    columns = ["rule_id", "kind", "vehicle_id", "partner_id", "user_id", "due_date", "deadline", "state",
               "failure_reason", "message_state", "done_date"]
    for column in ("to_schedule", "next_call_date", "attempt_deadline"):
        template[column] = None  # generated history: nothing left to schedule
    return foundation.insert_like(cr, "autorepair_care_task", template, source, columns)


def insert_followups(env, staff):
    """A follow-up call on 60% of the deliveries, half of them within a day."""
    cr = env.cr
    cr.execute(SQL(
        "UPDATE res_partner SET care_agent_id = (%s::int[])[1 + mod(id, %s)] WHERE is_autorepair_customer",
        staff["agent"], len(staff["agent"])))
    order = env["autorepair.service.order"].search([("state", "in", ("delivered", "done"))], limit=1)
    template = foundation.orm_row(env, "autorepair.followup", {
        "order_id": order.id, "agent_id": staff["agent"][0], "score_attitude": "5", "score_quality": "5",
        "score_transparency": "5"})
    cr.execute("SELECT setseed(0.7)")
    source = SQL("""(
        SELECT o.id AS order_id, o.company_id, o.partner_id, o.vehicle_id, o.advisor_id,
               COALESCE(p.care_agent_id, o.advisor_id) AS agent_id,
               o.delivered_date + make_interval(hours => floor(random() * 48)::int) AS date,
               s.a::varchar AS score_attitude, s.q::varchar AS score_quality, s.t::varchar AS score_transparency,
               (s.a + s.q + s.t) / 3.0 * 20 AS csi, least(s.a, s.q, s.t) <= 2 AS is_low
          FROM autorepair_service_order o
          JOIN res_partner p ON p.id = o.partner_id
          CROSS JOIN LATERAL (SELECT 3 + floor(random() * 3)::int + o.id * 0 AS a,
                                     2 + floor(random() * 4)::int + o.id * 0 AS q,
                                     3 + floor(random() * 3)::int + o.id * 0 AS t) s
         WHERE o.state IN ('delivered', 'done') AND o.delivered_date IS NOT NULL AND random() < 0.6)""")
    columns = ["order_id", "company_id", "partner_id", "vehicle_id", "advisor_id", "agent_id", "date",
               "score_attitude", "score_quality", "score_transparency", "csi", "is_low"]
    return foundation.insert_like(cr, "autorepair_followup", template, source, columns)


def insert_complaints(env, args, staff):
    cr = env.cr
    partner = env["res.partner"].search([("is_autorepair_customer", "=", True)], limit=1)
    template = foundation.orm_row(env, "autorepair.complaint", {
        "subject": "空调异响", "partner_id": partner.id, "channel": "phone", "user_id": staff["agent"][0]})
    closed = env["autorepair.complaint.stage"].search([("is_closed", "=", True)], limit=1)
    cr.execute("SELECT setseed(0.8)")
    source = SQL(
        """(WITH drawn AS (
               SELECT g, now() AT TIME ZONE 'UTC' - make_interval(mins => floor(random() * 1051200)::int)
                          AS reported,
                      random() AS r_response, random() AS r_close, random() AS r_user
                 FROM generate_series(1, %(count)s) AS g)
            SELECT 'BK' || g AS name, %(partner)s AS partner_id,
                   (%(agents)s::int[])[1 + floor(r_user * %(n_agents)s)::int] AS user_id,
                   reported AS reported_date, reported + interval '2 hours' AS first_response_deadline,
                   reported + make_interval(mins => floor(r_response * 180)::int) AS first_response_date,
                   r_close < 0.8 AS is_closed,
                   CASE WHEN r_close < 0.8 THEN reported + make_interval(days => floor(r_close * 25)::int) END
                       AS closed_date,
                   CASE WHEN r_close < 0.8 THEN %(closed)s ELSE %(open)s END AS stage_id
              FROM drawn)""",
        count=args.complaints, partner=partner.id, agents=staff["agent"], n_agents=len(staff["agent"]),
        closed=closed.id, open=template["stage_id"],
    )
    columns = ["name", "partner_id", "user_id", "reported_date", "first_response_deadline", "first_response_date",
               "is_closed", "closed_date", "stage_id"]
    return foundation.insert_like(cr, "autorepair_complaint", template, source, columns)


def generate_kpi_data(env, args):
    print("Generating care tasks, follow-ups and complaints", flush=True)
    timings = {}
    with foundation.timed(timings, "care staff"):
        staff = care_staff(env, args)
    with foundation.timed(timings, "care tasks"):
        insert_tasks(env, args, staff)
    with foundation.timed(timings, "follow-up calls"):
        insert_followups(env, staff)
    with foundation.timed(timings, "complaints"):
        insert_complaints(env, args, staff)
    with foundation.timed(timings, "ANALYZE"):
        env.cr.execute(f"ANALYZE {', '.join(LOADED_TABLES)}")
    env.invalidate_all()
    env.cr.commit()  # only now: a failed generation leaves no partial data
    return timings


def counts(env):
    result = {}
    for table in ("res_users", "autorepair_service_order", "autorepair_care_task", "autorepair_followup",
                  "autorepair_complaint"):
        env.cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        result[table] = env.cr.fetchone()[0]
    env.cr.execute("SELECT count(*) FROM res_users WHERE login LIKE 'bench_%'")
    result["staff"] = env.cr.fetchone()[0]
    return result


# ------------------------------------------------------------------ timings


def bench_close(env, month):
    """The bare aggregates, then the close of an empty month, then the
    recompute of its drafts; the best of a few runs of the aggregates."""
    Definition, Rule = env["autorepair.kpi.definition"], env["autorepair.kpi.rule"]
    period = Definition._period(month)
    definitions = Definition.search([])
    events = sorted(set(Rule.search([("trigger", "=", "event")]).mapped("event")))
    sql_times = []
    for _run in range(3):
        start = time.perf_counter()
        definitions._compute_figures(period)
        for event in events:
            Rule._count_events(event, period)
        sql_times.append(time.perf_counter() - start)
    Statement = env["autorepair.kpi.statement"]
    start = time.perf_counter()
    statements = Statement._close_month(month)
    env.flush_all()
    first = time.perf_counter() - start
    start = time.perf_counter()
    Statement._close_month(month)
    env.flush_all()
    again = time.perf_counter() - start
    return {
        "month": month, "sql": min(sql_times), "close": first, "recompute": again,
        "statements": len(statements), "values": len(statements.value_ids), "lines": len(statements.line_ids),
    }


def fill_months(env, month, rows):
    """Copies of the closed month's statements and figures into the months
    before it, until the figures number ``rows``: what a few years of closes
    leave, for the export. Returns the first month and the figures in all."""
    cr = env.cr
    cr.execute(SQL("SELECT count(*) FROM autorepair_kpi_value WHERE month = %s", month))
    per_month = cr.fetchone()[0]
    target = month
    for _copy in range(1, -(-rows // per_month)):
        target = (target - datetime.timedelta(days=1)).replace(day=1)
        cr.execute(SQL(
            """WITH copied AS (
                   INSERT INTO autorepair_kpi_statement (name, user_id, month, company_id, state, penalty_total,
                                                         reward_total, net_amount, create_uid, write_uid,
                                                         create_date, write_date)
                   SELECT name, user_id, %(target)s, company_id, 'locked', penalty_total, reward_total, net_amount,
                          create_uid, write_uid, create_date, write_date
                     FROM autorepair_kpi_statement WHERE month = %(month)s
                   RETURNING id, user_id)
               INSERT INTO autorepair_kpi_value (statement_id, user_id, month, company_id, definition_id, sequence,
                                                 numerator, denominator, value, target, is_met)
               SELECT c.id, v.user_id, %(target)s, v.company_id, v.definition_id, v.sequence, v.numerator,
                      v.denominator, v.value, v.target, v.is_met
                 FROM copied c JOIN autorepair_kpi_value v ON v.user_id = c.user_id AND v.month = %(month)s""",
            target=target, month=month))
    cr.execute(SQL("SELECT count(*) FROM autorepair_kpi_value WHERE month >= %s", target))
    return target, cr.fetchone()[0]


def bench_export(env, month, rows):
    first, total = fill_months(env, month, rows)
    Statement = env["autorepair.kpi.statement"].with_user(env.ref("base.user_admin")).with_context(lang="zh_CN")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    start = time.perf_counter()
    with tempfile.TemporaryFile(suffix=".xlsx") as output:
        written = Statement._write_xlsx(output, first, month)
        size = output.tell()
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": written[1], "statements": written[0], "lines": written[2], "first": first, "total": total,
            "seconds": elapsed, "traced_mb": peak / 2**20, "rss_before_mb": rss_before, "rss_after_mb": rss_after,
            "file_mb": size / 2**20}


def insert_like_by_id(cr, table, template, source, columns):
    """benchmark_service_orders.py passes its template as a record id, the
    current benchmark_foundation.insert_like takes the template row."""
    if isinstance(template, int):
        cr.execute(SQL("SELECT * FROM %s WHERE id = %s", SQL.identifier(table), template))
        template = cr.dictfetchone()
    return INSERT_LIKE(cr, table, template, source, columns)


INSERT_LIKE = foundation.insert_like


def verdict(ok):
    return "PASS" if ok else "MISS"


def print_summary(data_counts, timings, close, export):
    print("\n=== autorepair_kpi monthly close ===")
    print(f"staff {data_counts['staff']:,}, service orders {data_counts['autorepair_service_order']:,}, "
          f"care tasks {data_counts['autorepair_care_task']:,}, follow-ups {data_counts['autorepair_followup']:,}, "
          f"complaints {data_counts['autorepair_complaint']:,}")
    for label, seconds in timings.items():
        print(f"  generation: {label:<34} {seconds:8.1f} s")
    ratio = close["close"] / close["sql"]
    print(f"month {close['month']:%Y-%m}: {close['statements']} statements, {close['values']} figures, "
          f"{close['lines']} lines")
    print(f"  bare SQL aggregates (figures + events)  {close['sql']:8.2f} s")
    print(f"  month close, empty month                {close['close']:8.2f} s  "
          f"{ratio:.1f}x  {verdict(ratio <= TARGET_RATIO)} (target within {TARGET_RATIO:.0f}x)")
    print(f"  month close, drafts recomputed          {close['recompute']:8.2f} s  "
          f"{close['recompute'] / close['sql']:.1f}x")
    print(f"export: {export['rows']:,} figure rows, {export['statements']:,} statements, {export['lines']:,} lines "
          f"(from {export['first']:%Y-%m}), {export['file_mb']:.1f} MB file, {export['seconds']:.1f} s")
    print(f"  peak traced Python memory {export['traced_mb']:.1f} MB  "
          f"{verdict(export['traced_mb'] < TARGET_EXPORT_MB)} (target under {TARGET_EXPORT_MB} MB); "
          f"process max RSS {export['rss_before_mb']:.0f} MB before, {export['rss_after_mb']:.0f} MB after")


def main(argv=None):
    args = parse_args(argv)
    options = foundation.odoo_options(args)
    config.parse_config(options, setup_logging=True)
    reused = foundation.prepare_database(args, options)
    if not reused:
        install_kpi(args, options)
    else:
        subprocess.run([sys.executable, "-m", "odoo", "server", *options, "--update=autorepair_kpi",
                        "--stop-after-init", "--no-http"], check=True)
    registry = odoo.modules.registry.Registry(args.db)
    timings = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": service_orders.TZ})
        if not reused:
            timings.update(foundation.generate(env, args))
        if not service_orders.count_orders(env):
            foundation.insert_like = insert_like_by_id
            try:
                timings.update(service_orders.generate_orders(env, args))
            finally:
                foundation.insert_like = INSERT_LIKE
        env.cr.execute("SELECT count(*) FROM autorepair_care_task")
        if not env.cr.fetchone()[0]:
            timings.update(generate_kpi_data(env, args))
        env["res.lang"]._activate_lang("zh_CN")
        env["ir.module.module"]._load_module_terms(["autorepair_kpi"], ["zh_CN"])
        data_counts = counts(env)
        month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        print(f"Closing {month:%Y-%m}", flush=True)
        close = bench_close(env, month)
        print("Exporting", flush=True)
        export = bench_export(env, month, args.export_rows)
        cr.rollback()  # a database kept runs the same benchmark again
    print_summary(data_counts, timings, close, export)


if __name__ == "__main__":
    main()
