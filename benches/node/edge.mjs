// The edge bundle in the real workerd, for `make bench` (not `make test`): cold start,
// request latency against an empty worker, a 1,000-row batch, and a load test of 20,000
// POST /score requests at 32 concurrent keep-alive connections.
//
//   node benches/node/edge.mjs OUT_DIR      (writes OUT_DIR/edge.json; prints a summary on stderr)
//
// The bundle is made the way a user makes it: `driftlab dataset fraud`, `driftlab train
// --model logistic`, `driftlab export` (the CLI binary comes from DRIFTLAB_BIN, default
// target/debug/driftlab, which run.sh builds). The peer is an "empty" worker in the same workerd build that
// reads each request's body and answers with a constant 200 JSON body, with no scorer: the
// difference between the two is what the scorer, the artifact and worker.js cost. For the
// batch, the scorer's Wasm call alone is also timed in this process (`wasm_call_p50`).
//
// The client is Node's http with a keep-alive agent on the same machine, so the load
// figures include the client's own cost; both workers are measured with the same client.
//
// Monitoring (issue #18): the same bundle with its Durable Object on disk and monitoring on
// (a sketch delta every 100 requests, the bundle's default) against the bundle without it,
// interleaved in the same run: single-row and 1,000-row p50, and the load test; and the
// Durable Object's merge of one isolate's delta, timed in this process on the monitor
// module (`dm_merge`, V8 as in workerd, without the storage write).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = process.argv[2] ?? '.bench/out';
const BIN = process.env.DRIFTLAB_BIN ?? path.join(ROOT, 'target/debug/driftlab');
const WORKERD = path.join(ROOT, 'edge/test-tools/node_modules/.bin/workerd');
const WASM = path.join(ROOT, 'pkg/edge/driftlab_edge.wasm');
const COLD_STARTS = Number(process.env.EDGE_COLD_STARTS ?? 7);
const LOAD_REQUESTS = 20_000;
const CONNECTIONS = 32;
const LATENCY_REQUESTS = 2_000;
const BATCH_ROWS = 1_000;
const BATCH_REQUESTS = 200;

const log = (...a) => console.error('bench edge:', ...a);
const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Writes a bundle (from the CLI) and an empty worker into `work`; returns the request rows. */
function prepare(work) {
  const csv = execFileSync(BIN, ['dataset', 'fraud', '--rows', '4000', '--seed', '7'], { maxBuffer: 1 << 26 }).toString();
  fs.writeFileSync(path.join(work, 'fraud.csv'), csv);
  execFileSync(BIN, ['train', '--data', path.join(work, 'fraud.csv'), '--target', 'is_fraud', '--model', 'logistic',
    '--seed', '7', '--out', path.join(work, 'model.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(BIN, ['export', '--model', path.join(work, 'model.json'), '--out', path.join(work, 'bundle'), '--wasm', WASM],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  fs.mkdirSync(path.join(work, 'empty'), { recursive: true });
  fs.writeFileSync(path.join(work, 'empty/worker.js'),
    "const body = '{\"predictions\":[]}';\n" +
    "export default { async fetch(request) {\n" +
    "  if (request.body) await request.arrayBuffer(); // read the body as the scorer does\n" +
    "  return new Response(body, { headers: { 'Content-Type': 'application/json' } });\n} };\n");
  // typed JSON rows from the CSV (the fraud table has no quoted cells)
  const [header, ...lines] = csv.trim().split('\n');
  const cols = header.split(',').filter((c) => c !== 'is_fraud');
  const all = header.split(',');
  const value = (s) => (s === '' ? null : s === 'true' ? true : s === 'false' ? false : Number.isFinite(Number(s)) ? Number(s) : s);
  return lines.map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(cols.map((c) => [c, value(cells[all.indexOf(c)])]));
  });
}

function config(work, name, port, scorer, monitored = false) {
  const modules = scorer
    ? `(name = "worker.js", esModule = embed "bundle/worker.js"),
       (name = "driftlab_edge.wasm", wasm = embed "bundle/driftlab_edge.wasm"),
       (name = "model.json", text = embed "bundle/model.json"),
       (name = "driftlab_monitor.wasm", wasm = embed "bundle/driftlab_monitor.wasm")`
    : '(name = "worker.js", esModule = embed "empty/worker.js")';
  const file = path.join(work, `${name}.capnp`);
  // without the MONITOR binding the bundle scores without monitoring
  let worker = `modules = [${modules}], compatibilityDate = "2026-04-01"`;
  let disk = '';
  if (monitored) {
    fs.mkdirSync(path.join(work, `${name}-do`), { recursive: true });
    worker = `modules = [${modules}],
      compatibilityDate = "2026-04-01",
      bindings = [(name = "MONITOR", durableObjectNamespace = "DriftlabMonitor")],
      durableObjectNamespaces = [(className = "DriftlabMonitor", uniqueKey = "bench", enableSql = true)],
      durableObjectStorage = (localDisk = "d")`;
    disk = `, (name = "d", disk = (path = ${JSON.stringify(path.join(work, `${name}-do`))}, writable = true))`;
  }
  fs.writeFileSync(file, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "s", worker = (${worker}))${disk}],
  sockets = [(name = "h", address = "127.0.0.1:${port}", http = (), service = "s")],
);
`);
  return file;
}

/**
 * The Durable Object's merge of one isolate's delta, in this process: the scorer sketches
 * `requests` (100 single-row requests, or one 1,000-row request), its delta goes through
 * the monitor module's `dm_merge` `n` times (as `n` isolates' deltas); p50 ms.
 */
function mergeTime(work, bodies, n = 200) {
  const load = (file) => new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(path.join(work, 'bundle', file))), {}).exports;
  const artifact = fs.readFileSync(path.join(work, 'bundle/model.json'));
  const put = (ex, alloc, bytes) => {
    const ptr = ex[alloc](bytes.length);
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  };
  const mon = load('driftlab_monitor.wasm');
  const init = Buffer.from(JSON.stringify({ artifact: artifact.toString() }));
  if (mon.dm_init(put(mon, 'dm_alloc', init), init.length) !== 0) throw new Error('the monitor refused the artifact');
  const times = [];
  for (let i = 0; i < n; i++) {
    // a fresh isolate each time, so every delta is new to the monitor
    const ex = load('driftlab_edge.wasm');
    if (ex.dl_load(put(ex, 'dl_alloc', artifact), artifact.length) !== 0) throw new Error('the scorer refused the artifact');
    const id = Buffer.from(`bench${String(i).padStart(8, '0')}`);
    if (ex.dl_monitor_start(put(ex, 'dl_alloc', id), id.length) !== 0) throw new Error('monitoring did not start');
    for (const body of bodies) {
      if (ex.dl_score_json(put(ex, 'dl_alloc', body), body.length, BATCH_ROWS) !== 0) throw new Error('scoring failed');
      ex.dl_record(200, 100);
    }
    if (ex.dl_delta() !== 0) throw new Error('no delta');
    const delta = new Uint8Array(ex.memory.buffer, ex.dl_output_ptr(), ex.dl_output_len()).slice();
    const ptr = put(mon, 'dm_alloc', delta);
    const t0 = nowMs();
    const status = mon.dm_merge(ptr, delta.length, 1.8e12 + i * 1000);
    times.push(nowMs() - t0);
    mon.dm_free(ptr, delta.length);
    if (status !== 0) throw new Error(`dm_merge answered ${status}`);
  }
  return { p50: median(times.slice(10)), p99: quantile(times.slice(10), 0.99), bytes_per_delta: null };
}

/** One request on `agent`; resolves { status, ms, body }. */
function request(agent, port, method, pathname, body) {
  return new Promise((resolve) => {
    const t0 = nowMs();
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, agent,
      headers: body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, ms: nowMs() - t0, body: Buffer.concat(chunks) }));
      res.on('error', (e) => resolve({ status: 0, ms: nowMs() - t0, error: e.message }));
    });
    req.on('error', (e) => resolve({ status: 0, ms: nowMs() - t0, error: e.message }));
    if (body) req.end(body);
    else req.end();
  });
}

/**
 * The scorer's own share of a batch request: `dl_score_json` on the same body, called in this
 * process (V8, as in workerd) with the bundle's artifact, without HTTP or worker.js; p50 ms
 * after warm-ups. The rest of a request's time is the body, the answer and the runtime.
 */
function wasmCall(work, body, n, warm = 20) {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(path.join(work, 'bundle/driftlab_edge.wasm'))), {}).exports;
  const put = (bytes) => {
    const ptr = ex.dl_alloc(bytes.length);
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  };
  const artifact = fs.readFileSync(path.join(work, 'bundle/model.json'));
  if (ex.dl_load(put(artifact), artifact.length) !== 0) throw new Error('the scorer refused the artifact');
  const times = [];
  for (let i = 0; i < warm + n; i++) {
    const ptr = put(body);
    const t0 = nowMs();
    const status = ex.dl_score_json(ptr, body.length, BATCH_ROWS);
    const ms = nowMs() - t0;
    if (status !== 0) throw new Error(`dl_score_json answered ${status}`);
    if (i >= warm) times.push(ms);
  }
  return { p50: median(times), min: Math.min(...times) };
}

/** Starts workerd and polls until the first 200 from `probe`; resolves { proc, ms }. */
async function start(configFile, port, probe) {
  const t0 = nowMs();
  const proc = spawn(WORKERD, ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const agent = new http.Agent({ keepAlive: false });
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`workerd exited: ${stderr}`);
    if (nowMs() - t0 > 30_000) throw new Error(`workerd did not answer in 30 s: ${stderr}`);
    const r = await request(agent, port, probe.method, probe.path, probe.body);
    if (r.status === 200) return { proc, ms: nowMs() - t0 };
    await new Promise((res) => setTimeout(res, 1));
  }
}

function stop(proc) {
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return res();
    proc.once('exit', res);
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
  });
}

/** Sequential requests on one keep-alive connection; per-request ms after `warm` warm-ups. */
async function sequential(port, body, n, warm = 100) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  let errors = 0;
  for (let i = 0; i < warm + n; i++) {
    const r = await request(agent, port, 'POST', '/score', body);
    if (r.status !== 200) errors++;
    if (i >= warm) times.push(r.ms);
  }
  agent.destroy();
  return { times, errors };
}

/** `total` requests over `connections` keep-alive connections; counts non-200s and checks bodies. */
async function load(port, bodies, total, connections, check) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const times = [];
  const failures = {};
  let next = 0;
  const t0 = nowMs();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < total) {
      const i = next++;
      const r = await request(agent, port, 'POST', '/score', bodies[i % bodies.length]);
      times.push(r.ms);
      const why = r.status !== 200 ? `status ${r.status}${r.error ? ` (${r.error})` : ''}` : check(r.body, i);
      if (why) failures[why] = (failures[why] ?? 0) + 1;
    }
  }));
  const seconds = (nowMs() - t0) / 1000;
  agent.destroy();
  const errors = Object.values(failures).reduce((a, b) => a + b, 0);
  return { requests: total, connections, errors, failures, seconds, rps: total / seconds,
    p50_ms: quantile(times, 0.5), p99_ms: quantile(times, 0.99), max_ms: Math.max(...times) };
}

async function main() {
  if (!fs.existsSync(WORKERD)) throw new Error(`${WORKERD} is missing: npm ci --prefix edge/test-tools`);
  if (!fs.existsSync(WASM)) throw new Error(`${WASM} is missing: make wasm`);
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: cargo build --bin driftlab`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlab-bench-edge-'));
  try {
    const rows = prepare(work);
    const one = Buffer.from(JSON.stringify({ rows: [rows[0]] }));
    const batch = Buffer.from(JSON.stringify({ rows: rows.slice(0, BATCH_ROWS) }));
    const port = await freePort();
    const emptyPort = await freePort();
    const scorerConfig = config(work, 'scorer', port, true);
    const emptyConfig = config(work, 'empty', emptyPort, false);
    const monPort = await freePort();
    const monConfig = config(work, 'monitored', monPort, true, true);

    // cold start: process start to the first 200, alternating the two workers
    log(`cold start, ${COLD_STARTS} starts of each worker`);
    const cold = { scorer: [], empty: [], scorer_first_score: [] };
    for (let i = 0; i < COLD_STARTS; i++) {
      const a = await start(scorerConfig, port, { method: 'GET', path: '/health' });
      cold.scorer.push(a.ms);
      await stop(a.proc);
      const s = await start(scorerConfig, port, { method: 'POST', path: '/score', body: one });
      cold.scorer_first_score.push(s.ms);
      await stop(s.proc);
      const b = await start(emptyConfig, emptyPort, { method: 'GET', path: '/health' });
      cold.empty.push(b.ms);
      await stop(b.proc);
    }

    const scorer = await start(scorerConfig, port, { method: 'GET', path: '/health' });
    const empty = await start(emptyConfig, emptyPort, { method: 'GET', path: '/health' });
    const monitored = await start(monConfig, monPort, { method: 'GET', path: '/health' });
    try {
      log(`monitoring on vs off: single-row and ${BATCH_ROWS}-row p50, interleaved in 4 rounds`);
      const mon = { on: [], off: [], batch_on: [], batch_off: [], errors: 0 };
      for (let round = 0; round < 4; round++) {
        for (const [key, p] of [['off', port], ['on', monPort]]) {
          const r = await sequential(p, one, LATENCY_REQUESTS / 4);
          mon[key].push(...r.times);
          mon.errors += r.errors;
          const rb = await sequential(p, batch, BATCH_REQUESTS / 4, 5);
          mon[`batch_${key}`].push(...rb.times);
          mon.errors += rb.errors;
        }
      }
      log('the Durable Object merge of one delta (in this process)');
      const mergeSingles = mergeTime(work, Array(100).fill(one));
      const mergeBatch = mergeTime(work, [batch], 100);
      log(`single-row latency, ${LATENCY_REQUESTS} sequential requests each, interleaved in 4 rounds`);
      const single = { scorer: [], empty: [], errors: 0 };
      for (let round = 0; round < 4; round++) {
        for (const [key, p] of [['scorer', port], ['empty', emptyPort]]) {
          const r = await sequential(p, one, LATENCY_REQUESTS / 4);
          single[key].push(...r.times);
          single.errors += r.errors;
        }
      }
      log(`${BATCH_ROWS}-row batch, ${BATCH_REQUESTS} sequential requests`);
      const b = await sequential(port, batch, BATCH_REQUESTS, 20);
      const eb = await sequential(emptyPort, batch, BATCH_REQUESTS, 20);
      const call = wasmCall(work, batch, BATCH_REQUESTS);

      log(`load: ${LOAD_REQUESTS} requests at ${CONNECTIONS} connections`);
      // a mix of single rows and 10-row batches, each answer checked for its row count
      const bodies = [];
      for (let i = 0; i < 64; i++) {
        const n = i % 4 === 0 ? 10 : 1;
        bodies.push(Buffer.from(JSON.stringify({ rows: rows.slice(i * 10, i * 10 + n) })));
      }
      const expectRows = bodies.map((x) => JSON.parse(x).rows.length);
      const check = (body, i) => {
        try {
          const p = JSON.parse(body).predictions;
          if (!Array.isArray(p) || p.length !== expectRows[i % bodies.length]) return 'wrong number of predictions';
          if (!p.every((x) => x.prediction === '0' || x.prediction === '1')) return 'a prediction is not a class label';
          return null;
        } catch {
          return 'body is not JSON';
        }
      };
      const loadScorer = await load(port, bodies, LOAD_REQUESTS, CONNECTIONS, check);
      const loadEmpty = await load(emptyPort, bodies, LOAD_REQUESTS, CONNECTIONS, () => null);
      const loadMonitored = await load(monPort, bodies, LOAD_REQUESTS, CONNECTIONS, check);
      const merged = await request(new http.Agent(), monPort, 'GET', '/monitor');
      const rowsMerged = merged.status === 200 ? JSON.parse(merged.body).windows.all.rows : null;

      const result = {
        machine: `${os.cpus()[0]?.model} × ${os.cpus().length}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
        bundle: { wasm_bytes: fs.statSync(path.join(work, 'bundle/driftlab_edge.wasm')).size,
          model_bytes: fs.statSync(path.join(work, 'bundle/model.json')).size },
        cold_start_ms: { scorer: median(cold.scorer), scorer_first_score: median(cold.scorer_first_score),
          empty: median(cold.empty), samples: cold },
        single_row_ms: { scorer_p50: median(single.scorer), empty_p50: median(single.empty),
          scorer_p99: quantile(single.scorer, 0.99), empty_p99: quantile(single.empty, 0.99), errors: single.errors },
        batch_1000_ms: { scorer_p50: median(b.times), empty_p50: median(eb.times), scorer_p99: quantile(b.times, 0.99),
          wasm_call_p50: call.p50, wasm_call_min: call.min, errors: b.errors + eb.errors },
        load: { scorer: loadScorer, empty: loadEmpty, monitored: loadMonitored },
        monitoring: {
          monitor_wasm_bytes: fs.statSync(path.join(work, 'bundle/driftlab_monitor.wasm')).size,
          single_row_p50_on: median(mon.on), single_row_p50_off: median(mon.off),
          batch_1000_p50_on: median(mon.batch_on), batch_1000_p50_off: median(mon.batch_off),
          errors: mon.errors,
          merge_100_single_rows_ms: mergeSingles, merge_1000_rows_ms: mergeBatch,
          rows_merged_after_all: rowsMerged,
        },
      };
      fs.writeFileSync(path.join(OUT, 'edge.json'), JSON.stringify(result, null, 1));
      log(JSON.stringify({ cold: result.cold_start_ms.scorer, empty: result.cold_start_ms.empty,
        single: result.single_row_ms, batch: result.batch_1000_ms, load: { p50: loadScorer.p50_ms, p99: loadScorer.p99_ms, errors: loadScorer.errors },
        monitoring: result.monitoring, load_monitored: { p50: loadMonitored.p50_ms, errors: loadMonitored.errors, rps: loadMonitored.rps } }));
    } finally {
      await stop(scorer.proc);
      await stop(empty.proc);
      await stop(monitored.proc);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  fs.writeFileSync(path.join(OUT, 'edge.json'), JSON.stringify({ error: String(e?.message ?? e).split('\n')[0] }));
  console.error('bench edge:', e);
  process.exit(1);
});
