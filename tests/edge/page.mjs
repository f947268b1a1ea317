// The playground's own scorer for the edge tests to hold the edge bundle to: the page's
// full Wasm core (pkg/driftlab.js and pkg/driftlab_bg.wasm, the module the page's worker
// loads, see www/engine.ts) in Debian's Chromium through playwright-core, called as the
// worker calls it (`Model.loadArtifact`, then `Model.scoreRows`). Not a test file
// itself (node --test runs *.test.mjs).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// The page is served from this origin by the browser's own request routing: no server,
// no port; the core's files are sent as they are on disk.
const ORIGIN = 'http://driftlab.test';
const FILES = {
  '/pkg/driftlab.js': ['pkg/driftlab.js', 'text/javascript'],
  '/pkg/driftlab_bg.wasm': ['pkg/driftlab_bg.wasm', 'application/wasm'],
};

/**
 * Starts Chromium on a blank page that has loaded the full core; returns
 * `{ version, score(artifactText, body), close() }`. `score` loads the artifact into the
 * page's model handle, parses `body` (`{"rows": [...]}`, the text a client POSTs) with the
 * page's `JSON.parse` and scores its rows; it resolves with the artifact's card and the
 * scored rows (the generated `Scored` of pkg/driftlab.d.ts: `{prediction: {value, probabilities}, label,
 * warnings}`), numbers as the page's doubles (-0, NaN and infinities included).
 */
export async function openPageCore() {
  for (const [, [file]] of Object.entries(FILES)) {
    assert.ok(existsSync(join(ROOT, file)), `${file} is missing: run make wasm`);
  }
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run make browser`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>driftlab core</title>' });
      const file = FILES[path];
      return file ? route.fulfill({ path: join(ROOT, file[0]), contentType: file[1] }) : route.fulfill({ status: 404 });
    });
    await page.goto(`${ORIGIN}/`);
    const version = await page.evaluate(async () => {
      const core = await import('/pkg/driftlab.js');
      await core.default();
      globalThis.workbench = new core.Model(new core.Data());
      return core.version();
    });
    const score = async (artifact, body) => {
      const answer = await page.evaluate(([a, b]) => {
        try {
          const card = globalThis.workbench.loadArtifact(a);
          return { card, scored: globalThis.workbench.scoreRows(JSON.parse(b).rows) };
        } catch (e) {
          return { error: String(e?.message ?? e) };
        }
      }, [artifact, body]);
      if (answer.error) throw new Error(`the page's core refused it: ${answer.error}`);
      assert.deepEqual(errors, [], 'errors in the page');
      return answer;
    };
    return { version, score, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/**
 * A page answer in the edge's HTTP shape (`POST /score`), mapped as the page's Edge panel
 * maps it (www/panels/edge.ts): the prediction is the label, else the value (regression,
 * cluster); the probabilities are keyed by the artifact's classes, or null.
 */
export function asEdgeAnswer({ card, scored }, task) {
  return {
    model: { kind: card.kind, task, hash: card.hash },
    predictions: scored.map((s) => ({
      prediction: s.label ?? s.prediction.value,
      probabilities: s.prediction.probabilities.length
        ? Object.fromEntries(card.classes.map((c, k) => [c, s.prediction.probabilities[k]]))
        : null,
      warnings: s.warnings,
    })),
  };
}

/** A number's f64 bits as hex, for messages; anything else as JSON. */
export const bits = (x) =>
  typeof x === 'number' ? `${x} (0x${Buffer.from(new Float64Array([x]).buffer).readBigUInt64LE().toString(16)})` : JSON.stringify(x);

/**
 * Holds `actual` to `expected` (answers in the HTTP shape) bit for bit: each prediction and
 * each probability as an f64 (`Object.is`), the warnings as they are. Fails naming the model,
 * the row and the field.
 */
export function assertBitIdentical(actual, expected, name, [a, e] = ['page', 'edge']) {
  assert.deepEqual(actual.model, expected.model, `${name}: the model`);
  assert.equal(actual.predictions.length, expected.predictions.length, `${name}: the number of rows`);
  expected.predictions.forEach((q, i) => {
    const p = actual.predictions[i];
    const at = `${name}, row ${i}`;
    assert.ok(Object.is(p.prediction, q.prediction), `${at}, prediction: ${a} ${bits(p.prediction)} vs ${e} ${bits(q.prediction)}`);
    if (q.probabilities === null) {
      assert.equal(p.probabilities, null, `${at}, probabilities: ${a} ${JSON.stringify(p.probabilities)} vs ${e} null`);
    } else {
      assert.deepEqual(Object.keys(p.probabilities ?? {}), Object.keys(q.probabilities), `${at}: the classes`);
      for (const [c, x] of Object.entries(q.probabilities)) {
        const y = p.probabilities[c];
        assert.ok(Object.is(y, x), `${at}, p(${c}): ${a} ${bits(y)} vs ${e} ${bits(x)}`);
      }
    }
    assert.deepEqual(p.warnings, q.warnings, `${at}, warnings`);
  });
}

/**
 * The request's rows, then rows that take each input of `artifact` outside the reference,
 * one input at a time, from the first row: missing, far above and far below the range
 * (numeric), a category the model never saw (categorical); and rows of every numeric
 * input at an extreme. These are the rows the page and the edge are held to.
 */
export function probeRows(artifact, rows) {
  const first = rows[0];
  const out = [...rows];
  const numeric = artifact.pipeline.inputs.filter((c) => c.kind === 'numeric').map((c) => c.name);
  for (const { name, kind, step } of artifact.pipeline.inputs) {
    out.push({ ...first, [name]: null });
    if (kind === 'numeric') {
      const span = (step.max ?? 1) - (step.min ?? 0) || 1;
      out.push({ ...first, [name]: (step.max ?? 0) + 7.25 * span }, { ...first, [name]: (step.min ?? 0) - 3.5 * span });
    }
    if (kind === 'categorical') out.push({ ...first, [name]: 'never-seen' });
  }
  for (const x of [0, 1e-300, -1e6, 1e300]) out.push({ ...first, ...Object.fromEntries(numeric.map((c) => [c, x])) });
  return out;
}
