// The page in headless Chromium, for `make bench`: time from navigation to interactive,
// and the longest main-thread task while a model trains.
//
//   node benches/node/page.mjs OUT_DIR     (writes OUT_DIR/page.json)
//
// It serves the production build (dist/, from `npm run build`) with `vite preview`, and
// opens it in Debian's Chromium through playwright-core, several times with a fresh
// browser context (no cache). "Interactive" is concrete: the dataset preview table has
// rows (the Wasm worker loaded the default dataset and the page rendered it) and the Train
// button is enabled; the time is `performance.now()` at the first animation frame where
// both hold, that is milliseconds since the navigation started. During training (logistic
// on the default fraud table, from the Model view) a PerformanceObserver records every
// main-thread 'longtask' (≥ 50 ms); the figure is the longest, 0 when there is none.
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

async function main() {
  const { base, browser, close } = await servePage();
  const interactive = [];
  const longest = [];
  const tasks = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      await page.addInitScript(INIT);
      await page.goto(base);
      await page.waitForFunction(() => typeof window.__interactive === 'number');
      interactive.push(await page.evaluate(() => window.__interactive));

      // train from the Model view; only long tasks that start after the click count
      await page.getByRole('button', { name: 'Model' }).click();
      await page.locator('#model-form').waitFor({ state: 'visible' });
      const started = await page.evaluate(() => performance.now());
      await page.locator('#train').click();
      await page.waitForFunction(() => /^Trained /.test(document.querySelector('#model-status')?.textContent ?? '')
        || !document.querySelector('#model-error')?.hidden);
      if (await page.locator('#model-error').isVisible()) throw new Error(`training failed: ${await page.locator('#model-error').innerText()}`);
      await page.waitForTimeout(100); // let the observer deliver the last entries
      const during = await page.evaluate((t0) => window.__longtasks.filter((e) => e.start >= t0), started);
      tasks.push(during);
      longest.push(during.reduce((m, e) => Math.max(m, e.duration), 0));
      await context.close();
    }
  } finally {
    await close();
  }
  const result = {
    server: 'vite preview of dist/ (the production build)',
    runs: RUNS,
    interactive_ms: median(interactive),
    interactive_samples: interactive,
    longest_task_ms: Math.max(...longest),
    longest_task_median_ms: median(longest),
    longest_task_samples: longest,
    long_tasks_during_training: tasks,
  };
  fs.writeFileSync(path.join(OUT, 'page.json'), JSON.stringify(result, null, 1));
  console.error(`bench page: interactive ${result.interactive_ms?.toFixed(0)} ms (median of ${RUNS}); longest main-thread task while training ${result.longest_task_ms.toFixed(0)} ms`);
}

main().catch((e) => {
  fs.writeFileSync(path.join(OUT, 'page.json'), JSON.stringify({ error: String(e?.message ?? e).split('\n')[0] }));
  console.error('bench page:', e);
  process.exit(1);
});
