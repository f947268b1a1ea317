// The Wasm side of driftlab's benchmark harness, under Node.
//
//   node benches/node/bench.mjs DATA_DIR [--reps N]      JSON on stdout
//
// 1. The harness workloads (benches/src/lib.rs) compiled to Wasm with the playground's
//    profile and wasm-opt settings (.bench/wasm/bench.js, built by benches/run.sh), timed
//    call by call with performance.now(): CSV parse, training per family, batch and
//    single-row scoring (the single-row loop runs inside Wasm), drift report, detectors.
// 2. The playground's own module (pkg/driftlab.js): Data.loadCsv + Model.train end to end.
// 3. onnxruntime-web (from .bench/node), one thread, on the skl2onnx export of the same
//    scikit-learn logistic regression (DATA_DIR/logistic.onnx, written by peers.py).
// Every figure is the median of N repetitions; a missing piece becomes {"error": ...}.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const dir = args[0] ?? '.bench/data';
const reps = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 5;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SLOTS = ['binary', 'regression', 'multiclass', 'drift_current', 'knn'];
// keep in the order of FAMILIES in benches/src/lib.rs
const FAMILIES = [['logistic', 0], ['logistic-multinomial', 2], ['linear', 1], ['ridge', 1],
  ['lasso', 1], ['tree', 0], ['gaussian-nb', 0], ['kmeans', 2], ['forest', 2], ['elasticnet', 1],
  // gradient-boosted trees (issue 15)
  ['boosting', 0], ['boosting-regression', 1], ['boosting-multiclass', 2], ['knn', 4]];
// trained once, without the warm-up call (none since the forest draws 7 of 50 features per
// split, as scikit-learn's does, and trains in about a second here)
const SLOW = new Set([]);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
// --wasm DIR: another build of the harness (benches/run.sh builds one without simd128);
// --harness-only: skip the playground and onnxruntime-web sections
const wasmDir = args.includes('--wasm') ? path.resolve(args[args.indexOf('--wasm') + 1]) : null;
const harnessOnly = args.includes('--harness-only');
let warm = true;
const DETECTORS = ['adwin', 'ddm', 'eddm', 'page-hinkley', 'kswin'];

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
};

// Each timing also keeps the least CPU time of the process over the calls (`cpu_seconds`,
// process.cpuUsage): on the shared 2-core machine at load 12, wall clock was up to 10× the
// CPU time of the same call, so wall-clock medians measured the queue, not the code.
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function timeAsync(n, f) {
  const t = [];
  let check;
  let cpu = Infinity;
  for (let i = 0; i < Math.max(1, n); i++) {
    const c = cpuNow();
    const start = performance.now();
    check = await f();
    t.push((performance.now() - start) / 1000);
    cpu = Math.min(cpu, cpuNow() - c);
  }
  return { seconds: median(t), cpu_seconds: cpu, check };
}

function timeSync(n, f) {
  const t = [];
  // one untimed call first: V8 runs a Wasm function's first calls in its baseline tier
  // (Liftoff) and swaps in the optimised code for later calls
  let check = warm ? f() : undefined;
  // and the least CPU seconds: on a loaded machine the wall clock measures the queue
  let cpu = Infinity;
  for (let i = 0; i < Math.max(1, n); i++) {
    const c = cpuNow();
    const start = performance.now();
    check = f();
    t.push((performance.now() - start) / 1000);
    cpu = Math.min(cpu, cpuNow() - c);
  }
  return { seconds: median(t), cpu_seconds: cpu, check };
}

async function harness(out) {
  const glue = path.join(wasmDir ?? path.join(root, '.bench/wasm'), 'bench.js');
  const wasmFile = path.join(wasmDir ?? path.join(root, '.bench/wasm'), 'bench_bg.wasm');
  if (!fs.existsSync(glue)) return { error: 'not built: .bench/wasm/bench.js (benches/run.sh builds it)' };
  const mod = await import(pathToFileURL(glue));
  const w = mod.initSync({ module: fs.readFileSync(wasmFile) });
  const error = () => new TextDecoder().decode(
    new Uint8Array(w.memory.buffer, w.bench_error(), w.bench_error_len()));
  const checked = (r) => {
    if (Number.isNaN(r.check)) return { error: error() };
    return r;
  };
  const parse = {};
  for (const [slot, name] of SLOTS.entries()) {
    const file = path.join(dir, `${name}.csv`);
    if (!fs.existsSync(file)) { parse[name] = { error: `missing ${file}` }; continue; }
    const bytes = fs.readFileSync(file);
    const ptr = w.bench_alloc(bytes.length);
    new Uint8Array(w.memory.buffer, ptr, bytes.length).set(bytes);
    parse[name] = { ...checked(timeSync(Math.min(reps, 3), () => w.bench_load(slot, ptr, bytes.length))), bytes: bytes.length };
  }
  const train = {};
  const score = {};
  for (const [f, [name, slot]] of FAMILIES.entries()) {
    if (only && !only.includes(name)) continue;
    warm = !SLOW.has(name);
    const r = checked(timeSync(SLOW.has(name) ? 1 : reps, () => w.bench_train(f)));
    warm = true;
    train[name] = r;
    process.stderr.write(`bench.mjs: trained ${name} in Wasm\n`);
    if (r.error) continue;
    const rows = parse[SLOTS[slot]].check;
    const single = Math.min(20000, rows);
    score[name] = {
      rows,
      batch: checked(timeSync(reps, () => w.bench_score_batch(f))),
      batch_flat: checked(timeSync(reps, () => w.bench_score_batch_flat(f))),
      single_rows: single,
      single: checked(timeSync(reps, () => w.bench_score_rows(f, single))),
    };
  }
  // issue 17: peers.py's 100-tree forest imported from ONNX (the regression table is its
  // reference), then its batch scoring; onnxruntime-web scores the same file below
  const forest = path.join(dir, 'import_forest.onnx');
  let onnxImport = { error: `no ${forest} (peers.py writes it)` };
  if (fs.existsSync(forest)) {
    const bytes = fs.readFileSync(forest);
    const ptr = w.bench_alloc(bytes.length);
    new Uint8Array(w.memory.buffer, ptr, bytes.length).set(bytes);
    const imported = checked(timeSync(reps, () => w.bench_import_onnx(1, ptr, bytes.length)));
    onnxImport = imported.error ? imported : {
      bytes: bytes.length, import: imported, rows: parse[SLOTS[1]].check,
      reference: checked(timeSync(reps, () => w.bench_import_reference())),
      batch_flat: checked(timeSync(reps, () => w.bench_score_imported())),
    };
  }
  // and peers.py's 100-tree forest classifier (soft voting; the binary table is its
  // reference): imported once, then its batch scoring
  const classifier = path.join(dir, 'import_forest_classifier.onnx');
  let onnxClassifier = { error: `no ${classifier} (peers.py writes it)` };
  if (fs.existsSync(classifier)) {
    const bytes = fs.readFileSync(classifier);
    const ptr = w.bench_alloc(bytes.length);
    new Uint8Array(w.memory.buffer, ptr, bytes.length).set(bytes);
    const imported = checked(timeSync(1, () => w.bench_import_onnx(0, ptr, bytes.length)));
    onnxClassifier = imported.error ? imported : {
      bytes: bytes.length, trees: imported.check, rows: parse[SLOTS[0]].check,
      batch_flat: checked(timeSync(reps, () => w.bench_score_imported())),
    };
  }
  const profileBuild = checked(timeSync(reps, () => w.bench_profile()));
  const drift = {
    profile_build: profileBuild,
    profile: checked(timeSync(reps, () => w.bench_drift_profile())),
    auto: checked(timeSync(reps, () => w.bench_drift())),
    ks: checked(timeSync(reps, () => w.bench_drift_ks())),
  };
  const detectors = {};
  for (const [d, name] of DETECTORS.entries()) {
    const n = name === 'kswin' ? 200000 : 2000000;
    detectors[name] = { ...checked(timeSync(reps, () => w.bench_detector(d, n))), updates: n };
  }
  Object.assign(out, { parse, train, score, drift, detectors, onnx_import: onnxImport,
    onnx_import_classifier: onnxClassifier });
  return out;
}

async function playground() {
  const glue = path.join(root, 'pkg/driftlab.js');
  if (!fs.existsSync(glue)) return { error: 'not built: pkg/driftlab.js (make wasm)' };
  try {
    const mod = await import(pathToFileURL(glue));
    mod.initSync({ module: fs.readFileSync(path.join(root, 'pkg/driftlab_bg.wasm')) });
    const bytes = fs.readFileSync(path.join(dir, 'binary.csv'));
    const data = new mod.Data();
    const model = new mod.Model(data);
    const load = await timeAsync(Math.min(reps, 3), () => { data.loadCsv(bytes, 'binary.csv', null); return 0; });
    const train = await timeAsync(Math.min(reps, 3), () => {
      const r = model.train({ target: 'y', model: 'logistic', params: {} }, null);
      return r.evaluation.metrics.accuracy ?? null;
    });
    return { load_csv: load, train_logistic: train, bytes: bytes.length };
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
}

async function onnx() {
  const pkg = path.join(root, '.bench/node/node_modules/onnxruntime-web/dist/ort.node.min.mjs');
  const model = path.join(dir, 'logistic.onnx');
  if (!fs.existsSync(pkg)) return { error: 'onnxruntime-web is not installed (scripts/bench_env.sh)' };
  if (!fs.existsSync(model)) return { error: 'no skl2onnx export (scikit-learn or skl2onnx unavailable)' };
  try {
    const ort = await import(pathToFileURL(pkg));
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    const session = await ort.InferenceSession.create(fs.readFileSync(model),
      { executionProviders: ['wasm'], intraOpNumThreads: 1, interOpNumThreads: 1 });
    // the same rows as the other sides: the binary table's features, as float32
    const text = fs.readFileSync(path.join(dir, 'binary.csv'), 'utf8').trimEnd().split('\n');
    const p = text[0].split(',').length - 1;
    const n = text.length - 1;
    const x = new Float32Array(n * p);
    for (let i = 0; i < n; i++) {
      const cells = text[i + 1].split(',');
      for (let j = 0; j < p; j++) x[i * p + j] = Number(cells[j]);
    }
    const input = session.inputNames[0];
    const batchTensor = new ort.Tensor('float32', x, [n, p]);
    const batch = await timeAsync(reps, async () => {
      const r = await session.run({ [input]: batchTensor });
      return r[session.outputNames[0]].data.length;
    });
    const single = 2000;
    const one = new ort.Tensor('float32', x.slice(0, p), [1, p]);
    const singleT = await timeAsync(reps, async () => {
      for (let i = 0; i < single; i++) await session.run({ [input]: one });
      return single;
    });
    return { version: ort.env.versions?.web ?? null, rows: n, batch, single_rows: single, single: singleT };
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
}

// Issue 15: onnxruntime-web on the skl2onnx exports of scikit-learn's tree, forest and
// boosted models (DATA_DIR/{tree,forest,boosting,boosting-regression,boosting-multiclass}.onnx,
// written by peers.py), one thread, batch scoring of the same table the driftlab rows score.
async function onnxTrees() {
  const pkg = path.join(root, '.bench/node/node_modules/onnxruntime-web/dist/ort.node.min.mjs');
  if (!fs.existsSync(pkg)) return { error: 'onnxruntime-web is not installed (scripts/bench_env.sh)' };
  const ort = await import(pathToFileURL(pkg));
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const out = {};
  for (const [name, table] of [['tree', 'binary'], ['forest', 'multiclass'], ['boosting', 'binary'],
    ['boosting-regression', 'regression'], ['boosting-multiclass', 'multiclass'],
    ['import_forest', 'regression'], ['import_forest_classifier', 'binary']]) {
    const model = path.join(dir, `${name}.onnx`);
    if (!fs.existsSync(model)) { out[name] = { error: `no skl2onnx export ${model}` }; continue; }
    try {
      const session = await ort.InferenceSession.create(fs.readFileSync(model),
        { executionProviders: ['wasm'], intraOpNumThreads: 1, interOpNumThreads: 1 });
      const text = fs.readFileSync(path.join(dir, `${table}.csv`), 'utf8').trimEnd().split('\n');
      const p = text[0].split(',').length - 1;
      const n = text.length - 1;
      const x = new Float32Array(n * p);
      for (let i = 0; i < n; i++) {
        const cells = text[i + 1].split(',');
        for (let j = 0; j < p; j++) x[i * p + j] = Number(cells[j]);
      }
      const tensor = new ort.Tensor('float32', x, [n, p]);
      const batch = await timeAsync(reps, async () => {
        const r = await session.run({ [session.inputNames[0]]: tensor });
        return r[session.outputNames[0]].data.length;
      });
      out[name] = { rows: n, batch };
    } catch (e) {
      out[name] = { error: String(e?.message ?? e) };
    }
  }
  return out;
}

// onnxruntime-web on the skl2onnx exports of the other linear, naive Bayes and k-means
// models (DATA_DIR/<family>.onnx, listed in DATA_DIR/onnx_families.json by peers.py):
// batch scoring of the whole table each was trained on, one thread.
const KNN_ORT_ROWS = 2000;

async function onnxFamilies() {
  const pkg = path.join(root, '.bench/node/node_modules/onnxruntime-web/dist/ort.node.min.mjs');
  const list = path.join(dir, 'onnx_families.json');
  if (!fs.existsSync(pkg)) return { error: 'onnxruntime-web is not installed (scripts/bench_env.sh)' };
  if (!fs.existsSync(list)) return { error: 'no skl2onnx exports (scikit-learn or skl2onnx unavailable)' };
  const ort = await import(pathToFileURL(pkg));
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const out = {};
  const tables = {};
  for (const [fam, { path: file, table }] of Object.entries(JSON.parse(fs.readFileSync(list, 'utf8')))) {
    try {
      if (!tables[table]) {
        const text = fs.readFileSync(path.join(dir, `${table}.csv`), 'utf8').trimEnd().split('\n');
        const p = text[0].split(',').length - 1;
        const n = text.length - 1;
        const x = new Float32Array(n * p);
        for (let i = 0; i < n; i++) {
          const cells = text[i + 1].split(',');
          for (let j = 0; j < p; j++) x[i * p + j] = Number(cells[j]);
        }
        tables[table] = { x, n, p };
      }
      const { x, n, p } = tables[table];
      const session = await ort.InferenceSession.create(fs.readFileSync(file),
        { executionProviders: ['wasm'], intraOpNumThreads: 1, interOpNumThreads: 1 });
      const input = session.inputNames[0];
      // kNN's graph holds a query × training distance matrix: the whole 20k-row table runs
      // onnxruntime-web out of memory, and it scores about 1,000 rows/s, so it times the
      // table's first KNN_ORT_ROWS rows (rows/s is the figure compared)
      const m = fam === 'knn' ? Math.min(n, KNN_ORT_ROWS) : n;
      const tensor = new ort.Tensor('float32', x.subarray(0, m * p), [m, p]);
      await session.run({ [input]: tensor }); // warm-up
      const batch = await timeAsync(reps, async () => {
        const r = await session.run({ [input]: tensor });
        return r[session.outputNames[0]].data.length;
      });
      out[fam] = { rows: m, batch };
    } catch (e) {
      out[fam] = { error: String(e?.message ?? e) };
    }
  }
  return out;
}

const out = { side: 'wasm', reps, node: process.version };
try {
  await harness(out);
} catch (e) {
  out.error = String(e?.message ?? e);
}
if (!harnessOnly) {
  out.playground = await playground();
  out.onnxruntime_web = await onnx();
  out.onnxruntime_web_families = await onnxFamilies();
  out.onnxruntime_web_trees = await onnxTrees().catch((e) => ({ error: String(e?.message ?? e) }));
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
