// End-to-end test of the Deploy, Monitor and Feedback panels in a real Chromium: train a
// logistic model on fraud, deploy it, play fraud-abrupt until the alarms fire (at the
// batch the core's monitor reports), retrain on the fresh labels, shadow the new version
// (only the champion's answers are served), compare, promote (the new version answers),
// and find the registry again after a reload. Needs `make wasm` and /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

const started = Date.now();
const timings = {};

/** The number of batches the Monitor panel has played. */
async function batches() {
  return Number(await page.locator('#monitor-status').getAttribute('data-batches') ?? '0');
}

async function idle() {
  await page.waitForFunction(() => !document.querySelector('#play')?.disabled ||
    /finished/.test(document.querySelector('#monitor-status')?.textContent ?? ''));
}

async function stepTo(n) {
  while ((await batches()) < n) {
    const before = await batches();
    await page.locator('#step').click();
    await page.waitForFunction((b) => Number(document.querySelector('#monitor-status')?.dataset.batches ?? 0) > b, before);
    await idle();
  }
}

async function served() {
  const el = page.locator('#served-last');
  return {
    t: Number(await el.getAttribute('data-t')),
    served: JSON.parse(await el.getAttribute('data-served') ?? '{}'),
    shadow: JSON.parse(await el.getAttribute('data-shadow') ?? '{}'),
  };
}

function noErrors() {
  const error = page.locator('#monitor-error, #deploy-error, #feedback-error');
  return error.evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => e.textContent));
}

test('the fraud tour: deploy, drift, alarm, retrain, shadow, promote, reload', async () => {
  await page.goto(`${base}#dataset=fraud&seed=42&view=model`);
  await page.locator('#model-form').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#model-kind').inputValue(), 'logistic');
  await train(page);
  timings.trained = Date.now() - started;

  // Deploy: the first version is the champion.
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.locator('#deploy-last').click();
  await page.locator('#registry tr[data-version="v1"][data-role="champion"]').waitFor();
  await page.screenshot({ path: join(shots, 'deploy-1-registry.png'), fullPage: true });

  // Monitor: play fraud-abrupt until the first alarm fires.
  await page.getByRole('button', { name: 'Monitor', exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('#scenario option').length >= 4);
  await page.selectOption('#scenario', 'fraud-abrupt');
  await page.locator('#scenario-start').click();
  await page.waitForFunction(() => !document.querySelector('#play')?.disabled);
  await page.selectOption('#speed', '4×'); // slow enough that Pause stops within a batch or two
  await page.locator('#play').click();
  await page.locator('#alarm-log li').first().waitFor({ timeout: 60_000 });
  await page.locator('#pause').click();
  await idle();
  await page.selectOption('#speed', 'fastest');
  const alarms = await page.locator('#alarm-log li').evaluateAll((els) =>
    els.map((e) => ({ kind: e.dataset.kind, t: Number(e.dataset.t), about: Number(e.dataset.about) })).sort((a, b) => a.t - b.t));
  // tests/monitor.rs: the core's monitor reports the data drift of batch 10 as the first
  // alarm of fraud-abrupt (seed 42), and no alarm before the switch.
  assert.deepEqual(alarms[0], { kind: 'data_drift', t: 10, about: 10 }, JSON.stringify(alarms));
  timings.firstAlarm = { batch: alarms[0].t, ms: Date.now() - started };

  // Step on (deterministically) to batch 18: the labels of batch 10 arrive at 12 and recall collapses.
  await stepTo(18);
  const all = await page.locator('#alarm-log li').evaluateAll((els) =>
    els.map((e) => ({ kind: e.dataset.kind, t: Number(e.dataset.t), about: Number(e.dataset.about) })));
  assert.ok(all.every((a) => a.t >= 10), `no alarm before the switch: ${JSON.stringify(all)}`);
  const recall = all.find((a) => a.kind === 'recall_drop');
  assert.ok(recall, `a recall-drop alarm by batch 18: ${JSON.stringify(all)}`);
  assert.ok(recall.about >= 10 && recall.t >= recall.about + 2, `recall alarm after the label delay: ${JSON.stringify(recall)}`);
  timings.recallAlarm = recall;
  assert.match(await page.locator('#alarm-log li[data-kind="recall_drop"]').first().innerText(), /recall/);
  assert.ok(await page.locator('#chart-drift svg').count() > 0, 'the drift chart is drawn');
  assert.ok(await page.locator('#chart-ddm svg').count() > 0, 'the DDM chart is drawn');
  await page.screenshot({ path: join(shots, 'deploy-2-monitor.png'), fullPage: true });

  // Feedback: retrain on the last 5 labelled batches into v2, the challenger.
  await page.getByRole('button', { name: 'Feedback', exact: true }).click();
  await page.locator('#retrain').click();
  await page.locator('#retrain-result .retrained[data-version="v2"]').waitFor({ timeout: 40_000 });
  assert.deepEqual(await noErrors(), []);

  // Shadow: v2 scores every row, only v1's answers are served.
  await page.locator('#feedback-shadow').click();
  await page.waitForFunction(() => /Shadow mode/.test(document.querySelector('#feedback-status')?.textContent ?? ''));
  await page.locator('#feedback-play').click();
  await page.waitForFunction(() => Number(document.querySelector('#monitor-status')?.dataset.batches) >= 24);
  await idle();
  const shadow = await served();
  assert.deepEqual(shadow.served, { v1: 1000 }, 'shadow mode serves only the champion');
  assert.deepEqual(shadow.shadow, { v2: 1000 }, 'the challenger scores every row in the shadows');
  await page.locator('#feedback-compare').click();
  const verdict = page.locator('#feedback-verdict .verdict');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-test'), 'mcnemar');
  assert.equal(await verdict.getAttribute('data-better'), 'challenger', await verdict.innerText());
  await page.screenshot({ path: join(shots, 'deploy-3-feedback.png'), fullPage: true });

  // Promote: from the next batch on, v2 answers.
  await page.locator('#feedback-promote').click();
  await page.waitForFunction(() => /v2 is the champion/.test(document.querySelector('#feedback-status')?.textContent ?? ''));
  await page.locator('#feedback-play').click();
  await page.waitForFunction(() => Number(document.querySelector('#monitor-status')?.dataset.batches) >= 30);
  await idle();
  const after = await served();
  assert.deepEqual(after.served, { v2: 1000 }, 'after promotion the new champion answers');
  assert.deepEqual(after.shadow, {});
  assert.match(await page.locator('#monitor-status').innerText(), /v1, then v2 from batch \d+/);
  await page.screenshot({ path: join(shots, 'deploy-4-promoted.png'), fullPage: true });

  // The registry lives in IndexedDB: a reload finds v1 and v2, v2 the champion, v1 its parent.
  await page.reload();
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.locator('#registry tr[data-version="v2"][data-role="champion"]').waitFor();
  assert.equal(await page.locator('#registry tbody tr').count(), 2);
  assert.match(await page.locator('#registry tr[data-version="v2"]').innerText(), /v2 ← v1/);
  assert.match(await page.locator('#deploy-status').innerText(), /Restored the registry/);
  await page.screenshot({ path: join(shots, 'deploy-5-reload.png'), fullPage: true });
  timings.total = Date.now() - started;
  console.log(`tour timings: ${JSON.stringify(timings)}`);
});

test('no console errors and no requests to other hosts', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
