"""Side-by-side baseline: SDV's synthesizers on the data sets of
scripts/fetch-test-data.sh, written under test-data/sdv/ so `syda report`
scores both engines with the same code.

- one table each (GaussianCopulaSynthesizer, defaults): iris, penguins,
  penguins_raw, cars, student_placements -> test-data/sdv/<name>.csv
- two related tables (HMASynthesizer, defaults): test-data/flights/{planes,flights}.csv
  with flights.tailnum -> planes.tailnum -> test-data/sdv/flights/

Each fit-and-sample time is printed (wall clock, seconds).

Needs SDV 2.0.0. Its GaussianCopula and HMA do not use torch, so a light
install is enough:
    python3 -m venv .venv-sdv
    .venv-sdv/bin/pip install --no-deps sdv==2.0.0 && .venv-sdv/bin/pip install copulas rdt sdmetrics \
        pandas numpy scipy scikit-learn cloudpickle tqdm platformdirs pyyaml graphviz boto3
(or a full `pip install sdv==2.0.0`, which pulls in torch).
Run: .venv-sdv/bin/python scripts/sdv-compare.py [name ...]   (`flights` for the two tables)
     .venv-sdv/bin/python scripts/sdv-compare.py score REAL.csv SYNTHETIC.csv   (SDMetrics' QualityReport)
"""

import os
import sys
import time

import numpy as np
import pandas as pd
from sdv.metadata import Metadata
from sdv.multi_table import HMASynthesizer
from sdv.single_table import GaussianCopulaSynthesizer

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test-data")
os.makedirs(os.path.join(root, "sdv"), exist_ok=True)


def single(name):
    real = pd.read_csv(os.path.join(root, f"{name}.csv"))
    np.random.seed(1)
    started = time.perf_counter()
    metadata = Metadata.detect_from_dataframes({name: real})
    synthesizer = GaussianCopulaSynthesizer(metadata)
    synthesizer.fit({name: real})
    synthetic = synthesizer.sample(num_rows=len(real))
    if isinstance(synthetic, dict):  # SDV 2 returns {table: frame}
        synthetic = synthetic[name]
    seconds = time.perf_counter() - started
    synthetic.to_csv(os.path.join(root, "sdv", f"{name}.csv"), index=False)
    print(f"{name}: {len(synthetic)} rows written; fit + sample {seconds:.2f} s")


def flights():
    tables = {t: pd.read_csv(os.path.join(root, "flights", f"{t}.csv")) for t in ["planes", "flights"]}
    np.random.seed(1)
    started = time.perf_counter()
    metadata = Metadata.detect_from_dataframes(tables)
    # Declare the one key, as syda is told with --foreign-key.
    for rel in list(metadata.relationships):
        metadata.remove_relationship(rel["parent_table_name"], rel["child_table_name"])
    metadata.update_column("tailnum", table_name="planes", sdtype="id")
    metadata.set_primary_key("tailnum", table_name="planes")
    metadata.update_column("tailnum", table_name="flights", sdtype="id")
    metadata.add_relationship("planes", "flights", "tailnum", "tailnum")
    synthesizer = HMASynthesizer(metadata)
    synthesizer.fit(tables)
    # SDV 2: rows of the root table (planes); children follow its fan-out.
    synthetic = synthesizer.sample(num_rows=len(tables["planes"]), main_table_name="planes")
    seconds = time.perf_counter() - started
    os.makedirs(os.path.join(root, "sdv", "flights"), exist_ok=True)
    for t, frame in synthetic.items():
        frame.to_csv(os.path.join(root, "sdv", "flights", f"{t}.csv"), index=False)
    print(f"flights: {', '.join(f'{t} {len(f)} rows' for t, f in synthetic.items())}; fit + sample {seconds:.2f} s")


def score(real_path, synthetic_path):
    """SDMetrics' own QualityReport on two CSV files, to set next to `syda report`."""
    from sdmetrics.reports.single_table import QualityReport

    real, synthetic = pd.read_csv(real_path), pd.read_csv(synthetic_path)
    metadata = Metadata.detect_from_dataframes({"t": real}).to_dict()["tables"]["t"]
    report = QualityReport()
    report.generate(real, synthetic[real.columns], metadata, verbose=False)
    shapes, pairs = report.get_properties()["Score"]
    print(f"{synthetic_path}: SDMetrics overall {report.get_score():.3f} (column shapes {shapes:.3f}, pair trends {pairs:.3f})")


if sys.argv[1:2] == ["score"]:
    score(sys.argv[2], sys.argv[3])
    sys.exit(0)

for name in sys.argv[1:] or ["iris", "penguins", "penguins_raw", "cars", "student_placements", "flights"]:
    flights() if name == "flights" else single(name)
