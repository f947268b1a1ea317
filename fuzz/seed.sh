#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, git-ignored) with real inputs: datasets as
# CSV, artifacts of every model kind trained by the CLI, their pipelines, and requests.
# Idempotent (the named seeds are rewritten each time, so they follow the current artifact
# format; what the fuzzer added stays); `make fuzz` runs it
# first. Usage: fuzz/seed.sh [path/to/driftlab]; needs python3.
set -euo pipefail
D=$(realpath -m "${1:-$(dirname "$0")/../target/debug/driftlab}")
cd "$(dirname "$0")"
[ -x "$D" ] || (cd .. && cargo build -q --bin driftlab)
C=corpus
mkdir -p $C/csv $C/artifact $C/edge_artifact $C/pipeline $C/edge_request $C/onnx $C/parquet $C/arrow $C/float
cp ../tests/fixtures/parquet/*.parquet $C/parquet/
cp ../tests/fixtures/arrow/* $C/arrow/

$D dataset iris > $C/csv/iris.csv
$D dataset fraud --rows 120 --seed 1 > $C/csv/fraud.csv
$D dataset diabetes --rows 60 > $C/csv/diabetes.csv
$D dataset moons --rows 60 > $C/csv/moons.csv
printf 'a,b\n1,x\n"2, two","y\ny"\n\xef\xbb\xbf,NA\n' > $C/csv/quoted.csv
printf 'x;y\r\n1;2\r\n' > $C/csv/crlf.csv

train() { $D train --data "$1" ${2:+--target "$2"} --model "$3" --out "$4" > /dev/null; }
for m in logistic tree forest gaussian-nb svm knn; do
  train $C/csv/iris.csv species $m $C/artifact/iris_$m.json
done
for m in logistic tree; do train $C/csv/fraud.csv is_fraud $m $C/artifact/fraud_$m.json; done
for m in linear ridge lasso elasticnet; do
  train $C/csv/diabetes.csv progression $m $C/artifact/diabetes_$m.json
done
train $C/csv/moons.csv "" kmeans $C/artifact/moons_kmeans.json
# scikit-learn's SVC imported from ONNX (libsvm's one-vs-one), and copies whose one_vs_one
# was tampered with: counts that disagree with the vectors, an empty class, a huge count
O=../tests/fixtures/onnx
$D import --model $O/svc_rbf_multi.onnx --reference $O/multi.train.csv --target y \
  --out $C/artifact/svc_rbf_multi.json > /dev/null
python3 - $C/artifact/svc_rbf_multi.json <<'PY'
import json, sys
path = sys.argv[1]
for name, counts in [("counts", [1, 2, 3]), ("empty", [0, 0, 156]), ("huge", [2 ** 40, 1, 1])]:
    a = json.load(open(path))
    a["model"]["one_vs_one"]["vectors_per_class"] = counts
    json.dump(a, open(path.replace(".json", f"_tampered_{name}.json"), "w"))
PY
cp $C/artifact/*.json $C/edge_artifact/

# pipelines: the `pipeline` member, a 0 byte, then cells (see fuzz_targets/pipeline.rs)
for f in $C/artifact/*.json; do
  n=$(basename "$f" .json)
  python3 - "$f" > "$C/pipeline/$n.bin" <<'PY'
import json, struct, sys
p = json.load(open(sys.argv[1]))["pipeline"]
out = json.dumps(p).encode() + b"\0"
for i, col in enumerate(p["inputs"]):
    if col["kind"] == "numeric":
        out += b"\x01" + struct.pack("<d", 1.5 * i)
    else:
        cats = col["step"].get("categories") or ["x"]
        out += b"\x03" + cats[0].encode() + b"\0"
sys.stdout.buffer.write(out)
PY
done

# requests: byte 0 is the mode (bit 0: which artifact, bit 1: table or JSON rows)
printf '\x00{"rows":[{"sepal_length_cm":5.1,"sepal_width_cm":3.5,"petal_length_cm":1.4,"petal_width_cm":null}]}' > $C/edge_request/json_iris
printf '\x02{"columns":["sepal_length_cm","sepal_width_cm","petal_length_cm","petal_width_cm"],"rows":[["5.1","3.5","NA","0.2"]]}' > $C/edge_request/table_iris
printf '\x03{"columns":["amount","hour","merchant_category","country","card_present","account_age_days","tx_last_24h","distance_from_home_km","device_new"],"rows":[["19.8","5","pharmacy","US","true","1078","2","2.4","false"]]}' > $C/edge_request/table_fraud
printf '\x01{"rows":[{"amount":1,"hour":"5","merchant_category":"\\u00e9","country":"US","card_present":true,"account_age_days":1,"tx_last_24h":2,"distance_from_home_km":1e400,"device_new":"false"}]}' > $C/edge_request/json_fraud
# ONNX files: byte 0 picks the reference (odd: the mixed columns a, b, c), then the file
for f in ../tests/fixtures/onnx/*.onnx ../tests/fixtures/onnx/hostile/*.onnx; do
  n=$(basename "$f" .onnx)
  case $n in *mixed*) p='\x01' ;; *) p='\x00' ;; esac
  { printf "$p"; cat "$f"; } > "$C/onnx/$n"
done
# driftlab's own exports with their driftlab.model metadata entry removed, read by the
# import operator by operator (src/onnx/import/stripped/), on the fixtures' x1..x4, y
mkdir -p $C/own
for case in multi:logistic multi:tree multi:forest multi:boosting multi:gaussian-nb multi:svm \
  multi:knn multi:mlp reg:linear reg:boosting reg:svm; do
  data=${case%%:*} m=${case#*:}
  train $O/$data.train.csv y $m $C/own/${data}_$m.json
  $D export --model $C/own/${data}_$m.json --format onnx --out $C/own/${data}_$m.onnx > /dev/null
  python3 - $C/own/${data}_$m.onnx $C/onnx/own_${data}_$m <<'PY'
import sys
# ModelProto's top-level fields, the metadata entries (field 14) naming driftlab.model left out
data, out, i = open(sys.argv[1], "rb").read(), bytearray(b"\0"), 0
def varint(i):
    v = s = 0
    while True:
        b = data[i]; i += 1; v |= (b & 0x7F) << s; s += 7
        if b < 0x80: return v, i
while i < len(data):
    start = i
    key, i = varint(i)
    kind = key & 7
    if kind == 0: _, i = varint(i)
    elif kind == 2:
        n, i = varint(i); i += n
    elif kind == 1: i += 8
    elif kind == 5: i += 4
    if not (key >> 3 == 14 and b"driftlab.model" in data[start:i]):
        out += data[start:i]
open(sys.argv[2], "wb").write(bytes(out))
PY
done
# decimals: halfway cases, subnormals, the largest double, long mantissas, the special words
i=0
for x in 0 -0 1.5 0.1 5e-324 2.4703282292062328e-324 2.2250738585072011e-308 \
  1.7976931348623157e308 1.7976931348623158e308 1e400 1e-400 9007199254740993 1e23 \
  1.00000000000000011102230246251565404236316680908203125 -INFINITY nan .5e+1 1e65536 \
  0.$(printf '0%.0s' $(seq 400))1e400 1$(printf '0%.0s' $(seq 800)).5; do
  printf '%s' "$x" > $C/float/seed_$i; i=$((i + 1))
done
echo "seeded fuzz/corpus"
