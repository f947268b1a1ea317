// driftlab/scorer in Node: the scorer is read from the package's folder.
import { readFile } from 'node:fs/promises';
import { createScorer } from './index.js';

export { Scorer, ScorerError, createScorer } from './index.js';

let compiled;

/** Compiles driftlab_edge.wasm from the package's folder, once. */
export function scorerModule() {
  compiled ??= readFile(new URL('./driftlab_edge.wasm', import.meta.url)).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** Loads `artifact` (its JSON text or bytes) into a new scorer. */
export async function loadScorer(artifact) {
  return createScorer(await scorerModule(), artifact);
}
