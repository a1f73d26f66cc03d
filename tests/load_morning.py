"""The busiest morning of a dealer group, on the suite as it is deployed.

A script, not a test (nothing runs it in CI). On a database filled by the
benchmark generators (benchmark_foundation.py, benchmark_service_orders.py and
benchmark_care.py's care agents; default the issue's 250,000 vehicles and
1,000,000 orders), it:

1. adds what the morning needs: staff with passwords (30 advisors, 10
   technicians, 10 care agents), 20 customers with a portal login and quotes
   awaiting their decision, cars received this morning and approved jobs, the
   care calendar filled and run for yesterday;
2. measures the crons on the quiet machine: the care calendar's daily run
   (yesterday's) and the settlement of --settle checked (ready) orders, queued as an
   advisor queues them and settled chunk by chunk as the scheduler does;
3. starts the suite the way docker/ deploys it, with Odoo's own launcher (the
   ``odoo`` command): a web server with --workers=4 --max-cron-threads=0 and a
   separate cron-only process (--no-http, one cron thread);
4. runs Locust headless (in its own virtualenv, created here: Odoo pins a
   gevent that Locust does not accept) for --duration with every person's
   login spread over the first --ramp seconds; once they are all in, the
   cron process runs today's care calendar and a settlement of --settle more
   orders; meanwhile PostgreSQL's lock waits are sampled (pg_stat_activity)
   and its deadlocks counted (pg_stat_database);
5. a shift change: every person logs in again within --burst-window seconds;
   how long the last one waits;
6. prints p50/p95/p99 and errors per action, throughput, the crons' times
   next to their quiet times, lock waits and deadlocks, and the targets
   (staff p95 < 500 ms, portal < 300 ms, no server error, no deadlock) as
   PASS or MISS;
7. checks and asserts the data's integrity: no care task made twice, every
   settled order exactly its invoices, every approval recorded once, no
   order in a state its history does not explain.

    python3 tests/load_morning.py                                  # the issue's size, 10 minutes
    python3 tests/load_morning.py --db autorepair_bench_load_small --customers 2000 --vehicles 2000 \\
        --readings 4000 --invoices 2000 --orders 5000 --duration 120 --settle 200 --advisors 8 \\
        --technicians 4 --care-agents 4 --portal 4

Sizes are benchmark_foundation.py's and benchmark_service_orders.py's options.
The database is dropped and rebuilt unless --keep is given (its name must start
with autorepair_bench). Only servers on 127.0.0.1 are driven; every loop is
bounded by --duration and the cron timeout.
"""

import argparse
import csv
import datetime
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark_care as care_bench  # noqa: E402  (scripts beside this one, not a package)
import benchmark_foundation as foundation  # noqa: E402
import benchmark_service_orders as orders_bench  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.tools import SQL, config  # noqa: E402

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "load" / "locustfile.py"
LOCUST_REQUIREMENT = "locust>=2.20,<3"
DEFAULT_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "autorepair" / "locust-venv"
SUITE = ("autorepair_kpi", "autorepair_archive")  # and every addon they depend on
TZ = "Asia/Shanghai"
SIGNATURE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
TARGET_STAFF_MS, TARGET_PORTAL_MS = 500, 300
# the state an order is settled from, as the scheduler's settlement takes it
SETTLE_FROM = "ready"
CARE_CRON, SETTLE_CRON = "autorepair_care.ir_cron_daily_run", "autorepair_workshop.ir_cron_settle_orders"
QUOTE_LINES = [
    ["labour", "更换刹车片", 1.5, 180.0], ["labour", "四轮定位", 1.0, 200.0], ["part", "刹车片", 1.0, 480.0],
    ["part", "机油滤清器", 1.0, 60.0], ["labour", "空调检修", 2.0, 180.0], ["other", "检测费", 1.0, 100.0],
]
LOG_LINE = re.compile(  # the scheduler's own lines: a call starting, done in N s, the job completed
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*?Job '(.*)' \((\d+)\) (starting|completed|done in ([\d.]+)s)")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog="Any other option is benchmark_service_orders.py's or benchmark_foundation.py's (sizes, --db-host...).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--db", default="autorepair_bench_load", help="database to (re)build")
    parser.add_argument("--duration", type=int, default=600, help="seconds of load")
    parser.add_argument("--ramp", type=int, default=60, help="seconds over which the people log in")
    parser.add_argument("--advisors", type=int, default=30)
    parser.add_argument("--technicians", type=int, default=10)
    parser.add_argument("--care-agents", type=int, default=10)
    parser.add_argument("--portal", type=int, default=20, help="portal customers")
    parser.add_argument("--settle", type=int, default=1000, help="orders settled by the cron under load (and quiet)")
    parser.add_argument("--morning-orders", type=int, default=5, help="cars received this morning, per advisor")
    parser.add_argument("--jobs", type=int, default=3, help="approved orders per technician")
    parser.add_argument("--quotes", type=int, default=3, help="quotes awaiting each portal customer")
    parser.add_argument("--burst-window", type=int, default=10, help="seconds in which everybody logs in again")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--http-port", type=int, default=8069)
    parser.add_argument("--gevent-port", type=int, default=8072)
    parser.add_argument("--cron-timeout", type=int, default=1800, help="seconds to wait for the crons after the load")
    parser.add_argument("--max-requests", type=int,
                        help="bound on Locust's requests (default: 5 a second per person, far above 2-8 s waits)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="Locust's own virtualenv (created if missing)")
    parser.add_argument("--out", type=Path, help="folder for logs and Locust's CSV (default: a temporary one)")
    own, rest = parser.parse_known_args(argv)
    args = orders_bench.parse_args([
        *rest, "--db", own.db, "--advisors", str(own.advisors), "--technicians", str(own.technicians),
        # the quiet settlement and the one under load each take their own orders
        "--invoice-batch", str(2 * own.settle),
    ])
    vars(args).update(vars(own))
    if min(args.advisors, args.technicians, args.care_agents, args.portal, args.settle, args.duration) < 1:
        parser.error("every count and --duration must be at least 1")
    return args


# -------------------------------------------------------------- environment


def locust_command(venv):
    """Locust from its own virtualenv, created (from the package registry) when missing."""
    locust = venv / "bin" / "locust"
    if not locust.exists():
        print(f"Creating Locust's virtualenv {venv}", flush=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", LOCUST_REQUIREMENT], check=True)
    return str(locust)


def odoo_launcher():
    """Odoo's own launcher: the ``odoo`` console script beside this Python,
    else on the PATH, else odoo-bin beside the odoo package. Never
    ``python3 -m odoo`` for workers (its websocket process cannot start)."""
    beside = Path(sys.executable).parent / "odoo"
    if beside.exists():
        return [str(beside)]
    if found := shutil.which("odoo"):
        return [found]
    odoo_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    if odoo_bin.exists():
        return [sys.executable, str(odoo_bin)]
    raise SystemExit("Odoo's launcher (the odoo command or odoo-bin) was not found")


def server_options(args):
    """The deployment's settings (docker/odoo.conf), on the command line."""
    options = [
        f"--addons-path={foundation.ODOO_ADDONS},{foundation.REPO_ADDONS}", f"--database={args.db}",
        f"--db-filter=^{re.escape(args.db)}$", "--proxy-mode", "--db_maxconn=8", "--no-database-list",
        "--limit-time-cpu=60", "--limit-time-real=120", "--limit-time-real-cron=1800", "--limit-request=8192",
        "--limit-memory-soft=2147483648", "--limit-memory-hard=2684354560", "--log-level=info",
    ]
    for name in ("host", "port", "user", "password"):
        if value := getattr(args, f"db_{name}"):
            options.append(f"--db_{name}={value}")
    return options


def start_servers(args, out):
    """The web server (workers, no cron thread) and the cron-only process."""
    launcher = odoo_launcher()
    web = subprocess.Popen([
        *launcher, "server", *server_options(args), f"--workers={args.workers}", "--max-cron-threads=0",
        "--http-interface=127.0.0.1", f"--http-port={args.http_port}", f"--gevent-port={args.gevent_port}",
        f"--logfile={out / 'web.log'}",
    ], start_new_session=True)
    cron = subprocess.Popen([
        *launcher, "server", *server_options(args), "--workers=0", "--max-cron-threads=1", "--no-http",
        f"--logfile={out / 'cron.log'}",
    ], start_new_session=True)
    url = f"http://127.0.0.1:{args.http_port}/web/health"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise SystemExit(f"the web server stopped at start; see {out / 'web.log'}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return web, cron
        except OSError:
            time.sleep(1)
    stop_servers(web, cron)
    raise SystemExit(f"the web server did not answer {url} within 120 s")


def stop_servers(*processes):
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and its workers
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ------------------------------------------------------------------ the data


def set_passwords(users):
    """Password = login; staff write in the chatter, which needs their address."""
    for user in users:
        user.password = user.login
        if not user.email and not user.share:
            user.email = f"{user.login}@example.com"


def portal_customers(env, count):
    """Customers with a car and a portal login (password = login)."""
    Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)
    users = Users.search([("login", "=like", "bench_portal_%")], order="login")
    if len(users) < count:
        env.cr.execute(SQL(
            """SELECT DISTINCT ON (v.owner_id) v.owner_id FROM fleet_vehicle v
                WHERE v.owner_id NOT IN (SELECT partner_id FROM res_users)
                ORDER BY v.owner_id LIMIT %s""", count - len(users)))
        partner_ids = [partner_id for (partner_id,) in env.cr.fetchall()]
        portal = env.ref("base.group_portal")
        users |= Users.create([{
            "login": f"bench_portal_{len(users) + i + 1:02d}", "partner_id": partner_id, "tz": TZ,
            "groups_id": [(6, 0, portal.ids)],
        } for i, partner_id in enumerate(partner_ids)])
    return users[:count]


def new_orders(advisor, vehicles, technician=None, lines=2):
    """Orders received by the advisor, with lines in their draft quote, made
    through the models' own steps (their history is the real one). The
    technician gets the labour lines (a booking of the order itself would hold
    him for the hour, as a walk-in does not)."""
    env = advisor.env
    Order = env["autorepair.service.order"].with_user(advisor)
    orders = Order.browse()
    for vehicle in vehicles:
        order = Order.create({
            "vehicle_id": vehicle.id, "need_type": "repair", "identity_checked": True,
            "identity_document": "driving_licence", "odometer_in": int(vehicle.odometer) + 50,
        })
        order.action_receive()
        env["autorepair.service.order.line"].with_user(advisor).create([{
            "order_id": order.id, "line_type": kind, "name": name, "quantity": quantity, "price_unit": price,
            "technician_id": technician.id if technician and kind == "labour" else False,
        } for kind, name, quantity, price in QUOTE_LINES[:lines]])
        orders |= order
    return orders


def free_vehicles(env, count):
    """Cars with an owner and without an open order."""
    env.cr.execute(SQL(
        """SELECT v.id FROM fleet_vehicle v
            WHERE v.owner_id IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM autorepair_service_order o WHERE o.vehicle_id = v.id
                     AND o.state NOT IN ('done', 'cancel', 'delivered'))
            ORDER BY v.id DESC LIMIT %s""", count))
    return env["fleet.vehicle"].browse(row[0] for row in env.cr.fetchall())


def prepare_morning(env, args):
    """Staff, portal customers and the morning's work; committed."""
    # the dealer's day is Beijing's for every process: the cron process's user has no
    # time zone of its own, and the care run's "today" falls back on the company's
    env.company.partner_id.tz = TZ
    users = orders_bench.bench_users(env)
    advisors, technicians = users["advisor"][:args.advisors], users["technician"][:args.technicians]
    care_bench.AGENTS = args.care_agents  # the customers are shared among the agents who work this morning
    agents = care_bench.setup_care(env)[:args.care_agents]
    customers = portal_customers(env, args.portal)
    print("  passwords", flush=True)
    set_passwords(advisors | technicians | agents | customers)
    rng = random.Random(17)
    print("  the morning's orders", flush=True)
    received = free_vehicles(env, args.advisors * args.morning_orders)
    for i, advisor in enumerate(advisors):
        new_orders(advisor, received[i * args.morning_orders:(i + 1) * args.morning_orders])
    jobs = free_vehicles(env, args.technicians * args.jobs + len(received))[len(received):]
    for i, technician in enumerate(technicians):
        orders = new_orders(rng.choice(advisors), jobs[i * args.jobs:(i + 1) * args.jobs], technician, lines=3)
        for order in orders:
            order.with_user(order.advisor_id).action_send_quote()
            quote = order.quote_ids.filtered(lambda q: q.state == "sent")
            quote.with_user(order.advisor_id).action_decide(
                decisions={line.id: "approved" for line in quote.line_ids}, signature=SIGNATURE, signed_by="张伟")
    portal = []
    for i, customer in enumerate(customers):
        # his car (portal customers are owners), in the workshop for several jobs, each quoted on its own order
        car = env["fleet.vehicle"].search([("owner_id", "=", customer.partner_id.id)], order="id", limit=1)
        orders = new_orders(rng.choice(advisors), [car] * args.quotes)
        quotes = []
        for order in orders:
            order.with_user(order.advisor_id).action_send_quote()
            quote = order.quote_ids.filtered(lambda q: q.state == "sent")
            quotes.append([order.id, quote.line_ids.ids])
        portal.append({"login": customer.login, "password": customer.login, "name": customer.partner_id.name,
                       "orders": orders.ids, "quotes": quotes, "address": f"127.0.1.{i % 250 + 1}"})
    env.cr.commit()
    return {
        "advisor": [{"login": user.login, "password": user.login} for user in advisors],
        "technician": [{"login": user.login, "password": user.login} for user in technicians],
        "care": [{"login": user.login, "password": user.login} for user in agents],
        "portal": portal,
    }


def fill_care(env):
    """The care calendar filled (its first run, two days ago) unless it holds tasks."""
    env.cr.execute("SELECT count(*) FROM autorepair_care_task")
    if not env.cr.fetchone()[0]:
        today = env["autorepair.care.rule"]._care_today()
        print("  care calendar, first run", flush=True)
        care_bench.daily_run(env, today - datetime.timedelta(days=2))


def replenish_settlement(env, count):
    """Each run settles its orders for good: on a database kept, generated
    history orders (settled without invoices, as the generator leaves them) are
    put back among the checked cars waiting for the cashier, the generator's rows for those."""
    cr = env.cr
    cr.execute(SQL("SELECT count(*) FROM autorepair_service_order WHERE state = %s AND settled_date IS NULL",
                   SETTLE_FROM))
    missing = count - cr.fetchone()[0]
    if missing <= 0:
        return
    cr.execute(SQL(
        """UPDATE autorepair_service_order SET state = 'ready', payment_state = 'not_invoiced', settled_date = NULL
            WHERE id IN (SELECT o.id FROM autorepair_service_order o
                          WHERE o.state = 'done' AND o.create_uid <> %s
                            AND NOT EXISTS (SELECT 1 FROM account_move m WHERE m.autorepair_service_order_id = o.id)
                          ORDER BY o.id DESC LIMIT %s)""", SUPERUSER_ID, missing))
    print(f"  {cr.rowcount} settled orders of the generated history put back to ready, unsettled (--keep)", flush=True)
    cr.commit()
    env.invalidate_all()


def queue_settlement(env, count, offset=0):
    """Checked cars (ready, unsettled) queued for settlement as an advisor sends them from the list."""
    advisor = orders_bench.bench_users(env)["advisor"][0]
    orders = env["autorepair.service.order"].with_user(advisor).search(
        [("state", "=", SETTLE_FROM), ("settled_date", "=", False), ("settlement_requested_by_id", "=", False)],
        order="id", limit=count,
        offset=offset)
    orders._queue_settlement()
    return orders


def quiet_crons(env, args):
    """The crons' work on the quiet machine: yesterday's care run and a
    settlement, the scheduler's calls made here one after the other."""
    today = env["autorepair.care.rule"]._care_today()
    care = care_bench.daily_run(env, today - datetime.timedelta(days=1))
    orders = queue_settlement(env, args.settle)
    env.cr.commit()
    Order = env["autorepair.service.order"]
    start = time.perf_counter()
    while Order.search_count([("settlement_requested_by_id", "!=", False)]):
        Order._cron_settle_queued()
        env.cr.commit()
    return {"care": care["seconds"], "care_tasks": care["tasks"], "settle": time.perf_counter() - start,
            "settled": len(orders)}


def hold_crons(env):
    """Nothing runs in the cron process until the load calls for it: the
    night's other jobs are done (their next run tomorrow)."""
    env.cr.execute("UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' + interval '1 day' WHERE active")
    env.cr.execute("DELETE FROM ir_cron_trigger")
    env.cr.commit()


def load_config(env, args, people):
    arch = env.ref("autorepair_workshop.autorepair_service_order_view_search").sudo().arch
    from lxml import etree  # noqa: PLC0415

    from odoo.tools.safe_eval import safe_eval  # noqa: PLC0415
    open_domain = safe_eval(etree.fromstring(arch).find(".//filter[@name='open']").get("domain"), {"uid": 0})
    action = env.ref("autorepair_workshop.autorepair_service_order_line_action_work").sudo()
    env.cr.execute("SELECT license_plate FROM fleet_vehicle TABLESAMPLE SYSTEM (5) WHERE license_plate IS NOT NULL"
                   " LIMIT 400")
    plates = [plate for (plate,) in env.cr.fetchall()] or ["川A1"]
    return {
        "db": args.db, "tz": TZ, "company_id": env.ref("base.main_company").id,
        "today": str(env["autorepair.care.rule"]._care_today()),
        "counts": {"advisor": args.advisors, "technician": args.technicians, "care": args.care_agents,
                   "portal": args.portal},
        "users": people, "open_domain": open_domain, "work_domain": safe_eval(action.domain),
        "plate_fragments": [plate[-4:] for plate in plates], "quote_lines": QUOTE_LINES, "signature": SIGNATURE,
        "max_requests": args.max_requests or 5 * args.duration * sum(len(people[role]) for role in people),
    }


# ----------------------------------------------------------------- measures


class LockSampler(threading.Thread):
    """Sessions of the database waiting for a lock, sampled twice a second."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db, self.stop, self.samples, self.waiting, self.longest = db, threading.Event(), 0, 0, 0.0
        self.max_waiting, self.queries = 0, Counter()

    def run(self):
        with closing(odoo.sql_db.db_connect(self.db).cursor()) as cr:
            cr._cnx.autocommit = True
            while not self.stop.wait(0.5):
                cr.execute("""SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 100),
                                     extract(epoch FROM now() - query_start)
                                FROM pg_stat_activity
                               WHERE datname = current_database() AND wait_event_type = 'Lock'""")
                rows = cr.fetchall()
                self.samples += 1
                self.waiting += bool(rows)
                self.max_waiting = max(self.max_waiting, len(rows))
                for query, seconds in rows:
                    self.longest = max(self.longest, float(seconds or 0))
                    self.queries[query] += 1


def deadlocks(db):
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [db])
        return cr.fetchone()[0]


def run_locust(args, out, config_path):
    """Locust headless; once everybody is in, the crons get their work."""
    total = args.advisors + args.technicians + args.care_agents + args.portal
    env_vars = {**os.environ, "AUTOREPAIR_LOAD_CONFIG": str(config_path),
                "AUTOREPAIR_LOAD_REFUSALS": str(out / "refusals.json")}
    command = [
        locust_command(args.venv), "-f", str(LOCUSTFILE), "--headless", "--host",
        f"http://127.0.0.1:{args.http_port}", "--users", str(total), "--spawn-rate", f"{total / args.ramp:.3f}",
        "--run-time", f"{args.duration}s", "--stop-timeout", "30", "--csv", str(out / "locust"),
        "--only-summary", "--loglevel", "WARNING",
    ]
    with open(out / "locust.log", "w", encoding="utf-8") as log:
        return subprocess.Popen(command, env=env_vars, stdout=log, stderr=subprocess.STDOUT), total


def call_crons(registry, args):
    """Today's care run and a settlement queued, as the morning has them."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": TZ})
        env.ref(CARE_CRON)._trigger()
        orders = queue_settlement(env, args.settle)
        return orders.ids, time.time(), care_bench.max_task_id(env)


def crons_done(registry, log_path, cron_ids):
    """Nothing left queued, and the scheduler said each job completed."""
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM autorepair_service_order WHERE settlement_requested_by_id IS NOT NULL")
        queued = cr.fetchone()[0]
    times = cron_times(log_path, cron_ids)
    return not queued and all("completed" in times.get(cron_id, {}) for cron_id in cron_ids)


def cron_times(log_path, cron_ids):
    """Per cron: first start, last end (wall span) and time busy, from the cron process's log."""
    times = {}
    if not log_path.exists():
        return times
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if not match or int(match[3]) not in cron_ids:
            continue
        # the odoo launcher logs in UTC (it sets TZ=UTC)
        at = datetime.datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        entry = times.setdefault(int(match[3]), {"start": at, "end": at, "busy": 0.0, "calls": 0})
        if match[5]:
            entry.update(end=at, busy=entry["busy"] + float(match[5]), calls=entry["calls"] + 1)
        elif match[4] == "completed":
            entry["completed"] = at
    return times


def burst(args, people):
    """Everybody logs in again within the window: the staff open the web
    client, the customers their portal; seconds each waited, in order of start."""
    base = f"http://127.0.0.1:{args.http_port}"
    logins = [(role, person) for role in ("advisor", "technician", "care", "portal") for person in people[role]]
    waits = [None] * len(logins)
    start = time.monotonic() + 1

    def login(index, role, person):
        time.sleep(max(0.0, start + index * args.burst_window / len(logins) - time.monotonic()))
        began = time.monotonic()
        try:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {
                "db": args.db, "login": person["login"], "password": person["password"]}}).encode()
            request = urllib.request.Request(f"{base}/web/session/authenticate", body,
                                             {"Content-Type": "application/json"})
            with opener.open(request, timeout=120) as response:
                if json.loads(response.read()).get("error"):
                    return
            with opener.open(f"{base}/{'my' if role == 'portal' else 'odoo'}", timeout=120) as response:
                response.read()
            waits[index] = time.monotonic() - began
        except OSError:
            pass  # refused or timed out: its wait stays None, counted as failed

    threads = [threading.Thread(target=login, args=(i, role, person)) for i, (role, person) in enumerate(logins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return waits, time.monotonic() - start


def read_stats(out):
    rows = []
    path = out / "locust_stats.csv"
    if path.exists():
        with open(path, encoding="utf-8") as stats:
            rows = list(csv.DictReader(stats))
    refusals = json.loads((out / "refusals.json").read_text()) if (out / "refusals.json").exists() else {}
    return rows, refusals


def server_errors(log_path):
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    return (len(re.findall(r"^\S+ \S+ \d+ ERROR ", text, re.M)),
            len(re.findall(r"SERIALIZATION_FAILURE|could not serialize access", text)))


REQUEST_LINE = re.compile(r'"(?:GET|POST) (\S+) HTTP/[\d.]+" \d+ - (\d+) ([\d.]+) ([\d.]+)$')


def server_time(log_path):
    """Where the web server's time went, from Odoo's own request log (each
    line ends with the request's queries, their seconds and the other
    seconds): {route: [requests, queries, SQL s, other s]}, the routes with
    their ids as N."""
    routes = defaultdict(lambda: [0, 0, 0.0, 0.0])
    if log_path.exists():
        with open(log_path, encoding="utf-8", errors="replace") as log:
            for line in log:
                if match := REQUEST_LINE.search(line.rstrip()):
                    route = re.sub(r"/\d+", "/N", match[1].split("?")[0])
                    totals = routes[route]
                    totals[0] += 1
                    totals[1] += int(match[2])
                    totals[2] += float(match[3])
                    totals[3] += float(match[4])
    return routes


# ----------------------------------------------------------------- integrity


def check_integrity(env, started, settled_ids):
    """Each check's count of faults (0 is right), with a short label."""
    from odoo.addons.autorepair_workshop.models.autorepair_service_order import TRANSITIONS  # noqa: PLC0415
    cr = env.cr
    results = {}
    cr.execute("""SELECT count(*) FROM (SELECT 1 FROM autorepair_care_task
                   GROUP BY rule_id, vehicle_id, partner_id, due_date HAVING count(*) > 1) d""")
    results["care tasks made twice (same rule, car or customer, due date)"] = cr.fetchone()[0]
    cr.execute("""SELECT count(*) FROM (SELECT 1 FROM mail_activity WHERE res_model = 'autorepair.care.task'
                   GROUP BY res_id HAVING count(*) > 1) d""")
    results["care tasks with two open activities"] = cr.fetchone()[0]

    # every settled order exactly its invoices: one per payer, each approved line once
    Order = env["autorepair.service.order"]
    settled = Order.browse(settled_ids)
    faults = 0
    for order in settled:
        invoices = order.invoice_ids.filtered(lambda move: move.state == "posted" and move.move_type == "out_invoice")
        expected = Counter((partner.id, line.id) for partner, line, _amount in order._invoice_items())
        actual = Counter((move.partner_id.id, move_line.autorepair_line_id.id) for move in invoices
                         for move_line in move.invoice_line_ids if move_line.autorepair_line_id)
        payers = Counter(invoices.mapped("partner_id.id"))
        if order.state != TRANSITIONS["settle"][1] or not order.settled_date or order.settlement_error \
                or expected != actual \
                or any(count > 1 for count in payers.values()) \
                or set(payers) != {partner for partner, _line in expected}:
            faults += 1
    results[f"settled orders without exactly their invoices (of {len(settled)})"] = faults

    # every approval recorded once: a quote decided once, its lines with it, its note posted once
    # (the note is in the advisor's language: English for the generated staff)
    cr.execute(SQL("""
        SELECT q.id, q.order_id, q.decided_on, q.approved_amount,
               COALESCE(sum(l.price_total) FILTER (WHERE l.is_approved), 0),
               count(*) FILTER (WHERE l.decided_on IS DISTINCT FROM q.decided_on OR l.decision = 'pending')
          FROM autorepair_service_quote q JOIN autorepair_service_order_line l ON l.quote_id = q.id
         WHERE q.state = 'decided' AND q.decided_on >= %s
         GROUP BY q.id""", started))
    decided = cr.fetchall()
    faults = 0
    for quote_id, order_id, _decided_on, approved, total, undecided in decided:
        name = env["autorepair.service.quote"].browse(quote_id).name  # not stored
        cr.execute(SQL("""SELECT count(*) FROM mail_message WHERE model = 'autorepair.service.order'
                           AND res_id = %s AND body::text LIKE %s""", order_id, f"%{name} decided by %"))
        notes = cr.fetchone()[0]
        if undecided or abs(float(approved) - float(total)) > 0.01 or notes != 1:
            faults += 1
            print(f"    quote {quote_id} {name}: approved {approved} / lines {total}, {undecided} lines apart, "
                  f"{notes} decision notes")
    results[f"approvals not recorded exactly once (of {len(decided)} decided during the run)"] = faults

    # no order in a state its history does not explain: of the orders whose state changed during the
    # run, the tracked states chain through allowed steps to the state it is in, and the state has its
    # evidence (a stored compute may rewrite an old order: its write date says nothing)
    allowed = {(source, target) for sources, target, _group in TRANSITIONS.values() for source in sources}
    # steps taken in one transaction are tracked as one change: from the first state to the last
    while closure := {(a, d) for a, b in allowed for c, d in allowed if b == c} - allowed:
        allowed |= closure
    labels = {label: code for code, label in Order._fields["state"]._description_selection(env)}
    cr.execute(SQL("""
        SELECT o.id, o.state, array_agg(t.old_value_char || '>' || t.new_value_char ORDER BY t.id)
          FROM autorepair_service_order o
          JOIN mail_message m ON m.model = 'autorepair.service.order' AND m.res_id = o.id
          JOIN mail_tracking_value t ON t.mail_message_id = m.id
          JOIN ir_model_fields f ON f.id = t.field_id AND f.model = 'autorepair.service.order' AND f.name = 'state'
         WHERE o.id IN (SELECT m2.res_id FROM mail_message m2
                          JOIN mail_tracking_value t2 ON t2.mail_message_id = m2.id AND t2.field_id = f.id
                         WHERE m2.model = 'autorepair.service.order' AND m2.date >= %s)
         GROUP BY o.id, o.state""", started))
    touched = cr.fetchall()
    faults = 0
    for order_id, state, steps in touched:
        chain = [tuple(labels.get(value, value) for value in step.split(">", 1)) for step in steps]
        broken = [step for step in chain if step not in allowed]
        linked = all(chain[i][1] == chain[i + 1][0] for i in range(len(chain) - 1))
        if broken or not linked or chain[-1][1] != state:
            faults += 1
            print(f"    order {order_id} in {state}: history {chain}")
    cr.execute(SQL("""
        SELECT count(*) FROM autorepair_service_order o
         WHERE o.id = ANY(%s) AND (
               (o.state = 'quoted' AND NOT EXISTS (SELECT 1 FROM autorepair_service_quote q
                                                    WHERE q.order_id = o.id AND q.state <> 'draft'))
            OR (o.state IN ('approved', 'in_progress', 'qc', 'ready', 'delivered', 'done')
                AND NOT EXISTS (SELECT 1 FROM autorepair_service_order_line l
                                 WHERE l.order_id = o.id AND l.is_approved))
            OR (o.state IN ('in_progress', 'qc') AND NOT EXISTS (SELECT 1 FROM autorepair_work_log w
                                                                  WHERE w.order_id = o.id))
            OR (o.state = 'qc' AND EXISTS (SELECT 1 FROM autorepair_service_order_line l
                                            WHERE l.order_id = o.id AND l.is_approved AND l.line_type = 'labour'
                                              AND l.work_state <> 'done'))
            OR (o.state = 'done' AND NOT EXISTS (SELECT 1 FROM account_move m WHERE m.autorepair_service_order_id = o.id
                                                  AND m.state = 'posted')))""", [row[0] for row in touched]))
    faults += cr.fetchone()[0]
    results[f"orders in a state their history does not explain (of {len(touched)} moved during the run)"] = faults
    return results


# ------------------------------------------------------------------- report


def pct(row, key):
    value = row.get(key, "N/A")
    return float(value) if value not in ("N/A", "", None) else 0.0


def print_report(args, report):
    print("\n" + "=" * 110)
    print(f"MORNING LOAD  database {args.db}: " + ", ".join(f"{n:,} {label}" for label, n in report["counts"].items()))
    print(f"  {report['people']} people ({args.advisors} advisors, {args.technicians} technicians, {args.care_agents}"
          f" care agents, {args.portal} portal customers), {args.duration} s, logins over {args.ramp} s;"
          f" web --workers={args.workers} --max-cron-threads=0 + a cron-only process; {os.cpu_count()} CPUs,"
          f" load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("=" * 110)
    verdicts = []
    print(f"{'action':<42}{'requests':>9}{'errors':>7}{'refused':>8}{'p50':>7}{'p95':>7}{'p99':>7}  target")
    for row in report["stats"]:
        name = row["Name"]
        if name == "Aggregated":
            continue
        portal = name.startswith("portal")
        target = TARGET_PORTAL_MS if portal else TARGET_STAFF_MS
        p95 = pct(row, "95%")
        if name == "login":  # no target of its own: the shift change below measures it
            verdict = "(see the shift change)"
        else:
            verdict = f"<{target} ms {foundation.verdict(p95 < target)}"
            verdicts.append(p95 < target)
        print(f"{name[:41]:<42}{int(row['Request Count']):>9}{int(row['Failure Count']):>7}"
              f"{report['refusals'].get(name, 0):>8}{pct(row, '50%'):>7.0f}{p95:>7.0f}{pct(row, '99%'):>7.0f}"
              f"  {verdict}")
    total = next((row for row in report["stats"] if row["Name"] == "Aggregated"), None)
    if total:
        print(f"{'all':<42}{int(total['Request Count']):>9}{int(total['Failure Count']):>7}"
              f"{sum(report['refusals'].values()):>8}{pct(total, '50%'):>7.0f}{pct(total, '95%'):>7.0f}"
              f"{pct(total, '99%'):>7.0f}")
        print(f"Throughput: {float(total['Requests/s']):.1f} requests/s over the run")
    errors = sum(int(row["Failure Count"]) for row in report["stats"] if row["Name"] != "Aggregated")
    logged, retried = report["server_errors"]
    print(f"Server errors: {errors} failed requests, {logged} ERROR lines in the servers' logs "
          f"({retried} serialization failures retried by Odoo)  target 0  "
          f"{foundation.verdict(errors == 0 and logged == 0)}")
    for failure in report["failures"][:10]:
        print(f"  {failure['Occurrences']:>5} x {failure['Name']}: {failure['Error'][:150]}")
    quiet = report["quiet"]
    # not the same day's work: compare the tasks made (yesterday's run quiet, today's under load)
    for label, cron, quiet_seconds in (
        (f"care calendar daily run ({quiet['care_tasks']:,} tasks quiet, {report['care_tasks']:,} under load)",
         "care", quiet["care"]),
        (f"settlement of {args.settle} orders", "settle", quiet["settle"]),
    ):
        times = report["crons"].get(cron)
        if times:
            ratio = times["busy"] / quiet_seconds if quiet_seconds else 0
            print(f"Cron {label}: {times['end'] - times['start']:.1f} s under load ({times['busy']:.1f} s busy in"
                  f" {times['calls']} calls, started {times['start'] - report['crons_called']:.0f} s after it was"
                  f" called), {quiet_seconds:.1f} s quiet: {ratio:.1f}x")
        else:
            print(f"Cron {label}: did not run under load (see cron.log); {quiet_seconds:.1f} s quiet")
    print(f"Crons finished: {'yes' if report['crons_done'] else 'NO, still working at the timeout'}")
    locks = report["locks"]
    print(f"Lock waits: sessions waiting for a lock in {locks.waiting} of {locks.samples} samples (every 0.5 s),"
          f" at most {locks.max_waiting} at once, the longest wait seen {locks.longest:.2f} s")
    for query, count in locks.queries.most_common(3):
        print(f"  {count:>4} x {query}")
    print(f"Deadlocks: {report['deadlocks']}  target 0  {foundation.verdict(report['deadlocks'] == 0)}")
    waits, span = report["burst"]
    done = [wait for wait in waits if wait is not None]
    if done:
        print(f"Shift change: {len(waits)} logins within {args.burst_window} s (login + first page): all in after"
              f" {span:.1f} s; the last to start waited "
              f"{'(failed)' if waits[-1] is None else f'{waits[-1]:.1f} s'}, the longest {max(done):.1f} s,"
              f" median {statistics.median(done):.1f} s; {len(waits) - len(done)} failed")
    routes = report["server_time"]
    busy = sum(sql + other for _count, _queries, sql, other in routes.values())
    print(f"Web server's time: {busy:.0f} s in requests over {args.duration} s, {busy / args.duration:.1f} workers"
          f" busy on average on {os.cpu_count()} CPUs (waiting for the CPU included); the heaviest routes:")
    print(f"  {'route':<66}{'requests':>9}{'queries':>8}{'SQL ms':>8}{'other ms':>9}{'total s':>8}")
    for route, (count, queries, sql, other) in sorted(routes.items(), key=lambda item: -sum(item[1][2:]))[:8]:
        print(f"  {route.removeprefix('/web/dataset/call_kw/')[:65]:<66}{count:>9}{queries / count:>8.1f}"
              f"{1000 * sql / count:>8.1f}{1000 * other / count:>9.1f}{sql + other:>8.0f}")
    ok = all(verdicts) and errors == 0 and logged == 0 and report["deadlocks"] == 0
    print(f"Targets: {'all PASS' if ok else 'MISS (see above)'}; logs and Locust's CSV in {report['out']}")


def main(argv=None):
    args = parse_args(argv)
    options = foundation.odoo_options(args)
    config.parse_config(options, setup_logging=True)
    out = args.out or Path(tempfile.mkdtemp(prefix="autorepair_load_"))
    out.mkdir(parents=True, exist_ok=True)
    locust_command(args.venv)  # before anything long: a missing Locust fails early
    reused = foundation.prepare_database(args, options, module=",".join(SUITE))
    registry = odoo.modules.registry.Registry.new(args.db)
    report = {"out": out}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": TZ})
        if not reused:
            foundation.generate(env, args)
        if not orders_bench.count_orders(env):
            orders_bench.generate_orders(env, args)
        replenish_settlement(env, 2 * args.settle)
        report["counts"] = {**foundation.table_counts(env), "orders": sum(orders_bench.count_orders(env).values())}
        print("Preparing the morning", flush=True)
        people = prepare_morning(env, args)
        fill_care(env)
        print("The crons on the quiet machine", flush=True)
        report["quiet"] = quiet_crons(env, args)
        config_path = out / "load.json"
        config_path.write_text(json.dumps(load_config(env, args, people), ensure_ascii=False), encoding="utf-8")
        hold_crons(env)
        cron_ids = {env.ref(CARE_CRON).id: "care", env.ref(SETTLE_CRON).id: "settle"}
    print(f"Starting the servers on 127.0.0.1:{args.http_port}", flush=True)
    web, cron = start_servers(args, out)
    try:
        sampler = LockSampler(args.db)
        sampler.start()
        deadlocks_before = deadlocks(args.db)
        started = datetime.datetime.utcnow()
        print(f"Load for {args.duration} s", flush=True)
        locust, report["people"] = run_locust(args, out, config_path)
        time.sleep(min(args.ramp, args.duration))
        settled_ids, report["crons_called"], task_mark = call_crons(registry, args)
        try:
            locust.wait(timeout=args.duration + 120)
        except subprocess.TimeoutExpired:
            locust.send_signal(signal.SIGINT)
            locust.wait(timeout=60)
        print("Shift change", flush=True)
        report["burst"] = burst(args, people)
        deadline = time.monotonic() + args.cron_timeout
        while not (done := crons_done(registry, out / "cron.log", cron_ids)) and time.monotonic() < deadline:
            time.sleep(5)
        report["crons_done"] = done
        sampler.stop.set()
        sampler.join()
        report["locks"] = sampler
        report["deadlocks"] = deadlocks(args.db) - deadlocks_before
    finally:
        stop_servers(web, cron)
    report["stats"], report["refusals"] = read_stats(out)
    failures = out / "locust_failures.csv"
    report["failures"] = list(csv.DictReader(open(failures, encoding="utf-8"))) if failures.exists() else []
    report["server_errors"] = tuple(map(sum, zip(server_errors(out / "web.log"), server_errors(out / "cron.log"),
                                                 strict=True)))
    report["server_time"] = server_time(out / "web.log")
    report["crons"] = {cron_ids[cron_id]: times for cron_id, times in cron_times(out / "cron.log", cron_ids).items()}
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM autorepair_care_task WHERE id > %s", [task_mark])
        report["care_tasks"] = cr.fetchone()[0]
    print_report(args, report)
    print("Integrity:", flush=True)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": TZ, "lang": "en_US"})
        report["integrity"] = check_integrity(env, started, settled_ids)
    for label, faults in report["integrity"].items():
        print(f"  {label}: {faults}  {'OK' if not faults else 'FAULT'}")
    faults = {label: count for label, count in report["integrity"].items() if count}
    assert not faults, f"integrity faults: {faults}"


if __name__ == "__main__":
    main()
