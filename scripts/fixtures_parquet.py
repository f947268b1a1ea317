#!/usr/bin/env python3
"""Parquet fixtures for driftlab's Parquet reader (src/table/parquet.rs).

Writes, with pyarrow, under tests/fixtures/parquet/:

* types.parquet        every type the reader takes (int8..int64, uint32, float, double,
                       decimal(9,2) and decimal(30,4), strings with dictionary encoding,
                       booleans, dates), nulls in every column, 60 rows in 7 row groups
                       of 9 (the last of 6), snappy
* types_plain.parquet  the same table uncompressed, without dictionary encoding,
                       data page v2
* types_gzip.parquet   the same table, gzip; types_lz4.parquet, lz4 (raw)
* types.csv            the same table as CSV, the way a person would write it (empty =
                       null, shortest spellings); the tests read both and compare tables
* iris.parquet         data/iris.csv through pyarrow (doubles and a dictionary string
                       column), row groups of 40; diabetes.parquet (ints and doubles)
* bad_zstd.parquet      zstd-compressed: refused naming the codec
* bad_timestamp.parquet a timestamp column: refused naming the column
* bad_nested.parquet    a list column: refused naming the column
* bad_footer.parquet    types.parquet with its last 40 bytes cut (corrupt footer)
* bad_string_length.parquet  iris.parquet with one byte of a dictionary page changed

CI has no Python: the files are committed and read by tests/parquet.rs. Regenerate with

    /work/venv/bin/python scripts/fixtures_parquet.py
"""
import csv
import datetime
import decimal
import os

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "parquet")
N = 60


def types_table():
    rng = np.random.default_rng(20)

    def nulls(values, every):
        return [None if i % every == every - 1 else v for i, v in enumerate(values)]

    colours = ["red", "green", "blue", "ocean blue", "é-accent"]
    day0 = datetime.date(2020, 1, 1)
    cols = {
        "i8": pa.array(nulls([int(x) for x in rng.integers(-128, 127, N)], 11), pa.int8()),
        "i16": pa.array([int(x) for x in rng.integers(-30000, 30000, N)], pa.int16()),
        "i32": pa.array(nulls([int(x) for x in rng.integers(-2**31, 2**31 - 1, N)], 7), pa.int32()),
        "i64": pa.array(nulls([int(x) for x in rng.integers(-2**62, 2**62, N)], 5), pa.int64()),
        "u32": pa.array([int(x) for x in rng.integers(0, 2**32 - 1, N)], pa.uint32()),
        "f32": pa.array(nulls([float(np.float32(x)) for x in rng.normal(0, 10, N)], 6), pa.float32()),
        "f64": pa.array(nulls([float(x) for x in rng.normal(0, 1e3, N)], 4), pa.float64()),
        "dec9": pa.array(
            nulls([decimal.Decimal(int(x)).scaleb(-2) for x in rng.integers(-10**8, 10**8, N)], 8),
            pa.decimal128(9, 2),
        ),
        "dec30": pa.array(
            [decimal.Decimal(int(x) * 10**12 + 1234).scaleb(-4) for x in rng.integers(-10**9, 10**9, N)],
            pa.decimal128(30, 4),
        ),
        "colour": pa.array(nulls([colours[int(i)] for i in rng.integers(0, 5, N)], 9), pa.string()),
        "flag": pa.array(nulls([bool(x) for x in rng.integers(0, 2, N)], 10), pa.bool_()),
        "day": pa.array(
            nulls([day0 + datetime.timedelta(days=int(d)) for d in rng.integers(-800, 800, N)], 12),
            pa.date32(),
        ),
        "all_null": pa.array([None] * N, pa.float64()),
    }
    return pa.table(cols)


def csv_cell(v, t):
    if v is None:
        return ""
    if pa.types.is_boolean(t):
        return "true" if v else "false"
    if pa.types.is_float32(t):
        return repr(np.float32(v)).removeprefix("np.float32(").removesuffix(")")
    if pa.types.is_floating(t):
        return repr(float(v))
    if pa.types.is_decimal(t):
        return str(v)
    if pa.types.is_date(t):
        return v.isoformat()
    return str(v)


def write_csv(table, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(table.column_names)
        cols = [(c.to_pylist(), c.type) for c in table.columns]
        for r in range(table.num_rows):
            w.writerow([csv_cell(vals[r], t) for vals, t in cols])


def main():
    os.makedirs(OUT, exist_ok=True)
    t = types_table()
    p = lambda name: os.path.join(OUT, name)
    pq.write_table(t, p("types.parquet"), row_group_size=9, compression="snappy")
    pq.write_table(
        t, p("types_plain.parquet"), row_group_size=9, compression="none",
        use_dictionary=False, data_page_version="2.0",
    )
    pq.write_table(t, p("types_gzip.parquet"), row_group_size=20, compression="gzip")
    pq.write_table(t, p("types_lz4.parquet"), row_group_size=20, compression="lz4")
    write_csv(t, p("types.csv"))

    for name, rows in [("iris", 40), ("diabetes", 100)]:
        table = pacsv.read_csv(os.path.join(ROOT, "data", f"{name}.csv"))
        pq.write_table(table, p(f"{name}.parquet"), row_group_size=rows, compression="snappy")

    small = pa.table({"x": pa.array([1.0, 2.0, 3.0]), "c": pa.array(["a", "b", "a"])})
    pq.write_table(small, p("bad_zstd.parquet"), compression="zstd")
    ts = pa.table({"x": pa.array([1.0, 2.0]), "when": pa.array([1, 2], pa.timestamp("ms"))})
    pq.write_table(ts, p("bad_timestamp.parquet"))
    nested = pa.table({"x": pa.array([1.0, 2.0]), "tags": pa.array([["a"], ["b", "c"]])})
    pq.write_table(nested, p("bad_nested.parquet"))
    whole = open(p("types.parquet"), "rb").read()
    open(p("bad_footer.parquet"), "wb").write(whole[:-40])
    # one byte of iris.parquet's species dictionary changed (found by flipping bytes): a
    # string's length prefix then runs past its page, on which the parquet crate panics
    iris = bytearray(open(p("iris.parquet"), "rb").read())
    assert iris[3327] == 2, "iris.parquet changed: find the byte again (tests/parquet.rs)"
    iris[3327] = 106
    open(p("bad_string_length.parquet"), "wb").write(bytes(iris))


if __name__ == "__main__":
    main()
