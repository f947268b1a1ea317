// End-to-end test of the live view (issue 16) in a real Chromium: a 4-4-2 tanh network on
// two-input data plays frame after frame while a PerformanceObserver records every long
// main-thread task; the frame rate and the longest task are printed, not asserted (`make bench`
// measures them: benches/node/live.mjs), and written to
// tests/e2e/screenshots/live-figures.json; screenshots of the view mid-training on xor
// and spiral at 1280 and 768 px (to docs/live/ with DRIFTLAB_DOCS=1); the run's end makes
// the network the model, with the artifact Train gives for the same settings and epochs;
// a diverging learning rate stops with a message; a teacher's link hides controls; the
// circle lesson, step by step with "Do it for me".
// Needs `make wasm` (pkg/) and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, shots, startPlayground, train } from './harness.mjs';

let page;
let base;
let problems;
let playground;
const docs = process.env.DRIFTLAB_DOCS === '1' ? join(root, 'docs/live') : shots;
const figures = {};

function observeLongTasks() {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

before(async () => {
  mkdirSync(docs, { recursive: true });
  playground = await startPlayground();
  ({ base, page, problems } = playground);
  await page.addInitScript(observeLongTasks);
});

after(async () => {
  writeFileSync(join(shots, 'live-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await playground?.close();
});

/** Opens a link and waits for the live view's untrained network. */
async function openLive(hash) {
  await page.goto(`${base}${hash}`);
  await page.locator('#live-section').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#live-section')?.dataset.epoch === '0');
}

const epoch = () => page.evaluate(() => Number(document.querySelector('#live-section')?.dataset.epoch ?? -1));

test('xor: a 4-4-2 tanh network plays frame after frame (its frame rate and long tasks reported)', async () => {
  await openLive('#view=model&dataset=xor&rows=500&seed=42&noise=0&model=mlp&p.hidden=4,4&p.epochs=5000');
  // one epoch a frame: the frame rate is the page's, not the batch size's
  await page.selectOption('#live-speed', '1');
  const neurons = await page.locator('#live-section .neuron canvas').count();
  assert.equal(neurons, 2 + 4 + 4 + 2, 'a picture per neuron: two inputs, 4 + 4 hidden, two outputs');
  await page.evaluate(() => { window.__longTasks = []; });
  await page.locator('.live-play').click();
  await page.waitForFunction(() => Number(document.querySelector('#live-section')?.dataset.frames ?? 0) >= 3);
  const t0 = await page.evaluate(() => [performance.now(), Number(document.querySelector('#live-section').dataset.frames)]);
  await page.waitForTimeout(4_000);
  // measured before the screenshot, whose capture is a long task of its own
  const t1 = await page.evaluate(() => [performance.now(), Number(document.querySelector('#live-section').dataset.frames)]);
  const fps = ((t1[1] - t0[1]) * 1000) / (t1[0] - t0[0]);
  const tasks = await page.evaluate(() => window.__longTasks.map((t) => t.duration));
  await page.screenshot({ path: join(docs, 'live-xor-1280.png'), fullPage: false, clip: await clip() });
  // each neuron its own picture: x is a left-right ramp, y a top-bottom one, the outputs xor
  const pictures = await page.locator('#live-section .neuron canvas').evaluateAll((cs) => cs.map((c) => c.toDataURL()));
  assert.equal(new Set(pictures).size, pictures.length, 'every neuron draws a picture of its own');
  const longest = Math.max(0, ...tasks);
  figures.xor = { network: '2-4-4-2 tanh', rows: 500, fps: Number(fps.toFixed(1)), long_tasks: tasks.length, longest_task_ms: Math.round(longest) };
  console.log(`live view, xor, 4-4-2 tanh: ${fps.toFixed(1)} frames/s, ${tasks.length} tasks over 50 ms (longest ${Math.round(longest)} ms)`);
  // frames keep coming while it plays; how many a second, and the main thread's long tasks,
  // are measured by `make bench` (benches/node/live.mjs), not held here by a timed assert
  assert.ok(t1[1] - t0[1] >= 3, `frames drawn in 4 s of playing: ${t1[1] - t0[1]}`);
  // the loss falls and the picture changes; 768 px wide mid-training
  await page.setViewportSize({ width: 768, height: 1000 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(docs, 'live-xor-768.png'), clip: await clip() });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('.live-play').click(); // pause
  const loss = await page.locator('#live-section .loss-test').innerText();
  assert.match(loss, /^Test loss [0-9.]+/);
});

/** Compare's row `i` downloaded as an artifact, without its creation time and hash. */
async function artifact(i) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#compare tbody tr').nth(i).getByRole('button', { name: /Download/ }).click(),
  ]);
  const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(doc.format, 'driftlab.artifact');
  delete doc.hash;
  delete doc.lineage.created;
  return doc;
}

/** The live section on screen, for a screenshot. */
async function clip() {
  const box = await page.locator('#live-section').boundingBox();
  await page.locator('#live-section').scrollIntoViewIfNeeded();
  const b = await page.locator('#live-section').boundingBox();
  const v = page.viewportSize();
  return { x: 0, y: Math.max(b.y, 0), width: v.width, height: Math.min(box.height, v.height - Math.max(b.y, 0)) };
}

test('spiral: 8-8-8 tanh with sin features, mid-training at 1280 and 768 px', async () => {
  await openLive('#view=model&dataset=spirals&rows=500&seed=42&noise=0&model=mlp&p.hidden=8,8,8&p.learning_rate=0.03&p.epochs=2000&features=sin(x),sin(y)');
  await page.selectOption('#live-speed', '5');
  await page.locator('.live-play').click();
  await page.waitForFunction(() => Number(document.querySelector('#live-section')?.dataset.epoch ?? 0) >= 150, null, { timeout: 60_000 });
  await page.screenshot({ path: join(docs, 'live-spiral-1280.png'), clip: await clip() });
  await page.setViewportSize({ width: 768, height: 1000 });
  await page.waitForFunction(() => Number(document.querySelector('#live-section')?.dataset.epoch ?? 0) >= 250, null, { timeout: 60_000 });
  await page.screenshot({ path: join(docs, 'live-spiral-768.png'), clip: await clip() });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('.live-play').click(); // pause
  assert.ok((await epoch()) >= 250);
});

test('the run ends as the model Train makes for the same settings and epochs; hover reads a weight', async () => {
  await openLive('#view=model&dataset=circles&rows=300&seed=42&noise=0&model=mlp&p.hidden=4,2&p.epochs=60&p.learning_rate=0.1');
  await page.selectOption('#live-speed', '10');
  await page.locator('.live-play').click();
  await page.waitForFunction(() => !!document.querySelector('#live-section')?.dataset.hash, null, { timeout: 60_000 });
  const live = await page.evaluate(() => document.querySelector('#live-section').dataset.hash);
  assert.equal(await page.evaluate(() => document.querySelector('#model-results').dataset.hash), live);
  await page.locator('#live-section .network-links path').first().hover({ force: true });
  assert.match(await page.locator('.network-hover').innerText(), /^weight x → h1\.1: -?[0-9.]+$/);
  const liveRow = (await page.locator('#compare tbody tr').count()) - 1;
  assert.ok(liveRow >= 0, 'the live run is in Compare');
  await page.locator('#model-status').evaluate((el) => { el.textContent = ''; });
  await train(page);
  const trainRow = (await page.locator('#compare tbody tr').count()) - 1;
  assert.equal(trainRow, liveRow + 1);
  // the same artifact but for its creation time (and so its hash)
  const [a, b] = [await artifact(liveRow), await artifact(trainRow)];
  assert.equal(a.model.kind, 'mlp');
  assert.deepEqual(a, b, 'Train with epochs=60 gives the live run\'s artifact');
  assert.match(await page.locator('#model-results tr[data-metric="accuracy"] td.num').innerText(), /^(0\.9|1)/);
});

test('a diverging learning rate stops with a message and keeps the last good weights', async () => {
  await openLive('#view=model&dataset=plane&rows=300&seed=1&model=mlp&p.hidden=8,8&p.activation=relu&p.learning_rate=10&p.epochs=200');
  await page.locator('.live-play').click();
  await page.locator('#live-section .error').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await page.locator('#live-section .error').innerText(), /stopped being a number.*lower learning_rate/);
  assert.equal(await page.locator('.live-play').innerText(), 'Play');
});

test('a teacher\'s link hides controls; a link with play=1 replays the run', async () => {
  // a link opened: a fresh page load (a changed hash alone keeps the page, and its last run)
  await page.goto(`${base}#view=model&dataset=circles&rows=200&seed=3&noise=0.1&model=mlp&p.epochs=20&hide=noise,features,layers&play=1`);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#live-section')?.dataset.epoch === '20'
    && !!document.querySelector('#live-section')?.dataset.hash, null, { timeout: 60_000 });
  assert.equal(await page.locator('#live-noise').isVisible(), false);
  assert.equal(await page.locator('#model-features').isVisible(), false);
  assert.equal(await page.locator('.live-layers').isVisible(), false);
  assert.equal(await page.locator('#live-ratio').isVisible(), true);
  assert.equal(await epoch(), 20);
});

test('the circle lesson: a line fails, x² and y² fix it, a hidden layer finds it alone', async () => {
  await page.goto(`${base}#view=data`);
  await page.reload();
  await page.locator('#lesson-start').click();
  const card = page.locator('#lesson');
  await card.waitFor({ state: 'visible' });
  const step = async (n, pattern) => {
    await page.waitForFunction((k) => document.querySelector('#lesson')?.dataset.step === String(k), n);
    await page.locator('#lesson-do').click();
    await card.locator('.tour-state').filter({ hasText: '✓ Done' }).waitFor({ timeout: 60_000 })
      .catch(async (e) => { throw new Error(`lesson step ${n}: ${await card.innerText()} / ${await page.locator('#model-status').innerText()}: ${e.message}`); });
    const text = await card.locator('.tour-state').innerText();
    assert.match(text, pattern);
    return Number(/test accuracy ([0-9.]+)/.exec(text)?.[1] ?? NaN);
  };
  const line = await step(1, /test accuracy/);
  assert.ok(line < 0.8, `a straight line on a circle: ${line}`);
  await card.getByRole('button', { name: 'Next', exact: true }).click();
  assert.ok((await step(2, /test accuracy/)) > 0.9);
  await card.getByRole('button', { name: 'Next', exact: true }).click();
  assert.ok((await step(3, /test accuracy/)) > 0.9);
  assert.match(page.url(), /lesson=3/);
  await card.getByRole('button', { name: 'Close', exact: true }).click();
});

test('no console errors, no foreign requests', () => {
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.foreign, []);
  assert.deepEqual(problems.dialogs, []);
});
