"""SMS broadcast benchmark of autorepair_channel: 20,000 customers through Aliyun SMS.

A dealer's broadcast to every customer is queued as Odoo SMS (``sms.sms``
of kind broadcast, with the values of the company's approved Aliyun
template) and sent by the SMS queue's cron through the official Aliyun SDK
to a local Aliyun server (addons/autorepair_channel/tests/aliyun_server.py:
the request signature recomputed, SendSms/SendBatchSms answered as
documented) that enforces the account's per-second limit: a call that would
go over it is answered isv.BUSINESS_LIMIT_CONTROL, as Aliyun's flow control
does. It prints:

* queued/s: the broadcast's SMS rows created;
* sent/s and the sending time next to the limit's ideal (customers / limit);
* the calls the server throttled, and that no SMS was refused (every one
  accepted by Aliyun, none failed).

Run from the repository root (it is not a test; nothing here runs in CI):

    python3 tests/benchmark_sms_broadcast.py [--db autorepair_bench_sms] [--customers 20000] [--rate 200] [--keep]

The database is dropped and rebuilt unless --keep is given; its name must
contain "bench_sms", so that no other database is dropped. The care
broadcast (autorepair_care) is not used: on this branch it does not yet
queue its SMS with a kind and template values.
"""

import argparse
import importlib.util
import sys
import time
import types
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.tools import config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark_foundation as foundation  # noqa: E402  (a script beside this one, not a package)

DB_MARK = "bench_sms"
MODULE = "autorepair_channel"
SERVER_DIR = Path(__file__).resolve().parent.parent / "addons" / MODULE / "tests"


def load_aliyun_server():
    """The tests' local Aliyun server, loaded from its file: importing the
    addon's tests package would import Odoo's test framework."""
    package = types.ModuleType("aliyun_bench")
    package.__path__ = [str(SERVER_DIR)]
    sys.modules["aliyun_bench"] = package
    for name in ("common", "aliyun_server"):
        spec = importlib.util.spec_from_file_location(f"aliyun_bench.{name}", SERVER_DIR / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--db", default="autorepair_bench_sms", help="database to (re)build")
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=200, help="the account's limit, SMS per second")
    parser.add_argument("--keep", action="store_true", help="reuse the database and its customers")
    args = parser.parse_args(argv)
    if DB_MARK not in args.db:
        parser.error(f"--db must contain {DB_MARK!r}: the database is dropped")
    if args.customers < 1 or args.rate < 1:
        parser.error("--customers and --rate must be at least 1")
    return args


def make_customers(env, count):
    """``count`` customers with distinct mainland mobiles, created in batches."""
    have = env["res.partner"].search_count([("is_autorepair_customer", "=", True)])
    Partner = env["res.partner"].with_context(tracking_disable=True, mail_create_nolog=True)
    start = time.perf_counter()
    for first in range(have, count, 2000):
        Partner.create([{"name": f"客户{n:05d}", "mobile": f"139{n:08d}", "is_autorepair_customer": True}
                        for n in range(first, min(first + 2000, count))])
        env.cr.commit()
    if count > have:
        print(f"  {count - have:,} customers created in {time.perf_counter() - start:.1f} s", flush=True)
    return env["res.partner"].search([("is_autorepair_customer", "=", True)], limit=count, order="id")


def setup_company(env, server, rate):
    aliyun = sys.modules["aliyun_bench.aliyun_server"]
    company = env.company
    company.write({
        "autorepair_sms_provider": "aliyun", "autorepair_sms_sign_name": "锦城汽车",
        "autorepair_sms_rate_limit": rate, "autorepair_aliyun_access_key_id": aliyun.ACCESS_KEY_ID,
        "autorepair_aliyun_access_key_secret": aliyun.ACCESS_KEY_SECRET, "autorepair_aliyun_endpoint": server.url,
    })
    Template = env["autorepair.channel.template"]
    if not Template._autorepair_find(company, "aliyun", "broadcast"):
        Template.create({
            "name": "冬季免费检测", "kind": "broadcast", "provider": "aliyun", "code": "SMS_465329999",
            "approved": True, "content": "${name}您好，${shop}冬季免费检测活动开始了，欢迎到店。拒收请回复R",
            "param_ids": [(0, 0, {"sequence": 1, "name": "name", "source": "customer"}),
                          (0, 0, {"sequence": 2, "name": "shop", "source": "company"})],
        })
    env["sms.sms"].search([]).unlink()
    env.cr.commit()
    return company


def queue_broadcast(env, company, customers):
    """The broadcast's SMS rows, in bulk as a mass SMS creates them."""
    start = time.perf_counter()
    Sms = env["sms.sms"]
    for first in range(0, len(customers), 5000):
        Sms.create([{
            "number": customer.mobile, "partner_id": customer.id, "state": "outgoing",
            "body": f"{customer.name}您好，{company.name}冬季免费检测活动开始了，欢迎到店。拒收请回复R",
            "autorepair_kind": "broadcast", "autorepair_company_id": company.id,
            "autorepair_values": {"customer": customer.name, "company": company.name},
        } for customer in customers[first:first + 5000]])
    env.cr.commit()
    return time.perf_counter() - start


def send_all(env, server):
    """Run the SMS queue's cron until nothing is left to send, waiting for
    the backoff of throttled SMS as the cron's trigger would."""
    Sms = env["sms.sms"]
    start = time.perf_counter()
    runs = 0
    while True:
        Sms._process_queue()  # commits after each batch, as the cron does
        runs += 1
        env.invalidate_all()
        left = Sms.search([("state", "=", "outgoing")])
        if not left:
            break
        next_try = min((s.autorepair_next_try for s in left if s.autorepair_next_try), default=None)
        if next_try:
            time.sleep(max(0.0, (next_try - fields.Datetime.now()).total_seconds()) + 0.5)
    return time.perf_counter() - start, runs


def main(argv=None):
    args = parse_args(argv)
    options = foundation.odoo_options(args)
    config.parse_config(options, setup_logging=True)
    foundation.prepare_database(args, options, module=MODULE)
    registry = odoo.modules.registry.Registry.new(args.db)
    with load_aliyun_server().AliyunSmsServer(rate=args.rate) as server, registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": "Asia/Shanghai"})
        customers = make_customers(env, args.customers)
        company = setup_company(env, server, args.rate)
        count = len(customers)

        print(f"Queueing a broadcast to {count:,} customers", flush=True)
        queued = queue_broadcast(env, company, customers)
        print(f"Sending through the local Aliyun server, limit {args.rate} SMS/s", flush=True)
        seconds, runs = send_all(env, server)

        states = dict(env["sms.sms"]._read_group([], ["state"], ["__count"]))
        accepted = sum(len(call["numbers"]) for call in server.sent)
        throttled = sum(1 for code, _message in server.refused if code == "isv.BUSINESS_LIMIT_CONTROL")
        other_refusals = len(server.refused) - throttled
        ideal = count / args.rate
        print()
        print(f"SMS broadcast, {count:,} customers, Aliyun limit {args.rate}/s")
        print(f"  queued      {queued:8.2f} s  {count / queued:9,.0f} SMS/s")
        print(f"  sent        {seconds:8.2f} s  {count / seconds:9,.0f} SMS/s  in {runs} queue run(s), "
              f"{len(server.sent)} API calls")
        print(f"  ideal       {ideal:8.2f} s  (customers / limit): {seconds / ideal:.2f}x the ideal")
        print(f"  throttled   {throttled} call(s) answered isv.BUSINESS_LIMIT_CONTROL, then retried")
        print(f"  accepted    {accepted:,} by Aliyun; SMS states {states}")
        refused = states.get("error", 0) + states.get("outgoing", 0)
        verdict = "none refused" if not refused and not other_refusals and accepted == count else (
            f"{refused} SMS not sent, {other_refusals} calls refused otherwise")
        print(f"  result      {verdict}")
        return 0 if verdict == "none refused" else 1


if __name__ == "__main__":
    sys.exit(main())
