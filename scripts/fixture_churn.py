#!/usr/bin/env python3
"""A customer-churn table for the tests of scenarios drawn from any loaded table (issue 19).

    python3 scripts/fixture_churn.py > tests/fixtures/churn.csv

Standard library only, seeded: the same file every run. 2,000 customers; `customer_id`
(an identifier the page leaves out), `tenure_months`, `monthly_charges`, `support_calls`,
`plan` (basic / standard / premium), `autopay` (true / false), and `churned` (0 / 1, about
a quarter of the rows) last, as a person's export would have it. Churn is more likely with
many support calls, a short tenure, high charges, the basic plan and no autopay; a few
cells are missing. The committed CSV is what the tests read; CI needs no Python.
"""
import math
import random

rng = random.Random(19)
print("customer_id,tenure_months,monthly_charges,support_calls,plan,autopay,churned")
for i in range(2000):
    plan = rng.choices(["basic", "standard", "premium"], weights=[5, 3, 2])[0]
    tenure = max(1, int(rng.expovariate(1 / 24)))
    charges = round({"basic": 35, "standard": 65, "premium": 95}[plan] + rng.gauss(0, 12), 2)
    calls = min(12, int(rng.expovariate(1 / 1.6)))
    autopay = rng.random() < 0.55
    z = (-1.2 + 0.75 * calls - 0.06 * tenure + 0.025 * (charges - 60)
         + {"basic": 0.4, "standard": 0.0, "premium": -0.3}[plan] - 0.8 * autopay)
    churned = int(rng.random() < 1 / (1 + math.exp(-z)))
    tenure_cell = "" if rng.random() < 0.01 else str(tenure)
    print(f"C{10000 + i},{tenure_cell},{charges},{calls},{plan},{str(autopay).lower()},{churned}")
