// End-to-end test of ONNX in and out on the Deploy panel (issue #17, item 4), in a real
// Chromium: with the fraud table loaded, open a scikit-learn model converted by skl2onnx
// (tests/fixtures/onnx_page/fraud_logistic.onnx, made by scripts/fixture_onnx_page.py);
// it is registered as the champion with its note "imported from ONNX", answers the
// real-time form, is monitored while the fraud-abrupt scenario plays, and is bundled for
// the edge; a file that is not ONNX gets an error. Then a model
// trained in the Model panel is deployed as the challenger, the two are compared, and the
// trained model downloads as an .onnx file; last, a model with a Binarizer, an
// OrdinalEncoder and a Normalizer on its inputs (fraud_steps.onnx) is imported and its
// steps named on the Edge panel's card. Needs `make wasm` and /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, shots, startPlayground, train } from './harness.mjs';

let page;
let base;
let problems;
let playground;

before(async () => {
  playground = await startPlayground();
  ({ base, page, problems } = playground);
});

after(async () => {
  await playground?.close();
});

const FIXTURE = join(root, 'tests/fixtures/onnx_page/fraud_logistic.onnx');
const STEPS = join(root, 'tests/fixtures/onnx_page/fraud_steps.onnx');

test('an ONNX model is imported, registered, scored, monitored and compared; a trained one downloads as .onnx', async () => {
  // the Model panel's form shows once the fraud table is loaded
  await page.goto(`${base}#dataset=fraud&seed=42&view=model`);
  await page.locator('#model-form').waitFor({ state: 'visible' });
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();

  // A file that is not ONNX: a clear error, and the page keeps working
  await page.locator('#onnx-file').setInputFiles({ name: 'notes.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
  await page.locator('#onnx-open').click();
  await page.locator('#onnx-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#onnx-error').innerText(), /ONNX/);

  // In: the .onnx with the loaded table as its reference
  await page.locator('#onnx-file').setInputFiles(FIXTURE);
  await page.locator('#onnx-open').click();
  await page.waitForFunction(() => {
    const s = document.querySelector('#onnx-status');
    const e = document.querySelector('#onnx-error');
    return (s && s.dataset.version) || (e && !e.hidden);
  }, null, { timeout: 60_000 });
  const error = page.locator('#onnx-error');
  if (await error.isVisible()) assert.fail(`import failed: ${await error.innerText()}`);
  assert.match(await page.locator('#onnx-status').innerText(), /Imported fraud_logistic\.onnx as a logistic model .* registered as v1/);
  const row = page.locator('#registry tr[data-version="v1"][data-role="champion"]');
  await row.waitFor();
  assert.match(await row.innerText(), /imported from ONNX: fraud_logistic\.onnx/);
  await page.screenshot({ path: join(shots, 'onnx-1-imported.png'), fullPage: true });

  // Scored: the real-time form answers with the imported champion
  await page.locator('#row-form [data-column]').first().waitFor();
  assert.match(await page.locator('#row-version').innerText(), /Answered by v1/);
  await page.locator('#row-score').click();
  const answer = page.locator('#row-result .row-answer');
  await answer.waitFor();
  assert.equal(await answer.getAttribute('data-version'), 'v1');
  const probabilities = JSON.parse(await answer.getAttribute('data-probabilities'));
  assert.equal(probabilities.length, 2);
  assert.ok(Math.abs(probabilities[0] + probabilities[1] - 1) < 1e-9, JSON.stringify(probabilities));

  // Monitored: the fraud scenario plays against it
  await page.getByRole('button', { name: 'Monitor', exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('#scenario option').length >= 4);
  await page.selectOption('#scenario', 'fraud-abrupt');
  await page.locator('#scenario-start').click();
  await page.waitForFunction(() => !document.querySelector('#step')?.disabled);
  for (let i = 1; i <= 3; i++) {
    await page.locator('#step').click();
    await page.waitForFunction((n) => Number(document.querySelector('#monitor-status')?.dataset.batches ?? 0) >= n, i);
  }
  assert.ok(await page.locator('#chart-drift svg').count() > 0, 'the drift chart is drawn for the imported model');
  assert.equal(await page.locator('#monitor-error').isVisible(), false);

  // Exported to the edge: the Edge panel's card and bundle are the imported model's
  await page.getByRole('button', { name: 'Edge', exact: true }).click();
  await page.locator('#edge-card-title').waitFor({ state: 'visible' });
  await page.waitForFunction(() => /logistic/.test(document.querySelector('#edge-card')?.textContent ?? ''));
  assert.match(await page.locator('#edge-card').innerText(), /merchant_category/);
  const [zip] = await Promise.all([page.waitForEvent('download'), page.locator('#edge-download').click()]);
  assert.match(zip.suggestedFilename(), /^driftlab-edge-logistic-[0-9a-f]{8}\.zip$/);

  // Compared: a logistic model trained here becomes the challenger
  await page.getByRole('button', { name: 'Model', exact: true }).click();
  await page.locator('#model-form').waitFor({ state: 'visible' });
  await train(page);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.locator('#deploy-last').click();
  await page.locator('#registry tr[data-version="v2"]').waitFor();
  await page.locator('#registry button[data-challenger="v2"]').click();
  await page.locator('#registry tr[data-version="v2"][data-role="challenger"]').waitFor();
  await page.locator('#deploy-compare').click();
  await page.locator('#verdict .verdict').waitFor();
  assert.equal(await page.locator('#deploy-error').isVisible(), false);

  // Out: the trained model as an .onnx file
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#onnx-download').click()]);
  assert.equal(download.suggestedFilename(), 'driftlab-model.onnx');
  const bytes = readFileSync(await download.path());
  const text = bytes.toString('latin1');
  assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
  for (const word of ['driftlab', 'ai.onnx.ml', 'LinearClassifier', 'probabilities', 'merchant_category']) {
    assert.ok(text.includes(word), `the .onnx names ${word}`);
  }
  assert.match(await page.locator('#onnx-status').innerText(), /Saved driftlab-model\.onnx \([\d,]+ bytes\)/);
  await page.screenshot({ path: join(shots, 'onnx-2-compared.png'), fullPage: true });

  // Back in: driftlab's own .onnx imports again as the model it was exported from
  await page.locator('#onnx-file').setInputFiles({ name: 'driftlab-model.onnx', mimeType: 'application/octet-stream', buffer: bytes });
  await page.locator('#onnx-open').click();
  await page.waitForFunction(() => {
    const s = document.querySelector('#onnx-status');
    const e = document.querySelector('#onnx-error');
    return (s && s.dataset.version === 'v3') || (e && !e.hidden);
  }, null, { timeout: 60_000 });
  if (await error.isVisible()) assert.fail(`re-import failed: ${await error.innerText()}`);
  assert.match(await page.locator('#onnx-status').innerText(), /Imported driftlab-model\.onnx as a logistic model .* registered as v3/);
  assert.match(await page.locator('#registry tr[data-version="v3"]').innerText(), /imported from ONNX: driftlab-model\.onnx/);

  // Steps on the inputs (issue 17): a Binarizer, an OrdinalEncoder and a Normalizer before
  // the model import as pipeline steps, which the Edge panel's card names
  await page.locator('#onnx-file').setInputFiles(STEPS);
  await page.locator('#onnx-open').click();
  await page.waitForFunction(() => {
    const s = document.querySelector('#onnx-status');
    const e = document.querySelector('#onnx-error');
    return (s && s.dataset.version === 'v4') || (e && !e.hidden);
  }, null, { timeout: 60_000 });
  if (await error.isVisible()) assert.fail(`import of the steps failed: ${await error.innerText()}`);
  await page.getByRole('button', { name: 'Edge', exact: true }).click();
  await page.waitForFunction(() => /row norm/.test(document.querySelector('#edge-card')?.textContent ?? ''));
  const card = await page.locator('#edge-card').innerText();
  assert.match(card, /L2: each row's features divided by it before the model/);
  assert.match(card, /binarized: scaled value > 0 → 1, else 0/);
  assert.match(card, /others → -1 \(ordinal\)/);
  assert.match(card, /v3/);
  await page.screenshot({ path: join(shots, 'onnx-3-steps.png'), fullPage: true });

  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.foreign, []);
});
