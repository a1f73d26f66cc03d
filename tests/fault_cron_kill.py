"""The cron process killed in the middle of its work, then restarted (issue 17, faults).

On a scratch database (care data of the foundation's generators, and delivered
service orders queued for settlement by an advisor), it starts the scheduler
the way the suite is deployed: a separate cron-only Odoo process, started with
Odoo's own launcher (the `odoo` command or odoo-bin), `--no-http`,
`--max-cron-threads=1`, `--workers=0`. It then:

1. lets the nightly care run start (``autorepair.care.task._cron_daily_run``:
   tasks created rule by rule, their calls scheduled in batches, each batch
   committed), kills the process with SIGKILL once some batches are committed
   and others are still to do, restarts it and lets the run finish;
2. lets the queued settlement start (``autorepair.service.order._cron_settle_queued``,
   one committed chunk a call), kills the process the same way in its
   middle, restarts it and lets it finish;
3. checks and prints: every care task due made once (the run's due set,
   counted by one SQL statement before the run, next to the tasks made; no
   task twice for a vehicle, rule and due date), one call (activity) per task
   still open and none for a failed one, nothing left to schedule; every
   queued order settled once, with exactly one posted invoice per payer of
   its lines, nothing left queued and no settlement error; and that the
   progress committed before each kill was kept (the same task and invoice
   ids after the restart: resumed, not redone).

The exit code is 1 when a check fails. It is a script, not a test: it needs
processes, a few minutes and a database of its own.

    python3 tests/fault_cron_kill.py                          # database autorepair_fault_cron
    python3 tests/fault_cron_kill.py --db autorepair_fault_x --orders 3000 --settle 1000

The database name must contain "fault": it is dropped and rebuilt.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchmark_care as care_bench  # noqa: E402  (scripts beside this one, not a package)
import benchmark_foundation as foundation  # noqa: E402
import benchmark_service_orders as orders_bench  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.tools import config  # noqa: E402

CARE_CRON = "autorepair_care.ir_cron_daily_run"
SETTLE_CRON = "autorepair_workshop.ir_cron_settle_orders"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--db", default="autorepair_fault_cron", help="scratch database (dropped and rebuilt)")
    for name in ("host", "port", "user", "password"):
        parser.add_argument(f"--db-{name}")
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--vehicles", type=int, default=5000)
    parser.add_argument("--readings", type=int, default=40000)
    parser.add_argument("--invoices", type=int, default=12000)
    parser.add_argument("--orders", type=int, default=3000, help="service orders generated")
    parser.add_argument("--settle", type=int, default=1000, help="delivered orders queued for settlement")
    parser.add_argument("--care-batch", type=int, default=200, help="care tasks scheduled per committed batch")
    parser.add_argument("--settle-batch", type=int, default=50, help="orders settled per committed chunk")
    parser.add_argument("--limit-time-real-cron", type=int, default=1800,
                        help="the cron process's limit, as docker/odoo.conf sets it (-1: Odoo's default, "
                             "limit_time_real, 120 s)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds each phase may take")
    args = parser.parse_args(argv)
    if "fault" not in args.db:
        parser.error("--db must contain 'fault': the database is dropped and rebuilt")
    if args.orders * (1 - orders_bench.OPEN_SHARE) < 2 * args.settle:
        parser.error("--orders must be at least about twice --settle")
    # what the generators of benchmark_foundation.py and benchmark_service_orders.py read
    args.keep, args.advisors, args.technicians, args.invoice_batch, args.runs = False, 30, 60, args.settle, 1
    return args


def odoo_launcher():
    """Odoo's own launcher for this Python (see scripts/lib.sh): the `odoo`
    script beside it, else odoo-bin of the source tree, else `odoo` on PATH."""
    candidates = [Path(sys.executable).parent / "odoo", Path(odoo.__file__).resolve().parent.parent / "odoo-bin"]
    if found := shutil.which("odoo"):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and "odoo.cli.main()" in candidate.read_text(errors="replace"):
            return str(candidate)
    sys.exit("Odoo's launcher (the 'odoo' command or odoo-bin) was not found")


# --------------------------------------------------------------- the database


def build(args, options):
    print(f"Building {args.db}", flush=True)
    foundation.prepare_database(args, options, module="autorepair_care")
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        foundation.generate(env, args)
        cr.commit()
        orders_bench.generate_orders(env, args)
        care_bench.setup_care(env)
    return registry


def prepare_run(registry, args):
    """Only the two crons under test active and due now, small batches, the
    delivered orders queued by an advisor; what the run must make, counted."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        params = env["ir.config_parameter"]
        params.set_param("autorepair_care.batch_size", args.care_batch)
        params.set_param("autorepair_workshop.settlement_batch_size", args.settle_batch)
        env["ir.cron"].with_context(active_test=False).search([]).write({"active": False})
        today = env["autorepair.care.rule"]._care_today()
        env.cr.execute(care_bench.due_set_sql(env, today))
        due = env.cr.fetchone()[0]
        advisor = orders_bench.bench_users(env)["advisor"][0]
        # the orders the generator leaves to settle (its own domain, where it has one)
        to_settle = getattr(orders_bench, "TO_SETTLE", [("state", "=", "delivered")])
        orders = env["autorepair.service.order"].search(to_settle, order="id", limit=args.settle)
        assert len(orders) == args.settle, f"only {len(orders)} orders to settle"
        orders.with_user(advisor)._queue_settlement()
        payers = {order.id: len({partner for partner, _line, _amount in order._invoice_items()})
                  for order in orders}
        cr.commit()
        return {"today": today, "due": due, "orders": orders.ids, "payers": payers}


def activate(registry, xmlid):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron = env.ref(xmlid)
        cron.write({"active": True, "nextcall": odoo.fields.Datetime.now()})
        cron._trigger()  # NOTIFY cron_trigger at commit: the cron process wakes up at once


def query(registry, sql, *params):
    with closing(registry.cursor()) as cr:
        cr.execute(sql, params)
        return cr.fetchall()


def care_state(registry, today):
    rows = query(registry, """
        SELECT (SELECT count(*) FROM autorepair_care_task),
               (SELECT count(*) FROM autorepair_care_task WHERE to_schedule),
               (SELECT count(*) FROM mail_activity WHERE res_model = 'autorepair.care.task'),
               (SELECT count(*) FROM autorepair_care_rule
                 WHERE anchor IS NOT NULL AND (last_run_date IS NULL OR last_run_date < %s)),
               (SELECT COALESCE(max(id), 0) FROM autorepair_care_task)""", today)
    return dict(zip(("tasks", "to_schedule", "activities", "rules_left", "max_id"), rows[0], strict=True))


def settle_state(registry, order_ids):
    rows = query(registry, """
        SELECT count(*) FILTER (WHERE settlement_requested_by_id IS NOT NULL),
               -- settled: out of the queue with its invoices (whatever state the order then takes)
               count(*) FILTER (WHERE settlement_requested_by_id IS NULL AND EXISTS (
                   SELECT 1 FROM account_move m WHERE m.autorepair_service_order_id = o.id AND m.state = 'posted')),
               (SELECT count(*) FROM account_move WHERE autorepair_service_order_id = ANY(%s))
          FROM autorepair_service_order o WHERE id = ANY(%s)""", order_ids, order_ids)
    return dict(zip(("queued", "settled", "invoices"), rows[0], strict=True))


# ------------------------------------------------------------------- the process


class CronProcess:
    """The cron-only Odoo process, as deployed: no HTTP, one cron thread, no workers."""

    def __init__(self, args, options, log):
        self.command = [sys.executable, odoo_launcher(), "server", *options, "--no-http", "--workers=0",
                        "--max-cron-threads=1", f"--limit-time-real-cron={args.limit_time_real_cron}",
                        "--log-level=info", f"--logfile={log}"]
        self.log = log
        self.process = None

    def start(self):
        # a job left with work re-polls at once (its rescheduling notifies), as the
        # scheduler would at its next wake-up a minute later
        env = dict(os.environ, ODOO_NOTIFY_CRON_CHANGES="1")
        self.process = subprocess.Popen(self.command, env=env)
        return self.process.pid

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition, timeout, what, nudge=None):
    """Poll condition() until it is true; nudge() every few seconds meanwhile."""
    start = last_nudge = time.monotonic()
    while time.monotonic() - start < timeout:
        if value := condition():
            return value
        if nudge and time.monotonic() - last_nudge > 3:
            nudge()
            last_nudge = time.monotonic()
        time.sleep(0.2)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def notify(registry):
    """Wake the cron process up, as ir.cron's _trigger does: a restarted
    process listens once its registry is loaded, and would otherwise poll
    the jobs left due only after its sleep interval (a minute)."""
    # on the postgres database, where the cron threads listen (as ir.cron._notifydb sends it)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", [registry.db_name])
        cr.commit()


def kill_in_the_middle(registry, cron, state, started, finished, capture, timeout, label):
    """Wait until the job has committed some work and has work left, SIGKILL
    the process, read what was committed (``capture``), restart the process
    and wait for the end; the states seen."""
    wait_until(lambda: started(state()), timeout, f"{label}: first committed batch")
    cron.kill()
    seen = {"killed": state(), "kept": capture()}
    print(f"  {label}: SIGKILL in the middle: {seen['killed']}", flush=True)
    print(f"  restarted (pid {cron.start()})", flush=True)
    start = time.monotonic()
    wait_until(lambda: finished(state()), timeout, f"{label}: end of the run", nudge=lambda: notify(registry))
    seen["end"] = state()
    seen["resume_seconds"] = time.monotonic() - start
    print(f"  {label}: finished {seen['resume_seconds']:.1f} s after the restart: {seen['end']}", flush=True)
    return seen


# ---------------------------------------------------------------------- checks


def check_care(registry, plan, seen):
    results = []
    end = seen["end"]
    results.append((f"care tasks made: {end['tasks']:,}, due set counted before the run: {plan['due']:,}",
                    end["tasks"] == plan["due"]))
    twice = query(registry, """
        SELECT count(*) FROM (SELECT 1 FROM autorepair_care_task
                               GROUP BY rule_id, vehicle_id, partner_id, due_date HAVING count(*) > 1) d""")[0][0]
    results.append((f"care tasks made twice (rule, vehicle, customer, due date): {twice}", twice == 0))
    calls = query(registry, """
        SELECT count(*) FILTER (WHERE t.state = 'open' AND n.calls <> 1),
               count(*) FILTER (WHERE t.state <> 'open' AND n.calls > 0)
          FROM autorepair_care_task t
          LEFT JOIN LATERAL (SELECT count(*) AS calls FROM mail_activity a
                              WHERE a.res_model = 'autorepair.care.task' AND a.res_id = t.id) n ON TRUE""")[0]
    results.append((f"open tasks without exactly one call: {calls[0]}; closed tasks with a call: {calls[1]}",
                    calls == (0, 0)))
    results.append((f"tasks left to schedule: {end['to_schedule']}, rules left to run: {end['rules_left']}",
                    end["to_schedule"] == 0 and end["rules_left"] == 0))
    tasks, activities = seen["kept"]
    kept = query(registry, """SELECT (SELECT count(*) FROM autorepair_care_task WHERE id = ANY(%s)),
                                     (SELECT count(*) FROM mail_activity WHERE id = ANY(%s))""",
                 tasks, activities)[0]
    killed = seen["killed"]
    results.append((f"killed with work done and work left: {killed['tasks']:,} tasks, {killed['activities']:,} "
                    f"calls committed; {killed['to_schedule']:,} tasks to schedule, {killed['rules_left']} rules "
                    "to run", killed["activities"] > 0 and (killed["to_schedule"] or killed["rules_left"])))
    results.append((f"resumed, not redone: of the {len(tasks):,} tasks and {len(activities):,} calls committed "
                    f"before the kill, {kept[0]:,} and {kept[1]:,} are there at the end",
                    kept == (len(tasks), len(activities))))
    return results


def check_settlement(registry, plan, seen):
    results = []
    end = seen["end"]
    orders = plan["orders"]
    results.append((f"orders settled: {end['settled']:,} of {len(orders):,}; still queued: {end['queued']}",
                    end["settled"] == len(orders) and end["queued"] == 0))
    rows = query(registry, """
        SELECT o.id, count(m.id), count(DISTINCT m.partner_id), bool_and(m.state = 'posted')
          FROM autorepair_service_order o LEFT JOIN account_move m ON m.autorepair_service_order_id = o.id
         WHERE o.id = ANY(%s) GROUP BY o.id""", orders)
    wrong = [order_id for order_id, moves, partners, posted in rows
             if not (moves == partners == plan["payers"][order_id] and posted)]
    expected = sum(plan["payers"].values())
    results.append((f"invoices: {end['invoices']:,} for {expected:,} payers; orders without exactly one posted "
                    f"invoice per payer: {len(wrong)}", not wrong and end["invoices"] == expected))
    errors = query(registry, "SELECT count(*) FROM autorepair_service_order WHERE id = ANY(%s) "
                             "AND settlement_error IS NOT NULL", orders)[0][0]
    results.append((f"orders with a settlement error: {errors}", errors == 0))
    killed, kept_invoices = seen["killed"], seen["kept"]
    still = query(registry, "SELECT count(*) FROM account_move WHERE id = ANY(%s)", kept_invoices)[0][0]
    results.append((f"killed with work done and work left: {killed['settled']:,} orders settled "
                    f"({killed['invoices']:,} invoices), {killed['queued']:,} still queued",
                    killed["settled"] > 0 and killed["queued"] > 0))
    results.append((f"resumed, not redone: of the {len(kept_invoices):,} invoices committed before the kill, "
                    f"{still:,} are there at the end", still == len(kept_invoices)))
    return results


def main(argv=None):
    args = parse_args(argv)
    options = foundation.odoo_options(args)
    config.parse_config(options, setup_logging=True)
    started = time.monotonic()
    registry = build(args, options)
    plan = prepare_run(registry, args)
    print(f"Care run due on {plan['today']}: {plan['due']:,} tasks; {len(plan['orders']):,} orders queued for "
          f"settlement by an advisor ({sum(plan['payers'].values()):,} invoices to make)", flush=True)
    log = HERE.parent / ".test-output" / f"fault_cron_kill-{args.db}.log"
    log.parent.mkdir(exist_ok=True)
    log.unlink(missing_ok=True)
    cron = CronProcess(args, options, log)
    results = []
    try:
        print(f"Cron process: {' '.join(cron.command[1:4])} ... (pid {cron.start()}), log {log}", flush=True)
        activate(registry, CARE_CRON)
        seen_care = kill_in_the_middle(
            registry, cron, lambda: care_state(registry, plan["today"]),
            started=lambda s: s["activities"] >= args.care_batch and (s["to_schedule"] or s["rules_left"]),
            finished=lambda s: s["tasks"] and not s["to_schedule"] and not s["rules_left"],
            capture=lambda: (
                [row[0] for row in query(registry, "SELECT id FROM autorepair_care_task")],
                [row[0] for row in query(registry, "SELECT id FROM mail_activity "
                                                   "WHERE res_model = 'autorepair.care.task'")]),
            timeout=args.timeout, label="care run")
        results += check_care(registry, plan, seen_care)

        activate(registry, SETTLE_CRON)
        seen_settle = kill_in_the_middle(
            registry, cron, lambda: settle_state(registry, plan["orders"]),
            started=lambda s: 0 < s["settled"] < len(plan["orders"]),
            finished=lambda s: s["queued"] == 0,
            capture=lambda: [row[0] for row in query(
                registry, "SELECT id FROM account_move WHERE autorepair_service_order_id = ANY(%s)", plan["orders"])],
            timeout=args.timeout, label="settlement")
        results += check_settlement(registry, plan, seen_settle)
    finally:
        cron.stop()
    # the server's watchdog: a cron thread past limit_time_real_cron makes the process reload
    reloads = log.read_text(errors="replace").count("virtual real time limit") if log.exists() else 0
    print(f"\nSummary ({args.db}; {args.vehicles:,} vehicles, {args.orders:,} orders; "
          f"{time.monotonic() - started:.0f} s in all; limit_time_real_cron {args.limit_time_real_cron}, "
          f"{reloads} reloads by the time limit besides the 2 kills)")
    for text, ok in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    failed = [text for text, ok in results if not ok]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
