// driftlab/scorer in Cloudflare Workers (workerd): the scorer is imported as a Wasm module,
// which wrangler (and any bundler with the `workerd` condition) keeps as a compiled module.
import wasm from './driftlab_edge.wasm';
import { createScorer } from './index.js';

export { Scorer, ScorerError, createScorer } from './index.js';

/** The compiled driftlab_edge.wasm. */
export function scorerModule() {
  return Promise.resolve(wasm);
}

/** Loads `artifact` (its JSON text or bytes) into a new scorer. */
export async function loadScorer(artifact) {
  return createScorer(wasm, artifact);
}
