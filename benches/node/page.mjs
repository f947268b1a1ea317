// The page in headless Chromium, for `make bench`: time from navigation to interactive,
// and the longest main-thread task while models train on 100,000 fraud rows.
//
//   node benches/node/page.mjs OUT_DIR     (writes OUT_DIR/page.json)
//   PAGE_RUNS=5 PAGE_FAMILIES=logistic,boosting,...   (the defaults below)
//
// It serves the production build (dist/, from `npm run build`) with `vite preview`, and
// opens it in Debian's Chromium through playwright-core, several times with a fresh
// browser context (no cache). "Interactive" is concrete: the dataset preview table has
// rows (the Wasm worker loaded the default dataset and the page rendered it) and the Train
// button is enabled; the time is `performance.now()` at the first animation frame where
// both hold, that is milliseconds since the navigation started.
//
// Long tasks (issue 15: none over 200 ms while any family trains on 100,000 fraud rows):
// a PerformanceObserver, installed before any page script with `buffered: true`, records
// every main-thread 'longtask' (≥ 50 ms). Each family is opened by a link
// (`#dataset=fraud&rows=100000&…&model=F`), trained with the Train button, and the figure
// is the longest task that started after the click. Training runs in the Worker, so 0 ms
// is the expected answer — and a 0 is only believed because every page first blocks its
// own main thread for 120 ms (a control task) and the observer must report it; when it
// does not, the row is an error, not a 0 (the last run's "0 ms" had no such check).
import fs from 'node:fs';
import path from 'node:path';
import { servePage } from './browser.mjs';

const OUT = process.argv[2] ?? '.bench/out';
const RUNS = Number(process.env.PAGE_RUNS ?? 5);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

// Installed before any page script: the long-task log and the "interactive" probe.
const INIT = () => {
  const w = window;
  w.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  const probe = () => {
    const rows = document.querySelector('#preview tbody tr');
    const train = document.querySelector('#train');
    if (rows && train && !train.disabled) {
      w.__interactive = performance.now();
      return;
    }
    requestAnimationFrame(probe);
  };
  requestAnimationFrame(probe);
};

// svm and knn refuse more than 10,000 / 20,000 training rows by design (Family::MAX_ROWS),
// so they train on the most fraud rows they take (ROWS; each row of page.json says its
// rows); the regression-only families (linear, ridge, lasso, elasticnet) cannot take
// fraud's class target
const FAMILIES = (process.env.PAGE_FAMILIES
  ?? 'logistic,tree,forest,boosting,gaussian-nb,mlp,kmeans,svm,knn').split(',');
const ROWS = { svm: 10_000, knn: 20_000 };
const rowsOf = (family) => ROWS[family] ?? 100_000;
const CONTROL_MS = 120;

/** Blocks the main thread for CONTROL_MS in a task of its own; resolves with the longest
 *  long task the observer reported for it (null: the observer does not work here). */
async function control(page) {
  const t0 = await page.evaluate((ms) => new Promise((resolve) => setTimeout(() => {
    const start = performance.now();
    while (performance.now() - start < ms) { /* the control task */ }
    resolve(start);
  }, 0)), CONTROL_MS);
  await page.waitForTimeout(150);
  const seen = await page.evaluate((t) => window.__longtasks.filter((e) => e.start + e.duration >= t), t0);
  return seen.length ? Math.max(...seen.map((e) => e.duration)) : null;
}

/** Trains `family` on 100,000 fraud rows (or its most) from a link; the long tasks after
 *  the click. */
async function trainFamily(browser, base, family) {
  const rows = rowsOf(family);
  // "100.000 rows" as a pattern: the page writes the thousands with a separator
  const shown = new RegExp(`${String(rows).replace(/\B(?=(\d{3})+$)/g, '.')} rows`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(300_000);
    await page.addInitScript(INIT);
    const target = family === 'kmeans' ? '' : '&target=is_fraud';
    await page.goto(`${base}#view=model&dataset=fraud&rows=${rows}&seed=42${target}&model=${family}`);
    await page.waitForFunction(([f, re]) => document.querySelector('#model-kind')?.value === f
      && !document.querySelector('#train')?.disabled
      && new RegExp(re).test(document.body.textContent ?? ''), [family, shown.source]);
    const controlMs = await control(page);
    const started = await page.evaluate(() => performance.now());
    await page.locator('#train').click();
    await page.waitForFunction(() => /^Trained /.test(document.querySelector('#model-status')?.textContent ?? '')
      || !document.querySelector('#model-error')?.hidden);
    const trainMs = (await page.evaluate(() => performance.now())) - started;
    if (await page.locator('#model-error').isVisible()) {
      return { family, rows, error: `training failed: ${(await page.locator('#model-error').innerText()).split('\n')[0]}` };
    }
    // the evaluation's charts are drawn after "Trained", one per task: wait for the last
    // (calibration) where the model gives probabilities, so their tasks are counted
    if (family !== 'kmeans') await page.waitForFunction(() => document.querySelector('#calibration svg')
      || /no class probabilities/.test(document.body.textContent ?? ''), null, { timeout: 20_000 })
      .catch(() => {});
    await page.waitForTimeout(200); // let the observer deliver the last entries
    const during = await page.evaluate((t0) => window.__longtasks.filter((e) => e.start >= t0), started);
    if (controlMs == null) {
      return { family, rows, error: `the long-task observer did not report a ${CONTROL_MS} ms control task` };
    }
    return {
      family,
      rows,
      control_ms: controlMs,
      train_ms: trainMs,
      longest_ms: during.reduce((m, e) => Math.max(m, e.duration), 0),
      tasks: during,
    };
  } catch (e) {
    return { family, rows, error: String(e?.message ?? e).split('\n')[0] };
  } finally {
    await context.close();
  }
}

async function main() {
  const { base, browser, close } = await servePage();
  const interactive = [];
  const training = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      await page.addInitScript(INIT);
      await page.goto(base);
      await page.waitForFunction(() => typeof window.__interactive === 'number');
      interactive.push(await page.evaluate(() => window.__interactive));
      await context.close();
    }
    for (const family of FAMILIES) {
      const r = await trainFamily(browser, base, family);
      training.push(r);
      console.error(`bench page: ${family} on ${rowsOf(family).toLocaleString('en')} fraud rows: ${r.error ?? `trained in ${r.train_ms.toFixed(0)} ms, longest main-thread task ${r.longest_ms.toFixed(0)} ms (${r.tasks.length} over 50 ms; control ${r.control_ms.toFixed(0)} ms seen)`}`);
    }
  } finally {
    await close();
  }
  const measured = training.filter((r) => !r.error);
  const result = {
    server: 'vite preview of dist/ (the production build)',
    runs: RUNS,
    interactive_ms: median(interactive),
    interactive_samples: interactive,
    // null unless every family was measured (a failed family must not read as "0 ms")
    longest_task_ms: measured.length === training.length && measured.length
      ? Math.max(...measured.map((r) => r.longest_ms)) : null,
    training_rows: 100000, // but svm and knn: each row's `rows`
    training,
  };
  fs.writeFileSync(path.join(OUT, 'page.json'), JSON.stringify(result, null, 1));
  console.error(`bench page: interactive ${result.interactive_ms?.toFixed(0)} ms (median of ${RUNS}); longest main-thread task while training ${result.longest_task_ms == null ? 'not measured' : `${result.longest_task_ms.toFixed(0)} ms`}`);
}

main().catch((e) => {
  fs.writeFileSync(path.join(OUT, 'page.json'), JSON.stringify({ error: String(e?.message ?? e).split('\n')[0] }));
  console.error('bench page:', e);
  process.exit(1);
});
