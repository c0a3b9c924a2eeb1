"""Run one syda job as a Dask map over shard indexes, then read it back.

    pip install "dask[bag]" duckdb pyarrow
    cargo build --release -p syda-cli
    python examples/shards/dask_shards.py --shards 4 --rows 100000 --out /tmp/crm

Each task runs `syda generate --shard I/N` and writes
<out>/<table>/part-0000I.parquet; the parts of a table are one data set for
DuckDB, Spark or pyarrow. With a Dask cluster (dask.distributed.Client), the
same map runs on many machines writing to shared storage. A Spark job does
the same with sc.parallelize(range(N), N).foreach(run_shard).
"""

import argparse
import os
import subprocess
import sys

import dask.bag as db

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_shard(index, shards, args):
    """Writes shard `index` of `shards`; returns its summary line."""
    command = [
        args.syda, "generate", args.schema,
        "--rows", str(args.rows), "--seed", str(args.seed),
        "--format", "parquet", "--shard", f"{index}/{shards}",
        "--threads", "1", "--quiet", "--out", args.out,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--schema", default=os.path.join(ROOT, "examples", "schemas", "crm.yaml"))
    parser.add_argument("--syda", default=os.path.join(ROOT, "target", "release", "syda"))
    parser.add_argument("--out", default="crm-shards")
    args = parser.parse_args()

    shards = db.from_sequence(range(args.shards), npartitions=args.shards)
    for line in shards.map(run_shard, args.shards, args).compute():
        print(line)

    # Read each table's directory back as one data set.
    sys.path.insert(0, HERE)
    from check_parquet import summarize

    summarize(args.out)


if __name__ == "__main__":
    main()
