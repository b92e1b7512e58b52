#!/usr/bin/env bash
# A throwaway PostgreSQL 15 on 127.0.0.1, for trying the app, the tests or the load test on
# the production database. Data lives in a temporary folder and is gone when it stops.
#
#   scripts/pg_local.sh make test              # run a command with DATABASE_URL set, then stop
#   scripts/pg_local.sh make serve-prod        # (Ctrl-C stops the server and the database)
#   scripts/pg_local.sh start                  # start; prints DATABASE_URL=... and PGLOCAL_DIR=...
#   scripts/pg_local.sh stop "$PGLOCAL_DIR"    # stop what `start` started and delete its data
#
# PGPORT chooses the port (default: a free one). As root (CI, containers) the server runs as the
# postgres user, since PostgreSQL refuses to run as root. Needs Debian's postgresql-15 package.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  local dir=$1
  if [ -d "$dir/data" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

start() {
  if [ ! -x "$PGBIN/initdb" ]; then
    echo "PostgreSQL 15 is not installed: apt-get install postgresql-15 (or set PGBIN)." >&2
    exit 1
  fi
  local dir port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-local.XXXXXX")
  port=${PGPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
  fi
  as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >/dev/null
  # fsync off: throwaway data, like CI's; max_connections above gunicorn workers + tests.
  if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null; then
    cat "$dir/server.log" >&2 || true
    stop "$dir"
    exit 1
  fi
  echo "DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
  echo "PGLOCAL_DIR=$dir"
}

case "${1:-}" in
  start)
    start
    ;;
  stop)
    [ -n "${2:-}" ] || { echo "usage: $0 stop PGLOCAL_DIR" >&2; exit 2; }
    stop "$2"
    ;;
  "" | -h | --help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    started=$(start)
    export "$(echo "$started" | grep '^DATABASE_URL=')"
    dir=$(echo "$started" | sed -n 's/^PGLOCAL_DIR=//p')
    trap 'stop "$dir"' EXIT
    echo "PostgreSQL 15 at $DATABASE_URL (stopped when the command ends)" >&2
    "$@"
    ;;
esac
