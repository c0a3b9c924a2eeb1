#!/usr/bin/env bash
# Browser test of syda-server's API docs: builds `syda`, starts `syda serve`
# on an empty SQLite file, loads /docs and /redoc in headless Chromium
# (Debian's package, installed with apt-get if missing), checks that the
# operations render, and saves screenshots and the rendered DOM.
#   scripts/browser-test.sh [ARTIFACT_DIR]   (default: target/browser-test)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/target/browser-test}"
mkdir -p "$out"
port="${SYDA_BROWSER_TEST_PORT:-18089}"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "installing chromium (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi

cargo build --quiet -p syda-cli --bin syda
data="$(mktemp -d)"
"$root/target/debug/syda" serve --bind "127.0.0.1:$port" --sqlite "$data/server.db" >"$out/server.log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null

chrome() {
    local profile
    profile="$(mktemp -d)"
    "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --disable-background-networking --disable-component-update --disable-sync \
        --no-first-run --user-data-dir="$profile" --virtual-time-budget=15000 "$@" 2>>"$out/chromium.log"
    rm -rf "$profile"
}

chrome --window-size=1280,2400 --screenshot="$out/docs.png" "http://127.0.0.1:$port/docs"
chrome --dump-dom "http://127.0.0.1:$port/docs" >"$out/docs.html"
chrome --window-size=1280,1600 --screenshot="$out/redoc.png" "http://127.0.0.1:$port/redoc"
chrome --dump-dom "http://127.0.0.1:$port/redoc" >"$out/redoc.html"

fail=0
check() { # FILE PATTERN WHAT
    if grep -q -- "$2" "$1"; then echo "ok: $3"; else echo "FAIL: $3"; fail=1; fi
}
check "$out/docs.html" 'class="swagger-ui' "Swagger UI rendered"
for op in "/projects" "/projects/{name}/transactions" "/generate" "/generate/test-data" \
          "/upload/generate" "/upload/unstructured" "/upload/unstructured/generate" "/jobs/{id}" "/jobs/{id}/result"; do
    check "$out/docs.html" "data-path=\"$op\"" "Swagger UI lists $op"
done
check "$out/redoc.html" 'Create a project' "ReDoc rendered the operations"
for f in docs.png redoc.png; do
    if [ -s "$out/$f" ]; then echo "ok: screenshot $out/$f ($(stat -c %s "$out/$f") bytes)"; else echo "FAIL: no $f"; fail=1; fi
done
if [ "$fail" -ne 0 ]; then
    echo "browser test failed; artifacts in $out"
    exit 1
fi
echo "browser test passed; artifacts in $out"
