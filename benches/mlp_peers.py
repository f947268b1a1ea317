#!/usr/bin/env python3
"""scikit-learn's MLPClassifier on the perceptron benchmark's workloads (issue 16).

    python benches/mlp_peers.py DATA_DIR [--reps N]      JSON on stdout

Reads the CSVs benches/node/mlp.mjs wrote (run it first), trains MLPClassifier with the
same architecture and solver (plain SGD, no momentum, constant rate, the same batch size,
no early stop, no penalty) on the first 75 % of the rows, and reports seconds per epoch as
the difference of two whole fits with different epoch counts divided by the difference in
epochs, as the Node side does.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

WORKLOADS = {
    "small": dict(file="mlp-small.csv", hidden=(4, 4), activation="tanh", lr=0.03, batch=10, epochs=(20, 120)),
    "large": dict(file="mlp-large.csv", hidden=(64, 64), activation="relu", lr=0.01, batch=32, epochs=(1, 3)),
}


def main():
    data = Path(sys.argv[1] if len(sys.argv) > 1 else ".bench/data")
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 3
    warnings.simplefilter("ignore", ConvergenceWarning)
    out = {}
    for name, w in WORKLOADS.items():
        raw = np.genfromtxt(data / w["file"], delimiter=",", skip_header=1, dtype=str)
        n = round(len(raw) * 0.75)
        x = raw[:n, :-1].astype(float)
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        y = raw[:n, -1]

        def fit(epochs):
            MLPClassifier(
                hidden_layer_sizes=w["hidden"], activation=w["activation"], solver="sgd",
                learning_rate="constant", learning_rate_init=w["lr"], momentum=0.0,
                nesterovs_momentum=False, batch_size=w["batch"], max_iter=epochs, alpha=0.0,
                tol=0.0, n_iter_no_change=1_000_000, random_state=0,
            ).fit(x, y)

        lo, hi = w["epochs"]
        fit(lo)
        times = []
        for _ in range(max(1, reps)):
            s = time.perf_counter()
            fit(lo)
            a = time.perf_counter() - s
            s = time.perf_counter()
            fit(hi)
            b = time.perf_counter() - s
            times.append((b - a) / (hi - lo))
        out[name] = {"seconds_per_epoch": max(float(np.median(times)), 1e-9), "epochs": [lo, hi], "reps": len(times)}
    json.dump({"sklearn_mlp": out}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
