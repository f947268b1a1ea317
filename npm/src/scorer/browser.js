// driftlab/scorer in a browser or Deno: the scorer is fetched beside this module
// (`new URL(..., import.meta.url)`, which bundlers such as Vite and webpack follow).
import { createScorer } from './index.js';

export { Scorer, ScorerError, createScorer } from './index.js';

let compiled;

async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`driftlab: cannot fetch the scorer ${url}: HTTP ${response.status}`);
  // compileStreaming needs the application/wasm type, which not every server sends
  if (response.headers.get('Content-Type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Compiles driftlab_edge.wasm, fetched from beside this module, once. */
export function scorerModule() {
  compiled ??= compile(new URL('./driftlab_edge.wasm', import.meta.url));
  return compiled;
}

/** Loads `artifact` (its JSON text or bytes) into a new scorer. */
export async function loadScorer(artifact) {
  return createScorer(await scorerModule(), artifact);
}
