"""The scikit-learn / SciPy side of driftlab's benchmark harness.

    .bench/venv/bin/python benches/peers.py DATA_DIR [--reps N]   JSON on stdout

Times, on the same CSV tables the Rust and Wasm sides read (see benches/src/data.rs), the
scikit-learn estimator comparable to each driftlab family with the same hyperparameters
(driftlab's defaults), batch and single-row scoring, SciPy doing the drift report's tests,
and exports the fitted logistic regression with skl2onnx (DATA_DIR/logistic.onnx) for the
onnxruntime-web row. Every figure is the median of N repetitions. A missing package turns
its rows into {"error": ...} instead of failing the run.
"""

import json
import statistics
import sys
import time


def median_time(reps, f):
    times, out = [], None
    for _ in range(max(1, reps)):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else ".bench/data"
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
    result = {"side": "python", "reps": reps}
    try:
        import numpy as np
        import scipy
        import sklearn
    except ImportError as e:
        print(json.dumps({"side": "python", "error": f"not installed: {e}"}))
        return
    result["versions"] = {"python": sys.version.split()[0], "numpy": np.__version__,
                          "scipy": scipy.__version__, "sklearn": sklearn.__version__}

    def load(name):
        return np.loadtxt(f"{data}/{name}.csv", delimiter=",", skiprows=1)

    binary, regression, multi, current, knn = (
        load(n) for n in ("binary", "regression", "multiclass", "drift_current", "knn"))
    tables = {
        "binary": (binary[:, :-1].copy(), binary[:, -1].astype(int)),
        "regression": (regression[:, :-1].copy(), regression[:, -1]),
        "multiclass": (multi[:, :-1].copy(), multi[:, -1].astype(int)),
        "knn": (knn[:, :-1].copy(), knn[:, -1].astype(int)),
    }

    from sklearn.cluster import KMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    n = binary.shape[0]
    # driftlab defaults: logistic alpha=1 (C = 1/alpha), max_iterations 100, tolerance 1e-4;
    # ridge/lasso alpha=1 on the elastic-net scale (sklearn Ridge's alpha = n · alpha);
    # tree/forest max_depth 8 (the harness's setting), forest 10 trees with bootstraps and
    # ⌊√50⌋ = 7 features per split (the harness's feature_proportion 0.13); k-means k=5, 1 run.
    families = {
        "logistic": ("binary", lambda: LogisticRegression(C=1.0, tol=1e-4, max_iter=100)),
        "logistic-multinomial": ("multiclass",
                                 lambda: LogisticRegression(C=1.0, tol=1e-4, max_iter=100)),
        "linear": ("regression", LinearRegression),
        "ridge": ("regression", lambda: Ridge(alpha=float(n))),
        "lasso": ("regression", lambda: Lasso(alpha=1.0, tol=1e-4, max_iter=1000)),
        "tree": ("binary", lambda: DecisionTreeClassifier(max_depth=8, random_state=42)),
        "gaussian-nb": ("binary", GaussianNB),
        "kmeans": ("multiclass", lambda: KMeans(n_clusters=5, n_init=1, max_iter=300,
                                                tol=1e-4, random_state=42)),
        "forest": ("multiclass", lambda: RandomForestClassifier(
            n_estimators=10, max_depth=8, max_features="sqrt", bootstrap=True, n_jobs=1,
            random_state=42)),
        "elasticnet": ("regression", lambda: ElasticNet(alpha=1.0, l1_ratio=0.5, tol=1e-4,
                                                        max_iter=1000)),
        # k = 5, exact; "auto" takes a k-d tree at 4 features, as driftlab's batch search
        "knn": ("knn", lambda: KNeighborsClassifier(n_neighbors=5, n_jobs=1)),
    }
    train, score, fitted = {}, {}, {}
    for name, (table, make) in families.items():
        x, y = tables[table]
        try:
            r = reps if name not in ("forest",) else min(reps, 3)
            seconds, model = median_time(r, lambda: make().fit(x, y) if name != "kmeans"
                                         else make().fit(x))
            fitted[name] = model
            train[name] = {"seconds": seconds}
            if getattr(model, "n_iter_", None) is not None:
                train[name]["iterations"] = int(np.max(model.n_iter_))
            f = model.predict_proba if hasattr(model, "predict_proba") else model.predict
            batch, _ = median_time(reps, lambda: f(x))
            one = x[:1]
            k = 1000
            single, _ = median_time(reps, lambda: [f(one) for _ in range(k)])
            score[name] = {"rows": x.shape[0], "batch": {"seconds": batch},
                           "single_rows": k, "single": {"seconds": single}}
        except Exception as e:  # noqa: BLE001 - a failing peer is a row, not a crash
            train[name] = {"error": str(e)}
    result["train"], result["score"] = train, score
    lr = fitted.get("logistic")
    if lr is not None:
        xb, yb = tables["binary"]
        result["logistic_quality"] = {
            "accuracy": float(lr.score(xb, yb)),
            "coef": lr.coef_.ravel().tolist(),
            "intercept": float(lr.intercept_[0]),
        }

    # The drift report's tests, column by column, as driftlab's report runs them.
    from scipy import stats
    ref, cur = binary[:, :-1], current
    def wasserstein():
        return [stats.wasserstein_distance(ref[:, j], cur[:, j]) / np.std(ref[:, j])
                for j in range(ref.shape[1])]
    def ks():
        return [stats.ks_2samp(ref[:, j], cur[:, j]).pvalue for j in range(ref.shape[1])]
    w_s, w = median_time(reps, wasserstein)
    k_s, _ = median_time(reps, ks)
    result["drift"] = {"wasserstein": {"seconds": w_s, "check": float(sum(w))},
                       "ks": {"seconds": k_s}}

    result["detectors"] = river_detectors(reps)

    # skl2onnx export of the fitted logistic regression, for onnxruntime-web.
    try:
        from skl2onnx import to_onnx
        onx = to_onnx(lr, tables["binary"][0][:1].astype(np.float32),
                      options={id(lr): {"zipmap": False}}, target_opset=17)
        path = f"{data}/logistic.onnx"
        with open(path, "wb") as fh:
            fh.write(onx.SerializeToString())
        result["onnx"] = {"path": path, "inputs": [i.name for i in onx.graph.input],
                          "outputs": [o.name for o in onx.graph.output]}
    except Exception as e:  # noqa: BLE001
        result["onnx"] = {"error": f"skl2onnx export failed: {e}"}
    result["onnx_families"] = onnx_families(fitted, families, tables, data)
    result["trees"] = tree_peers(tables, reps, data, fitted)
    print(json.dumps(result, indent=1))


def skl2onnx_bool_flags():
    """skl2onnx (1.20) writes a HistGradientBoosting leaf's `nodes_missing_value_tracks_true`
    as Python's `False` beside the split nodes' integers, and protobuf refuses a boolean in
    an INTS attribute ("Expected an int, got a boolean"), so the boosted model did not
    export. Its converter calls the module's `add_node`; wrapping it to pass the flag as an
    int changes nothing else in the graph."""
    import skl2onnx.common.tree_ensemble as te
    if getattr(te.add_node, "bool_flags_as_ints", False):
        return
    add_node = te.add_node

    def patched(*args, nodes_missing_value_tracks_true=0, **kwargs):
        return add_node(*args, nodes_missing_value_tracks_true=int(nodes_missing_value_tracks_true),
                        **kwargs)
    patched.bool_flags_as_ints = True
    te.add_node = patched


def tree_peers(tables, reps, data, fitted):
    """Issue 15's peers of the tree families: scikit-learn's HistGradientBoosting* (both
    cores) and LightGBM (both cores, and one thread) with driftlab's bench settings for
    boosting (100 iterations of 31 leaves, 255 bins, 20 rows per leaf, learning rate 0.1,
    no early stopping), their batch predict_proba, and skl2onnx exports of the tree, the
    forest and the three boosted models for onnxruntime-web (DATA_DIR/{tree,forest,boosting,
    boosting-regression,boosting-multiclass}.onnx)."""
    import numpy as np

    out = {"train": {}, "score": {}, "onnx": {}}
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    except ImportError as e:
        return {"error": f"not installed: {e}"}
    try:
        import lightgbm
        out["lightgbm_version"] = lightgbm.__version__
    except ImportError as e:
        lightgbm = None
        out["lightgbm_error"] = f"LightGBM not installed: {e}"
    hgb = dict(max_iter=100, max_leaf_nodes=31, max_bins=255, min_samples_leaf=20,
               learning_rate=0.1, l2_regularization=0.0, early_stopping=False, random_state=42)
    lgb = dict(n_estimators=100, num_leaves=31, max_bin=255, min_child_samples=20,
               learning_rate=0.1, reg_lambda=0.0, verbose=-1, random_state=42)
    runs = [("boosting", "binary", True), ("boosting-regression", "regression", False),
            ("boosting-multiclass", "multiclass", True)]
    boosted = {}
    for name, table, classify in runs:
        x, y = tables[table]
        peers = {"sklearn": lambda: (HistGradientBoostingClassifier if classify
                                     else HistGradientBoostingRegressor)(**hgb)}
        if lightgbm is not None:
            peers["lightgbm"] = lambda: (lightgbm.LGBMClassifier if classify
                                         else lightgbm.LGBMRegressor)(n_jobs=-1, **lgb)
            peers["lightgbm_1t"] = lambda: (lightgbm.LGBMClassifier if classify
                                            else lightgbm.LGBMRegressor)(n_jobs=1, **lgb)
        r = reps if name != "boosting-multiclass" else min(reps, 3)
        for peer, make in peers.items():
            try:
                seconds, model = median_time(r, lambda: make().fit(x, y))
                out["train"].setdefault(name, {})[peer] = {"seconds": seconds}
                f = model.predict_proba if classify else model.predict
                batch, _ = median_time(reps, lambda: f(x))
                out["score"].setdefault(name, {})[peer] = {"rows": x.shape[0], "seconds": batch}
                if peer == "sklearn":
                    boosted[name] = model
            except Exception as e:  # noqa: BLE001
                out["train"].setdefault(name, {})[peer] = {"error": str(e)}
    try:
        from skl2onnx import to_onnx
        skl2onnx_bool_flags()
        for name, model, table in [("tree", fitted.get("tree"), "binary"),
                                   ("forest", fitted.get("forest"), "multiclass"),
                                   ("boosting", boosted.get("boosting"), "binary"),
                                   ("boosting-regression", boosted.get("boosting-regression"),
                                    "regression"),
                                   ("boosting-multiclass", boosted.get("boosting-multiclass"),
                                    "multiclass")]:
            if model is None:
                continue
            x = tables[table][0]
            try:
                options = ({id(model): {"zipmap": False}} if hasattr(model, "predict_proba")
                           else None)
                onx = to_onnx(model, x[:1].astype(np.float32), options=options, target_opset=17)
                path = f"{data}/{name}.onnx"
                with open(path, "wb") as fh:
                    fh.write(onx.SerializeToString())
                out["onnx"][name] = {"path": path, "table": table}
            except Exception as e:  # noqa: BLE001
                # the first line only: skl2onnx quotes the whole tree ensemble in its message
                first = str(e).splitlines()[0] if str(e) else type(e).__name__
                out["onnx"][name] = {"error": f"skl2onnx export failed: {first[:300]}"}
        # issue 17: a 100-tree random forest (regression, depth 8, fitted on 10,000 rows of
        # the regression table) for the import benchmark and onnxruntime-web's side of it
        from sklearn.ensemble import RandomForestRegressor
        x, y = tables["regression"]
        rf = RandomForestRegressor(n_estimators=100, max_depth=8, random_state=0, n_jobs=-1)
        rf.fit(x[:10000], y[:10000])
        onx = to_onnx(rf, x[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
        path = f"{data}/import_forest.onnx"
        with open(path, "wb") as fh:
            fh.write(onx.SerializeToString())
        out["onnx"]["import_forest"] = {"path": path, "table": "regression"}
        # and a 100-tree random forest classifier (soft voting: predict_proba averages the
        # leaves' class frequencies), depth 8, fitted on 10,000 rows of the binary table: it
        # imports as a soft-voting `forest`, where the regressor above imports as `boosting`
        from sklearn.ensemble import RandomForestClassifier
        x, y = tables["binary"]
        rfc = RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=-1)
        rfc.fit(x[:10000], y[:10000])
        onx = to_onnx(rfc, x[:1].astype(np.float32), options={id(rfc): {"zipmap": False}},
                      target_opset={"": 17, "ai.onnx.ml": 3})
        path = f"{data}/import_forest_classifier.onnx"
        with open(path, "wb") as fh:
            fh.write(onx.SerializeToString())
        out["onnx"]["import_forest_classifier"] = {"path": path, "table": "binary"}
    except ImportError as e:
        out["onnx"]["error"] = f"skl2onnx not installed: {e}"
    return out


def onnx_families(fitted, families, tables, data):
    """skl2onnx exports of the linear, naive Bayes, k-means and kNN models (the logistic one is
    exported above), listed in DATA_DIR/onnx_families.json for benches/node/bench.mjs."""
    try:
        import numpy as np
        from skl2onnx import to_onnx
    except ImportError as e:
        return {"error": f"skl2onnx not installed: {e}"}
    exported, errors = {}, {}
    for name in ("logistic-multinomial", "linear", "ridge", "lasso", "elasticnet",
                 "gaussian-nb", "kmeans", "knn"):
        model = fitted.get(name)
        if model is None:
            continue
        table = families[name][0]
        try:
            options = {id(model): {"zipmap": False}} if hasattr(model, "predict_proba") else None
            onx = to_onnx(model, tables[table][0][:1].astype(np.float32), options=options,
                          target_opset=17)
            path = f"{data}/{name}.onnx"
            with open(path, "wb") as fh:
                fh.write(onx.SerializeToString())
            exported[name] = {"path": path, "table": table}
        except Exception as e:  # noqa: BLE001
            errors[name] = str(e)
    with open(f"{data}/onnx_families.json", "w") as fh:
        json.dump(exported, fh)
    return {"exported": exported, "errors": errors}


def detector_stream(n, binary):
    """The harness's seeded stream (benches/src/lib.rs, Bench::detector): xorshift64, a mean
    shift half way; 0/1 errors (rate 0.1, then 0.3) for the binary detectors."""
    mask = (1 << 64) - 1
    state = 0x2545F4914F6CDD1D
    out = []
    for i in range(n):
        state ^= (state << 13) & mask
        state ^= state >> 7
        state ^= (state << 17) & mask
        u = (state >> 11) / float(1 << 53)
        if binary:
            out.append(1.0 if u < (0.1 if i < n // 2 else 0.3) else 0.0)
        else:
            out.append(u + (0.0 if i < n // 2 else 0.5))
    return out


def river_detectors(reps):
    """River's detectors with their defaults (driftlab's defaults are River's) on the same
    stream as the harness's; fewer updates than the Rust sides (Python is slower), so the
    figure to compare is updates per second."""
    try:
        import river
        from river import drift
    except ImportError as e:
        return {"error": f"River not installed: {e}"}
    makers = {
        "adwin": (drift.ADWIN, False, 200_000),
        "ddm": (drift.binary.DDM, True, 200_000),
        "eddm": (drift.binary.EDDM, True, 200_000),
        "page-hinkley": (drift.PageHinkley, False, 200_000),
        "kswin": (lambda: drift.KSWIN(seed=42), False, 20_000),
    }
    out = {"version": river.__version__}
    for name, (make, binary, n) in makers.items():
        xs = detector_stream(n, binary)

        def run():
            d, alarms = make(), 0
            for x in xs:
                d.update(x)
                alarms += bool(d.drift_detected)
            return alarms

        try:
            seconds, alarms = median_time(max(1, min(reps, 3)), run)
            out[name] = {"seconds": seconds, "updates": n, "check": alarms}
        except Exception as e:  # noqa: BLE001
            out[name] = {"error": str(e)}
    return out


if __name__ == "__main__":
    main()
