// The types of driftlab/scorer. The scorer's ABI is bytes in, JSON out (edge/src/lib.rs):
// these describe that JSON; a row's warnings are the core's generated RowWarning.
import type { RowWarning } from '../core/driftlab.js';

export type { RowWarning };

/** A cell of a row: a number, a string, a boolean, or null for a missing value (imputed and flagged). */
export type CellValue = number | string | boolean | null;

/** What the scorer says of the loaded model. */
export interface ScorerModel {
  /** The model kind, e.g. `logistic`, `random_forest`. */
  kind: string;
  /** What it predicts. */
  task: 'classification' | 'regression' | 'clustering';
  /** The artifact's content hash (its stable id). */
  hash: string;
}

/** A scored row. */
export interface ScoredRow {
  /** The class label (classification), the value (regression) or the cluster index (clustering). */
  prediction: string | number;
  /** The probability of each class label (classification), else `null`. */
  probabilities: Record<string, number> | null;
  /** Inputs outside what the model was trained on: missing, not finite, out of range, unseen category. */
  warnings: RowWarning[];
}

/** Options of a scoring call. */
export interface ScoreOptions {
  /** Refuse more rows than this (a ScorerError of status 413); no limit when absent. */
  maxRows?: number;
}

/** A refused artifact or request: `status` is the HTTP status that fits (400, 413, 422, 500). */
export class ScorerError extends Error {
  /** Thrown by the scorer, not made by callers. */
  private constructor();
  /** 400 bad input, 413 too many rows, 422 an artifact that cannot be loaded, 500 a model that cannot score. */
  readonly status: number;
  /** The 0-based row at fault, if one is. */
  readonly row: number | null;
  /** The column at fault, if one is. */
  readonly column: string | null;
}

/** A model artifact loaded into its own instance of the edge scorer. */
export class Scorer {
  /** Use `loadScorer` or `createScorer`. */
  private constructor();
  /** The model's kind, task and hash. */
  readonly model: ScorerModel;
  /** The input columns the model was trained with, in order. */
  readonly columns: readonly string[];
  /** The class labels (classification), else empty. */
  readonly classes: readonly string[];
  /**
   * Scores rows given as objects (`{column: value}`): every input column must be present
   * (`null` is fine); extra columns are ignored.
   */
  scoreRows(rows: ReadonlyArray<Readonly<Record<string, CellValue>>>, options?: ScoreOptions): ScoredRow[];
  /**
   * Scores a table of text cells (a CSV read into cells): `columns` is the header, each row
   * its cells in that order; an empty cell is a missing value.
   */
  scoreTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null>>, options?: ScoreOptions): ScoredRow[];
}

/** An artifact: the JSON text driftlab wrote, or its bytes (a parsed object would lose what its hash covers). */
export type ArtifactSource = string | ArrayBuffer | ArrayBufferView;

/** Loads `artifact` into a new scorer; the scorer's Wasm is loaded once, from the package. */
export function loadScorer(artifact: ArtifactSource): Promise<Scorer>;

/** The compiled edge scorer (driftlab_edge.wasm), loaded once from the package. */
export function scorerModule(): Promise<WebAssembly.Module>;

/** A scorer of `artifact` on an already compiled `driftlab_edge.wasm`, synchronously. */
export function createScorer(module: WebAssembly.Module, artifact: ArtifactSource): Scorer;
