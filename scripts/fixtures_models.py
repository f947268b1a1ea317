#!/usr/bin/env python3
"""Reference numbers from scikit-learn for driftlab's metrics and models (issue 3).

Run from the repository root with the venv that has scikit-learn:

    .venv/bin/python scripts/fixtures_models.py metrics   # tests/fixtures/metrics/cases.json
    .venv/bin/python scripts/fixtures_models.py quality   # tests/fixtures/models/sklearn_quality.json
    DRIFTLAB_WRITE_QUALITY=1 cargo test --release --test parity_models quality
                                                          # tests/fixtures/models/driftlab_quality.json
    .venv/bin/python scripts/fixtures_models.py table     # tests/fixtures/models/quality.md
    .venv/bin/python scripts/fixtures_models.py fitted    # tests/fixtures/models/sklearn_fitted.json

`metrics` draws seeded labels and scores (with deliberate ties) and records what
scikit-learn computes for every metric key of DESIGN.md, the ROC and PR curves, the
calibration bins and confusion counts at thresholds; `tests/parity_metrics.rs` compares.

`quality` makes a seeded, stratified 75/25 split of iris, wine, breast cancer and diabetes
(the classic tables in data/), standardizes with the training rows' mean and population
standard deviation, fits scikit-learn's comparable estimator for each driftlab model kind,
and records the test accuracy (classification) or R2 (regression) with the split indices,
so that driftlab trains on exactly the same rows. `table` renders both into markdown for the
README. The outputs are committed; CI does not need Python.

`fitted` records what scikit-learn's estimators learn on whole bundled tables (raw
columns, no pipeline), for `tests/parity_sklearn.rs`, which fits driftlab's own trainers on
the same matrices: ridge's coefficients (closed form, to 1e-9 relative), lasso's and the
elastic net's (coordinate descent run to a tight tolerance on both sides), Gaussian naive
Bayes' means, variances and priors, multinomial logistic regression's coefficients (L-BFGS
to a tight tolerance), and k-means' inertia with k-means++ and 10 restarts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

ROOT = Path(__file__).resolve().parent.parent
METRICS_OUT = ROOT / "tests" / "fixtures" / "metrics" / "cases.json"
MODELS_DIR = ROOT / "tests" / "fixtures" / "models"
SEED = 20240917


def f(x):
    """JSON-safe float (inf -> None)."""
    x = float(x)
    return x if np.isfinite(x) else None


def binary_case(rng, n, ties):
    y = rng.integers(0, 2, n)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    s = np.clip(0.35 * y + rng.normal(0.3, 0.25, n), 0.0, 1.0)
    if ties:
        s = np.round(s, 1)
    proba = np.stack([1 - s, s], axis=1)
    pred = (s >= 0.5).astype(int)
    thresholds = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
    counts = []
    for t in thresholds:
        p = (s >= t).astype(int)
        tn, fp, fn, tp = skm.confusion_matrix(y, p, labels=[0, 1]).ravel()
        counts.append({"threshold": t, "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn)})
    fpr, tpr, thr = skm.roc_curve(y, s)
    prec, rec, pthr = skm.precision_recall_curve(y, s)
    prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
    return {
        "kind": "binary",
        "n_classes": 2,
        "y_true": y.tolist(),
        "y_pred": pred.tolist(),
        "proba": proba.ravel().tolist(),
        "expected": {
            "accuracy": skm.accuracy_score(y, pred),
            "precision": skm.precision_score(y, pred, zero_division=0),
            "recall": skm.recall_score(y, pred, zero_division=0),
            "f1": skm.f1_score(y, pred, zero_division=0),
            "roc_auc": skm.roc_auc_score(y, s),
            "average_precision": skm.average_precision_score(y, s),
            "log_loss": skm.log_loss(y, proba),
            "brier": skm.brier_score_loss(y, s),
            "macro_f1": skm.f1_score(y, pred, average="macro", zero_division=0),
            "weighted_f1": skm.f1_score(y, pred, average="weighted", zero_division=0),
            "confusion_matrix": skm.confusion_matrix(y, pred, labels=[0, 1]).tolist(),
            "roc": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": [f(t) for t in thr]},
            "pr": {"precision": prec.tolist(), "recall": rec.tolist(), "thresholds": pthr.tolist()},
            "calibration": {"fraction_positive": prob_true.tolist(), "mean_predicted": prob_pred.tolist()},
            "thresholds": counts,
        },
    }


def multiclass_case(rng, n, k):
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), y] += 1.2
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    return {
        "kind": "multiclass",
        "n_classes": k,
        "y_true": y.tolist(),
        "y_pred": pred.tolist(),
        "proba": proba.ravel().tolist(),
        "expected": {
            "accuracy": skm.accuracy_score(y, pred),
            "precision": skm.precision_score(y, pred, average="macro", zero_division=0),
            "recall": skm.recall_score(y, pred, average="macro", zero_division=0),
            "f1": skm.f1_score(y, pred, average="macro", zero_division=0),
            "roc_auc": skm.roc_auc_score(y, proba, multi_class="ovr", average="macro"),
            "average_precision": skm.average_precision_score(y, proba, average="macro"),
            "log_loss": skm.log_loss(y, proba),
            "brier": skm.brier_score_loss(y, proba),
            "macro_f1": skm.f1_score(y, pred, average="macro", zero_division=0),
            "weighted_f1": skm.f1_score(y, pred, average="weighted", zero_division=0),
            "confusion_matrix": skm.confusion_matrix(y, pred, labels=list(range(k))).tolist(),
        },
    }


def regression_case(rng, n):
    y = rng.normal(10, 5, n)
    y[0] = 0.0  # exercises MAPE's epsilon
    p = y + rng.normal(0, 2, n)
    return {
        "kind": "regression",
        "y_true": y.tolist(),
        "y_pred": p.tolist(),
        "expected": {
            "r2": skm.r2_score(y, p),
            "rmse": skm.root_mean_squared_error(y, p),
            "mae": skm.mean_absolute_error(y, p),
            "mape": skm.mean_absolute_percentage_error(y, p),
        },
    }


def clustering_case(rng, n, k):
    centers = rng.normal(0, 3, (k, 2))
    labels = rng.integers(0, k, n)
    labels[:k] = np.arange(k)
    x = centers[labels] + rng.normal(0, 1, (n, 2))
    inertia = float(((x - centers[labels]) ** 2).sum())
    return {
        "kind": "clustering",
        "x": x.ravel().tolist(),
        "cols": 2,
        "labels": labels.tolist(),
        "centroids": centers.ravel().tolist(),
        "expected": {"silhouette": skm.silhouette_score(x, labels), "inertia": inertia},
    }


def write_metrics():
    rng = np.random.default_rng(SEED)
    cases = [
        binary_case(rng, 200, ties=False),
        binary_case(rng, 150, ties=True),
        binary_case(rng, 40, ties=True),
        multiclass_case(rng, 300, 3),
        multiclass_case(rng, 120, 5),
        regression_case(rng, 100),
        clustering_case(rng, 120, 3),
    ]
    METRICS_OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {"generator": "scripts/fixtures_models.py metrics", "sklearn": sklearn.__version__, "cases": cases}
    METRICS_OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {METRICS_OUT}")


TABLES = [
    ("iris", "species", "classification"),
    ("wine", "cultivar", "classification"),
    ("breast_cancer", "diagnosis", "classification"),
    ("diabetes", "progression", "regression"),
]


def estimators(task, n_train):
    from sklearn.cluster import KMeans  # noqa: F401  (k-means has no accuracy; not in the table)
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.svm import SVC, SVR
    from sklearn.tree import DecisionTreeClassifier

    if task == "classification":
        return {
            # driftlab's alpha = 1 penalises the summed loss: C = 1 / alpha.
            "logistic": LogisticRegression(C=1.0, max_iter=1000),
            "tree": DecisionTreeClassifier(random_state=0),
            "forest": RandomForestClassifier(n_estimators=100, max_features=None, random_state=0),
            "gaussian-nb": GaussianNB(),
            "svm": SVC(C=1.0, kernel="rbf", gamma="scale"),
            "knn": KNeighborsClassifier(n_neighbors=5),
        }
    # driftlab's ridge/lasso/elastic net use scikit-learn's ElasticNet objective; ridge is
    # ElasticNet(l1_ratio=0), i.e. Ridge(alpha * n_train).
    from sklearn.linear_model import Ridge

    return {
        "linear": LinearRegression(),
        "ridge": Ridge(alpha=1.0 * n_train),
        "lasso": Lasso(alpha=1.0),
        "elasticnet": ElasticNet(alpha=1.0, l1_ratio=0.5),
        "svm": SVR(C=1.0, epsilon=0.1, gamma="scale"),
        "knn": KNeighborsRegressor(n_neighbors=5),
    }


def write_quality():
    import csv

    from sklearn.model_selection import train_test_split

    out = {"generator": "scripts/fixtures_models.py quality", "sklearn": sklearn.__version__, "tables": []}
    for name, target, task in TABLES:
        with open(ROOT / "data" / f"{name}.csv") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        t = header.index(target)
        x = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
        y_raw = [r[t] for r in body]
        idx = np.arange(len(body))
        strat = y_raw if task == "classification" else None
        tr, te = train_test_split(idx, test_size=0.25, random_state=42, stratify=strat)
        tr, te = np.sort(tr), np.sort(te)
        mean, std = x[tr].mean(axis=0), x[tr].std(axis=0)
        std[std == 0] = 1.0
        xs = (x - mean) / std
        y = np.array(y_raw) if task == "classification" else np.array([float(v) for v in y_raw])
        scores = {}
        for kind, est in estimators(task, len(tr)).items():
            est.fit(xs[tr], y[tr])
            p = est.predict(xs[te])
            scores[kind] = float(skm.accuracy_score(y[te], p) if task == "classification" else skm.r2_score(y[te], p))
        out["tables"].append(
            {"name": name, "target": target, "task": task, "train": tr.tolist(), "test": te.tolist(), "sklearn": scores}
        )
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    (MODELS_DIR / "sklearn_quality.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {MODELS_DIR / 'sklearn_quality.json'}")


def write_table():
    sk = json.loads((MODELS_DIR / "sklearn_quality.json").read_text())
    dl_path = MODELS_DIR / "driftlab_quality.json"
    dl = json.loads(dl_path.read_text()) if dl_path.exists() else {"tables": {}}
    lines = [
        "| table | metric | model | driftlab | scikit-learn | difference |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for t in sk["tables"]:
        metric = "accuracy" if t["task"] == "classification" else "R²"
        for kind, s in t["sklearn"].items():
            d = dl["tables"].get(t["name"], {}).get(kind)
            ds = "—" if d is None else f"{d:.4f}"
            diff = "—" if d is None else f"{d - s:+.4f}"
            lines.append(f"| {t['name']} | {metric} | {kind} | {ds} | {s:.4f} | {diff} |")
    note = (
        "\nSeeded stratified 75/25 split (scikit-learn's `train_test_split(random_state=42)`, the "
        "same rows for both), inputs standardized on the training rows. Generated by "
        f"`scripts/fixtures_models.py` with scikit-learn {sk['sklearn']}.\n"
    )
    (MODELS_DIR / "quality.md").write_text("\n".join(lines) + "\n" + note)
    print(f"wrote {MODELS_DIR / 'quality.md'}")


def read_table(name, target):
    import csv

    with open(ROOT / "data" / f"{name}.csv") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    t = header.index(target)
    x = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
    return x, [r[t] for r in body]


def standardized(x):
    std = x.std(axis=0)
    std[std == 0] = 1.0
    return (x - x.mean(axis=0)) / std


def write_fitted():
    from sklearn.cluster import KMeans
    from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge
    from sklearn.naive_bayes import GaussianNB

    out = {"generator": "scripts/fixtures_models.py fitted", "sklearn": sklearn.__version__}
    x, y = read_table("diabetes", "progression")
    y = np.array([float(v) for v in y])
    n = x.shape[0]
    tight = {"tol": 1e-12, "max_iter": 1_000_000}
    linear = {}
    # driftlab's alpha is on the elastic net's 1/(2n) scale: Ridge's alpha is n times it
    for kind, alpha, est in [
        ("ridge", 1.0, Ridge(alpha=1.0 * n, solver="cholesky")),
        ("ridge", 0.001, Ridge(alpha=0.001 * n, solver="cholesky")),
        ("lasso", 1.0, Lasso(alpha=1.0, **tight)),
        ("lasso", 0.05, Lasso(alpha=0.05, **tight)),
        ("elasticnet", 0.1, ElasticNet(alpha=0.1, l1_ratio=0.5, **tight)),
    ]:
        est.fit(x, y)
        linear.setdefault(kind, []).append(
            {"alpha": alpha, "coef": est.coef_.tolist(), "intercept": float(est.intercept_)}
        )
    out["diabetes"] = {"target": "progression", **linear}

    nb = {}
    for name, target in [("iris", "species"), ("wine", "cultivar"), ("breast_cancer", "diagnosis")]:
        x, y = read_table(name, target)
        g = GaussianNB().fit(x, y)
        nb[name] = {
            "target": target,
            "classes": [str(c) for c in g.classes_],
            "theta": g.theta_.tolist(),
            "var": g.var_.tolist(),
            "prior": g.class_prior_.tolist(),
        }
    out["gaussian_nb"] = nb

    lr = {}
    for name, target, scale in [("iris", "species", False), ("wine", "cultivar", True)]:
        x, y = read_table(name, target)
        if scale:
            x = standardized(x)
        m = LogisticRegression(C=1.0, tol=1e-10, max_iter=100_000).fit(x, y)
        lr[name] = {
            "target": target,
            "standardized": scale,
            "classes": [str(c) for c in m.classes_],
            "coef": m.coef_.tolist(),
            "intercept": m.intercept_.tolist(),
        }
    out["logistic_multinomial"] = lr

    km = {}
    for name, target, k in [("iris", "species", 3), ("wine", "cultivar", 3)]:
        x, _ = read_table(name, target)
        x = standardized(x)
        inertias = [KMeans(n_clusters=k, n_init=10, random_state=s).fit(x).inertia_ for s in range(5)]
        km[name] = {"target": target, "standardized": True, "k": k, "n_init": 10,
                    "inertia_median": float(np.median(inertias)), "inertia_min": float(min(inertias))}
    out["kmeans"] = km
    path = MODELS_DIR / "sklearn_fitted.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    what = sys.argv[1:] or ["metrics", "quality", "table"]
    for w in what:
        {"metrics": write_metrics, "quality": write_quality, "table": write_table,
         "fitted": write_fitted}[w]()
