// ONNX export parity (issue #17): every model family is trained by the CLI on a
// bundled dataset (with cells blanked, so the pipeline imputes; numeric columns scaled,
// categorical ones one-hot encoded), exported with `driftlab export --format onnx`, and run
// by onnxruntime (onnxruntime-node from npm, tests/onnx-tools); onnxruntime must reproduce
// `driftlab score`'s probabilities within 1e-6 on every row (a regressor's value within a
// relative 1e-6), and name the same label wherever driftlab's top two classes are more
// than 1e-6 apart. scikit-learn's forests (soft voting, which driftlab's trainer does not
// offer) come imported from their ONNX fixtures and are exported again, as do the
// imported Normalizer, Binarizer and LabelEncoder steps (issue 17).
//
// Run: make test-onnx (builds target/debug/driftlab, installs onnxruntime-node), or
// DRIFTLAB_BIN=path node --test tests/onnx/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'tests', 'onnx-tools', 'package.json'));
const ort = require('onnxruntime-node');
const bin = process.env.DRIFTLAB_BIN ?? join(root, 'target', 'debug', 'driftlab');
const dir = mkdtempSync(join(tmpdir(), 'driftlab-onnx-'));
const TOLERANCE = 1e-6;

const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 });

/** A CSV with quoted fields (RFC 4180) as rows of strings. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Bundled dataset `name` as a CSV file, one cell in seven rows blanked (never the target). */
function dataset(name, rows, target) {
  const [head, ...body] = parseCsv(cli('dataset', name, '--rows', String(rows)));
  body.forEach((row, i) => {
    if (i % 7 === 3) {
      const j = i % head.length;
      if (head[j] !== target) row[j] = '';
    }
  });
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, [head, ...body].map((r) => r.join(',')).join('\n') + '\n');
  return { path, head, body };
}

/** The graph's feeds: one [N, 1] tensor per schema column (double, or string). */
function feeds(artifact, { head, body }) {
  const out = {};
  for (const c of artifact.schema.columns) {
    const j = head.indexOf(c.name);
    const cells = body.map((r) => r[j]);
    if (c.kind === 'categorical') {
      out[c.name] = new ort.Tensor('string', cells, [cells.length, 1]);
    } else {
      const v = Float64Array.from(cells, (x) =>
        x === '' ? NaN : c.kind === 'boolean' ? (x.toLowerCase() === 'true' ? 1 : 0) : Number(x));
      out[c.name] = new ort.Tensor('float64', v, [v.length, 1]);
    }
  }
  return out;
}

const counts = [];

/** A fixture of tests/fixtures/onnx: its scored rows, as `dataset` gives them. */
function fixtureRows(name) {
  const path = join(root, 'tests', 'fixtures', 'onnx', `${name}.rows.csv`);
  const [head, ...body] = parseCsv(readFileSync(path, 'utf8')).filter((r) => r.length > 1);
  return { path, head, body };
}

async function parity({ name, rows, target, kind, params = [], features = [], imported, keepMissing = false }) {
  const data = imported ? fixtureRows(name) : dataset(name, rows, target);
  const model = join(dir, `${name}-${imported ?? kind}.json`);
  const onnx = join(dir, `${name}-${imported ?? kind}.onnx`);
  if (imported) {
    // a model made elsewhere: imported from its ONNX fixture, then exported again
    const fixtures = join(root, 'tests', 'fixtures', 'onnx');
    cli('import', '--model', join(fixtures, `${imported}.onnx`), '--reference',
      join(fixtures, `${name}.train.csv`), '--target', target, '--out', model);
  } else {
    const args = ['train', '--data', data.path, '--model', kind, '--out', model];
    if (target) args.push('--target', target);
    for (const p of params) args.push('--param', p);
    for (const f of features) args.push('--feature', f);
    if (keepMissing) args.push('--keep-missing');
    cli(...args);
  }
  const summary = JSON.parse(cli('export', '--model', model, '--format', 'onnx', '--out', onnx));
  const artifact = JSON.parse(readFileSync(model, 'utf8'));
  const [scoredHead, ...scored] = parseCsv(cli('score', '--model', model, '--data', data.path))
    .filter((r) => r.length > 1 || r[0] !== '');
  const session = await ort.InferenceSession.create(onnx);
  const result = await session.run(feeds(artifact, data));
  const n = data.body.length;
  assert.equal(scored.length, n);
  let agree = 0, labels = 0, worst = 0;
  const task = artifact.schema.task;
  if (task === 'classification') {
    const k = artifact.classes.length;
    const cols = artifact.classes.map((c) => scoredHead.indexOf(`p_${c}`));
    const pred = scoredHead.indexOf('prediction');
    const probs = result.probabilities.data;
    assert.deepEqual(result.probabilities.dims, [n, k]);
    for (let i = 0; i < n; i++) {
      const mine = cols.map((j) => Number(scored[i][j]));
      const diff = Math.max(...mine.map((p, c) => Math.abs(p - probs[i * k + c])));
      worst = Math.max(worst, diff);
      if (diff <= TOLERANCE) agree++;
      const sorted = [...mine].sort((a, b) => b - a);
      if (result.label.data[i] === scored[i][pred] || sorted[0] - sorted[1] <= TOLERANCE) labels++;
    }
  } else if (task === 'regression') {
    const pred = scoredHead.indexOf('prediction');
    for (let i = 0; i < n; i++) {
      const mine = Number(scored[i][pred]);
      const diff = Math.abs(mine - result.variable.data[i]) / Math.max(1, Math.abs(mine));
      worst = Math.max(worst, diff);
      if (diff <= TOLERANCE) agree++;
    }
    labels = n;
  } else {
    const pred = scoredHead.indexOf('prediction');
    for (let i = 0; i < n; i++) {
      if (Number(result.label.data[i]) === Number(scored[i][pred])) agree++;
    }
    labels = agree;
  }
  counts.push({ family: (imported ? `${kind} (${imported})` : kind) + (params.length ? ` ${params.join(' ')}` : '') + (keepMissing ? ' keep-missing' : ''), dataset: name, rows: n, agree, labels, worst, bytes: summary.bytes, nodes: summary.nodes });
  assert.equal(agree, n, `${kind} on ${name}: ${n - agree} of ${n} rows differ by more than ${TOLERANCE} (worst ${worst})`);
  assert.equal(labels, n, `${kind} on ${name}: ${n - labels} labels differ`);
}

const fraud = { name: 'fraud', rows: 1500, target: 'is_fraud' };
const iris = { name: 'iris', rows: 150, target: 'species' };
const diabetes = { name: 'diabetes', rows: 442, target: 'progression' };
const moons = { name: 'moons', rows: 400, target: 'label', features: ['x^2', 'x*y', 'sin(y)'] };
const cases = [
  { ...fraud, kind: 'logistic' },
  { ...iris, kind: 'logistic' },
  { ...moons, kind: 'logistic' },
  { ...diabetes, kind: 'linear' },
  { ...diabetes, kind: 'ridge' },
  { ...diabetes, kind: 'lasso' },
  { ...diabetes, kind: 'elasticnet' },
  { ...fraud, kind: 'tree' },
  { ...iris, kind: 'tree' },
  { ...fraud, kind: 'forest' },
  { ...iris, kind: 'forest' },
  // missing cells left to the trees, which learned where they go (issue 15)
  { ...fraud, kind: 'tree', keepMissing: true },
  { ...iris, kind: 'forest', keepMissing: true },
  { ...fraud, kind: 'boosting', keepMissing: true },
  { ...fraud, kind: 'boosting' },
  { ...iris, kind: 'boosting' },
  { ...diabetes, kind: 'boosting' },
  { ...fraud, kind: 'gaussian-nb' },
  { ...iris, kind: 'gaussian-nb' },
  { ...fraud, kind: 'mlp' },
  { ...iris, kind: 'mlp' },
  { ...moons, kind: 'mlp' },
  { ...diabetes, kind: 'mlp' },
  { ...fraud, rows: 600, kind: 'svm' },
  { ...iris, kind: 'svm' },
  { ...iris, kind: 'svm', params: ['kernel=linear'] },
  { ...moons, kind: 'svm', params: ['kernel=poly'] },
  { ...diabetes, kind: 'svm' },
  { ...fraud, kind: 'knn' },
  { ...iris, kind: 'knn' },
  { ...diabetes, kind: 'knn' },
  { name: 'iris', rows: 150, target: null, kind: 'kmeans', params: ['k=3'] },
  // scikit-learn's forests, imported (soft voting), exported again
  { name: 'binary', target: 'y', kind: 'forest', imported: 'forest_binary' },
  { name: 'multi', target: 'y', kind: 'forest', imported: 'extra_multi' },
  // scikit-learn's SVCs, imported (one-vs-one), written back as their SVMClassifier
  { name: 'binary', target: 'y', kind: 'svm', imported: 'svc_rbf_binary' },
  { name: 'multi', target: 'y', kind: 'svm', imported: 'svc_poly_multi' },
  { name: 'multi', target: 'y', kind: 'svm', imported: 'svc_linear_multi' },
  // imported ONNX steps on the inputs, written back: a row norm (ReduceMax / ReduceL1),
  // a binarized column (Greater), an ordinal column (LabelEncoder) under two families
  { name: 'binary', target: 'y', kind: 'logistic', imported: 'normalizer_max' },
  { name: 'multi', target: 'y', kind: 'logistic', imported: 'normalizer_l1' },
  { name: 'binary', target: 'y', kind: 'logistic', imported: 'binarizer' },
  { name: 'mixed', target: 'y', kind: 'logistic', imported: 'ordinal_mixed' },
  { name: 'mixed', target: 'y', kind: 'forest', imported: 'ordinal_forest' },
];

for (const c of cases) {
  const label = `${c.imported ?? c.kind} on ${c.name}${c.features ? ' with crosses' : ''}${c.keepMissing ? ' keeping missing cells' : ''}: onnxruntime reproduces driftlab within 1e-6`;
  test(label, () => parity(c));
}

test('the parity counts', () => {
  // one line per exported model: the report reads them from here
  for (const c of counts) {
    console.log(`onnx parity: ${c.family.padEnd(18)} ${c.dataset.padEnd(9)} ${c.agree}/${c.rows} rows within 1e-6 (worst ${c.worst.toExponential(2)}), ${c.labels}/${c.rows} labels, ${c.bytes} B, ${c.nodes} nodes`);
  }
  assert.equal(counts.length, cases.length, 'every case ran');
  rmSync(dir, { recursive: true, force: true });
});
