// End-to-end test of the Data panel in a real Chromium: a Vite dev server on a free
// port of 127.0.0.1, the Wasm core in its worker, and the page driven like a person would.
// Needs `make wasm` (pkg/) and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, shots, startPlayground } from './harness.mjs';

const XSS = '<img src=x onerror=alert(1)>';

let browser;
let page;
let base;
let problems;
let playground;

/** The profile card for one column, found by its exact title. */
function card(name) {
  return page.locator('article.card').filter({
    has: page.locator('h4').getByText(name, { exact: true }),
  });
}

async function cardTitles() {
  return page.locator('article.card h4').allTextContents();
}

before(async () => {
  playground = await startPlayground();
  ({ base, browser, page, problems } = playground);
});

after(async () => {
  await playground?.close();
});

test('opens on fraud with a preview and a profile card per column', async () => {
  await page.goto(base);
  const amount = card('amount');
  await amount.locator('svg').first().waitFor();
  assert.equal(await page.locator('#dataset').inputValue(), 'fraud');
  assert.match(page.url(), /#.*dataset=fraud/);

  const headers = await page.locator('#preview thead th .col-name').allTextContents();
  assert.ok(headers.includes('amount'), `preview headers: ${headers}`);
  assert.ok(headers.includes('is_fraud'), `preview headers: ${headers}`);
  assert.ok((await page.locator('#preview tbody tr').count()) > 0, 'the preview has rows');

  const titles = await cardTitles();
  assert.deepEqual(titles, headers, 'one card per column, in table order');
  assert.match(await amount.locator('dl').innerText(), /mean/);
  await card('is_fraud').locator('svg').first().waitFor();
  // The page profiles with the dataset's target, so the rare fraud class is flagged.
  assert.equal(await page.locator('#target').inputValue(), 'is_fraud');
  assert.ok(await page.locator('.warnings li[data-code="class_imbalance"]').count() > 0,
    'a class-imbalance warning for is_fraud');

  await page.screenshot({ path: join(shots, 'data.png'), fullPage: true });
});

test('fits 800px and tablet (768px) windows without sideways scrolling', async () => {
  for (const width of [800, 768]) {
    await page.setViewportSize({ width, height: 1024 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: join(shots, `data-${width}.png`) });
    assert.ok(overflow <= 0, `at ${width}px the page is ${overflow}px wider than the window`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the loop navigation is made of buttons and works from the keyboard', async () => {
  const model = page.getByRole('button', { name: 'Model' });
  await model.focus();
  await page.keyboard.press('Enter');
  await page.locator('#panel-model').waitFor({ state: 'visible' });
  assert.match(await page.locator('#panel-model h2').innerText(), /model/i);
  assert.equal(await model.getAttribute('aria-current'), 'page');
  assert.ok(await page.locator('#panel-data').isHidden());
  await page.getByRole('button', { name: 'Data' }).click();
  await page.locator('#panel-data').waitFor({ state: 'visible' });
});

test('picking iris shows its columns', async () => {
  await page.selectOption('#dataset', 'iris');
  await card('amount').waitFor({ state: 'detached' });
  await page.locator('article.card svg').first().waitFor();
  const titles = await cardTitles();
  assert.ok(titles.some((t) => /sepal|petal/i.test(t)), `iris cards: ${titles}`);
  assert.match(page.url(), /dataset=iris/);
});

test('a ragged CSV shows its error and keeps the iris table on screen', async () => {
  const before = await cardTitles();
  await page.setInputFiles('#csv-file', {
    name: 'ragged.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('a,b\n1,2\n3\n'),
  });
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible' });
  const text = await error.innerText();
  assert.match(text, /\bline 3\b/i, `the error names the line: ${text}`);
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.deepEqual(await cardTitles(), before, 'the previous profile stays');
  assert.equal(await page.locator('#dataset').inputValue(), 'iris');
});

test('a column named like HTML is shown as text, never as markup', async () => {
  await page.setInputFiles('#csv-file', {
    name: 'xss.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${XSS},b\n1,x\n2,y\n3,x\n`),
  });
  await card(XSS).waitFor();
  assert.ok(await page.locator('#error').isHidden(), 'a good load clears the error');
  const headers = await page.locator('#preview thead th .col-name').allTextContents();
  assert.ok(headers.includes(XSS), `preview headers: ${headers}`);
  assert.equal(await page.locator('img').count(), 0, 'no img element was created');
  assert.deepEqual(problems.dialogs, [], 'no dialog fired');
});

test('the URL hash carries the dataset: #dataset=wine opens wine, also after a reload', async () => {
  await page.goto(`${base}#dataset=wine`);
  await page.waitForFunction(() => document.querySelector('#dataset')?.value === 'wine'
    && document.querySelectorAll('article.card svg').length > 0
    && !document.querySelector('article.card[data-column="b"]'));
  await page.reload();
  await page.locator('article.card svg').first().waitFor();
  assert.equal(await page.locator('#dataset').inputValue(), 'wine');
  assert.match(page.url(), /dataset=wine/);
  assert.match(await page.locator('#table-title').innerText(), /wine/i);
});

test('a worker that dies is replaced, and the page still opens', async () => {
  // A separate context, so the simulated crash's console error is not counted below.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const crashPage = await context.newPage();
    let served = 0;
    await crashPage.route(/\/www\/worker\.ts/, (route) => {
      served += 1;
      if (served > 1) return route.continue();
      return route.fulfill({ contentType: 'text/javascript', body: 'throw new Error("simulated crash");' });
    });
    const workers = [];
    crashPage.on('worker', (w) => workers.push(w.url()));
    await crashPage.goto(base);
    await crashPage.locator('article.card svg').first().waitFor();
    assert.equal(await crashPage.locator('#dataset').inputValue(), 'fraud');
    assert.ok(served >= 2, `the worker script was fetched ${served} time(s)`);
  } finally {
    await context.close();
  }
});

/** Writes a CSV of about `bytes` bytes (numbers, a category, a flag, some missing cells). */
async function writeBigCsv(path, bytes) {
  const out = createWriteStream(path);
  out.write('id,amount,score,channel,flag\n');
  const channels = ['web', 'store', 'phone', 'partner'];
  let written = 0;
  let row = 0;
  while (written < bytes) {
    let chunk = '';
    for (let k = 0; k < 20_000; k++, row++) {
      const amount = row % 97 === 0 ? '' : ((row * 7919) % 100_000 / 100).toFixed(2);
      chunk += `${row},${amount},${Math.sin(row).toFixed(6)},${channels[row % 4]},${row % 3 === 0}\n`;
    }
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return row;
}

test('a 100 MB CSV reads in the worker with a progress bar while the page keeps drawing frames', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'driftlab-e2e-'));
  try {
    const path = join(dir, 'big.csv');
    const rows = await writeBigCsv(path, 100 * 1000 * 1000);
    const size = statSync(path).size;
    await page.goto(`${base}#dataset=iris`);
    await page.locator('article.card svg').first().waitFor();
    // Watch the bar on every frame (a heartbeat: frames keep coming only if the main
    // thread is free) and record long tasks.
    await page.evaluate(() => {
      const w = window;
      w.__read = { values: [], frames: [], long: [], stop: false };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__read.long.push(e.duration);
      }).observe({ type: 'longtask' });
      const bar = document.querySelector('#read-bar');
      const tick = (time) => {
        w.__read.frames.push(time);
        if (!document.querySelector('#read-progress').hidden) w.__read.values.push(bar.value);
        if (!w.__read.stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const started = Date.now();
    await page.setInputFiles('#csv-file', path);
    await page.waitForFunction(() => document.querySelector('#read-bar')?.value > 0.05);
    await page.screenshot({ path: join(shots, 'data-progress.png') });
    await page.waitForFunction(() => /big\.csv/.test(document.querySelector('#dataset option:checked')?.textContent ?? '')
      && document.querySelector('#data-results')?.getAttribute('aria-busy') === 'false', null, { timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    const read = await page.evaluate(() => {
      window.__read.stop = true;
      return window.__read;
    });
    assert.ok(await page.locator('#error').isHidden(), await page.locator('#error').innerText());
    assert.match(await page.locator('.shape').innerText(), new RegExp(`^${rows.toLocaleString('en-US')} rows × 5 columns`));
    assert.ok(await page.locator('#read-progress').isHidden(), 'the bar goes away when done');

    const between = [...new Set(read.values.filter((v) => v > 0 && v < 1))];
    assert.ok(between.length >= 5, `the bar showed ${between.length} values between 0 and 1: ${between.slice(0, 10)}`);
    assert.ok(between.every((v, i) => i === 0 || v > between[i - 1]), 'the bar only moves forward');
    const gaps = read.frames.slice(1).map((f, i) => f - read.frames[i]);
    const longest = Math.max(0, ...read.long);
    t.diagnostic(`${(size / 1e6).toFixed(1)} MB, ${rows.toLocaleString('en-US')} rows read in ${seconds.toFixed(1)} s; ` +
      `${between.length} intermediate bar values; ${read.frames.length} frames drawn, longest gap ${Math.round(Math.max(0, ...gaps))} ms; ` +
      `longest main-thread task ${Math.round(longest)} ms`);
    console.log(`# big CSV: ${(size / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s, ${read.frames.length} frames, longest task ${Math.round(longest)} ms`);
    assert.ok(read.frames.length >= 10, `only ${read.frames.length} frames were drawn during the read`);
    assert.ok(longest <= 200, `a main-thread task of ${Math.round(longest)} ms during the read (budget 200 ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no console errors, no dialogs, no request to another host', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.dialogs, [], 'dialogs');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
