// The JSON shapes that cross the Wasm boundary (src/wasm.rs), written out by hand so the
// page does not depend on wasm-bindgen's generated declarations for them.

/** One cell of a table preview; `null` is a missing value. */
export type Cell = number | string | boolean | null;

export type ColumnKind = 'numeric' | 'categorical' | 'boolean';

export type Task = 'classification' | 'regression';

/** A built-in dataset, as listed by `Workbench.datasets()`. */
export interface DatasetInfo {
  name: string;
  title: string;
  description: string;
  task: Task;
  target: string | null;
  default_rows: number;
  max_rows: number;
  features: number;
  generated: boolean;
  source: string;
  license: string;
}

/** Options for a built-in dataset; anything left out takes the core's default. */
export interface DatasetOptions {
  rows?: number;
  seed?: number;
  drift?: number;
}

/** A data-quality finding, for the whole table (`column: null`) or one column. */
export interface Warning {
  code: string;
  column: string | null;
  message: string;
}

export interface Quantile {
  q: number;
  value: number;
}

export interface Histogram {
  /** `counts.length + 1` bin edges, ascending. */
  edges: number[];
  counts: number[];
}

export interface NumericSummary {
  min: number;
  max: number;
  mean: number;
  std: number;
  infinite: number;
  /** True when every finite value is a whole number (the core sends it; optional here). */
  integer?: boolean;
  quantiles: Quantile[];
  histogram: Histogram;
}

export interface CategoryCount {
  value: string;
  count: number;
}

export interface CategorySummary {
  distinct: number;
  top: CategoryCount[];
  /** Rows whose value is not among `top`. */
  other: number;
}

export interface ColumnProfile {
  name: string;
  kind: ColumnKind;
  count: number;
  missing: number;
  distinct: number;
  distinct_exact: boolean;
  warnings: Warning[];
  numeric?: NumericSummary;
  categories?: CategorySummary;
}

export interface Profile {
  rows: number;
  /** The target column the class-balance check used (the core sends it; optional here). */
  target?: string | null;
  duplicate_rows: number;
  columns: ColumnProfile[];
  warnings: Warning[];
}

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
}

export interface Preview {
  columns: string[];
  rows: Cell[][];
}

/** What a load returns: the table's shape, its first rows, its profile, and notes. */
export interface Loaded {
  name: string;
  rows: number;
  columns: ColumnInfo[];
  preview: Preview;
  profile: Profile;
  notes: string[];
}

/** The worker's API as the main thread sees it (every call is asynchronous). */
export interface WorkbenchApi {
  datasets(): Promise<DatasetInfo[]>;
  loadDataset(name: string, options: DatasetOptions): Promise<Loaded>;
  loadCsv(bytes: Uint8Array, fileName: string): Promise<Loaded>;
  profile(target: string | null): Promise<Profile>;
}
