"""Side-by-side baseline: SDV's GaussianCopulaSynthesizer on the data sets of
scripts/fetch-test-data.sh, written next to them as test-data/sdv/<name>.csv so
`syda report` scores both engines with the same code.

Needs SDV (heavy: pulls in torch): python3 -m venv .venv && .venv/bin/pip install sdv
Run: .venv/bin/python scripts/sdv-compare.py
"""

import os
import sys

import numpy as np
import pandas as pd
from sdv.metadata import Metadata
from sdv.single_table import GaussianCopulaSynthesizer

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test-data")
os.makedirs(os.path.join(root, "sdv"), exist_ok=True)
for name in sys.argv[1:] or ["iris", "penguins", "penguins_raw", "cars"]:
    real = pd.read_csv(os.path.join(root, f"{name}.csv"))
    np.random.seed(1)
    metadata = Metadata.detect_from_dataframes({name: real})
    synthesizer = GaussianCopulaSynthesizer(metadata)
    synthesizer.fit({name: real})
    synthetic = synthesizer.sample(num_rows=len(real))
    if isinstance(synthetic, dict):  # SDV 2 returns {table: frame}
        synthetic = synthetic[name]
    synthetic.to_csv(os.path.join(root, "sdv", f"{name}.csv"), index=False)
    print(f"{name}: {len(synthetic)} rows written")
