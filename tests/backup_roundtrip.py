"""Round trip of scripts/backup and scripts/restore, as scripts/test runs it.

    python3 tests/backup_roundtrip.py --db DB [odoo options: -r, --addons-path, --db_host...]

Backs DB up with scripts/backup, restores the archive under DB_rt with
scripts/restore, then checks, and prints:
- the restore refuses the existing DB_rt without --force (nothing changed);
- every table holds as many rows in the copy as in DB (the suite's main tables
  listed by name);
- every stored attachment's file has the same bytes in the copy's filestore
  (and its SHA-1 is the attachment's checksum);
- the restored database opens in Odoo (registry loaded) and the ORM reads one
  attachment's bytes from the copy's filestore, equal to the original's.
The copy, its filestore and the archive are removed afterwards. Exit code 1
and the differences listed when anything differs.
"""

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import closing
from pathlib import Path

import odoo
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import odoo_backup  # noqa: E402  (the script beside scripts/backup, not a package)

MAIN_TABLES = [
    "res_partner", "fleet_vehicle", "autorepair_service_order", "autorepair_service_order_line",
    "account_move", "account_move_line", "account_payment", "autorepair_care_task",
    "autorepair_complaint", "stock_move", "mail_message", "mail_activity", "ir_attachment",
]


def counts(db_name):
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        cr.execute("""SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname""")
        tables = [row[0] for row in cr.fetchall()]
        result = {}
        for table in tables:
            cr.execute(odoo.tools.SQL("SELECT count(*) FROM %s", odoo.tools.SQL.identifier(table)))
            result[table] = cr.fetchone()[0]
        return result


def stored_files(db_name):
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        cr.execute("""SELECT id, store_fname, checksum FROM ir_attachment
                       WHERE store_fname IS NOT NULL ORDER BY id""")
        return cr.fetchall()


def run(cmd, env):
    print("$", " ".join(str(part) for part in cmd), flush=True)
    started = time.monotonic()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    print(f"  ({time.monotonic() - started:.1f} s, exit code {result.returncode})")
    return result


def db_exists(db_name):
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name,))
        return bool(cr.fetchone())


def listable_prefix(dump, tmp, step=65536):
    """The shortest start of the dump whose table of contents pg_restore still
    reads (to `step` bytes): restoring it creates the tables, then breaks off
    at the first data, without the time a full restore takes."""
    path = os.path.join(tmp, "prefix.pgdump")

    def listable(size):
        with open(path, "wb") as fh:
            fh.write(dump[:size])
        return subprocess.run(["pg_restore", "--list", path], capture_output=True, check=False).returncode == 0

    low, high = 0, len(dump)  # low: not listable, high: listable
    while high - low > step:
        middle = (low + high) // 2
        if listable(middle):
            high = middle
        else:
            low = middle
    os.unlink(path)
    return dump[:min(high + step, len(dump) - 1)]


def bad_archives(archive, tmp, target, core, env):
    """An archive whose member leaves the filestore, or whose dump is not one,
    is refused before anything is created; one whose dump breaks off in its data
    fails in pg_restore and leaves no database behind."""
    problems = []
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json").read()
        dump = tar.extractfile("dump.pgdump").read()

    def make(name, members):
        path = os.path.join(tmp, name)
        with tarfile.open(path, "w") as tar:
            for member, data in members:
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path

    cases = [
        ("a member outside the filestore", "outside the archive",
         make("escape.tar", [("manifest.json", manifest), ("dump.pgdump", b"x"),
                             ("filestore/../../escaped", b"x")])),
        ("a dump that is not one", "pg_restore failed",
         make("garbage.tar", [("manifest.json", manifest), ("dump.pgdump", b"PGDMP not a dump")])),
        # its table of contents reads, its data stops at once: fails in the middle
        ("a truncated dump", "pg_restore failed",
         make("truncated.tar", [("manifest.json", manifest), ("dump.pgdump", listable_prefix(dump, tmp))])),
    ]
    for label, expected, path in cases:
        result = run([*core, "-d", target, "--archive", path], env)
        print(result.stderr.strip())
        if result.returncode == 0 or expected not in result.stderr:
            problems.append(f"an archive with {label} was not refused ({expected!r} expected)")
        if db_exists(target) or os.path.exists(config.filestore(target)):
            problems.append(f"an archive with {label} left database {target} or its filestore behind")
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", required=True)
    args, odoo_args = parser.parse_known_args(argv)
    config.parse_config([*odoo_args, "-d", args.db])
    source, copy = args.db, f"{args.db}_rt"
    env = dict(os.environ, ODOO_DB=source)
    problems = []
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="autorepair-backup-rt-")
    archive = os.path.join(tmp, f"{source}.tar")
    try:
        result = run([ROOT / "scripts/backup", "-o", archive], env)
        print(result.stderr.strip())
        if result.returncode:
            raise SystemExit(f"backup failed ({result.returncode})")
        result = run([ROOT / "scripts/restore", archive, copy, "--force"], env)
        print(result.stderr.strip())
        if result.returncode:
            raise SystemExit(f"restore failed ({result.returncode})")
        # the refusals are odoo_backup.py's: called directly, without the
        # wrapper's set-up checks (seconds each on a busy machine)
        core = [sys.executable, ROOT / "scripts/odoo_backup.py", "restore", *odoo_args]
        again = run([*core, "-d", copy, "--archive", archive], env)
        print(again.stderr.strip())
        if again.returncode == 0 or "exists" not in again.stderr:
            problems.append("a restore over an existing database was not refused")

        problems += bad_archives(archive, tmp, f"{source}_bad", core, env)

        before, after = counts(source), counts(copy)
        print(f"{'table':32} {source:>12} {copy:>12}")
        for table in MAIN_TABLES:
            if table in before:
                print(f"{table:32} {before[table]:>12} {after.get(table, 'missing'):>12}")
        differing = [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]
        problems += [f"table {t}: {before.get(t)} rows in {source}, {after.get(t)} in the copy"
                     for t in differing]
        print(f"{len(before)} tables, {sum(before.values())} rows compared: {len(differing)} differ")

        files = stored_files(source)
        src_store, dst_store = Path(config.filestore(source)), Path(config.filestore(copy))
        same = 0
        for att_id, fname, checksum in files:
            original = (src_store / fname).read_bytes() if (src_store / fname).exists() else None
            restored = (dst_store / fname).read_bytes() if (dst_store / fname).exists() else None
            if original is None:
                continue  # a file already missing in the source is not the backup's doing
            if restored != original:
                problems.append(f"attachment {att_id}: {fname} differs or is missing in the copy")
            elif checksum and hashlib.sha1(restored).hexdigest() != checksum:
                problems.append(f"attachment {att_id}: checksum differs")
            else:
                same += 1
        print(f"{len(files)} stored attachments: {same} files identical in the copy's filestore")

        # the copy opens in Odoo and the ORM finds its files
        registry = odoo.modules.registry.Registry.new(copy)
        with registry.cursor() as cr:
            env_copy = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            attachment = env_copy["ir.attachment"].search(
                [("store_fname", "!=", False), ("res_model", "like", "autorepair.%")], limit=1,
            ) or env_copy["ir.attachment"].search([("store_fname", "!=", False)], limit=1)
            if not attachment:
                problems.append("no stored attachment to read back")
            else:
                original = (src_store / attachment.store_fname).read_bytes()
                ok = attachment.raw == original
                print(f"ORM read of attachment {attachment.id} ({attachment.res_model}, {attachment.name}, "
                      f"{len(original)} bytes) in the copy: {'identical' if ok else 'DIFFERENT'}")
                if not ok:
                    problems.append(f"attachment {attachment.id} reads differently through the ORM")
        odoo.modules.registry.Registry.delete(copy)
    finally:
        odoo_backup.drop(copy)
        shutil.rmtree(config.filestore(copy), ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    for problem in problems:
        print(f"FAIL: {problem}")
    print(f"backup round trip: {'FAILED' if problems else 'OK'} in {time.monotonic() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
