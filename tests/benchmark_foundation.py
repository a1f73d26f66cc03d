"""Foundation benchmark of autorepair_crm at the size of a dealer group.

Builds a database holding 200,000 after-sales customers, 250,000 vehicles,
2,000,000 odometer readings and 600,000 posted customer invoices, then times
what the staff do all day and what the nightly cron does:

* fragment search on plates, VINs and phones through the ORM (target: under
  50 ms), with the PostgreSQL plan showing whether the trigram index is used;
* the A/B/C value class recomputation of every customer through the ORM,
  against the same result from one SQL statement (target: within 3x).

Run from the repository root (it is not a test; nothing here runs in CI):

    python3 tests/benchmark_foundation.py [--db autorepair_bench] [--keep]

The database is dropped and rebuilt unless --keep is given: then an existing
database is reused (the module updated first), with its data if it holds any;
generation runs in one transaction, so a database has all of it or none. Its
name must start with "autorepair_bench", so that a real database is never
dropped by mistake. See tests/README.md.
"""

import argparse
import datetime
import io
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

from psycopg2.extras import Json

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.service import db as db_service
from odoo.tools import SQL, config

ODOO_ADDONS = Path(odoo.__file__).resolve().parent / "addons"
REPO_ADDONS = Path(__file__).resolve().parent.parent / "addons"
DB_PREFIX = "autorepair_bench"
SEED = 20250601
SEARCH_LIMIT = 80  # one page of a list view
TARGET_SEARCH_MS = 50
TARGET_RATIO = 3

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
)
GIVEN_NAMES = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣玲婷"
    "雪琳晨阳佳怡子轩梓涵思雨博文诺睿泽嘉皓然晓丹建国志红海燕玉春梅辉鹏亮成荣新"
)
# mobile ranges in use (MIIT numbering plan); the 8 digits after them are an
# affine bijection of the row number modulo 10^8 (the multiplier is prime to
# 10), which makes every number unique while looking random
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
).split()
DISTRICTS = {  # Chengdu dealer: the city's districts are local, the region is not
    "锦江区": True, "青羊区": True, "金牛区": True, "武侯区": True, "成华区": True,
    "龙泉驿区": True, "新都区": True, "温江区": True, "双流区": True, "郫都区": True,
    "德阳市": False, "绵阳市": False, "眉山市": False, "资阳市": False,
}
# brand: (world manufacturer identifier, models, new-energy plates)
CATALOGUE = {
    "一汽-大众": ("LFV", ("迈腾", "速腾", "宝来", "探岳"), False),
    "上汽大众": ("LSV", ("帕萨特", "朗逸", "途观L"), False),
    "广汽丰田": ("LVG", ("凯美瑞", "雷凌", "汉兰达"), False),
    "东风日产": ("LGB", ("轩逸", "天籁", "奇骏"), False),
    "广汽本田": ("LHG", ("雅阁", "飞度", "冠道"), False),
    "比亚迪": ("LGX", ("汉", "秦PLUS", "宋PLUS"), True),
    "华晨宝马": ("LBV", ("3系", "5系", "X3"), False),
    "北京奔驰": ("LE4", ("C级", "E级", "GLC"), False),
}
OTHER_PLATE_PREFIXES = (
    "川B 川C 川F 川H 川R 川Y 川Z 渝A 渝B 贵A 云A 陕A 京A 粤B 浙A 沪A 苏E 鄂A 湘A 甘A"
).split()
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O (GA 36-2018)
VIN_CHARACTERS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O or Q (ISO 3779)
VIN_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY"  # model years 2010 onwards

# Fragments as staff type them at the desk, built from sampled records.
# (label, fragment from a sampled value, broad): a broad fragment matches
# thousands of records (川A6: one car in twenty); it is timed and shown apart
# from the target, which is about what identifies a car or a customer.
PLATE_FRAGMENTS = (
    ("last 4", lambda plate: plate[-4:], False),
    ("last 5, lower case", lambda plate: plate[-5:].lower(), False),
    ("whole plate typed 川a·12345", lambda plate: f"{plate[0]}{plate[1].lower()}·{plate[2:]}", False),
    ("3 middle characters", lambda plate: plate[2:5], False),
    ("first 3 (川A1)", lambda plate: plate[:3], True),
)
VIN_FRAGMENTS = (
    ("last 6 (serial)", lambda vin: vin[-6:], False),
    ("last 8, lower case", lambda vin: vin[-8:].lower(), False),
    ("whole VIN with spaces", lambda vin: f"{vin[:3]} {vin[3:9]} {vin[9:]}", False),
    ("first 8 (WMI + VDS)", lambda vin: vin[:8], False),
    ("last 4", lambda vin: vin[-4:], False),
)
PHONE_FRAGMENTS = (  # from the national number, 13800138000
    ("last 4", lambda number: number[-4:], False),
    ("middle 4", lambda number: number[3:7], False),
    ("first 7 typed 138 0013", lambda number: f"{number[:3]} {number[3:7]}", False),
    ("whole, typed 138-0013-8000", lambda number: f"{number[:3]}-{number[3:7]}-{number[7:]}", False),
    ("with country code +86 138…", lambda number: f"+86 {number}", False),
)


# ----------------------------------------------------------------- database


def addon_tools():
    """The addon's pure logic; importable once the addons path is configured."""
    from odoo.addons.autorepair_crm import tools

    return tools


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--db", default=DB_PREFIX, help="database to (re)build")
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--vehicles", type=int, default=250_000)
    parser.add_argument("--readings", type=int, default=2_000_000)
    parser.add_argument("--invoices", type=int, default=600_000)
    parser.add_argument(
        "--keep", action="store_true",
        help="reuse the database, and its data if it holds any",
    )
    args = parser.parse_args(argv)
    if not args.db.startswith(DB_PREFIX):
        parser.error(f"--db must start with {DB_PREFIX!r}: the database is dropped")
    if min(args.customers, args.vehicles, args.readings, args.invoices) < 1:
        parser.error("every size must be at least 1")
    if args.readings < args.vehicles:
        parser.error("--readings must be at least --vehicles (one reading a car)")
    return args


def odoo_options(args):
    options = [
        f"--addons-path={ODOO_ADDONS},{REPO_ADDONS}",
        f"--database={args.db}",
        "--log-level=warn",
    ]
    for name in ("host", "port", "user", "password"):
        if value := getattr(args, f"db_{name}"):
            options.append(f"--db_{name}={value}")
    return options


def count_customers(db_name):
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        cr.execute("SELECT to_regclass('res_partner') IS NOT NULL")
        if not cr.fetchone()[0]:
            return 0
        cr.execute("SELECT count(*) FROM res_partner WHERE is_autorepair_customer")
        return cr.fetchone()[0]


def prepare_database(args, options, module="autorepair_crm"):
    """Install module (and what it depends on); return True when the database
    already holds generated data to reuse."""
    reuse = args.keep and db_service.exp_db_exist(args.db)
    if reuse:
        # the code may have changed since: bring the schema up to date
        action, verb = f"--update={module}", f"Updating {module} in"
    else:
        if db_service.exp_db_exist(args.db):
            db_service.exp_drop(args.db)
        action, verb = f"--init={module}", f"Installing {module} without demo data into"
    print(f"{verb} {args.db}", flush=True)
    start = time.perf_counter()
    # a separate process: the module is installed exactly as an administrator does
    subprocess.run(
        [sys.executable, "-m", "odoo", "server", *options, action, "--without-demo=all",
         "--stop-after-init", "--no-http"],
        check=True,
    )
    print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)
    customers = count_customers(args.db) if reuse else 0
    if customers:
        print(f"  reusing its data (--keep): {customers:,} customers")
    return customers > 0


LOADED_TABLES = (
    "res_partner, fleet_vehicle, fleet_vehicle_odometer, account_move, "
    "autorepair_vehicle_ownership"
)


def vacuum(db_name, tables=LOADED_TABLES):
    """What autovacuum does after a bulk load or a mass update, done now: dead
    rows are removed, the visibility map and hint bits set, so that what
    follows is timed in the steady state."""
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        cr._cnx.autocommit = True  # VACUUM cannot run inside a transaction
        cr.execute(f"VACUUM {tables}")


# --------------------------------------------------------------- generation


@contextmanager
def timed(timings, label):
    start = time.perf_counter()
    yield
    timings[label] = time.perf_counter() - start
    print(f"  {label:<34} {timings[label]:8.1f} s", flush=True)


def allocate_ids(cr, table, count):
    cr.execute(SQL(
        "SELECT nextval(%s) FROM generate_series(1, %s)", f"{table}_id_seq", count
    ))
    return [id_ for (id_,) in cr.fetchall()]


@contextmanager
def bulk_load(cr, table):
    """PostgreSQL's advice for loading a table (Populating a Database): drop
    its foreign keys and secondary indexes, load, then build each again in one
    pass. Inside the transaction, so that a failure restores them.

    Indexes are rebuilt only on a table that was empty: on one with old row
    versions (res_partner, updated at installation), PostgreSQL may mark the
    new index unusable until every older transaction of the cluster ends
    (pg_index.indcheckxmin), and the searches would be timed without it."""
    cr.execute(SQL(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %(table)s::regclass AND NOT i.indisunique
              AND NOT EXISTS (SELECT FROM %(rows)s)""",
        table=table,
        rows=SQL.identifier(table),
    ))
    indexes = cr.fetchall()
    cr.execute(SQL(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype = 'f'""",
        table,
    ))
    foreign_keys = cr.fetchall()
    for name, _definition in foreign_keys:
        cr.execute(SQL(
            "ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(table), SQL.identifier(name)
        ))
    for name, _definition in indexes:
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    for _name, definition in indexes:
        cr.execute(definition)
    if indexes:
        cr.execute(SQL(
            """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indcheckxmin AND c.relname IN %s""",
            tuple(name for name, _definition in indexes),
        ))
        if unusable := [name for (name,) in cr.fetchall()]:
            print(f"  WARNING: not usable before older transactions end: {unusable}")
    for name, definition in foreign_keys:
        cr.execute(SQL(
            "ALTER TABLE %s ADD CONSTRAINT %s %s",
            SQL.identifier(table), SQL.identifier(name), SQL(definition),
        ))


def orm_row(env, model_name, vals):
    """The row the ORM writes for a new record with ``vals``: defaults and
    computed fields included, as a user gets them. The record is created in a
    savepoint rolled back at once, so that no template is left to delete."""
    Model = env[model_name].with_context(tracking_disable=True)
    savepoint = env.cr.savepoint()
    record = Model.create(vals)
    env.flush_all()
    env.cr.execute(SQL(
        "SELECT * FROM %s WHERE id = %s", SQL.identifier(Model._table), record.id
    ))
    row = env.cr.dictfetchone()
    savepoint.close(rollback=True)
    env.invalidate_all(flush=False)
    return row


def insert_like(cr, table, template, source, columns):
    """Insert one row into ``table`` per row of ``source`` (a table or a
    sub-query): ``columns`` come from it, every other column holds the value
    of ``template`` (see :func:`orm_row`)."""
    cr.execute(SQL(
        """SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped""",
        table,
    ))
    copied = [
        (name, type_) for name, type_ in cr.fetchall()
        if name not in columns and name != "id" and template[name] is not None
    ]
    cr.execute(SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s AS s",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(name) for name in [*columns, *dict(copied)]),
        SQL(", ").join([
            *(SQL.identifier("s", name) for name in columns),
            *(SQL(f"%s::{type_}", adapt(template[name])) for name, type_ in copied),
        ]),
        source,
    ))


def adapt(value):
    """psycopg2 reads jsonb as Python objects but needs them wrapped to write."""
    return Json(value) if isinstance(value, dict | list) else value


def reference_data(env):
    company = env.ref("base.main_company")
    districts = env["autorepair.district"].create([
        {"name": name, "is_local": is_local, "company_id": company.id}
        for name, is_local in DISTRICTS.items()
    ])
    models = []
    for brand_name, (wmi, model_names, nev) in CATALOGUE.items():
        brand = env["fleet.vehicle.model.brand"].create({"name": brand_name})
        for model_name in model_names:
            model = env["fleet.vehicle.model"].create({
                "name": model_name, "brand_id": brand.id, "vehicle_type": "car",
            })
            models.append((wmi, brand.id, model.id, f"{brand_name}/{model_name}", nev))
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    # a md5-derived number in [0, 1): the same row always gets the same values;
    # immutable all through (explicit casts), so that PostgreSQL inlines it
    env.cr.execute("""
        CREATE FUNCTION pg_temp.bench_rand(n bigint, salt integer)
        RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
            SELECT ('x' || substr(md5(n::text || '/' || salt::text), 1, 8))
                   ::bit(32)::bigint / 4294967296.0
        $$
    """)
    return {"company": company, "districts": districts, "models": models,
            "journal": journal}


def insert_customers(env, customer_ids, warranty_states, ref):
    """Customers with the ids given (their cars were planned first) and the
    warranty state their cars give them (stored compute)."""
    template = orm_row(env, "res.partner", {
        "name": "Benchmark template", "is_autorepair_customer": True,
        "company_id": ref["company"].id,
    })
    districts = ref["districts"]

    def pick(choices, salt):
        return SQL(
            "(%s)[1 + floor(pg_temp.bench_rand(g, %s) * %s)::int]",
            list(choices), salt, len(choices),
        )

    def chance(salt, share):
        return SQL("pg_temp.bench_rand(g, %s) < %s", salt, share)

    # inner level: what is used twice (the mobile); outer: the rest
    source = SQL(
        """(SELECT id, id AS commercial_partner_id, name, name AS complete_name,
                   mobile, mobile AS phone_sanitized, phone, %(company)s AS company_id,
                   %(district)s AS district_id, %(is_local)s AS is_local,
                   CASE WHEN %(company_car)s THEN 'company' ELSE 'private' END
                       AS vehicle_use,
                   %(operating)s AS is_operating, %(focus)s AS value_focus,
                   %(loyalty)s AS loyalty_type, %(segment)s AS vehicle_segment,
                   %(taste)s AS taste, %(channel)s AS preferred_channel,
                   %(consent)s AS marketing_consent,
                   CASE WHEN %(consent)s
                        THEN CURRENT_DATE - floor(pg_temp.bench_rand(g, 14) * 900)::int
                   END AS marketing_consent_date,
                   CASE WHEN %(consent)s THEN %(source)s END AS marketing_consent_source,
                   CASE WHEN %(has_birthday)s
                        THEN DATE '1955-01-01' + floor(pg_temp.bench_rand(g, 16) * 17000)::int
                   END AS birthday,
                   'C' AS value_class, warranty_state
              FROM (SELECT g, id, warranty_state,
                           %(surname)s || %(given)s
                               || CASE WHEN %(two_chars)s THEN %(given2)s ELSE '' END
                               AS name,
                           '+86' || %(prefix)s || lpad(
                               mod(g * 73939133 + 12345678, 100000000)::text, 8, '0'
                           ) AS mobile,
                           CASE WHEN %(has_landline)s
                                THEN '+86288' || lpad(
                                    mod(g * 7393913 + 1234567, 10000000)::text, 7, '0'
                                )
                           END AS phone
                      FROM unnest(%(ids)s::int[], %(warranty)s::varchar[])
                           WITH ORDINALITY AS r(id, warranty_state, g)) AS c)""",
        company=ref["company"].id,
        district=pick(districts.ids, 6),
        is_local=pick(districts.mapped("is_local"), 6),
        company_car=chance(7, 0.08),
        operating=chance(8, 0.04),
        focus=pick(["relationship", "price", "time"], 9),
        loyalty=pick(["loyal"] * 10 + ["switcher"] * 7 + ["lost"] * 3, 10),
        segment=pick(["premium", "economy", "economy", "economy"], 11),
        taste=pick(["sporty", "social", None], 12),
        channel=pick(["phone"] * 10 + ["wechat"] * 5 + ["sms"] * 4 + ["email"], 17),
        consent=chance(13, 0.6),
        source=pick(["desk", "form", "phone", "wechat", "portal"], 15),
        has_birthday=chance(18, 0.7),
        surname=pick(SURNAMES, 1),
        given=pick(GIVEN_NAMES, 2),
        two_chars=chance(3, 0.7),
        given2=pick(GIVEN_NAMES, 4),
        prefix=SQL("(%s)[1 + mod(g, %s)::int]", MOBILE_PREFIXES, len(MOBILE_PREFIXES)),
        has_landline=chance(5, 0.15),
        ids=customer_ids,
        warranty=warranty_states,
    )
    columns = [
        "id", "commercial_partner_id", "name", "complete_name", "mobile",
        "phone_sanitized", "phone", "company_id", "district_id", "is_local",
        "vehicle_use", "is_operating", "value_focus", "loyalty_type",
        "vehicle_segment", "taste", "preferred_channel", "marketing_consent",
        "marketing_consent_date", "marketing_consent_source", "birthday", "value_class",
        "warranty_state",
    ]
    insert_like(env.cr, "res_partner", template, source, columns)
    # the consent on record behind each stored marketing consent (the history
    # the partner's state is computed from)
    env.cr.execute(SQL(
        """INSERT INTO autorepair_consent (partner_id, company_id, purpose, granted, date, source, channel,
                                           user_id, create_uid, create_date, write_uid, write_date)
           SELECT id, company_id, 'marketing', TRUE, marketing_consent_date, marketing_consent_source,
                  CASE marketing_consent_source WHEN 'form' THEN 'paper' WHEN 'desk' THEN 'in_person'
                       ELSE marketing_consent_source END,
                  %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
             FROM res_partner WHERE id = ANY(%(ids)s) AND marketing_consent""",
        uid=env.uid, ids=customer_ids,
    ))


def unique(seen, make):
    while (value := make()) in seen:
        pass
    seen.add(value)
    return value


def random_plate(rng, nev):
    prefix = "川A" if rng.random() < 0.7 else rng.choice(OTHER_PLATE_PREFIXES)
    digits = "".join(rng.choices("0123456789", k=5))
    if nev:  # small new-energy plate: 川AD12345
        return prefix + rng.choice("DF") + digits
    if rng.random() < 0.3:  # one letter in the serial: 川A1B234
        position = rng.randrange(5)
        digits = digits[:position] + rng.choice(PLATE_LETTERS) + digits[position + 1 :]
    return prefix + digits


def random_vin(rng, wmi, year, check_digit):
    code = VIN_YEAR_CODES[year - 2010] if year >= 2010 else str(year - 2000)
    vds = "".join(rng.choices(VIN_CHARACTERS, k=5))
    serial = "".join(rng.choices("0123456789", k=6))
    vin = f"{wmi}{vds}0{code}{rng.choice('ABCDEFGH')}{serial}"
    return vin[:8] + check_digit(vin) + vin[9:]


def reading_counts(rng, vehicles, readings):
    """Readings per car: as many in total as asked, 2 to 14 for most cars."""
    base, extra = divmod(readings, vehicles)
    counts = [base + (i < extra) for i in range(vehicles)]
    for i in range(0, vehicles - 1, 2):
        shift = rng.randint(-min(base - 1, 6), min(base - 1, 6))
        counts[i] += shift
        counts[i + 1] -= shift
    return counts


def add_years(day, years):
    """The same day ``years`` later; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_anniversary(day, today):
    date = add_years(day, today.year - day.year)
    return date if date >= today else add_years(date, 1)


def build_vehicle_rows(env, rng, vehicle_ids, owner_ids, readings, ref):
    """Vehicles and their readings as COPY text, and the warranty state each
    owner gets from his cars. km_per_day is the addon's own estimate from the
    very readings written."""
    tools = addon_tools()
    today = datetime.date.today()
    stamp = env.cr.now().isoformat(sep=" ")
    owners = owner_ids[: len(vehicle_ids)]  # everyone has a car, some two
    owners += rng.choices(owner_ids, k=len(vehicle_ids) - len(owners))
    rng.shuffle(owners)
    vehicle_buffer, reading_buffer = io.StringIO(), io.StringIO()
    plates, vins = set(), set()
    owner_warranty = {}
    counts = reading_counts(rng, len(vehicle_ids), readings)
    for vehicle_id, owner_id, count in zip(vehicle_ids, owners, counts, strict=True):
        wmi, brand_id, model_id, label, nev = rng.choice(ref["models"])
        spacing = rng.randint(45, max(45, min(200, 2400 // count)))
        delivery = today - datetime.timedelta(days=count * spacing + rng.randint(1, 120))
        km_per_day = rng.uniform(12, 90)
        points = [
            tools.Reading(
                delivery + datetime.timedelta(days=k * spacing),
                float(round(km_per_day * k * spacing)),
                False,
            )
            for k in range(1, count + 1)
        ]
        estimate, estimated = tools.estimate_km_per_day(
            points, delivery_date=delivery, today=today
        )
        plate = unique(plates, lambda nev=nev: random_plate(rng, nev))
        vin = unique(vins, lambda wmi=wmi, year=delivery.year: random_vin(
            rng, wmi, year, tools.vin_check_digit
        ))
        name = f"{label}/{plate}"  # brand/model/plate, as fleet computes it
        warranty_end = add_years(delivery, 3)
        odometer = points[-1].value
        # as _compute_warranty_state: out once the date or 100,000 km is passed
        warranty = "out" if warranty_end < today or odometer > 100_000 else "in"
        # as res.partner's: in warranty while one of his cars is
        if owner_warranty.get(owner_id) != "in":
            owner_warranty[owner_id] = warranty
        insurance = next_anniversary(delivery, today)
        inspection = max(add_years(delivery, 6), insurance)
        vehicle_buffer.write("\t".join(map(str, (
            vehicle_id, owner_id, model_id, brand_id, ref["company"].id, plate, vin,
            name, delivery.year, delivery, delivery, warranty_end, 100_000, warranty,
            insurance, inspection, odometer, round(estimate, 1),
            "t" if estimated else "f", "f",
        ))) + "\n")
        for point in points:
            reading_buffer.write(
                f"{vehicle_id}\t{name} / {point.date}\t{point.date}\t{point.value}\tf"
                f"\t{SUPERUSER_ID}\t{stamp}\t{SUPERUSER_ID}\t{stamp}\n"
            )
    vehicle_buffer.seek(0)
    reading_buffer.seek(0)
    return vehicle_buffer, reading_buffer, owner_warranty


VEHICLE_COLUMNS = [
    "id", "owner_id", "model_id", "brand_id", "company_id", "license_plate", "vin_sn",
    "name", "model_year", "acquisition_date", "delivery_date", "warranty_end_date",
    "warranty_end_km", "warranty_state", "insurance_expiry_date",
    "inspection_due_date", "odometer", "km_per_day", "km_per_day_estimated",
    "vin_check_warning",
]


def insert_vehicles(env, vehicle_buffer, model_id):
    cr = env.cr
    template = orm_row(env, "fleet.vehicle", {
        "model_id": model_id, "license_plate": "川A0000学",
    })
    # CREATE TABLE AS keeps the column types but not the NOT NULL constraints
    cr.execute(SQL(
        "CREATE TEMP TABLE bench_vehicle ON COMMIT DROP AS SELECT %s FROM fleet_vehicle"
        " WITH NO DATA",
        SQL(", ").join(map(SQL.identifier, VEHICLE_COLUMNS)),
    ))
    cr.copy_expert(
        f"COPY bench_vehicle ({', '.join(VEHICLE_COLUMNS)}) FROM STDIN", vehicle_buffer
    )
    insert_like(cr, "fleet_vehicle", template, SQL("bench_vehicle"), VEHICLE_COLUMNS)
    # the history of owners starts with the first one, on the delivery date
    cr.execute(SQL(
        """INSERT INTO autorepair_vehicle_ownership
                (vehicle_id, partner_id, company_id, date_from,
                 create_uid, create_date, write_uid, write_date)
           SELECT id, owner_id, company_id, delivery_date, %(uid)s, now(), %(uid)s, now()
             FROM bench_vehicle""",
        uid=SUPERUSER_ID,
    ))


def insert_readings(env, reading_buffer):
    env.cr.copy_expert(
        "COPY fleet_vehicle_odometer (vehicle_id, name, date, value, is_meter_change,"
        " create_uid, create_date, write_uid, write_date) FROM STDIN",
        reading_buffer,
    )


def insert_invoices(env, count, ref):
    """Posted invoices and credit notes (1 in 20) over two years, spread so
    that some customers come often (class A) and most rarely (class C). They
    have no lines: the value class reads only the totals of account_move."""
    cr = env.cr
    cr.execute("""
        CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY id))::int - 1 AS idx, id, name
          FROM res_partner WHERE is_autorepair_customer
    """)
    cr.execute("CREATE UNIQUE INDEX ON bench_customer (idx)")
    cr.execute("ANALYZE bench_customer")
    cr.execute("SELECT count(*) FROM bench_customer")
    customers = cr.fetchone()[0]
    company = ref["company"]
    # the draws are MATERIALIZED: inlined, each md5 would be recomputed for
    # every column that uses the amount (ten times as slow)
    cr.execute(SQL(
        """WITH drawn AS MATERIALIZED (
                SELECT g, pg_temp.bench_rand(g, 21) < 0.05 AS refund,
                       floor(pg_temp.bench_rand(g, 22) ^ 2 * %(customers)s)::int AS idx,
                       CURRENT_DATE - floor(pg_temp.bench_rand(g, 23) * 730)::int AS day,
                       round((150 + pg_temp.bench_rand(g, 24) ^ 3 * 12000)::numeric, 2)
                           AS amount
                  FROM generate_series(0, %(last)s) AS g
           ), moves AS MATERIALIZED (
                SELECT g, idx, day,
                       CASE WHEN refund THEN 'RINV/BENCH/' ELSE 'INV/BENCH/' END AS prefix,
                       CASE WHEN refund THEN 'out_refund' ELSE 'out_invoice' END
                           AS move_type,
                       CASE WHEN refund THEN -1 ELSE 1 END AS sign,
                       untaxed, round(untaxed * 0.13, 2) AS tax  -- China's standard VAT
                  FROM drawn, LATERAL (
                        SELECT CASE WHEN refund THEN round(amount * 0.3, 2)
                                    ELSE amount END AS untaxed) AS u
           )
           INSERT INTO account_move (
                name, sequence_prefix, sequence_number, journal_id, company_id,
                currency_id, state, move_type, auto_post, date, invoice_date,
                invoice_date_due, partner_id, commercial_partner_id,
                invoice_partner_display_name, payment_state, amount_untaxed,
                amount_tax, amount_total, amount_residual, amount_untaxed_signed,
                amount_untaxed_in_currency_signed, amount_tax_signed,
                amount_total_signed, amount_total_in_currency_signed,
                amount_residual_signed, invoice_currency_rate, checked, posted_before,
                made_sequence_gap, create_uid, create_date, write_uid, write_date)
           SELECT prefix || lpad((g + 1)::text, 6, '0'), prefix, g + 1,
                  %(journal)s, %(company)s, %(currency)s, 'posted', move_type, 'no',
                  day, day, day + 30, c.id, c.id, c.name, 'paid',
                  untaxed, tax, untaxed + tax, 0, sign * untaxed, sign * untaxed,
                  sign * tax, sign * (untaxed + tax), sign * (untaxed + tax), 0, 1,
                  TRUE, TRUE, FALSE, %(uid)s, now(), %(uid)s, now()
             FROM moves m JOIN bench_customer c ON c.idx = m.idx""",
        journal=ref["journal"].id,
        company=company.id,
        currency=company.currency_id.id,
        customers=customers,
        last=count - 1,
        uid=SUPERUSER_ID,
    ))


def check_generated(env, samples=300):
    """Sampled records pass the addon's own checks; sequences and uniqueness hold."""
    tools = addon_tools()
    cr = env.cr
    cr.execute(SQL(
        "SELECT mobile, phone FROM res_partner WHERE is_autorepair_customer"
        " ORDER BY id LIMIT %s", samples,
    ))
    for mobile, phone in cr.fetchall():
        assert tools.normalize_phone(mobile, mobile_only=True) == mobile, mobile
        assert not phone or tools.normalize_phone(phone) == phone, phone
    cr.execute(SQL(
        "SELECT license_plate, vin_sn FROM fleet_vehicle ORDER BY id LIMIT %s", samples
    ))
    for plate, vin in cr.fetchall():
        assert tools.check_plate(plate) == plate, plate
        assert tools.check_vin(vin) == (vin, True), vin
    cr.execute("""
        SELECT (SELECT count(*) - count(DISTINCT mobile) FROM res_partner
                 WHERE is_autorepair_customer),
               (SELECT count(*) - count(DISTINCT license_plate) FROM fleet_vehicle),
               (SELECT count(*) - count(DISTINCT vin_sn) FROM fleet_vehicle),
               (SELECT count(*) FROM (
                    SELECT value < lag(value) OVER w AS lower
                      FROM fleet_vehicle_odometer
                    WINDOW w AS (PARTITION BY vehicle_id ORDER BY date, id)) r
                 WHERE lower),
               (SELECT count(*) FROM fleet_vehicle v
                  JOIN (SELECT DISTINCT ON (vehicle_id) vehicle_id, value
                          FROM fleet_vehicle_odometer
                         ORDER BY vehicle_id, date DESC, id DESC) o
                    ON o.vehicle_id = v.id
                 WHERE v.odometer <> o.value)
    """)
    problems = dict(zip(
        ("duplicate mobiles", "duplicate plates", "duplicate VINs",
         "readings lower than the previous one", "odometers not the last reading"),
        cr.fetchone(),
        strict=True,
    ))
    assert not any(problems.values()), problems
    print(f"  checks passed on {samples} sampled customers and vehicles and all rows")


def generate(env, args):
    print("Generating data", flush=True)
    rng = random.Random(SEED)
    timings = {}
    cr = env.cr
    cr.execute("SET LOCAL maintenance_work_mem = '1GB'")  # faster index builds
    ref = reference_data(env)
    # cars first, in Python: the customers' stored warranty state comes from them
    with timed(timings, "vehicles and readings, Python rows"):
        customer_ids = allocate_ids(cr, "res_partner", args.customers)
        vehicle_ids = allocate_ids(cr, "fleet_vehicle", args.vehicles)
        vehicle_buffer, reading_buffer, owner_warranty = build_vehicle_rows(
            env, rng, vehicle_ids, customer_ids, args.readings, ref
        )
    with timed(timings, "res_partner (customers)"), bulk_load(cr, "res_partner"):
        warranty_states = [owner_warranty.get(id_) for id_ in customer_ids]
        insert_customers(env, customer_ids, warranty_states, ref)
    with timed(timings, "fleet_vehicle (+ ownership)"), bulk_load(cr, "fleet_vehicle"):
        insert_vehicles(env, vehicle_buffer, ref["models"][0][2])
    with timed(timings, "fleet_vehicle_odometer"), bulk_load(cr, "fleet_vehicle_odometer"):
        insert_readings(env, reading_buffer)
    with timed(timings, "account_move (posted invoices)"), bulk_load(cr, "account_move"):
        insert_invoices(env, args.invoices, ref)
    with timed(timings, "ANALYZE"):
        cr.execute(f"ANALYZE {LOADED_TABLES}")
    with timed(timings, "consistency checks"):
        check_generated(env)
    env.invalidate_all()
    cr.commit()  # only now: a failed generation leaves no partial data
    with timed(timings, "VACUUM"):
        vacuum(cr.dbname)
    return timings


def table_counts(env):
    counts = {}
    for label, query in (
        ("customers", "SELECT count(*) FROM res_partner WHERE is_autorepair_customer"),
        ("vehicles", "SELECT count(*) FROM fleet_vehicle"),
        ("odometer readings", "SELECT count(*) FROM fleet_vehicle_odometer"),
        ("posted invoices", "SELECT count(*) FROM account_move WHERE state = 'posted'"
                            " AND move_type IN ('out_invoice', 'out_refund')"),
    ):
        env.cr.execute(query)
        counts[label] = env.cr.fetchone()[0]
    return counts


# ------------------------------------------------------------------ searches


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sample_values(env, query, count):
    env.cr.execute(SQL(query, count))
    return [value for (value,) in env.cr.fetchall()]


def build_fragments(values, kinds):
    """Every kind of fragment in turn, each from a different sampled record."""
    return [
        (label, make(value), broad)
        for i, value in enumerate(values)
        for label, make, broad in [kinds[i % len(kinds)]]
    ]


def plan(model, fname, fragment, analyze=False):
    """The SQL the ORM runs for the search, and its plan."""
    query = model._search([(fname, "ilike", fragment)], limit=SEARCH_LIMIT,
                          order=model._order)
    sql = query.select()
    cr = model.env.cr
    options = SQL("(ANALYZE, BUFFERS)") if analyze else SQL()
    cr.execute(SQL("EXPLAIN %s %s", options, sql))
    text = "\n".join(line for (line,) in cr.fetchall())
    return cr.mogrify(sql.code, sql.params).decode(), text


def summarize(times):
    if not times:
        return None
    return {"count": len(times), "median": statistics.median(times),
            "p95": percentile(times, 0.95), "max": max(times)}


def bench_search(model, fname, fragments, indexes):
    env = model.env
    model.search([(fname, "ilike", fragments[0][1])], limit=SEARCH_LIMIT)  # warm-up
    timed = []
    for label, fragment, broad in fragments:
        env.invalidate_all()
        start = time.perf_counter()
        found = model.search([(fname, "ilike", fragment)], limit=SEARCH_LIMIT)
        ms = (time.perf_counter() - start) * 1000
        timed.append({"label": label, "fragment": fragment, "broad": broad,
                      "found": len(found), "ms": ms})
    # afterwards, not to disturb the timings: does each plan use the index?
    for run in timed:
        run["indexed"] = any(
            name in plan(model, fname, run["fragment"])[1] for name in indexes
        )
    # the plan of a typical fragment, and of the slowest when it misses
    explained = [timed[0]]
    slowest = max(timed, key=lambda run: run["ms"])
    if slowest["ms"] >= TARGET_SEARCH_MS and slowest is not timed[0]:
        explained.append(slowest)
    groups = {}
    for broad in (False, True):
        runs = [run for run in timed if run["broad"] == broad]
        if stats := summarize([run["ms"] for run in runs]):
            stats["indexed"] = sum(run["indexed"] for run in runs)
            groups[broad] = stats
    return {
        "runs": timed,
        "groups": groups,
        "indexes": indexes,
        "explained": [
            (run, *plan(model, fname, run["fragment"], analyze=True)) for run in explained
        ],
    }


def bench_searches(env):
    Vehicle, Partner = env["fleet.vehicle"], env["res.partner"]
    plates = sample_values(env, "SELECT license_plate FROM fleet_vehicle TABLESAMPLE"
                                " BERNOULLI (1) REPEATABLE (7) LIMIT %s", 20)
    vins = sample_values(env, "SELECT vin_sn FROM fleet_vehicle TABLESAMPLE"
                              " BERNOULLI (1) REPEATABLE (11) LIMIT %s", 20)
    mobiles = sample_values(env, "SELECT mobile FROM res_partner TABLESAMPLE"
                                 " BERNOULLI (1) REPEATABLE (13)"
                                 " WHERE is_autorepair_customer LIMIT %s", 20)
    national = [mobile.removeprefix("+86") for mobile in mobiles]
    return {
        "plate": bench_search(Vehicle, "plate_search", build_fragments(plates, PLATE_FRAGMENTS),
                              ["fleet_vehicle__license_plate_index"]),
        "VIN": bench_search(Vehicle, "vin_search", build_fragments(vins, VIN_FRAGMENTS),
                            ["fleet_vehicle__vin_sn_index"]),
        "phone": bench_search(Partner, "phone_search", build_fragments(national, PHONE_FRAGMENTS),
                              ["res_partner__mobile_index", "res_partner__phone_index"]),
    }


def print_searches(searches):
    for what, result in searches.items():
        print(f"\n{what} fragment search, limit {SEARCH_LIMIT}:")
        for run in result["runs"]:
            index = "trigram index" if run["indexed"] else "NO INDEX"
            broad = ", broad" if run["broad"] else ""
            print(f"  {run['ms']:8.1f} ms {run['found']:3d} found  {index:<13}  "
                  f"{run['fragment']!r:<24} {run['label']}{broad}")
        for run, sql, text in result["explained"]:
            print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of {run['fragment']!r} ({run['label']}):")
            print(f"  {sql}\n    " + text.replace("\n", "\n    "))


# -------------------------------------------------------------- value class


@contextmanager
def measured(cr):
    """Wall time, query count and the time spent in PostgreSQL."""
    thread = threading.current_thread()
    # odoo.sql_db adds to these for every query once query_count exists
    thread.query_count, thread.query_time = 0, 0.0
    stats = {}
    queries = cr.sql_log_count
    start = time.perf_counter()
    try:
        yield stats
    finally:
        stats["seconds"] = time.perf_counter() - start
        stats["queries"] = cr.sql_log_count - queries
        stats["db_seconds"] = thread.query_time
        del thread.query_count, thread.query_time


def reset_classes(env):
    """Every customer in class C, as after an import, committed on a vacuumed
    table: neither path pays for the dead rows the other left."""
    env.cr.execute(
        "UPDATE res_partner SET value_class = 'C'"
        " WHERE is_autorepair_customer AND value_class IS DISTINCT FROM 'C'"
    )
    env.cr.commit()
    vacuum(env.cr.dbname, "res_partner")
    env.invalidate_all()


def class_snapshot(env):
    env.cr.execute(
        "SELECT id, value_class FROM res_partner WHERE is_autorepair_customer"
    )
    return dict(env.cr.fetchall())


def sql_case(visits_sql, spend_sql, thresholds):
    """The class rule of ``tools.value_class.classify`` as a SQL expression
    giving 'A', 'B' or 'C' (a missing count or amount counts as 0)."""
    return SQL(
        """CASE
            WHEN COALESCE(%(visits)s, 0) >= %(a_visits)s
                AND COALESCE(%(spend)s, 0) >= %(a_spend)s THEN 'A'
            WHEN COALESCE(%(visits)s, 0) >= %(b_visits)s
                OR COALESCE(%(spend)s, 0) >= %(b_spend)s THEN 'B'
            ELSE 'C'
        END""",
        visits=visits_sql,
        spend=spend_sql,
        a_visits=thresholds.a_visits,
        a_spend=thresholds.a_spend,
        b_visits=thresholds.b_visits,
        b_spend=thresholds.b_spend,
    )


def value_class_sql(env):
    """The recomputation of ``res.partner._recompute_value_class`` as one
    SQL statement, with the addon's settings: the reference the ORM path is
    timed against (the benchmark checks that both give the same classes).
    Each customer's company (else the current one) gives the window and the
    thresholds: its settings are columns of res_company."""
    from odoo.addons.autorepair_crm.tools.value_class import Thresholds

    thresholds = Thresholds(*(
        SQL("rc.%s", SQL.identifier(f"autorepair_crm_{key}"))
        for key in ("abc_a_visits", "abc_a_spend", "abc_b_visits", "abc_b_spend")
    ))
    return SQL(
        """
        UPDATE res_partner p SET value_class = c.value_class
          FROM (
            SELECT p.id, %(case)s AS value_class
              FROM res_partner p
              JOIN res_company rc ON rc.id = COALESCE(p.company_id, %(company)s)
         LEFT JOIN (
                SELECT m.commercial_partner_id AS partner_id,
                       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice') AS visits,
                       SUM(m.amount_untaxed_signed) AS spend
                  FROM account_move m
                  JOIN res_partner mp ON mp.id = m.commercial_partner_id
                  JOIN res_company rc ON rc.id = COALESCE(mp.company_id, %(company)s)
                 WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.invoice_date >= (%(today)s::date
                                          - make_interval(months => rc.autorepair_crm_abc_window_months))::date
              GROUP BY m.commercial_partner_id
            ) s ON s.partner_id = p.id
             WHERE p.is_autorepair_customer
          ) c
         WHERE p.id = c.id AND p.value_class IS DISTINCT FROM c.value_class
        """,
        case=sql_case(SQL("COALESCE(s.visits, 0)"), SQL("COALESCE(s.spend, 0)"), thresholds),
        company=env.company.id, today=fields.Date.context_today(env["res.partner"]),
    )


def bench_value_class(env):
    Partner, cr = env["res.partner"], env.cr
    reset_classes(env)
    with measured(cr) as orm:
        Partner._recompute_value_class()
        env.flush_all()
    orm_classes = class_snapshot(env)
    # the nightly case: the classes are set and hardly any changes
    with measured(cr) as rerun:
        Partner._recompute_value_class()
        env.flush_all()
    reset_classes(env)
    with measured(cr) as sql:
        cr.execute(value_class_sql(env))
    env.invalidate_all()
    sql_classes = class_snapshot(env)
    differing = sum(orm_classes[key] != sql_classes.get(key) for key in orm_classes)
    counts = {value_class: 0 for value_class in "ABC"}
    for value_class in orm_classes.values():
        counts[value_class] += 1
    return {"orm": orm, "rerun": rerun, "sql": sql, "differing": differing,
            "classes": counts}


# ------------------------------------------------------------------ summary


def verdict(ok):
    return "PASS" if ok else "MISS"


def print_summary(args, report):
    counts = report["counts"]
    print("\n" + "=" * 78)
    print(f"SUMMARY  database {args.db}: " + ", ".join(
        f"{count:,} {label}" for label, count in counts.items()
    ))
    # timings stretch when other work shares the CPUs; say how busy they were
    loads = ", ".join(f"{load:.1f}" for load in report["load"])
    print(f"{os.cpu_count()} CPUs, load average {loads} (before searches, before and"
          " after the value classes)")
    print("=" * 78)
    if timings := report.get("generation"):
        print("Generation")
        for label, seconds in timings.items():
            print(f"  {label:<36} {seconds:8.1f} s")
        print(f"  {'total':<36} {sum(timings.values()):8.1f} s")
    print(f"Fragment search, ORM search(limit={SEARCH_LIMIT}); target p95 <"
          f" {TARGET_SEARCH_MS} ms")
    print(f"  {'':<16}{'median':>10}{'p95':>10}{'max':>10}   trigram index")
    for what, result in report["search"].items():
        for broad, stats in result["groups"].items():
            label = f"{what}{', broad' if broad else ''} ({stats['count']})"
            verdict_text = "(no target)" if broad else verdict(
                stats["p95"] < TARGET_SEARCH_MS
            )
            print(f"  {label:<16}{stats['median']:>7.1f} ms{stats['p95']:>7.1f} ms"
                  f"{stats['max']:>7.1f} ms   {stats['indexed']:>2}/{stats['count']} plans"
                  f"   {verdict_text}")
    value = report["value_class"]
    orm, sql = value["orm"], value["sql"]
    ratio = orm["seconds"] / sql["seconds"]
    print(f"A/B/C value class, {counts['customers']:,} customers, all from class C")
    for label, stats in (
        ("ORM _recompute_value_class", orm),
        ("one SQL (value_class_sql)", sql),
        ("ORM again, nothing to change", value["rerun"]),
    ):
        print(f"  {label:<29}{stats['seconds']:8.2f} s  {stats['queries']:,} queries,"
              f" {stats['db_seconds']:.2f} s in PostgreSQL")
    print(f"  ratio ORM / SQL              {ratio:8.1f}x   target <= {TARGET_RATIO}x  "
          f"{verdict(ratio <= TARGET_RATIO)}")
    classes = " / ".join(f"{key} {count:,}" for key, count in value["classes"].items())
    print(f"  identical classes            {'yes' if not value['differing'] else 'NO'}"
          f"  ({value['differing']:,} differ; {classes})")


def main(argv=None):
    args = parse_args(argv)
    options = odoo_options(args)
    config.parse_config(options, setup_logging=True)
    reused = prepare_database(args, options)
    registry = odoo.modules.registry.Registry(args.db)
    report = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not reused:
            report["generation"] = generate(env, args)
        report["counts"] = table_counts(env)
        print("Searching", flush=True)
        report["load"] = [os.getloadavg()[0]]
        report["search"] = bench_searches(env)
        print_searches(report["search"])
        print("\nRecomputing value classes", flush=True)
        report["load"].append(os.getloadavg()[0])
        report["value_class"] = bench_value_class(env)
        report["load"].append(os.getloadavg()[0])
    print_summary(args, report)


if __name__ == "__main__":
    main()
