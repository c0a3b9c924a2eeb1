"""Read syda's Parquet output with pyarrow and DuckDB; print each table's
row count and column types, and fail when they disagree.

    pip install duckdb pyarrow
    python examples/shards/check_parquet.py <out-dir>

Works on unsharded output (<out>/<table>.parquet) and on shards
(<out>/<table>/part-*.parquet, read as one data set).
"""

import os
import sys

import duckdb
import pyarrow.dataset as ds


def tables(out):
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if os.path.isdir(path):
            yield name, path, os.path.join(path, "*.parquet")
        elif name.endswith(".parquet"):
            yield name[: -len(".parquet")], path, path


def summarize(out):
    """Prints table, rows and arrow types; returns {table: (rows, schema)}."""
    seen = {}
    con = duckdb.connect()
    for table, path, glob in tables(out):
        arrow = ds.dataset(path, format="parquet")
        rows = arrow.count_rows()
        duck_rows = con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0]
        if rows != duck_rows:
            raise SystemExit(f"{table}: pyarrow reads {rows} rows, DuckDB {duck_rows}")
        types = ", ".join(f"{f.name}: {f.type}" for f in arrow.schema)
        print(f"{table}: {rows} rows; {types}")
        seen[table] = (rows, arrow.schema)
    return seen


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    summarize(sys.argv[1])
