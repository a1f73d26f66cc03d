"""Parts and labour benchmark of autorepair_workshop at the size of a dealer group's catalogue.

Part 1, the parts catalogue: 200,000 parts (storable products of the parts
category with the makers' numbers, a third aftermarket equivalents of an OEM
part, each fitting one to three of 400 car models over a range of years) and
20,000 labour operations (with the standard hours of one model each),
generated with set-based SQL from rows the ORM itself writes. It then times
picking a part by a fragment of its number for a car, the very call the quote
line's part field makes in the browser (``product.product.name_search`` with
the order's car in context, as a service advisor, limit 8): median and p95
over the fragments (target: median under 50 ms), with the plan of a typical
one. Fragments of names are timed beside them for information.

Run from the repository root (it is not a test; nothing here runs in CI):

    python3 tests/benchmark_parts.py [--db autorepair_bench_parts] [--parts 200000] [--operations 20000] [--keep]

The database is dropped and rebuilt unless --keep is given (then the module is
updated and the data reused when there is any). Its name must start with
"autorepair_bench_parts", so that no other benchmark's database is dropped.

Further parts (the stock flow: issuing the parts of many orders) add a
``bench_*`` function and a line in :func:`main`.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.service import db as db_service
from odoo.tools import SQL, config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark_foundation as foundation  # noqa: E402  (a script beside this one, not a package)

DB_PREFIX = "autorepair_bench_parts"
MODULE = "autorepair_workshop"
BRANDS = 40
MODELS_PER_BRAND = 10
SAMPLES = 200
LIMIT = 8  # what the web client's many2one asks for
TARGET_MEDIAN_MS = 50
PART_KINDS = (
    "机油滤清器", "空气滤清器", "空调滤清器", "燃油滤清器", "火花塞", "前刹车片", "后刹车片", "前刹车盘",
    "后刹车盘", "雨刮片", "正时皮带", "发电机皮带", "水泵", "节温器", "点火线圈", "氧传感器",
    "前减震器", "后减震器", "下摆臂", "球头", "稳定杆连杆", "轮毂轴承", "离合器片", "蓄电池",
    "大灯总成", "尾灯总成", "前保险杠", "后视镜片", "冷凝器", "散热器",
)
OPERATION_KINDS = (
    ("更换机油机滤", "mechanical"), ("更换空气滤清器", "mechanical"), ("四轮定位", "mechanical"),
    ("前刹车片更换", "mechanical"), ("更换火花塞", "mechanical"), ("检查电路", "electrical"),
    ("更换蓄电池", "electrical"), ("钣金修复", "body"), ("喷漆(每幅)", "paint"), ("抛光打蜡", "paint"),
)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--db", default=DB_PREFIX, help="database to (re)build")
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    parser.add_argument("--parts", type=int, default=200_000)
    parser.add_argument("--operations", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--keep", action="store_true", help="reuse the database, and its data if it holds any")
    args = parser.parse_args(argv)
    if not args.db.startswith(DB_PREFIX):
        parser.error(f"--db must start with {DB_PREFIX!r}: the database is dropped")
    if min(args.parts, args.operations, args.samples) < 1:
        parser.error("every size must be at least 1")
    return args


# ----------------------------------------------------------------- database


def count_parts(db_name):
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        cr.execute("SELECT to_regclass('autorepair_part_fitment') IS NOT NULL")
        if not cr.fetchone()[0]:
            return 0
        cr.execute("SELECT count(DISTINCT product_tmpl_id) FROM autorepair_part_fitment")
        return cr.fetchone()[0]


def prepare_database(args, options):
    """Install (or with --keep update) the module without demo data; True
    when the database already holds generated parts to reuse."""
    reuse = args.keep and db_service.exp_db_exist(args.db)
    if not reuse and db_service.exp_db_exist(args.db):
        db_service.exp_drop(args.db)
    action = f"--update={MODULE}" if reuse else f"--init={MODULE}"
    print(f"{'Updating' if reuse else 'Installing'} {MODULE} in {args.db}", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "odoo", "server", *options, action, "--without-demo=all", "--stop-after-init",
         "--no-http"],
        check=True,
    )
    print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)
    parts = count_parts(args.db) if reuse else 0
    if parts:
        print(f"  reusing its data (--keep): {parts:,} parts")
    return parts > 0


# --------------------------------------------------------------- generation


def create_models(env):
    """40 brands of 10 models each, and one car of each model (a model year
    in 2012-2025) with an advisor to quote them."""
    brands = env["fleet.vehicle.model.brand"].create([{"name": f"品牌{b:02d}"} for b in range(BRANDS)])
    models = env["fleet.vehicle.model"].create([
        {"name": f"车型{b:02d}-{m}", "brand_id": brand.id}
        for b, brand in enumerate(brands) for m in range(MODELS_PER_BRAND)
    ])
    rng = random.Random(16)
    vehicles = env["fleet.vehicle"].create([
        {"model_id": model.id, "model_year": str(rng.randint(2012, 2025)), "license_plate": f"川A{90000 + i}"}
        for i, model in enumerate(models)
    ])
    env["res.users"].with_context(no_reset_password=True).create({
        "name": "基准顾问", "login": "bench_advisor",
        "groups_id": [(6, 0, [env.ref("autorepair_workshop.group_advisor").id])],
    })
    return models, vehicles


def insert_parts(env, count, models):
    """The parts as the ORM would write them (one template row and one
    variant row each, copied from a part created and rolled back), the
    numbers unique (a bijection of the index), names from the parts' kinds;
    one part in three an aftermarket equivalent of the OEM part before it."""
    cr = env.cr
    parts = env.ref("autorepair_workshop.product_category_parts")
    template_row = foundation.orm_row(env, "product.template", {
        "name": "模板", "categ_id": parts.id, "is_storable": True, "type": "consu", "list_price": 100.0,
        "default_code": False,
    })
    ids = foundation.allocate_ids(cr, "product_template", count)
    kinds = SQL("ARRAY[%s]", SQL(", ").join(SQL("%s", kind) for kind in PART_KINDS))
    model_names = SQL("ARRAY[%s]", SQL(", ").join(SQL("%s", model.name) for model in models))
    cr.execute(SQL(
        """CREATE TEMP TABLE bench_part AS
           SELECT t.id, t.n,
                  -- a maker's number: 3 characters, 6 digits (a bijection of n), a letter
                  upper(substr(md5(t.n::text), 1, 3)) || lpad(mod(t.n * 7919, 1000000)::text, 6, '0')
                      || chr(65 + mod(t.n, 26)::int) AS default_code,
                  jsonb_build_object('en_US', (%(kinds)s)[1 + mod(t.n, %(nkinds)s)] || ' ('
                      || (%(models)s)[1 + mod(t.n / 7, %(nmodels)s)] || ')') AS name,
                  mod(t.n, 3) <> 2 AS is_oem,
                  CASE WHEN mod(t.n, 3) = 2 THEN lag(t.id) OVER (ORDER BY t.n) END AS oem_part_id,
                  (50 + mod(t.n * 37, 2000))::numeric AS list_price
             FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS t(id, n)""",
        kinds=kinds, nkinds=len(PART_KINDS), models=model_names, nmodels=len(models), ids=ids,
    ))
    with foundation.bulk_load(cr, "product_template"):
        foundation.insert_like(cr, "product_template", template_row,
                               SQL("bench_part"), ["id", "name", "default_code", "is_oem", "list_price"])
    cr.execute("UPDATE product_template t SET oem_part_id = p.oem_part_id FROM bench_part p "
               "WHERE p.id = t.id AND p.oem_part_id IS NOT NULL")
    variant_row = foundation.orm_row(env, "product.product", {
        "name": "模板", "categ_id": parts.id, "is_storable": True, "type": "consu", "default_code": "X"})
    with foundation.bulk_load(cr, "product_product"):
        foundation.insert_like(cr, "product_product", variant_row,
                               SQL("(SELECT id AS product_tmpl_id, default_code FROM bench_part)"),
                               ["product_tmpl_id", "default_code"])
    return ids


def insert_fitments(env, models):
    """Each part fits the model its name says, a third of them a second
    model, a tenth a whole brand; from a model year in 2010-2020, a quarter
    of them up to a year in 2016-2025."""
    cr = env.cr
    model_ids = SQL("ARRAY[%s]::int[]", SQL(", ").join(SQL("%s", model.id) for model in models))
    brand_ids = SQL("ARRAY[%s]::int[]", SQL(", ").join(SQL("%s", model.brand_id.id) for model in models))
    row = foundation.orm_row(env, "autorepair.part.fitment", {
        "product_tmpl_id": env["product.template"].search([], limit=1).id, "model_id": models[0].id})
    source = SQL(
        """(SELECT p.id AS product_tmpl_id, (%(brands)s)[f.m] AS brand_id,
                   CASE WHEN f.whole_brand THEN NULL ELSE (%(models)s)[f.m] END AS model_id,
                   2010 + mod(p.n * 13, 11) AS year_from,
                   CASE WHEN mod(p.n, 4) = 0 THEN 2016 + mod(p.n * 17, 10) ELSE 0 END AS year_to
              FROM bench_part p,
                   LATERAL (VALUES (1 + mod(p.n / 7, %(nmodels)s), mod(p.n, 10) = 0),
                                   (1 + mod(p.n * 31, %(nmodels)s), false)) AS f(m, whole_brand)
             WHERE f.m = 1 + mod(p.n / 7, %(nmodels)s) OR mod(p.n, 3) = 0)""",
        brands=brand_ids, models=model_ids, nmodels=len(models),
    )
    with foundation.bulk_load(cr, "autorepair_part_fitment"):
        foundation.insert_like(cr, "autorepair_part_fitment", row, source,
                               ["product_tmpl_id", "brand_id", "model_id", "year_from", "year_to"])


def insert_operations(env, count, models):
    """Labour operations with a code, a category, standard hours, and the
    hours of one model each."""
    cr = env.cr
    row = foundation.orm_row(env, "autorepair.labour.operation", {"name": "模板", "code": "TPL"})
    names = SQL("ARRAY[%s]", SQL(", ").join(SQL("%s", name) for name, _category in OPERATION_KINDS))
    categories = SQL("ARRAY[%s]", SQL(", ").join(SQL("%s", category) for _name, category in OPERATION_KINDS))
    source = SQL(
        """(SELECT jsonb_build_object('en_US', (%(names)s)[1 + mod(n, %(kinds)s)] || ' ' || n) AS name,
                   'OP' || lpad(n::text, 6, '0') AS code, (%(categories)s)[1 + mod(n, %(kinds)s)] AS category,
                   0.5 + mod(n, 8) * 0.5 AS standard_hours
              FROM generate_series(1, %(count)s) AS n)""",
        names=names, categories=categories, kinds=len(OPERATION_KINDS), count=count,
    )
    foundation.insert_like(cr, "autorepair_labour_operation", row, source,
                           ["name", "code", "category", "standard_hours"])
    model_ids = SQL("ARRAY[%s]::int[]", SQL(", ").join(SQL("%s", model.id) for model in models))
    time_row = foundation.orm_row(env, "autorepair.labour.time", {
        "operation_id": env["autorepair.labour.operation"].search([], limit=1).id, "model_id": models[0].id,
        "hours": 1.0})
    foundation.insert_like(cr, "autorepair_labour_time", time_row, SQL(
        """(SELECT o.id AS operation_id, (%(models)s)[1 + mod(o.id, %(nmodels)s)] AS model_id,
                   o.standard_hours * 1.2 AS hours
              FROM autorepair_labour_operation o WHERE left(o.code, 2) = 'OP')""",
        models=model_ids, nmodels=len(models)), ["operation_id", "model_id", "hours"])


def generate(env, args):
    timings = {}
    print("Generating", flush=True)
    with foundation.timed(timings, "car models and cars"):
        models, _vehicles = create_models(env)
    with foundation.timed(timings, f"{args.parts:,} parts"):
        insert_parts(env, args.parts, models)
    with foundation.timed(timings, "fitments"):
        insert_fitments(env, models)
    with foundation.timed(timings, f"{args.operations:,} labour operations"):
        insert_operations(env, args.operations, models)
    env.cr.commit()
    env.invalidate_all()
    with foundation.timed(timings, "vacuum analyze"):
        foundation.vacuum(env.cr.dbname, "product_template, product_product, autorepair_part_fitment, "
                                         "autorepair_labour_operation, autorepair_labour_time")
        with closing(odoo.sql_db.db_connect(env.cr.dbname).cursor()) as cr:
            cr._cnx.autocommit = True
            cr.execute("ANALYZE")
    return timings


def counts(env):
    result = {}
    for table in ("product_template", "product_product", "autorepair_part_fitment",
                  "autorepair_labour_operation", "autorepair_labour_time", "fleet_vehicle"):
        env.cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        result[table] = env.cr.fetchone()[0]
    return result


# ------------------------------------------------------------------- part 1


def pick(products, vehicle, fragment, company):
    """The quote line's part field, as the browser calls it."""
    domain = ["|", ("company_id", "=", False), ("company_id", "parent_of", company.id)]
    return products.with_context(autorepair_vehicle_id=vehicle.id).name_search(fragment, domain, "ilike", LIMIT)


def bench_part_picking(env, samples):
    """Median and p95 of picking a part by a number fragment (and by a name
    fragment) for a car, as an advisor."""
    rng = random.Random(1)
    advisor = env["res.users"].search([("login", "=", "bench_advisor")])
    products = env["product.product"].with_user(advisor)
    vehicles = env["fleet.vehicle"].search([("license_plate", "like", "川A9")])
    env.cr.execute(SQL("SELECT default_code FROM product_product WHERE default_code IS NOT NULL "
                       "ORDER BY random() LIMIT %s", samples))
    codes = [code for (code,) in env.cr.fetchall()]
    kinds = (
        ("6 digits", lambda code: code[3:9]),
        ("last 5", lambda code: code[-5:]),
        ("first 7", lambda code: code[:7]),
        ("whole, lower case", str.lower),
    )
    fragments = [(label, make(code)) for i, code in enumerate(codes) for label, make in [kinds[i % len(kinds)]]]
    names = [(kind, kind) for kind in PART_KINDS] + [(f"{kind} (车型", f"{kind} (车型") for kind in PART_KINDS[:10]]
    results = {}
    for what, cases in (("number", fragments), ("name", names)):
        times, found = [], 0
        for _i in range(3):  # warm the caches as a working server is
            pick(products, vehicles[0], cases[0][1], advisor.company_id)
        for _label, fragment in cases:
            vehicle = vehicles[rng.randrange(len(vehicles))]
            env.invalidate_all()
            start = time.perf_counter()
            rows = pick(products, vehicle, fragment, advisor.company_id)
            times.append((time.perf_counter() - start) * 1000)
            found += bool(rows)
        results[what] = {
            "count": len(times), "found": found, "median": statistics.median(times),
            "p95": foundation.percentile(times, 0.95), "max": max(times),
        }
    results["plan"] = explain(products, vehicles[0], fragments[0][1])
    return results


def explain(products, vehicle, fragment):
    """The plan of the query picking by number (the first step of the name search)."""
    domain = [("default_code", "ilike", fragment)]
    query = products._autorepair_pick_query(domain, products._autorepair_fits_sql(vehicle), fragment, LIMIT)
    products.env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query.select()))
    return "\n".join(line for (line,) in products.env.cr.fetchall())


def print_picking(result):
    print("\nPicking a part for a car (product.product.name_search, limit 8, as an advisor)")
    for what in ("number", "name"):
        row = result[what]
        print(f"  by {what} fragment: {row['count']} fragments, {row['found']} found, "
              f"median {row['median']:.1f} ms, p95 {row['p95']:.1f} ms, max {row['max']:.1f} ms")
    print("\nPlan of picking by one number fragment:\n" + result["plan"])


# ------------------------------------------------------------------ summary


def print_summary(args, report):
    print(f"\nSummary ({args.db}; load average {', '.join(f'{load:.2f}' for load in report['load'])})")
    for table, count in report["counts"].items():
        print(f"  {table:<30} {count:>10,}")
    median = report["picking"]["number"]["median"]
    verdict = "PASS" if median < TARGET_MEDIAN_MS else "MISS"
    print(f"  picking by number fragment: median {median:.1f} ms "
          f"(target < {TARGET_MEDIAN_MS} ms) {verdict}, p95 {report['picking']['number']['p95']:.1f} ms")


def main(argv=None):
    args = parse_args(argv)
    options = foundation.odoo_options(args)
    config.parse_config(options, setup_logging=True)
    reused = prepare_database(args, options)
    registry = odoo.modules.registry.Registry(args.db)
    report = {"load": [os.getloadavg()[0]]}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not reused:
            report["generation"] = generate(env, args)
        report["counts"] = counts(env)
        print("\nPart 1: the parts catalogue", flush=True)
        report["picking"] = bench_part_picking(env, args.samples)
        report["load"].append(os.getloadavg()[0])
        print_picking(report["picking"])
    print_summary(args, report)


if __name__ == "__main__":
    main()
