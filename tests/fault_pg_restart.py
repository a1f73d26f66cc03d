"""PostgreSQL restarted under load: the suite's multi-worker server survives it.

    python3 tests/fault_pg_restart.py                     # a private cluster, created and dropped
    python3 tests/fault_pg_restart.py --keep              # keep the cluster and database for a rerun
    python3 tests/fault_pg_restart.py --cluster 15/ar_fault_5440 --db autorepair_fault

It restarts PostgreSQL. By default it never touches the machine's own cluster:
it creates a private Debian cluster (pg_createcluster, first free port from
--pg-port, 5440) with a role for you, installs autorepair_workshop (no demo data)
into a database there, and drops the cluster at the end. --cluster VERSION/NAME
uses an existing cluster instead (it is restarted: only a cluster nobody else
uses). Needs root (pg_createcluster, pg_ctlcluster) on Debian/Ubuntu.

Then:
1. starts the server as deployed: Odoo's own launcher (`odoo`, else odoo-bin),
   --workers=2 --max-cron-threads=0, a private data_dir; checks that its
   websocket (gevent) process runs, which `python3 -m odoo` cannot spawn;
2. --clients JSON-RPC sessions (the web client's /web/dataset/call_kw, as the
   admin) loop: create a service order with its two lines in one call, search
   orders, read one;
3. after --before seconds restarts PostgreSQL (pg_ctlcluster restart: fast
   mode, every connection and open transaction cut), keeps the load --after
   seconds more;
4. prints per outcome: OK, failed cleanly (HTTP 200 with a JSON-RPC error),
   other answers (HTTP status), connection errors and hangs (no answer within
   --timeout); the same workers (pids) before and after, each serving again
   (its own connection in pg_stat_activity after the restart), the first good
   answer after the restart; the orders: none without lines, every order
   with exactly its two lines.
Exit code 1 when a check fails: a hang, a worker restarted or not serving, a
request failing after the recovery window, or a half-written order.
"""

import argparse
import collections
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
ODOO_DIR = None  # set in main(): the imported odoo package's folder
ADDON = "autorepair_workshop"
LINES_PER_ORDER = 2
MARK = "fault-load"


def log(message):
    print(f"[fault] {time.strftime('%H:%M:%S')} {message}", flush=True)


def run(cmd, **kwargs):
    kwargs.setdefault("check", True)
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def as_postgres(cmd, **kwargs):
    return run(["runuser", "-u", "postgres", "--", *cmd], cwd="/", **kwargs)


def odoo_launcher():
    """Odoo's own launcher for this Python: the `odoo` script beside it, else
    odoo-bin of a source tree, else the system's `odoo` (see scripts/lib.sh)."""
    candidates = [Path(sys.executable).parent / "odoo", ODOO_DIR.parent / "odoo-bin"]
    if shutil.which("odoo"):
        candidates.append(Path(shutil.which("odoo")))
    for path in candidates:
        if path.is_file() and "odoo.cli.main()" in path.read_text(errors="replace"):
            return str(path.resolve())
    raise SystemExit("Odoo's launcher (the `odoo` command or odoo-bin) not found")


def free_port(start, used=()):
    for port in range(start, start + 100):
        if port in used:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise SystemExit(f"no free port from {start}")


class Cluster:
    """A Debian PostgreSQL cluster: ours (created, dropped) or the one given."""

    def __init__(self, spec, pg_port, keep):
        self.keep = keep
        clusters = {f"{c['version']}/{c['cluster']}": c for c in self._list()}
        if spec:
            if spec not in clusters:
                raise SystemExit(f"cluster {spec} not found (pg_lsclusters)")
            self.version, self.name = spec.split("/")
            self.port = clusters[spec]["port"]
            self.created = False
        else:
            versions = sorted({c["version"] for c in clusters.values()} or self._installed_versions(),
                              key=lambda v: [int(p) for p in v.split(".")])
            if not versions:
                raise SystemExit("no PostgreSQL server installed")
            self.version = versions[-1]
            used = {c["port"] for c in clusters.values()}
            self.port = free_port(pg_port, used)
            self.name = f"ar_fault_{self.port}"
            log(f"creating private PostgreSQL cluster {self.version}/{self.name} on port {self.port}")
            run(["pg_createcluster", self.version, self.name, "-p", str(self.port), "--",
                 "--auth-local=peer", "--auth-host=scram-sha-256"])
            self.created = True
        self.ctl("start", check=False)
        self.wait_ready()
        user = os.environ.get("ODOO_DB_USER") or psutil.Process().username()
        if user == "postgres":
            raise SystemExit("run as another user than postgres: Odoo refuses the superuser")
        exists = as_postgres(["psql", "-XAtq", "-p", str(self.port), "-d", "postgres", "-c",
                              f"select 1 from pg_roles where rolname = '{user}'"]).stdout.strip()
        if not exists:
            as_postgres(["psql", "-Xq", "-p", str(self.port), "-d", "postgres", "-c",
                         f'create role "{user}" login createdb'])
        self.user = user
        # Odoo connects over TCP so that each worker's connections are told
        # apart (pg_stat_activity.client_port); the private cluster's role gets
        # a throwaway password, an existing cluster needs ODOO_DB_PASSWORD
        self.password = os.environ.get("ODOO_DB_PASSWORD")
        if self.created:
            self.password = secrets.token_hex(16)
            as_postgres(["psql", "-Xq", "-p", str(self.port), "-d", "postgres", "-c",
                         f"alter role \"{user}\" password '{self.password}'"])

    @staticmethod
    def _list():
        out = run(["pg_lsclusters", "--json"], check=False)
        if out.returncode == 0 and out.stdout.strip():
            return [{"version": str(c["version"]), "cluster": c["cluster"], "port": int(c["port"])}
                    for c in json.loads(out.stdout)]
        rows = run(["pg_lsclusters", "-h"]).stdout.splitlines()
        return [{"version": r.split()[0], "cluster": r.split()[1], "port": int(r.split()[2])} for r in rows]

    @staticmethod
    def _installed_versions():
        return [p.name for p in Path("/usr/lib/postgresql").glob("*") if (p / "bin/postgres").exists()]

    def ctl(self, action, check=True):
        return run(["pg_ctlcluster", self.version, self.name, action], check=check)

    def ready(self):
        return run(["pg_isready", "-q", "-p", str(self.port)], check=False).returncode == 0

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while not self.ready():
            if time.monotonic() > deadline:
                raise SystemExit(f"cluster {self.version}/{self.name} not ready after {timeout} s")
            time.sleep(0.1)

    def psql(self, db, sql):
        out = run(["psql", "-XAtq", "-p", str(self.port), "-U", self.user, "-d", db, "-c", sql])
        return out.stdout.strip()

    def drop(self):
        if self.created and not self.keep:
            log(f"dropping private cluster {self.version}/{self.name}")
            run(["pg_dropcluster", "--stop", self.version, self.name], check=False)
        elif self.created:
            log(f"cluster kept: {self.version}/{self.name} (port {self.port}); drop it with "
                f"pg_dropcluster --stop {self.version} {self.name}")


class Server:
    """The suite's HTTP server as deployed: `odoo` with workers, no cron threads."""

    def __init__(self, cluster, db, http_port, data_dir, logfile):
        self.cluster, self.db, self.port = cluster, db, http_port
        self.logfile = logfile
        self.launcher = odoo_launcher()
        addons = [str(ODOO_DIR / "addons")]
        if (ODOO_DIR.parent / "addons" / "web").is_dir():
            addons.append(str(ODOO_DIR.parent / "addons"))
        addons.append(str(ROOT / "addons"))
        self.base = [sys.executable, self.launcher, "server", "-r", cluster.user,
                     "--db_port", str(cluster.port), "--addons-path", ",".join(addons),
                     "--data-dir", data_dir, "-d", db]
        self.env = dict(os.environ)
        if cluster.password:
            self.base += ["--db_host", "127.0.0.1"]
            self.env["PGPASSWORD"] = cluster.password  # read by libpq, never on a command line
        self.gevent_port = free_port(http_port + 1)
        self.proc = None

    def install(self):
        log(f"installing {ADDON} (no demo data) into {self.db}: a few minutes")
        with open(self.logfile, "a") as out:
            subprocess.run([*self.base, "-i", ADDON, "--without-demo=all", "--stop-after-init",
                            "--no-http", "--log-level=warn"], stdout=out, stderr=out, check=True,
                           env=self.env)

    def start(self):
        cmd = [*self.base, "--workers=2", "--max-cron-threads=0", "--db-filter", f"^{self.db}$",
               "--http-interface", "127.0.0.1", "--http-port", str(self.port),
               "--gevent-port", str(self.gevent_port), "--limit-time-real", "60",
               "--logfile", self.logfile, "--log-level=info"]
        log(f"starting: {self.launcher} server --workers=2 --max-cron-threads=0 (port {self.port})")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, env=self.env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server stopped ({self.proc.returncode}); see {self.logfile}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/web/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("the server did not answer /web/health within 120 s")
        time.sleep(3)  # the websocket process starts beside the first workers

    def children(self):
        """{pid: 'worker' | 'gevent'} of the server's master process."""
        master = psutil.Process(self.proc.pid)
        result = {}
        for child in master.children():
            try:
                # HTTP workers are forks of the master (its command line); the
                # websocket process is the launcher run again with "gevent"
                cmdline = child.cmdline() if child.status() != psutil.STATUS_ZOMBIE else []
            except psutil.NoSuchProcess:
                continue
            if "gevent" in cmdline:
                result[child.pid] = "gevent"
            elif cmdline == master.cmdline():
                result[child.pid] = "worker"
        return result

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Client(threading.Thread):
    """One web-client session: JSON-RPC as /web/dataset/call_kw, like the browser."""

    def __init__(self, url, db, index, stop, results, refs, timeout, think=0.0, go=None):
        super().__init__(daemon=True)
        self.url, self.db, self.index = url, db, index
        self.stop, self.results, self.refs, self.timeout = stop, results, refs, timeout
        self.think, self.go = think, go
        self.logged_in = threading.Event()
        self.session = requests.Session()
        self.rpc_id = 0

    def call(self, path, params):
        self.rpc_id += 1
        payload = {"jsonrpc": "2.0", "method": "call", "id": self.rpc_id, "params": params}
        return self.session.post(f"{self.url}{path}", json=payload, timeout=self.timeout)

    def login(self):
        response = self.call("/web/session/authenticate",
                             {"db": self.db, "login": "admin", "password": "admin"})
        response.raise_for_status()
        if "error" in response.json():
            raise RuntimeError(response.json()["error"])

    def call_kw(self, model, method, args, kwargs=None):
        return self.call(f"/web/dataset/call_kw/{model}/{method}",
                         {"model": model, "method": method, "args": args, "kwargs": kwargs or {}})

    def _request(self, step, order_id):
        """(kind, call) of the session's next request: create, search or read in turn."""
        kind = ("create", "search", "read")[step % 3]
        if kind == "create":
            lines = [(0, 0, {"line_type": "labour", "name": f"{MARK} {self.index}-{step} labour {n}",
                             "quantity": 1.0, "price_unit": 100.0 + n})
                     for n in range(LINES_PER_ORDER)]
            return kind, ("autorepair.service.order", "create",
                          [{**self.refs, "requested_work": f"{MARK} {self.index}-{step}", "line_ids": lines}])
        if kind == "search" or not order_id:
            return "search", ("autorepair.service.order", "search_read", [[("requested_work", "like", MARK)]],
                              {"fields": ["name", "state", "line_ids"], "limit": 20, "order": "id desc"})
        return kind, ("autorepair.service.order", "read", [[order_id], ["name", "amount_total"]])

    def _send(self, kind, call):
        """(outcome, detail, result) of one request; outcome "ok", "json error",
        "http <status>", "not json", "connection error" or "hang"."""
        try:
            if kind == "login":
                response = self.call("/web/session/authenticate",
                                     {"db": self.db, "login": "admin", "password": "admin"})
            else:
                response = self.call_kw(*call)
            if response.status_code != 200:
                title = re.search(r"<title>(.*?)</title>", response.text, re.S)
                return f"http {response.status_code}", (title.group(1) if title else response.text[:80]).strip(), None
            body = response.json()
        except requests.Timeout:
            return "hang", "", None
        except requests.RequestException as exc:
            return "connection error", type(exc).__name__, None
        except ValueError:
            return "not json", "", None
        if "error" in body:
            data = body["error"].get("data") or {}
            return "json error", f"{data.get('name', '')}: {data.get('message', '')}".replace("\n", " ")[:160], None
        return "ok", "", body.get("result")

    def run(self):
        while not self.stop.is_set():
            try:
                self.login()
                break
            except (requests.RequestException, RuntimeError, ValueError):
                time.sleep(1)
        self.logged_in.set()
        if self.go:
            self.go.wait()
        step, order_id, relogin = 0, None, False
        while not self.stop.is_set():
            step += 1
            kind, call = ("login", None) if relogin else self._request(step, order_id)
            started = time.time()
            outcome, detail, result = self._send(kind, call)
            self.results.append((started, time.time(), kind, outcome, detail, self.index))
            if outcome == "json error":
                # as the web client does: back to the login page
                relogin = "SessionExpired" in detail or kind == "login"
            elif outcome == "ok":
                relogin = False
                if kind == "create":
                    order_id = result[0] if isinstance(result, list) else result
            if self.think:
                time.sleep(self.think)


def classify(detail):
    """Short name of an error, for the summary."""
    detail = re.sub(r"\d+", "N", detail)
    return detail[:110]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--cluster", help="existing Debian cluster VERSION/NAME to use and restart "
                                          "(default: a private one, created and dropped)")
    parser.add_argument("--pg-port", type=int, default=5440, help="first port tried for the private cluster")
    parser.add_argument("--db", default="autorepair_fault")
    parser.add_argument("--http-port", type=int, default=8195)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--before", type=float, default=10, help="seconds of load before the restart")
    parser.add_argument("--after", type=float, default=15, help="seconds of load after the restart")
    parser.add_argument("--recovery", type=float, default=5,
                        help="seconds after the restart within which requests may still fail")
    parser.add_argument("--think", type=float, default=0.2, help="seconds between a session's requests")
    parser.add_argument("--timeout", type=float, default=30, help="a request without answer by then hangs")
    parser.add_argument("--keep", action="store_true", help="keep the private cluster and database")
    return parser.parse_args(argv)


def server_processes(server, logfile, failures):
    """(HTTP workers' pids, websocket process's pid). The websocket process must
    run beside them and stay up: the master respawns one that dies at start, so
    a pid seen once proves nothing."""
    children = server.children()
    workers = sorted(pid for pid, role in children.items() if role == "worker")
    gevent = [pid for pid, role in children.items() if role == "gevent"]
    time.sleep(5)
    still = [pid for pid, role in server.children().items() if role == "gevent"]
    with open(logfile, errors="replace") as fh:
        text = fh.read()
    running = "Evented Service (longpolling) running on" in text
    log(f"server up: master {server.proc.pid}, workers {workers}, websocket process {gevent or 'NONE'}"
        f"{'' if gevent and gevent == still and running else ' NOT RUNNING (see the log)'}")
    if not (gevent and gevent == still and running):
        failures.append("the websocket (gevent) process does not stay up"
                        + (": relative import (a launcher other than Odoo's own)"
                           if "attempted relative import" in text else "")
                        + (": gevent's plugins not found by pkg_resources (zope.interface/zope.event "
                           "too new for it, see requirements.txt)" if "DistributionNotFound" in text else ""))
    return workers, still[:1]


def customer_refs(url, db, timeout):
    """A customer and his car for the load's orders (found again in a kept database)."""
    setup = Client(url, db, 0, threading.Event(), [], {}, timeout)
    setup.login()

    def rpc(model, method, *rpc_args, **kwargs):
        body = setup.call_kw(model, method, list(rpc_args), kwargs).json()
        if "error" in body:
            raise SystemExit(f"{model}.{method}: {body['error']['data']['message']}")
        return body["result"]

    vehicle = rpc("fleet.vehicle", "search_read", [("license_plate", "=", "川A9F123")], fields=["owner_id"])
    if vehicle:
        return {"partner_id": vehicle[0]["owner_id"][0], "vehicle_id": vehicle[0]["id"]}
    partner = rpc("res.partner", "create", {"name": "故障测试 客户", "mobile": "13800138000",
                                            "is_autorepair_customer": True})
    brand = rpc("fleet.vehicle.model.brand", "create", {"name": "Fault Brand"})
    model = rpc("fleet.vehicle.model", "create", {"name": "Fault Model", "brand_id": brand})
    vehicle = rpc("fleet.vehicle", "create", {"model_id": model, "license_plate": "川A9F123",
                                              "owner_id": partner})
    return {"partner_id": partner, "vehicle_id": vehicle}


def load_with_restart(args, url, cluster, refs, failures):
    """The sessions' requests, and when PostgreSQL was down (start, end)."""
    stop, go = threading.Event(), threading.Event()
    results = collections.deque()
    clients = [Client(url, args.db, i + 1, stop, results, refs, args.timeout, args.think, go)
               for i in range(args.clients)]
    for client in clients:
        client.start()
    for client in clients:
        client.logged_in.wait(120)
    go.set()
    log(f"load: {args.clients} sessions logged in (create an order with {LINES_PER_ORDER} lines / "
        f"search / read, {args.think} s between requests)")
    time.sleep(args.before)
    log(f"restarting PostgreSQL {cluster.version}/{cluster.name} (pg_ctlcluster restart, fast mode)")
    restart = [time.time()]
    cluster.ctl("restart")
    cluster.wait_ready()
    restart.append(time.time())
    log(f"PostgreSQL back after {restart[1] - restart[0]:.1f} s")
    time.sleep(args.after)
    stop.set()
    for client in clients:
        client.join(args.timeout + 5)
    still = [c.index for c in clients if c.is_alive()]
    if still:
        failures.append(f"sessions still waiting for an answer: {still}")
    return list(results), restart


def workers_serving(server, cluster, db, since):
    """Workers holding a database connection opened after `since`: every
    connection of before the restart died with it, so such a worker served a
    request again (over TCP, a connection's client port is the worker's)."""
    ports = cluster.psql(db, "select string_agg(client_port::text, ',') from pg_stat_activity "
                             f"where datname = '{db}' and backend_start > to_timestamp({since})")
    ports = {int(p) for p in (ports or "").split(",") if p}
    serving = []
    for pid, role in sorted(server.children().items()):
        local = {c.laddr.port for c in psutil.Process(pid).connections("tcp")
                 if c.raddr and c.raddr.port == cluster.port}
        if role == "worker" and local & ports:
            serving.append(pid)
    return serving


def report_requests(rows, restart, recovery):
    start, end = restart
    phases = (
        ("before the restart", lambda r: r[1] < start),
        ("during the restart (in flight or sent while down)", lambda r: r[0] <= end and r[1] >= start),
        (f"recovery window ({recovery:.0f} s after)", lambda r: end < r[0] <= end + recovery),
        ("after recovery", lambda r: r[0] > end + recovery),
    )
    print()
    print(f"{'phase':52} {'requests':>8} {'ok':>6} {'json err':>8} {'other':>6} {'conn':>5} {'hang':>5}")
    for label, pick in phases:
        part = [r for r in rows if pick(r)]
        count = collections.Counter(r[3] for r in part)
        other = sum(v for k, v in count.items() if k.startswith("http") or k == "not json")
        print(f"{label:52} {len(part):>8} {count['ok']:>6} {count['json error']:>8} {other:>6} "
              f"{count['connection error']:>5} {count['hang']:>5}")
    print("  (json err: HTTP 200 with a JSON-RPC error; other: another HTTP answer; conn: connection refused/reset)")
    errors = collections.Counter((r[3], classify(r[4])) for r in rows if r[3] != "ok")
    if errors:
        print("\nfailed requests, by answer:")
        for (outcome, detail), n in errors.most_common():
            print(f"  {n:>5}  {outcome}: {detail}")
    first_ok = min((r[1] for r in rows if r[0] >= end and r[3] == "ok"), default=None)
    print()
    print(f"PostgreSQL restart took {end - start:.1f} s; first good answer "
          + (f"{first_ok - end:.2f} s after it was back" if first_ok else "NEVER"))
    return first_ok


def check_orders(cluster, db, before_count, rows):
    """No half-written order: each one with exactly its lines."""
    created = int(cluster.psql(db, "select count(*) from autorepair_service_order")) - before_count
    orphans = int(cluster.psql(db, """
        select count(*) from autorepair_service_order o
         where not exists (select 1 from autorepair_service_order_line l where l.order_id = o.id)"""))
    wrong = int(cluster.psql(db, f"""
        select count(*) from (select o.id from autorepair_service_order o
          left join autorepair_service_order_line l on l.order_id = o.id
         group by o.id having count(l.id) <> {LINES_PER_ORDER}) x"""))
    ok_creates = sum(1 for r in rows if r[2] == "create" and r[3] == "ok")
    print(f"orders created: {created} in the database, {ok_creates} answered OK; "
          f"orders without lines: {orphans}; orders with other than {LINES_PER_ORDER} lines: {wrong}")
    failures = []
    if orphans or wrong:
        failures.append("half-written orders")
    if ok_creates > created:
        failures.append("orders answered OK but missing from the database")
    return failures


def run_fault(args, cluster, server, logfile):
    failures = []
    if not cluster.psql("postgres", f"select 1 from pg_database where datname = '{args.db}'"):
        server.install()
    server.start()
    workers, gevent = server_processes(server, logfile, failures)
    url = f"http://127.0.0.1:{args.http_port}"
    refs = customer_refs(url, args.db, args.timeout)
    before_count = int(cluster.psql(args.db, "select count(*) from autorepair_service_order"))

    rows, restart = load_with_restart(args, url, cluster, refs, failures)

    after_workers = sorted(pid for pid, role in server.children().items() if role == "worker")
    after_gevent = [pid for pid, role in server.children().items() if role == "gevent"]
    serving = workers_serving(server, cluster, args.db, restart[0])
    first_ok = report_requests(rows, restart, args.recovery)
    print(f"workers before {workers}, after {after_workers}: "
          + ("the same processes, none restarted" if workers == after_workers else "CHANGED"))
    print(f"websocket process before {gevent}, after {after_gevent}: "
          + ("the same process" if gevent and gevent == after_gevent else "CHANGED OR MISSING"))
    if cluster.password:
        print(f"workers with a new database connection after the restart (served again): {serving}")
    else:
        print("workers serving again: not measured (over the unix socket; set ODOO_DB_PASSWORD for TCP)")
        serving = after_workers
    failures += check_orders(cluster, args.db, before_count, rows)

    hangs = sum(1 for r in rows if r[3] == "hang")
    late = [r for r in rows if r[0] > restart[1] + args.recovery and r[3] != "ok"]
    if hangs:
        failures.append(f"{hangs} requests hung (no answer within {args.timeout:.0f} s)")
    if late:
        failures.append(f"{len(late)} requests failed after the recovery window")
    if workers != after_workers:
        failures.append("workers were restarted")
    if gevent and gevent != after_gevent:
        failures.append("the websocket process was restarted")
    if serving != after_workers:
        failures.append("a worker did not serve again after the restart")
    if not first_ok:
        failures.append("no request succeeded after the restart")
    return failures


def main(argv):
    global ODOO_DIR  # noqa: PLW0603  (set once, read by the helpers)
    args = parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("run as root: it creates and restarts a PostgreSQL cluster")
    import odoo  # noqa: PLC0415  (only to find Odoo's folder and launcher)
    ODOO_DIR = Path(odoo.__file__).resolve().parent

    cluster = Cluster(args.cluster, args.pg_port, args.keep)
    work = tempfile.mkdtemp(prefix="autorepair-fault-pg-")
    # the filestore lives as long as the database: dropped with a private cluster
    data_dir = os.path.join(tempfile.gettempdir(), f"autorepair-fault-{cluster.name}-{args.db}")
    logfile = os.path.join(work, "odoo.log")
    server = Server(cluster, args.db, args.http_port, data_dir, logfile)
    try:
        failures = run_fault(args, cluster, server, logfile)
    except BaseException:
        if os.path.exists(logfile):
            with open(logfile, errors="replace") as fh:
                print("last lines of the server log:\n" + "".join(fh.readlines()[-30:]), file=sys.stderr)
        raise
    finally:
        server.stop()
        cluster.drop()
        if cluster.created and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"server log: {logfile}; data_dir {data_dir}")
    for failure in failures:
        print(f"FAIL: {failure}")
    print(f"PostgreSQL restart under load: {'FAILED' if failures else 'PASSED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
