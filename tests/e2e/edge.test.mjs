// End-to-end test of the Edge panel in a real Chromium: train logistic on fraud, open Edge,
// read the scorer's size and the model card, download the bundle zip (7 files, the
// artifact parses), and "try it": the bundle's worker.js runs in the page and answers
// POST /score, GET /model and a bad request. The in-page answer is compared with the
// downloaded bundle run under Node (its serve.mjs), which must give the same bytes' worth of JSON.
// Then 60 fresh rows through the page's Edge panel, whose answer the panel compares with the
// playground's own scorer (the full core in the page's Wasm), and through the downloaded
// bundle in the real workerd: every label and every probability equal, as f64 bits.
// Needs `make wasm` (pkg/, pkg/edge/), Debian's Chromium at /usr/bin/chromium, and workerd
// (npm ci --prefix edge/test-tools).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { root, shots, startPlayground } from './harness.mjs';
import { WORKERD, freePort, writeWorkerdConfig } from '../edge/workerd.mjs';

const EDGE_WASM = join(root, 'pkg/edge/driftlab_edge.wasm');
const BUNDLE_FILES = ['README.md', 'driftlab_edge.wasm', 'model.json', 'package.json', 'serve.mjs', 'worker.js', 'wrangler.toml'];

let page;
let base;
let work;
/** The unzipped bundle folder. */
let bundleDir = null;
/** The artifact in the zip. */
let artifact = null;
let problems;
let playground;

/** Clicks a "try it" button and returns {status, body} once the answer is on screen. */
async function tryIt(button) {
  await page.evaluate(() => {
    document.querySelector('#edge-response').textContent = '';
    document.querySelector('#edge-response-status').textContent = '';
  });
  await page.locator(button).click();
  await page.waitForFunction(() => document.querySelector('#edge-response-code')
    || !document.querySelector('#edge-error')?.hidden);
  const error = page.locator('#edge-error');
  if (await error.isVisible()) assert.fail(`try it failed: ${await error.innerText()}`);
  const code = await page.locator('#edge-response-code').innerText();
  const body = JSON.parse(await page.locator('#edge-response').innerText());
  return { status: Number(code.split(' ')[0]), code, body };
}

/** Runs the unzipped bundle's serve.mjs under this Node; resolves with its base URL and the child. */
function serveBundle(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['serve.mjs'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`serve.mjs did not start: ${out}${err}`));
    }, 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, child });
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited with ${code}: ${out}${err}`));
    });
  });
}

before(async () => {
  assert.ok(existsSync(EDGE_WASM), 'pkg/edge/driftlab_edge.wasm is missing: run `make wasm` first');
  work = mkdtempSync(join(tmpdir(), 'driftlab-edge-e2e-'));
  playground = await startPlayground();
  ({ base, page, problems } = playground);
});

after(async () => {
  await playground?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('before any training the Edge panel says to train first and shows the scorer size', async () => {
  await page.goto(`${base}#dataset=fraud&seed=42&view=edge`);
  await page.locator('#edge-size-gzip').waitFor();
  assert.ok(await page.locator('#edge-empty').isVisible(), 'the "train first" note');
  assert.match(await page.locator('#edge-empty').innerText(), /Train a model/);
  assert.equal(await page.locator('#edge-card-title').isVisible(), false);
  const raw = statSync(EDGE_WASM).size;
  assert.match(await page.locator('#edge-size-raw').innerText(), new RegExp(raw.toLocaleString('en-US')));
  const gz = await page.locator('#edge-size-gzip').innerText();
  const gzBytes = Number(/\(([\d,]+) bytes\)/.exec(gz)?.[1].replaceAll(',', ''));
  // #15/#16's budget, 64,000 B gzip -9: 57,271 B since the sketch's sine and the quoted
  // names (edge/src/lib.rs says where the bytes went; it was 64,277 B, missed by 277 B),
  // 59,510 B with the imported SVC's pairwise coupling.
  // The guard is the budget itself rather than 1 % over the figure, so that the SVM's
  // pairwise coupling and what comes next have the room; the page measures with the
  // browser's gzip (zlib's default level, ~800 B more).
  const gz9 = execFileSync('gzip', ['-9c', EDGE_WASM], { maxBuffer: 1 << 24 }).length;
  assert.ok(gz9 <= 64_000, `edge scorer ${gz9} B gzip -9, over the 64,000 B budget`);
  // What took 5 KB of it: one `{:?}` of a `str`, or one `str` slice that may fail, anywhere
  // the scorer links brings core's Debug escaping, its Unicode tables and the slicing error
  // back. Cargo's output (before wasm-opt) keeps the name section, so the names tell.
  const named = join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'wasm32-unknown-unknown/edge/driftlab_edge.wasm');
  assert.ok(existsSync(named), `${named} is missing: run make wasm`);
  const names = readFileSync(named).toString('latin1');
  for (const name of ['escape_debug_ext', 'is_printable', 'slice_error_fail']) {
    assert.ok(!names.includes(name), `the edge scorer links core's ${name}: quote with driftlab::prep::Quoted, not {:?}, and slice str with get() (edge/src/lib.rs, Size)`);
  }
  assert.ok(gzBytes > 0 && gzBytes < raw && gzBytes <= 64_800, `gzipped ${gz} (raw ${raw})`);
});

test('train logistic on fraud, open Edge: the model card, and a zip with the 7 files', async () => {
  await page.getByRole('button', { name: 'Model' }).click();
  await page.locator('#model-form').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#model-kind')?.value === 'logistic');
  await page.locator('#train').click();
  await page.waitForFunction(() => /^Trained /.test(document.querySelector('#model-status')?.textContent ?? '')
    || !document.querySelector('#model-error')?.hidden, null, { timeout: 40_000 });
  assert.equal(await page.locator('#model-error').isVisible(), false, 'training failed');

  await page.getByRole('button', { name: 'Edge' }).click();
  await page.locator('#edge-card-title').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#edge-empty').isVisible(), false);
  const card = await page.locator('#edge-card').innerText();
  assert.match(card, /logistic/);
  assert.match(card, /classification/);
  assert.match(card, /accuracy/);
  assert.match(card, /merchant_category/);
  assert.equal(await page.locator('#edge-files li:not(.total)').count(), 7);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#edge-download').click(),
  ]);
  const name = download.suggestedFilename();
  assert.match(name, /^driftlab-edge-logistic-[0-9a-f]{8}\.zip$/);
  const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
  const folder = name.replace(/\.zip$/, '');
  assert.deepEqual(Object.keys(entries).sort(), BUNDLE_FILES.map((f) => `${folder}/${f}`).sort());
  artifact = JSON.parse(new TextDecoder().decode(entries[`${folder}/model.json`]));
  assert.equal(artifact.format, 'driftlab.artifact');
  assert.equal(artifact.model.kind, 'logistic');
  assert.deepEqual(entries[`${folder}/driftlab_edge.wasm`], new Uint8Array(readFileSync(EDGE_WASM)), 'the scorer is pkg/edge’s');
  // the page's bundle carries no monitor module, so its worker.js imports none (driftlab::export)
  const template = readFileSync(join(root, 'edge/bundle/worker.js'), 'utf8').replace(
    "import monitorModule from './driftlab_monitor.wasm'; // driftlab:monitor-import",
    'const monitorModule = null; // exported without driftlab_monitor.wasm: no monitoring',
  );
  assert.equal(new TextDecoder().decode(entries[`${folder}/worker.js`]), template);
  assert.match(new TextDecoder().decode(entries[`${folder}/wrangler.toml`]), /driftlab-logistic-/);
  for (const [path, bytes] of Object.entries(entries)) {
    const out = join(work, path);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, bytes);
  }
  bundleDir = join(work, folder);
});

test('try it: the bundle’s worker.js answers in the page, as the same bundle does under Node', async () => {
  assert.ok(artifact && bundleDir, 'needs the previous test');
  const body = await page.locator('#edge-request').inputValue();
  const sent = JSON.parse(body);
  assert.equal(sent.rows.length, 1);
  assert.ok('amount' in sent.rows[0] && 'merchant_category' in sent.rows[0], `the example row: ${body}`);
  assert.ok(!('is_fraud' in sent.rows[0]), 'the target is not an input');

  const scored = await tryIt('#edge-send');
  assert.equal(scored.status, 200, scored.code);
  assert.equal(scored.body.predictions.length, 1);
  const [p] = scored.body.predictions;
  assert.ok(artifact.classes.includes(String(p.prediction)), `prediction ${p.prediction}`);
  const probs = Object.values(p.probabilities);
  assert.equal(probs.length, 2);
  assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-9, `probabilities ${JSON.stringify(p.probabilities)}`);
  assert.ok(Array.isArray(p.warnings));
  assert.match(await page.locator('#edge-response-status').innerText(), /answered in [\d.]+ ms/);

  // The downloaded bundle under Node gives the same answer for the same body.
  const { url, child } = await serveBundle(bundleDir);
  try {
    const response = await fetch(`${url}/score`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), scored.body, 'the page and Node agree');
  } finally {
    child.kill('SIGTERM');
  }

  const model = await tryIt('#edge-get-model');
  assert.equal(model.status, 200, model.code);
  assert.equal(model.body.hash, artifact.hash);
  assert.equal(model.body.kind, 'logistic');
  assert.ok(model.body.inputs.some((c) => c.name === 'amount'));

  const bad = await tryIt('#edge-bad');
  assert.equal(bad.status, 400, bad.code);
  assert.equal(bad.body.column, 'amount', JSON.stringify(bad.body));
  assert.match(bad.body.error, /amount/);
  assert.equal(bad.body.row, 0);
  assert.match(await page.locator('#edge-request').inputValue(), /not a number/);

  // Hand-edited: a body that is not JSON.
  await page.locator('#edge-request').fill('{"rows": [');
  const broken = await tryIt('#edge-send');
  assert.equal(broken.status, 400, broken.code);
  assert.ok(typeof broken.body.error === 'string' && broken.body.error.length > 0);

  await page.locator('#edge-request').fill(body);
  await tryIt('#edge-send');
  await page.screenshot({ path: join(shots, 'edge.png'), fullPage: true });

  await page.setViewportSize({ width: 800, height: 900 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.ok(overflow <= 0, `at 800px the page is ${overflow}px wider than the window`);
});

/** Starts workerd (edge/test-tools) serving the bundle in `dir`; resolves with its URL and the child. */
async function workerdBundle(dir) {
  assert.ok(existsSync(WORKERD), `${WORKERD} is missing: run npm ci --prefix edge/test-tools`);
  const port = await freePort();
  const config = writeWorkerdConfig(join(dir, 'workerd.capnp'), [{ dir, port }]);
  const child = spawn(WORKERD, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`workerd exited: ${err}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`workerd did not answer: ${err}`);
}

/** The f64 bits of a number, as hex (for messages). */
const bits = (x) => (typeof x === 'number' ? Buffer.from(new Float64Array([x]).buffer).readBigUInt64LE().toString(16) : String(x));

test('workerd answers the test rows bit for bit as the playground’s own scorer does', async () => {
  assert.ok(artifact && bundleDir, 'needs the download test');
  // 60 rows of the fraud table (another seed than the page's: rows the model has not seen),
  // typed as JSON; some have a category the model never saw, to exercise the warnings
  const csv = execFileSync('cargo', ['run', '-q', '--bin', 'driftlab', '--', 'dataset', 'fraud', '--rows', '60', '--seed', '7'], { cwd: root }).toString();
  const [header, ...lines] = csv.trim().split('\n');
  const names = header.split(',');
  const inputs = artifact.pipeline.inputs.map((c) => c.name);
  const value = (t) => (t === '' ? null : t === 'true' ? true : t === 'false' ? false : Number.isFinite(Number(t)) ? Number(t) : t);
  const rows = lines.map((l, i) => {
    const cells = l.split(',');
    const row = Object.fromEntries(inputs.map((c) => [c, value(cells[names.indexOf(c)])]));
    if (i % 15 === 7) row.merchant_category = 'never-seen';
    return row;
  });
  const body = JSON.stringify({ rows });
  await page.locator('#edge-request').fill(body);
  const scored = await tryIt('#edge-send');
  assert.equal(scored.status, 200, scored.code);
  await page.waitForFunction(() => document.querySelector('#edge-parity')?.textContent);
  const parity = await page.locator('#edge-parity').innerText();
  assert.match(parity, /Same as the playground.s own scorer, bit for bit \(60 rows\)/, parity);
  const playground = JSON.parse(await page.locator('#edge-parity').getAttribute('data-playground'));
  assert.equal(playground.length, 60);

  const { url, child } = await workerdBundle(bundleDir);
  try {
    const response = await fetch(`${url}/score`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal(response.status, 200);
    const { predictions } = await response.json();
    assert.equal(predictions.length, 60);
    let warned = 0;
    predictions.forEach((p, i) => {
      const q = playground[i];
      assert.equal(p.prediction, q.label, `row ${i}: the label`);
      assert.equal(q.prediction.probabilities.length, artifact.classes.length);
      artifact.classes.forEach((c, k) => {
        const [a, b] = [p.probabilities[c], q.prediction.probabilities[k]];
        assert.ok(Object.is(a, b), `row ${i}, p(${c}): workerd ${a} (${bits(a)}) vs playground ${b} (${bits(b)})`);
      });
      assert.deepEqual(p.warnings.map((w) => [w.column, w.kind]), q.warnings.map((w) => [w.column, w.kind]), `row ${i}: the warnings`);
      warned += p.warnings.some((w) => w.kind === 'unseen_category') ? 1 : 0;
    });
    assert.equal(warned, 4, 'the rows with an unseen category are flagged');
    // and the page's in-tab edge worker said the same as workerd
    assert.deepEqual(scored.body.predictions, predictions);
  } finally {
    child.kill('SIGTERM');
  }
});

test('no console errors and no request to another host', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
