#!/usr/bin/env python3
"""scikit-learn's MLPClassifier / MLPRegressor next to driftlab's mlp (issue 16).

Run from the repository root with a Python that has scikit-learn:

    python scripts/fixtures_mlp.py        # tests/fixtures/models/sklearn_mlp.json

On the split that `scripts/fixtures_models.py quality` recorded for each bundled table
(tests/fixtures/models/sklearn_quality.json: the same rows driftlab trains on), with the
inputs standardized by the training rows' mean and population standard deviation (as
driftlab's default pipeline does), it fits scikit-learn's perceptron with driftlab's
default settings: hidden layers (4, 2), tanh, plain SGD (no momentum) at a constant rate of
0.03, batches of 10, 100 epochs run to the end (no early stop), no penalty. A network's
accuracy on a 38-row test set moves by 2.6 points per row, so each side is trained with five
seeds (scikit-learn's random_state 0-4) and the mean is recorded; `tests/parity_models.rs`
trains driftlab with seeds 0-4 on the same split and holds the mean within 2 points
(classification) or 0.05 of R2 (regression). The output is committed; CI does not need
Python.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "tests" / "fixtures" / "models"
SEEDS = range(5)
SETTINGS = dict(
    hidden_layer_sizes=(4, 2),
    activation="tanh",
    solver="sgd",
    learning_rate="constant",
    learning_rate_init=0.03,
    momentum=0.0,
    nesterovs_momentum=False,
    batch_size=10,
    max_iter=100,
    alpha=0.0,
    shuffle=True,
    tol=0.0,
    n_iter_no_change=1_000_000,
)


def main():
    quality = json.loads((MODELS_DIR / "sklearn_quality.json").read_text())
    out = {
        "generator": "scripts/fixtures_mlp.py",
        "sklearn": sklearn.__version__,
        "settings": {k: v for k, v in SETTINGS.items() if k != "n_iter_no_change"},
        "seeds": list(SEEDS),
        "tables": [],
    }
    warnings.simplefilter("ignore", ConvergenceWarning)
    for t in quality["tables"]:
        with open(ROOT / "data" / f"{t['name']}.csv") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        k = header.index(t["target"])
        x = np.array([[float(v) for i, v in enumerate(r) if i != k] for r in body])
        tr, te = np.array(t["train"]), np.array(t["test"])
        mean, std = x[tr].mean(axis=0), x[tr].std(axis=0)
        std[std == 0] = 1.0
        xs = (x - mean) / std
        classify = t["task"] == "classification"
        y = np.array([r[k] for r in body]) if classify else np.array([float(r[k]) for r in body])
        scores = []
        for seed in SEEDS:
            if classify:
                est = MLPClassifier(random_state=seed, **SETTINGS).fit(xs[tr], y[tr])
                scores.append(float(accuracy_score(y[te], est.predict(xs[te]))))
            else:
                est = MLPRegressor(random_state=seed, **SETTINGS).fit(xs[tr], y[tr])
                scores.append(float(r2_score(y[te], est.predict(xs[te]))))
        out["tables"].append(
            {"name": t["name"], "target": t["target"], "task": t["task"], "scores": scores, "mean": float(np.mean(scores))}
        )
        print(f"{t['name']}: {np.mean(scores):.4f} {scores}")
    (MODELS_DIR / "sklearn_mlp.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {MODELS_DIR / 'sklearn_mlp.json'}")


if __name__ == "__main__":
    main()
