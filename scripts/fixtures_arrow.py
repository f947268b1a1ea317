#!/usr/bin/env python3
"""Arrow IPC fixtures for driftlab's Arrow reader (src/table/arrow.rs).

Writes, with pyarrow, under tests/fixtures/arrow/, the table of the Parquet fixtures
(scripts/fixtures_parquet.py's types_table: every type the readers take, nulls in every
column, 60 rows), so that the tests can hold Arrow = CSV = Parquet
(tests/fixtures/parquet/types.csv and types.parquet):

* types.arrow          the IPC file format (`ARROW1`), record batches of 9 rows (7 batches)
* types_dict.arrows    the IPC stream format, batches of 20, the string column
                       dictionary-encoded (int32 indices)
* types_lz4.arrow      the file format, lz4-frame compressed buffers
* iris.arrow           data/iris.csv (doubles and a string), batches of 50
* binary_train.arrow   tests/fixtures/onnx/binary.train.csv, the reference of an imported
                       ONNX model (driftlab import --reference takes it as it takes the CSV)
* bad_zstd.arrow       zstd-compressed buffers: refused naming the codec
* bad_timestamp.arrow  a timestamp column: refused naming the column
* bad_nested.arrow     a list column: refused naming the column
* bad_cut.arrow        types.arrow cut in the middle of its third batch
* bad_rows.arrow       one batch of a column of 37 doubles whose 37s (the batch's and the
                       column's length) are changed to 2^40
* bad_body.arrow       that batch's body length changed to 2^40 (past the file)
* bad_flatbuffer.arrow the first message's flatbuffer root offset changed to 0x7fffff00

CI has no Python: the files are committed and read by tests/arrow.rs. Regenerate with

    /work/venv/bin/python scripts/fixtures_arrow.py
"""
import os
import struct
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures_parquet import types_table  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "arrow")


def write_file(table, path, batch, compression=None):
    options = ipc.IpcWriteOptions(compression=compression)
    with ipc.new_file(path, table.schema, options=options) as w:
        w.write_table(table, max_chunksize=batch)


def patch_int64(data, old, new, last_only=False):
    """Every little-endian int64 `old` in `data` becomes `new` (or only the last one)."""
    needle, repl = struct.pack("<q", old), struct.pack("<q", new)
    count = data.count(needle)
    assert count > 0, f"no int64 {old}"
    if last_only:
        at = data.rfind(needle)
        return data[:at] + repl + data[at + 8:]
    return data.replace(needle, repl)


def main():
    os.makedirs(OUT, exist_ok=True)
    p = lambda name: os.path.join(OUT, name)
    t = types_table()
    write_file(t, p("types.arrow"), 9)

    # the string column dictionary-encoded, in the stream format
    dict_table = t.set_column(t.schema.get_field_index("colour"), "colour", t.column("colour").dictionary_encode())
    with ipc.new_stream(p("types_dict.arrows"), dict_table.schema) as w:
        w.write_table(dict_table, max_chunksize=20)
    write_file(t, p("types_lz4.arrow"), 20, compression="lz4")

    iris = pacsv.read_csv(os.path.join(ROOT, "data", "iris.csv"))
    write_file(iris, p("iris.arrow"), 50)
    train = pacsv.read_csv(os.path.join(ROOT, "tests", "fixtures", "onnx", "binary.train.csv"))
    write_file(train, p("binary_train.arrow"), 100)

    small = pa.table({"x": pa.array([1.0, 2.0, 3.0]), "c": pa.array(["a", "b", "a"])})
    write_file(small, p("bad_zstd.arrow"), 3, compression="zstd")
    ts = pa.table({"x": pa.array([1.0, 2.0]), "when": pa.array([1, 2], pa.timestamp("ms"))})
    write_file(ts, p("bad_timestamp.arrow"), 2)
    nested = pa.table({"x": pa.array([1.0, 2.0]), "tags": pa.array([["a"], ["b", "c"]])})
    write_file(nested, p("bad_nested.arrow"), 2)

    whole = open(p("types.arrow"), "rb").read()
    open(p("bad_cut.arrow"), "wb").write(whole[: len(whole) * 3 // 7])

    x = pa.table({"x": pa.array([float(i) / 4 for i in range(37)])})
    write_file(x, p("x37.arrow"), 37)
    good = open(p("x37.arrow"), "rb").read()
    os.remove(p("x37.arrow"))
    open(p("bad_rows.arrow"), "wb").write(patch_int64(good, 37, 1 << 40))
    # the body: 37 doubles padded to 8 bytes = 296, in the message and in the footer's block
    open(p("bad_body.arrow"), "wb").write(patch_int64(good, 296, 1 << 40))
    # the first message (the schema) after the magic: FF FF FF FF, its length, its root offset
    bad = bytearray(good)
    assert bad[8:12] == b"\xff\xff\xff\xff"
    bad[16:20] = struct.pack("<I", 0x7FFFFF00)
    open(p("bad_flatbuffer.arrow"), "wb").write(bytes(bad))


if __name__ == "__main__":
    main()
