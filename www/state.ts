// The page state that a shared link carries, kept in the URL hash
// (`#view=model&dataset=fraud&seed=42&model=tree&p.max_depth=4`). One declarative table of
// fields says how each is named, parsed, checked and defaulted; the page reads it at start.
// Hyperparameters travel as `p.<name>=<value>` and preprocessing steps as
// `c.<column>=<step>` (see `encodeStep` in panels/pipeline.ts), only those that differ
// from the default.

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
  /** Drift of a dataset that takes it (fraud), 0 to 1; `null` means none. */
  drift: number | null;
  /** The name of an uploaded file (with `dataset=uploaded`): a link cannot carry the file. */
  file: string | null;
  /** A model was trained with these settings: opening the link trains it again (seeded). */
  trained: boolean;
  /** The model kind, as the CLI spells it. */
  model: string;
  /** The target column; `null` means the dataset's own target, `''` none (clustering). */
  target: string | null;
  /** What a numeric target means for kinds that do both. */
  task: TaskChoice;
  /** Share of the rows held out for testing; `null` means the core's default. */
  test: number | null;
  /** Seed of the train/test split and of the model's own randomness; `null` means the core's default. */
  trainSeed: number | null;
  /** Hyperparameters that differ from the kind's defaults, as text. */
  params: Record<string, string>;
  /** Preprocessing steps that differ from the defaults: column → short form. */
  prep: Record<string, string>;
  /** The open step of the guided tour (1-based), or `null` when it is closed. */
  tour: number | null;
}

export type TaskChoice = 'auto' | 'classification' | 'regression';
const TASKS: readonly TaskChoice[] = ['auto', 'classification', 'regression'];

/** Hash keys of hyperparameters: `p.alpha=0.5`. */
const PARAM_PREFIX = 'p.';
const PARAM_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const PARAM_VALUE = /^[A-Za-z0-9_.+-]{1,40}$/;
/** Hash keys of preprocessing steps: `c.amount=median.robust`. */
const PREP_PREFIX = 'c.';
const PREP_VALUE = /^[a-z0-9_.+-]{1,40}$/;

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

type Scalar = Exclude<keyof State, 'params' | 'prep'>;

/** The `dataset` of a link made on an uploaded file. */
export const UPLOADED = 'uploaded';

const FIELDS: { [K in Scalar]: Field<K> } = {
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
  drift: {
    key: 'drift',
    default: null,
    always: false,
    parse: (raw) => {
      if (!/^(0(\.\d{1,3})?|1(\.0{1,3})?)$/.test(raw)) return undefined;
      const n = Number(raw);
      return n > 0 && n <= 1 ? n : undefined;
    },
  },
  file: {
    key: 'file',
    default: null,
    always: false,
    parse: (raw) => (raw.length > 0 && raw.length <= 256 ? raw : undefined),
  },
  trained: {
    key: 'trained',
    default: false,
    always: false,
    parse: (raw) => (raw === '1' ? true : raw === '0' ? false : undefined),
  },
  model: {
    key: 'model',
    default: 'logistic',
    always: false,
    parse: (raw) => (/^[a-z][a-z0-9-]{0,31}$/.test(raw) ? raw : undefined),
  },
  target: {
    key: 'target',
    default: null,
    always: false,
    // empty: no target (clustering)
    parse: (raw) => (raw.length <= 256 ? raw : undefined),
  },
  task: {
    key: 'task',
    default: 'auto',
    always: false,
    parse: (raw) => (TASKS as readonly string[]).includes(raw) ? (raw as TaskChoice) : undefined,
  },
  test: {
    key: 'test',
    default: null,
    always: false,
    parse: (raw) => {
      if (!/^0?\.\d{1,4}$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= 0.05 && n <= 0.9 ? n : undefined;
    },
  },
  trainSeed: {
    key: 'trainSeed',
    default: null,
    always: false,
    parse: int(0, 2 ** 32 - 1),
  },
  tour: {
    key: 'tour',
    default: null,
    always: false,
    parse: int(1, 99),
  },
};

/** Hash key of each field (the state's names, except where a shorter word reads better). */
const KEYS: { [K in Scalar]: string } = {
  view: 'view', dataset: 'dataset', rows: 'rows', seed: 'seed', drift: 'drift', file: 'file', trained: 'trained',
  model: 'model', target: 'target', task: 'task', test: 'test', trainSeed: 'split_seed', tour: 'tour',
};

const ORDER: Scalar[] = ['view', 'dataset', 'file', 'rows', 'seed', 'drift', 'model', 'target', 'task', 'test', 'trainSeed', 'trained', 'tour'];

export function defaults(): State {
  const state = { params: {}, prep: {} } as unknown as Record<string, unknown>;
  for (const key of ORDER) state[key] = FIELDS[key].default;
  return state as unknown as State;
}

/** Reads a state from a hash such as `#dataset=wine`; unknown or invalid values take defaults. */
export function parseHash(hash: string): State {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = defaults();
  for (const key of ORDER) {
    const raw = params.get(KEYS[key]);
    if (raw === null) continue;
    const value = FIELDS[key].parse(raw);
    if (value !== undefined) (state as unknown as Record<string, unknown>)[key] = value;
  }
  for (const [key, raw] of params) {
    if (!key.startsWith(PARAM_PREFIX)) continue;
    const name = key.slice(PARAM_PREFIX.length);
    if (PARAM_NAME.test(name) && PARAM_VALUE.test(raw)) state.params[name] = raw;
  }
  for (const [key, raw] of params) {
    if (!key.startsWith(PREP_PREFIX)) continue;
    const column = key.slice(PREP_PREFIX.length);
    if (column.length > 0 && column.length <= 256 && PREP_VALUE.test(raw)) state.prep[column] = raw;
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
    params.set(KEYS[key], typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  for (const name of Object.keys(state.params).sort()) {
    const value = state.params[name];
    if (value !== undefined && PARAM_NAME.test(name) && PARAM_VALUE.test(value)) params.set(`${PARAM_PREFIX}${name}`, value);
  }
  for (const column of Object.keys(state.prep).sort()) {
    const value = state.prep[column];
    if (value !== undefined && column.length <= 256 && PREP_VALUE.test(value)) params.set(`${PREP_PREFIX}${column}`, value);
  }
  return `#${params.toString()}`;
}

/** Replaces the current hash without adding a history entry or firing `hashchange`. */
export function writeHash(state: State): void {
  const hash = formatHash(state);
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}
