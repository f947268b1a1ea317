// The module Web Worker that owns the Wasm core. It answers the main thread through
// Comlink from one `Workbench` — the small data module's until a call needs the full one
// (engine.ts) — and nothing else in the page imports the Wasm.
import * as Comlink from 'comlink';
import type { Workbench } from '../pkg/driftlab.js';
import { dataBench, fullBench, remember, type DataBench } from './engine';
import { deployMethods, type DeployWorkbench } from './deploy/api';
import type {
  BundleFile, DatasetInfo, DatasetOptions, DecisionGrid, Loaded, ModelKindInfo, PipelineSpec, Profile, ProgressCallback,
  ReadProgressCallback, ScoredRow, ScoringLatency, ThresholdTable, TrainOutcome, TrainRequest, TrainResult, WorkbenchApi,
} from './types';

/** Errors cross the worker boundary as `Error`s (Comlink keeps `name` and `message`). */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err) ?? String(err));
}

// A test hook, for the crash-recovery e2e test only: Playwright sets this global in the
// worker (`worker.evaluate`), and the next call then traps the Wasm instance for real
// (`Workbench.crashForTests`, an `unreachable` instruction), as a panic would. Nothing in
// the page, its controls or its URL sets it.
declare global {
  var driftlabCrashNextCall: boolean | undefined;
}

/** Calls the full module (loaded on first use, see engine.ts). */
async function run<T>(call: (wb: Workbench) => unknown): Promise<T> {
  return invoke(fullBench(), call);
}

/** Calls whichever module holds the data: the small one until the full one is needed. */
async function runData<T>(call: (wb: DataBench) => unknown): Promise<T> {
  return invoke(dataBench(), call);
}

async function invoke<W, T>(bench: Promise<W>, call: (wb: W) => unknown): Promise<T> {
  let wb: W;
  try {
    wb = await bench;
  } catch (err) {
    throw asError(err);
  }
  try {
    if (globalThis.driftlabCrashNextCall === true) {
      globalThis.driftlabCrashNextCall = false;
      (wb as unknown as { crashForTests(): void }).crashForTests();
    }
    return call(wb) as T;
  } catch (err) {
    throw asError(err);
  }
}

const api: WorkbenchApi = {
  datasets: () => runData<DatasetInfo[]>((wb) => wb.datasets()),
  loadDataset: (name: string, options: DatasetOptions) =>
    runData<Loaded>((wb) => {
      const loaded = wb.loadDataset(name, options);
      remember({ kind: 'dataset', name, options: { ...options } });
      return loaded;
    }),
  loadCsv: async (bytes: Uint8Array, fileName: string, onProgress?: ReadProgressCallback) => {
    try {
      return await runData<Loaded>((wb) => {
        const loaded = wb.loadCsv(bytes, fileName, onProgress ?? null);
        remember({ kind: 'csv', bytes, fileName });
        return loaded;
      });
    } finally {
      releaseCallback(onProgress);
    }
  },
  profile: (target: string | null) => runData<Profile>((wb) => wb.profile(target)),
  modelKinds: () => runData<ModelKindInfo[]>((wb) => wb.modelKinds()),
  defaultPipeline: (target: string | null) => runData<PipelineSpec>((wb) => wb.defaultPipeline(target)),
  train: async (request: TrainRequest, onProgress?: ProgressCallback) => {
    // `onProgress` is a Comlink proxy of the page's function: each call posts one message,
    // which the page receives while training still runs here.
    try {
      const result = await run<TrainResult>((wb) => {
        const started = performance.now();
        const out = wb.train(request, onProgress ?? null) as TrainResult;
        return { ...out, train_ms: performance.now() - started } satisfies TrainOutcome;
      });
      return result as TrainOutcome;
    } finally {
      releaseCallback(onProgress);
    }
  },
  ...deployMethods(<T>(call: (wb: DeployWorkbench) => unknown) => run<T>((wb) => call(wb as unknown as DeployWorkbench))),
  thresholds: (positive: number, costFp: number, costFn: number) =>
    run<ThresholdTable>((wb) => wb.thresholds(positive, costFp, costFn)),
  exportBundle: (wasm: Uint8Array) => run<BundleFile[]>((wb) => wb.exportBundle(wasm)),
  decisionGrid: (size: number, maxPoints: number) => run<DecisionGrid>((wb) => wb.decisionGrid(size, maxPoints)),
  measureScoring: () => run<ScoringLatency>((wb) => measure(() => wb.scoreTestRows())),
  loadArtifact: (text: string) => run<unknown>((wb) => wb.loadArtifact(text)),
  scoreRows: (rows: unknown[]) => run<ScoredRow[]>((wb) => wb.scoreRows(rows)),
};

/** Repetitions of a scoring measurement; the median is reported. */
const REPETITIONS = 7;
/** Each repetition runs whole batches until at least this long, so the clock's grain is small. */
const MIN_REPETITION_MS = 15;

/** Times `score` (one batch, returns its rows): calibrate the batches per repetition, then the median µs/row. */
function measure(score: () => number): ScoringLatency {
  let rows = score(); // warm-up
  if (rows === 0) throw new Error('there are no test rows to time');
  let batches = 1;
  for (;;) {
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) rows = score();
    const ms = performance.now() - t0;
    if (ms >= MIN_REPETITION_MS || batches >= 1 << 16) break;
    batches *= ms <= 0 ? 16 : Math.min(16, Math.ceil((MIN_REPETITION_MS * 1.2) / ms));
  }
  const perRow: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) score();
    perRow.push(((performance.now() - t0) * 1000) / (batches * rows));
  }
  perRow.sort((a, b) => a - b);
  return { us_per_row: perRow[REPETITIONS >> 1]!, rows, repetitions: REPETITIONS, batches };
}

/** Frees the page's side of a proxied callback once training no longer needs it. */
function releaseCallback(callback: unknown): void {
  const release = (callback as { [Comlink.releaseProxy]?: () => void } | undefined)?.[Comlink.releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

Comlink.expose(api);
