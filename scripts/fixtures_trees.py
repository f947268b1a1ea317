#!/usr/bin/env python3
"""Reference quality from scikit-learn for driftlab's tree families (issue 15).

Run from the repository root with a venv that has scikit-learn (the bench's will do):

    cargo build --bin driftlab        # the fraud rows come from `driftlab dataset fraud`
    .bench/venv/bin/python scripts/fixtures_trees.py quality   # tests/fixtures/models/sklearn_trees.json
    DRIFTLAB_WRITE_QUALITY=1 cargo test --release --test parity_trees
                                                               # tests/fixtures/models/driftlab_trees.json
    .bench/venv/bin/python scripts/fixtures_trees.py table     # tests/fixtures/models/trees.md

`quality` makes a seeded, stratified 75/25 split of iris, wine, breast cancer, diabetes
(data/) and 10,000 rows of the fraud generator (`driftlab dataset fraud --rows 10000`,
the same bytes the Rust test generates), encodes them as driftlab's default pipeline does
(numbers and booleans imputed with the training mean and standardized on the training
rows, categories one-hot over the training rows' categories), fits scikit-learn's estimator for each tree kind with
driftlab's default parameters, and records the test accuracy (or R2) and, for two
classes, the ROC AUC, with the split indices, so that driftlab trains on exactly the same
rows (`tests/parity_trees.rs`). On fraud it also records logistic regression's ROC AUC,
the figure boosting is held to. `table` renders both sides into markdown for the README.
The outputs are committed; CI does not need Python.

The estimators, with driftlab's defaults:
  tree      DecisionTreeClassifier(random_state=0)            (unlimited depth, 1 row per leaf)
  forest    RandomForestClassifier(100 trees, max_features=None, random_state=0)
  boosting  HistGradientBoostingClassifier / Regressor(max_iter=100, learning_rate=0.1,
            max_leaf_nodes=31, min_samples_leaf=20, l2_regularization=0, max_bins=255,
            early_stopping=True, validation_fraction=0.1, n_iter_no_change=10, random_state=0)
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn import metrics as skm

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "tests" / "fixtures" / "models"
FRAUD_ROWS = 10_000

TABLES = [
    ("iris", "species", "classification"),
    ("wine", "cultivar", "classification"),
    ("breast_cancer", "diagnosis", "classification"),
    ("diabetes", "progression", "regression"),
    ("fraud", "is_fraud", "classification"),
]


def read_table(name):
    if name == "fraud":
        exe = ROOT / "target" / "release" / "driftlab"
        if not exe.exists():
            exe = ROOT / "target" / "debug" / "driftlab"
        text = subprocess.run([str(exe), "dataset", "fraud", "--rows", str(FRAUD_ROWS)],
                              check=True, capture_output=True, text=True).stdout
    else:
        text = (ROOT / "data" / f"{name}.csv").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


MISSING = {"", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A"}


def is_number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def encode(header, body, target, train):
    """driftlab's default pipeline: numbers (and booleans as 0/1) imputed with the training
    mean, then standardized (population std); other text one-hot over the training rows'
    categories, sorted, a missing cell being the category "(missing)"."""
    cols = []
    for j, name in enumerate(header):
        if name == target:
            continue
        values = [r[j] for r in body]
        present = [v for v in values if v not in MISSING]
        if present and all(v in ("true", "false") for v in present):
            x = np.array([np.nan if v in MISSING else (1.0 if v == "true" else 0.0) for v in values])
        elif present and all(is_number(v) for v in present):
            x = np.array([np.nan if v in MISSING else float(v) for v in values])
        else:
            cats = ["(missing)" if v in MISSING else v for v in values]
            for c in sorted({cats[i] for i in train}):
                cols.append(np.array([1.0 if v == c else 0.0 for v in cats]))
            continue
        seen = x[train][~np.isnan(x[train])]
        x = np.where(np.isnan(x), seen.mean() if len(seen) else 0.0, x)
        mean, std = x[train].mean(), x[train].std()
        cols.append((x - mean) / (std if std > 0 else 1.0))
    return np.stack(cols, axis=1)


def estimators(task):
    from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                                  RandomForestClassifier)
    from sklearn.tree import DecisionTreeClassifier

    boosting = dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
                    l2_regularization=0.0, max_bins=255, early_stopping=True,
                    validation_fraction=0.1, n_iter_no_change=10, random_state=0)
    if task == "regression":
        return {"boosting": HistGradientBoostingRegressor(**boosting)}
    return {
        "tree": DecisionTreeClassifier(random_state=0),
        "forest": RandomForestClassifier(n_estimators=100, max_features=None, random_state=0),
        "boosting": HistGradientBoostingClassifier(**boosting),
    }


def write_quality():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    out = {"generator": "scripts/fixtures_trees.py quality", "sklearn": sklearn.__version__,
           "fraud_rows": FRAUD_ROWS, "tables": []}
    for name, target, task in TABLES:
        header, body = read_table(name)
        t = header.index(target)
        y_raw = [r[t] for r in body]
        idx = np.arange(len(body))
        strat = y_raw if task == "classification" else None
        tr, te = train_test_split(idx, test_size=0.25, random_state=42, stratify=strat)
        tr, te = np.sort(tr), np.sort(te)
        x = encode(header, body, target, tr)
        y = np.array(y_raw) if task == "classification" else np.array([float(v) for v in y_raw])
        binary = task == "classification" and len(set(y_raw)) == 2
        ests = estimators(task)
        if name == "fraud":
            ests["logistic"] = LogisticRegression(C=1.0, max_iter=1000)
        scores = {}
        for kind, est in ests.items():
            est.fit(x[tr], y[tr])
            p = est.predict(x[te])
            s = {}
            if task == "classification":
                s["accuracy"] = float(skm.accuracy_score(y[te], p))
                if binary:
                    pos = sorted(set(y_raw))[1] if name != "fraud" else "1"
                    col = list(est.classes_).index(pos)
                    s["roc_auc"] = float(skm.roc_auc_score(y[te] == pos, est.predict_proba(x[te])[:, col]))
            else:
                s["r2"] = float(skm.r2_score(y[te], p))
            scores[kind] = s
        out["tables"].append({"name": name, "target": target, "task": task, "rows": len(body),
                              "train": tr.tolist(), "test": te.tolist(), "sklearn": scores})
        print(name, scores, file=sys.stderr)
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    (MODELS_DIR / "sklearn_trees.json").write_text(compact(json.dumps(out, indent=1)) + "\n")
    print(f"wrote {MODELS_DIR / 'sklearn_trees.json'}")


def compact(text):
    """The split indices one list to a line, not one number to a line."""
    return re.sub(r"\[\s+([\d,\s]+?)\s+\]", lambda m: "[" + "".join(m.group(1).split()) + "]", text)


def write_table():
    sk = json.loads((MODELS_DIR / "sklearn_trees.json").read_text())
    dl_path = MODELS_DIR / "driftlab_trees.json"
    dl = json.loads(dl_path.read_text()) if dl_path.exists() else {"tables": {}}
    lines = [
        "| table | metric | model | driftlab | scikit-learn | difference |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for t in sk["tables"]:
        for kind, scores in t["sklearn"].items():
            for metric, s in scores.items():
                d = dl["tables"].get(t["name"], {}).get(kind, {}).get(metric)
                ds = "—" if d is None else f"{d:.4f}"
                diff = "—" if d is None else f"{d - s:+.4f}"
                shown = {"accuracy": "accuracy", "roc_auc": "ROC AUC", "r2": "R²"}[metric]
                lines.append(f"| {t['name']} | {shown} | {kind} | {ds} | {s:.4f} | {diff} |")
    note = (
        "\nSeeded stratified 75/25 split (scikit-learn's `train_test_split(random_state=42)`, the "
        f"same rows for both; fraud: {sk['fraud_rows']} generated rows), driftlab's default "
        "pipeline, driftlab's default parameters. Generated by `scripts/fixtures_trees.py` with "
        f"scikit-learn {sk['sklearn']}.\n"
    )
    (MODELS_DIR / "trees.md").write_text("\n".join(lines) + "\n" + note)
    print(f"wrote {MODELS_DIR / 'trees.md'}")


if __name__ == "__main__":
    what = sys.argv[1:] or ["quality", "table"]
    for w in what:
        {"quality": write_quality, "table": write_table}[w]()
