"""Settlement side by side: the workshop's batch settlement next to Odoo's own paths.

On the service orders of benchmark_service_orders.py (its generators, at the
sizes given), with ``sale`` installed in this benchmark's database only, it
settles 1,000 checked orders in one batch and times, in one run:

* the workshop: ``autorepair.service.order._create_invoices`` (the batch
  settlement: invoices created and posted, the orders settled);
* (a) Odoo's sales: ``sale.order._create_invoices`` + ``action_post`` of
  confirmed sale orders of the same customers, products, quantities, prices,
  discounts and taxes, one sale order per invoice the workshop made
  (``grouped=True``: the same invoices, not merged per customer);
* (b) bare ``account.move`` ``create`` + ``action_post`` of the same invoices
  (the workshop's invoice values, with the same context that spares each
  invoice its creation note and follower: the floor of what Odoo needs).

Each path gets a warm-up batch first and is rolled back after its timing, so
that every path starts from the same data (and ``--keep`` runs it again). It
prints orders/s for each and the ratios; targets: the workshop within 1.3x of
(b) and faster than (a). All three run as the superuser: the same rights for
each, no record rule on one path only.

Run from the repository root (it is not a test; nothing here runs in CI):

    python3 tests/benchmark_settlement.py [--db autorepair_bench_settlement] [--keep] \\
        [--customers 2000 --vehicles 2500 --readings 20000 --invoices 6000 --orders 10000]

The sizes default to the small ones above: the settled batch (--invoice-batch,
default 1,000) is what is timed, and the history around it matters little here.
The database name must start with "autorepair_bench" and contain "settle".
"""

import copy
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark_foundation as foundation  # noqa: E402  (scripts beside this one, not a package)
import benchmark_service_orders as orders_bench  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api, fields  # noqa: E402
from odoo.tools import config  # noqa: E402

DEFAULT_DB = "autorepair_bench_settlement"
SMALL = ["--customers", "2000", "--vehicles", "2500", "--readings", "20000", "--invoices", "6000",
         "--orders", "10000"]
TARGET_BARE_RATIO = 1.3  # workshop seconds / bare seconds
WARM_UP = 20  # orders settled (and rolled back) before each timed batch
TABLES = orders_bench.SETTLEMENT_TABLES + ", sale_order, sale_order_line, sale_order_line_invoice_rel"
FLOAT_FIELDS = ("quantity", "price_unit", "discount")


def parse_args(argv):
    argv = list(sys.argv[1:] if argv is None else argv)
    # the small sizes unless given
    for index in range(0, len(SMALL), 2):
        if SMALL[index] not in argv:
            argv += SMALL[index:index + 2]
    if "--db" not in argv:
        argv += ["--db", DEFAULT_DB]
    args = orders_bench.parse_args(argv)
    # the generator leaves --invoice-batch orders to settle: the warm-up takes its own beyond the timed batch
    args.settle_batch = args.invoice_batch
    args.invoice_batch += WARM_UP
    if not (args.db.startswith("autorepair_bench") and "settle" in args.db):
        sys.exit("--db must start with 'autorepair_bench' and contain 'settle': the database is dropped")
    return args


def orders_to_settle(env, count):
    """Checked cars waiting for the cashier, as the generator leaves them."""
    orders = env["autorepair.service.order"].search(orders_bench.TO_SETTLE, order="id", limit=count)
    assert len(orders) == count, f"only {len(orders)} orders to settle"
    return orders


def invoice_values(invoices):
    """What bare account.move create needs to make the same invoices again."""
    vals_list = []
    for move in invoices:
        vals_list.append({
            "move_type": move.move_type,
            "partner_id": move.partner_id.id,
            "journal_id": move.journal_id.id,
            "company_id": move.company_id.id,
            "invoice_date": move.invoice_date,
            "invoice_origin": move.invoice_origin,
            "ref": move.ref,
            "invoice_line_ids": [
                fields.Command.create({
                    "product_id": line.product_id.id, "name": line.name,
                    "tax_ids": [fields.Command.set(line.tax_ids.ids)],
                    **{name: line[name] for name in FLOAT_FIELDS},
                })
                for line in move.invoice_line_ids
            ],
        })
    return vals_list


def sale_order_values(vals_list):
    """One sale order per invoice: the same customer, products and lines."""
    return [{
        "partner_id": vals["partner_id"],
        "company_id": vals["company_id"],
        "client_order_ref": vals["ref"],
        "order_line": [fields.Command.create({
            "product_id": line["product_id"], "name": line["name"], "product_uom_qty": line["quantity"],
            "price_unit": line["price_unit"], "discount": line["discount"], "tax_id": line["tax_ids"],
        }) for _command, _id, line in vals["invoice_line_ids"]],
    } for vals in vals_list]


def settle_workshop(env, orders):
    invoices = orders._create_invoices()
    env.flush_all()
    return invoices


def settle_bare(env, vals_list):
    # the context the workshop creates its invoices with: no creation note, no follower
    moves = env["account.move"].with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create(vals_list)
    moves.action_post()
    env.flush_all()
    return moves


def settle_sale(env, sale_orders):
    invoices = sale_orders._create_invoices(grouped=True)
    invoices.action_post()
    env.flush_all()
    return invoices


def timed_run(env, label, batch, run, warm_up):
    """Warm-up, then the timed batch; each rolled back."""
    cr = env.cr
    for rollback_after, work in ((True, warm_up), (False, batch)):
        if rollback_after and not work:
            continue
        savepoint = cr.savepoint()
        if not rollback_after:
            foundation.vacuum(cr.dbname, TABLES)
            cpu = time.process_time()
            with foundation.measured(cr) as stats:
                invoices = run(work)
            stats["cpu_seconds"] = time.process_time() - cpu
            stats.update(label=label, invoices=len(invoices), lines=len(invoices.invoice_line_ids),
                         posted=set(invoices.mapped("state")) == {"posted"},
                         total=sum(invoices.mapped("amount_total")))
        else:
            run(work)
        savepoint.close(rollback=True)
        env.invalidate_all(flush=False)
    print(f"  {label}: {stats['seconds']:.2f} s", flush=True)
    return stats


def prepare_sale(env):
    """Service products invoiced on order: the sale orders are invoiceable once confirmed,
    as the service orders are once checked."""
    products = env["product.product"].search([("sale_ok", "=", True)])
    products.product_tmpl_id.filtered(lambda t: t.invoice_policy != "order").invoice_policy = "order"


def run(env, args):
    batch = args.settle_batch
    orders = orders_to_settle(env, batch)
    # the workshop's invoices, once, to build the same invoices on the other paths
    savepoint = env.cr.savepoint()
    invoices = settle_workshop(env, orders)
    vals_list = invoice_values(invoices)
    shape = {"invoices": len(invoices), "lines": len(invoices.invoice_line_ids)}
    savepoint.close(rollback=True)
    env.invalidate_all(flush=False)
    print(f"  {batch:,} orders make {shape['invoices']:,} invoices of {shape['lines']:,} lines", flush=True)

    prepare_sale(env)
    start = time.perf_counter()
    sale_orders = env["sale.order"].create(sale_order_values(vals_list))
    sale_orders.action_confirm()
    env.flush_all()
    print(f"  {len(sale_orders):,} sale orders made and confirmed in {time.perf_counter() - start:.1f} s", flush=True)
    # the warm-up of each path takes orders and invoices after the timed ones' share
    warm_orders = orders_to_settle(env, batch + WARM_UP)[batch:]
    # create may change the values it is given: each run has its own copy
    warm_vals = copy.deepcopy(vals_list[:WARM_UP])
    warm_sales = sale_orders[:WARM_UP]
    results = [
        timed_run(env, "workshop: _create_invoices (settlement)", orders,
                  lambda work: settle_workshop(env, work), warm_orders),
        timed_run(env, "(b) bare account.move create + post", copy.deepcopy(vals_list),
                  lambda work: settle_bare(env, work), warm_vals),
        timed_run(env, "(a) sale.order _create_invoices + post", sale_orders,
                  lambda work: settle_sale(env, work), warm_sales),
    ]
    for stats in results:
        stats["rate"] = batch / stats["seconds"]
    return shape, results


def print_summary(args, shape, results):
    workshop, bare, sale = results
    print("\n" + "=" * 100)
    print(f"SUMMARY  database {args.db}: settling {args.settle_batch:,} checked orders -> "
          f"{shape['invoices']:,} invoices, {shape['lines']:,} lines; {odoo.release.version}")
    print("=" * 100)
    for stats in results:
        print(f"  {stats['label']:<42}{stats['seconds']:8.2f} s  {stats['rate']:8.1f} orders/s  "
              f"{stats['queries']:>7,} queries  {stats['db_seconds']:6.2f} s in PostgreSQL  "
              f"{stats['cpu_seconds']:6.2f} s CPU  {stats['invoices']:,} invoices, {stats['lines']:,} lines, "
              f"posted: {'yes' if stats['posted'] else 'NO'}, total {stats['total']:,.2f}")
    to_bare = workshop["seconds"] / bare["seconds"]
    to_sale = workshop["seconds"] / sale["seconds"]
    print(f"  ratio workshop / (b) bare   {to_bare:6.2f}x  target <= {TARGET_BARE_RATIO}x  "
          f"{foundation.verdict(to_bare <= TARGET_BARE_RATIO)}")
    print(f"  ratio workshop / (a) sale   {to_sale:6.2f}x  target < 1x (faster)  {foundation.verdict(to_sale < 1)}")
    # wall time stretches on a shared machine; Odoo's CPU time much less: both printed
    print(f"  CPU in Odoo: workshop / (b) {workshop['cpu_seconds'] / bare['cpu_seconds']:.2f}x, "
          f"workshop / (a) {workshop['cpu_seconds'] / sale['cpu_seconds']:.2f}x; queries: workshop / (b) "
          f"{workshop['queries'] / bare['queries']:.2f}x, workshop / (a) {workshop['queries'] / sale['queries']:.2f}x")
    same = len({(stats["invoices"], stats["lines"], round(stats["total"], 2)) for stats in results}) == 1
    print(f"  same invoices on the three paths (count, lines, total): {'yes' if same else 'NO'}")
    print("Load average (1, 5, 15 min) at the end: " + ", ".join(f"{load:.1f}" for load in os.getloadavg())
          + f" on {os.cpu_count()} CPUs")


def main(argv=None):
    args = parse_args(argv)
    options = foundation.odoo_options(args)
    config.parse_config(options, setup_logging=True)
    reused = foundation.prepare_database(args, options, module="autorepair_workshop,sale")
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": orders_bench.TZ, "lang": "en_US"})
        if not reused:
            foundation.generate(env, args)
        if not orders_bench.count_orders(env):
            orders_bench.generate_orders(env, args)
        print("Settling side by side", flush=True)
        shape, results = run(env, args)
        cr.rollback()  # the sale orders too: --keep runs the same benchmark again
    print_summary(args, shape, results)


if __name__ == "__main__":
    main()
