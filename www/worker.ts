// The module Web Worker that owns the Wasm core. It holds one `Workbench` and answers the
// main thread through Comlink; nothing else in the page imports the Wasm.
import * as Comlink from 'comlink';
import init, { Workbench } from '../pkg/driftlab.js';
import { deployMethods, type DeployWorkbench } from './deploy/api';
import type {
  BundleFile, DatasetInfo, DatasetOptions, Loaded, ModelKindInfo, PipelineSpec, Profile, ProgressCallback, ScoredRow, ThresholdTable,
  TrainOutcome, TrainRequest, TrainResult, WorkbenchApi,
} from './types';

let bench: Promise<Workbench> | null = null;

function workbench(): Promise<Workbench> {
  if (bench) return bench;
  const starting = init()
    .then(() => new Workbench())
    .catch((err: unknown) => {
      bench = null; // let the next call try again
      throw asError(err);
    });
  bench = starting;
  return starting;
}

/** Errors cross the worker boundary as `Error`s (Comlink keeps `name` and `message`). */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err) ?? String(err));
}

async function run<T>(call: (wb: Workbench) => unknown): Promise<T> {
  const wb = await workbench();
  try {
    return call(wb) as T;
  } catch (err) {
    throw asError(err);
  }
}

const api: WorkbenchApi = {
  datasets: () => run<DatasetInfo[]>((wb) => wb.datasets()),
  loadDataset: (name: string, options: DatasetOptions) =>
    run<Loaded>((wb) => wb.loadDataset(name, options)),
  loadCsv: (bytes: Uint8Array, fileName: string) => run<Loaded>((wb) => wb.loadCsv(bytes, fileName)),
  profile: (target: string | null) => run<Profile>((wb) => wb.profile(target)),
  modelKinds: () => run<ModelKindInfo[]>((wb) => wb.modelKinds()),
  defaultPipeline: (target: string | null) => run<PipelineSpec>((wb) => wb.defaultPipeline(target)),
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
  scoreRows: (rows: unknown[]) => run<ScoredRow[]>((wb) => wb.scoreRows(rows)),
};

/** Frees the page's side of a proxied callback once training no longer needs it. */
function releaseCallback(callback: unknown): void {
  const release = (callback as { [Comlink.releaseProxy]?: () => void } | undefined)?.[Comlink.releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

Comlink.expose(api);
