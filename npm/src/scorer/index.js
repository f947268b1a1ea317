// driftlab/scorer: the training-free edge scorer (driftlab_edge.wasm, a C-style ABI with no
// imports) behind a typed class. The loaders (node.js, browser.js, workerd.js) only differ
// in how they obtain the compiled WebAssembly.Module; everything else is here.
//
// The ABI is bytes in, JSON bytes out (edge/src/lib.rs): dl_alloc(len) starts a request and
// returns an input buffer; dl_load / dl_score_json / dl_score_table read it and leave their
// answer in the output buffer (dl_output_ptr, dl_output_len); 0 is success, anything else
// the HTTP status of the error, whose answer is {"error", "row", "column"}. An instance keeps
// one artifact, so each Scorer owns its instance.

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// usize on wasm32: "no limit" is the largest value the ABI can carry
const NO_LIMIT = 0xffffffff;

/** An error of the scorer: the message names the row and the column when one is at fault. */
export class ScorerError extends Error {
  constructor(answer, status) {
    super(`driftlab: ${answer.error}`);
    this.name = 'ScorerError';
    this.status = status;
    this.row = answer.row ?? null;
    this.column = answer.column ?? null;
  }
}

function instantiate(module) {
  // the ABI has no imports; any a toolchain leaves behind throws instead of failing instantiation
  const imports = {};
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') continue;
    (imports[m] ??= {})[name] = () => {
      throw new Error(`driftlab scorer called the unexpected import ${m}.${name}`);
    };
  }
  return new WebAssembly.Instance(module, imports).exports;
}

function artifactBytes(artifact) {
  if (typeof artifact === 'string') return encoder.encode(artifact);
  if (artifact instanceof ArrayBuffer) return new Uint8Array(artifact);
  if (ArrayBuffer.isView(artifact)) return new Uint8Array(artifact.buffer, artifact.byteOffset, artifact.byteLength);
  throw new TypeError('driftlab: the artifact must be its JSON text or bytes (a parsed object would lose the bytes its hash covers)');
}

function limit(options) {
  const max = options?.maxRows;
  if (max === undefined || max === null) return NO_LIMIT;
  if (!Number.isInteger(max) || max < 0) throw new TypeError(`driftlab: maxRows must be a non-negative integer, not ${max}`);
  return Math.min(max, NO_LIMIT);
}

/** A model artifact loaded into its own instance of the edge scorer. */
export class Scorer {
  #module;
  #bytes;
  #exports;

  constructor(module, artifact) {
    if (!(module instanceof WebAssembly.Module)) throw new TypeError('driftlab: createScorer needs a compiled WebAssembly.Module of driftlab_edge.wasm');
    this.#module = module;
    this.#bytes = artifactBytes(artifact);
    this.#exports = instantiate(module);
    const summary = this.#call('dl_load', this.#bytes);
    const doc = JSON.parse(decoder.decode(this.#bytes));
    this.model = summary;
    this.columns = (doc.pipeline?.inputs ?? []).map((c) => c.name);
    this.classes = doc.classes ?? [];
    Object.freeze(this);
  }

  #call(name, input, ...args) {
    const ex = this.#exports;
    let status;
    let body;
    try {
      const ptr = ex.dl_alloc(input.length);
      new Uint8Array(ex.memory.buffer, ptr, input.length).set(input);
      status = ex[name](ptr, input.length, ...args);
      body = decoder.decode(new Uint8Array(ex.memory.buffer, ex.dl_output_ptr(), ex.dl_output_len()));
      ex.dl_free(ptr, input.length);
    } catch (e) {
      // a trap leaves the instance unusable: start a fresh one with the same artifact
      if (name !== 'dl_load') {
        this.#exports = instantiate(this.#module);
        this.#call('dl_load', this.#bytes);
      }
      throw e;
    }
    const answer = JSON.parse(body);
    if (status !== 0) {
      if (name === 'dl_load') answer.error = `the model artifact was refused: ${answer.error}`;
      throw new ScorerError(answer, status);
    }
    return answer;
  }

  scoreRows(rows, options) {
    if (!Array.isArray(rows)) throw new TypeError('driftlab: scoreRows takes an array of rows ({column: value} objects)');
    return this.#call('dl_score_json', encoder.encode(JSON.stringify({ rows })), limit(options)).predictions;
  }

  scoreTable(columns, rows, options) {
    if (!Array.isArray(columns) || !Array.isArray(rows)) throw new TypeError('driftlab: scoreTable takes the column names and an array of rows of text cells');
    return this.#call('dl_score_table', encoder.encode(JSON.stringify({ columns, rows })), limit(options)).predictions;
  }
}

/** A scorer of `artifact` (its JSON text or bytes) on the compiled edge scorer `module`. */
export function createScorer(module, artifact) {
  return new Scorer(module, artifact);
}
