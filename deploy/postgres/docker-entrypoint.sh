#!/usr/bin/env bash
# Entry point of the rhizome-postgres image. On the first start (empty PGDATA) it creates the
# cluster, sets the superuser's password, creates POSTGRES_DB and the `vector` and `age`
# extensions (also in template1, so later databases have them), then runs the server in the
# foreground. Runs as the postgres user (uid 999); never as root.
set -euo pipefail

log() { printf '[rhizome-postgres] %s\n' "$*" >&2; }

if [ "${1:-postgres}" != "postgres" ]; then
  exec "$@"
fi
shift || true

if [ "$(id -u)" = "0" ]; then
  log "refusing to run as root; run as uid 999 (the image's USER)"
  exit 1
fi

POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
AUTH_METHOD="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$AUTH_METHOD" != "trust" ]; then
    log "POSTGRES_PASSWORD is required (or POSTGRES_HOST_AUTH_METHOD=trust for a throwaway database)"
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  password_file=$(mktemp)
  trap 'rm -f "$password_file"' EXIT
  printf '%s\n' "${POSTGRES_PASSWORD:-unused}" > "$password_file"
  log "initialising the cluster in $PGDATA"
  initdb --username="$POSTGRES_USER" --pwfile="$password_file" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$AUTH_METHOD" -D "$PGDATA" >&2
  rm -f "$password_file"
  # Remote clients authenticate with the password (or trust, when asked for explicitly).
  printf 'host all all all %s\n' "$AUTH_METHOD" >> "$PGDATA/pg_hba.conf"

  # Set up over the Unix socket only, so nothing can connect before the extensions exist.
  socket_dir=$(mktemp -d)
  pg_ctl -D "$PGDATA" -w -t 60 -o "-c listen_addresses='' -c unix_socket_directories=$socket_dir" start >&2
  run_sql() { psql -v ON_ERROR_STOP=1 -X -q -h "$socket_dir" -U "$POSTGRES_USER" "$@"; }
  if [ "$POSTGRES_DB" != "postgres" ]; then
    run_sql -d postgres -v db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
SQL
  fi
  for database in template1 "$POSTGRES_DB"; do
    run_sql -d "$database" -c 'CREATE EXTENSION IF NOT EXISTS vector' -c 'CREATE EXTENSION IF NOT EXISTS age'
  done
  for script in /docker-entrypoint-initdb.d/*.sql; do
    [ -f "$script" ] || continue
    log "running $script"
    run_sql -d "$POSTGRES_DB" -f "$script"
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >&2
  rmdir "$socket_dir" 2>/dev/null || true
  log "initialised: database $POSTGRES_DB with vector and age"
fi

exec postgres -D "$PGDATA" "$@"
