// End-to-end test of the Data panel in a real Chromium: a Vite dev server on a free
// port of 127.0.0.1, the Wasm core in its worker, and the page driven like a person would.
// Needs `make wasm` (pkg/) and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

test('fits an 800px-wide window without sideways scrolling', async () => {
  await page.setViewportSize({ width: 800, height: 900 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: join(shots, 'data-800.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
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

test('no console errors, no dialogs, no request to another host', () => {
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.dialogs, [], 'dialogs');
  assert.deepEqual(problems.foreign, [], 'requests to other hosts');
});
