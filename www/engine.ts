// The worker's two builds of the Wasm core. The page starts on the data module
// (pkg/light: read, profile, preview, list the model kinds — the core built without the
// `train` feature, about a quarter of the full size), so the first load stays small. The
// first call that needs anything more (a trainer, the registry, the monitor, an export)
// loads the full module (pkg/), replays the loaded table into it, and from then on the
// full module answers every call and the data module is dropped.
import initData, { Workbench as DataWorkbench } from '../pkg/light/driftlab.js';
import type { Workbench } from '../pkg/driftlab.js';
import type { DatasetOptions } from './types';

/** The calls both modules answer alike. */
export type DataBench = Pick<
  Workbench,
  'datasets' | 'loadDataset' | 'loadCsv' | 'profile' | 'modelKinds' | 'defaultPipeline'
>;

/** The last table that loaded cleanly, to load again into the full module. */
export type Replay =
  | { kind: 'dataset'; name: string; options: DatasetOptions }
  | { kind: 'csv'; bytes: Uint8Array; fileName: string };

let data: Promise<DataBench> | null = null;
let full: Promise<Workbench> | null = null;
let lastLoad: Replay | null = null;

/** A failed start is forgotten, so the next call tries again. */
function starting<T>(start: () => Promise<T>, forget: () => void): Promise<T> {
  return start().catch((err: unknown) => {
    forget();
    throw err;
  });
}

/** The module for data calls: the full one once it is loading or loaded, else the small one. */
export function dataBench(): Promise<DataBench> {
  if (full) return full;
  data ??= starting(
    async () => {
      await initData();
      return new DataWorkbench() as unknown as DataBench;
    },
    () => (data = null),
  );
  return data;
}

/** The full module, loaded on first use with the last table replayed into it. */
export function fullBench(): Promise<Workbench> {
  full ??= starting(
    async () => {
      const wasm = await import('../pkg/driftlab.js');
      await wasm.default();
      const wb = new wasm.Workbench();
      const replay = lastLoad;
      if (replay?.kind === 'dataset') wb.loadDataset(replay.name, replay.options);
      if (replay?.kind === 'csv') wb.loadCsv(replay.bytes, replay.fileName, null);
      // the full module holds the table now; the small one and the kept bytes can go
      lastLoad = null;
      data = null;
      return wb;
    },
    () => (full = null),
  );
  return full;
}

/** Notes a table that loaded cleanly (a no-op once the full module is live). */
export function remember(replay: Replay): void {
  lastLoad = full ? null : replay;
}
