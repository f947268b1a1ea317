// The module Web Worker that owns the Wasm core. It answers the main thread through
// Comlink: `call(handle, method, ...args)` forwards to the generated classes' methods
// (`Data` on the small data module until a call needs the full one, see engine.ts;
// `Model` and `Deploy` on the full one), so a call is written once, in Rust, and typed
// from pkg/driftlab.d.ts. The few calls that do more than forward are spelled out below:
// the loads (remembered for the switch to the full module), training (timed here) and
// the scoring-latency measurement. Nothing else in the page imports the Wasm.
import * as Comlink from 'comlink';
import { dataModule, fullModule, remember } from './engine';
import type {
  Answer, Args, DatasetOptions, Handle, Handles, Loaded, Method, ProgressCallback, ReadProgressCallback,
  ScoringLatency, TrainOutcome, TrainSettings,
} from './protocol';

/** Errors cross the worker boundary as `Error`s (Comlink keeps `name` and `message`). */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err) ?? String(err));
}

// A test hook, for the crash-recovery e2e test only: Playwright sets this global in the
// worker (`worker.evaluate`), and the next call then traps the Wasm instance for real
// (`Data.crashForTests`, an `unreachable` instruction), as a panic would. Nothing in the
// page, its controls or its URL sets it.
declare global {
  var driftlabCrashNextCall: boolean | undefined;
}

/** Runs `use` on handle `handle` of the module that has it. */
async function on<H extends Handle, T>(handle: H, use: (h: Handles[H]) => T): Promise<T> {
  let module: Partial<Handles> & Pick<Handles, 'data'>;
  try {
    module = handle === 'data' ? await dataModule() : await fullModule();
  } catch (err) {
    throw asError(err);
  }
  try {
    if (globalThis.driftlabCrashNextCall === true) {
      globalThis.driftlabCrashNextCall = false;
      module.data.crashForTests();
    }
    return use(module[handle] as Handles[H]);
  } catch (err) {
    throw asError(err);
  }
}

const api = {
  /** Calls `method` of `handle` with `args`. */
  call<H extends Handle, M extends Method<H>>(handle: H, method: M, ...args: Args<H, M>): Promise<Answer<H, M>> {
    return on(handle, (h) => (h[method] as (...a: Args<H, M>) => Answer<H, M>).apply(h, args));
  },

  loadDataset(name: string, options: DatasetOptions): Promise<Loaded> {
    return on('data', (data) => {
      const loaded = data.loadDataset(name, options);
      remember({ kind: 'dataset', name, options: { ...options } });
      return loaded;
    });
  },

  /**
   * `onProgress` (bytes read, total bytes) is a Comlink proxy of the page's function. A
   * Parquet or Arrow file (its first bytes are `PAR1`, `ARROW1` or `FF FF FF FF`) is read
   * by the full module, loaded for it on demand: those readers are not in the small
   * first-load module.
   */
  async loadCsv(bytes: Uint8Array, fileName: string, onProgress?: ReadProgressCallback): Promise<Loaded> {
    try {
      // once the full module is loading, `on('data')` answers from it
      if (isColumnar(bytes)) {
        try {
          await fullModule();
        } catch (err) {
          throw asError(err);
        }
      }
      return await on('data', (data) => {
        const loaded = data.loadCsv(bytes, fileName, onProgress ?? null);
        remember({ kind: 'csv', bytes, fileName });
        return loaded;
      });
    } finally {
      releaseCallback(onProgress);
    }
  },

  /**
   * `onProgress` is a Comlink proxy of the page's function: each call posts one message,
   * which the page receives while training still runs here.
   */
  async train(settings: TrainSettings, onProgress?: ProgressCallback): Promise<TrainOutcome> {
    try {
      return await on('model', (model) => {
        const started = performance.now();
        const out = model.train(settings, onProgress ?? null);
        return { ...out, train_ms: performance.now() - started };
      });
    } finally {
      releaseCallback(onProgress);
    }
  },

  /** Batch-scores the last model's test rows repeatedly; the median time per row. */
  measureScoring(): Promise<ScoringLatency> {
    return on('model', (model) => measure((limit) => model.scoreTestRows(limit)));
  },
};

export type WorkerApi = typeof api;

/** True for bytes that open like a Parquet file (`PAR1`) or an Arrow IPC file (`ARROW1`) or stream (`FF FF FF FF`). */
function isColumnar(bytes: Uint8Array): boolean {
  const opens = (magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  return opens([0x50, 0x41, 0x52, 0x31]) || opens([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]) || opens([0xff, 0xff, 0xff, 0xff]);
}

/** Repetitions of a scoring measurement; the median is reported. */
const REPETITIONS = 7;
/** Each repetition runs whole batches until at least this long, so the clock's grain is small. */
const MIN_REPETITION_MS = 15;

/** Rows of the first, probing call: enough to time a fast model, quick for a slow one. */
const PROBE_ROWS = 64;

/**
 * Times `score` (one batch of at most `limit` test rows, returns its rows): a probe on a
 * few rows says how long a row takes; a slow model (kNN scans its training rows per
 * answer) is then timed on as many rows as fit in one repetition, a fast one on all its
 * test rows in whole batches; the median µs/row of 7 repetitions of about 15 ms each, so
 * the whole measurement stays within a few hundred milliseconds for any model.
 */
function measure(score: (limit: number | null) => number): ScoringLatency {
  const p0 = performance.now();
  const probed = score(PROBE_ROWS);
  const probeMs = performance.now() - p0;
  if (probed === 0) throw new Error('there are no test rows to time');
  const perRowMs = Math.max(probeMs, 0.001) / probed;
  // one repetition of about MIN_REPETITION_MS: a slice of the rows for a slow model
  const slice = Math.max(1, Math.floor(MIN_REPETITION_MS / perRowMs));
  const limit = slice < 10_000 ? slice : null;
  let rows = probed;
  // whole batches per repetition until it lasts MIN_REPETITION_MS, for a slice as for all
  // the rows: a slice that holds every test row may still be far under the clock's grain
  let batches = 1;
  for (;;) {
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) rows = score(limit);
    const ms = performance.now() - t0;
    if (ms >= MIN_REPETITION_MS || batches >= 1 << 16) break;
    batches *= ms <= 0 ? 16 : Math.min(16, Math.ceil((MIN_REPETITION_MS * 1.2) / ms));
  }
  const perRow: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) rows = score(limit);
    perRow.push(((performance.now() - t0) * 1000) / (batches * rows));
  }
  perRow.sort((a, b) => a - b);
  return { us_per_row: perRow[REPETITIONS >> 1]!, rows, repetitions: REPETITIONS, batches };
}

/** Frees the page's side of a proxied callback once the call no longer needs it. */
function releaseCallback(callback: unknown): void {
  const release = (callback as { [Comlink.releaseProxy]?: () => void } | undefined)?.[Comlink.releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

Comlink.expose(api);
