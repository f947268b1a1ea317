// End-to-end test of the Model panel in a real Chromium: train on fraud, read the metrics,
// the confusion matrix and the curves, move the threshold and the costs, compare two
// models, train a regressor on diabetes, and see a wrong pairing explained in words; on
// moons, the decision-boundary map against the core's own predictions and the comparison's
// live latency and cost. A PerformanceObserver records long main-thread tasks throughout.
// Needs `make wasm` (pkg/) and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, shots, startPlayground, train, trained } from './harness.mjs';


let page;
let base;
let problems;
let playground;

/** Opens the Model panel with `dataset` loaded (through the Data panel's select). */
async function openModel(dataset) {
  await page.getByRole('button', { name: 'Data' }).click();
  if ((await page.locator('#dataset').inputValue()) !== dataset) {
    await page.selectOption('#dataset', dataset);
  }
  await page.waitForFunction((name) => document.querySelector('#table-title') &&
    new RegExp(name.replace('_', ' '), 'i').test(document.querySelector('#dataset option:checked')?.textContent ?? '') &&
    document.querySelector('#data-results')?.getAttribute('aria-busy') === 'false', dataset);
  await page.getByRole('button', { name: 'Model' }).click();
  await page.locator('#model-form').waitFor({ state: 'visible' });
}

/** Records every long task (> 50 ms) of the main thread, from the first script on. */
function observeLongTasks() {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

/** The core itself (the same Wasm the page runs, loaded here in Node): its model handle. */
async function coreModel() {
  const core = await import(pathToFileURL(join(root, 'pkg/driftlab.js')).href);
  await core.default({ module_or_path: readFileSync(join(root, 'pkg/driftlab_bg.wasm')) });
  return new core.Model(new core.Data());
}

before(async () => {
  playground = await startPlayground();
  ({ base, page, problems } = playground);
  await page.addInitScript(observeLongTasks);
});

after(async () => {
  await playground?.close();
});

test('fraud: logistic with defaults shows metrics, a confusion matrix and curves', async (t) => {
  await page.goto(`${base}#dataset=fraud&seed=42&view=model`);
  await page.locator('#model-form').waitFor({ state: 'visible' });
  // interactive: the dataset is loaded and the Train button takes a click
  await page.waitForFunction(() => document.querySelectorAll('#pipeline tbody tr').length > 0 && !document.querySelector('#train')?.disabled);
  const interactiveMs = await page.evaluate(() => performance.now());
  assert.equal(await page.locator('#model-target').inputValue(), 'is_fraud');
  assert.equal(await page.locator('#model-kind').inputValue(), 'logistic');
  // Hyperparameters come from the core, each with its doc line and default.
  assert.equal(await page.locator('#param-alpha').inputValue(), '1');
  assert.match(await page.locator('#param-alpha-doc').innerText(), /penalty.*Default 1/i);
  assert.ok(await page.locator('#pipeline tbody tr').count() > 3, 'one preprocessing row per feature column');

  const trainStart = await page.evaluate(() => performance.now());
  await train(page);
  const trainEnd = await page.evaluate(() => performance.now());
  const tasks = await page.evaluate(() => window.__longTasks);
  // a long task overlapping the training window counts
  const during = tasks.filter((x) => x.start + x.duration >= trainStart && x.start <= trainEnd);
  const longest = Math.max(0, ...during.map((x) => x.duration));
  t.diagnostic(`navigation → interactive: ${Math.round(interactiveMs)} ms; training took ${Math.round(trainEnd - trainStart)} ms ` +
    `with ${during.length} long main-thread task(s), the longest ${Math.round(longest)} ms ` +
    `(longest since navigation: ${Math.round(Math.max(0, ...tasks.map((x) => x.duration)))} ms)`);
  console.log(`# perf: interactive ${Math.round(interactiveMs)} ms, longest task during training ${Math.round(longest)} ms`);
  assert.ok(longest <= 200, `a main-thread task of ${Math.round(longest)} ms during training (budget 200 ms)`);
  const accuracy = await page.locator('#metrics tr[data-metric="accuracy"] td.num').innerText();
  assert.match(accuracy, /^0\.9\d*$/, `accuracy ${accuracy}`);
  assert.equal(await page.locator('#confusion tbody tr').count(), 2, 'a 2×2 confusion matrix');
  assert.ok(await page.locator('#confusion td.heat').count() === 4);
  await page.locator('#roc svg').first().waitFor();
  await page.locator('#pr svg').first().waitFor();
  await page.locator('#calibration svg').first().waitFor();
  assert.match(await page.locator('#train-stages').innerText(), /evaluate/);
  assert.match(await page.locator('#loss-chart').innerText(), /training loss/);
  await page.screenshot({ path: join(shots, 'model-fraud.png'), fullPage: true });

  for (const width of [800, 768]) {
    await page.setViewportSize({ width, height: 1024 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: join(shots, `model-${width}.png`), fullPage: width === 800 });
    assert.ok(overflow <= 0, `at ${width}px the page is ${overflow}px wider than the window`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the threshold slider and the costs redraw precision, recall and the expected cost', async () => {
  const cost = page.locator('#expected-cost');
  await page.waitForFunction(() => /Expected cost/.test(document.querySelector('#expected-cost')?.textContent ?? ''));
  // The first table (with the page's costs) arrives from the core after training.
  await page.waitForFunction(() => /missed fraud 10/.test(document.querySelector('#expected-cost')?.textContent ?? ''));
  const atHalf = await cost.innerText();
  const recallAtHalf = await page.locator('#readout-recall dd').innerText();
  assert.match(await page.locator('#threshold-story').innerText(), /usual threshold of 0\.50/);

  await page.locator('#threshold').fill('0.1');
  await page.waitForFunction((before) => document.querySelector('#expected-cost')?.textContent !== before, atHalf);
  const atLow = await cost.innerText();
  assert.match(atLow, /threshold 0\.10/);
  const recallAtLow = await page.locator('#readout-recall dd').innerText();
  assert.ok(Number(recallAtLow) >= Number(recallAtHalf), `recall ${recallAtHalf} → ${recallAtLow} as the threshold falls`);

  await page.locator('#cost-fn').fill('100');
  await page.waitForFunction((before) => document.querySelector('#expected-cost')?.textContent !== before
    && /missed fraud 100/.test(document.querySelector('#expected-cost')?.textContent ?? ''), atLow);
  assert.notEqual(await cost.innerText(), atLow);
  await page.locator('#threshold-title').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'model-threshold.png') });
});

test('a tree joins the comparison; the link carries the model and its params', async () => {
  await page.selectOption('#model-kind', 'tree');
  await page.locator('#param-max_depth').fill('5');
  await page.locator('#param-max_depth').dispatchEvent('change');
  assert.match(page.url(), /model=tree/);
  assert.match(page.url(), /p\.max_depth=5/);
  await train(page);
  assert.equal(await page.locator('#compare tbody tr').count(), 2);
  const kinds = await page.locator('#compare tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.kind));
  assert.deepEqual(kinds, ['logistic', 'tree']);
  const sizes = await page.locator('#compare tbody td[data-bytes]').evaluateAll((cells) => cells.map((c) => Number(c.dataset.bytes)));
  assert.ok(sizes.every((n) => n > 0), `artifact sizes ${sizes}`);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#compare tbody tr').nth(1).getByRole('button', { name: /Download/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^driftlab-fraud-tree-[0-9a-f]{8}\.json$/);
  const artifact = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(artifact.format, 'driftlab.artifact');

  // A reload from the link reopens the same dataset and model settings.
  await page.reload();
  await page.locator('#model-form').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#model-kind')?.value === 'tree');
  assert.equal(await page.locator('#param-max_depth').inputValue(), '5');
  assert.equal(await page.locator('#dataset').inputValue(), 'fraud');
});

test('boosting joins the comparison with its ROC AUC and recall, and shows which inputs mattered', async () => {
  await page.selectOption('#model-kind', 'boosting');
  await page.locator('#param-n_iterations').fill('20');
  await page.locator('#param-n_iterations').dispatchEvent('change');
  assert.match(page.url(), /model=boosting/);
  await train(page);
  // (the reload above started a fresh comparison)
  const row = page.locator('#compare tbody tr').last();
  assert.equal(await row.getAttribute('data-kind'), 'boosting');
  // the fraud trade-off in the row itself: ranking and recall beside the size and latency
  assert.match(await row.innerText(), /ROC AUC 0\.\d+ · recall [01]\.\d+/);
  // the importance chart: one bar per input that took part in a split, shares of the gain
  await page.locator('#importance svg').waitFor();
  const label = await page.locator('#importance svg').getAttribute('aria-description');
  assert.ok(label && label.split(';').length >= 2, `importance bars: ${label}`);
  await page.locator('#importance').scrollIntoViewIfNeeded();
  await page.locator('#importance').screenshot({ path: join(shots, 'model-importance.png') });
  // the chart's quality axis can show ROC AUC instead of accuracy
  await page.selectOption('#compare-quality', 'roc_auc');
  await page.locator('#compare-chart svg').waitFor();
  assert.match(await page.locator('#compare-chart').innerText(), /ROC AUC/);
  await page.selectOption('#compare-quality', 'accuracy');
});

test('diabetes: linear regression shows R² and no curves', async () => {
  await openModel('diabetes');
  await page.selectOption('#model-kind', 'linear');
  await train(page);
  const r2 = await page.locator('#metrics tr[data-metric="r2"] td.num').innerText();
  assert.ok(Number.isFinite(Number(r2)), `r2 ${r2}`);
  assert.match(await page.locator('#regression-note').innerText(), /R²/);
  assert.equal(await page.locator('#roc').count(), 0, 'no ROC curve for a regressor');
  await page.screenshot({ path: join(shots, 'model-regression.png'), fullPage: true });
});

test('iris: k-means shows the silhouette and says when it is sampled', async () => {
  await openModel('iris');
  await page.selectOption('#model-target', '');
  assert.equal(await page.locator('#model-kind').inputValue(), 'kmeans');
  await train(page);
  const row = page.locator('#metrics tr[data-metric="silhouette"]');
  const value = Number(await row.locator('td.num').innerText());
  assert.ok(value > -1 && value <= 1, `silhouette ${value}`);
  // iris has 38 test rows, measured exactly; the explanation says where sampling starts
  assert.match(await row.locator('td.explain').innerText(), /over 2,000 test rows, measured on a seeded sample of 2,000/);
  await page.selectOption('#model-target', 'species'); // the tests below train on the target
});

test('iris: linear on species is refused in words, and nothing is lost', async () => {
  await openModel('iris');
  assert.equal(await page.locator('#model-target').inputValue(), 'species');
  // Three classes: a 3×3 matrix, and the curves and thresholds of one class against the rest.
  await page.selectOption('#model-kind', 'logistic');
  await train(page);
  assert.equal(await page.locator('#confusion tbody tr').count(), 3);
  await page.selectOption('#positive-class', { label: 'virginica' });
  await page.waitForFunction(() => /virginica/.test(document.querySelector('#threshold-title')?.parentElement?.textContent ?? '')
    && /missed “virginica” row 10/.test(document.querySelector('#expected-cost')?.textContent ?? ''));
  await page.selectOption('#model-kind', 'linear');
  const rowsBefore = await page.locator('#compare tbody tr').count();
  await page.locator('#train').click();
  await trained(page);
  const error = page.locator('#model-error');
  await error.waitFor({ state: 'visible' });
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.match(await error.innerText(), /numeric target/i);
  assert.equal(await page.locator('#model-kind').inputValue(), 'linear', 'the settings stay');
  assert.equal(await page.locator('#compare tbody tr').count(), rowsBefore, 'the comparison keeps its rows');
  assert.ok(await page.locator('#metrics').count() === 1, 'the last results stay on screen');
  await page.screenshot({ path: join(shots, 'model-error.png') });
});

test('moons: the decision-boundary map shows the core’s predictions and redraws on retraining', async () => {
  if (page.url() === 'about:blank') await page.goto(`${base}#dataset=fraud&view=data`); // when run alone
  await openModel('moons');
  assert.equal(await page.locator('#model-target').inputValue(), 'label');
  await page.selectOption('#model-kind', 'logistic');
  await train(page);
  await page.locator('#boundary svg image').waitFor();
  assert.ok(await page.locator('#boundary svg circle').count() > 50, 'the data rows are drawn over the map');
  const first = JSON.parse(await page.locator('#boundary').getAttribute('data-grid'));
  assert.equal(first.class.length, first.size * first.size);

  // The core, loaded here with the page's artifact, predicts each cell's centre.
  const rowsOf = page.locator('#compare tbody tr');
  const n = await rowsOf.count();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    rowsOf.nth(n - 1).getByRole('button', { name: /Download/ }).click(),
  ]);
  const artifact = readFileSync(await download.path(), 'utf8');
  const core = await coreModel();
  core.loadArtifact(artifact);
  const { size, x_range: xr, y_range: yr } = first;
  const cellsToCheck = [[0, 0], [size - 1, size - 1], [0, size - 1], [size - 1, 0], [size >> 1, size >> 1], [7, 31], [44, 12]];
  const points = cellsToCheck.map(([i, j]) => ({
    x: xr[0] + ((i + 0.5) * (xr[1] - xr[0])) / size,
    y: yr[0] + ((j + 0.5) * (yr[1] - yr[0])) / size,
  }));
  const scored = core.scoreRows(points);
  const shown = cellsToCheck.map(([i, j]) => first.classes[first.class[j * size + i]]);
  assert.deepEqual(shown, scored.map((r) => r.label), 'the map’s class at known points equals the core’s prediction');
  assert.ok(new Set(first.class).size === 2, 'both moons appear on the map');
  await page.locator('#boundary-section').scrollIntoViewIfNeeded();
  await page.locator('#boundary-section').screenshot({ path: join(shots, 'model-boundary.png') });

  // A deep tree draws a different boundary.
  await page.selectOption('#model-kind', 'tree');
  await page.locator('#param-max_depth').fill('8');
  await page.locator('#param-max_depth').dispatchEvent('change');
  const before = await page.locator('#boundary').getAttribute('data-grid');
  await train(page);
  await page.waitForFunction((b) => document.querySelector('#boundary')?.dataset.grid !== b, before);
  const second = JSON.parse(await page.locator('#boundary').getAttribute('data-grid'));
  assert.notDeepEqual(second.class, first.class, 'the map follows the new model');
});

test('compare: latency per row measured live, the cost per million from an editable price, and the chart', async (t) => {
  const rows = page.locator('#compare tbody tr');
  assert.ok(await rows.count() >= 2, 'the models trained above are in the table');
  await page.waitForFunction(() => [...document.querySelectorAll('#compare td.latency')].every((c) => c.dataset.us));
  const us = await rows.locator('td.latency').evaluateAll((cells) => cells.map((c) => Number(c.dataset.us)));
  assert.ok(us.every((x) => x > 0 && x < 1e5), `µs per row: ${us}`);
  const costs = await rows.locator('td.cost').evaluateAll((cells) => cells.map((c) => Number(c.dataset.dollars)));
  // one row per request at $0.30 per million requests: at least $0.30 per million predictions
  assert.ok(costs.every((c) => c >= 0.3 && c < 10), `costs: ${costs}`);
  assert.match(await page.locator('fieldset.pricing').innerText(), /assumption/i);
  await page.locator('#compare-chart svg').waitFor();
  assert.equal(await page.locator('#compare-chart svg g[aria-label="dot"] circle').count(), us.length);

  // 100 rows per request: the request part of the price falls a hundredfold
  await page.locator('#price-rowsPerRequest').fill('100');
  await page.waitForFunction((before) => Number(document.querySelector('#compare td.cost')?.dataset.dollars) < before, costs[0]);
  const batched = await rows.locator('td.cost').evaluateAll((cells) => cells.map((c) => Number(c.dataset.dollars)));
  batched.forEach((c, i) => assert.ok(Math.abs(c - (0.003 + us[i] * 0.02 / 1000)) < 1e-9, `cost ${c} for ${us[i]} µs`));
  const kinds = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.kind));
  t.diagnostic(`scoring latency (µs/row) in this browser: ${kinds.map((k, i) => `${k} ${us[i].toPrecision(3)}`).join(', ')}`);
  console.log(`# latency µs/row: ${kinds.map((k, i) => `${k} ${us[i].toPrecision(3)}`).join(', ')}`);
  await page.locator('#price-rowsPerRequest').fill('1');
  await page.locator('#compare-title').scrollIntoViewIfNeeded();
  await page.locator('.compare-section').screenshot({ path: join(shots, 'model-compare.png') });
  // a tablet: the map, the table and the chart fit without sideways scrolling
  await page.setViewportSize({ width: 768, height: 1024 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.locator('#boundary-section').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'model-boundary-768.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.ok(overflow <= 0, `at 768px the page is ${overflow}px wider than the window`);
});

test('the link carries the preprocessing: a reload reopens the same run with the same metrics', async () => {
  await page.goto('about:blank');
  await page.goto(`${base}#dataset=iris&seed=42&view=model`);
  await page.waitForFunction(() => document.querySelector('#dataset')?.value === 'iris'
    && document.querySelector('#pipeline tr[data-column="petal_length_cm"]'));
  await page.locator('details.prep summary').click();
  await page.locator('#pipeline tr[data-column="petal_length_cm"] select[id$="-step"]').selectOption('drop');
  await page.locator('#pipeline tr[data-column="sepal_width_cm"] select[id$="-scale"]').selectOption('none');
  assert.match(page.url(), /c\.petal_length_cm=drop/);
  assert.match(page.url(), /c\.sepal_width_cm=\w+\.none/);
  assert.doesNotMatch(page.url(), /c\.sepal_length_cm/, 'only the changes travel');
  await train(page);
  const metrics = await page.locator('#metrics tbody').innerText();

  await page.reload();
  await page.waitForFunction(() => document.querySelector('#pipeline tr[data-column="petal_length_cm"]'));
  assert.equal(await page.locator('#pipeline tr[data-column="petal_length_cm"] select[id$="-step"]').inputValue(), 'drop');
  assert.equal(await page.locator('#pipeline tr[data-column="sepal_width_cm"] select[id$="-scale"]').inputValue(), 'none');
  assert.match(await page.locator('#prep-summary').innerText(), /3 of 4 columns used, 1 dropped/);
  await train(page);
  assert.equal(await page.locator('#metrics tbody').innerText(), metrics, 'the same metrics after a reload');
});

test('a project file downloads and opens in a fresh page with the same run', async () => {
  const metrics = await page.locator('#metrics tbody').innerText();
  // from the keyboard: focus the button and press Enter
  await page.locator('#project-save').focus();
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.match(download.suggestedFilename(), /^driftlab-project-iris\.json$/);
  const text = readFileSync(await download.path(), 'utf8');
  const project = JSON.parse(text);
  assert.equal(project.format, 'driftlab.project');
  assert.equal(project.version, 1);
  assert.deepEqual(project.data, { kind: 'builtin', dataset: 'iris', rows: null, seed: 42, drift: null });
  assert.equal(project.state.prep.petal_length_cm, 'drop');
  assert.ok(project.models.length >= 1);
  assert.equal(JSON.parse(project.models.at(-1).outcome.artifact).format, 'driftlab.artifact');
  assert.match(await page.locator('#project-status').innerText(), /^Saved driftlab-project-iris\.json/);

  const context = await playground.browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const fresh = await context.newPage();
    const errors = [];
    fresh.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await fresh.goto(base); // opens on fraud
    await fresh.locator('article.card svg').first().waitFor();
    await fresh.getByRole('button', { name: 'Model' }).click();
    await fresh.setInputFiles('#project-file', { name: 'shared.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await fresh.waitForFunction(() => /^Opened /.test(document.querySelector('#project-status')?.textContent ?? ''), null, { timeout: 60_000 });
    const status = await fresh.locator('#project-status').innerText();
    assert.match(status, /artifact is identical/, status);
    assert.equal(await fresh.locator('#dataset').inputValue(), 'iris');
    assert.equal(await fresh.locator('#metrics tbody').innerText(), metrics, 'the same metrics in the fresh page');
    assert.equal(await fresh.locator('#pipeline tr[data-column="petal_length_cm"] select[id$="-step"]').inputValue(), 'drop');
    assert.equal(await fresh.locator('#compare tbody tr').count(), project.models.length);
    assert.match(fresh.url(), /dataset=iris/);
    assert.match(fresh.url(), /c\.petal_length_cm=drop/);
    assert.deepEqual(errors, []);

    // Not a project: said in words.
    await fresh.setInputFiles('#project-file', { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"other"}') });
    await fresh.locator('#model-error').waitFor({ state: 'visible' });
    assert.match(await fresh.locator('#model-error').innerText(), /notes\.json: this is not a driftlab project file/);
  } finally {
    await context.close();
  }
});

test('an uploaded two-column CSV gets a decision map, and its project file carries the CSV itself', async () => {
  // two seeded clouds of points: any table that comes down to two numeric inputs gets a map
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let csv = 'length,width,kind\n';
  for (let i = 0; i < 300; i++) {
    const a = i % 2 === 0;
    csv += `${((a ? 2 : 4) + rand() * 1.5).toFixed(3)},${((a ? 1 : 2.5) + rand() * 1.5).toFixed(3)},${a ? 'small' : 'large'}\n`;
  }
  if (page.url() === 'about:blank') await page.goto(`${base}#dataset=iris`); // when run alone
  await page.getByRole('button', { name: 'Data' }).click();
  await page.locator('article.card svg').first().waitFor();
  await page.setInputFiles('#csv-file', { name: 'shapes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => /shapes\.csv/.test(document.querySelector('#dataset option:checked')?.textContent ?? ''));
  await page.getByRole('button', { name: 'Model' }).click();
  await page.selectOption('#model-target', 'kind');
  await page.selectOption('#model-kind', 'gaussian-nb');
  await page.waitForFunction(() => document.querySelectorAll('#pipeline tbody tr').length === 2);
  await train(page);
  await page.locator('#boundary svg image').waitFor();
  const grid = JSON.parse(await page.locator('#boundary').getAttribute('data-grid'));
  assert.deepEqual([...grid.classes].sort(), ['large', 'small']);
  const metrics = await page.locator('#metrics tbody').innerText();

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#project-save').click()]);
  const text = readFileSync(await download.path(), 'utf8');
  const project = JSON.parse(text);
  assert.equal(project.data.kind, 'csv');
  assert.equal(project.data.name, 'shapes.csv');
  assert.equal(project.data.csv, csv, 'a small CSV travels inside the project');

  const context = await playground.browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const fresh = await context.newPage();
    await fresh.goto(`${base}#dataset=wine&view=model`);
    await fresh.locator('#model-form').waitFor({ state: 'visible' });
    await fresh.setInputFiles('#project-file', { name: 'shapes-project.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await fresh.waitForFunction(() => /^Opened /.test(document.querySelector('#project-status')?.textContent ?? ''), null, { timeout: 60_000 });
    assert.match(await fresh.locator('#project-status').innerText(), /artifact is identical/);
    assert.match(await fresh.locator('#dataset option:checked').innerText(), /shapes\.csv/);
    assert.equal(await fresh.locator('#model-target').inputValue(), 'kind');
    assert.equal(await fresh.locator('#metrics tbody').innerText(), metrics);
    await fresh.locator('#boundary svg image').waitFor();
    assert.deepEqual(JSON.parse(await fresh.locator('#boundary').getAttribute('data-grid')).class, grid.class, 'the same map');
  } finally {
    await context.close();
  }
});

test('a column like an identifier starts as “drop” with the reason, and the person can keep it', async () => {
  let csv = 'transaction_id,amount,hour,label\n';
  for (let i = 0; i < 60; i++) csv += `${70001 + i},${(10 + ((i * 37) % 50) * 1.25).toFixed(2)},${i % 24},${i % 3 === 0 ? 'yes' : 'no'}\n`;
  if (page.url() === 'about:blank') await page.goto(`${base}#dataset=iris`); // when run alone
  await page.getByRole('button', { name: 'Data' }).click();
  await page.setInputFiles('#csv-file', { name: 'tx.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => /tx\.csv/.test(document.querySelector('#dataset option:checked')?.textContent ?? ''));
  await page.getByRole('button', { name: 'Model' }).click();
  await page.selectOption('#model-target', 'label');
  const row = page.locator('#pipeline tr[data-column="transaction_id"]');
  await row.waitFor({ state: 'attached' });
  if (!(await page.locator('details.prep').evaluate((d) => d.open))) await page.locator('details.prep summary').click();
  await row.waitFor();
  assert.equal(await row.locator('select[id$="-step"]').inputValue(), 'drop');
  assert.match(await row.locator('td.explain').innerText(),
    /^left out of the model: it has a different value in every row, like an identifier: a model can memorise it without learning anything; choose “impute \+ scale” to keep it$/);
  assert.equal(await page.locator('#pipeline tr[data-column="amount"] select[id$="-step"]').inputValue(), 'use');
  await row.locator('select[id$="-step"]').selectOption('use');
  assert.match(await row.locator('td.explain').innerText(), /^a missing number becomes the training mean/);
});

test('a worker crash mid-session is said in words; the data and the last model come back', async () => {
  // A separate page: the crash is real, and its messages stay out of the checks below.
  const context = await playground.browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const p = await context.newPage();
    await p.goto(`${base}#dataset=moons&seed=42&view=model`);
    await p.waitForFunction(() => document.querySelectorAll('#pipeline tbody tr').length > 0);
    await train(p);
    await p.locator('#boundary svg image').waitFor();
    const grid = await p.locator('#boundary').getAttribute('data-grid');
    await p.selectOption('#model-kind', 'tree');
    assert.equal(p.workers().length, 1, 'one engine worker');
    // The test-only hook: the worker's next call traps the Wasm instance for real.
    await p.workers()[0].evaluate(() => { globalThis.driftlabCrashNextCall = true; });
    await p.locator('#train').click();
    await trained(p);
    const text = await p.locator('#model-error').innerText();
    assert.match(text, /Training tree failed: The data engine stopped \(RuntimeError: unreachable\)/, text);
    assert.match(text, /restarted and moons was reloaded; the last model \(logistic\) was restored from its artifact\./, text);
    assert.match(await p.locator('#error').innerText(), /stopped/, 'the Data panel says it too');
    // The restored model, in the new worker, draws the same map.
    await p.waitForFunction((g) => document.querySelector('#boundary')?.dataset.grid === g
      && /restored model/.test(document.querySelector('#boundary svg')?.getAttribute('aria-label') ?? ''), grid);
    assert.equal(await p.locator('#model-kind').inputValue(), 'tree', 'the model choice stays');
    assert.equal(p.workers().length, 1, 'the dead worker is gone, a new one serves');
    await p.screenshot({ path: join(shots, 'model-crash.png') });
    await train(p);
    assert.match(await p.locator('#model-status').innerText(), /^Trained tree/);
  } finally {
    await context.close();
  }
});

test('no console errors and no request to another host', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
