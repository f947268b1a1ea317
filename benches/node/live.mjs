// The live view in headless Chromium, for `make bench` (issue 16): frames a second and the
// main thread's long tasks while a network (xor, 2-4-4-2 tanh, one epoch a frame), a
// logistic regression (circles with x², y², one iteration a frame) and boosting (xor, one
// tree a frame) play; and, from a Chromium trace of the network's run, what each long task
// was made of (its longest events: script, garbage collection, style, layout, paint).
// A report, not a test: the machine is shared, so the figures say what this run saw.
//
//   node benches/node/live.mjs OUT_DIR     (writes OUT_DIR/live.json; LIVE_RUNS=3 runs each,
//                                          LIVE_SECONDS=5 of playing, LIVE_CASES=mlp,boosting)
//
// It serves the production build (dist/, from `npm run build`) with `vite preview`.
import fs from 'node:fs';
import path from 'node:path';
import { servePage } from './browser.mjs';

const OUT = process.argv[2] ?? '.bench/out';
const RUNS = Number(process.env.LIVE_RUNS ?? 3);
const SECONDS = Number(process.env.LIVE_SECONDS ?? 5);

const CASES = [
  { name: 'mlp xor 2-4-4-2 tanh', hash: '#view=model&dataset=xor&rows=500&seed=42&noise=0&model=mlp&p.hidden=4,4&p.epochs=100000', speed: '1' },
  // the solver converges in a few dozen iterations: its figures are over the whole run
  { name: 'logistic circles (no crosses)', hash: '#view=model&dataset=circles&rows=500&seed=42&noise=0.1&model=logistic&p.max_iterations=1000&p.gradient_tolerance=1e-12', speed: '1' },
  { name: 'boosting xor', hash: '#view=model&dataset=xor&rows=500&seed=42&noise=0.1&model=boosting&p.n_iterations=1000&p.validation_fraction=0&p.max_leaves=8', speed: '1' },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

const INIT = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

/** The renderer main thread's tasks over 50 ms in a Chromium trace, each with its longest inner events. */
function longTasksOf(trace) {
  const events = JSON.parse(trace).traceEvents ?? [];
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`));
  const on = events.filter((e) => main.has(`${e.pid}:${e.tid}`) && e.ph === 'X' && typeof e.dur === 'number');
  if (process.env.LIVE_TRACE_NAMES) {
    const names = {};
    for (const e of on.filter((x) => x.dur >= 20_000)) names[e.name] = (names[e.name] ?? 0) + 1;
    console.error('trace: main-thread events over 20 ms by name', names);
  }
  const tasks = on.filter((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.dur >= 50_000);
  return tasks.map((t) => {
    const inner = on.filter((e) => e !== t && e.pid === t.pid && e.tid === t.tid && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur >= 5_000);
    const top = inner.sort((a, b) => b.dur - a.dur).slice(0, 6)
      .map((e) => `${e.name}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : ''} ${(e.dur / 1000).toFixed(1)} ms`);
    return { ms: Number((t.dur / 1000).toFixed(1)), inside: top };
  });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const { base, browser, close } = await servePage();
  const results = [];
  try {
    // LIVE_CASES=mlp runs only the cases whose name has one of the words
    const only = (process.env.LIVE_CASES ?? '').split(',').filter(Boolean);
    for (const c of CASES.filter((x) => only.length === 0 || only.some((w) => x.name.includes(w)))) {
      const runs = [];
      for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        await page.addInitScript(INIT);
        await page.goto(`${base}${c.hash}`);
        const open = page.locator('#live-open');
        await page.waitForFunction(() => !!document.querySelector('#model-kind')?.value);
        if (!c.hash.includes('model=mlp')) await open.click();
        await page.locator('#live-section').waitFor({ state: 'visible' });
        await page.waitForFunction(() => document.querySelector('#live-section')?.dataset.epoch === '0');
        await page.selectOption('#live-speed', c.speed);
        // the first run of the network is traced (tracing slows it: its figures are kept apart)
        const traced = run === 0 && c.hash.includes('model=mlp');
        if (traced) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink'] });
        await page.locator('.live-play').click();
        await page.waitForFunction(() => Number(document.querySelector('#live-section')?.dataset.frames ?? 0) >= 3);
        const t0 = await page.evaluate(() => [performance.now(), Number(document.querySelector('#live-section').dataset.frames)]);
        // SECONDS of playing, or until the run ends (its last frame drawn, the model kept)
        await page.waitForFunction(() => !!document.querySelector('#live-section')?.dataset.hash, null, { timeout: SECONDS * 1000 }).catch(() => {});
        const t1 = await page.evaluate(() => [performance.now(), Number(document.querySelector('#live-section').dataset.frames)]);
        const tasks = await page.evaluate((from) => window.__longTasks.filter((t) => t.start >= from).map((t) => Math.round(t.duration)), t0[0]);
        const trace = traced ? longTasksOf((await browser.stopTracing()).toString('utf8')) : null;
        // a run that ended (logistic converges in a few dozen iterations): the view's own
        // count, frames over the time from Play to its last frame
        const ended = !!(await page.evaluate(() => document.querySelector('#live-section')?.dataset.hash));
        const fps = ended ? Number(await page.evaluate(() => document.querySelector('#live-section').dataset.fps))
          : ((t1[1] - t0[1]) * 1000) / (t1[0] - t0[0]);
        runs.push({ fps: Number(fps.toFixed(1)), frames: Number(await page.evaluate(() => document.querySelector('#live-section').dataset.frames)), ended, long_tasks: tasks, traced, trace });
        await context.close();
      }
      const plain = runs.filter((r) => !r.traced);
      const row = {
        case: c.name,
        fps_median: median(plain.map((r) => r.fps)),
        long_tasks_per_run: plain.map((r) => r.long_tasks.length),
        longest_task_ms: Math.max(0, ...plain.flatMap((r) => r.long_tasks)),
        runs,
      };
      results.push(row);
      console.error(`bench live: ${c.name}: ${row.fps_median} frames/s (median of ${plain.length}), long tasks per run ${row.long_tasks_per_run.join(', ')}, longest ${row.longest_task_ms} ms`);
      for (const r of runs.filter((x) => x.trace)) {
        console.error(`  traced run: ${r.fps} frames/s, ${r.trace.length} tasks over 50 ms in the trace`);
        for (const t of r.trace) console.error(`    ${t.ms} ms: ${t.inside.join('; ')}`);
      }
    }
  } finally {
    await close();
  }
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  fs.writeFileSync(path.join(OUT, 'live.json'), JSON.stringify({ seconds: SECONDS, runs: RUNS, load_average: load, results }, null, 1));
  console.error(`bench live: load average at the end ${load}`);
}

main().catch((e) => {
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'live.json'), JSON.stringify({ error: String(e?.message ?? e).split('\n')[0] }));
  console.error('bench live:', e);
  process.exit(1);
});
