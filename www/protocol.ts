// The page contract. Every request and response that crosses the Wasm boundary is a Rust
// type whose TypeScript declaration tsify generates into pkg/driftlab.d.ts, next to the
// typed classes of the three handles (`Data`, `Model`, `Deploy`; see src/wasm/mod.rs), at
// every `make wasm`. This module re-exports them for the page and adds only what exists
// on the page side: the names of the handles' methods, values read off the generated
// types, and what the worker measures itself.
import type { Data, Deploy, Model, Preview, Progress, Timeline, TrainResult } from '../pkg/driftlab.js';

export type * from '../pkg/driftlab.js';

/** The worker's handles on the core, by the name the page calls them. */
export interface Handles {
  data: Data;
  model: Model;
  deploy: Deploy;
}

export type Handle = keyof Handles;

/** The calls of a handle: its methods but the memory management wasm-bindgen adds. */
export type Method<H extends Handle> = Exclude<
  { [K in keyof Handles[H]]: Handles[H][K] extends (...args: never[]) => unknown ? K : never }[keyof Handles[H]],
  'free' | symbol
>;

type Fn<H extends Handle, M extends Method<H>> = Handles[H][M] extends (...args: infer A) => infer R ? (...args: A) => R : never;

/** The arguments of a call. */
export type Args<H extends Handle, M extends Method<H>> = Parameters<Fn<H, M>>;

/** What a call answers. */
export type Answer<H extends Handle, M extends Method<H>> = ReturnType<Fn<H, M>>;

/** One cell of a table preview; `null` is a missing value. */
export type Cell = Preview['rows'][number][number];

/** A batch of the timeline, numbered by the scenario (`t`) and by its monitor (`batch`). */
export type TimelineBatch = Timeline['batches'][number];

/** An alarm of the timeline, numbered by the scenario (`t`, `about_t`). */
export type TimelineAlarm = Timeline['alarms'][number];

/** Scoring latency of the last model, measured in the worker. */
export interface ScoringLatency {
  /** Median over `repetitions` of the time per row, in microseconds. */
  us_per_row: number;
  rows: number;
  repetitions: number;
  /** Batches per repetition (so each repetition lasts long enough for the clock). */
  batches: number;
}

/** A training result plus the wall time of `train` measured inside the worker. */
export interface TrainOutcome extends TrainResult {
  train_ms: number;
}

export type ProgressCallback = (progress: Progress) => void;

export type ReadProgressCallback = (bytesRead: number, totalBytes: number) => void;
