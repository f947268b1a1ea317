// The page's two Wasm modules in a real Chromium: opening the page fetches only the small
// data module (pkg/light), the first training fetches the full one, and the table the data
// module loaded is the one the full module trains on (the same metrics as a page that
// trained straight away). Needs `make wasm` and Debian's Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { root, startPlayground, train } from './harness.mjs';

let playground;
/** Paths of the .wasm files the page fetched, in order. */
const fetched = [];

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

const isData = (path) => /\/pkg\/light\/driftlab_bg\.wasm$/.test(path);
const isFull = (path) => /\/pkg\/driftlab_bg\.wasm$/.test(path);

async function metric(page, name) {
  return page.locator(`#metrics tr[data-metric="${name}"] td.num`).innerText();
}

test('the page opens on the data module and loads the trainers on the first training', async () => {
  const { page, base, problems } = playground;
  await page.goto(`${base}#dataset=wine&seed=7&view=data`);
  await page.waitForFunction(() => document.querySelector('#data-results')?.getAttribute('aria-busy') === 'false' &&
    document.querySelectorAll('#preview tbody tr').length > 0);
  assert.ok(fetched.some(isData), `the data module was fetched: ${fetched.join(', ')}`);
  assert.ok(!fetched.some(isFull), `the full module waited: ${fetched.join(', ')}`);

  const full = readFileSync(join(root, 'pkg/driftlab_bg.wasm'));
  const data = readFileSync(join(root, 'pkg/light/driftlab_bg.wasm'));
  const kb = (bytes) => (gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1);
  console.log(`first load ${kb(data)} KiB gzipped; on demand ${kb(full)} KiB gzipped`);
  assert.ok(statSync(join(root, 'pkg/light/driftlab_bg.wasm')).size < full.length / 2);

  // The model kinds and their parameters come from the data module.
  await page.getByRole('button', { name: 'Model' }).click();
  await page.locator('#model-form').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#model-kind').inputValue(), 'logistic');
  assert.ok(!fetched.some(isFull), 'opening the Model panel needs no trainer');

  await train(page);
  assert.ok(fetched.some(isFull), 'training fetched the full module');
  const lazy = { accuracy: await metric(page, 'accuracy'), f1: await metric(page, 'macro_f1') };

  // A page that trains on the same link gets the same numbers: the full module trained on
  // the table the data module had loaded, replayed into it.
  await page.goto('about:blank');
  await page.goto(`${base}#dataset=wine&seed=7&view=model`);
  await page.locator('#model-form').waitFor({ state: 'visible' });
  await train(page);
  assert.deepEqual({ accuracy: await metric(page, 'accuracy'), f1: await metric(page, 'macro_f1') }, lazy);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.foreign, []);
});
