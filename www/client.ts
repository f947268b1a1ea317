// The main thread's typed client for the Wasm worker. It owns the worker's life: if the
// worker dies (an `error` event, or a call that fails with a Wasm `RuntimeError` such as
// `unreachable` after a panic), it reports what happened, starts a fresh worker and
// reloads the last dataset that loaded cleanly, so the page keeps working.
import * as Comlink from 'comlink';
import type { DeployApi } from './deploy/api';
import type {
  BundleFile, DatasetInfo, DatasetOptions, Loaded, ModelKindInfo, PipelineSpec, Profile, ProgressCallback, ScoredRow, ThresholdTable,
  TrainOutcome, TrainRequest, WorkbenchApi,
} from './types';

/** How to bring a fresh worker back to the last good table. */
type Replay =
  | { kind: 'dataset'; name: string; options: DatasetOptions }
  | { kind: 'csv'; bytes: Uint8Array; fileName: string };

/** Raised to callers when the engine crashed during their call; it has been restarted. */
export class EngineCrashed extends Error {
  override name = 'EngineCrashed';
}

export type CrashListener = (message: string) => void;

const MAX_RESTARTS = 3;

function isFatal(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'RuntimeError' ||
    err.name === 'WorkerDied' ||
    /\bunreachable\b|memory access out of bounds/i.test(err.message)
  );
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

export class WorkbenchClient {
  private worker!: Worker;
  private remote!: Comlink.Remote<WorkbenchApi>;
  /** Rejects when the current worker dies; every call races against it. */
  private died!: Promise<never>;
  private lastGood: Replay | null = null;
  private restarts = 0;
  /** Set once the engine has crashed too often to be restarted. */
  private dead: string | null = null;
  private listeners: CrashListener[] = [];

  constructor() {
    this.start();
  }

  /** Called with a plain-words message each time the engine crashes and is restarted. */
  onCrash(listener: CrashListener): void {
    this.listeners.push(listener);
  }

  datasets(): Promise<DatasetInfo[]> {
    return this.call((api) => api.datasets());
  }

  async loadDataset(name: string, options: DatasetOptions): Promise<Loaded> {
    const loaded = await this.call((api) => api.loadDataset(name, options));
    this.lastGood = { kind: 'dataset', name, options: { ...options } };
    return loaded;
  }

  async loadCsv(bytes: Uint8Array, fileName: string): Promise<Loaded> {
    const keep = bytes.slice(); // the original is transferred to the worker
    const loaded = await this.call((api) => api.loadCsv(Comlink.transfer(bytes, [bytes.buffer]), fileName));
    this.lastGood = { kind: 'csv', bytes: keep, fileName };
    return loaded;
  }

  profile(target: string | null): Promise<Profile> {
    return this.call((api) => api.profile(target));
  }

  modelKinds(): Promise<ModelKindInfo[]> {
    return this.call((api) => api.modelKinds());
  }

  defaultPipeline(target: string | null): Promise<PipelineSpec> {
    return this.call((api) => api.defaultPipeline(target));
  }

  /**
   * Trains on the loaded table. `onProgress` is called on this thread as each stage of
   * training reports, while the worker is still busy.
   */
  train(request: TrainRequest, onProgress?: ProgressCallback): Promise<TrainOutcome> {
    return this.call((api) =>
      onProgress ? api.train(request, Comlink.proxy(onProgress)) : api.train(request));
  }

  /** The threshold table of the last trained classifier, for class index `positive`. */
  thresholds(positive: number, costFp: number, costFn: number): Promise<ThresholdTable> {
    return this.call((api) => api.thresholds(positive, costFp, costFn));
  }

  /** A call to the deploy half of the worker (registry, scenario, monitor, retraining). */
  deploy<K extends keyof DeployApi>(
    method: K,
    ...args: Parameters<DeployApi[K]>
  ): Promise<Awaited<ReturnType<DeployApi[K]>>> {
    type Out = Promise<Awaited<ReturnType<DeployApi[K]>>>;
    return this.call((api) => (api[method] as unknown as (...a: unknown[]) => Out)(...args));
  }

  /** The edge bundle (files by name) of the last trained model; `wasm` is the edge scorer. */
  exportBundle(wasm: Uint8Array): Promise<BundleFile[]> {
    return this.call((api) => api.exportBundle(wasm));
  }

  /** Scores rows with the last trained model, in the playground's Wasm. */
  scoreRows(rows: unknown[]): Promise<ScoredRow[]> {
    return this.call((api) => api.scoreRows(rows));
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'driftlab' });
    this.remote = Comlink.wrap<WorkbenchApi>(this.worker);
    this.died = new Promise<never>((_, reject) => {
      const fail = (event: Event) => {
        event.preventDefault();
        const detail = event instanceof ErrorEvent && event.message ? event.message : 'the worker could not start or stopped';
        const err = new Error(detail);
        err.name = 'WorkerDied';
        reject(err);
      };
      this.worker.addEventListener('error', fail);
      this.worker.addEventListener('messageerror', fail);
    });
    this.died.catch(() => {}); // observed by `call`; avoid an unhandled rejection
  }

  private async call<T>(fn: (api: Comlink.Remote<WorkbenchApi>) => Promise<T>): Promise<T> {
    if (this.dead) throw new EngineCrashed(this.dead);
    try {
      const result = await Promise.race([fn(this.remote), this.died]);
      this.restarts = 0;
      return result;
    } catch (err) {
      if (!isFatal(err)) throw err;
      throw await this.restart(err);
    }
  }

  /** Replace a dead worker and replay the last good load; returns the error for the caller. */
  private async restart(cause: unknown): Promise<Error> {
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    const what = `The data engine stopped (${describe(cause)}).`;
    if (this.restarts >= MAX_RESTARTS) {
      const message = `${what} It failed ${MAX_RESTARTS} times in a row, so it was not restarted; reload the page to try again.`;
      this.dead = message;
      this.notify(message);
      return new EngineCrashed(message);
    }
    this.restarts += 1;
    this.start();
    let message = `${what} It was restarted`;
    const replay = this.lastGood;
    if (replay) {
      try {
        await Promise.race([
          replay.kind === 'dataset'
            ? this.remote.loadDataset(replay.name, replay.options)
            : this.remote.loadCsv(replay.bytes.slice(), replay.fileName),
          this.died,
        ]);
        message += ` and ${replay.kind === 'dataset' ? replay.name : replay.fileName} was reloaded.`;
      } catch (err) {
        message += `, but reloading the last table failed: ${describe(err)}.`;
      }
    } else {
      message += '.';
    }
    this.notify(message);
    return new EngineCrashed(message);
  }

  private notify(message: string): void {
    for (const listener of this.listeners) listener(message);
  }
}
