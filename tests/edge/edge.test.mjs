// The edge bundle in the real runtimes: workerd (the open-source Workers runtime, from npm)
// and Node (the bundle's serve.mjs). Trains one model of every kind (examples/
// edge_artifacts.rs), writes each model's bundle, starts the runtimes on 127.0.0.1, and checks
// that predictions equal the native scorer's bit for bit, JSON and CSV, and the page's own
// Wasm core's in Chromium (page.mjs) bit for bit, warnings included, as the CLI's `score`
// does; and that every bad request gets its 4xx, the 401 path, limits, CORS; that wrangler
// accepts the bundle; and that a corrupted artifact is refused at startup.
//
//   npm ci --prefix edge/test-tools      # workerd (and wrangler) in a git-ignored folder
//   make wasm                            # pkg/edge/driftlab_edge.wasm, pkg/driftlab*, npm ci
//   make browser                         # Debian's Chromium (CHROMIUM overrides the path)
//   node --test tests/edge/
//
// DRIFTLAB_EDGE_WASM overrides the scorer path; CARGO_TARGET_DIR is honoured.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKERD, freePort, run, writeWorkerdConfig } from './workerd.mjs';
import { asEdgeAnswer, assertBitIdentical, bits, openPageCore, probeRows } from './page.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WASM = process.env.DRIFTLAB_EDGE_WASM ?? join(ROOT, 'pkg/edge/driftlab_edge.wasm');
const WRANGLER = join(ROOT, 'edge/test-tools/node_modules/.bin/wrangler');
const TOKEN = 'test-token-0123456789';
const STRICT = { DRIFTLAB_TOKEN: TOKEN, DRIFTLAB_MAX_ROWS: '5', DRIFTLAB_MAX_BODY_BYTES: '2000', DRIFTLAB_CORS_ORIGIN: '*' };

const work = mkdtempSync(join(tmpdir(), 'driftlab-edge-'));
const processes = [];
let models = [];

before(() => {
  assert.ok(existsSync(WASM), `${WASM} is missing: run make wasm`);
  assert.ok(existsSync(WORKERD), `${WORKERD} is missing: run npm ci --prefix edge/test-tools`);
  // the core's example, with its default features as the CLI builds it (cargo rebuilds the
  // core's cdylib whenever its features change between two builds)
  execFileSync('cargo', ['run', '-q', '--example', 'edge_artifacts', '--', work, WASM], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 600_000,
  });
  models = readdirSync(work).filter((f) => f.endsWith('.model.json')).map((f) => f.slice(0, -'.model.json'.length)).sort();
  assert.ok(models.length >= 11, `expected a model of every kind, got ${models}`);
  // a corrupted copy: one class label edited, so the content no longer matches its hash
  cpSync(join(work, 'logistic-iris'), join(work, 'corrupted'), { recursive: true });
  const model = readFileSync(join(work, 'corrupted/model.json'), 'utf8');
  writeFileSync(join(work, 'corrupted/model.json'), model.replace('"versicolor"', '"versicolour"'));
});

after(async () => {
  const running = processes.filter((p) => p.exitCode === null && p.signalCode === null);
  for (const p of running) p.kill('SIGTERM');
  await Promise.all(
    running.map(
      (p) =>
        new Promise((r) => {
          const hard = setTimeout(() => p.kill('SIGKILL'), 3000);
          p.once('exit', () => {
            clearTimeout(hard);
            r();
          });
        }),
    ),
  );
  const core = await pageCore?.catch(() => null);
  await core?.close();
  rmSync(work, { recursive: true, force: true });
});

// The page's core in Chromium (page.mjs), started on first use, and per model the rows it is
// held to (the request's rows, then probe rows outside the reference) with its answer, in
// the HTTP API's shape; shared by the runtimes' tests and the CLI's.
let pageCore = null;
const openPageCoreOnce = () => (pageCore ??= openPageCore());
const probes = new Map();
async function pageProbe(m) {
  if (!probes.has(m)) {
    const core = await openPageCoreOnce();
    const artifact = readFileSync(join(work, `${m}.model.json`), 'utf8');
    const { rows } = JSON.parse(readFileSync(join(work, `${m}.request.json`), 'utf8'));
    const body = JSON.stringify({ rows: probeRows(JSON.parse(artifact), rows) });
    const { model } = JSON.parse(readFileSync(join(work, `${m}.expected.json`), 'utf8'));
    probes.set(m, { body, answer: asEdgeAnswer(await core.score(artifact, body), model.task) });
  }
  return probes.get(m);
}

async function waitUp(base, proc, headers = {}) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}): ${proc.output()}`);
    try {
      const r = await fetch(`${base}/health`, { headers });
      if (r.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server at ${base} did not answer: ${proc.output()}`);
}

/** One workerd process serving `bundles` ([{dir, port, env}]); returns the process. */
function startWorkerd(bundles, name) {
  return run(processes, WORKERD, ['serve', writeWorkerdConfig(join(work, `${name}.capnp`), bundles)]);
}

function startNode(dir, port, env = {}) {
  return run(processes, process.execPath, [join(dir, 'serve.mjs')], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
  });
}

const post = (base, body, headers = {}) =>
  fetch(`${base}/score`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const IRIS_ROW = { sepal_length_cm: 5.1, sepal_width_cm: 3.5, petal_length_cm: 1.4, petal_width_cm: 0.2 };

async function expectError(response, status, row, column) {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const body = await response.json();
  assert.equal(typeof body.error, 'string');
  assert.ok(body.error.length > 10, body.error);
  if (row !== undefined) assert.equal(body.row, row, JSON.stringify(body));
  if (column !== undefined) assert.equal(body.column, column, JSON.stringify(body));
  return body;
}

for (const runtime of ['workerd', 'node']) {
  describe(`the bundle under ${runtime}`, () => {
    const base = {};
    let strict;

    before(async () => {
      const bundles = [];
      for (const m of models) bundles.push({ name: m, dir: join(work, m), port: await freePort() });
      const strictBundle = { name: 'strict', dir: join(work, 'logistic-iris'), port: await freePort(), env: STRICT };
      strict = `http://127.0.0.1:${strictBundle.port}`;
      const started = [];
      if (runtime === 'workerd') {
        const p = startWorkerd([...bundles, strictBundle], 'all');
        for (const b of bundles) started.push([`http://127.0.0.1:${b.port}`, p, {}]);
        started.push([strict, p, { Authorization: `Bearer ${TOKEN}` }]);
      } else {
        for (const b of bundles) started.push([`http://127.0.0.1:${b.port}`, startNode(b.dir, b.port), {}]);
        started.push([strict, startNode(strictBundle.dir, strictBundle.port, STRICT), { Authorization: `Bearer ${TOKEN}` }]);
      }
      await Promise.all(started.map(([url, p, h]) => waitUp(url, p, h)));
      for (const b of bundles) base[b.name] = `http://127.0.0.1:${b.port}`;
    });

    test('predictions equal the native scorer bit for bit, for every model kind (JSON rows)', async () => {
      for (const m of models) {
        const request = readFileSync(join(work, `${m}.request.json`), 'utf8');
        const expected = JSON.parse(readFileSync(join(work, `${m}.expected.json`), 'utf8'));
        const r = await post(base[m], request);
        assert.equal(r.status, 200, `${m}: ${await r.clone().text()}`);
        assert.deepEqual(await r.json(), expected, m);
      }
    });

    test('a CSV body gives the same predictions', async () => {
      for (const m of models) {
        const csv = readFileSync(join(work, `${m}.request.csv`));
        const expected = JSON.parse(readFileSync(join(work, `${m}.expected.json`), 'utf8'));
        const r = await fetch(`${base[m]}/score`, { method: 'POST', headers: { 'Content-Type': 'text/csv; charset=utf-8' }, body: csv });
        assert.equal(r.status, 200, `${m}: ${await r.clone().text()}`);
        assert.deepEqual(await r.json(), expected, m);
      }
    });

    test('the page’s Wasm core in Chromium answers as this runtime does, bit for bit, for every model kind', async () => {
      for (const m of models) {
        const { body, answer } = await pageProbe(m);
        const r = await post(base[m], body);
        assert.equal(r.status, 200, `${m}: ${await r.clone().text()}`);
        assertBitIdentical(answer, await r.json(), m, ['page', runtime]);
      }
    });

    // JSON cells read alike by the page's scorer (driftlab::artifact::Artifact::score_json_rows)
    // and the edge's (edge/src/lib.rs, text_cell): a blank string is missing, "true"/"FALSE"
    // in a boolean column are booleans, and an absent column is refused by both.
    if (runtime === 'workerd') {
      test('a JSON cell means the same to the page’s core as to the edge', async () => {
        const m = 'logistic-fraud';
        const artifact = readFileSync(join(work, `${m}.model.json`), 'utf8');
        const { rows } = JSON.parse(readFileSync(join(work, `${m}.request.json`), 'utf8'));
        const { model } = JSON.parse(readFileSync(join(work, `${m}.expected.json`), 'utf8'));
        const differ = [];
        const ABSENT = Symbol('absent');
        const cases = [['merchant_category', ''], ['merchant_category', ' '], ['amount', ''], ['amount', '12.5'],
          ['card_present', 'true'], ['card_present', 'FALSE'], ['card_present', ''], ['country', ABSENT]];
        let refusedByBoth = 0;
        for (const [column, value] of cases) {
          const cell = value === ABSENT ? `no ${column}` : `${column} = ${JSON.stringify(value)}`;
          const row = { ...rows[0], [column]: value };
          if (value === ABSENT) delete row[column];
          const body = JSON.stringify({ rows: [row] });
          const r = await post(base[m], body);
          const edge = await r.json();
          const page = await (await openPageCoreOnce()).score(artifact, body).then((a) => asEdgeAnswer(a, model.task), (e) => e);
          if (page instanceof Error && r.status >= 400) {
            refusedByBoth += 1;
            assert.equal(edge.column, column, `${cell}: ${JSON.stringify(edge)}`);
            assert.match(page.message, new RegExp(`"${column}"`), cell);
            continue;
          }
          if (page instanceof Error || r.status !== 200) {
            differ.push(`${cell}: page ${page instanceof Error ? page.message : 'answers'}; ${runtime} ${r.status} ${edge.error ?? ''}`);
            continue;
          }
          try {
            assertBitIdentical(page, edge, m, ['page', runtime]);
          } catch (e) {
            differ.push(`${cell}: ${e.message.split('\n')[0]}: page ${JSON.stringify(page.predictions[0].warnings)}; ${runtime} ${JSON.stringify(edge.predictions[0].warnings)}`);
          }
        }
        assert.deepEqual(differ, [], differ.join('\n'));
        assert.equal(refusedByBoth, 1, 'only the row without a column is refused, by both');
      });
    }

    test('GET /health and GET /model', async () => {
      const m = base['logistic-iris'];
      const health = await (await fetch(`${m}/health`)).json();
      assert.equal(health.status, 'ok');
      assert.equal(health.model.kind, 'logistic');
      const card = await (await fetch(`${m}/model`)).json();
      const artifact = JSON.parse(readFileSync(join(work, 'logistic-iris.model.json'), 'utf8'));
      assert.equal(card.hash, artifact.hash);
      assert.equal(card.version, 1);
      assert.deepEqual(card.schema, artifact.schema);
      assert.deepEqual(card.metrics, artifact.metrics);
      assert.deepEqual(card.classes, ['setosa', 'versicolor', 'virginica']);
      assert.deepEqual(card.inputs.map((i) => i.name), Object.keys(IRIS_ROW));
      assert.equal((await fetch(`${m}/health`, { method: 'HEAD' })).status, 200);
    });

    test('warnings flag inputs outside the reference', async () => {
      const r = await post(base['logistic-iris'], { rows: [{ ...IRIS_ROW, sepal_length_cm: 99, petal_width_cm: null }] });
      assert.equal(r.status, 200);
      const [p] = (await r.json()).predictions;
      assert.deepEqual(p.warnings.map((w) => [w.column, w.kind]), [['sepal_length_cm', 'out_of_range'], ['petal_width_cm', 'missing']]);
      const fraud = JSON.parse(readFileSync(join(work, 'logistic-fraud.request.json'), 'utf8')).rows[0];
      const u = await post(base['logistic-fraud'], { rows: [{ ...fraud, merchant_category: 'never-seen' }] });
      assert.equal(u.status, 200);
      const kinds = (await u.json()).predictions[0].warnings.map((w) => `${w.column}:${w.kind}`);
      assert.ok(kinds.includes('merchant_category:unseen_category'), kinds.join());
    });

    test('every bad request gets a 4xx naming the row and the column', async () => {
      const m = base['logistic-iris'];
      await expectError(await post(m, '{"rows": [{"sepal_length_cm": 5.1,'), 400, null, null);
      await expectError(await post(m, '[1, 2]'), 400, null, null);
      await expectError(await post(m, { rows: 'all of them' }), 400, null, null);
      await expectError(await post(m, { rows: [IRIS_ROW, [1, 2, 3, 4]] }), 400, 1, null);
      await expectError(await post(m, { rows: [IRIS_ROW, { ...IRIS_ROW, petal_width_cm: [0.2] }] }), 400, 1, 'petal_width_cm');
      await expectError(await post(m, { rows: [IRIS_ROW, IRIS_ROW, { ...IRIS_ROW, sepal_width_cm: 'wide' }] }), 400, 2, 'sepal_width_cm');
      const { petal_length_cm: _, ...without } = IRIS_ROW;
      const missing = await expectError(await post(m, { rows: [without] }), 400, 0, 'petal_length_cm');
      assert.match(missing.error, /petal_length_cm/);
      const csvMissing = await fetch(`${m}/score`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'sepal_length_cm,sepal_width_cm\n5.1,3.5\n' });
      await expectError(csvMissing, 400, null, 'petal_length_cm');
      const csvBad = await fetch(`${m}/score`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5.1,3.5,1.4,0.2\n5.1,"3.5,1.4,0.2\n' });
      await expectError(csvBad, 400);
      const csvText = await fetch(`${m}/score`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5.1,3.5,1.4,0.2\n5.1,abc,1.4,0.2\n' });
      await expectError(csvText, 400, 1, 'sepal_width_cm');
      await expectError(await fetch(`${m}/score`), 405);
      await expectError(await fetch(`${m}/model`, { method: 'POST', body: '{}' }), 405);
      await expectError(await fetch(`${m}/nope`), 404);
      await expectError(await fetch(`${m}/score`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }), 415);
      const ok = await post(m, { rows: [] });
      assert.equal(ok.status, 200);
      assert.deepEqual((await ok.json()).predictions, []);
    });

    test('the bearer token, the limits and CORS', async () => {
      const auth = { Authorization: `Bearer ${TOKEN}` };
      await expectError(await post(strict, { rows: [IRIS_ROW] }), 401, null, null);
      await expectError(await post(strict, { rows: [IRIS_ROW] }, { Authorization: `Bearer ${TOKEN}x` }), 401);
      await expectError(await post(strict, { rows: [IRIS_ROW] }, { Authorization: TOKEN }), 401);
      await expectError(await fetch(`${strict}/model`), 401);
      const ok = await post(strict, { rows: [IRIS_ROW] }, auth);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), '*');
      await expectError(await post(strict, { rows: Array(6).fill(IRIS_ROW) }, auth), 413);
      const csv = ['sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm', ...Array(6).fill('5.1,3.5,1.4,0.2')].join('\n');
      await expectError(await fetch(`${strict}/score`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/csv' }, body: csv }), 413);
      const big = JSON.stringify({ rows: [IRIS_ROW], pad: 'x'.repeat(3000) });
      await expectError(await post(strict, big, auth), 413);
      // no Content-Length (chunked): the actual length is checked too
      const chunks = [new TextEncoder().encode(big.slice(0, 1500)), new TextEncoder().encode(big.slice(1500))];
      const stream = new ReadableStream({ pull(c) { chunks.length ? c.enqueue(chunks.shift()) : c.close(); } });
      const chunked = await fetch(`${strict}/score`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: stream, duplex: 'half' });
      await expectError(chunked, 413);
      const preflight = await fetch(`${strict}/score`, { method: 'OPTIONS', headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(preflight.status, 204);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    });
  });
}

/** Builds the CLI (`cargo build --bin driftlab`); returns the binary's path. */
function buildCli() {
  const built = execFileSync('cargo', ['build', '-q', '--bin', 'driftlab', '--message-format=json'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  const bin = built.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.target?.name === 'driftlab' && m.executable)?.executable;
  assert.ok(bin, 'cargo built no driftlab binary');
  return bin;
}

describe('the page’s Wasm core in Chromium', () => {
  test('answers the test rows as the native scorer does, for every model kind', async () => {
    for (const m of models) {
      const expected = JSON.parse(readFileSync(join(work, `${m}.expected.json`), 'utf8'));
      const { answer } = await pageProbe(m);
      assertBitIdentical({ ...answer, predictions: answer.predictions.slice(0, expected.predictions.length) }, expected, m, ['page', 'native']);
    }
  });

  test('answers the test rows as the CLI’s driftlab score prints them, for every model kind', async () => {
    const cli = buildCli();
    for (const m of models) {
      const expected = JSON.parse(readFileSync(join(work, `${m}.expected.json`), 'utf8'));
      const csv = execFileSync(cli, ['score', '--model', join(work, `${m}.model.json`), '--data', join(work, `${m}.request.csv`)], { encoding: 'utf8' });
      const [header, ...lines] = csv.trim().split('\n').map((l) => l.split(','));
      const { answer } = await pageProbe(m);
      assert.equal(lines.length, expected.predictions.length, `${m}: the CLI's rows`);
      lines.forEach((cells, i) => {
        const p = answer.predictions[i];
        const at = `${m}, row ${i}`;
        const prediction = expected.model.task === 'classification' ? cells[0] : Number(cells[0]);
        assert.ok(Object.is(p.prediction, prediction), `${at}, prediction: page ${bits(p.prediction)} vs CLI ${cells[0]}`);
        assert.deepEqual(header.slice(1), Object.keys(p.probabilities ?? {}).map((c) => `p_${c}`), `${at}: the columns`);
        header.slice(1).forEach((h, k) => {
          const [x, y] = [p.probabilities[h.slice(2)], Number(cells[k + 1])];
          assert.ok(Object.is(x, y), `${at}, ${h}: page ${bits(x)} vs CLI ${cells[k + 1]} (${bits(y)})`);
        });
      });
    }
  });
});

describe('wrangler', () => {
  test('accepts the bundle unchanged (deploy --dry-run bundles it)', () => {
    const out = join(work, 'wrangler-out');
    const r = spawnSync(WRANGLER, ['deploy', '--dry-run', '--outdir', out], {
      cwd: join(work, 'logistic-iris'),
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const log = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, log);
    assert.match(log, /--dry-run: exiting now/);
    assert.doesNotMatch(log, /WARNING|ERROR/);
    const files = readdirSync(out);
    assert.ok(files.some((f) => f.endsWith('driftlab_edge.wasm')) && files.some((f) => f.endsWith('model.json')), files.join());
  });
});

describe('a corrupted artifact', () => {
  test('is refused at startup by workerd, with a clear error', async () => {
    const p = startWorkerd([{ dir: join(work, 'corrupted'), port: await freePort() }], 'corrupted');
    // 'close', not 'exit': the exit can come before the last of its output has been read
    const code = await Promise.race([
      new Promise((r) => p.once('close', r)),
      new Promise((r) => setTimeout(() => r('running'), 15_000)),
    ]);
    assert.notEqual(code, 'running', 'workerd kept running with a corrupted artifact');
    assert.notEqual(code, 0);
    assert.match(p.output(), /hash mismatch/);
  });

  test('is refused at startup by serve.mjs, with a clear error', async () => {
    const p = startNode(join(work, 'corrupted'), await freePort());
    const code = await new Promise((r) => p.once('close', r));
    assert.equal(code, 1);
    assert.match(p.output(), /model artifact \(model\.json\) was refused: artifact hash mismatch/);
  });
});
