// The JSON shapes that cross the Wasm boundary (src/wasm.rs), written out by hand so the
// page does not depend on wasm-bindgen's generated declarations for them.
import type { DeployApi } from './deploy/api';

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
/** The worker's API: the Data and Model calls here, the deploy half in `deploy/api.ts`. */
export interface WorkbenchApi extends DeployApi {
  datasets(): Promise<DatasetInfo[]>;
  loadDataset(name: string, options: DatasetOptions): Promise<Loaded>;
  /** `onProgress` (bytes read, total bytes) must be wrapped with `Comlink.proxy` by the caller. */
  loadCsv(bytes: Uint8Array, fileName: string, onProgress?: ReadProgressCallback): Promise<Loaded>;
  profile(target: string | null): Promise<Profile>;
  modelKinds(): Promise<ModelKindInfo[]>;
  defaultPipeline(target: string | null): Promise<PipelineSpec>;
  /** `onProgress` must be wrapped with `Comlink.proxy` by the caller. */
  train(request: TrainRequest, onProgress?: ProgressCallback): Promise<TrainOutcome>;
  thresholds(positive: number, costFp: number, costFn: number): Promise<ThresholdTable>;
  /** The edge bundle of the last trained model; `wasm` is pkg/edge/driftlab_edge.wasm. */
  exportBundle(wasm: Uint8Array): Promise<BundleFile[]>;
  /** The last trained classifier on a `size × size` grid of its two numeric inputs. */
  decisionGrid(size: number, maxPoints: number): Promise<DecisionGrid>;
  /** Batch-scores the last model's test rows repeatedly; the median time per row. */
  measureScoring(): Promise<ScoringLatency>;
  /** Loads a model artifact (JSON text) as the current model. */
  loadArtifact(text: string): Promise<unknown>;
  /** Scores `[{column: value}]` with the last trained model (the playground's own scorer). */
  scoreRows(rows: unknown[]): Promise<ScoredRow[]>;
}

export type ReadProgressCallback = (bytesRead: number, totalBytes: number) => void;

/** `driftlab::boundary::DecisionGrid`: a classifier scored on a grid of its two inputs. */
export interface DecisionGrid {
  x: string;
  y: string;
  size: number;
  x_range: [number, number];
  y_range: [number, number];
  classes: string[];
  /** Class index per cell, row-major from the bottom row: `class[j * size + i]`. */
  class: number[];
  /** Probability of the predicted class per cell. */
  confidence: number[];
  points: Array<{ x: number; y: number; label: string | null }>;
}

/** Scoring latency of the last model, measured in the worker. */
export interface ScoringLatency {
  /** Median over `repetitions` of the time per row, in microseconds. */
  us_per_row: number;
  rows: number;
  repetitions: number;
  /** Batches per repetition (so each repetition lasts long enough for the clock). */
  batches: number;
}

/** One row scored by the playground (`driftlab::artifact::Scored`). */
export interface ScoredRow {
  prediction: { value: number; probabilities: number[] };
  label: string | null;
  warnings: { column: string; kind: string; message: string }[];
}

/** One file of an edge bundle (`driftlab::export::files`). */
export interface BundleFile {
  name: string;
  bytes: Uint8Array;
}

// --- Model: kinds, preprocessing, training, evaluation ---------------------------------

/** One hyperparameter of a model kind, as `Workbench.modelKinds()` lists it. */
export interface ParamInfo {
  name: string;
  /** The default, as text (`"1"`, `"true"`, `"gini"`). */
  default: string;
  doc: string;
  /** Type and range in words: `a number in (0, inf]`, `an integer in [1, 100]`, `true or false`, `one of a, b`. */
  range: string;
}

export interface ModelKindInfo {
  kind: string;
  /** One line: what it is (the CLI's `--help`). */
  summary: string;
  /** A few plain sentences for a newcomer, from the core's catalog (`driftlab::models`). */
  about: string;
  classifies: boolean;
  regresses: boolean;
  clusters: boolean;
  params: ParamInfo[];
}

export type NumericImpute = 'mean' | 'median' | 'most_frequent' | { constant: number };
export type CategoricalImpute = 'most_frequent' | { constant: string };
export type Scale = 'standard' | 'min_max' | 'robust' | 'none';

export type ColumnSpec =
  | { step: 'numeric'; impute: NumericImpute; scale: Scale }
  | { step: 'one_hot'; impute: CategoricalImpute; unseen: 'ignore' | 'error' }
  | { step: 'drop' };

export interface PipelineSpec {
  target: string | null;
  columns: Record<string, ColumnSpec>;
}

export type TaskChoice = 'auto' | 'classification' | 'regression';

export interface TrainRequest {
  target: string | null;
  model: string;
  params: Record<string, string | number | boolean>;
  test_fraction?: number;
  seed?: number;
  pipeline?: PipelineSpec;
  task?: TaskChoice;
  created?: string;
}

/** A progress event from training: `prepare`, `fit` (with a loss where there is one), `evaluate`. */
export interface TrainProgress {
  stage: string;
  step: number;
  total: number | null;
  loss: number | null;
}

export interface ConfusionMatrix {
  labels: string[];
  /** Rows are the true label, columns the predicted one. */
  matrix: number[][];
}

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number | null;
  average_precision: number | null;
  log_loss: number | null;
  brier: number | null;
  macro_f1: number;
  weighted_f1: number;
  confusion_matrix: ConfusionMatrix;
  per_class: ClassReport[];
}

export interface RegressionMetrics {
  r2: number;
  rmse: number;
  mae: number;
  mape: number;
}

export interface ClusteringMetrics {
  inertia: number;
  silhouette: number | null;
}

/** Serde's untagged enum: the shape tells the task (the evaluation's `task` says it too). */
export type TestMetrics = ClassificationMetrics | RegressionMetrics | ClusteringMetrics;

export interface ThresholdRow {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn_: number;
  precision: number;
  recall: number;
  f1: number;
  /** `cost_fp · fp + cost_fn · fn` over the test rows. */
  cost: number;
  /** `cost / rows`: the cost of one scored row. */
  expected_cost: number;
}

export interface ThresholdTable {
  cost_fp: number;
  cost_fn: number;
  rows: ThresholdRow[];
  /** Index into `rows` of the least total cost. */
  best: number;
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  mean_predicted: number | null;
  fraction_positive: number | null;
}

export interface BinaryCurves {
  /** The class treated as positive. */
  positive: string;
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] } | null;
  pr: { precision: number[]; recall: number[]; thresholds: number[] } | null;
  calibration: CalibrationBin[];
  thresholds: ThresholdTable;
}

export interface Evaluation {
  task: 'classification' | 'regression' | 'clustering';
  metrics: TestMetrics;
  curves: BinaryCurves[];
  train_rows: number;
  test_rows: number;
}

export interface TrainResult {
  /** The artifact as JSON text. */
  artifact: string;
  artifact_bytes: number;
  hash: string;
  kind: string;
  classes: string[];
  features: string[];
  evaluation: Evaluation;
}

/** A training result plus the wall time of `train` measured inside the worker. */
export interface TrainOutcome extends TrainResult {
  train_ms: number;
}

export type ProgressCallback = (progress: TrainProgress) => void;
