// The main thread's typed client for the Wasm worker. It owns the worker's life: if the
// worker dies (an `error` event, or a call that fails with a Wasm `RuntimeError` such as
// `unreachable` after a panic), it reports what happened, starts a fresh worker, reloads
// the last dataset that loaded cleanly and the last model trained or loaded (from its
// artifact), so the page keeps working; the panels keep their own settings on screen.
import * as Comlink from 'comlink';
import type {
  Answer, Args, DatasetOptions, Defaults, Handle, Loaded, Method, OnnxImported, ProgressCallback, ReadProgressCallback,
  ScoringLatency, TrainOutcome, TrainSettings,
} from './protocol';
import type { WorkerApi } from './worker';

/** How to bring a fresh worker back to the last good table. */
type Replay =
  | { kind: 'dataset'; name: string; options: DatasetOptions }
  | { kind: 'csv'; source: Blob; fileName: string };

/** Raised to callers when the engine crashed during their call; it has been restarted. */
export class EngineCrashed extends Error {
  override name = 'EngineCrashed';
}

/** Raised to the caller whose call was cancelled; the engine has been restarted. */
export class Cancelled extends Error {
  override name = 'Cancelled';
}

/** `crash` after a real crash, `cancel` after `cancel()` stopped a call on purpose. */
export type CrashListener = (message: string, why: 'crash' | 'cancel') => void;

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

/** The worker's generic call, typed again (Comlink's `Remote` drops a method's type parameters). */
function forward<H extends Handle, M extends Method<H>>(
  api: Comlink.Remote<WorkerApi>, handle: H, method: M, ...args: Args<H, M>
): Promise<Awaited<Answer<H, M>>> {
  type Call = (handle: H, method: M, ...args: Args<H, M>) => Promise<Awaited<Answer<H, M>>>;
  return (api.call as unknown as Call)(handle, method, ...args);
}

export class WorkbenchClient {
  private worker!: Worker;
  private remote!: Comlink.Remote<WorkerApi>;
  /** Rejects when the current worker dies; every call races against it. */
  private died!: Promise<never>;
  /** Rejects `died` on purpose (a cancel). */
  private kill!: (err: Error) => void;
  /** Calls running now. */
  private busy = 0;
  private lastGood: Replay | null = null;
  /** The artifact (JSON text) of the last model trained or loaded, and what to call it. */
  private lastModel: { artifact: string; name: string } | null = null;
  private restarts = 0;
  /** Set once the engine has crashed too often to be restarted. */
  private dead: string | null = null;
  private listeners: CrashListener[] = [];
  private defaultsAsked: Promise<Defaults> | null = null;

  constructor() {
    this.start();
  }

  /** Whether a call is running in the worker (so `cancel` has something to stop). */
  get working(): boolean {
    return this.busy > 0;
  }

  /**
   * Stops the call running in the worker (a training): Wasm runs synchronously there, so
   * the only way to stop it is to end the worker. A fresh one is started with the last
   * table and the last model, as after a crash; the caller's call rejects with `Cancelled`
   * and the listeners hear why `cancel`, so the deploy panels read their saved session back.
   */
  cancel(): void {
    if (this.busy === 0) return;
    this.kill(new Cancelled('stopped on request'));
  }

  /** Called with a plain-words message each time the engine crashes and is restarted. */
  onCrash(listener: CrashListener): void {
    this.listeners.push(listener);
  }

  /**
   * Calls `method` of the worker's `handle` (`data`, `model` or `deploy`), typed from the
   * generated classes: `client.call('deploy', 'step')` answers a `StepReport`.
   */
  call<H extends Handle, M extends Method<H>>(handle: H, method: M, ...args: Args<H, M>): Promise<Awaited<Answer<H, M>>> {
    return this.run((api) => forward(api, handle, method, ...args));
  }

  /** A call to the data handle (the loaded table). */
  data<M extends Method<'data'>>(method: M, ...args: Args<'data', M>): Promise<Awaited<Answer<'data', M>>> {
    return this.call('data', method, ...args);
  }

  /** A call to the model handle (training and the last model). */
  model<M extends Method<'model'>>(method: M, ...args: Args<'model', M>): Promise<Awaited<Answer<'model', M>>> {
    return this.call('model', method, ...args);
  }

  /** A call to the deploy handle (registry, scenario, monitor, retraining, serving). */
  deploy<M extends Method<'deploy'>>(method: M, ...args: Args<'deploy', M>): Promise<Awaited<Answer<'deploy', M>>> {
    return this.call('deploy', method, ...args);
  }

  /** The core's defaults (asked once). */
  defaults(): Promise<Defaults> {
    this.defaultsAsked ??= this.data('defaults').catch((err: unknown) => {
      this.defaultsAsked = null;
      throw err;
    });
    return this.defaultsAsked;
  }

  async loadDataset(name: string, options: DatasetOptions): Promise<Loaded> {
    const loaded = await this.run((api) => api.loadDataset(name, options));
    this.lastGood = { kind: 'dataset', name, options: { ...options } };
    return loaded;
  }

  /**
   * Loads CSV bytes, which are moved (transferred) to the worker; `onProgress(bytesRead,
   * totalBytes)` is called here as the worker reads. `source` (the picked `File`) is kept
   * for a restart instead of a copy of the bytes, so a 100 MB file is never copied here.
   */
  async loadCsv(bytes: Uint8Array, fileName: string, onProgress?: ReadProgressCallback, source?: Blob): Promise<Loaded> {
    const keep = source ?? new Blob([bytes.slice()]);
    const loaded = await this.run((api) => {
      const moved = Comlink.transfer(bytes, [bytes.buffer]);
      return onProgress ? api.loadCsv(moved, fileName, Comlink.proxy(onProgress)) : api.loadCsv(moved, fileName);
    });
    this.lastGood = { kind: 'csv', source: keep, fileName };
    return loaded;
  }

  /** The last model's batch-scoring time per row on its test rows, measured in the worker. */
  measureScoring(): Promise<ScoringLatency> {
    return this.run((api) => api.measureScoring());
  }

  /** Makes a model artifact (JSON text) the current model, e.g. from a project file. */
  async loadArtifact(text: string, name: string): Promise<void> {
    await this.model('loadArtifact', text);
    this.lastModel = { artifact: text, name };
  }

  /**
   * Imports an ONNX model and makes it the current model (kept, like a trained one, to be
   * restored after a restart). The reference is `csv` (a picked file's bytes) or, when
   * `null`, the loaded table; `target` is its target column (`null`: guessed).
   */
  async importOnnx(onnx: Uint8Array, csv: { bytes: Uint8Array; name: string } | null, target: string | null, name: string): Promise<OnnxImported> {
    const imported = await this.model('importOnnx', onnx, csv?.bytes ?? null, csv?.name ?? null, target, new Date().toISOString());
    this.lastModel = { artifact: imported.artifact, name };
    return imported;
  }

  /**
   * Trains on the loaded table. `onProgress` is called on this thread as each stage of
   * training reports, while the worker is still busy.
   */
  async train(settings: TrainSettings, onProgress?: ProgressCallback): Promise<TrainOutcome> {
    const outcome = await this.run((api) =>
      onProgress ? api.train(settings, Comlink.proxy(onProgress)) : api.train(settings));
    this.lastModel = { artifact: outcome.artifact, name: outcome.kind };
    return outcome;
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'driftlab' });
    this.remote = Comlink.wrap<WorkerApi>(this.worker);
    this.died = new Promise<never>((_, reject) => {
      this.kill = reject;
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

  private async run<T>(fn: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
    if (this.dead) throw new EngineCrashed(this.dead);
    this.busy += 1;
    try {
      const result = await Promise.race([fn(this.remote), this.died]);
      this.restarts = 0;
      return result;
    } catch (err) {
      if (err instanceof Cancelled) throw await this.restart(err, 'cancel');
      if (!isFatal(err)) throw err;
      throw await this.restart(err);
    } finally {
      this.busy -= 1;
    }
  }

  /** Replace a dead worker and replay the last good load; returns the error for the caller. */
  private async restart(cause: unknown, why: 'crash' | 'cancel' = 'crash'): Promise<Error> {
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    const what = why === 'cancel' ? 'Cancelled.' : `The data engine stopped (${describe(cause)}).`;
    if (why === 'crash' && this.restarts >= MAX_RESTARTS) {
      const message = `${what} It failed ${MAX_RESTARTS} times in a row, so it was not restarted; reload the page to try again.`;
      this.dead = message;
      this.notify(message);
      return new EngineCrashed(message);
    }
    if (why === 'crash') this.restarts += 1;
    this.start();
    let message = why === 'cancel' ? `${what} The engine was restarted` : `${what} It was restarted`;
    const replay = this.lastGood;
    if (replay) {
      try {
        await Promise.race([
          replay.kind === 'dataset'
            ? this.remote.loadDataset(replay.name, replay.options)
            : replay.source.arrayBuffer().then((buffer) =>
              this.remote.loadCsv(Comlink.transfer(new Uint8Array(buffer), [buffer]), replay.fileName)),
          this.died,
        ]);
        message += ` and ${replay.kind === 'dataset' ? replay.name : replay.fileName} was reloaded`;
      } catch (err) {
        message += `, but reloading the last table failed: ${describe(err)}`;
      }
    }
    const model = this.lastModel;
    if (model) {
      try {
        await Promise.race([forward(this.remote, 'model', 'loadArtifact', model.artifact), this.died]);
        message += `; the last model (${model.name}) was restored from its artifact`;
      } catch (err) {
        message += `; restoring the last model failed (${describe(err)}), so train it again`;
      }
    }
    message += '.';
    this.notify(message, why);
    return why === 'cancel' ? new Cancelled(message) : new EngineCrashed(message);
  }

  private notify(message: string, why: 'crash' | 'cancel' = 'crash'): void {
    for (const listener of this.listeners) listener(message, why);
  }
}
