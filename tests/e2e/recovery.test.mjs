// A real crash of the engine in the middle of a deployment, in Debian's Chromium: the
// worker's Wasm traps (the test-only hook `driftlabCrashNextCall`, an `unreachable`
// instruction), the page says so in words, a new worker starts, and the registry saved in
// IndexedDB comes back into it untouched — nothing the user had is lost, and the next
// deployment adds to it. Needs `make wasm` and /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlayground, train } from './harness.mjs';

let playground;

before(async () => {
  playground = await startPlayground();
});

after(async () => {
  await playground?.close();
});

/** The registry saved in this origin's IndexedDB (database `driftlab`, store `kv`), as JSON text. */
function savedRegistry(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('driftlab');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('kv', 'readonly').objectStore('kv').get('registry');
      get.onsuccess = () => resolve(get.result ?? null);
      get.onerror = () => reject(get.error);
    };
  }));
}

test('a crash mid-deployment keeps the saved registry and the engine serves it again', async () => {
  const { base, browser, problems } = playground;
  // A separate context: the crash is real and its console messages stay out of `problems`.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`${base}#dataset=fraud&seed=42&view=model`);
    await page.locator('#model-form').waitFor({ state: 'visible' });
    await train(page);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.locator('#deploy-last').click();
    await page.locator('#registry tr[data-version="v1"][data-role="champion"]').waitFor();
    // A second model (a different penalty) becomes v2, made the challenger.
    await page.getByRole('button', { name: 'Model', exact: true }).click();
    await page.fill('#param-alpha', '0.01');
    await train(page);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.locator('#deploy-last').click();
    await page.locator('#registry button[data-challenger="v2"]').click();
    await page.waitForFunction(() => !document.querySelector('#promote')?.disabled);
    const before = await savedRegistry(page);
    assert.match(before, /"v2"/, 'v1 and v2 are saved');

    assert.equal(page.workers().length, 1, 'one engine worker');
    await page.workers()[0].evaluate(() => { globalThis.driftlabCrashNextCall = true; });
    await page.locator('#deploy-compare').click(); // this call traps the engine
    await page.waitForFunction(() => /Restored the registry saved in this browser: 2 versions/
      .test(document.querySelector('#deploy-status')?.textContent ?? ''), null, { timeout: 40_000 });
    assert.match(await page.locator('#deploy-error').innerText(), /stopped \(RuntimeError: unreachable\)/);
    assert.equal(await savedRegistry(page), before, 'the saved registry is untouched');

    // The new engine holds the restored registry: promoting the challenger works there.
    await page.waitForFunction(() => !document.querySelector('#promote')?.disabled);
    await page.locator('#promote').click();
    await page.locator('#registry tr[data-version="v2"][data-role="champion"]').waitFor();
    assert.match(await savedRegistry(page), /"v2"/);
  } finally {
    await context.close();
  }
  assert.deepEqual(problems.foreign, []);
});
