// The worker's two builds of the Wasm core. The page starts on the data module
// (pkg/light: read, profile, preview, list the model kinds — the core built without the
// `train` feature, about a quarter of the full size), so the first load stays small. The
// first call that needs anything more (a trainer, the registry, the monitor, an export)
// loads the full module (pkg/), replays the loaded table into it, and from then on the
// full module answers every call and the data module is dropped.
import initData, { Data as LightData } from '../pkg/light/driftlab.js';
import type { DatasetOptions, Handles } from './protocol';

/** The data module has the data handle only; the full one has them all. */
export type DataModule = Pick<Handles, 'data'>;

/** The last table that loaded cleanly, to load again into the full module. */
export type Replay =
  | { kind: 'dataset'; name: string; options: DatasetOptions }
  | { kind: 'csv'; bytes: Uint8Array; fileName: string };

let light: Promise<DataModule> | null = null;
let full: Promise<Handles> | null = null;
let lastLoad: Replay | null = null;

/** A failed start is forgotten, so the next call tries again. */
function starting<T>(start: () => Promise<T>, forget: () => void): Promise<T> {
  return start().catch((err: unknown) => {
    forget();
    throw err;
  });
}

/** The module for data calls: the full one once it is loading or loaded, else the small one. */
export function dataModule(): Promise<DataModule> {
  if (full) return full;
  light ??= starting(
    async () => {
      await initData();
      // the light module's Data is the full one's without the trainers behind it
      return { data: new LightData() as unknown as Handles['data'] };
    },
    () => (light = null),
  );
  return light;
}

/** The full module, loaded on first use with the last table replayed into it. */
export function fullModule(): Promise<Handles> {
  full ??= starting(
    async () => {
      const wasm = await import('../pkg/driftlab.js');
      await wasm.default();
      const data = new wasm.Data();
      const model = new wasm.Model(data);
      const deploy = new wasm.Deploy(model);
      const replay = lastLoad;
      if (replay?.kind === 'dataset') data.loadDataset(replay.name, replay.options);
      if (replay?.kind === 'csv') data.loadCsv(replay.bytes, replay.fileName, null);
      // the full module holds the table now; the small one and the kept bytes can go
      lastLoad = null;
      light = null;
      return { data, model, deploy };
    },
    () => (full = null),
  );
  return full;
}

/** Notes a table that loaded cleanly (a no-op once the full module is live). */
export function remember(replay: Replay): void {
  lastLoad = full ? null : replay;
}
