#!/usr/bin/env bash
# Fetches real public data sets for the statistical engine's quality figures
# into test-data/ (git-ignored). Tests never download anything: run this
# once, then `cargo test -p syda --features stats --test stats_real_data -- --ignored`.
#
# Sources (PyPI packages that ship the data inside their wheels):
#   palmerpenguins 0.1.6 — penguins.csv, penguins-raw.csv (CC0, Horst, Hill & Gorman)
#   vega-datasets 0.9.0  — iris.json (Fisher's iris), cars.json
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/test-data"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

python3 -m pip download --quiet --no-deps --dest "$tmp" \
    palmerpenguins==0.1.6 vega-datasets==0.9.0

python3 - "$tmp" "$out" <<'PY'
import csv, glob, json, sys, zipfile

tmp, out = sys.argv[1], sys.argv[2]

def member(pattern, name):
    wheel = glob.glob(f"{tmp}/{pattern}")[0]
    with zipfile.ZipFile(wheel) as z:
        return z.read(name)

for src, dest in [("penguins.csv", "penguins.csv"), ("penguins-raw.csv", "penguins_raw.csv")]:
    data = member("palmerpenguins-*.whl", f"palmerpenguins/data/{src}")
    open(f"{out}/{dest}", "wb").write(data)

for name in ["iris", "cars"]:
    rows = json.loads(member("vega_datasets-*.whl", f"vega_datasets/_data/{name}.json"))
    with open(f"{out}/{name}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})
PY
ls -l "$out"
