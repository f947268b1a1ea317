#!/usr/bin/env node
// Runs this folder's worker.js under Node 20+ with node:http, for people without Workers:
//
//   node serve.mjs                 # http://127.0.0.1:8787
//   PORT=9000 HOST=0.0.0.0 DRIFTLAB_TOKEN=s3cret node serve.mjs
//
// worker.js is the same file Workers runs: its imports of ./driftlab_edge.wasm (compiled
// Wasm) and ./model.json (text) are provided by a module loader hook, as Workers provides
// them. DRIFTLAB_* environment variables become the worker's env (see worker.js).
//
// Monitoring works as on Workers, in this one process: the MONITOR binding is a Durable
// Object namespace whose objects live here, their storage a JSON file per object under
// DRIFTLAB_MONITOR_DIR (default ./.driftlab-monitor), written (to a temporary file, then
// renamed) before the object answers.
import http from 'node:http';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'node:module';
import { Readable } from 'node:stream';

const hooks = `
import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.wasm')) {
    return { format: 'module', shortCircuit: true, source:
      'import { readFileSync } from "node:fs";' +
      'export default new WebAssembly.Module(readFileSync(new URL(' + JSON.stringify(url) + ')));' };
  }
  if (url.startsWith('file:') && url.endsWith('.json') && !context.importAttributes?.type) {
    const text = await readFile(new URL(url), 'utf8');
    return { format: 'module', shortCircuit: true, source: 'export default ' + JSON.stringify(text) + ';' };
  }
  return next(url, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks), import.meta.url);

let worker;
let MonitorClass;
try {
  ({ default: worker, DriftlabMonitor: MonitorClass } = await import('./worker.js'));
} catch (e) {
  console.error(e?.message ?? e);
  process.exit(1);
}

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('DRIFTLAB_')));

/** A Durable Object's storage as one JSON file; writes land on disk before they resolve. */
class FileStorage {
  constructor(file) {
    this.file = file;
    this.map = new Map();
    try {
      this.map = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8'))));
    } catch {}
    this.flushing = null;
  }
  async get(key) {
    if (Array.isArray(key)) return new Map(key.filter((k) => this.map.has(k)).map((k) => [k, structuredClone(this.map.get(k))]));
    return structuredClone(this.map.get(key));
  }
  put(entries) {
    for (const [k, v] of Object.entries(entries)) this.map.set(k, structuredClone(v));
    return this.flush();
  }
  delete(keys) {
    for (const k of [].concat(keys)) this.map.delete(k);
    return this.flush();
  }
  flush() {
    // the writes of one turn go to disk together
    this.flushing ??= Promise.resolve().then(() => {
      this.flushing = null;
      writeFileSync(`${this.file}.tmp`, JSON.stringify(Object.fromEntries(this.map)));
      renameSync(`${this.file}.tmp`, this.file);
    });
    return this.flushing;
  }
}

if (MonitorClass && String(env.DRIFTLAB_MONITOR ?? 'on').trim().toLowerCase() !== 'off') {
  const dir = process.env.DRIFTLAB_MONITOR_DIR ?? '.driftlab-monitor';
  mkdirSync(dir, { recursive: true });
  const objects = new Map();
  env.MONITOR = {
    idFromName: (name) => String(name).replace(/[^A-Za-z0-9]/g, '_'),
    get(id) {
      if (!objects.has(id)) {
        let queue = Promise.resolve();
        const state = {
          storage: new FileStorage(join(dir, `${id}.json`)),
          // one at a time, as a Durable Object's input gate while it starts
          blockConcurrencyWhile: (fn) => (queue = queue.then(fn)),
        };
        const object = new MonitorClass(state, env);
        // requests to one object run one at a time
        let turn = Promise.resolve();
        objects.set(id, {
          fetch: (input, init) => {
            const run = turn.then(() => object.fetch(new Request(input, init)));
            turn = run.catch(() => {});
            return run;
          },
        });
      }
      return objects.get(id);
    },
  };
}
const ctx = { waitUntil: (p) => Promise.resolve(p).catch(() => {}) };
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8787);

const server = http.createServer(async (req, res) => {
  try {
    const url = `http://${req.headers.host ?? `${host}:${port}`}${req.url}`;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(url, {
      method: req.method,
      headers,
      body: hasBody ? Readable.toWeb(req) : undefined,
      duplex: 'half',
    });
    const response = await worker.fetch(request, env, ctx);
    const body = req.method === 'HEAD' || !response.body ? null : Buffer.from(await response.arrayBuffer());
    const headersOut = Object.fromEntries(response.headers);
    // a body the worker did not read (a 413, say): answer, close the connection, and
    // discard the rest of the upload meanwhile, so that the client reads the answer
    // instead of a connection reset
    const unread = hasBody && !req.readableEnded;
    if (unread) headersOut.connection = 'close';
    res.writeHead(response.status, headersOut);
    res.end(body);
    if (unread) {
      req.resume();
      setTimeout(() => req.destroy(), 10_000).unref();
    }
  } catch (e) {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: `internal error: ${e?.message ?? e}`, row: null, column: null }));
  }
});
server.listen(port, host, () => {
  const { port: bound } = server.address();
  console.log(`driftlab edge worker on http://${host}:${bound} (POST /score, GET /model, GET /health${env.MONITOR ? ', GET /monitor, POST /labels, GET /metrics' : ''})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // keep-alive connections would hold the close open
  });
}
