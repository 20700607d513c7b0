#!/usr/bin/env bash
# Provisions a real PostgreSQL 17 server with pgvector and Apache AGE, without Docker.
#
# Debian bookworm has no pgvector/AGE packages; Debian trixie has both, so we build a minimal
# trixie root with debootstrap and run the server inside it with chroot. The root is cached
# outside the checkout (RHIZOME_PG_ROOT) so later runs start in seconds. Idempotent: tolerates
# existing mounts, a stale postmaster.pid and a server that is already running.
#
# Prints the connection URL (superuser) as its last line. Needs root.
set -euo pipefail

ROOT_DIR="${RHIZOME_PG_ROOT:-/var/cache/rhizome/postgres-trixie}"
PORT="${RHIZOME_PG_PORT:-55432}"
DATA_DIR_IN_ROOT=/var/lib/rhizome-pg/data
LOG_IN_ROOT=/var/lib/rhizome-pg/server.log
PG_BIN=/usr/lib/postgresql/17/bin

log() { printf '[provision-postgres] %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (debootstrap and chroot need it)"
  exit 1
fi

# The Debian mirror this machine is configured with; we name no host of our own.
mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  printf '%s' "$uri"
}

in_root() { chroot "$ROOT_DIR" "$@"; }

ensure_root_filesystem() {
  if [ -f "$ROOT_DIR/.rhizome-complete" ]; then
    return
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  local source
  source=$(mirror)
  if [ -z "$source" ]; then
    log "no Debian mirror found in the apt sources"
    exit 1
  fi
  log "building a trixie root in $ROOT_DIR (about a minute)"
  unmount_all
  rm -rf "$ROOT_DIR"
  mkdir -p "$(dirname "$ROOT_DIR")"
  debootstrap --variant=minbase \
    --include=postgresql-17,postgresql-17-pgvector,postgresql-17-age \
    trixie "$ROOT_DIR" "$source" >&2
  touch "$ROOT_DIR/.rhizome-complete"
}

unmount_all() {
  for mount_point in "$ROOT_DIR/dev" "$ROOT_DIR/proc"; do
    if mountpoint -q "$mount_point" 2>/dev/null; then
      umount -l "$mount_point" || true
    fi
  done
}

ensure_mounts() {
  mountpoint -q "$ROOT_DIR/proc" || mount -t proc proc "$ROOT_DIR/proc"
  mountpoint -q "$ROOT_DIR/dev" || mount --bind /dev "$ROOT_DIR/dev"
}

ensure_cluster() {
  if [ -f "$ROOT_DIR$DATA_DIR_IN_ROOT/PG_VERSION" ]; then
    return
  fi
  log "initialising the cluster"
  mkdir -p "$ROOT_DIR$DATA_DIR_IN_ROOT"
  in_root chown -R postgres:postgres /var/lib/rhizome-pg
  in_root su postgres -s /bin/sh -c \
    "$PG_BIN/initdb -D $DATA_DIR_IN_ROOT -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8" >&2
}

server_ready() {
  in_root su postgres -s /bin/sh -c "$PG_BIN/pg_isready -q -h 127.0.0.1 -p $PORT" 2>/dev/null
}

ensure_running() {
  if server_ready; then
    log "server already running on port $PORT"
    return
  fi
  local pid_file="$ROOT_DIR$DATA_DIR_IN_ROOT/postmaster.pid"
  if [ -f "$pid_file" ]; then
    local pid
    pid=$(head -1 "$pid_file")
    if ! kill -0 "$pid" 2>/dev/null; then
      log "removing stale postmaster.pid (process $pid is gone)"
      rm -f "$pid_file"
    fi
  fi
  log "starting PostgreSQL on 127.0.0.1:$PORT"
  # Options chosen for a test/benchmark server on a small machine; AGE preloaded so no
  # connection pays for LOAD 'age'.
  in_root su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $DATA_DIR_IN_ROOT -l $LOG_IN_ROOT -w -t 60 start -o \"\
-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=/tmp \
-c shared_preload_libraries=age -c max_connections=200 -c shared_buffers=512MB \
-c maintenance_work_mem=1GB -c fsync=${RHIZOME_PG_FSYNC:-on} -c synchronous_commit=off\"" >&2 || {
    log "server failed to start; last log lines:"
    tail -20 "$ROOT_DIR$LOG_IN_ROOT" >&2 || true
    exit 1
  }
}

stop_server() {
  if [ -f "$ROOT_DIR$DATA_DIR_IN_ROOT/postmaster.pid" ]; then
    in_root su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $DATA_DIR_IN_ROOT -m fast stop" >&2 || true
  fi
}

case "${1:-start}" in
  start)
    ensure_root_filesystem
    ensure_mounts
    ensure_cluster
    ensure_running
    printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$PORT"
    ;;
  stop)
    stop_server
    ;;
  *)
    log "usage: $0 [start|stop]"
    exit 2
    ;;
esac
