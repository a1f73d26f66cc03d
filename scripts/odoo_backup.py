"""Backup and restore of one Odoo database with its filestore, as one archive.

python3 scripts/odoo_backup.py backup -d DB --output FILE [odoo options]
    pg_dump (custom format) of DB, then its filestore, into FILE (a tar):
        manifest.json   database, Odoo version, installed modules, file counts
        dump.pgdump     pg_dump --format=custom
        filestore/...   <data_dir>/filestore/DB
    The database is dumped first, then the filestore copied: files added in
    between are unused extras, whereas the other order would lose the files of
    the newest records.
python3 scripts/odoo_backup.py restore -d NEWDB --archive FILE [--force] [--copy]
                                       [--neutralize] [--jobs N] [odoo options]
    a new database NEWDB and its filestore from FILE. Refuses an existing NEWDB
    (or an existing filestore of that name) unless --force, which drops them
    first. --copy gives the copy its own database UUID (as Odoo's database
    manager does for "This database is a copy"); --neutralize turns off its
    scheduled actions, mail servers and providers (a copy for tests or training
    must not reach real customers). A failed restore leaves no database behind.

Odoo options (-c, --data-dir, -r, --db_host, --db_port...) say where the
database server and the filestore are, as for the server itself.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import closing

import psycopg2.errors

import odoo
import odoo.modules.neutralize
from odoo.service import db as db_service
from odoo.tools import config
from odoo.tools.misc import exec_pg_environ, find_pg_tool

FORMAT = "autorepair-backup 1"
DUMP = "dump.pgdump"
MANIFEST = "manifest.json"
FILESTORE = "filestore"


def log(message):
    print(f"[autorepair] {message}", file=sys.stderr, flush=True)


def fail(message):
    log(f"ERROR: {message}")
    raise SystemExit(1)


def db_exists(name):
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return bool(cr.fetchone())


def run_pg(tool, args):
    result = subprocess.run(
        [find_pg_tool(tool), *args], env=exec_pg_environ(), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, check=False,
    )
    if result.returncode:
        raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result


def backup(db_name, output):
    if not db_exists(db_name):
        fail(f"database {db_name!r} does not exist")
    if os.path.exists(output):
        fail(f"{output} exists: choose another file name (a backup is never overwritten)")
    started = time.monotonic()
    out_dir = os.path.dirname(os.path.abspath(output))
    os.makedirs(out_dir, exist_ok=True)
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        manifest = db_service.dump_db_manifest(cr)
    manifest.update(format=FORMAT, created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    # personal data: the archive and its pieces are readable by their owner only
    old_umask = os.umask(0o077)
    partial = None
    try:
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".backup-") as tmp:
            dump = os.path.join(tmp, DUMP)
            log(f"dumping database {db_name}")
            run_pg("pg_dump", ["--format=custom", "--no-owner", f"--file={dump}", db_name])
            filestore = config.filestore(db_name)
            files = size = 0
            partial = os.path.join(out_dir, f".{os.path.basename(output)}.partial")
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(dump, DUMP)
                if os.path.isdir(filestore):
                    log(f"adding the filestore {filestore}")
                    for root, _dirs, names in os.walk(filestore):
                        for name in sorted(names):
                            path = os.path.join(root, name)
                            tar.add(path, os.path.join(FILESTORE, os.path.relpath(path, filestore)))
                            files += 1
                            size += os.path.getsize(path)
                else:
                    log(f"no filestore at {filestore} (database without stored files)")
                manifest.update(filestore_files=files, filestore_bytes=size,
                                dump_bytes=os.path.getsize(dump))
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                with tempfile.TemporaryFile() as fh:
                    fh.write(data)
                    fh.seek(0)
                    tar.addfile(info, fh)
            os.replace(partial, output)
            partial = None
    finally:
        os.umask(old_umask)
        if partial and os.path.exists(partial):
            os.unlink(partial)
    log(f"backup of {db_name} written to {output}: database dump {manifest['dump_bytes']} bytes, "
        f"{manifest['filestore_files']} files ({manifest['filestore_bytes']} bytes), "
        f"{time.monotonic() - started:.1f} s")


def _safe_members(tar):
    """Only the archive's own members, never a path that leaves the target
    folder (absolute, .., links): an archive is data, not instructions."""
    manifest = dump = None
    files = []
    for member in tar.getmembers():
        name = member.name
        parts = name.split("/")
        if name.startswith("/") or ".." in parts:
            fail(f"archive member {name!r} refused: path outside the archive")
        if member.isdir():
            continue
        if not member.isfile():
            fail(f"archive member {name!r} refused: not a regular file")
        if name == MANIFEST:
            manifest = member
        elif name == DUMP:
            dump = member
        elif parts[0] == FILESTORE and len(parts) > 1:
            files.append(member)
        else:
            fail(f"archive member {name!r} refused: not part of an autorepair backup")
    if not (manifest and dump):
        fail("not an autorepair backup (manifest.json or dump.pgdump missing)")
    return manifest, dump, files


def drop(db_name, tries=10):
    """Drop ``db_name`` once this process's connections to it are closed. A plain
    DROP, not WITH (FORCE): PostgreSQL stops the autovacuum workers a fresh
    restore wakes, which FORCE would have to terminate with rights Odoo's role
    lacks; a connection still closing is waited for, a second at a time."""
    odoo.sql_db.close_db(db_name)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        for attempt in range(tries):
            try:
                cr.execute(odoo.tools.SQL("DROP DATABASE IF EXISTS %s", odoo.tools.SQL.identifier(db_name)))
                return
            except psycopg2.errors.ObjectInUse:
                if attempt == tries - 1:
                    raise
                time.sleep(1)


def restore(db_name, archive, force=False, copy=False, neutralize=False, jobs=1):
    started = time.monotonic()
    if not os.path.isfile(archive):
        fail(f"{archive}: no such file")
    filestore = config.filestore(db_name)
    exists = db_exists(db_name)
    if (exists or os.path.exists(filestore)) and not force:
        what = f"database {db_name!r}" if exists else f"filestore {filestore}"
        fail(f"{what} exists: restore under another name, or add --force to replace it")
    with tarfile.open(archive, "r:*") as tar:
        manifest_member, dump_member, file_members = _safe_members(tar)
        manifest = json.load(tar.extractfile(manifest_member))
        if manifest.get("format") != FORMAT:
            fail(f"unknown backup format {manifest.get('format')!r}")
        if manifest.get("major_version") != odoo.release.major_version:
            fail(f"backup of Odoo {manifest.get('major_version')}, this is Odoo {odoo.release.major_version}")
        if exists:
            log(f"--force: dropping database {db_name}")
            drop(db_name)
        if os.path.exists(filestore):
            log(f"--force: removing filestore {filestore}")
            shutil.rmtree(filestore)
        parent = os.path.dirname(filestore)
        os.makedirs(parent, exist_ok=True)
        created = False
        try:
            with tempfile.TemporaryDirectory(dir=parent, prefix=f".restore-{db_name}-") as tmp:
                dump = os.path.join(tmp, DUMP)
                with tar.extractfile(dump_member) as src, open(dump, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                # a dump pg_restore cannot read is refused before a database is made
                run_pg("pg_restore", ["--list", dump])
                # Odoo's own database creation (encoding, collation, pg_trgm)
                db_service._create_empty_database(db_name)
                created = True
                log(f"restoring the database dump of {manifest['db_name']} into {db_name}")
                args = ["--no-owner", "--no-acl", "--exit-on-error", f"--dbname={db_name}"]
                args += [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
                run_pg("pg_restore", [*args, dump])
                staged = os.path.join(tmp, FILESTORE)
                os.makedirs(staged)
                for member in file_members:
                    target = os.path.join(staged, member.name[len(FILESTORE) + 1:])
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with tar.extractfile(member) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                if copy or neutralize:
                    _after_restore(db_name, copy, neutralize)
                os.replace(staged, filestore)
        except BaseException:
            if created:
                log(f"restore failed: dropping the incomplete database {db_name}")
                drop(db_name)
            raise
    log(f"restored {db_name} from {archive} (backup of {manifest['db_name']} taken {manifest.get('created')}): "
        f"{len(file_members)} files, {time.monotonic() - started:.1f} s")


def _after_restore(db_name, copy, neutralize):
    with closing(odoo.sql_db.db_connect(db_name).cursor()) as cr:
        if copy:
            # what ir.config_parameter.init(force=True) renews: the copy's identity
            cr.execute("""UPDATE ir_config_parameter SET value = gen_random_uuid()::text
                           WHERE key IN ('database.uuid', 'database.secret')""")
            cr.execute("""UPDATE ir_config_parameter SET value = now() AT TIME ZONE 'UTC'
                           WHERE key = 'database.create_date'""")
            log("new database.uuid and database.secret for the copy")
        if neutralize:
            odoo.modules.neutralize.neutralize_database(cr)
            log("neutralized: scheduled actions, mail servers and providers off")
        cr.commit()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("--output", help="backup: the archive to write")
    parser.add_argument("--archive", help="restore: the archive to read")
    parser.add_argument("--force", action="store_true", help="restore: replace an existing database")
    parser.add_argument("--copy", action="store_true", help="restore: a new database UUID")
    parser.add_argument("--neutralize", action="store_true", help="restore: crons, mail servers off")
    parser.add_argument("--jobs", type=int, default=1, help="restore: pg_restore parallel jobs")
    args, odoo_args = parser.parse_known_args(argv)
    config.parse_config(odoo_args)
    db_name = (config["db_name"] or "").split(",")[0].strip()
    if not db_name:
        fail("-d DATABASE is required")
    try:
        if args.action == "backup":
            if not args.output:
                fail("--output FILE is required")
            backup(db_name, args.output)
        else:
            if not args.archive:
                fail("--archive FILE is required")
            restore(db_name, args.archive, args.force, args.copy, args.neutralize, args.jobs)
    except RuntimeError as exc:
        fail(str(exc))


if __name__ == "__main__":
    main(sys.argv[1:])
