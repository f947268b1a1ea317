// The module Web Worker that owns the Wasm core. It answers the main thread through
// Comlink from one `Workbench` — the small data module's until a call needs the full one
// (engine.ts) — and nothing else in the page imports the Wasm.
import * as Comlink from 'comlink';
import type { Workbench } from '../pkg/driftlab.js';
import { dataBench, fullBench, remember, type DataBench } from './engine';
import { deployMethods, type DeployWorkbench } from './deploy/api';
import type {
  BundleFile, DatasetInfo, DatasetOptions, Loaded, ModelKindInfo, PipelineSpec, Profile, ProgressCallback, ThresholdTable,
  TrainOutcome, TrainRequest, TrainResult, WorkbenchApi,
} from './types';

/** Errors cross the worker boundary as `Error`s (Comlink keeps `name` and `message`). */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err) ?? String(err));
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
  loadCsv: (bytes: Uint8Array, fileName: string) =>
    runData<Loaded>((wb) => {
      const loaded = wb.loadCsv(bytes, fileName);
      remember({ kind: 'csv', bytes, fileName });
      return loaded;
    }),
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
};

/** Frees the page's side of a proxied callback once training no longer needs it. */
function releaseCallback(callback: unknown): void {
  const release = (callback as { [Comlink.releaseProxy]?: () => void } | undefined)?.[Comlink.releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

Comlink.expose(api);
