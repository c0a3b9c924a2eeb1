#!/usr/bin/env bash
# Load check of syda-server: sustained small offline POST /generate requests
# on loopback with wrk, then a check that every answered request left its
# audit row. Needs wrk (Debian package `wrk`) and a release build of `syda`.
#   scripts/server-load-check.sh [DURATION] [CONNECTIONS]   (default 30s, 16)
#   DATABASE_URL=postgres://... to run against PostgreSQL (a fresh database; else a fresh SQLite file)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${1:-30s}"
conns="${2:-16}"
port="${SYDA_LOAD_PORT:-18090}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
profile="${SYDA_PROFILE:-release}"   # SYDA_PROFILE=debug for a quick run
if [ "$profile" = release ]; then
    cargo build --quiet --release -p syda-cli --features serve --bin syda
else
    cargo build --quiet -p syda-cli --features serve --bin syda
fi
syda="$root/target/$profile/syda"
data="$(mktemp -d)"
key="$("$syda" serve --sqlite "$data/s.db" --create-key --project load 2>/dev/null)"
"$syda" serve --bind "127.0.0.1:$port" --sqlite "$data/s.db" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS -H "authorization: Bearer $key" -H 'content-type: application/json' \
    -d '{"name":"load"}' "http://127.0.0.1:$port/projects" >/dev/null

count() { # audit rows of successful POST /generate
    curl -fsS -H "authorization: Bearer $key" "http://127.0.0.1:$port/projects/load/transactions?limit=1" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}
before="$(count)"
cat >"$data/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
wrk.body = '{"project":"load","schema":{"id":"integer","email":"email","name":"name","signup":"date"},"rows":20,"seed":1}'
done = function(summary, latency, requests)
  io.write(string.format("LOAD requests=%d errors=%d non2xx=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
wrk -t2 -c"$conns" -d"$duration" --latency -s "$data/post.lua" "http://127.0.0.1:$port/generate" | tee "$data/wrk.out"
after="$(count)"
sent="$(sed -n 's/^LOAD requests=\([0-9]*\).*/\1/p' "$data/wrk.out")"
# Each listing above adds one audit row itself (the first is counted in `after`).
rows=$((after - before - 1))
echo "audit rows written: $rows for $sent answered requests"
# wrk may count requests still in flight at the deadline; they are answered (and audited) after it stops.
if [ "$rows" -lt "$sent" ]; then echo "LOST AUDIT ROWS"; exit 1; fi
grep -q "errors=0 non2xx=0" "$data/wrk.out" || { echo "ERRORS"; exit 1; }
echo "load check passed"
