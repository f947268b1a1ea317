// The shared set-up of the end-to-end tests: a Vite dev server on a free port of
// 127.0.0.1, Debian's Chromium through playwright-core, and a page whose console errors
// (page and worker), page errors, dialogs and requests to any other host are recorded in
// `problems`, so each suite can assert that there were none.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const shots = join(root, 'tests/e2e/screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the server and the browser; returns `{ base, browser, page, problems, close }`. */
export async function startPlayground() {
  assert.ok(existsSync(join(root, 'pkg/driftlab.js')), 'pkg/driftlab.js is missing: run `make wasm` first');
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}`);
  mkdirSync(shots, { recursive: true });

  const port = await freePort();
  const server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, watch: null },
  });
  await server.listen();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const problems = { console: [], foreign: [], dialogs: [] };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.hostname !== '127.0.0.1') problems.foreign.push(request.url());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const onConsole = (where) => (msg) => {
    if (msg.type() === 'error') problems.console.push(`${where}: ${msg.text()}`);
  };
  page.on('console', onConsole('page'));
  page.on('pageerror', (err) => problems.console.push(`pageerror: ${err.message}`));
  page.on('worker', (worker) => worker.on('console', onConsole('worker')));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return { base: `http://127.0.0.1:${port}/`, browser, page, problems, close };
}

/** Waits until the Model panel says a training finished or shows its error box. */
export async function trained(page) {
  await page.waitForFunction(() => {
    const status = document.querySelector('#model-status')?.textContent ?? '';
    const error = document.querySelector('#model-error');
    return /^Trained /.test(status) || (error && !error.hidden);
  }, null, { timeout: 40_000 });
}

/** Clicks Train on the Model panel and fails the test if training failed. */
export async function train(page) {
  await page.locator('#train').click();
  await trained(page);
  const error = page.locator('#model-error');
  if (await error.isVisible()) assert.fail(`training failed: ${await error.innerText()}`);
}
