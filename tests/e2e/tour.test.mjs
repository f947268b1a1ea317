// The guided tour of the fraud story, walked in a real Chromium by following its card:
// at each step the test uses only the control the card highlights, then presses Next.
// It checks that the alarms fire where the core's monitor says (its snapshot, downloaded
// from the page, against the batches tests/monitor.rs pins for the same model), that shadow mode serves only
// the champion's answers, that promotion changes what is served, that the registry
// survives a reload, and that a teacher's link to a middle step reopens it. A screenshot
// of each step goes to tests/e2e/screenshots/ (docs/tour/ with DRIFTLAB_DOCS=1). Needs `make wasm` and /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shots, startPlayground } from './harness.mjs';

// Screenshots go with the other test artifacts; DRIFTLAB_DOCS=1 writes the committed ones
// in docs/tour/ instead, so a plain `make test` leaves the tree clean.
const docs = process.env.DRIFTLAB_DOCS === '1' ? fileURLToPath(new URL('../../docs/tour', import.meta.url)) : shots;
const SLUGS = ['load', 'train', 'deploy', 'play-alarm', 'retrain', 'shadow', 'promote', 'registry'];

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

const card = () => page.locator('#tour');

async function cardStep() {
  return Number(await card().getAttribute('data-step'));
}

/** Follows the card until its step is done: clicks the highlighted control when it is an enabled button. */
async function follow(step) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `step ${step} did not finish`);
    const state = await card().evaluate((el) => {
      const target = el.dataset.target ?? null;
      const t = target ? document.querySelector(target) : null;
      return {
        step: el.dataset.step, done: el.dataset.done, target,
        highlighted: !!t?.classList.contains('tour-target'),
        clickable: t instanceof HTMLButtonElement && !t.disabled,
      };
    });
    assert.equal(Number(state.step), step);
    if (state.done === 'true') return;
    if (state.target) {
      assert.ok(state.highlighted, `${state.target} is highlighted`);
      if (state.clickable) {
        await page.locator(state.target).click();
        // wait for the card to move on (another target, or done)
        await page.waitForFunction((prev) => {
          const el = document.querySelector('#tour');
          return el?.dataset.done === 'true' || el?.dataset.target !== prev;
        }, state.target, { timeout: 90_000 });
        continue;
      }
    }
    await page.waitForTimeout(150);
  }
}

async function next(step) {
  await page.locator('#tour-next').click();
  await page.waitForFunction((s) => document.querySelector('#tour')?.dataset.step === String(s), step + 1);
}

async function shot(step) {
  await page.screenshot({ path: join(docs, `tour-${step}-${SLUGS[step - 1]}.png`) });
}

async function served() {
  const el = page.locator('#served-last');
  return {
    served: JSON.parse(await el.getAttribute('data-served') ?? '{}'),
    shadow: JSON.parse(await el.getAttribute('data-shadow') ?? '{}'),
  };
}

async function idle() {
  await page.waitForFunction(() => !document.querySelector('#pause') || document.querySelector('#pause').disabled);
}

async function snapshot() {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#snapshot-download').evaluate((b) => b.click()),
  ]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

const timings = {};

test('a newcomer follows the tour card from loading the data to promoting the retrained model', async () => {
  const started = Date.now();
  await page.goto(`${base}#dataset=fraud&seed=42`);
  await page.waitForFunction(() => document.querySelector('#model-form')?.hidden === false);
  await page.locator('#tour-start').click();
  await card().waitFor({ state: 'visible' });
  assert.equal(await card().getAttribute('role'), 'dialog');
  assert.match(page.url(), /tour=1/);

  for (let step = 1; step <= 8; step++) {
    assert.equal(await cardStep(), step);
    await follow(step);
    if (step === 4) {
      // The core's own record: the first alarm is data drift at batch 10, as tests/monitor.rs pins.
      const snap = await snapshot();
      const kinds = snap.alarms.map((a) => `${a.kind}@${a.batch}`);
      assert.equal(snap.alarms[0].kind, 'data_drift', kinds.join(' '));
      assert.equal(snap.alarms[0].batch, 10, 'tests/monitor.rs pins the first alarm of fraud-abrupt (seed 42) at batch 10');
      assert.ok(snap.alarms.every((a) => a.batch >= 10), `no alarm before the switch: ${kinds}`);
      const recall = snap.alarms.find((a) => a.kind === 'recall_drop');
      assert.ok(recall, `the recall alarm is in the snapshot: ${kinds}`);
      // tests/monitor.rs (the_tour_models_alarms_are_pinned) pins the tour model's recall
      // alarm natively: at batch 12, about batch 10's labels.
      assert.deepEqual([recall.batch, recall.about_batch], [12, 10], kinds.join(' '));
      // The page shows the same alarms at the same batches (the champion's monitor starts at batch 0).
      const log = await page.locator('#alarm-log li').evaluateAll((els) =>
        els.map((e) => `${e.dataset.kind}@${e.dataset.t}`));
      assert.deepEqual(log.sort(), kinds.slice().sort());
      const todo = await page.locator('#tour-todo').innerText();
      assert.match(todo, new RegExp(`recall alarm fired at batch ${recall.batch}, after the data-drift alarm at batch 10`));
      timings.alarms = { data_drift: 10, recall_drop: recall.batch, recall_about: recall.about_batch };
      // paused for the newcomer, right where the recall alarm fired
      await idle();
      assert.equal(await page.locator('#pause').isDisabled(), true);
      assert.equal(Number(await page.locator('#monitor-status').getAttribute('data-batches')), recall.batch + 1);
    }
    if (step === 6) {
      const s = await served();
      assert.deepEqual(s.served, { v1: 1000 }, 'shadow mode serves only the champion');
      assert.deepEqual(s.shadow, { v2: 1000 }, 'the challenger scores every row unseen');
      assert.equal(await page.locator('#feedback-verdict .verdict').getAttribute('data-test'), 'mcnemar');
      assert.equal(await page.locator('#feedback-verdict .verdict').getAttribute('data-better'), 'challenger');
    }
    if (step === 7) {
      // the card asks to play on after the promotion: do so, then v2 answers
      const target = await card().getAttribute('data-target');
      assert.equal(target, '#feedback-play');
      await page.locator(target).click();
      await page.waitForFunction(() => document.querySelector('#tour')?.dataset.target !== '#feedback-play');
      await idle();
      const s = await served();
      assert.deepEqual(s.served, { v2: 1000 }, 'after promotion the retrained version answers');
      assert.deepEqual(s.shadow, {});
    }
    await shot(step);
    timings[`step${step}`] = Date.now() - started;
    if (step < 8) await next(step);
  }
  timings.tour_ms = Date.now() - started;
  await page.locator('#tour-next').click(); // Close
  assert.equal(await card().isHidden(), true);
  assert.doesNotMatch(page.url(), /tour=/);

  // The registry lives in IndexedDB.
  await page.reload();
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.locator('#registry tr[data-version="v2"][data-role="champion"]').waitFor();
  assert.equal(await page.locator('#registry tbody tr').count(), 2);
  assert.match(await page.locator('#registry tr[data-version="v2"]').innerText(), /v2 ← v1/);
  console.log(`tour: ${JSON.stringify(timings)}`);
});

test("a teacher's link reopens step 5 by replaying steps 1-4 in the worker", async () => {
  const started = Date.now();
  await page.goto('about:blank');
  await page.goto(`${base}#dataset=fraud&seed=42&tour=5`);
  await card().waitFor({ state: 'visible' });
  assert.match(await page.locator('#tour-todo').innerText(), /replayed quickly in the worker/);
  await page.waitForFunction(() => {
    const el = document.querySelector('#tour');
    return el?.dataset.step === '5' && !el.dataset.replaying;
  }, null, { timeout: 120_000 });
  const ms = Date.now() - started;
  assert.equal(await page.locator('#tour .tour-state').innerText(), '', 'the replay finished without an error');
  assert.equal(await page.locator('#tour-title').innerText(), 'Retrain on the fresh labels');
  assert.equal(await card().getAttribute('data-target'), '#retrain');
  assert.equal(await page.locator('#panel-feedback').isVisible(), true);
  // a fresh registry with v1 the champion, and the same alarms as the walk
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.locator('#registry tr[data-version="v1"][data-role="champion"]').waitFor();
  assert.equal(await page.locator('#registry tbody tr').count(), 1);
  const snap = await snapshot();
  assert.equal(snap.alarms[0].kind, 'data_drift');
  assert.equal(snap.alarms[0].batch, 10);
  assert.equal(snap.alarms.find((a) => a.kind === 'recall_drop')?.batch, 12);
  await page.locator('#tour-back').click();
  await page.waitForFunction(() => document.querySelector('#tour')?.dataset.step === '4');
  assert.match(page.url(), /tour=4/);
  await page.locator('#tour-next').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('#tour')?.dataset.step === '5');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tour-title', 'the card takes focus on each step');
  await page.screenshot({ path: join(docs, 'tour-teacher-link-step-5.png') });
  await page.keyboard.press('Escape');
  assert.equal(await card().isHidden(), true);
  console.log(`teacher link #tour=5 reopened in ${ms} ms`);
});

test('from another dataset, the first card asks for the fraud data and points at each control in turn', async () => {
  await page.goto('about:blank');
  await page.goto(`${base}#dataset=iris&model=tree`);
  await page.waitForFunction(() => /iris/i.test(document.querySelector('#table-title')?.textContent ?? ''));
  await page.locator('#tour-start').click();
  await page.waitForFunction(() => document.querySelector('#tour')?.dataset.target === '#dataset');
  assert.match(await page.locator('#tour-todo').innerText(), /Choose the Fraud dataset with seed 42/);
  assert.equal(await page.locator('#tour-next').isDisabled(), true, 'Next waits for the step');
  // Picking a dataset loads it at once; the card points at the Load button only while
  // the load has not happened yet, so either state may be the next one seen.
  await page.selectOption('#dataset', 'fraud');
  await page.waitForFunction(() => {
    const tour = document.querySelector('#tour')?.dataset;
    return tour?.target === '#dataset-form button[type="submit"]' || tour?.done === 'true';
  });
  if (await page.evaluate(() => document.querySelector('#tour')?.dataset.done !== 'true')) {
    await page.locator('#dataset-form button[type="submit"]').click();
  }
  await page.waitForFunction(() => document.querySelector('#tour')?.dataset.done === 'true', null, { timeout: 60_000 });
  await page.locator('#tour-next').click();
  // step 2: the family is a tree from the link, so the card points at the family first
  await page.waitForFunction(() => document.querySelector('#tour')?.dataset.target === '#model-kind');
  assert.match(await page.locator('#tour-todo').innerText(), /Choose "logistic"/);
  await page.selectOption('#model-kind', 'logistic');
  await page.waitForFunction(() => document.querySelector('#tour')?.dataset.target === '#train');
  await page.keyboard.press('Escape');
  assert.equal(await card().isHidden(), true);
});

test('no console errors and no requests to other hosts', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
