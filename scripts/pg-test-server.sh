#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (tests/integration/test_omop_pg.py): its own data
# directory and port (never the system cluster's), listening on 127.0.0.1 only, with a role and a
# database for the tests (the role may create databases: the tests make a fresh one per session).
#
#   eval "$(scripts/pg-test-server.sh start)"   # start (or reuse) it; prints `export ELIG_PG_URL=...`
#   scripts/pg-test-server.sh stop              # stop it and remove its data directory
#
# ELIG_PG_PORT (default 54329) and ELIG_PG_DATA (default /tmp/elig-pg-PORT) choose another; the
# server binaries are the newest /usr/lib/postgresql/*/bin (Debian's `postgresql` package), or
# initdb's folder on the PATH. As root (CI) the server runs as the `postgres` user: initdb refuses
# root. Progress goes to stderr, only the export line to stdout.
set -euo pipefail

PORT=${ELIG_PG_PORT:-54329}
DATA=${ELIG_PG_DATA:-/tmp/elig-pg-$PORT}
ROLE=elig
PASSWORD=elig
DB=elig
URL="postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"

say() { echo "pg-test-server: $*" >&2; }

bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$dir" ] && command -v initdb >/dev/null; then
        dir=$(dirname "$(readlink -f "$(command -v initdb)")")
    fi
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ] || [ ! -x "$dir/pg_ctl" ]; then
        say "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql"
        exit 1
    fi
    echo "$dir"
}

BIN=$(bindir)
AS=()  # the server's user: ourselves, or postgres when we are root
if [ "$(id -u)" -eq 0 ]; then
    AS=(runuser -u postgres --)
fi
cd /  # the postgres user may not be able to read the caller's folder

running() { "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
    if [ ! -s "$DATA/PG_VERSION" ]; then
        rm -rf "$DATA"
        mkdir -m 700 "$DATA"
        [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$DATA"
        "${AS[@]}" "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale --no-sync \
            --auth-local=trust --auth-host=scram-sha-256 >/dev/null
        # Local socket in the data directory (mode 700: only the server's user), TCP on 127.0.0.1 only;
        # durability off: the data is thrown away.
        cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi
    if running; then
        say "already running on 127.0.0.1:$PORT ($DATA)"
    elif ! "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 30 start >/dev/null; then
        say "the server did not start (is port $PORT taken? ELIG_PG_PORT chooses another); its log:"
        tail -n 5 "$DATA/server.log" >&2 || true
        exit 1
    else
        say "started on 127.0.0.1:$PORT ($DATA)"
    fi
    "${AS[@]}" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DATA" -p "$PORT" -U postgres -d postgres >/dev/null <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $DB OWNER $ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec
EOF
    echo "export ELIG_PG_URL=$URL"
}

stop() {
    if running; then
        "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        say "stopped ($DATA removed)"
    fi
    rm -rf "$DATA"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
