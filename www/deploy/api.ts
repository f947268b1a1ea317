// The deploy half of the worker's API (registry, scenarios, monitor, retraining) and the
// shapes of what it returns, as `src/wasm/deploy.rs` writes them.

export type TrafficMode =
  | { mode: 'champion' }
  | { mode: 'canary'; percent: number }
  | { mode: 'shadow' }
  | { mode: 'ab'; percent: number };

export interface TrafficRequest {
  mode: 'champion' | 'canary' | 'shadow' | 'ab';
  percent?: number;
}

export interface VersionCard {
  name: string;
  id: string;
  parent: string | null;
  parent_name: string | null;
  dataset_fingerprint: string;
  model_kind: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  created: string;
  note: string;
  /** Names from this version back to its oldest registered ancestor. */
  lineage: string[];
  champion: boolean;
  challenger: boolean;
}

export interface ArmStats {
  rows: number;
  correct: number;
  tp: number;
  fn: number;
  fp: number;
}

export interface RegistryView {
  versions: VersionCard[];
  champion: string | null;
  challenger: string | null;
  mode: TrafficMode;
  events: { seq: number; action: string; version: string | null; message: string }[];
  outcomes: {
    champion: ArmStats;
    challenger: ArmStats;
    both_right: number;
    champion_only: number;
    challenger_only: number;
    both_wrong: number;
  } | null;
}

export interface ArmReport {
  version: string;
  stats: ArmStats;
  accuracy: number | null;
  recall: number | null;
}

export interface Comparison {
  champion: ArmReport;
  challenger: ArmReport | null;
  z_test: { statistic: number; p_value: number | null } | null;
  mcnemar: { statistic: number; p_value: number; exact: boolean } | null;
  alpha: number;
  test: 'mcnemar' | 'z' | 'none';
  better: 'challenger' | 'champion' | 'undecided';
  verdict: string;
}

export interface ScenarioInfo {
  name: string;
  description: string;
  batches: number;
  batch_size: number;
  label_delay: number;
  target: string;
  drift: number[];
}

export type AlarmKind = 'data_drift' | 'drift_trend' | 'prediction_drift' | 'recall_drop' | 'accuracy_drop' | 'error_rate';

export interface Alarm {
  /** The scenario batch at which it fired (where it goes on the timeline). */
  t: number;
  /** The scenario batch whose rows or labels raised it. */
  about_t: number;
  /** The same two, counted by the monitor of `version`. */
  batch: number;
  about_batch: number;
  kind: AlarmKind;
  detector: string | null;
  position: number | null;
  message: string;
  version: string;
}

export interface PerformanceView {
  counts: { rows: number; correct: number; tp: number; fp: number; fn: number; tn: number };
  accuracy: number | null;
  recall: number | null;
  precision: number | null;
}

export interface DdmView {
  seen: number;
  n: number;
  p: number;
  s: number;
  ps: number;
  warning_level: number | null;
  drift_level: number | null;
  warning: boolean;
}

export interface BatchSummary {
  t: number;
  batch: number;
  version: string;
  rows: number;
  rows_with_warnings: number;
  prediction: { class_counts: number[]; positive_rate: number; mean_positive_probability: number | null };
  estimate: { method: string; accuracy: number | null; recall: number | null; precision: number | null };
  drift_share: number | null;
  dataset_drift: boolean | null;
  drift_statistics: Record<string, number>;
  drifted_columns: string[];
  adwin: { seen: number; width: number; estimation: number; variance: number };
  /** ADWIN's window width through the batch: [stream position, width]. */
  adwin_trace: [number, number][];
  adwin_cuts: AdwinCut[];
  page_hinkley: { seen: number; value: number; mean: number; test_increase: number; threshold: number } | null;
  scoring_ms: number | null;
  memory_bytes: number | null;
  performance: PerformanceView | null;
  window: PerformanceView | null;
  ddm: DdmView | null;
}

export interface Timeline {
  scenario: string;
  seed: number;
  position: number;
  total_steps: number;
  batches_total: number;
  label_delay: number;
  drift_curve: number[];
  finished: boolean;
  stale_labels: number;
  drift_share_threshold: number;
  window: number;
  segments: { version: string; offset: number; model: string; positive: string; batches: number }[];
  batches: BatchSummary[];
  alarms: Alarm[];
}

export interface PsiBins {
  column: string;
  psi: number;
  bins: { label: string; lower: number | null; upper: number | null; reference: number; current: number; contribution: number }[];
}

export interface ServedView {
  mode: TrafficMode;
  /** Rows served, by version name. */
  served: Record<string, number>;
  /** Rows scored in the shadows, by version name. */
  shadow: Record<string, number>;
  to_challenger: number;
  disagree: number;
}

export interface StepResult {
  step: number;
  finished: boolean;
  batch: {
    t: number;
    drift: number;
    rows: number;
    served: ServedView;
    report: { psi: PsiBins[]; scoring_ms: number | null; drift: { columns: { name: string; test: string; statistic: number; threshold: number; drifted: boolean }[] } | null };
  } | null;
  labels: { t: number; batch: number; version: string; window: PerformanceView; performance: PerformanceView }[];
  alarms: Alarm[];
  stale: number;
}

export interface AdwinCut {
  position: number;
  width_before: number;
  width_after: number;
  mean_before: number;
  mean_after: number;
}

export interface FormField {
  name: string;
  kind: 'numeric' | 'categorical' | 'boolean';
  categories: string[];
  default: number | string | boolean | null;
  min: number | null;
  max: number | null;
}

export interface ServingForm {
  version: string;
  target: string | null;
  classes: string[];
  fields: FormField[];
}

export interface ScoredRow {
  prediction: { value: number; probabilities: number[] };
  label: string | null;
  warnings: { column: string; kind: string; message: string }[];
}

export interface ServingScore {
  version: string;
  classes: string[];
  latency_ms: number;
  predictions: ScoredRow[];
}

export interface BatchProgress {
  version: string;
  file_name: string;
  rows_done: number;
  bytes_done: number;
  bytes_total: number;
  scoring_ms: number;
  done: boolean;
}

export interface RetrainRequest {
  policy: 'recent' | 'all' | 'reweighted';
  batches?: number;
  half_life?: number;
  created: string;
}

export interface RetrainResult {
  version: string;
  note: string;
  batches: number[];
  rows: number;
  metrics: Record<string, unknown>;
  train_rows: number;
  test_rows: number;
}

/** What the worker answers for the Deploy, Monitor and Feedback panels. */
export interface DeployApi {
  deployLast(note: string): Promise<RegistryView>;
  registry(): Promise<RegistryView>;
  registrySave(): Promise<string>;
  registryLoad(text: string): Promise<RegistryView>;
  registryClear(): Promise<RegistryView>;
  setChallenger(id: string | null): Promise<RegistryView>;
  setTraffic(request: TrafficRequest): Promise<RegistryView>;
  promote(): Promise<RegistryView>;
  rollback(): Promise<RegistryView>;
  compare(alpha: number): Promise<Comparison>;
  scenarios(): Promise<ScenarioInfo[]>;
  startScenario(name: string, seed: number | null): Promise<Timeline>;
  step(): Promise<StepResult>;
  timeline(): Promise<Timeline | null>;
  snapshot(): Promise<unknown>;
  retrain(request: RetrainRequest): Promise<RetrainResult>;
  servingForm(): Promise<ServingForm>;
  scoreServing(rows: Record<string, unknown>[]): Promise<ServingScore>;
  batchStart(bytes: Uint8Array, fileName: string): Promise<BatchProgress>;
  batchNext(rows: number | null): Promise<BatchProgress>;
  batchResult(): Promise<string>;
  batchCancel(): Promise<void>;
}

/** The worker side: each method calls the Workbench method of the same name. */
export function deployMethods(run: <T>(call: (wb: DeployWorkbench) => unknown) => Promise<T>): DeployApi {
  return {
    deployLast: (note) => run((wb) => wb.deployLast(note)),
    registry: () => run((wb) => wb.registry()),
    registrySave: () => run((wb) => wb.registrySave()),
    registryLoad: (text) => run((wb) => wb.registryLoad(text)),
    registryClear: () => run((wb) => wb.registryClear()),
    setChallenger: (id) => run((wb) => wb.setChallenger(id ?? undefined)),
    setTraffic: (request) => run((wb) => wb.setTraffic(request)),
    promote: () => run((wb) => wb.promote()),
    rollback: () => run((wb) => wb.rollback()),
    compare: (alpha) => run((wb) => wb.compare(alpha)),
    scenarios: () => run((wb) => wb.scenarios()),
    startScenario: (name, seed) => run((wb) => wb.startScenario(name, seed ?? undefined)),
    step: () => run((wb) => wb.step()),
    timeline: () => run((wb) => wb.timeline()),
    snapshot: () => run((wb) => wb.snapshot()),
    retrain: (request) => run((wb) => wb.retrain(request)),
    servingForm: () => run((wb) => wb.servingForm()),
    scoreServing: (rows) => run((wb) => wb.scoreServing(rows)),
    batchStart: (bytes, fileName) => run((wb) => wb.batchStart(bytes, fileName)),
    batchNext: (rows) => run((wb) => wb.batchNext(rows ?? undefined)),
    batchResult: () => run((wb) => wb.batchResult()),
    batchCancel: () => run((wb) => wb.batchCancel()),
  };
}

/** The Workbench methods that `deployMethods` calls (the generated class has them). */
export interface DeployWorkbench {
  deployLast(note?: string | null): unknown;
  registry(): unknown;
  registrySave(): string;
  registryLoad(text: string): unknown;
  registryClear(): unknown;
  setChallenger(id?: string | null): unknown;
  setTraffic(request: unknown): unknown;
  promote(): unknown;
  rollback(): unknown;
  compare(alpha: number): unknown;
  scenarios(): unknown;
  startScenario(name: string, seed?: number | null): unknown;
  step(): unknown;
  timeline(): unknown;
  snapshot(): unknown;
  retrain(request: unknown): unknown;
  servingForm(): unknown;
  scoreServing(rows: unknown): unknown;
  batchStart(bytes: Uint8Array, fileName: string): unknown;
  batchNext(rows?: number | null): unknown;
  batchResult(): string;
  batchCancel(): void;
}
