"""Expected values for the registry's significance tests (tests/fixtures/monitor.json).

McNemar: exact two-sided binomial p (scipy.stats.binomtest(min(b, c), b + c, 0.5)) when
b + c < 25, else the continuity-corrected chi-square (|b - c| - 1)^2 / (b + c) on 1 degree
of freedom (scipy.stats.chi2.sf), as statsmodels' mcnemar does. Two-proportion z-test:
pooled variance, two-sided p = 2 * scipy.stats.norm.sf(|z|).

Run: .venv/bin/python scripts/fixtures_monitor.py > tests/fixtures/monitor.json
"""
import json
import math

import scipy
from scipy import stats

MCNEMAR = [(8, 2), (3, 9), (0, 5), (12, 12), (7, 17), (13, 12), (40, 20), (100, 130), (1, 0), (0, 0)]
Z = [(960, 1000, 940, 1000), (45, 50, 40, 50), (0, 10, 0, 10), (30, 200, 45, 180), (4870, 5000, 4820, 5000)]


def mcnemar(b, c):
    n = b + c
    if n == 0:
        return {"b": b, "c": c, "statistic": 0.0, "p_value": 1.0, "exact": True}
    if n < 25:
        k = min(b, c)
        return {"b": b, "c": c, "statistic": float(k), "p_value": float(stats.binomtest(k, n, 0.5).pvalue), "exact": True}
    stat = max(abs(b - c) - 1, 0) ** 2 / n
    return {"b": b, "c": c, "statistic": stat, "p_value": float(stats.chi2.sf(stat, 1)), "exact": False}


def z_test(x1, n1, x2, n2):
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    den = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if den == 0:
        return {"x1": x1, "n1": n1, "x2": x2, "n2": n2, "statistic": 0.0, "p_value": 1.0}
    z = (p1 - p2) / den
    return {"x1": x1, "n1": n1, "x2": x2, "n2": n2, "statistic": z, "p_value": float(2 * stats.norm.sf(abs(z)))}


print(json.dumps({
    "generator": "scripts/fixtures_monitor.py",
    "scipy": scipy.__version__,
    "mcnemar": [mcnemar(b, c) for b, c in MCNEMAR],
    "z_test": [z_test(*case) for case in Z],
}, indent=1))
