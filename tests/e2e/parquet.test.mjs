// A Parquet file dropped on the page in a real Chromium (issue #20, item 2): the page opens
// on the small data module, the Parquet file makes the worker fetch the full module (the
// reader is not in the first load) and read the file there, with the same table as the
// CSV it came from, as an Arrow IPC file picked next does (item 3); a zstd file gets an error naming the column and the fix, and the table
// on screen stays. Needs `make wasm` and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { root, shots, startPlayground } from './harness.mjs';

let playground;
/** Paths of the .wasm files the page fetched, in order. */
const fetched = [];
const fixture = (name) => readFileSync(join(root, 'tests/fixtures/parquet', name));

before(async () => {
  playground = await startPlayground();
  playground.page.context().on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.wasm')) fetched.push(path);
  });
});

after(async () => {
  await playground?.close();
});

const isFull = (path) => /\/pkg\/driftlab_bg\.wasm$/.test(path);

/** The preview's column names and the profile's row count, as shown. */
async function shown(page) {
  return {
    headers: await page.locator('#preview thead th .col-name').allTextContents(),
    cards: await page.locator('article.card h4').allTextContents(),
  };
}

test('a dropped .parquet is read by the full module, loaded on demand, as its CSV is', async () => {
  const { page, base, problems } = playground;
  await page.goto(`${base}#dataset=wine&view=data`);
  await page.waitForFunction(() => document.querySelectorAll('#preview tbody tr').length > 0);
  assert.ok(!fetched.some(isFull), `the first load fetched only the data module: ${fetched.join(', ')}`);

  // the CSV of iris first, through the data module, for comparison
  await page.setInputFiles('#csv-file', { name: 'iris.csv', mimeType: 'text/csv', buffer: readFileSync(join(root, 'data/iris.csv')) });
  await page.waitForFunction(() => /iris\.csv/.test(document.querySelector('#dataset option:checked')?.textContent ?? ''));
  const fromCsv = await shown(page);
  const csvStats = await page.locator('article.card').first().locator('dl').innerText();
  assert.ok(!fetched.some(isFull), 'a CSV needs no full module');

  // dropped on the drop zone, as a person would
  const dropped = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'iris.parquet', { type: 'application/vnd.apache.parquet' }));
    return transfer;
  }, fixture('iris.parquet').toString('base64'));
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: dropped });
  await page.waitForFunction(() => /iris\.parquet/.test(document.querySelector('#dataset option:checked')?.textContent ?? ''));
  assert.ok(fetched.some(isFull), `the Parquet file fetched the full module: ${fetched.join(', ')}`);
  const fromParquet = await shown(page);
  assert.deepEqual(fromParquet, fromCsv, 'the same columns and cards as the CSV');
  assert.ok(fromParquet.headers.includes('species'), `headers: ${fromParquet.headers}`);
  assert.equal(await page.locator('article.card').first().locator('dl').innerText(), csvStats,
    'the first column\'s statistics are those of the CSV');
  assert.ok(await page.locator('#error').isHidden(), 'no error');
  await page.screenshot({ path: join(shots, 'parquet-iris.png'), fullPage: false });

  // an Arrow IPC file (Feather v2), picked: the same table again, from the full module
  await page.setInputFiles('#csv-file', { name: 'iris.arrow', mimeType: 'application/vnd.apache.arrow.file', buffer: readFileSync(join(root, 'tests/fixtures/arrow/iris.arrow')) });
  await page.waitForFunction(() => /iris\.arrow/.test(document.querySelector('#dataset option:checked')?.textContent ?? ''));
  assert.deepEqual(await shown(page), fromCsv, 'Arrow: the same columns and cards as the CSV');
  assert.equal(await page.locator('article.card').first().locator('dl').innerText(), csvStats, 'Arrow: the CSV\'s statistics');
  assert.ok(await page.locator('#error').isHidden(), 'no error');

  // a zstd file: an error naming the column and the fix; iris stays on screen
  await page.setInputFiles('#csv-file', { name: 'zstd.parquet', mimeType: 'application/vnd.apache.parquet', buffer: fixture('bad_zstd.parquet') });
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible' });
  const text = await error.innerText();
  assert.match(text, /column "x"/, `the error names the column: ${text}`);
  assert.match(text, /compression='snappy'/, `the error says the fix: ${text}`);
  assert.deepEqual((await shown(page)).headers, fromParquet.headers, 'the previous table stays');
  assert.deepEqual(problems.console, [], 'no console errors');
});
