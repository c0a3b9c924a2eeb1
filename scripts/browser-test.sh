#!/usr/bin/env bash
# Browser test of syda-server's API docs: builds `syda`, starts `syda serve`
# on an empty SQLite file with an admin key, and in headless Chromium
# (Debian's package, installed with apt-get if missing) driven by
# puppeteer-core (npm, into target/browser-node) presses Try it out and
# Execute on every operation of /docs, then loads /redoc; no request may
# leave the server's origin. Screenshots and results go to the artifact dir.
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
node_dir="$root/target/browser-node"
if [ ! -d "$node_dir/node_modules/puppeteer-core" ]; then
    mkdir -p "$node_dir"
    (cd "$node_dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund puppeteer-core@24)
fi
cp "$root/scripts/browser-try-it-out.mjs" "$node_dir/"

cargo build --quiet -p syda-cli --features serve --bin syda
data="$(mktemp -d)"
key="$("$root/target/debug/syda" serve --sqlite "$data/server.db" --create-key --admin 2>/dev/null)"
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

# Files for the upload forms: a CSV and a two-sheet workbook.
python3 - "$data" <<'PY'
import sys, zipfile
d = sys.argv[1]
with open(f"{d}/people.csv", "w") as f:
    f.write("id,name,plan\n" + "".join(f"{i},Person {i},{['free','pro'][i % 2]}\n" for i in range(1, 21)))
def sheet(rows):
    cells = "".join(
        f'<row r="{r+1}">' + "".join(f'<c r="{chr(65+c)}{r+1}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows))
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>'
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
with zipfile.ZipFile(f"{d}/book.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
    z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns}><sheets><sheet name="Products" sheetId="1" r:id="rId1"/><sheet name="Stock" sheetId="2" r:id="rId2"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", sheet([["sku", "color"]] + [[f"SKU-{i}", ["red", "blue"][i % 2]] for i in range(12)]))
    z.writestr("xl/worksheets/sheet2.xml", sheet([["qty"], ["four"], ["nine"]]))
PY

status=0
node "$node_dir/browser-try-it-out.mjs" "http://127.0.0.1:$port" "$key" "$data" "$out" "$browser" || status=$?
# The audit rows of the run, for a look at what each Try it out sent.
curl -fsS -H "authorization: Bearer $key" "http://127.0.0.1:$port/audit?limit=200" >"$out/audit.json" || true
[ "$status" -eq 0 ] || { echo "browser test failed; artifacts in $out"; exit "$status"; }
echo "browser test passed; artifacts in $out"
