#!/usr/bin/env python3
"""The ONNX models the page's end-to-end test opens (tests/e2e/onnx.test.mjs):
tests/fixtures/onnx_page/fraud_logistic.onnx, and fraud_steps.onnx (issue 17: the same
table through a Binarizer on one column, an OrdinalEncoder on the categories and a
Normalizer before the model, the pipeline steps an import maps onto driftlab's).

A scikit-learn pipeline as an onnxruntime user would have it, trained on driftlab's bundled
`fraud` table (2,000 rows, seed 42, as `driftlab dataset fraud --rows 2000 --seed 42`
writes it): a ColumnTransformer that imputes and scales the five numeric columns and
one-hot encodes the two categorical ones, then a logistic regression on `is_fraud`,
converted by skl2onnx with one input per column (float [N, 1] or string [N, 1]) and
`zipmap=False`. The page imports it with the loaded fraud table as its reference, so the
fraud scenarios can be played against it. CI never runs this script: its output is
committed. Run from the repository root, after `cargo build --bin driftlab`:

    /work/venv/bin/python scripts/fixture_onnx_page.py
"""
import csv
import io
import os
import subprocess

import numpy as np
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (Binarizer, Normalizer, OneHotEncoder, OrdinalEncoder,
                                   StandardScaler)

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, "tests", "fixtures", "onnx_page")
NUMERIC = ["amount", "hour", "account_age_days", "tx_last_24h", "distance_from_home_km"]
CATEGORICAL = ["merchant_category", "country"]

text = subprocess.run(
    [os.path.join(ROOT, "target", "debug", "driftlab"), "dataset", "fraud", "--rows", "2000", "--seed", "42"],
    check=True, capture_output=True, text=True,
).stdout
rows = list(csv.DictReader(io.StringIO(text)))
# columns by position (no pandas here): the five numbers, then the two categories
x = np.array([[float(r[c]) if r[c] != "" else np.nan for c in NUMERIC] + [r[c] for c in CATEGORICAL]
              for r in rows], dtype=object)
y = np.array([int(r["is_fraud"]) for r in rows])
NUM, CAT = list(range(len(NUMERIC))), list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))

model = make_pipeline(
    ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), NUM),
        ("cat", OneHotEncoder(handle_unknown="ignore"), CAT),
    ]),
    LogisticRegression(max_iter=1000),
)
model.fit(x, y)
types = [(c, FloatTensorType([None, 1])) for c in NUMERIC] + [(c, StringTensorType([None, 1])) for c in CATEGORICAL]
onx = to_onnx(model, initial_types=types, options={LogisticRegression: {"zipmap": False}},
              target_opset={"": 17, "ai.onnx.ml": 3})
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "fraud_logistic.onnx"), "wb") as f:
    f.write(onx.SerializeToString())
print("fraud_logistic.onnx:", len(onx.SerializeToString()), "bytes; training accuracy",
      round(model.score(x, y), 4))

steps = make_pipeline(
    ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), NUM[:-1]),
        ("far", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(), Binarizer(threshold=0.0)),
         NUM[-1:]),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), CAT),
    ]),
    Normalizer(norm="l2"),
    LogisticRegression(max_iter=1000),
)
steps.fit(x, y)
onx = to_onnx(steps, initial_types=types, options={LogisticRegression: {"zipmap": False}},
              target_opset={"": 17, "ai.onnx.ml": 3})
with open(os.path.join(OUT, "fraud_steps.onnx"), "wb") as f:
    f.write(onx.SerializeToString())
print("fraud_steps.onnx:", len(onx.SerializeToString()), "bytes; training accuracy",
      round(steps.score(x, y), 4))
