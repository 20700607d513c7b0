#!/usr/bin/env bash
# Smoke test of a deployed Rhizome: liveness, readiness (database + schema), metrics, the API's
# refusal without a key, and (when RHIZOME_SMOKE_API_KEY is set) an authenticated tenant listing.
# Used by the deploy workflow after each rollout; safe against production (reads only).
#
# Usage: scripts/smoke-test.sh https://rhizome.test.example.com
set -euo pipefail
BASE_URL="${1:?usage: smoke-test.sh BASE_URL}"
BASE_URL="${BASE_URL%/}"
ATTEMPTS="${RHIZOME_SMOKE_ATTEMPTS:-30}"

fail() { printf '[smoke] FAILED: %s\n' "$*" >&2; exit 1; }
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }

for attempt in $(seq 1 "$ATTEMPTS"); do
  [ "$(status "$BASE_URL/readyz")" = "200" ] && break
  [ "$attempt" = "$ATTEMPTS" ] && fail "/readyz never answered 200"
  sleep 5
done
[ "$(status "$BASE_URL/healthz")" = "200" ] || fail "/healthz"
curl -fsS --max-time 10 "$BASE_URL/readyz" | grep -q '"status":"ready"' || fail "/readyz is not ready"
[ "$(status "$BASE_URL/v1/tenants")" = "401" ] || fail "/v1/tenants without a key must answer 401"
if [ -n "${RHIZOME_SMOKE_API_KEY:-}" ]; then
  [ "$(status -H "authorization: Bearer $RHIZOME_SMOKE_API_KEY" "$BASE_URL/v1/tenants")" = "200" ] ||
    fail "/v1/tenants with the smoke key"
fi
printf '[smoke] %s: ok\n' "$BASE_URL"
