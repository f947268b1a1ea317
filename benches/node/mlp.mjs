// The perceptron's benchmark (issue 16): training time per epoch of driftlab's mlp in the
// playground's own Wasm (pkg/driftlab.js) under Node, next to TensorFlow.js in the same
// Node (`@tensorflow/tfjs` on its CPU backend and on `@tensorflow/tfjs-backend-wasm`, one
// thread, installed into .bench/node by scripts/bench_env.sh) and scikit-learn's
// MLPClassifier natively (benches/mlp_peers.py, run by benches/run.sh).
//
//   node benches/node/mlp.mjs DATA_DIR [--reps N]      JSON on stdout
//   node benches/node/mlp.mjs --report OUT_DIR          the table, from OUT_DIR/mlp.json
//                                                       and OUT_DIR/mlp-python.json
//
// Two workloads, written as CSV into DATA_DIR by this script (seeded, so every side reads
// the same rows):
// - `small`: TensorFlow Playground's size: xor-like two-input data, 500 rows of which
//   driftlab trains on 375 (test share 0.25; the peers get the same 375 rows), a 4-4 tanh
//   network, plain SGD at 0.03, batch 10.
// - `large`: 100,000 rows of 20 inputs, a 64-64 ReLU network, plain SGD at 0.01, batch 32
//   (75,000 training rows).
// The time of one epoch is the difference between two whole trainings with different
// epoch counts divided by the difference in epochs, so that what a training does once
// (driftlab's pipeline and test metrics, TensorFlow.js's graph set-up) cancels out.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const dir = args[0] ?? '.bench/data';
const reps = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 3;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const peers = path.join(root, '.bench/node/node_modules');

export const WORKLOADS = {
  small: { file: 'mlp-small.csv', rows: 500, inputs: 2, hidden: [4, 4], activation: 'tanh', lr: 0.03, batch: 10, epochs: [20, 120] },
  large: { file: 'mlp-large.csv', rows: 100_000, inputs: 20, hidden: [64, 64], activation: 'relu', lr: 0.01, batch: 32, epochs: [1, 3] },
};

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
};

/** Mulberry32: a small seeded generator, so the CSVs are the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes a workload's CSV (features x0.., target y in {a, b}) unless it is there. */
function write(w) {
  const file = path.join(dir, w.file);
  if (fs.existsSync(file)) return file;
  const r = rng(7 + w.inputs);
  const lines = [[...Array(w.inputs).keys()].map((j) => `x${j}`).concat('y').join(',')];
  for (let i = 0; i < w.rows; i++) {
    const x = Array.from({ length: w.inputs }, () => r() * 10 - 5);
    // xor of the first two inputs' signs, with the others as noise inputs
    const y = x[0] * x[1] > 0 ? 'a' : 'b';
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${y}`);
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Seconds per epoch from two trainings of `epochs[0]` and `epochs[1]` epochs. */
async function perEpoch(w, train) {
  const [lo, hi] = w.epochs;
  await train(lo); // warm-up: V8's optimising tier, TensorFlow.js's kernels
  const t = [];
  for (let i = 0; i < Math.max(1, reps); i++) {
    let s = performance.now();
    await train(lo);
    const a = performance.now() - s;
    s = performance.now();
    await train(hi);
    const b = performance.now() - s;
    t.push((b - a) / 1000 / (hi - lo));
  }
  return { seconds_per_epoch: Math.max(median(t), 1e-9), epochs: w.epochs, reps: t.length };
}

async function driftlab(mod, w, file) {
  const data = new mod.Data();
  data.loadCsv(fs.readFileSync(file), w.file, null);
  const model = new mod.Model(data);
  let accuracy = null;
  const r = await perEpoch(w, (epochs) => {
    const out = model.train({
      target: 'y', model: 'mlp', test_fraction: 0.25, seed: 42,
      params: { hidden: w.hidden.join(','), activation: w.activation, solver: 'sgd', learning_rate: w.lr, batch_size: w.batch, epochs },
    }, null);
    accuracy = out.evaluation.metrics.accuracy ?? null;
  });
  return { ...r, accuracy_after_last: accuracy };
}

/** The rows driftlab trains on are not exported; the peers train on the first 75 %. */
function matrix(file, w) {
  const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(1);
  const n = Math.round(text.length * 0.75);
  const x = new Float32Array(n * w.inputs);
  const y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const cells = text[i].split(',');
    // uniform on [-5, 5]: standardised by its standard deviation, 10 / sqrt(12)
    for (let j = 0; j < w.inputs; j++) x[i * w.inputs + j] = Number(cells[j]) / (10 / Math.sqrt(12));
    y[i * 2 + (cells[w.inputs] === 'a' ? 0 : 1)] = 1;
  }
  return { x, y, n };
}

async function tfjs(tf, backend, w, file) {
  await tf.setBackend(backend);
  await tf.ready();
  const { x, y, n } = matrix(file, w);
  const xs = tf.tensor2d(x, [n, w.inputs]);
  const ys = tf.tensor2d(y, [n, 2]);
  const make = () => {
    const m = tf.sequential();
    w.hidden.forEach((units, i) => m.add(tf.layers.dense({ units, activation: w.activation, ...(i === 0 ? { inputShape: [w.inputs] } : {}) })));
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.sgd(w.lr), loss: 'categoricalCrossentropy' });
    return m;
  };
  const r = await perEpoch(w, async (epochs) => {
    const m = make();
    await m.fit(xs, ys, { epochs, batchSize: w.batch, shuffle: true, verbose: 0 });
    m.dispose();
  });
  xs.dispose();
  ys.dispose();
  return r;
}

async function main() {
  const out = { reps, workloads: WORKLOADS, driftlab: {}, tfjs_cpu: {}, tfjs_wasm: {} };
  const files = Object.fromEntries(Object.entries(WORKLOADS).map(([k, w]) => [k, write(w)]));
  const glue = path.join(root, 'pkg/driftlab.js');
  if (fs.existsSync(glue)) {
    const mod = await import(pathToFileURL(glue));
    mod.initSync({ module: fs.readFileSync(path.join(root, 'pkg/driftlab_bg.wasm')) });
    for (const [k, w] of Object.entries(WORKLOADS)) {
      try { out.driftlab[k] = await driftlab(mod, w, files[k]); } catch (e) { out.driftlab[k] = { error: String(e?.message ?? e) }; }
    }
  } else {
    out.driftlab = { error: 'not built: pkg/driftlab.js (make wasm)' };
  }
  let tf = null;
  try {
    tf = await import(pathToFileURL(path.join(peers, '@tensorflow/tfjs/dist/tf.node.js')));
    tf = tf.default ?? tf;
  } catch (e) {
    out.tfjs_cpu = out.tfjs_wasm = { error: `@tensorflow/tfjs is not installed (scripts/bench_env.sh): ${e?.message ?? e}` };
  }
  if (tf) {
    for (const [k, w] of Object.entries(WORKLOADS)) {
      try { out.tfjs_cpu[k] = await tfjs(tf, 'cpu', w, files[k]); } catch (e) { out.tfjs_cpu[k] = { error: String(e?.message ?? e) }; }
    }
    try {
      const wasm = await import(pathToFileURL(path.join(peers, '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js')));
      (wasm.setThreadsCount ?? wasm.default?.setThreadsCount)?.(1);
      for (const [k, w] of Object.entries(WORKLOADS)) {
        try { out.tfjs_wasm[k] = await tfjs(tf, 'wasm', w, files[k]); } catch (e) { out.tfjs_wasm[k] = { error: String(e?.message ?? e) }; }
      }
    } catch (e) {
      out.tfjs_wasm = { error: `@tensorflow/tfjs-backend-wasm: ${e?.message ?? e}` };
    }
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

/** The table: seconds per epoch and driftlab's time as a multiple of each peer's. */
function report(outDir) {
  const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(outDir, f), 'utf8')); } catch (e) { return { error: String(e.message) }; } };
  const node = read('mlp.json');
  const py = read('mlp-python.json');
  const sides = [['TensorFlow.js CPU (Node)', node.tfjs_cpu], ['TensorFlow.js wasm (Node)', node.tfjs_wasm], ['scikit-learn MLPClassifier', py.sklearn_mlp]];
  const budget = { small: { 'TensorFlow.js wasm (Node)': 0.2 }, large: { 'TensorFlow.js wasm (Node)': 1.0 } };
  const ms = (r) => (r?.seconds_per_epoch ? `${(r.seconds_per_epoch * 1000).toFixed(3)} ms` : `not measured${r?.error ? ` (${r.error})` : ''}`);
  console.log('\nmlp: training time per epoch, driftlab in the playground\'s Wasm under Node (lower ratio = driftlab faster)');
  for (const [k, w] of Object.entries(WORKLOADS)) {
    const ours = node.driftlab?.[k];
    console.log(`  ${k}: ${w.inputs} inputs, ${w.hidden.join('-')} ${w.activation}, batch ${w.batch}, ${Math.round(w.rows * 0.75)} training rows`);
    console.log(`    driftlab (Wasm, Node)          ${ms(ours)}`);
    for (const [name, side] of sides) {
      const r = side?.[k];
      const ratio = ours?.seconds_per_epoch && r?.seconds_per_epoch ? ours.seconds_per_epoch / r.seconds_per_epoch : null;
      const b = budget[k][name];
      const verdict = b == null || ratio == null ? '' : ratio <= b ? ` (budget <= ${b}x: met)` : ` (budget <= ${b}x: MISSED)`;
      console.log(`    ${name.padEnd(30)} ${ms(r)}${ratio == null ? '' : `   driftlab/peer ${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}x`}${verdict}`);
    }
  }
}

if (args[0] === '--report') report(args[1]);
else main();
