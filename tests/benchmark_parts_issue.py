"""Parts issue benchmark of autorepair_workshop (领料 in one batch).

On a database with autorepair_workshop installed (and a chart of accounts on
its main company, so that issues are valued in real time), it builds in one
transaction ``--orders`` x 2 approved service orders, each with ``--parts``
part lines of stocked OEM parts, approved through the lines' own step (which
reserves them: one parts picking per order, a move per line), then times:

* the reservation of the approval of --orders orders in one batch
  (``line.write({"decision": "approved"})``: ``_autorepair_sync_moves``);
* issuing every part of --orders orders in one batch as the storekeeper
  (``autorepair.service.order.line._autorepair_issue_parts``, the method the
  issue wizard calls): moves done, valuation layers and journal entries;
* Odoo's own ``stock.picking.button_validate`` of the same moves of the other
  --orders orders (same parts, same quantities), in the same run.

Each with its wall time, its SQL query count and its time per order. Nothing
is kept: the transaction is rolled back at the end.

Run from the repository root (it is not a test; nothing here runs in CI):

    python3 tests/benchmark_parts_issue.py --db <database> [--orders 1000] [--parts 3]

Odoo must be importable; the addons path is taken from Odoo's package and
from this repository.
"""

import argparse
import sys
import time
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
PARTS = (
    ("机油滤清器", "06L115562B", 38.0), ("空气滤清器", "5QD129620D", 45.0), ("空调滤清器", "5QD819653", 40.0),
    ("火花塞", "06K905601B", 35.0), ("前刹车片", "3Q0698151A", 260.0), ("雨刮片", "5G1998002", 90.0),
)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                      formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--db", required=True, help="a database with autorepair_workshop installed")
    parser.add_argument("--orders", type=int, default=1000, help="orders per batch (two batches are built)")
    parser.add_argument("--parts", type=int, default=3, help="part lines per order")
    args = parser.parse_args(argv)
    if args.orders < 1 or not 1 <= args.parts <= len(PARTS):
        parser.error(f"--orders must be positive and --parts between 1 and {len(PARTS)}")
    return args


def setup_odoo(db):
    addons = [str(Path(odoo.__file__).parent / "addons"), str(Path(odoo.__file__).parent.parent / "addons"),
              str(ROOT / "addons")]
    config.parse_config(["-d", db, "--addons-path", ",".join(p for p in addons if Path(p).is_dir())])
    odoo.service.server.load_server_wide_modules()
    return odoo.modules.registry.Registry(db)


class Timer:
    """Wall time and SQL queries of a block."""

    def __init__(self, env, label):
        self.env, self.label = env, label

    def __enter__(self):
        self.env.flush_all()
        self.queries = self.env.cr.sql_log_count
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.env.flush_all()
        self.seconds = time.perf_counter() - self.start
        self.queries = self.env.cr.sql_log_count - self.queries


# ------------------------------------------------------------------ building


def make_parts(env, company, count, on_hand):
    """Stocked OEM parts of the parts category with enough on the shelf."""
    category = env.ref("autorepair_workshop.product_category_parts")
    store = company.autorepair_parts_picking_type_id.default_location_src_id
    products = env["product.product"].create([
        {"name": f"{name}（基准）", "default_code": f"BENCH-{code}", "is_storable": True, "is_oem": True,
         "categ_id": category.id, "standard_price": cost, "list_price": cost * 2}
        for name, code, cost in PARTS[:count]
    ])
    env["stock.quant"].with_context(inventory_mode=True).create([
        {"product_id": product.id, "location_id": store.id, "inventory_quantity": on_hand} for product in products
    ]).action_apply_inventory()
    return products


def make_orders(env, company, count, products):
    """Orders being worked on, each with one pending line per part (not reserved yet)."""
    vehicles = env["fleet.vehicle"].search([("owner_id", "!=", False), ("company_id", "in", [company.id, False])])
    if not vehicles:
        sys.exit("the database has no vehicle with an owner: install the demo data or the foundation's benchmark")
    Order = env["autorepair.service.order"].with_context(tracking_disable=True, mail_create_nolog=True)
    orders = Order.create([
        {"vehicle_id": vehicles[i % len(vehicles)].id, "company_id": company.id, "need_type": "repair"}
        for i in range(count)])
    orders._write_workflow({"state": "approved"})
    env["autorepair.service.order.line"].with_context(tracking_disable=True).create([
        {"order_id": order.id, "line_type": "part", "product_id": product.id, "quantity": 1 + i % 2}
        for order in orders for i, product in enumerate(products)])
    return orders


def storekeeper(env, company):
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": "基准仓管员", "login": f"bench_storekeeper_{time.time_ns()}", "company_id": company.id,
        "company_ids": [Command.set(company.ids)],
        "groups_id": [Command.set([env.ref("autorepair_workshop.group_storekeeper").id])],
    })


# ------------------------------------------------------------------ running


def report(label, timer, orders, moves):
    print(f"  {label:<46} {timer.seconds:8.2f} s  {timer.queries:7d} queries  "
          f"{1000 * timer.seconds / orders:7.2f} ms/order  ({moves} moves)")


def run(env, args):
    company = env["res.company"].search([("chart_template", "!=", False)], limit=1, order="id")
    if not company or not company.autorepair_parts_picking_type_id:
        sys.exit("no company with a chart of accounts and a parts store")
    env = env(context=dict(env.context, allowed_company_ids=company.ids, tracking_disable=True))
    products = make_parts(env, company, args.parts, on_hand=10 * args.orders * args.parts)
    batch_a = make_orders(env, company, args.orders, products)
    batch_b = make_orders(env, company, args.orders, products)
    print(f"{args.orders} orders x {args.parts} parts per batch, company {company.name}")

    with Timer(env, "reserve") as reserve:
        batch_a.line_ids.sudo().write({"decision": "approved"})
    lines_a = batch_a.line_ids
    moves_a = lines_a.sudo().move_ids
    report("approval: reserve (_autorepair_sync_moves)", reserve, args.orders, len(moves_a))
    assert set(moves_a.mapped("state")) == {"assigned"}, set(moves_a.mapped("state"))
    batch_b.line_ids.sudo().write({"decision": "approved"})
    pickings_b = batch_b.sudo().parts_picking_ids
    moves_b = pickings_b.move_ids
    assert len(pickings_b) == args.orders and set(moves_b.mapped("state")) == {"assigned"}

    keeper = storekeeper(env, company)
    Line = env["autorepair.service.order.line"].with_user(keeper)
    layers_before = env["stock.valuation.layer"].search_count([])
    with Timer(env, "issue") as issue:
        Line._autorepair_issue_parts({line: line.qty_to_issue for line in lines_a.with_user(keeper)})
    report("issue: _autorepair_issue_parts (one batch)", issue, args.orders, len(moves_a))
    assert set(moves_a.mapped("state")) == {"done"} and not any(lines_a.mapped("qty_to_issue"))
    layers = env["stock.valuation.layer"].search_count([]) - layers_before

    with Timer(env, "validate") as validate:
        pickings_b.move_ids.picked = True
        pickings_b.with_user(keeper).with_context(skip_sms=True).button_validate()
    report("Odoo: stock.picking.button_validate (same moves)", validate, args.orders, len(moves_b))
    assert set(moves_b.mapped("state")) == {"done"}
    assert not any(batch_b.line_ids.mapped("qty_to_issue"))

    print(f"  valuation layers of the batch issue: {layers} (one per move)")
    print(f"  batch issue / button_validate: {issue.seconds / validate.seconds:.2f}x time, "
          f"{issue.queries / max(validate.queries, 1):.2f}x queries")
    return {"reserve": reserve, "issue": issue, "validate": validate}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    registry = setup_odoo(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            run(env, args)
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
