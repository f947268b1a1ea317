#!/usr/bin/env python3
"""Write the classic tables that driftlab embeds (data/*.csv) from scikit-learn's copies.

scikit-learn ships these tables as data files inside its package
(sklearn/datasets/data/); this script reads them through sklearn's loaders and writes
clean CSVs: a header row of snake_case names, the target as the last column (as
readable strings for the classification sets), `\\n` line ends, and numbers printed as
they appear in the source files (no rescaling).

Run from the repository root:

    python scripts/make_classic_data.py            # writes data/{iris,wine,breast_cancer,diabetes}.csv

The output is committed; the Rust crate embeds it with `include_str!` and neither the
build nor CI needs Python. Rerunning must reproduce the committed files byte for byte.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import sklearn
from sklearn import datasets

OUT = Path(__file__).resolve().parent.parent / "data"


def snake(name: str) -> str:
    """`mean radius` -> `mean_radius`, `sepal length (cm)` -> `sepal_length_cm`,
    `od280/od315_of_diluted_wines` -> `od280_od315_of_diluted_wines`."""
    name = name.strip().lower()
    name = re.sub(r"[^0-9a-z]+", "_", name)
    return name.strip("_")


def number(value: float) -> str:
    """The shortest text that reads back as the same float; integers without `.0`."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


def write(name: str, features: list[str], rows, target_name: str, targets) -> None:
    header = [snake(f) for f in features] + [target_name]
    if len(set(header)) != len(header):
        sys.exit(f"{name}: duplicate column names after snake_case: {header}")
    path = OUT / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row, target in zip(rows, targets):
            w.writerow([number(v) for v in row] + [target])
    print(f"wrote {path.relative_to(OUT.parent)}: {len(rows)} rows, {len(header)} columns")


def classification(name: str, bunch, target_name: str, names=None) -> None:
    labels = list(names if names is not None else bunch.target_names)
    write(name, list(bunch.feature_names), bunch.data.tolist(), target_name,
          [labels[int(t)] for t in bunch.target])


def main() -> None:
    OUT.mkdir(exist_ok=True)
    print(f"scikit-learn {sklearn.__version__}")
    classification("iris", datasets.load_iris(), "species")
    classification("wine", datasets.load_wine(), "cultivar")
    classification("breast_cancer", datasets.load_breast_cancer(), "diagnosis")
    # The raw, unscaled diabetes table (sklearn's `scaled=False`): age in years, sex 1/2,
    # bmi, blood pressure and six serum measurements; target is disease progression one
    # year after baseline.
    try:
        diabetes = datasets.load_diabetes(scaled=False)
    except TypeError:  # scikit-learn < 1.1 has only the scaled table
        diabetes = datasets.load_diabetes()
    write("diabetes", list(diabetes.feature_names), diabetes.data.tolist(), "progression",
          [number(t) for t in diabetes.target])


if __name__ == "__main__":
    main()
