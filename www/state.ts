// The page state that a shared link carries, kept in the URL hash
// (`#view=data&dataset=fraud&rows=2000&seed=42`). One declarative table of fields says
// how each is named, parsed, checked and defaulted; the page reads it at start.

export const VIEWS = ['data', 'model', 'deploy', 'monitor', 'feedback', 'edge'] as const;
export type View = (typeof VIEWS)[number];

export interface State {
  /** The panel on screen. */
  view: View;
  /** A built-in dataset name, as the CLI spells it. */
  dataset: string;
  /** Rows to generate or sample; `null` means the dataset's default. */
  rows: number | null;
  /** Seed for the dataset generator, so a link reproduces the same rows. */
  seed: number;
}

interface Field<K extends keyof State> {
  key: K;
  default: State[K];
  /** Turns the raw hash value into a value, or `undefined` if it is not valid. */
  parse(raw: string): State[K] | undefined;
  /** Written to the hash unless it equals the default and `always` is false. */
  always: boolean;
}

function int(min: number, max: number) {
  return (raw: string): number | undefined => {
    if (!/^\d+$/.test(raw)) return undefined;
    const n = Number(raw);
    return n >= min && n <= max ? n : undefined;
  };
}

const FIELDS: { [K in keyof State]: Field<K> } = {
  view: {
    key: 'view',
    default: 'data',
    always: false,
    parse: (raw) => (VIEWS as readonly string[]).includes(raw) ? (raw as View) : undefined,
  },
  dataset: {
    key: 'dataset',
    default: 'fraud',
    always: true,
    parse: (raw) => (/^[a-z0-9_]{1,64}$/.test(raw) ? raw : undefined),
  },
  rows: {
    key: 'rows',
    default: null,
    always: false,
    parse: int(1, 10_000_000),
  },
  seed: {
    key: 'seed',
    default: 42,
    always: true,
    parse: int(0, 2 ** 32 - 1),
  },
};

const ORDER: (keyof State)[] = ['view', 'dataset', 'rows', 'seed'];

export function defaults(): State {
  return { view: FIELDS.view.default, dataset: FIELDS.dataset.default, rows: FIELDS.rows.default, seed: FIELDS.seed.default };
}

/** Reads a state from a hash such as `#dataset=wine`; unknown or invalid values take defaults. */
export function parseHash(hash: string): State {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = defaults();
  for (const key of ORDER) {
    const raw = params.get(key);
    if (raw === null) continue;
    const value = FIELDS[key].parse(raw);
    if (value !== undefined) (state as unknown as Record<string, unknown>)[key] = value;
  }
  return state;
}

/** Writes a state as a hash, leaving out fields that are at their default. */
export function formatHash(state: State): string {
  const params = new URLSearchParams();
  for (const key of ORDER) {
    const field = FIELDS[key];
    const value = state[key];
    if (value === null || (!field.always && value === field.default)) continue;
    params.set(key, String(value));
  }
  return `#${params.toString()}`;
}

/** Replaces the current hash without adding a history entry or firing `hashchange`. */
export function writeHash(state: State): void {
  const hash = formatHash(state);
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}
