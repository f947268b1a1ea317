// End-to-end test of the Edge panel in a real Chromium: train logistic on fraud, open Edge,
// read the scorer's size and the model card, download the bundle zip (7 files, the
// artifact parses), and "try it": the bundle's worker.js runs in the page and answers
// POST /score, GET /model and a bad request. The in-page answer is compared with the
// downloaded bundle run under Node (its serve.mjs), which must give the same bytes' worth of JSON.
// Needs `make wasm` (pkg/, pkg/edge/) and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { root, shots, startPlayground } from './harness.mjs';

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
  assert.ok(gzBytes > 0 && gzBytes < raw && gzBytes <= 64 * 1024, `gzipped ${gz} (raw ${raw})`);
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
  assert.equal(new TextDecoder().decode(entries[`${folder}/worker.js`]), readFileSync(join(root, 'edge/bundle/worker.js'), 'utf8'));
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

test('no console errors and no request to another host', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
