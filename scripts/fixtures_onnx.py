#!/usr/bin/env python3
"""Writes the ONNX import fixtures into tests/fixtures/onnx/ (run with /work/venv's Python;
CI never runs it: its output is committed).

For each model: NAME.onnx (skl2onnx or onnxmltools), and NAME.expected.json with
onnxruntime's labels and probabilities (or values) on every row of the dataset's
rows file. The datasets (DATA.train.csv, the reference; DATA.rows.csv, the rows scored)
hold float32 numbers written as the float64 they are, so that the CSV driftlab reads and
the float32 tensor onnxruntime reads hold the same values. tests/onnx_import.rs imports
every model with its reference and compares driftlab's scorer with onnxruntime's outputs.
"""
import json
import os
import sys
import warnings

import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestRegressor, RandomForestClassifier, ExtraTreesClassifier)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (Binarizer, MinMaxScaler, Normalizer, OneHotEncoder,
                                   OrdinalEncoder, StandardScaler)
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "onnx")
OPSET = {"": 17, "ai.onnx.ml": 3}
rng = np.random.default_rng(17)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def numeric_data(n, task):
    x = f32(np.round(rng.normal(size=(n, 4)) * [1.0, 2.0, 0.5, 3.0] + [0, 1, -1, 5], 3))
    z = x[:, 0] - 0.7 * x[:, 1] + 0.8 * x[:, 2] + 0.2 * x[:, 3] + rng.normal(scale=0.8, size=n)
    if task == "binary":
        y = (z > 0).astype(int)
    elif task == "multi":
        y = np.digitize(z, [-1.0, 0.8])
    else:
        y = f32(np.round(z * 10 + 3, 3))
    return x, y


def write_csv(path, cols, rows):
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(cell(v) for v in r) + "\n")


def cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        return repr(float(np.float32(v)))
    return str(v)


DATA = {}


def numeric_dataset(name, task, n_train=200, n_rows=60):
    x, y = numeric_data(n_train + n_rows, task)
    cols = ["x1", "x2", "x3", "x4", "y"]
    tr = [list(x[i]) + [y[i]] for i in range(n_train)]
    rows = [list(x[i]) + [y[i]] for i in range(n_train, n_train + n_rows)]
    write_csv(os.path.join(OUT, f"{name}.train.csv"), cols, tr)
    write_csv(os.path.join(OUT, f"{name}.rows.csv"), cols, rows)
    DATA[name] = (x[:n_train], y[:n_train], x[n_train:])


def mixed_dataset(name, n_train=200, n_rows=60):
    """Two numbers with gaps, one category (one unseen and one missing in the rows)."""
    n = n_train + n_rows
    x, _ = numeric_data(n, "reg")
    cats = np.array(["north", "south", "east", "west"])[rng.integers(0, 4, size=n)]
    z = x[:, 0] - 0.5 * x[:, 1] + (cats == "east") * 1.5 - (cats == "west")
    y = np.digitize(z, [-0.8, 0.8])
    a, b = x[:, 0].astype(object), x[:, 1].astype(object)
    for i in rng.choice(n, size=n // 10, replace=False):
        a[i] = np.nan
    for i in rng.choice(n, size=n // 12, replace=False):
        b[i] = np.nan
    cats = cats.astype(object)
    cats[n_train + 3] = "up"  # unseen
    rows = [[a[i], b[i], cats[i], int(y[i])] for i in range(n)]
    write_csv(os.path.join(OUT, f"{name}.train.csv"), ["a", "b", "c", "y"], rows[:n_train])
    write_csv(os.path.join(OUT, f"{name}.rows.csv"), ["a", "b", "c", "y"], rows[n_train:])
    x = np.empty((n, 3), dtype=object)
    x[:, 0], x[:, 1], x[:, 2] = a.astype(float), b.astype(float), cats
    DATA[name] = (x[:n_train], y[:n_train], x[n_train:])


def mixed_inputs(x):
    """One input per column (a missing category is sent as an empty string)."""
    return {
        "a": f32(x[:, 0].astype(float)).reshape(-1, 1),
        "b": f32(x[:, 1].astype(float)).reshape(-1, 1),
        "c": np.array(["" if v is None or v != v else str(v) for v in x[:, 2]]).reshape(-1, 1),
    }


MODELS = []


def save(name, data, onx, kind):
    path = os.path.join(OUT, f"{name}.onnx")
    with open(path, "wb") as f:
        f.write(onx.SerializeToString())
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    _, _, rows = DATA[data]
    feed = mixed_inputs(rows) if data == "mixed" else {sess.get_inputs()[0].name: f32(rows)}
    outs = sess.run(None, feed)
    names = [o.name for o in sess.get_outputs()]
    exp = {"model": name, "dataset": data, "kind": kind}
    for n, v in zip(names, outs):
        if isinstance(v, list):  # ZipMap
            keys = list(v[0].keys())
            exp["probabilities"] = [[float(d[k]) for k in keys] for d in v]
            exp["classes"] = [str(k) for k in keys]
        elif n in ("label", "output_label"):
            exp["label"] = [str(int(l)) if not isinstance(l, str) else l for l in v.ravel()]
        elif v.ndim == 2 and v.shape[1] > 1:
            exp["probabilities"] = v.astype(float).tolist()
        else:
            exp["value"] = v.astype(float).ravel().tolist()
    with open(os.path.join(OUT, f"{name}.expected.json"), "w") as f:
        json.dump(exp, f)
    MODELS.append(name)


def sk(name, data, model, kind, zipmap=True):
    x, y, _ = DATA[data]
    model.fit(x, y)
    if data == "mixed":
        types = [("a", FloatTensorType([None, 1])), ("b", FloatTensorType([None, 1])),
                 ("c", StringTensorType([None, 1]))]
        onx = to_onnx(model, initial_types=types, target_opset=OPSET)
    else:
        onx = to_onnx(model, f32(x[:1]), target_opset=OPSET)
    save(name, data, onx, kind)


def v5(source, name):
    """The legacy TreeEnsembleRegressor of `source` rewritten as ai.onnx.ml 5's TreeEnsemble
    (skl2onnx and onnxmltools do not write it yet), scored by onnxruntime like the others."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    m = onnx.load(os.path.join(OUT, f"{source}.onnx"))
    old = next(n for n in m.graph.node if n.op_type == "TreeEnsembleRegressor")
    a = {x.name: helper.get_attribute_value(x) for x in old.attribute}
    keys = list(zip(a["nodes_treeids"], a["nodes_nodeids"]))
    leaf = {k: a["nodes_modes"][i] == b"LEAF" for i, k in enumerate(keys)}
    inner = [k for k in keys if not leaf[k]]
    leaves = [k for k in keys if leaf[k]]
    at = {k: i for i, k in enumerate(inner)}
    lat = {k: j for j, k in enumerate(leaves)}
    pos = {k: i for i, k in enumerate(keys)}
    weights = {(t, n): w for t, n, w in zip(a["target_treeids"], a["target_nodeids"], a["target_weights"])}
    codes = {b"BRANCH_LEQ": 0, b"BRANCH_LT": 1, b"BRANCH_GTE": 2, b"BRANCH_GT": 3}
    cols = {k: [] for k in ["feat", "split", "mode", "t", "tl", "f", "fl", "miss"]}
    for k in inner:
        i = pos[k]
        tree = k[0]
        for side, ids, leafs in (("t", "nodes_truenodeids", "tl"), ("f", "nodes_falsenodeids", "fl")):
            c = (tree, a[ids][i])
            cols[side].append(lat[c] if leaf[c] else at[c])
            cols[leafs].append(1 if leaf[c] else 0)
        cols["feat"].append(a["nodes_featureids"][i])
        cols["split"].append(a["nodes_values"][i])
        cols["mode"].append(codes[a["nodes_modes"][i]])
        cols["miss"].append(a.get("nodes_missing_value_tracks_true", [0] * len(keys))[i])
    roots = [at[(t, 0)] for t in sorted({k[0] for k in keys})]
    node = helper.make_node(
        "TreeEnsemble", [old.input[0]], [old.output[0]], domain="ai.onnx.ml",
        n_targets=1, aggregate_function=1, post_transform=0, tree_roots=roots,
        nodes_featureids=cols["feat"], nodes_truenodeids=cols["t"], nodes_trueleafs=cols["tl"],
        nodes_falsenodeids=cols["f"], nodes_falseleafs=cols["fl"],
        nodes_missing_value_tracks_true=cols["miss"],
        nodes_splits=numpy_helper.from_array(np.array(cols["split"], dtype=np.float32)),
        nodes_modes=numpy_helper.from_array(np.array(cols["mode"], dtype=np.uint8)),
        leaf_targetids=[0] * len(leaves),
        leaf_weights=numpy_helper.from_array(np.array([weights[k] for k in leaves], dtype=np.float32)),
    )
    out_name = old.output[0]
    rest = [n for n in m.graph.node if n.op_type != "TreeEnsembleRegressor"]
    base = a.get("base_values", [0.0])[0]
    graph = m.graph
    added = []
    if base != 0.0:
        # TreeEnsemble has no base value: an Add after it (its output renamed)
        node.output[0] = "tree_sum"
        graph.initializer.append(numpy_helper.from_array(np.array([base], dtype=np.float32), "base_value"))
        added.append(helper.make_node("Add", ["tree_sum", "base_value"], [out_name]))
    del graph.node[:]
    graph.node.extend([node] + added + rest)
    del m.opset_import[:]
    m.opset_import.extend([helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", 5)])
    m.ir_version = 10
    save(name, "reg", m, "boosting")


def hostile():
    """Files that must get clear errors (tests/onnx_import.rs, the fuzz corpus)."""
    from onnx import TensorProto, helper
    d = os.path.join(OUT, "hostile")
    os.makedirs(d, exist_ok=True)
    X = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])
    Y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])

    def write(name, graph, opsets=(("", 17), ("ai.onnx.ml", 3))):
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid(a, b) for a, b in opsets],
                              producer_name="driftlab-fixtures")
        with open(os.path.join(d, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
        return m

    def regressor(name, nodes_kw, targets_kw):
        node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain="ai.onnx.ml",
                                n_targets=1, **nodes_kw, **targets_kw)
        write(name, helper.make_graph([node], name, [X], [Y]))

    lin = helper.make_node("LinearRegressor", ["X"], ["Y"], domain="ai.onnx.ml",
                           coefficients=[1.0, 2.0, 3.0, 4.0], intercepts=[0.5])
    m = write("ok_linear", helper.make_graph([lin], "ok", [X], [Y]))
    # truncated: the first 60 bytes of a good file
    with open(os.path.join(d, "truncated.onnx"), "wb") as f:
        f.write(m.SerializeToString()[:60])
    # a cycle: two Identity nodes reading each other
    a = helper.make_node("Identity", ["Z2"], ["Z1"], name="first")
    b = helper.make_node("Identity", ["Z1"], ["Z2"], name="second")
    lin2 = helper.make_node("LinearRegressor", ["Z1"], ["Y"], domain="ai.onnx.ml",
                            coefficients=[1.0, 2.0, 3.0, 4.0])
    write("cycle", helper.make_graph([a, b, lin2], "cycle", [X], [Y]))
    # an opset from an unknown domain, and a default-domain opset from the future
    write("unknown_domain", helper.make_graph([lin], "g", [X], [Y]),
          (("", 17), ("ai.onnx.ml", 3), ("com.example.secret", 1)))
    write("future_opset", helper.make_graph([lin], "g", [X], [Y]), (("", 99), ("ai.onnx.ml", 3)))
    # an operator the import does not read
    ab = helper.make_node("Abs", ["X"], ["A"], name="absolute")
    lin3 = helper.make_node("LinearRegressor", ["A"], ["Y"], domain="ai.onnx.ml",
                            coefficients=[1.0, 2.0, 3.0, 4.0])
    write("unsupported_op", helper.make_graph([ab, lin3], "g", [X], [Y]))
    # a tree whose node points at a node id it does not have
    nodes = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
                 nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"], nodes_values=[0.5, 0.0, 0.0],
                 nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[7, 0, 0])
    targets = dict(target_treeids=[0, 0], target_nodeids=[1, 2], target_ids=[0, 0],
                   target_weights=[1.0, 2.0])
    regressor("tree_out_of_range", nodes, targets)
    # a split on feature 1000 of 4
    bad_feature = dict(nodes, nodes_falsenodeids=[2, 0, 0], nodes_featureids=[1000, 0, 0])
    regressor("tree_bad_feature", bad_feature, targets)
    # a cycle inside a tree: node 1 points back at 0
    loop = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
                nodes_modes=["BRANCH_LEQ", "BRANCH_LEQ", "LEAF"], nodes_values=[0.5, 0.5, 0.0],
                nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 2, 0])
    regressor("tree_cycle", loop, dict(target_treeids=[0], target_nodeids=[2], target_ids=[0],
                                       target_weights=[1.0]))
    # a chain 300 levels deep (the import reads 256)
    depth = 300
    ids = list(range(2 * depth + 1))
    modes = ["BRANCH_LEQ" if i % 2 == 0 and i < 2 * depth else "LEAF" for i in ids]
    true_ids = [i + 1 if modes[i] != "LEAF" else 0 for i in ids]
    false_ids = [i + 2 if modes[i] != "LEAF" else 0 for i in ids]
    leaves = [i for i in ids if modes[i] == "LEAF"]
    regressor("tree_too_deep",
              dict(nodes_treeids=[0] * len(ids), nodes_nodeids=ids, nodes_featureids=[0] * len(ids),
                   nodes_modes=modes, nodes_values=[float(i) for i in ids],
                   nodes_truenodeids=true_ids, nodes_falsenodeids=false_ids),
              dict(target_treeids=[0] * len(leaves), target_nodeids=leaves,
                   target_ids=[0] * len(leaves), target_weights=[1.0] * len(leaves)))
    # SVM classifiers whose arrays disagree: counts for the wrong number of classes, no
    # support vector at all, counts that add up past any size, vectors that are not rows
    L = helper.make_tensor_value_info("L", TensorProto.INT64, [None])

    def svc(name, **kw):
        a = dict(classlabels_ints=[0, 1], vectors_per_class=[1, 1], support_vectors=[0.0] * 8,
                 coefficients=[1.0, -1.0], rho=[0.0], prob_a=[-1.0], prob_b=[0.0],
                 kernel_type="RBF", kernel_params=[0.5, 0.0, 3.0])
        a.update(kw)
        a = {k: v for k, v in a.items() if v is not None}  # None: the attribute left out
        node = helper.make_node("SVMClassifier", ["X"], ["L", "Y"], domain="ai.onnx.ml", **a)
        write(name, helper.make_graph([node], name, [X], [L, Y]))

    svc("svc_ok")
    svc("svc_classes_mismatch", vectors_per_class=[1, 1, 0])
    svc("svc_empty_classes", vectors_per_class=[0, 0], support_vectors=None, coefficients=None)
    svc("svc_huge_counts", vectors_per_class=[1 << 62, 1 << 62])
    svc("svc_short_vectors", support_vectors=[0.0] * 7)
    svc("svc_wrong_pairs", rho=[0.0, 1.0])
    svc("svc_poly_degree", kernel_type="POLY", kernel_params=[0.5, 0.0, 4.0])
    # graphs in the shape driftlab's export writes (producer "driftlab"), with no
    # driftlab.model entry, so that the import reads them operator by operator: a Where
    # whose fill is three values wide, a TopK asking for more neighbours than rows stored,
    # an operator out of place; and a Normalizer with a norm ONNX does not have
    D = TensorProto.DOUBLE

    def own(name, family, tail, inits, fill=(0.0,), outputs=None):
        nodes, parts, init = [], [], list(inits)
        cols = ["x1", "x2", "x3", "x4"]
        for i, c in enumerate(cols):
            init += [helper.make_tensor(f"fill_{i}", D, [len(fill)] if len(fill) > 1 else [], list(fill)),
                     helper.make_tensor(f"center_{i}", D, [], [0.0]),
                     helper.make_tensor(f"scale_{i}", D, [], [1.0])]
            nodes += [helper.make_node("IsNaN", [c], [f"nan_{i}"]),
                      helper.make_node("IsInf", [c], [f"inf_{i}"]),
                      helper.make_node("Or", [f"nan_{i}", f"inf_{i}"], [f"bad_{i}"]),
                      helper.make_node("Where", [f"bad_{i}", f"fill_{i}", c], [f"v_{i}"]),
                      helper.make_node("Sub", [f"v_{i}", f"center_{i}"], [f"s_{i}"]),
                      helper.make_node("Div", [f"s_{i}", f"scale_{i}"], [f"d_{i}"])]
            parts.append(f"d_{i}")
        nodes.append(helper.make_node("Concat", parts, ["x"], axis=1))
        nodes += tail
        inputs = [helper.make_tensor_value_info(c, D, [None, 1]) for c in cols]
        outs = outputs or [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])]
        m = helper.make_model(helper.make_graph(nodes, f"driftlab_{family}", inputs, outs, initializer=init),
                              opset_imports=[helper.make_opsetid("", 19), helper.make_opsetid("ai.onnx.ml", 3)],
                              producer_name="driftlab")
        with open(os.path.join(d, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())

    knn_init = [helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
                helper.make_tensor("points", D, [2, 4], [0.0] * 8),
                helper.make_tensor("axis2", TensorProto.INT64, [1], [2]),
                helper.make_tensor("k", TensorProto.INT64, [1], [500]),
                helper.make_tensor("targets", D, [2], [1.0, 2.0]),
                helper.make_tensor("axis3", TensorProto.INT64, [1], [1])]
    knn_tail = [helper.make_node("Unsqueeze", ["x", "axis1"], ["xu"]),
                helper.make_node("Sub", ["xu", "points"], ["diff"]),
                helper.make_node("Mul", ["diff", "diff"], ["sq"]),
                helper.make_node("ReduceSum", ["sq", "axis2"], ["dist"], keepdims=0),
                helper.make_node("TopK", ["dist", "k"], ["near_d", "near_i"], axis=1, largest=0, sorted=1),
                helper.make_node("Gather", ["targets", "near_i"], ["near"], axis=0),
                helper.make_node("ReduceMean", ["near", "axis3"], ["mean"], keepdims=1),
                helper.make_node("Cast", ["mean"], ["meanf"], to=TensorProto.FLOAT),
                helper.make_node("Identity", ["meanf"], ["variable"])]
    own("own_topk_beyond_rows", "knn", knn_tail, knn_init)
    own("own_where_wide_fill", "knn", knn_tail, knn_init, fill=(0.0, 1.0, 2.0))
    own("own_out_of_place", "knn", [helper.make_node("Abs", ["x"], ["xu"])] + knn_tail[1:], knn_init)
    own("own_unknown_family", "gradient_magic", knn_tail, knn_init)
    # well formed, but written by hand: the reading is proven by exporting again, and the
    # node names differ from the export's
    own("own_hand_written", "knn", knn_tail,
        [t if t.name != "k" else helper.make_tensor("k", TensorProto.INT64, [1], [1]) for t in knn_init])
    # a tree ensemble declaring 4096 targets over 10,000 nodes: 41 million class
    # frequencies, refused before they are allocated
    n = 10000
    big = helper.make_node("TreeEnsembleRegressor", ["x"], ["raw"], domain="ai.onnx.ml",
                           aggregate_function="SUM", n_targets=4096, post_transform="NONE",
                           nodes_treeids=[0] * n, nodes_nodeids=list(range(n)), nodes_modes=["LEAF"] * n,
                           nodes_featureids=[0] * n, nodes_values=[0.0] * n, nodes_truenodeids=[0] * n,
                           nodes_falsenodeids=[0] * n, nodes_missing_value_tracks_true=[0] * n,
                           target_ids=[0], target_nodeids=[0], target_treeids=[0], target_weights=[1.0])
    own("own_tree_huge_targets", "tree", [big], [])
    norm = helper.make_node("Normalizer", ["X"], ["N"], domain="ai.onnx.ml", norm="L7")
    lin = helper.make_node("LinearRegressor", ["N"], ["Y"], domain="ai.onnx.ml",
                           coefficients=[1.0, 0.0, 0.0, 0.0], intercepts=[0.0])
    write("normalizer_unknown_norm", helper.make_graph([norm, lin], "g", [X], [Y]))
    # a weight tensor that declares 2^29 floats (2 GB) and holds none
    w = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[1 << 29, 1])
    mm = helper.make_node("MatMul", ["X", "W"], ["Y"])
    write("huge_tensor", helper.make_graph([mm], "g", [X], [Y], initializer=[w]))
    # the same declared in raw bytes: a length prefix of 2 GB over a few bytes (protobuf level)
    # ir_version 8, then field 7 (graph), wire type 2, a varint length of 2^31: 16 bytes follow
    with open(os.path.join(d, "huge_length.onnx"), "wb") as f:
        f.write(bytes([0x08, 0x08, 0x3A, 0x80, 0x80, 0x80, 0x80, 0x08]) + b"\0" * 16)


def steps():
    """Normalizer (l1, l2, max), Binarizer and OrdinalEncoder on the inputs: the pipeline
    steps an import maps onto driftlab's `normalize`, `binarize` and `ordinal`. onnxruntime's
    MAX divides by the largest value, signed (ONNX's X / max(X)), where scikit-learn's
    norm="max" divides by the largest magnitude: the expected scores are onnxruntime's."""
    for name, data, norm in [("normalizer_l2", "binary", "l2"), ("normalizer_l1", "multi", "l1"),
                             ("normalizer_max", "binary", "max")]:
        sk(name, data, make_pipeline(StandardScaler(), Normalizer(norm=norm), LogisticRegression()),
           "logistic")
    sk("binarizer", "binary",
       make_pipeline(StandardScaler(), Binarizer(threshold=0.0), LogisticRegression()), "logistic")
    sk("binarizer_tree", "multi",
       make_pipeline(Binarizer(threshold=0.5), DecisionTreeClassifier(max_depth=4, random_state=0)),
       "tree")
    ordinal = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), [0, 1]),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), [2]),
    ])
    sk("ordinal_mixed", "mixed", make_pipeline(ordinal, LogisticRegression()), "logistic")
    sk("ordinal_forest", "mixed", make_pipeline(ordinal, RandomForestClassifier(
        n_estimators=10, max_depth=5, random_state=0)), "forest")


def main():
    os.makedirs(OUT, exist_ok=True)
    numeric_dataset("binary", "binary")
    numeric_dataset("multi", "multi")
    numeric_dataset("reg", "reg")
    mixed_dataset("mixed")
    sk("logistic_binary", "binary", make_pipeline(StandardScaler(), LogisticRegression()), "logistic")
    sk("logistic_multi", "multi", make_pipeline(MinMaxScaler(), LogisticRegression(C=10)), "logistic")
    mixed = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), [0, 1]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), [2]),
    ])
    sk("logistic_mixed", "mixed", make_pipeline(mixed, LogisticRegression()), "logistic")
    sk("linear", "reg", make_pipeline(StandardScaler(), LinearRegression()), "linear")
    mixed_r = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), [0, 1]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), [2]),
    ])
    sk("ridge_mixed", "mixed", make_pipeline(mixed_r, Ridge(alpha=2.0)), "linear")
    sk("tree", "multi", DecisionTreeClassifier(max_depth=5, random_state=0), "tree")
    sk("tree_binary", "binary", DecisionTreeClassifier(max_depth=4, random_state=0), "tree")
    sk("tree_regressor", "reg", DecisionTreeRegressor(max_depth=6, random_state=0), "boosting")
    sk("forest_regressor", "reg", RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0), "boosting")
    sk("forest_binary", "binary", RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0), "forest")
    sk("forest_multi", "multi", RandomForestClassifier(n_estimators=25, random_state=0), "forest")
    sk("extra_binary", "binary", ExtraTreesClassifier(n_estimators=25, random_state=0), "forest")
    sk("extra_multi", "multi", ExtraTreesClassifier(n_estimators=25, max_depth=6, random_state=0), "forest")
    sk("gboost_binary", "binary", GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0), "boosting")
    sk("gboost_multi", "multi", GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0), "boosting")
    sk("gboost_regressor", "reg", GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0), "boosting")
    sk("svr_linear", "reg", make_pipeline(StandardScaler(), SVR(kernel="linear", C=1.0)), "svm")
    sk("svr_rbf", "reg", make_pipeline(StandardScaler(), SVR(kernel="rbf", C=10)), "svm")
    sk("svr_poly", "reg", make_pipeline(StandardScaler(), SVR(kernel="poly", degree=3)), "svm")
    sk("svr_poly2", "reg", make_pipeline(StandardScaler(), SVR(kernel="poly", degree=2, gamma=0.3, coef0=1.0)), "svm")
    # scikit-learn's SVC(probability=True): libsvm's one-vs-one machines, pairwise Platt and
    # (for more than two classes) pairwise coupling, behind the scaler sklearn users put first
    for kernel in ["linear", "rbf"]:
        for data in ["binary", "multi"]:
            sk(f"svc_{kernel}_{data}", data,
               make_pipeline(StandardScaler(), SVC(kernel=kernel, probability=True, random_state=0)), "svm")
    sk("svc_poly_multi", "multi",
       make_pipeline(StandardScaler(), SVC(kernel="poly", degree=3, probability=True, random_state=0)), "svm")
    sk("mlp_binary", "binary", make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8, 4), max_iter=400, random_state=0)), "mlp")
    sk("mlp_multi", "multi", make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", max_iter=400, random_state=0)), "mlp")
    sk("mlp_regressor", "reg", make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=400, random_state=0)), "mlp")
    v5("gboost_regressor", "gboost_regressor_v5")
    try:
        import lightgbm as lgb
        from onnxmltools import convert_lightgbm
        from onnxmltools.convert.common.data_types import FloatTensorType as FT
        for name, data, model in [
            ("lightgbm_binary", "binary", lgb.LGBMClassifier(n_estimators=20, num_leaves=8, verbose=-1, random_state=0)),
            ("lightgbm_multi", "multi", lgb.LGBMClassifier(n_estimators=10, num_leaves=8, verbose=-1, random_state=0)),
            ("lightgbm_regressor", "reg", lgb.LGBMRegressor(n_estimators=20, num_leaves=8, verbose=-1, random_state=0)),
        ]:
            x, y, _ = DATA[data]
            model.fit(x, y)
            onx = convert_lightgbm(model, initial_types=[("X", FT([None, 4]))], target_opset=15, zipmap=True)
            save(name, data, onx, "boosting")
    except ImportError as e:
        print("lightgbm skipped:", e, file=sys.stderr)
    try:
        import xgboost as xgb
        from onnxmltools import convert_xgboost
        from onnxmltools.convert.common.data_types import FloatTensorType as FT
        for name, data, model in [
            ("xgboost_binary", "binary", xgb.XGBClassifier(n_estimators=20, max_depth=3, random_state=0)),
            ("xgboost_multi", "multi", xgb.XGBClassifier(n_estimators=10, max_depth=3, random_state=0)),
            ("xgboost_regressor", "reg", xgb.XGBRegressor(n_estimators=20, max_depth=3, random_state=0)),
        ]:
            x, y, _ = DATA[data]
            model.fit(x, y)
            onx = convert_xgboost(model, initial_types=[("X", FT([None, 4]))], target_opset=15)
            save(name, data, onx, "boosting")
    except ImportError as e:
        print("xgboost skipped:", e, file=sys.stderr)
    # refused by the import, with the reason (tests/onnx_import.rs checks the message)
    x, y, _ = DATA["binary"]
    svc = make_pipeline(StandardScaler(), SVC(kernel="rbf", probability=False, random_state=0)).fit(x, y)
    with open(os.path.join(OUT, "refused_svc.onnx"), "wb") as f:
        f.write(to_onnx(svc, f32(x[:1]), target_opset=OPSET).SerializeToString())
    steps()
    hostile()
    with open(os.path.join(OUT, "models.json"), "w") as f:
        json.dump(MODELS, f, indent=1)
    print("wrote", len(MODELS), "models")


if __name__ == "__main__":
    if sys.argv[1:] == ["--hostile"]:
        hostile()  # only the hostile files (the models need not be rewritten)
    elif sys.argv[1:] == ["--steps"]:
        # only the pipeline-step fixtures, appended to models.json (datasets rewritten,
        # identically)
        for n, t in [("binary", "binary"), ("multi", "multi"), ("reg", "reg")]:
            numeric_dataset(n, t)
        mixed_dataset("mixed")
        with open(os.path.join(OUT, "models.json")) as f:
            old = json.load(f)
        steps()
        with open(os.path.join(OUT, "models.json"), "w") as f:
            json.dump(old + [m for m in MODELS if m not in old], f, indent=1)
    elif sys.argv[1:] == ["--v5"]:
        # only the TreeEnsemble rewrite (the datasets are rewritten, identically)
        for n, t in [("binary", "binary"), ("multi", "multi"), ("reg", "reg")]:
            numeric_dataset(n, t)
        mixed_dataset("mixed")
        v5("gboost_regressor", "gboost_regressor_v5")
    else:
        main()
