// The Monitor panel attached to a running edge bundle (issue #18, item 5), in a real
// Chromium and the real workerd: a fraud model exported with its monitor runs in workerd
// (its Durable Object on disk, a bearer token, CORS for the page's origin). The page adds the
// bundle's origin (the page reloads so that its Content-Security-Policy allows it), attaches
// with the token, and `driftlab replay` sends drifted fraud rows and their labels; the panel
// shows the drifted columns and the alarms with the sentences the bundle's /monitor has.
// An origin the user did not add is refused by the policy, and so is the bundle's once removed.
// Needs `make wasm` (pkg/, pkg/edge/), Debian's Chromium and workerd (npm ci --prefix edge/test-tools).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root, shots, startPlayground } from './harness.mjs';
import { WORKERD, freePort, run, writeWorkerdConfig } from '../edge/workerd.mjs';

const TARGET = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const CLI = join(TARGET, 'debug/driftlab');
const WASM = join(root, 'pkg/edge/driftlab_edge.wasm');
const TOKEN = 'attach-token-0123456789';

const work = mkdtempSync(join(tmpdir(), 'driftlab-attach-'));
const processes = [];
let playground;
let page;
let bundle;

/** GET /monitor from Node (not the page), as the bundle answers it. */
async function monitor() {
  const r = await fetch(`${bundle}/monitor`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  return r.json();
}

/** The connect-src of this document's exact policy (written by www/public/csp.js), but the dev server's hot-reload websocket. */
const connectSrc = () => page.evaluate(() => (document.getElementById('csp-exact')?.getAttribute('content') ?? '')
  .split(';').map((d) => d.trim().split(/\s+/)).find((w) => w[0] === 'connect-src')?.slice(1).filter((s) => !s.startsWith('ws:')) ?? null);

/** Fetches `url` from the page; returns its status or the error's name, and the policy violations. */
const fetchFromPage = (url, token) => page.evaluate(async ({ url, token }) => {
  const seen = [];
  const listener = (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
  document.addEventListener('securitypolicyviolation', listener);
  let result;
  try {
    result = (await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })).status;
  } catch (e) {
    result = e.name;
  }
  await new Promise((r) => setTimeout(r, 50));
  document.removeEventListener('securitypolicyviolation', listener);
  return { result, seen };
}, { url, token });

before(async () => {
  assert.ok(existsSync(WASM), `${WASM} is missing: run make wasm`);
  assert.ok(existsSync(join(root, 'pkg/edge/driftlab_monitor.wasm')), 'pkg/edge/driftlab_monitor.wasm is missing: run make wasm');
  assert.ok(existsSync(WORKERD), `${WORKERD} is missing: run npm ci --prefix edge/test-tools`);
  execFileSync('cargo', ['build', '-q', '--bin', 'driftlab'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  const sh = (cmd) => execFileSync('sh', ['-c', cmd], { cwd: work });
  sh(`"${CLI}" dataset fraud --rows 4000 --seed 7 > train.csv`);
  sh(`"${CLI}" dataset fraud --rows 1000 --seed 8 > calm.csv`);
  sh(`"${CLI}" dataset fraud --rows 3000 --seed 9 --drift 1 > drifted.csv`);
  execFileSync(CLI, ['train', '--data', 'train.csv', '--target', 'is_fraud', '--model', 'logistic', '--out', 'model.json'], { cwd: work });
  execFileSync(CLI, ['export', '--model', 'model.json', '--out', 'bundle', '--wasm', WASM], { cwd: work });

  playground = await startPlayground();
  page = playground.page;
  const port = await freePort();
  bundle = `http://127.0.0.1:${port}`;
  mkdirSync(join(work, 'do'));
  const config = writeWorkerdConfig(join(work, 'config.capnp'), [{
    dir: join(work, 'bundle'),
    port,
    monitor: join(work, 'do'),
    env: {
      DRIFTLAB_TOKEN: TOKEN,
      DRIFTLAB_CORS_ORIGIN: new URL(playground.base).origin,
      DRIFTLAB_MONITOR_EVERY: '5',
      DRIFTLAB_MONITOR_BATCH_ROWS: '500',
    },
  }]);
  const p = run(processes, WORKERD, ['serve', config], { cwd: work });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${bundle}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } })).ok) break;
    } catch {}
    if (p.exitCode !== null || i > 200) throw new Error(`workerd did not start:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  await playground?.close();
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('the Monitor panel attached to a bundle in workerd', { concurrency: false }, () => {
  test('by default the page may connect to its own origin only', async () => {
    await page.goto(`${playground.base}#dataset=fraud&seed=42&view=monitor`);
    await page.locator('#attach-box').waitFor();
    assert.deepEqual(await connectSrc(), ["'self'"]);
    // the bundle answers CORS for this origin, but the policy refuses before any request
    const refused = await fetchFromPage(`${bundle}/health`, TOKEN);
    assert.equal(refused.result, 'TypeError');
    assert.ok(refused.seen.some((v) => v.directive === 'connect-src' && v.blocked.startsWith(bundle)), JSON.stringify(refused.seen));
  });

  test('a bad address is refused with the fix', async () => {
    await page.locator('#attach-box summary').click();
    await page.locator('#attach-url').fill('http://192.0.2.1:8787');
    await page.locator('#attach').click();
    assert.match(await page.locator('#attach-error').innerText(), /plain http on another machine/);
    await page.locator('#attach-url').fill('not a url');
    await page.locator('#attach').click();
    assert.match(await page.locator('#attach-error').innerText(), /is not a URL/);
  });

  test('attaching adds the origin (one reload), then the panel reads /monitor with the token', async () => {
    await page.locator('#attach-url').fill(bundle);
    await page.locator('#attach-token').fill('not-the-token');
    await Promise.all([page.waitForEvent('load'), page.locator('#attach').click()]);
    // after the reload the panel attaches by itself; the wrong token is refused with the fix
    await page.waitForFunction(() => /answered 401/.test(document.querySelector('#attach-error')?.textContent ?? ''));
    assert.match(await page.locator('#attach-error').innerText(), /DRIFTLAB_TOKEN/);
    // the origin is allowed now: attaching again needs no reload
    await page.locator('#attach-token').fill(TOKEN);
    await page.locator('#attach').click();
    await page.waitForFunction((b) => document.querySelector('#attach-status')?.dataset.rows !== undefined
      && document.querySelector('#attach-status')?.dataset.attached === b, bundle);
    assert.equal(await page.locator('#attach-error').isHidden(), true);
    assert.deepEqual(await connectSrc(), ["'self'", bundle]);
    assert.equal(await page.locator('#monitor-scenario').isHidden(), true, 'the scenario steps aside');
    assert.equal(await page.evaluate(() => localStorage.getItem('driftlab.edge.origins')), JSON.stringify([bundle]));
    assert.equal(await page.evaluate(() => localStorage.getItem('driftlab.edge.attach')), null, 'the token is not kept past the tab');
    assert.equal(await page.locator('#attach-status').getAttribute('data-rows'), '0');
  });

  test('replayed drifted traffic shows up: drifted columns, alarms and labels, as /monitor says', async () => {
    const replay = (file, ...more) => promisify(execFile)(CLI, ['replay', '--url', bundle, '--data', file, '--batch', '50', '--token', TOKEN, ...more], { cwd: work });
    await replay('calm.csv');
    await replay('drifted.csv', '--labels-after', '2');
    await page.waitForFunction(() => Number(document.querySelector('#attach-status')?.dataset.rows) === 4000
      && Number(document.querySelector('#attach-status')?.dataset.alarms) > 0, null, { timeout: 30_000 });
    const m = await monitor();
    assert.equal(m.windows.all.rows, 4000);
    // the panel's last judged batch is the bundle's
    const drifted = m.last_batch.columns.filter((c) => c.drifted).map((c) => c.name).sort();
    assert.ok(drifted.length >= 3, JSON.stringify(drifted));
    await page.waitForFunction((n) => document.querySelectorAll('#attach-drift tbody tr[data-drifted="true"]').length === n, drifted.length);
    const shown = (await page.locator('#attach-drift tbody tr[data-drifted="true"]').evaluateAll((rows) => rows.map((r) => r.dataset.column))).sort();
    assert.deepEqual(shown, drifted);
    // each column's sentence is the core's
    const first = m.last_batch.columns.find((c) => c.drifted);
    assert.equal(await page.locator(`#attach-drift tr[data-column="${first.name}"] td:last-child`).innerText(), first.reason);
    // the alarms, newest first, with the core's sentences
    await page.waitForFunction((n) => document.querySelectorAll('#attach-alarm-log li').length >= n, m.alarms.length);
    const log = await page.locator('#attach-alarm-log li').allInnerTexts();
    const kinds = await page.locator('#attach-alarm-log li').evaluateAll((li) => li.map((l) => l.dataset.kind));
    assert.ok(kinds.includes('data_drift'), JSON.stringify(kinds));
    const dataDrift = m.alarms.find((a) => a.kind === 'data_drift');
    assert.ok(log.some((l) => l.endsWith(dataDrift.message)), `${dataDrift.message} in ${log}`);
    // the late labels: the since-deploy window has labelled rows next to the estimate
    await page.waitForFunction(() => Number(document.querySelector('#attach-windows tr[data-window="all"] td[data-field="labelled"]')?.textContent.replaceAll(',', '')) > 0);
    assert.ok(m.labels.labelled > 0);
    for (const chart of ['drift', 'predictions', 'performance']) {
      assert.equal(await page.locator(`#attach-chart-${chart} svg`).count() > 0, true, `${chart} chart drawn`);
    }
    await page.locator('#attach-view').screenshot({ path: join(shots, 'monitor-attached.png') });
  });

  test('an origin the user did not add stays refused', async () => {
    const other = `http://127.0.0.1:${await freePort()}`;
    const refused = await fetchFromPage(`${other}/monitor`);
    assert.equal(refused.result, 'TypeError');
    assert.ok(refused.seen.some((v) => v.directive === 'connect-src' && v.blocked.startsWith(other)), JSON.stringify(refused.seen));
    const remote = await fetchFromPage('https://example.com/monitor');
    assert.equal(remote.result, 'TypeError');
    assert.ok(remote.seen.some((v) => v.directive === 'connect-src'), JSON.stringify(remote.seen));
    // the added one is allowed
    const allowed = await fetchFromPage(`${bundle}/health`, TOKEN);
    assert.deepEqual(allowed, { result: 200, seen: [] });
  });

  test('detach returns to the scenario; removing the origin refuses it again', async () => {
    await page.locator('#detach').click();
    assert.equal(await page.locator('#attach-view').isHidden(), true);
    assert.equal(await page.locator('#monitor-scenario').isVisible(), true);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('driftlab.edge.attach')), null);
    await Promise.all([page.waitForEvent('load'), page.locator(`#attach-origins button[data-origin="${bundle}"]`).click()]);
    await page.locator('#attach-box').waitFor();
    assert.deepEqual(await connectSrc(), ["'self'"]);
    const refused = await fetchFromPage(`${bundle}/health`, TOKEN);
    assert.equal(refused.result, 'TypeError');
    // the page's own errors: none but the policy's reports of what this test tried on
    // purpose, and Chromium's note of the 401 the wrong token got
    assert.deepEqual(playground.problems.console.filter((e) => !/Content Security Policy|status of 401/i.test(e)), []);
    assert.deepEqual(playground.problems.dialogs, []);
  });
});
