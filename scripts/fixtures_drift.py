#!/usr/bin/env python3
"""Golden fixtures for driftlab's drift tests and streaming detectors.

Runs SciPy and River offline and writes JSON under tests/fixtures/drift/:

* stats.json     two-sample tests (ks_2samp, chisquare, chi2_contingency, PSI,
                 jensenshannon, wasserstein_distance, two-proportion z-test)
* detectors.json seeded streams and the alarm / warning indices River reports

CI has no Python: the fixtures are committed and read by tests/parity_drift.rs and
tests/detectors.rs. Regenerate with

    .venv/bin/python scripts/fixtures_drift.py

Every stream and sample is stored in the fixture itself (rounded to a few decimals
before being handed to SciPy / River), so Rust reads exactly the numbers the
reference saw.
"""
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats as st
from scipy.spatial import distance

import river
from river import drift
from river.drift import binary

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "drift")


def fl(xs):
    return [float(x) for x in xs]

# Infinite values are written as the strings "inf" / "-inf" (JSON has no infinity).


def num(x):
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


# ------------------------------------------------------------------ statistics
def ks_cases(rng):
    cases = []

    def add(name, a, b):
        a = fl(a)
        b = fl(b)
        r = st.ks_2samp(a, b, method="auto")
        cases.append({"name": name, "a": [num(x) for x in a], "b": [num(x) for x in b],
                      "statistic": num(r.statistic), "p_value": num(r.pvalue)})

    add("small_equal_n", np.round(rng.normal(0, 1, 20), 3), np.round(rng.normal(0.5, 1, 20), 3))
    add("small_unequal_n", np.round(rng.normal(0, 1, 37), 3), np.round(rng.normal(0.3, 1.2, 23), 3))
    add("ties_integers", rng.integers(0, 6, 60), rng.integers(0, 7, 45))
    add("ties_heavy_equal_n", rng.integers(0, 3, 50), rng.integers(0, 3, 50))
    add("identical", [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0])
    add("identical_constant", [2.5] * 10, [2.5] * 7)
    add("disjoint", np.round(rng.normal(0, 1, 30), 3), np.round(rng.normal(10, 1, 25), 3))
    add("size_one_each", [1.0], [2.0])
    add("size_one_vs_many", [0.3], np.round(rng.normal(0, 1, 40), 3))
    add("size_one_vs_large", [5.0], np.round(rng.normal(0, 1, 12000), 3))
    add("medium_shift", np.round(rng.normal(0, 1, 800), 4), np.round(rng.normal(0.1, 1, 700), 4))
    add("medium_same", np.round(rng.normal(0, 1, 1000), 4), np.round(rng.normal(0, 1, 999), 4))
    add("exact_limit_10000", np.round(rng.normal(0, 1, 10000), 3), np.round(rng.normal(0.05, 1, 150), 3))
    add("asymp_large_small_shift", np.round(rng.normal(0, 1, 12000), 3), np.round(rng.normal(0.02, 1, 3000), 3))
    add("asymp_large_big_shift", np.round(rng.normal(0, 1, 10500), 3), np.round(rng.normal(0.3, 1, 2000), 3))
    add("asymp_large_tiny_d", np.round(rng.normal(0, 1, 11000), 2), np.round(rng.normal(0, 1, 11000), 2))
    add("asymp_small_other", np.round(rng.normal(0, 1, 10001), 3), np.round(rng.normal(0.4, 1, 60), 3))
    add("asymp_tiny_other", np.round(rng.normal(0, 1, 10001), 3), np.round(rng.normal(0.0, 1, 8), 3))
    add("asymp_pomeranz", np.round(rng.normal(0, 1, 10001), 3), np.round(rng.normal(0.0, 1, 60), 3))
    base = np.round(rng.normal(0, 1, 11000), 3)
    near = base.copy()
    near[:20] += 3.0
    add("asymp_dmtw_near_identical", base, near)
    add("asymp_smirnov_small_n", np.round(rng.normal(0, 1, 10001), 3), np.round(rng.normal(1.2, 1, 60), 3))
    add("asymp_smirnov_half", np.round(rng.normal(0, 1, 10001), 3), np.round(rng.normal(2.5, 1, 40), 3))
    add("exact_lopsided", np.round(rng.normal(0, 1, 3000), 3), np.round(rng.normal(0.5, 1, 7), 3))
    add("with_infinities", [-np.inf, 0.0, 1.0, 2.0, np.inf], [0.5, 1.5, 2.5, np.inf])
    return cases


def chisquare_cases(rng):
    out = []

    def add(name, ref, cur):
        ref = [int(x) for x in ref]
        cur = [int(x) for x in cur]
        k = sum(cur) / sum(ref)
        f_exp = [r * k for r in ref]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = st.chisquare(cur, f_exp)
        out.append({"name": name, "reference_counts": ref, "current_counts": cur,
                    "statistic": num(r.statistic), "p_value": num(r.pvalue)})

    add("balanced_same", [100, 100, 100], [90, 110, 100])
    add("shifted", [500, 300, 200], [300, 300, 400])
    add("unequal_totals", [40, 30, 20, 10], [130, 60, 45, 15])
    add("two_categories", [70, 30], [55, 45])
    add("tiny_p", [1000, 1000, 1000, 10], [10, 1000, 3000, 1000])
    add("many_categories", rng.integers(20, 200, 60), rng.integers(20, 200, 60))
    add("new_category_in_current", [50, 50, 0], [40, 40, 20])
    add("identical_proportions", [10, 20, 30], [20, 40, 60])
    return out


def contingency_cases(rng):
    out = []

    def add(name, ref, cur):
        table = np.array([ref, cur])
        r = st.chi2_contingency(table)
        out.append({"name": name, "reference_counts": [int(x) for x in ref],
                    "current_counts": [int(x) for x in cur],
                    "statistic": num(r.statistic), "p_value": num(r.pvalue), "dof": int(r.dof)})

    add("three_by_two", [100, 100, 100], [90, 110, 100])
    add("yates_2x2", [70, 30], [55, 45])
    add("yates_2x2_small_diff", [50, 50], [50, 51])
    add("new_category_in_current", [50, 50, 0], [40, 40, 20])
    add("many_categories", rng.integers(5, 100, 40), rng.integers(5, 100, 40))
    add("strong_shift", [900, 50, 50], [100, 450, 450])
    return out


def psi_reference(ref, cur, binning="quantile", bins=10, eps=1e-4):
    """PSI with `bins` bins: edges at the reference quantiles (numpy's default, linear
    interpolation) or equal width over [min, max] of the reference; outer bins open;
    bins are right-closed (edge[i-1], edge[i]]; proportions clipped at eps."""
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    if binning == "quantile":
        edges = np.quantile(ref, np.arange(1, bins) / bins)
    else:
        lo, hi = ref.min(), ref.max()
        edges = lo + (hi - lo) * np.arange(1, bins) / bins
    ri = np.searchsorted(edges, ref, side="left")
    ci = np.searchsorted(edges, cur, side="left")
    rp = np.bincount(ri, minlength=bins) / len(ref)
    cp = np.bincount(ci, minlength=bins) / len(cur)
    rp = np.clip(rp, eps, None)
    cp = np.clip(cp, eps, None)
    return float(np.sum((cp - rp) * np.log(cp / rp)))


def psi_cases(rng):
    out = []

    def add(name, a, b, binning="quantile"):
        a = fl(a)
        b = fl(b)
        out.append({"name": name, "a": a, "b": b, "binning": binning,
                    "statistic": psi_reference(a, b, binning)})

    add("normal_shift", np.round(rng.normal(0, 1, 2000), 4), np.round(rng.normal(0.3, 1, 1500), 4))
    add("normal_same", np.round(rng.normal(0, 1, 2000), 4), np.round(rng.normal(0, 1, 1500), 4))
    add("ties", rng.integers(0, 4, 500), rng.integers(0, 6, 400))
    add("current_outside", np.round(rng.normal(0, 1, 300), 3), np.round(rng.normal(8, 1, 200), 3))
    add("equal_width", np.round(rng.normal(0, 1, 2000), 4), np.round(rng.normal(0.5, 1.3, 1500), 4), "equal_width")
    add("size_one_reference", [1.0], [0.0, 1.0, 2.0])
    return out


def js_cases(rng):
    out = []

    def add(name, p, q):
        out.append({"name": name, "p": fl(p), "q": fl(q),
                    "statistic": num(distance.jensenshannon(p, q, base=2))})

    add("counts", [10, 20, 30], [30, 20, 10])
    add("identical", [1, 2, 3], [2, 4, 6])
    add("disjoint", [5, 0], [0, 7])
    add("with_zero", [1.0, 0.0, 0.0], [0.5, 0.25, 0.25])
    add("many", rng.integers(0, 50, 30), rng.integers(0, 50, 30))
    return out


def wasserstein_cases(rng):
    out = []

    def add(name, a, b):
        a = fl(a)
        b = fl(b)
        raw = st.wasserstein_distance(a, b)
        sd = float(np.std(a))
        out.append({"name": name, "a": a, "b": b, "statistic": num(raw),
                    "reference_std": sd, "normed": num(raw / max(sd, 0.001))})

    add("normal_shift", np.round(rng.normal(0, 1, 3000), 4), np.round(rng.normal(0.2, 1.1, 2000), 4))
    add("small", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
    add("ties", rng.integers(0, 5, 200), rng.integers(0, 5, 150))
    add("size_one", [1.0], [4.0])
    add("identical", [1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    add("constant_reference", [2.0] * 5, [2.0, 2.0, 3.0])
    add("large_values", np.round(rng.normal(1e12, 1e9, 500), 0), np.round(rng.normal(1.01e12, 1e9, 400), 0))
    return out


def z_cases():
    out = []

    def add(name, k1, n1, k2, n2):
        p1, p2 = k1 / n1, k2 / n2
        P = (p1 * n1 + p2 * n2) / (n1 + n2)
        den = math.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
        if den == 0:
            z, p = 0.0, 1.0
        else:
            z = (p1 - p2) / den
            p = float(2 * st.norm.sf(abs(z)))
        out.append({"name": name, "reference_successes": k1, "reference_n": n1,
                    "current_successes": k2, "current_n": n2, "statistic": z, "p_value": p})

    add("moderate", 120, 400, 150, 380)
    add("same", 50, 100, 100, 200)
    add("tiny_p", 100, 1000, 400, 1000)
    add("all_zero", 0, 50, 0, 70)
    add("all_one", 30, 30, 20, 20)
    add("size_one", 1, 1, 0, 1)
    add("large", 51234, 100000, 50211, 99000)
    return out


# ------------------------------------------------------------------- detectors
def streams(rng):
    s = {}
    n = 3000
    x = np.concatenate([rng.normal(0, 1, 1000), rng.normal(2, 1, 1000), rng.normal(-1, 1, 1000)])
    s["abrupt_normal"] = np.round(x, 6)
    ramp = np.concatenate([np.zeros(1000), np.linspace(0, 3, 1000), np.full(1000, 3.0)])
    s["gradual_normal"] = np.round(rng.normal(0, 1, n) + ramp, 6)
    s["stationary_normal"] = np.round(rng.normal(5, 2, n), 6)
    u = rng.random(n)
    p = np.concatenate([np.full(1500, 0.1), np.full(1500, 0.4)])
    s["bernoulli_abrupt"] = (u < p).astype(float)
    u = rng.random(n)
    p = np.concatenate([np.full(1000, 0.05), np.linspace(0.05, 0.5, 1000), np.full(1000, 0.5)])
    s["bernoulli_gradual"] = (u < p).astype(float)
    u = rng.random(n)
    s["bernoulli_stationary"] = (u < 0.2).astype(float)
    return {k: fl(v) for k, v in s.items()}


def run(det, xs):
    alarms, warnings = [], []
    for i, x in enumerate(xs):
        det.update(x)
        if det.drift_detected:
            alarms.append(i)
        if getattr(det, "warning_detected", False):
            warnings.append(i)
    return alarms, warnings


DETECTORS = [
    ("adwin", {}, lambda: drift.ADWIN()),
    ("adwin", {"delta": "0.01", "clock": "1"}, lambda: drift.ADWIN(delta=0.01, clock=1)),
    ("ddm", {}, lambda: binary.DDM()),
    ("eddm", {}, lambda: binary.EDDM()),
    ("page-hinkley", {}, lambda: drift.PageHinkley()),
    ("page-hinkley", {"threshold": "20", "mode": "up"}, lambda: drift.PageHinkley(threshold=20, mode="up")),
    ("kswin", {"seed": "42"}, lambda: drift.KSWIN(seed=42)),
    ("kswin", {"seed": "7", "window_size": "60", "stat_size": "20"},
     lambda: drift.KSWIN(seed=7, window_size=60, stat_size=20)),
]


def detector_cases(ss):
    cases = []
    for name, params, make in DETECTORS:
        binary_only = name in ("ddm", "eddm")
        for sname, xs in ss.items():
            if binary_only and not sname.startswith("bernoulli"):
                continue
            alarms, warnings = run(make(), xs)
            cases.append({"detector": name, "params": params, "stream": sname,
                          "alarms": alarms, "warnings": warnings})
    return cases


def main():
    rng = np.random.default_rng(20240601)
    os.makedirs(OUT, exist_ok=True)
    meta = {"generator": "scripts/fixtures_drift.py", "python": sys.version.split()[0],
            "numpy": np.__version__, "scipy": scipy.__version__}
    stats = dict(meta)
    stats.update({
        "ks": ks_cases(rng),
        "chisquare": chisquare_cases(rng),
        "contingency": contingency_cases(rng),
        "psi": psi_cases(rng),
        "jensenshannon": js_cases(rng),
        "wasserstein": wasserstein_cases(rng),
        "z": z_cases(),
    })
    with open(os.path.join(OUT, "stats.json"), "w") as f:
        json.dump(stats, f, allow_nan=False)
    ss = streams(rng)
    det = dict(meta)
    det["river"] = river.__version__
    det["streams"] = ss
    det["cases"] = detector_cases(ss)
    with open(os.path.join(OUT, "detectors.json"), "w") as f:
        json.dump(det, f, allow_nan=False)
    for c in det["cases"]:
        print(c["detector"], c["params"], c["stream"], len(c["alarms"]), c["alarms"][:6], len(c["warnings"]),
              file=sys.stderr)


if __name__ == "__main__":
    main()
