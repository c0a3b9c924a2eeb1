#!/usr/bin/env bash
# Property-based API test of syda-server with schemathesis (from PyPI) and
# every check, against the PostgreSQL backend: builds `syda`, creates a fresh
# database, starts `syda serve` on it with an admin key, runs schemathesis
# against /openapi.json, then drops the database. Exits non-zero on any
# failure. Bounded by examples per operation and a time budget.
#   scripts/server-schemathesis.sh [MAX_EXAMPLES] [MAX_TIME_SECONDS]   (default 20, 300)
#   SYDA_TEST_POSTGRES_URL   admin URL of the server (default postgres://postgres@127.0.0.1:5432/postgres)
#   SCHEMATHESIS_VERSION     pip requirement (default schemathesis==4.32.5)
#   ARTIFACTS                where the report and server log go (default target/schemathesis)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
examples="${1:-20}"
max_time="${2:-300}"
port="${SYDA_SCHEMATHESIS_PORT:-18091}"
admin_url="${SYDA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
out="${ARTIFACTS:-$root/target/schemathesis}"
mkdir -p "$out"

venv="$root/target/schemathesis-venv"
if [ ! -x "$venv/bin/st" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "${SCHEMATHESIS_VERSION:-schemathesis==4.32.5}"
fi

cargo build --quiet -p syda-cli --features serve --bin syda
syda="$root/target/debug/syda"

db="syda_schemathesis_$$_$(date +%s)"
psql -q "$admin_url" -c "CREATE DATABASE \"$db\"" >/dev/null
url="${admin_url%/*}/$db"
data="$(mktemp -d)"
server=""
cleanup() {
    [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT

key="$("$syda" serve --database-url "$url" --create-key --admin 2>/dev/null)"
RUST_LOG="${RUST_LOG:-warn}" "$syda" serve --bind "127.0.0.1:$port" --database-url "$url" >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
# The OpenAPI examples name project `demo`: it exists, so they can succeed.
curl -fsS -H "authorization: Bearer $key" -H 'content-type: application/json' \
    -d '{"name":"demo"}' "http://127.0.0.1:$port/projects" >/dev/null

# Run in the artifact dir: schemathesis keeps its cache (.schemathesis) in the working directory.
cd "$out"
status=0
"$venv/bin/st" --config-file "$root/scripts/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" \
    --checks all \
    --max-examples "$examples" --max-time "$max_time" --seed 1 \
    --workers 2 --request-timeout 30 \
    --header "Authorization: Bearer $key" \
    --report junit --report-dir "$out" || status=$?
if grep -q "panicked" "$out/server.log"; then
    echo "FAIL: the server log has a panic ($out/server.log)"
    status=1
fi
exit "$status"
