# shellcheck shell=bash
# Shared by scripts/run and scripts/test: settings, Python/Odoo 18 bootstrap,
# PostgreSQL bootstrap and the Odoo command line. Source it, do not run it.
#
# Settings (environment variables):
#   ODOO_DB_HOST      PostgreSQL host; empty = local unix socket (default)
#   ODOO_DB_PORT      PostgreSQL port (default 5432)
#   ODOO_DB_USER      PostgreSQL role Odoo connects as (default: the current OS
#                     user, so peer authentication over the socket works);
#                     never "postgres"
#   ODOO_DB_PASSWORD  password of that role (default empty); handed to Odoo
#                     and psql through PGPASSWORD, never on a command line
#   AUTOREPAIR_PYTHON Python to look for Odoo 18 in (default python3)
#   AUTOREPAIR_ADDONS addons to install and test (default: the eight suite addons)
#   AUTOREPAIR_EXTRA_ADDONS_PATH  extra addons directories, comma-separated

AR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AR_SCRIPTS="$AR_ROOT/scripts"

ODOO_DB_HOST="${ODOO_DB_HOST:-}"
ODOO_DB_PORT="${ODOO_DB_PORT:-5432}"
ODOO_DB_USER="${ODOO_DB_USER:-$(id -un)}"
ODOO_DB_PASSWORD="${ODOO_DB_PASSWORD:-}"
AUTOREPAIR_PYTHON="${AUTOREPAIR_PYTHON:-python3}"
AUTOREPAIR_ADDONS="${AUTOREPAIR_ADDONS:-autorepair_crm,autorepair_channel,autorepair_workshop,autorepair_care,autorepair_complaint,autorepair_kpi,autorepair_archive,autorepair_payment}"
AUTOREPAIR_EXTRA_ADDONS_PATH="${AUTOREPAIR_EXTRA_ADDONS_PATH:-}"

if [[ -n "$ODOO_DB_PASSWORD" ]]; then
    export PGPASSWORD="$ODOO_DB_PASSWORD"
fi

ar_log() { printf '[autorepair] %s\n' "$*" >&2; }
ar_die() { printf '[autorepair] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
ar_as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        ar_die "need root for: $* (install sudo or run as root)"
    fi
}

# Run a command as the PostgreSQL superuser account (peer authentication).
ar_as_postgres() {
    # cd / so that postgres does not complain about an unreadable cwd
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -u postgres "$@")
    fi
}

AR_APT_UPDATED=0
# Install Debian packages that are not installed yet.
ar_apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    command -v apt-get >/dev/null \
        || ar_die "please install these packages with your system's package manager: ${missing[*]}"
    ar_log "installing Debian packages: ${missing[*]}"
    if [[ $AR_APT_UPDATED -eq 0 ]]; then
        ar_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        AR_APT_UPDATED=1
    fi
    ar_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ar_validate_db_name() {
    # Odoo's own rule for database names; it also keeps the name safe in
    # --db-filter and SQL below.
    [[ "$1" =~ ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$ ]] \
        || ar_die "invalid database name '$1' (letters, digits, _ . - only)"
}

# ---------------------------------------------------------------- Python/Odoo

ar_is_odoo18() {
    "$1" -c "import odoo, odoo.release; assert odoo.release.version_info[0] == 18" \
        >/dev/null 2>&1
}

# True when the requirement files are satisfied by this python (no network).
ar_requirements_met() {
    local py="$1"; shift
    "$py" "$AR_SCRIPTS/check_requirements.py" "$@"
}

# Install requirement files into AR_PY unless they are already satisfied.
ar_ensure_requirements() {
    local file
    for file in "$@"; do
        if ! ar_requirements_met "$AR_PY" "$file"; then
            ar_log "installing $(basename "$file") into $AR_PY"
            "$AR_PY" -m pip install -q -r "$file" >&2
        fi
    done
}

# The same for requirements-nodeps.txt: installed without their declared
# dependencies, which would replace versions Odoo pins (see the file).
ar_ensure_requirements_nodeps() {
    local file="$1"
    if ! ar_requirements_met "$AR_PY" "$file"; then
        ar_log "installing $(basename "$file") into $AR_PY (without dependencies)"
        "$AR_PY" -m pip install -q --no-deps -r "$file" >&2
    fi
}

ar_is_externally_managed() {
    "$1" -c 'import os, sys, sysconfig
sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(
    os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'
}

# Odoo 18 from its official source tree, in a virtualenv inside the repo
# (.venv and .odoo-src, both ignored by git).
ar_bootstrap_venv() {
    local venv="$AR_ROOT/.venv" src="$AR_ROOT/.odoo-src"
    local base_py
    base_py="$(command -v "$AUTOREPAIR_PYTHON" || command -v python3 || true)"
    [[ -n "$base_py" ]] || ar_apt_install python3
    base_py="$(command -v "$AUTOREPAIR_PYTHON" || command -v python3)"
    # build dependencies of Odoo's pinned packages (psycopg2, python-ldap, lxml...)
    ar_apt_install git ca-certificates build-essential python3-dev python3-venv \
        libpq-dev libldap-dev libsasl2-dev libxml2-dev libxslt1-dev \
        libjpeg-dev zlib1g-dev
    if [[ ! -f "$src/odoo-bin" ]]; then
        rm -rf "$src"
        ar_log "downloading Odoo 18 source into .odoo-src"
        git clone --quiet --depth 1 --branch 18.0 https://github.com/odoo/odoo "$src"
    fi
    [[ -x "$venv/bin/python" ]] || "$base_py" -m venv "$venv"
    ar_log "installing Odoo 18 into .venv (takes several minutes the first time)"
    # old sdists pinned by Odoo (e.g. cbor2 5.4.2) do not build with setuptools>=81;
    # PIP_CONSTRAINT also reaches pip's isolated build environments
    PIP_CONSTRAINT="$AR_SCRIPTS/pip-constraints.txt" \
        "$venv/bin/python" -m pip install -q -r "$src/requirements.txt" >&2
    PIP_CONSTRAINT="$AR_SCRIPTS/pip-constraints.txt" \
        "$venv/bin/python" -m pip install -q -e "$src" >&2
}

# Sets AR_PY: the python that runs Odoo 18.
ar_ensure_python() {
    local py
    py="$(command -v "$AUTOREPAIR_PYTHON" || true)"
    if [[ -n "$py" ]] && ar_is_odoo18 "$py"; then
        if ar_is_externally_managed "$py"; then
            # a distribution-packaged Odoo: add our packages in a venv that sees it
            [[ -x "$AR_ROOT/.venv/bin/python" ]] \
                || "$py" -m venv --system-site-packages "$AR_ROOT/.venv"
            AR_PY="$AR_ROOT/.venv/bin/python"
        else
            AR_PY="$("$py" -c 'import sys; print(sys.executable)')"
        fi
    else
        AR_PY="$AR_ROOT/.venv/bin/python"
        if ! [[ -x "$AR_PY" ]] || ! ar_is_odoo18 "$AR_PY" \
                || ! ar_requirements_met "$AR_PY" "$AR_ROOT/.odoo-src/requirements.txt" 2>/dev/null; then
            ar_bootstrap_venv
            ar_is_odoo18 "$AR_PY" || ar_die "Odoo 18 could not be installed in .venv"
        fi
    fi
    ar_ensure_requirements "$AR_ROOT/requirements.txt"
    ar_ensure_requirements_nodeps "$AR_ROOT/requirements-nodeps.txt"
}

# Sets AR_ADDONS_PATH: Odoo's own addons, the repo's addons and any extra paths.
ar_compute_addons_path() {
    local odoo_dir paths=()
    odoo_dir="$("$AR_PY" -c 'import os, odoo; print(os.path.dirname(odoo.__file__))')"
    paths+=("$odoo_dir/addons")
    # source-tree layout: the other standard addons live beside the odoo package
    if [[ -d "$odoo_dir/../addons/web" ]]; then
        paths+=("$(cd "$odoo_dir/../addons" && pwd)")
    fi
    if [[ -n "$AUTOREPAIR_EXTRA_ADDONS_PATH" ]]; then
        local extra
        IFS=',' read -r -a extra <<<"$AUTOREPAIR_EXTRA_ADDONS_PATH"
        paths+=("${extra[@]}")
    fi
    paths+=("$AR_ROOT/addons")
    AR_ADDONS_PATH="$(IFS=','; echo "${paths[*]}")"
}

# Directory of an addon in AR_ADDONS_PATH, or nothing.
ar_addon_dir() {
    local dir paths
    IFS=',' read -r -a paths <<<"$AR_ADDONS_PATH"
    for dir in "${paths[@]}"; do
        if [[ -f "$dir/$1/__manifest__.py" ]]; then
            echo "$dir/$1"
            return 0
        fi
    done
}

# Sets AR_DB_ARGS: Odoo's database options (password goes through PGPASSWORD).
ar_compute_odoo_args() {
    AR_DB_ARGS=(-r "$ODOO_DB_USER")
    [[ -n "$ODOO_DB_HOST" ]] && AR_DB_ARGS+=(--db_host "$ODOO_DB_HOST")
    [[ "$ODOO_DB_PORT" != 5432 ]] && AR_DB_ARGS+=(--db_port "$ODOO_DB_PORT")
    ar_compute_addons_path
    AR_ODOO_ARGS=("${AR_DB_ARGS[@]}" --addons-path "$AR_ADDONS_PATH")
}

# Sets AR_ODOO_BIN: Odoo's own launcher script for AR_PY. A multi-worker server
# re-executes its launcher to spawn the websocket (gevent) process:
# `python3 -m odoo` would make that `python3 .../odoo/__main__.py gevent`, which
# dies on a relative import, and live updates (chatter, activities) with it. So
# servers are started as `AR_PY <launcher>`: the `odoo` script installed beside
# AR_PY (pip, .venv), else odoo-bin of a source tree, else the system's `odoo`
# (a distribution package; run with AR_PY so that the venv's packages are seen).
ar_find_odoo_launcher() {
    local bin_dir odoo_dir candidate
    bin_dir="$(dirname "$AR_PY")"
    odoo_dir="$("$AR_PY" -c 'import os, odoo; print(os.path.dirname(odoo.__file__))')"
    for candidate in "$bin_dir/odoo" "$odoo_dir/../odoo-bin" "$(command -v odoo || true)"; do
        if [[ -n "$candidate" && -f "$candidate" ]] \
                && grep -q 'odoo.cli.main()' "$candidate" 2>/dev/null; then
            AR_ODOO_BIN="$(cd "$(dirname "$candidate")" && pwd)/$(basename "$candidate")"
            return 0
        fi
    done
    ar_die "Odoo's launcher (the 'odoo' command or odoo-bin) not found for $AR_PY"
}

# Odoo's server command: `AR_PY <launcher> server <options>`.
ar_odoo() {
    [[ -n "${AR_ODOO_BIN:-}" ]] || ar_find_odoo_launcher
    "$AR_PY" "$AR_ODOO_BIN" server "${AR_ODOO_ARGS[@]}" "$@"
}

# ---------------------------------------------------------------- PostgreSQL

ar_pg_conn_args() {
    local args=(-p "$ODOO_DB_PORT")
    [[ -n "$ODOO_DB_HOST" ]] && args+=(-h "$ODOO_DB_HOST")
    printf '%s\n' "${args[@]}"
}

ar_pg_ready() {
    local conn
    mapfile -t conn < <(ar_pg_conn_args)
    pg_isready -q "${conn[@]}" >/dev/null 2>&1
}

# psql as the application role on database "postgres" (or $AR_PSQL_DB);
# reads SQL from stdin; psql variables are passed as extra -v arguments.
ar_psql() {
    local conn
    mapfile -t conn < <(ar_pg_conn_args)
    psql -X -q -A -t -v ON_ERROR_STOP=1 "${conn[@]}" -U "$ODOO_DB_USER" \
        -d "${AR_PSQL_DB:-postgres}" "$@"
}

ar_pg_is_local() {
    case "$ODOO_DB_HOST" in
        "" | localhost | 127.0.0.1 | ::1 | /*) return 0 ;;
        *) return 1 ;;
    esac
}

# Newest installed server version, e.g. 15.
ar_pg_version() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null \
        | sort -V | tail -n 1)"
    [[ -n "$dir" ]] && basename "$(dirname "$(dirname "$dir")")"
}

ar_start_local_postgres() {
    local version cluster
    version="$(ar_pg_version || true)"
    if [[ -z "$version" ]]; then
        ar_apt_install postgresql postgresql-contrib
        version="$(ar_pg_version)" || ar_die "PostgreSQL server binaries not found after install"
    fi
    # the cluster on our port, else the first one of the newest version
    cluster="$(pg_lsclusters -h 2>/dev/null | awk -v p="$ODOO_DB_PORT" '$3 == p {print $1, $2; exit}')"
    if [[ -z "$cluster" ]]; then
        cluster="$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v {print $1, $2; exit}')"
    fi
    if [[ -z "$cluster" ]]; then
        ar_log "creating PostgreSQL $version cluster 'main' on port $ODOO_DB_PORT"
        ar_as_root pg_createcluster -p "$ODOO_DB_PORT" "$version" main >&2
        cluster="$version main"
    fi
    ar_log "starting PostgreSQL cluster $cluster"
    # shellcheck disable=SC2086  # "version name" is two arguments
    ar_as_root pg_ctlcluster $cluster start >&2 || ar_as_root service postgresql start >&2 || true
    local _
    for _ in $(seq 60); do
        ar_pg_ready && return 0
        sleep 1
    done
    ar_die "PostgreSQL did not become ready on port $ODOO_DB_PORT (see /var/log/postgresql/)"
}

# Create ODOO_DB_USER (LOGIN CREATEDB, not superuser) through the postgres account.
ar_ensure_role() {
    local exists
    if ar_psql <<<'select 1' >/dev/null 2>&1; then
        exists=1
    else
        ar_pg_is_local || ar_die "cannot connect to PostgreSQL at $ODOO_DB_HOST:$ODOO_DB_PORT as '$ODOO_DB_USER'; create that role (LOGIN CREATEDB) on the server"
        exists="$(ar_as_postgres psql -X -q -A -t -v ON_ERROR_STOP=1 -p "$ODOO_DB_PORT" -d postgres \
            -v role="$ODOO_DB_USER" <<<"select count(*) from pg_roles where rolname = :'role';")"
        if [[ "$exists" == 0 ]]; then
            ar_log "creating PostgreSQL role '$ODOO_DB_USER' (LOGIN CREATEDB)"
            ar_as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$ODOO_DB_PORT" -d postgres \
                -v role="$ODOO_DB_USER" <<<'create role :"role" login createdb;'
        fi
        if [[ -n "$ODOO_DB_PASSWORD" ]]; then
            ar_as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$ODOO_DB_PORT" -d postgres \
                -v role="$ODOO_DB_USER" -v pw="$ODOO_DB_PASSWORD" \
                <<<'alter role :"role" password :'"'"'pw'"'"';'
        fi
        ar_psql <<<'select 1' >/dev/null 2>&1 || ar_die "role '$ODOO_DB_USER' exists but cannot log in: \
over the unix socket PostgreSQL only lets OS user '$ODOO_DB_USER' in (peer); \
otherwise set ODOO_DB_PASSWORD and ODOO_DB_HOST=localhost"
    fi
    [[ "$(ar_psql <<<'select rolcreatedb or rolsuper from pg_roles where rolname = current_user')" == t ]] \
        || ar_die "PostgreSQL role '$ODOO_DB_USER' lacks CREATEDB: run (as postgres) ALTER ROLE \"$ODOO_DB_USER\" CREATEDB"
}

ar_ensure_postgres() {
    [[ "$ODOO_DB_USER" != postgres ]] \
        || ar_die "ODOO_DB_USER=postgres refused: Odoo must not connect as the PostgreSQL superuser; \
leave ODOO_DB_USER unset (it defaults to your OS user) or pick another role"
    command -v pg_isready >/dev/null || ar_apt_install postgresql-client
    if ! ar_pg_ready; then
        ar_pg_is_local || ar_die "PostgreSQL at $ODOO_DB_HOST:$ODOO_DB_PORT is not reachable"
        ar_start_local_postgres
    fi
    ar_ensure_role
    # pg_trgm (trigram search indexes) is created by the addon; the server must offer it
    if [[ "$(ar_psql <<<"select count(*) from pg_available_extensions where name = 'pg_trgm'")" == 0 ]]; then
        ar_pg_is_local || ar_die "the PostgreSQL server lacks the pg_trgm extension (package postgresql-contrib)"
        ar_apt_install postgresql-contrib
    fi
}

ar_db_exists() {
    [[ "$(ar_psql -v db="$1" <<<"select count(*) from pg_database where datname = :'db'")" == 1 ]]
}
