// driftlab edge worker: scores rows with a driftlab model artifact, in Cloudflare Workers,
// workerd, Node (serve.mjs) or a browser. An ES module worker: `export default { fetch }`.
//
//   POST /score   {"rows": [{"column": value, ...}, ...]}  or a CSV body (Content-Type: text/csv)
//                 -> {"model": {...}, "predictions": [{"prediction", "probabilities", "warnings"}]}
//   GET  /model   the model card: schema, metrics, version, lineage
//   GET  /health  {"status": "ok", "model": {...}}
//   GET  /monitor drift, predictions, warnings, latency, labelled performance and alarms, merged
//                 across isolates in the Durable Object (README: "Monitoring")
//   POST /labels  late labels by the row ids /score returns: {"labels": [{"id", "label"}]} or CSV id,label
//   GET  /metrics the same in the Prometheus text format
//
// Every bad request gets a 4xx with {"error", "row", "column"}. Settings (Workers vars, or
// environment variables for serve.mjs):
//   DRIFTLAB_TOKEN           secret; when set, every request needs "Authorization: Bearer <token>"
//   DRIFTLAB_CORS_ORIGIN     "" (no CORS headers, the default), "*", or a comma-separated list of origins
//   DRIFTLAB_MAX_ROWS        rows per request (default 10000; more is a 413)
//   DRIFTLAB_MAX_BODY_BYTES  body size (default 4194304 = 4 MiB; more is a 413)
//   DRIFTLAB_MONITOR         "on" (default, when the MONITOR Durable Object binding exists) or "off"
//   DRIFTLAB_MONITOR_EVERY   requests between two sketch deltas an isolate sends (default 100)
//   DRIFTLAB_MONITOR_SECONDS or seconds (default 10), whichever comes first
//   DRIFTLAB_MONITOR_BATCH_ROWS  rows per judged batch in the Durable Object (default 1000)
//
// The scorer is driftlab_edge.wasm (a small C-style ABI, no imports); model.json is imported
// as text so that the scorer can check the artifact's content hash. Both are instantiated
// once per isolate, when this module loads: a corrupted artifact fails the worker's startup
// (and `wrangler deploy`) with a clear message instead of failing requests.
//
// The module exports its default handler and the Durable Object class DriftlabMonitor
// (workerd treats every named export of a worker's main module as an entrypoint). To run it elsewhere (a browser), provide the two
// imports (an import map, or a loader as serve.mjs does) and call `default.fetch`.

import scorerModule from './driftlab_edge.wasm';
import artifactText from './model.json';
import monitorModule from './driftlab_monitor.wasm'; // driftlab:monitor-import

const DEFAULT_MAX_ROWS = 10000;
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const ROUTES = {
  '/score': ['POST'],
  '/model': ['GET', 'HEAD'],
  '/health': ['GET', 'HEAD'],
  '/monitor': ['GET', 'HEAD'],
  '/labels': ['POST'],
  '/metrics': ['GET', 'HEAD'],
};
const encoder = new TextEncoder();

/** Instantiates the scorer and loads the artifact (text or bytes); throws when it is refused. */
function createScorer(module, artifact) {
  let bytes;
  if (typeof artifact === 'string') bytes = encoder.encode(artifact);
  else if (artifact instanceof ArrayBuffer || ArrayBuffer.isView(artifact)) bytes = new Uint8Array(artifact.buffer ?? artifact, artifact.byteOffset ?? 0, artifact.byteLength);
  else throw new Error('driftlab: model.json must be imported as text (wrangler.toml: a "Text" rule for **/*.json; workerd: a text module), not as a parsed JSON module, so that its hash can be checked');
  const text = new TextDecoder().decode(bytes);
  let exports = instantiate(module);
  const call = (name, input, ...args) => {
    const ex = exports;
    const ptr = ex.dl_alloc(input.length);
    new Uint8Array(ex.memory.buffer, ptr, input.length).set(input);
    const status = ex[name](ptr, input.length, ...args);
    const body = new Uint8Array(ex.memory.buffer, ex.dl_output_ptr(), ex.dl_output_len()).slice();
    ex.dl_free(ptr, input.length);
    return { status, body };
  };
  const loaded = call('dl_load', bytes);
  if (loaded.status !== 0) {
    const { error } = JSON.parse(new TextDecoder().decode(loaded.body));
    throw new Error(`driftlab: the model artifact (model.json) was refused: ${error}`);
  }
  const summary = JSON.parse(new TextDecoder().decode(loaded.body));
  const doc = JSON.parse(text);
  let monitorIsolate = null;
  return {
    summary,
    card: modelCard(doc, summary),
    /** Turns monitoring on in this isolate (row ids in answers, sketches for deltas). */
    monitorStart(isolate) {
      const r = call('dl_monitor_start', encoder.encode(isolate));
      if (r.status !== 0) throw new Error(new TextDecoder().decode(r.body));
      monitorIsolate = isolate;
    },
    /** Counts a request (status, microseconds); returns the requests since the last delta. */
    record(status, micros) {
      return exports.dl_record(status, Math.min(Math.max(0, Math.round(micros)), 0xffffffff));
    },
    /** The sketch delta of everything since the last one (bytes). */
    delta() {
      const status = exports.dl_delta();
      const body = new Uint8Array(exports.memory.buffer, exports.dl_output_ptr(), exports.dl_output_len()).slice();
      if (status !== 0) throw new Error(new TextDecoder().decode(body));
      return body;
    },
    /** Scores a request body; `kind` is "json" or "table". Returns { status, body }. */
    score(kind, input, maxRows) {
      try {
        const r = call(kind === 'table' ? 'dl_score_table' : 'dl_score_json', input, maxRows);
        return { status: r.status === 0 ? 200 : r.status, body: r.body };
      } catch (e) {
        // a trap leaves the instance unusable: start a fresh one with the same artifact
        // (its unsent sketches are lost; its row numbers go on under a new isolate id)
        exports = instantiate(module);
        call('dl_load', bytes);
        if (monitorIsolate) {
          monitorIsolate = randomId();
          call('dl_monitor_start', encoder.encode(monitorIsolate));
        }
        throw e;
      }
    },
  };
}

function instantiate(module) {
  // the ABI has no imports; stub any a toolchain leaves behind so instantiation never fails
  const imports = {};
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') continue;
    (imports[m] ??= {})[name] = () => { throw new Error(`driftlab scorer called the unexpected import ${m}.${name}`); };
  }
  return new WebAssembly.Instance(module, imports).exports;
}

function modelCard(doc, summary) {
  const inputs = (doc.pipeline?.inputs ?? []).map((c) => {
    const s = c.step ?? {};
    const input = { name: c.name, kind: c.kind, step: s.step };
    if (s.step === 'numeric') input.range = [s.min, s.max];
    if (s.step === 'one_hot') input.categories = s.categories;
    return input;
  });
  return {
    format: doc.format,
    version: doc.version,
    hash: summary.hash,
    kind: summary.kind,
    task: summary.task,
    driftlab_version: doc.lineage?.driftlab_version,
    schema: doc.schema,
    inputs,
    classes: doc.classes ?? [],
    metrics: doc.metrics ?? null,
    lineage: doc.lineage ?? null,
  };
}

/** Builds the fetch handler around a scorer. */
function createHandler(scorer) {
  return async function handle(request, env = {}, ctx = undefined) {
    const cors = corsHeaders(request, env);
    try {
      return await route(scorer, request, env, cors, ctx);
    } catch (e) {
      return json(500, { error: `internal error: ${e?.message ?? e}`, row: null, column: null }, cors);
    }
  };
}

async function route(scorer, request, env, cors, ctx) {
  const url = new URL(request.url);
  const methods = ROUTES[url.pathname];
  if (request.method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: {
        ...cors,
        Allow: [...(methods ?? []), 'OPTIONS'].join(', '),
        ...(cors['Access-Control-Allow-Origin'] ? {
          'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type',
          'Access-Control-Max-Age': '86400',
        } : {}),
      },
    });
  }
  if (env.DRIFTLAB_TOKEN && !(await bearerMatches(request.headers.get('Authorization'), String(env.DRIFTLAB_TOKEN)))) {
    return error(401, 'missing or wrong bearer token: send the header "Authorization: Bearer <token>"', null, null, {
      ...cors,
      'WWW-Authenticate': 'Bearer realm="driftlab"',
    });
  }
  if (!methods) return error(404, `no route ${url.pathname}: use POST /score, GET /model, GET /health, GET /monitor, POST /labels or GET /metrics`, null, null, cors);
  if (!methods.includes(request.method)) {
    return error(405, `${request.method} is not allowed on ${url.pathname}: use ${methods.join(' or ')}`, null, null, { ...cors, Allow: methods.join(', ') });
  }
  if (url.pathname === '/health') return json(200, { status: 'ok', model: scorer.summary }, cors, request.method === 'HEAD');
  if (url.pathname === '/model') return json(200, scorer.card, cors, request.method === 'HEAD');
  if (url.pathname !== '/score') return monitorRoute(scorer, request, env, cors, url);

  const started = performance.now();
  const response = await scoreRoute(scorer, request, env, cors);
  watchRequest(scorer, env, ctx, response.status, performance.now() - started);
  return response;
}

async function scoreRoute(scorer, request, env, cors) {
  if (monitoringOn(env)) ensureMonitor(scorer);
  const maxRows = limit(env.DRIFTLAB_MAX_ROWS, DEFAULT_MAX_ROWS);
  const maxBytes = limit(env.DRIFTLAB_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES);
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  const isJson = type === '' || type === 'application/json' || type.endsWith('+json');
  const isCsv = type === 'text/csv';
  if (!isJson && !isCsv) {
    return error(415, `unsupported Content-Type ${JSON.stringify(type)}: send application/json ({"rows": [...]}) or text/csv`, null, null, cors);
  }
  const body = await readBody(request, maxBytes);
  if (body === null) {
    return error(413, `the body is larger than ${maxBytes} bytes: split the rows into smaller requests`, null, null, cors);
  }
  let result;
  if (isJson) {
    result = scorer.score('json', body, maxRows);
  } else {
    let table;
    try {
      table = csvTable(body);
    } catch (e) {
      return error(400, e.message, e.row ?? null, null, cors);
    }
    if (table.rows.length > maxRows) {
      return error(413, `the request has more than ${maxRows} rows: split it into batches of at most ${maxRows}`, null, null, cors);
    }
    result = scorer.score('table', encoder.encode(JSON.stringify(table)), maxRows);
  }
  return new Response(result.body, { status: result.status, headers: { ...cors, 'Content-Type': 'application/json' } });
}


// --- monitoring ---------------------------------------------------------------------------
// Each isolate sketches what it scores (in the scorer Wasm) and sends the sketch delta to
// the model's Durable Object every DRIFTLAB_MONITOR_EVERY requests or DRIFTLAB_MONITOR_SECONDS,
// after answering (ctx.waitUntil). Deltas go one at a time and in order; one that fails
// stays at the head of the queue and is sent again (the Durable Object counts a repeat
// once). The Durable Object (DriftlabMonitor, below) merges them with the second module,
// driftlab_monitor.wasm.

const monitorState = { started: false, pending: 0, queue: [], sending: null, lastSent: Date.now() };

function monitoringOn(env) {
  return Boolean(monitorModule && env.MONITOR && String(env.DRIFTLAB_MONITOR ?? 'on').trim().toLowerCase() !== 'off');
}

function randomId() {
  return crypto.randomUUID().replaceAll('-', '').slice(0, 16);
}

function ensureMonitor(scorer) {
  if (monitorState.started) return;
  scorer.monitorStart(randomId());
  monitorState.started = true;
}

function monitorStub(scorer, env) {
  return env.MONITOR.get(env.MONITOR.idFromName(scorer.summary.hash));
}

function watchRequest(scorer, env, ctx, status, millis) {
  if (!monitorState.started || !monitoringOn(env)) return;
  const pending = scorer.record(status, millis * 1000);
  monitorState.pending = pending;
  const every = limit(env.DRIFTLAB_MONITOR_EVERY, 100);
  const seconds = limit(env.DRIFTLAB_MONITOR_SECONDS, 10);
  if (pending >= every || Date.now() - monitorState.lastSent >= seconds * 1000) {
    const sent = flushDeltas(scorer, env);
    if (ctx?.waitUntil) ctx.waitUntil(sent);
  }
}

/** Takes this isolate's delta (when it has one) and sends the queue, in order. */
async function flushDeltas(scorer, env, take = true) {
  if (take && monitorState.started && monitorState.pending > 0) {
    monitorState.queue.push(scorer.delta());
    monitorState.pending = 0;
    monitorState.lastSent = Date.now();
  }
  // one sender at a time; it sends whatever is queued, including deltas queued meanwhile
  // (a sender that was just finishing is waited for, then another started: three at most)
  for (let round = 0; round < 3 && monitorState.queue.length; round++) {
    monitorState.sending ??= sendDeltas(scorer, env).finally(() => {
      monitorState.sending = null;
    });
    await monitorState.sending;
  }
}

async function sendDeltas(scorer, env) {
  try {
    while (monitorState.queue.length) {
      const body = monitorState.queue[0];
      const r = await monitorStub(scorer, env).fetch('https://monitor/delta', { method: 'POST', body });
      const answer = await r.text();
      if (r.status >= 500) throw new Error(answer);
      // merged, a repeat, or refused as corrupt (4xx): either way it is done with
      if (r.status >= 400) console.error(`driftlab monitor refused a delta: ${answer}`);
      monitorState.queue.shift();
    }
  } catch (e) {
    console.error(`driftlab monitor: a delta is kept for the next try: ${e?.message ?? e}`);
  }
}

async function monitorRoute(scorer, request, env, cors, url) {
  if (!monitoringOn(env)) {
    return error(404, monitorModule
      ? 'monitoring is off: bind the MONITOR Durable Object (wrangler.toml) and leave DRIFTLAB_MONITOR unset or "on"'
      : 'this bundle has no monitor module (driftlab_monitor.wasm): export it again with driftlab export', null, null, cors);
  }
  ensureMonitor(scorer);
  const stub = monitorStub(scorer, env);
  if (url.pathname === '/labels') {
    const type = (request.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
    const isCsv = type === 'text/csv';
    if (!isCsv && !(type === '' || type === 'application/json' || type.endsWith('+json'))) {
      return error(415, `unsupported Content-Type ${JSON.stringify(type)}: send application/json ({"labels": [{"id", "label"}]}) or text/csv (id,label)`, null, null, cors);
    }
    const maxBytes = limit(env.DRIFTLAB_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES);
    const body = await readBody(request, maxBytes);
    if (body === null) return error(413, `the body is larger than ${maxBytes} bytes: send the labels in smaller requests`, null, null, cors);
    // the rows being labelled may still sit in this isolate's sketch: send it first
    await flushDeltas(scorer, env);
    const r = await stub.fetch(`https://monitor/labels${isCsv ? '?csv=1' : ''}`, { method: 'POST', body });
    return new Response(await r.arrayBuffer(), { status: r.status, headers: { ...cors, 'Content-Type': 'application/json' } });
  }
  await flushDeltas(scorer, env);
  const r = await stub.fetch(`https://monitor${url.pathname}`);
  const type = url.pathname === '/metrics' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json';
  return new Response(request.method === 'HEAD' ? null : await r.arrayBuffer(), { status: r.status, headers: { ...cors, 'Content-Type': type } });
}

/**
 * The Durable Object that merges the isolates' sketch deltas for one model (one object per
 * artifact hash), with driftlab_monitor.wasm (the core's driftlab::monitor::edge). Its state
 * is saved in parts (`meta`, one per hour window, one per block of rows awaiting labels);
 * the parts a merge changed are written before it answers, so a delta is merged once and,
 * once answered, never lost.
 */
export class DriftlabMonitor {
  constructor(state, env) {
    this.state = state;
    this.env = env ?? {};
    this.ready = null;
  }

  async load() {
    if (!monitorModule) throw new Error('this bundle has no monitor module (driftlab_monitor.wasm)');
    this.ex = instantiate(monitorModule);
    const settings = {
      artifact: artifactText,
      batch_rows: limit(this.env.DRIFTLAB_MONITOR_BATCH_ROWS, 1000),
      label_rows: limit(this.env.DRIFTLAB_MONITOR_LABEL_ROWS, 100000),
      label_hours: limit(this.env.DRIFTLAB_MONITOR_LABEL_HOURS, 24),
    };
    const init = this.call('dm_init', encoder.encode(JSON.stringify(settings)));
    if (init.status !== 0) throw new Error(init.text);
    const meta = await this.getPart('meta');
    if (meta !== undefined) {
      const keys = JSON.parse(meta);
      const lines = [`meta\t${meta}`];
      for (const k of [...keys.hour_keys, ...keys.segment_keys, ...(keys.history_keys ?? [])]) {
        const v = await this.getPart(k);
        if (v !== undefined) lines.push(`${k}\t${v}`);
      }
      const restored = this.call('dm_restore', encoder.encode(lines.join('\n')));
      if (restored.status !== 0) throw new Error(restored.text);
    }
  }

  call(name, input, ...args) {
    const ex = this.ex;
    let status;
    if (input) {
      const ptr = ex.dm_alloc(input.length);
      new Uint8Array(ex.memory.buffer, ptr, input.length).set(input);
      status = ex[name](ptr, input.length, ...args);
      ex.dm_free(ptr, input.length);
    } else {
      status = ex[name](...args);
    }
    const text = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ex.dm_output_ptr(), ex.dm_output_len()));
    return { status, text };
  }

  // A part is one value, or (past 100,000 characters) {chunks: n} and n values beside it.
  async getPart(key) {
    const v = await this.state.storage.get(key);
    if (v === undefined || typeof v === 'string') return v;
    const names = Array.from({ length: v.chunks }, (_, i) => `${key}#${i}`);
    const got = await this.state.storage.get(names);
    return names.map((n) => got.get(n) ?? '').join('');
  }

  /** Writes the changed parts (no await in between: the storage commits them together). */
  store(lines) {
    const CHUNK = 100000;
    const puts = {};
    const deletes = [];
    for (const line of lines) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const key = line.slice(0, tab);
      const value = line.slice(tab + 1);
      if (value === '') {
        deletes.push(key);
      } else if (value.length <= CHUNK) {
        puts[key] = value;
      } else {
        const n = Math.ceil(value.length / CHUNK);
        puts[key] = { chunks: n };
        for (let i = 0; i < n; i++) puts[`${key}#${i}`] = value.slice(i * CHUNK, (i + 1) * CHUNK);
      }
    }
    const entries = Object.entries(puts);
    const writes = [];
    for (let i = 0; i < entries.length; i += 128) writes.push(this.state.storage.put(Object.fromEntries(entries.slice(i, i + 128))));
    for (let i = 0; i < deletes.length; i += 128) writes.push(this.state.storage.delete(deletes.slice(i, i + 128)));
    return Promise.all(writes);
  }

  async fetch(request) {
    try {
      this.ready ??= this.state.blockConcurrencyWhile(() => this.load());
      await this.ready;
    } catch (e) {
      this.ready = null;
      return new Response(JSON.stringify({ error: `the monitor could not start: ${e?.message ?? e}`, row: null, column: null }), { status: 500 });
    }
    const url = new URL(request.url);
    const now = Date.now();
    let r;
    try {
      if (request.method === 'POST' && (url.pathname === '/delta' || url.pathname === '/labels')) {
        const body = new Uint8Array(await request.arrayBuffer());
        r = url.pathname === '/delta'
          ? this.call('dm_merge', body, now)
          : this.call('dm_labels', body, url.searchParams.get('csv') === '1' ? 1 : 0, now);
        if (r.status === 0) {
          const [answer, ...parts] = r.text.split('\n');
          await this.store(parts);
          return new Response(answer, { status: 200, headers: { 'Content-Type': 'application/json' } });
        }
      } else if (url.pathname === '/monitor') {
        r = this.call('dm_report', null, now);
      } else if (url.pathname === '/metrics') {
        r = this.call('dm_metrics', null, now);
      } else {
        return new Response(JSON.stringify({ error: `no monitor route ${request.method} ${url.pathname}`, row: null, column: null }), { status: 404 });
      }
    } catch (e) {
      // a trap leaves the module unusable: start again from what is stored
      this.ready = null;
      return new Response(JSON.stringify({ error: `the monitor failed: ${e?.message ?? e}`, row: null, column: null }), { status: 500 });
    }
    return new Response(r.text, { status: r.status === 0 ? 200 : r.status, headers: { 'Content-Type': 'application/json' } });
  }
}

function limit(value, fallback) {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** The body as bytes, or null when it is larger than `max` (declared or actual). */
async function readBody(request, max) {
  const declared = request.headers.get('Content-Length');
  if (declared !== null && Number(declared) > max) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Splits a CSV body (RFC 4180: quotes, "" escapes, CRLF; a BOM and blank lines skipped). */
function csvTable(bytes) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 0;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
    const e = new Error(`the CSV body is not UTF-8 text (line ${line + 1}, byte ${at}): save the file as UTF-8`);
    e.row = line > 0 ? line - 1 : null;
    throw e;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let record = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field;
    if (text[i] === '"') {
      let j = i + 1;
      field = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          const e = new Error(`unclosed quote in CSV record ${records.length}: a " opens a cell and never closes`);
          e.row = records.length > 0 ? records.length - 1 : null;
          throw e;
        }
        field += text.slice(j, q);
        if (text[q + 1] === '"') {
          field += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // anything between the closing quote and the delimiter belongs to the cell
      let k = i;
      while (k < n && text[k] !== ',' && text[k] !== '\n' && text[k] !== '\r') k++;
      field += text.slice(i, k);
      i = k;
    } else {
      let k = i;
      while (k < n && text[k] !== ',' && text[k] !== '\n' && text[k] !== '\r') k++;
      field = text.slice(i, k);
      i = k;
    }
    record.push(field);
    if (i >= n) break;
    if (text[i] === ',') {
      i++;
      if (i === n) record.push('');
      continue;
    }
    // end of line
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
    records.push(record);
    record = [];
  }
  if (record.length) records.push(record);
  const nonBlank = records.filter((r) => !(r.length === 1 && r[0].trim() === ''));
  if (nonBlank.length === 0) throw new Error('the CSV body is empty: send a header line with the column names, then one line per row');
  const [columns, ...rows] = nonBlank;
  // as the CLI and the page read a CSV: one value per column in every row
  const ragged = rows.findIndex((r) => r.length !== columns.length);
  if (ragged >= 0) {
    const n = rows[ragged].length;
    const e = new Error(`row ${ragged} has ${n} field${n === 1 ? '' : 's'} but the header has ${columns.length}: every row needs one value per column (leave a cell empty to mark it missing), or check the delimiter and the quotes`);
    e.row = ragged;
    throw e;
  }
  return { columns, rows };
}

/** The offset of the first byte that is not UTF-8 (a binary search over prefixes). */
function firstInvalidUtf8(bytes) {
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      // stream: an incomplete sequence at the end of the prefix is not an error
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

/** Compares a bearer token in constant time (SHA-256 of both sides, compared in full). */
async function bearerMatches(header, token) {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = m ? m[1] : '';
  const [a, b] = await Promise.all([digest(given), digest(token)]);
  let diff = given === '' ? 1 : 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

async function digest(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

function corsHeaders(request, env) {
  const setting = String(env.DRIFTLAB_CORS_ORIGIN ?? '').trim();
  if (!setting) return {};
  if (setting === '*') return { 'Access-Control-Allow-Origin': '*' };
  const origin = request.headers.get('Origin');
  const allowed = setting.split(',').map((s) => s.trim());
  return origin && allowed.includes(origin)
    ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
    : { Vary: 'Origin' };
}

function json(status, value, headers, head = false) {
  return new Response(head ? null : JSON.stringify(value), { status, headers: { ...headers, 'Content-Type': 'application/json' } });
}

function error(status, message, row, column, headers) {
  return json(status, { error: message, row, column }, headers);
}

// Loaded once per isolate, when the module is evaluated.
const scorer = createScorer(scorerModule, artifactText);
const handle = createHandler(scorer);

export default {
  fetch(request, env, ctx) {
    return handle(request, env, ctx);
  },
};
