// End-to-end test of the Model panel in a real Chromium: train on fraud, read the metrics,
// the confusion matrix and the curves, move the threshold and the costs, compare two
// models, train a regressor on diabetes, and see a wrong pairing explained in words.
// Needs `make wasm` (pkg/) and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

before(async () => {
  playground = await startPlayground();
  ({ base, page, problems } = playground);
});

after(async () => {
  await playground?.close();
});

test('fraud: logistic with defaults shows metrics, a confusion matrix and curves', async () => {
  await page.goto(`${base}#dataset=fraud&seed=42&view=model`);
  await page.locator('#model-form').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#model-target').inputValue(), 'is_fraud');
  assert.equal(await page.locator('#model-kind').inputValue(), 'logistic');
  // Hyperparameters come from the core, each with its doc line and default.
  assert.equal(await page.locator('#param-alpha').inputValue(), '1');
  assert.match(await page.locator('#param-alpha-doc').innerText(), /penalty.*Default 1/i);
  assert.ok(await page.locator('#pipeline tbody tr').count() > 3, 'one preprocessing row per feature column');

  await train(page);
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

  await page.setViewportSize({ width: 800, height: 900 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: join(shots, 'model-800.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.ok(overflow <= 0, `at 800px the page is ${overflow}px wider than the window`);
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

test('no console errors and no request to another host', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
