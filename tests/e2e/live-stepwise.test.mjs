// End-to-end test of the live view for logistic regression (a frame per L-BFGS iteration)
// and boosting (a frame per tree), in a real Chromium (issue 16), and of the map drawn
// while boosting trains with Train (issue 15): "Watch it learn" opens the view, Step
// advances by exactly one, Play brings frames until the run ends, the loss falls, and the
// model it ends with is the artifact Train gives for the same settings (but for its
// creation time); a link with play=1 opens and replays the run.
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
const figures = {};
// screenshots of each view at its run's end (to docs/live/ with DRIFTLAB_DOCS=1)
const docs = process.env.DRIFTLAB_DOCS === '1' ? join(root, 'docs/live') : shots;

/** The live section on screen, for a screenshot. */
async function shot(name) {
  await page.locator('#live-section').scrollIntoViewIfNeeded();
  const b = await page.locator('#live-section').boundingBox();
  const v = page.viewportSize();
  await page.screenshot({ path: join(docs, name), clip: { x: 0, y: Math.max(b.y, 0), width: v.width, height: Math.min(b.height, v.height - Math.max(b.y, 0)) } });
}

before(async () => {
  mkdirSync(docs, { recursive: true });
  playground = await startPlayground();
  ({ base, page, problems } = playground);
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
});

after(async () => {
  writeFileSync(join(shots, 'live-stepwise-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await playground?.close();
});

const live = (key) => page.evaluate((k) => document.querySelector('#live-section')?.dataset[k] ?? null, key);
const epoch = async () => Number(await live('epoch'));

/** Opens a link (a fresh load) and, with "Watch it learn", the live view at step 0. */
async function openWatching(hash) {
  await page.goto(`${base}${hash}`);
  await page.reload();
  const open = page.locator('#live-open');
  await open.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#live-section').isVisible(), false, 'the view waits to be asked for');
  await open.click();
  await page.locator('#live-section').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#live-section')?.dataset.epoch === '0');
  assert.equal(await open.isVisible(), false);
}

/** Clicks Step and waits for the step after `from`. */
async function step(from) {
  await page.locator('#live-section .live-step').click();
  await page.waitForFunction((k) => document.querySelector('#live-section')?.dataset.epoch === String(k + 1), from);
}

const testLoss = async () => Number(/Test loss ([0-9.e-]+)/.exec(await page.locator('#live-section .loss-test').innerText())?.[1]);

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

/** Plays to the run's end (the model kept), then trains the same settings with Train. */
async function playToEndThenTrain(kind) {
  await page.evaluate(() => { window.__longTasks = []; });
  await page.locator('.live-play').click();
  await page.waitForFunction(() => !!document.querySelector('#live-section')?.dataset.hash, null, { timeout: 60_000 });
  const frames = Number(await live('frames'));
  const tasks = await page.evaluate(() => window.__longTasks);
  const hash = await live('hash');
  assert.equal(await page.evaluate(() => document.querySelector('#model-results').dataset.hash), hash);
  const liveRow = (await page.locator('#compare tbody tr').count()) - 1;
  await page.locator('#model-status').evaluate((el) => { el.textContent = ''; });
  await train(page);
  const [a, b] = [await artifact(liveRow), await artifact(liveRow + 1)];
  assert.equal(a.model.kind, kind);
  assert.deepEqual(a, b, `Train gives the live ${kind} run's artifact`);
  return { frames, tasks };
}

test('logistic regression: a frame per L-BFGS iteration, the weights as links, Train\'s artifact at the end', async () => {
  await openWatching('#view=model&dataset=circles&rows=300&seed=42&noise=0.05&model=logistic&features=x^2,y^2');
  // no hidden neurons: four inputs (x, y, x², y²) straight to one output
  assert.equal(await page.locator('#live-section .neuron canvas').count(), 4 + 1);
  assert.equal(await page.locator('#live-section .network-links path').count(), 4);
  assert.match(await page.locator('#live-section .live-step').innerText(), /Step one iteration/);
  await step(0);
  const first = await testLoss();
  await step(1);
  assert.equal(await epoch(), 2, 'Step advances by one iteration');
  assert.match(await page.locator('#live-section .live-epoch').innerText(), /^Iteration 2 of 100/);
  await page.locator('#live-section .network-links path').first().hover({ force: true });
  assert.match(await page.locator('.network-hover').innerText(), /^weight x → .*: -?[0-9.]+/);
  await page.selectOption('#live-speed', '1');
  const { frames, tasks } = await playToEndThenTrain('logistic');
  await shot('live-logistic-1280.png');
  const last = await epoch();
  assert.ok(frames >= 3 && last > 2 && last < 100, `${frames} frames, the solver stopped at iteration ${last}`);
  assert.match(await page.locator('#live-section .live-epoch').innerText(), /\(converged\)/);
  const end = await testLoss();
  assert.ok(end < first / 2, `the test loss fell: ${first} → ${end}`);
  figures.logistic = { iterations: last, frames, long_tasks: tasks.length, longest_task_ms: Math.round(Math.max(0, ...tasks)) };
  console.log(`live logistic on circles with x², y²: ${last} iterations, ${frames} frames, ${tasks.length} tasks over 50 ms (longest ${figures.logistic.longest_task_ms} ms)`);
});

test('boosting: a frame per tree, the surface sharpening, Train\'s artifact at the end', async () => {
  await openWatching('#view=model&dataset=xor&rows=400&seed=7&noise=0.05&model=boosting&p.n_iterations=40&p.max_leaves=8&p.validation_fraction=0');
  assert.equal(await page.locator('#live-section .neuron canvas').count(), 2 + 1);
  await step(0);
  const first = await testLoss();
  const surface = () => page.locator('#live-section .live-surface canvas').first().evaluate((c) => c.toDataURL());
  const one = await surface();
  await step(1);
  assert.equal(await epoch(), 2, 'Step advances by one tree');
  assert.match(await page.locator('#live-section .live-epoch').innerText(), /^Tree 2 of 40/);
  assert.notEqual(await surface(), one, 'the second tree changes the output surface');
  await page.selectOption('#live-speed', '2');
  const { frames, tasks } = await playToEndThenTrain('boosting');
  await shot('live-boosting-1280.png');
  assert.equal(await epoch(), 40);
  assert.ok(frames >= 10, `${frames} frames`);
  const end = await testLoss();
  assert.ok(end < first, `the test loss fell: ${first} → ${end}`);
  figures.boosting = { trees: 40, frames, long_tasks: tasks.length, longest_task_ms: Math.round(Math.max(0, ...tasks)) };
  console.log(`live boosting on xor: 40 trees, ${frames} frames, ${tasks.length} tasks over 50 ms (longest ${figures.boosting.longest_task_ms} ms)`);
});

test('a link with play=1 opens the boosting view and replays the run, with the validation loss', async () => {
  await page.goto(`${base}#view=model&dataset=gaussian&rows=200&seed=3&noise=0.2&model=boosting&p.n_iterations=15&play=1`);
  await page.reload();
  await page.waitForFunction(() => !!document.querySelector('#live-section')?.dataset.hash, null, { timeout: 60_000 });
  assert.ok(await page.locator('#live-section').isVisible());
  assert.ok((await epoch()) >= 1 && (await epoch()) <= 15);
  // early stopping holds rows out (validation_fraction 0.1 by default): its loss is the third curve
  assert.match(await page.locator('#live-section .loss-validation').innerText(), /^Validation loss [0-9.]+ \(dashed\)$/);
});

test('Train redraws the boosting map tree by tree while it trains', async () => {
  const trees = 150;
  await page.goto(`${base}#view=model&dataset=moons&rows=10000&seed=1&noise=0.3&model=boosting&p.n_iterations=${trees}&p.validation_fraction=0`);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#model-kind')?.value === 'boosting' && !document.querySelector('#train')?.disabled);
  await page.evaluate(() => {
    // every map drawn mid-training: the iteration it shows and its cells' picture
    window.__maps = [];
    const section = document.querySelector('#boundary-section');
    new MutationObserver(() => {
      const step = section.dataset.step;
      const href = document.querySelector('#boundary svg image')?.getAttribute('href') ?? null;
      if (step && window.__maps.at(-1)?.step !== step) window.__maps.push({ step, href });
    }).observe(section, { attributes: true, attributeFilter: ['data-step'], subtree: true });
  });
  const run = async (n) => {
    await page.evaluate(() => { window.__maps = []; window.__longTasks = []; });
    await page.locator('#model-status').evaluate((el) => { el.textContent = ''; });
    await train(page);
    const maps = await page.evaluate(() => window.__maps);
    const tasks = await page.evaluate(() => window.__longTasks);
    const ms = Number(/in ([0-9]+) ms/.exec(await page.locator('#model-status').innerText())?.[1]);
    const steps = maps.map((m) => Number(m.step));
    const longest = Math.round(Math.max(0, ...tasks));
    figures[`train_maps_${n}`] = { rows: 10000, trees, train_ms: ms, maps_drawn: steps.length, long_tasks: tasks.length, longest_task_ms: longest };
    console.log(`Train ${n}, boosting ${trees} trees on 10,000 moons rows: ${ms} ms, ${steps.length} maps drawn while training (iterations ${steps.join(', ')}), ${tasks.length} tasks over 50 ms (longest ${longest} ms)`);
    assert.ok(steps.length >= 2, `maps drawn while training: ${steps.join(', ')}`);
    assert.ok(steps.every((s, i) => i === 0 || s > steps[i - 1]), 'the maps follow the trees in order');
    assert.ok(new Set(maps.map((m) => m.href)).size >= 2, 'the cells change as trees are added');
    // the map after training is the final model's (drawn by the chart library); when the
    // last map drawn mid-training was the last tree's, its cells are the same picture
    await page.waitForFunction(() => /^Decision boundary of boosting over/.test(document.querySelector('#boundary svg')?.getAttribute('aria-label') ?? ''));
    const final = await page.locator('#boundary svg image').getAttribute('href');
    if (steps.at(-1) === trees) assert.equal(maps.at(-1).href, final, 'the last tree\'s map is the trained model\'s');
    return steps;
  };
  await run(1);
  // again: the chart on screen now fits, so every map repaints its cells in place
  await run(2);
});

test('no console errors, no foreign requests', () => {
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.foreign, []);
  assert.deepEqual(problems.dialogs, []);
});
