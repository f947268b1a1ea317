// Monitoring at the edge in the real workerd (issue #18): a fraud model exported with its
// monitor, its Durable Object on disk (SQLite-backed, as wrangler.toml declares it), fed
// the calm and then the drifted fraud rows through concurrent connections. /monitor flags
// the drifted columns with the core's sentences; late labels move the performance and bad
// labels are refused whole; /metrics is Prometheus text behind the token; workerd is killed
// mid-stream and restarted, and the merged state survives with nothing counted twice; and
// 20,000 single-row requests at 32 connections with monitoring on get no error. The
// numbers against the core's own monitor on the same rows are tests/edge_monitor.rs's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKERD, freePort, run, writeWorkerdConfig } from './workerd.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
const CLI = join(TARGET, 'debug/driftlab');
const WASM = join(ROOT, 'pkg/edge/driftlab_edge.wasm');
const TOKEN = 'monitor-token-0123456789';
const LOAD_REQUESTS = Number(process.env.DRIFTLAB_LOAD_REQUESTS ?? 20000);

const work = mkdtempSync(join(tmpdir(), 'driftlab-monitor-'));
const processes = [];
let base;
let config;
let workerd;

const cli = (...args) => execFileSync(CLI, args, { cwd: work, maxBuffer: 64 << 20 }).toString();

/** The rows of a CSV as the JSON the worker takes (types as the CLI reads them), and the labels. */
function rowsOf(csv) {
  const [head, ...lines] = csv.trim().split('\n');
  const names = head.split(',');
  return lines.map((line) => {
    const row = {};
    let label;
    line.split(',').forEach((v, i) => {
      if (names[i] === 'is_fraud') label = v;
      else if (v === 'true' || v === 'false') row[names[i]] = v === 'true';
      else if (v === '') row[names[i]] = null;
      else row[names[i]] = Number.isNaN(Number(v)) ? v : Number(v);
    });
    return { row, label };
  });
}

const auth = { Authorization: `Bearer ${TOKEN}` };

async function get(path, headers = auth) {
  const r = await fetch(base + path, { headers });
  return { status: r.status, text: await r.text() };
}

async function post(path, body, type = 'application/json') {
  const r = await fetch(base + path, { method: 'POST', headers: { ...auth, 'Content-Type': type }, body });
  return { status: r.status, body: await r.json() };
}

/** Sends `rows` in requests of `size` rows over `connections` parallel loops; returns the ids. */
async function feed(rows, size, connections, onAnswer = () => {}) {
  const batches = [];
  for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));
  const ids = new Array(rows.length);
  let next = 0;
  const statuses = {};
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (;;) {
        const b = next++;
        if (b >= batches.length) return;
        let status;
        try {
          const r = await post('/score', JSON.stringify({ rows: batches[b].map((x) => x.row) }));
          status = r.status;
          if (status === 200) r.body.predictions.forEach((p, j) => (ids[b * size + j] = p.id));
        } catch {
          status = 'network';
        }
        statuses[status] = (statuses[status] ?? 0) + 1;
        onAnswer(status, batches[b].length);
      }
    }),
  );
  return { ids, statuses };
}

async function startWorkerd() {
  const p = run(processes, WORKERD, ['serve', config], { cwd: work });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/health`, { headers: auth })).ok) return p;
    } catch {}
    if (p.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workerd did not start:\n${p.output()}`);
}

const monitor = async () => JSON.parse((await get('/monitor')).text);

before(async () => {
  assert.ok(existsSync(WASM), `${WASM} is missing: run make wasm`);
  assert.ok(existsSync(join(dirname(WASM), 'driftlab_monitor.wasm')), 'pkg/edge/driftlab_monitor.wasm is missing: run make wasm');
  assert.ok(existsSync(WORKERD), `${WORKERD} is missing: run npm ci --prefix edge/test-tools`);
  execFileSync('cargo', ['build', '-q', '--bin', 'driftlab'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  execFileSync('sh', ['-c', `"${CLI}" dataset fraud --rows 4000 --seed 7 > train.csv`], { cwd: work });
  execFileSync('sh', ['-c', `"${CLI}" dataset fraud --rows 2000 --seed 8 > calm.csv`], { cwd: work });
  execFileSync('sh', ['-c', `"${CLI}" dataset fraud --rows 3000 --seed 9 --drift 1 > drifted.csv`], { cwd: work });
  cli('train', '--data', 'train.csv', '--target', 'is_fraud', '--model', 'logistic', '--out', 'model.json');
  const exported = JSON.parse(cli('export', '--model', 'model.json', '--out', 'bundle', '--wasm', WASM));
  assert.equal(exported.monitor, true, 'the bundle carries the monitor module');
  mkdirSync(join(work, 'do'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  config = writeWorkerdConfig(join(work, 'config.capnp'), [
    {
      dir: join(work, 'bundle'),
      port,
      monitor: join(work, 'do'),
      env: { DRIFTLAB_TOKEN: TOKEN, DRIFTLAB_MONITOR_EVERY: '25', DRIFTLAB_MONITOR_BATCH_ROWS: '1000' },
    },
  ]);
  workerd = await startWorkerd();
});

after(async () => {
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('monitoring in workerd with a Durable Object on disk', { concurrency: false }, () => {
  const calm = () => rowsOf(readFileSync(join(work, 'calm.csv'), 'utf8'));
  const drifted = () => rowsOf(readFileSync(join(work, 'drifted.csv'), 'utf8'));
  let driftedIds;

  test('/monitor before any traffic answers with empty windows', async () => {
    const m = await monitor();
    assert.equal(m.windows.all.rows, 0);
    assert.equal(m.windows.all.drift, null);
    assert.match(m.windows.all.drift_error, /no rows yet/);
    assert.deepEqual(m.alarms, []);
  });

  test('calm traffic over 8 connections: every row counted, no drift alarm', async () => {
    const rows = calm();
    const { ids, statuses } = await feed(rows, 10, 8);
    assert.deepEqual(statuses, { 200: 200 });
    assert.equal(new Set(ids).size, 2000, 'one id per row');
    assert.match(ids[0], /^[0-9a-f]{8}-[0-9a-z]+-\d+$/);
    const m = await monitor();
    assert.equal(m.windows.all.rows, 2000);
    assert.equal(m.windows.all.requests, 200);
    assert.equal(m.batches, 2);
    assert.equal(m.alarms.filter((a) => a.kind === 'data_drift').length, 0, JSON.stringify(m.alarms));
    assert.ok(m.windows.all.estimate.accuracy > 0.9);
  });

  test('drifted traffic: the drifted columns are flagged with the core\'s sentence', async () => {
    const rows = drifted().slice(0, 2000);
    const { ids, statuses } = await feed(rows, 10, 8);
    driftedIds = ids;
    assert.deepEqual(statuses, { 200: 200 });
    const m = await monitor();
    assert.equal(m.windows.all.rows, 4000);
    const drifting = m.last_batch.columns.filter((c) => c.drifted).map((c) => c.name);
    for (const c of ['merchant_category', 'country', 'card_present', 'device_new']) assert.ok(drifting.includes(c), `${c} in ${drifting}`);
    assert.equal(m.last_batch.dataset_drift, true);
    const alarm = m.alarms.find((a) => a.kind === 'data_drift');
    assert.match(alarm?.message ?? '', /^\d+ of 9 features drifted in batch \d+ \(.*\): the inputs no longer look like the training data$/);
    // the report has the shape of `driftlab drift`
    for (const k of ['columns', 'drifted_columns', 'drift_share', 'dataset_drift']) assert.ok(k in m.windows.all.drift, k);
    assert.ok(m.windows.all.predictions.positive_rate > 0);
    assert.equal(typeof m.windows.all.predictions.reference_rate, 'number');
  });

  test('late labels move the performance; bad labels are refused whole', async () => {
    const rows = drifted().slice(0, 2000);
    const labels = rows.map((r, i) => ({ id: driftedIds[i], label: r.label }));
    const first = await post('/labels', JSON.stringify({ labels: labels.slice(0, 1000) }));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.joined, 1000);
    const csv = 'id,label\n' + labels.slice(1000, 1500).map((l) => `${l.id},${l.label}`).join('\n') + '\n';
    const second = await post('/labels', csv, 'text/csv');
    assert.equal(second.status, 200, JSON.stringify(second.body));
    let m = await monitor();
    assert.equal(m.windows.all.performance.counts.rows, 1500);
    assert.equal(m.labels.labelled, 1500);
    const short = driftedIds[0].split('-')[0];
    const other = short === '00000000' ? '11111111' : '00000000';
    const cases = [
      [JSON.stringify({ labels: [labels[0]] }), 409, /labelled already/],
      [JSON.stringify({ labels: [labels[1600], labels[1600]] }), 400, /also label 0/],
      [JSON.stringify({ labels: [{ id: `${short}-zzzzzzzz-1`, label: '1' }] }), 422, /not a row this monitor keeps/],
      [JSON.stringify({ labels: [{ id: labels[1601].id, label: 'maybe' }] }), 422, /not a class/],
      [JSON.stringify({ labels: [{ id: labels[1602].id, label: [1] }] }), 400, /must be a class label/],
      [JSON.stringify({ labels: [{ id: labels[1603].id.replace(short, other), label: '1' }] }), 409, /row of model/],
      [JSON.stringify({ labels: Array.from({ length: 30000 }, (_, i) => ({ id: `${short}-x-${i}`, label: '1' })) }), 413, /batches of at most/],
      ['{"labels": 3', 400, /not JSON/],
    ];
    for (const [body, status, message] of cases) {
      const r = await post('/labels', body);
      assert.equal(r.status, status, `${body.slice(0, 80)}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, message);
    }
    m = await monitor();
    assert.equal(m.labels.labelled, 1500, 'nothing of a refused request was joined');
  });

  test('/metrics is Prometheus text, behind the bearer token', async () => {
    assert.equal((await get('/metrics', {})).status, 401);
    assert.equal((await get('/monitor', {})).status, 401);
    const { status, text } = await get('/metrics');
    assert.equal(status, 200);
    assert.match(text, /^# HELP driftlab_requests_total/m);
    assert.match(text, /^driftlab_rows_total\{model="fnv1a64:[0-9a-f]+"\} 4000$/m);
    assert.match(text, /^driftlab_drift_statistic\{model="[^"]+",column="country",test="jensenshannon"\} [0-9.e-]+$/m);
    assert.match(text, /^driftlab_alarms_total\{model="[^"]+",kind="data_drift"\} [1-9]\d*$/m);
    assert.match(text, /^driftlab_request_duration_seconds_bucket\{model="[^"]+",le="\+Inf"\} 400$/m);
  });

  test('killed mid-stream and restarted: the merged state survives, nothing counted twice', async () => {
    const before = await monitor();
    const rows = drifted().slice(2000, 3000);
    let answered = 0;
    let killed = false;
    const stream = feed(rows, 5, 8, (status, n) => {
      if (status === 200) answered += n;
      if (!killed && answered >= 400) {
        killed = true;
        workerd.kill('SIGKILL');
      }
    });
    await stream;
    await new Promise((r) => (workerd.exitCode !== null || workerd.signalCode !== null ? r() : workerd.once('exit', r)));
    workerd = await startWorkerd();
    const m = await monitor();
    // what the Durable Object had merged is all there; what isolates had not yet sent is
    // lost with them (at most DRIFTLAB_MONITOR_EVERY requests each), never counted twice
    assert.ok(m.windows.all.rows >= before.windows.all.rows, `${m.windows.all.rows} < ${before.windows.all.rows}`);
    assert.ok(m.windows.all.rows <= before.windows.all.rows + answered, `${m.windows.all.rows} > ${before.windows.all.rows} + ${answered}`);
    assert.equal(m.labels.labelled, before.labels.labelled);
    assert.deepEqual(m.alarms, before.alarms.concat(m.alarms.slice(before.alarms.length)));
    assert.equal(m.merges >= before.merges, true);
    // the judged batches' history (the page's per-batch charts) is a part of its own: read back too
    assert.ok(before.history.length > 0);
    assert.deepEqual(m.history.slice(0, before.history.length), before.history);
    assert.equal(m.history.length, m.batches);
    console.log(`restart: ${answered} rows answered before the kill; merged before ${before.windows.all.rows}, after ${m.windows.all.rows}; labels ${m.labels.labelled}; alarms ${m.alarms.length}`);
    // and the stream goes on from there, counted exactly
    const again = await feed(rows.slice(0, 500), 5, 8);
    assert.deepEqual(again.statuses, { 200: 100 });
    const after = await monitor();
    assert.equal(after.windows.all.rows, m.windows.all.rows + 500);
  });

  test(`${LOAD_REQUESTS} single-row requests at 32 connections with monitoring on: no errors`, async () => {
    const before = (await monitor()).windows.all.rows;
    const rows = calm();
    const many = Array.from({ length: LOAD_REQUESTS }, (_, i) => rows[i % rows.length]);
    const started = performance.now();
    const { statuses } = await feed(many, 1, 32);
    const seconds = (performance.now() - started) / 1000;
    assert.deepEqual(statuses, { 200: LOAD_REQUESTS });
    const m = await monitor();
    assert.equal(m.windows.all.rows, before + LOAD_REQUESTS);
    console.log(`load: ${LOAD_REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(LOAD_REQUESTS / seconds)}/s), ${m.merges} merges`);
  });

  test('driftlab replay sends a CSV in batches and its labels later', async () => {
    execFileSync('sh', ['-c', `"${CLI}" dataset fraud --rows 600 --seed 11 --drift 1 > replay.csv`], { cwd: work });
    const before = await monitor();
    const out = JSON.parse(
      execFileSync(CLI, ['replay', '--url', base, '--data', 'replay.csv', '--labels-after', '2', '--batch', '50', '--rate', '100000'], {
        cwd: work,
        env: { ...process.env, DRIFTLAB_TOKEN: TOKEN },
      }).toString(),
    );
    assert.equal(out.rows, 600);
    assert.deepEqual(out.requests, { 200: 12 });
    assert.equal(out.labels, 600);
    assert.equal(out.monitor.windows.all.rows, before.windows.all.rows + 600);
    assert.equal(out.monitor.labels.labelled, before.labels.labelled + 600);
    // without the token the bundle refuses, and replay says so
    const refused = spawnSync(CLI, ['replay', '--url', base, '--data', 'replay.csv'], { cwd: work, env: { ...process.env, DRIFTLAB_TOKEN: '' } });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr.toString(), /401/);
  });

  test('the monitor module refuses corrupt deltas and deltas of another model, and counts a repeat once', () => {
    const load = (f) => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(work, 'bundle', f))), {}).exports;
    const artifact = readFileSync(join(work, 'bundle/model.json'));
    const put = (ex, alloc, bytes) => {
      const ptr = ex[alloc](bytes.length);
      new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
      return [ptr, bytes.length];
    };
    const out = (ex, p) => new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ex[`${p}_output_ptr`](), ex[`${p}_output_len`]()));
    const scorer = load('driftlab_edge.wasm');
    assert.equal(scorer.dl_load(...put(scorer, 'dl_alloc', artifact)), 0);
    assert.equal(scorer.dl_monitor_start(...put(scorer, 'dl_alloc', Buffer.from('nodetest01'))), 0);
    const body = Buffer.from(JSON.stringify({ rows: calm().slice(0, 20).map((r) => r.row) }));
    assert.equal(scorer.dl_score_json(...put(scorer, 'dl_alloc', body), 100), 0);
    scorer.dl_record(200, 150);
    assert.equal(scorer.dl_delta(), 0);
    const delta = out(scorer, 'dl');
    const mon = load('driftlab_monitor.wasm');
    assert.equal(mon.dm_init(...put(mon, 'dm_alloc', Buffer.from(JSON.stringify({ artifact: artifact.toString() })))), 0);
    const merge = (text) => {
      const status = mon.dm_merge(...put(mon, 'dm_alloc', Buffer.from(text)), 1.8e12);
      return { status, text: out(mon, 'dm') };
    };
    const hash = JSON.parse(delta).model;
    const cases = [
      [delta.replace(hash, 'fnv1a64:0123456789abcdef'), 409, /another bundle version/],
      [delta.replace('"rows":20', '"rows":21'), 400, /refused/],
      [delta.slice(0, delta.length / 2), 400, /not valid JSON/],
      [delta.replace('"version":1', '"version":2'), 400, /not a sketch delta this monitor reads/],
      ['\u0000\u00ff garbage', 400, /not valid JSON/],
    ];
    for (const [text, status, message] of cases) {
      const r = merge(text);
      assert.equal(r.status, status, r.text);
      assert.match(JSON.parse(r.text).error, message);
    }
    const first = merge(delta);
    assert.equal(first.status, 0, first.text);
    assert.equal(JSON.parse(first.text.split('\n')[0]).rows, 20);
    const again = merge(delta);
    assert.deepEqual(JSON.parse(again.text.split('\n')[0]), { merged: false, duplicate: true, rows: 20 });
  });
});
