// The npm package as a web developer gets it: built by npm/build.mjs from pkg/, packed by
// `npm pack`, installed from the tarball into a scratch project (offline), and used from
// Node, from Deno (npm/test-tools, the `deno` condition), from a page in Chromium
// (playwright-core, Debian's Chromium), from a module Web Worker of a page Vite built (the
// `browser` condition as a bundler resolves it) and from a Worker bundled by wrangler and
// run in workerd. Scores are held bit for bit to what the CLI's
// `driftlab score` prints, and the README's examples run as they are written.
//
//   make wasm && npm ci --prefix edge/test-tools && npm ci --prefix npm/test-tools --ignore-scripts && node --test npm/test/
//
// DRIFTLAB_CLI points at a built CLI (else cargo builds it); CHROMIUM overrides the browser,
// DENO the Deno binary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { WORKERD, freePort, run } from '../../tests/edge/workerd.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WRANGLER = join(ROOT, 'edge/test-tools/node_modules/.bin/wrangler');
const DENO = process.env.DENO ?? join(ROOT, 'npm/test-tools/node_modules/.bin/deno');
const VERSION = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m)[1];

const work = mkdtempSync(join(tmpdir(), 'driftlab-npm-'));
const app = join(work, 'app');
const processes = [];
let cli;
let tarball;
// iris.csv as the CLI reads it: the header and the rows of text cells
let header;
let cells;
// rows a client sends: every iris row as numbers, then rows the model never saw the like of
let rows;

const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

function buildCli() {
  if (process.env.DRIFTLAB_CLI) return process.env.DRIFTLAB_CLI;
  const built = sh('cargo', ['build', '-q', '--bin', 'driftlab', '--message-format=json'], ROOT);
  const bin = built.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.target?.name === 'driftlab' && m.executable)?.executable;
  assert.ok(bin, 'cargo built no driftlab binary');
  return bin;
}

/** The README's code blocks with their `<!-- test: … -->` line: `{kind, expect, code}`. */
function readmeExamples() {
  const readme = readFileSync(join(ROOT, 'npm/README.md'), 'utf8');
  const blocks = [...readme.matchAll(/<!-- test: (\w+)(?: prints \/(.*)\/)? -->\n```js\n([\s\S]*?)```/g)];
  return blocks.map(([, kind, expect, code]) => ({ kind, expect: expect && new RegExp(expect.replaceAll('\\n', '\n')), code }));
}

before(() => {
  const pkg = join(work, 'package');
  sh(process.execPath, [join(ROOT, 'npm/build.mjs'), pkg], ROOT);
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], pkg));
  tarball = join(work, packed[0].filename);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  sh('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], app);

  cli = buildCli();
  copyFileSync(join(ROOT, 'data/iris.csv'), join(app, 'iris.csv'));
  copyFileSync(join(ROOT, 'tests/fixtures/parquet/iris.parquet'), join(app, 'iris.parquet'));
  copyFileSync(join(ROOT, 'tests/fixtures/arrow/iris.arrow'), join(app, 'iris.arrow'));
  sh(cli, ['train', '--data', join(app, 'iris.csv'), '--target', 'species', '--model', 'logistic', '--out', join(app, 'model.json')], app);
  sh(cli, ['train', '--data', join(ROOT, 'data/diabetes.csv'), '--target', 'progression', '--model', 'linear', '--out', join(app, 'linear.json')], app);
  [header, ...cells] = readFileSync(join(app, 'iris.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  // a current table: iris with its petals a third longer and its sepals unchanged
  const shifted = [header.join(','), ...cells.map((c) => [c[0], c[1], String(Number(c[2]) * 1.3), c[3], c[4]].join(','))].join('\n');
  writeFileSync(join(app, 'shifted.csv'), `${shifted}\n`);
  const numbers = cells.map((c) => Object.fromEntries(header.slice(0, 4).map((h, k) => [h, Number(c[k])])));
  rows = [
    ...numbers,
    { ...numbers[0], petal_width_cm: 40 },
    { ...numbers[1], sepal_length_cm: null },
    { ...numbers[2], petal_length_cm: -1e308, extra: 'ignored' },
  ];
});

after(async () => {
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

/** An entry of the installed package, imported by a module of the app (so Node resolves its exports). */
let entries;
async function load(entry) {
  if (!entries) {
    writeFileSync(join(app, 'entries.mjs'), "export * as core from 'driftlab';\nexport * as light from 'driftlab/light';\nexport * as scorer from 'driftlab/scorer';\n");
    entries = await import(pathToFileURL(join(app, 'entries.mjs')).href);
  }
  return entries[{ driftlab: 'core', 'driftlab/light': 'light', 'driftlab/scorer': 'scorer' }[entry]];
}
const bits = (x) => (typeof x === 'number' ? Buffer.from(new Float64Array([x]).buffer).toString('hex') : String(x));

/** The CLI's scores of `csv` with `model`: `{prediction, probabilities}` per row, parsed as the CLI printed them. */
function cliScores(model, csv) {
  const out = sh(cli, ['score', '--model', join(app, model), '--data', csv], app);
  const [head, ...lines] = out.trim().split('\n').map((l) => l.split(','));
  return lines.map((c) => ({
    prediction: Number.isNaN(Number(c[0])) ? c[0] : Number(c[0]),
    probabilities: head.length > 1 ? Object.fromEntries(head.slice(1).map((h, k) => [h.slice(2), Number(c[k + 1])])) : null,
  }));
}

/** The core's default drift options, written out (the type asks for every field). */
function defaultDriftOptions() {
  return { columns: null, test: null, threshold: null, per_column: {}, drift_share: 0.5, large_sample_rows: 1000, low_cardinality: 5, psi: { bins: 10, binning: 'quantile', epsilon: 1e-4 } };
}

/** Asserts every number of `a` and `b` is the same double, and everything else equal. */
function assertSameBits(a, b, at) {
  assert.equal(typeof a, typeof b, `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  if (typeof a === 'number') return assert.ok(Object.is(a, b), `${at}: ${a} (${bits(a)}) vs ${b} (${bits(b)})`);
  if (a === null || typeof a !== 'object') return assert.equal(a, b, at);
  assert.deepEqual(Object.keys(a), Object.keys(b), `${at}: the keys`);
  for (const k of Object.keys(a)) assertSameBits(a[k], b[k], `${at}.${k}`);
}

describe('the tarball', () => {
  test('holds the three entries, their types and Wasm, at the version of Cargo.toml', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/driftlab/package.json'), 'utf8'));
    assert.equal(manifest.version, VERSION);
    assert.equal(tarball, join(work, `driftlab-${VERSION}.tgz`));
    const files = sh('tar', ['tzf', tarball], work).trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
    const entry = (d, wasm) => [`${d}/browser.js`, `${d}/driftlab.d.ts`, `${d}/driftlab.js`, `${d}/${wasm}`, `${d}/index.d.ts`, `${d}/node.js`, `${d}/workerd.js`];
    const expected = ['README.md', 'package.json', ...entry('core', 'driftlab_bg.wasm'), ...entry('light', 'driftlab_bg.wasm'),
      'scorer/browser.js', 'scorer/driftlab_edge.wasm', 'scorer/index.d.ts', 'scorer/index.js', 'scorer/node.js', 'scorer/workerd.js'].sort();
    assert.deepEqual(files, expected);
    // every path an export condition names is in the package
    for (const [name, conditions] of Object.entries(manifest.exports)) {
      for (const target of typeof conditions === 'string' ? [conditions] : Object.values(conditions)) {
        assert.ok(files.includes(target.slice(2)), `${name}: ${target} is not in the tarball`);
      }
    }
  });

  test('the scorer entry is the edge scorer as make wasm built it, plus at most 4,000 B gzipped of JavaScript', () => {
    // the entry's budget (70,000 B gzipped, issue #20) is printed by npm/build.mjs: the edge
    // scorer's own size is governed by the edge's budget, this package adds only the loader
    const dir = join(app, 'node_modules/driftlab/scorer');
    assert.ok(readFileSync(join(dir, 'driftlab_edge.wasm')).equals(readFileSync(join(ROOT, 'pkg/edge/driftlab_edge.wasm'))));
    for (const loader of ['node.js', 'browser.js', 'workerd.js']) {
      const js = Buffer.concat(['index.js', loader].map((f) => readFileSync(join(dir, f))));
      const gzipped = execFileSync('gzip', ['-9'], { input: js }).length;
      assert.ok(gzipped <= 4000, `driftlab/scorer's JavaScript with ${loader}: ${gzipped} B gzipped`);
    }
  });

  test('types: every public method of the three entries is typed, none is any (tsc --strict)', () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], types: [], skipLibCheck: false },
      files: ['check.ts'],
    }));
    writeFileSync(join(app, 'check.ts'), `
import { Data, Model, Detector, type Scored, type Profile, type TrainResult, type ArtifactCard, type DriftReport, type DetectorState, type RunReport } from 'driftlab';
import { Data as LightData, type Loaded } from 'driftlab/light';
import { loadScorer, createScorer, scorerModule, Scorer, ScorerError, type ScoredRow } from 'driftlab/scorer';
type IsAny<T> = 0 extends 1 & T ? true : false;
type NoAny<T> = IsAny<T> extends true ? never : T;
export async function check(text: string, bytes: Uint8Array): Promise<void> {
  const data = new Data();
  const model = new Model(data);
  const card: NoAny<ArtifactCard> = model.loadArtifact(text);
  const scored: NoAny<Scored[]> = model.scoreRows([{ a: 1 }]);
  const trained: NoAny<TrainResult> = model.train({ model: 'logistic', target: 'species' }, null);
  const profile: NoAny<Profile> = data.profile('species');
  const drift: NoAny<DriftReport> = data.driftAgainst(new Data(), null);
  const fromProfile: NoAny<DriftReport> = data.driftFromProfile(profile, null);
  const detector = new Detector('adwin', { delta: 0.002 });
  const state: NoAny<DetectorState> = detector.update(1);
  const run: NoAny<RunReport> = detector.run(new Float64Array([1, 2]));
  const alarm: boolean = detector.driftDetected || detector.warningDetected;
  const loaded: NoAny<Loaded> = new LightData().loadCsv(bytes, 'x.csv', (read: number, total: number) => void (read / total));
  const scorer: NoAny<Scorer> = await loadScorer(text);
  const again: NoAny<Scorer> = createScorer(await scorerModule(), bytes);
  const rows: NoAny<ScoredRow[]> = scorer.scoreRows([{ a: 1, b: 'x', c: null, d: true }], { maxRows: 10 });
  const table: NoAny<ScoredRow[]> = again.scoreTable(['a'], [['1'], [null]]);
  const p: string | number = rows[0].prediction;
  const w: string = table[0].warnings[0].kind + scored[0].warnings[0].message;
  const status = (e: unknown): number | null => (e instanceof ScorerError ? e.status + (e.row ?? 0) : null);
  // @ts-expect-error a parsed artifact is refused by the types too
  await loadScorer({ format: 'driftlab.artifact' });
  void [card, trained, profile, loaded, p, w, status, fromProfile, state, run, alarm];
}
`);
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const r = spawnSync(tsc, ['-p', app], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    // and no method of a public class takes or returns any
    for (const dts of ['core/driftlab.d.ts', 'light/driftlab.d.ts', 'scorer/index.d.ts']) {
      const text = readFileSync(join(app, 'node_modules/driftlab', dts), 'utf8');
      const publicPart = text.split('export type InitInput')[0];
      assert.doesNotMatch(publicPart, /[:(<,|]\s*any\b/, `${dts} has an any in its public part`);
    }
  });
});

describe('Node', () => {
  test('driftlab/scorer scores iris.csv as the CLI’s driftlab score prints it, bit for bit (a classifier and a regressor)', async () => {
    const { loadScorer } = await load('driftlab/scorer');
    for (const [model, csv] of [['model.json', join(app, 'iris.csv')], ['linear.json', join(ROOT, 'data/diabetes.csv')]]) {
      const expected = cliScores(model, csv);
      const scorer = await loadScorer(readFileSync(join(app, model)));
      const [head, ...table] = readFileSync(csv, 'utf8').trim().split('\n').map((l) => l.split(','));
      const got = scorer.scoreTable(head, table);
      assert.equal(got.length, expected.length);
      got.forEach((g, i) => assertSameBits({ prediction: g.prediction, probabilities: g.probabilities }, expected[i], `${model}, row ${i}`));
    }
  });

  test('driftlab (the whole core) scores as driftlab/scorer does, warnings included', async () => {
    const { loadScorer } = await load('driftlab/scorer');
    const { Data, Model } = await load('driftlab');
    const text = readFileSync(join(app, 'model.json'), 'utf8');
    const scorer = await loadScorer(text);
    const model = new Model(new Data());
    const card = model.loadArtifact(text);
    assert.equal(card.hash, scorer.model.hash);
    const edge = scorer.scoreRows(rows);
    const core = model.scoreRows(rows);
    assert.equal(core.length, rows.length);
    core.forEach((c, i) => {
      const probabilities = Object.fromEntries(scorer.classes.map((k, j) => [k, c.prediction.probabilities[j]]));
      assertSameBits({ prediction: c.label, probabilities, warnings: c.warnings }, edge[i], `row ${i}`);
    });
    const flagged = edge.slice(cells.length).map((e) => e.warnings.map((w) => `${w.column} ${w.kind}`).join());
    assert.deepEqual(flagged, ['petal_width_cm out_of_range', 'sepal_length_cm missing', 'petal_length_cm out_of_range']);
  });

  test('driftlab’s drift report and detectors give what driftlab drift and driftlab monitor print', async () => {
    const { Data, Detector } = await load('driftlab');
    const cliDrift = JSON.parse(sh(cli, ['drift', '--reference', join(app, 'iris.csv'), '--current', join(app, 'shifted.csv')], app));
    const reference = new Data();
    reference.loadCsv(readFileSync(join(app, 'iris.csv')), 'iris.csv', null);
    const current = new Data();
    current.loadCsv(readFileSync(join(app, 'shifted.csv')), 'shifted.csv', null);
    const report = current.driftAgainst(reference, null);
    assertSameBits(report, cliDrift, 'drift report vs CLI');
    assert.deepEqual(report.columns.filter((c) => c.drifted).map((c) => c.name), ['petal_length_cm']);
    // against the artifact's training profile: no reference rows needed
    const profile = JSON.parse(readFileSync(join(app, 'model.json'), 'utf8')).profile;
    const fromProfile = current.driftFromProfile(profile, { ...defaultDriftOptions(), columns: ['sepal_width_cm', 'petal_length_cm'], test: 'ks' });
    assert.ok(fromProfile.columns.find((c) => c.name === 'petal_length_cm').drifted, JSON.stringify(fromProfile));
    assert.ok(!fromProfile.columns.find((c) => c.name === 'sepal_width_cm').drifted, JSON.stringify(fromProfile));

    // a stream whose mean steps up by 1 at row 500
    const xs = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 100) / 100 + (i >= 500 ? 1 : 0));
    writeFileSync(join(app, 'stream.csv'), `x\n${xs.join('\n')}\n`);
    for (const [name, params, args] of [['adwin', null, []], ['page-hinkley', { threshold: 20, delta: 0.01 }, ['--param', 'threshold=20', '--param', 'delta=0.01']], ['kswin', { seed: 3 }, ['--param', 'seed=3']]]) {
      const expected = JSON.parse(sh(cli, ['monitor', '--data', join(app, 'stream.csv'), '--column', 'x', '--detector', name, ...args], app));
      const detector = new Detector(name, params);
      const run = detector.run(new Float64Array(xs));
      assert.deepEqual(run, expected, `${name}: package vs CLI`);
      assert.ok(run.alarms.length > 0 && run.alarms[0] >= 500, `${name} alarms after the step: ${run.alarms}`);
      // one value at a time gives the same alarms
      const stepped = new Detector(name, params);
      const alarms = xs.flatMap((x, i) => (stepped.update(x) === 'drift' ? [i] : []));
      assert.deepEqual(alarms, run.alarms, name);
      assert.equal(stepped.driftDetected, alarms.at(-1) === xs.length - 1);
    }
    assert.throws(() => new Detector('adwinn', null), /unknown detector "adwinn": use one of adwin/);
    assert.throws(() => new Detector('ddm', { thresold: 3 }), /ddm has no parameter "thresold"/);
    assert.throws(() => current.driftAgainst(new Data(), null), /no data is loaded yet/);
    // options from a user: a billion PSI bins is an error that says the range, not an allocation
    assert.throws(() => current.driftAgainst(reference, { ...defaultDriftOptions(), test: 'psi', psi: { bins: 1e9, binning: 'equal_width', epsilon: 1e-4 } }), /psi.bins 1000000000 is invalid: use 2 to 1000 bins/);
    assert.throws(() => current.driftFromProfile({ columns: 5 }, null), /reference profile/);
    assert.throws(() => new Detector('kswin', { window_size: 10, stat_size: 30 }), /stat_size="30" is invalid: must be smaller than window_size/);
    assert.throws(() => new Detector('adwin', 5), /detector parameters/);
    assert.equal(current.driftAgainst(reference, null).drifted_columns, 1, 'the module still answers');
  });

  test('driftlab/scorer refuses a tampered artifact, a bad row and too many rows with a ScorerError that says where', async () => {
    const { loadScorer, ScorerError } = await load('driftlab/scorer');
    const text = readFileSync(join(app, 'model.json'), 'utf8');
    await assert.rejects(loadScorer(text.replace('"versicolor"', '"versicolour"')), (e) => e instanceof ScorerError && e.status === 422 && /hash mismatch/.test(e.message));
    await assert.rejects(loadScorer(JSON.parse(text)), (e) => e instanceof TypeError && /JSON text or bytes/.test(e.message));
    await assert.rejects(loadScorer('{"format": "nope"'), (e) => e instanceof ScorerError && e.status === 422);
    const scorer = await loadScorer(text);
    const bad = [rows[0], { ...rows[1], petal_width_cm: [1] }];
    assert.throws(() => scorer.scoreRows(bad), (e) => e instanceof ScorerError && e.status === 400 && e.row === 1 && e.column === 'petal_width_cm');
    assert.throws(() => scorer.scoreRows(rows, { maxRows: 10 }), (e) => e instanceof ScorerError && e.status === 413);
    assert.throws(() => scorer.scoreRows(rows, { maxRows: -1 }), TypeError);
    assert.throws(() => scorer.scoreTable(['sepal_length_cm'], [['1']]), (e) => e instanceof ScorerError && e.column === 'sepal_width_cm');
    // the scorer still answers after refusals
    assert.equal(scorer.scoreRows([rows[0]])[0].prediction, 'setosa');
  });

  test('driftlab reads Parquet and Arrow files as their CSV; driftlab/light says to use it', async () => {
    const { Data } = await load('driftlab');
    const { Data: LightData } = await load('driftlab/light');
    const csv = new Data();
    csv.loadCsv(readFileSync(join(app, 'iris.csv')), 'iris.csv', null);
    const expected = csv.profile('species');
    const files = [['iris.parquet', 'a Parquet'], ['iris.arrow', 'an Arrow IPC']];
    for (const [file, format] of files) {
      const bytes = readFileSync(join(app, file));
      const data = new Data();
      data.loadCsv(bytes, file, null);
      assertSameBits(data.profile('species'), expected, `${file}: profile`);
      const light = new LightData();
      assert.throws(() => light.loadCsv(bytes, file, null), (e) => e.message.includes(`this is ${format} file; this module reads CSV only: use the full module (the npm entry \`driftlab\``), `${file}`);
    }
  });

  test('the README’s Node examples print what they say', () => {
    const examples = readmeExamples().filter((e) => e.kind === 'node');
    assert.ok(examples.length >= 5, `${examples.length} Node examples in npm/README.md`);
    examples.forEach((e, i) => {
      const file = join(app, `example-${i}.mjs`);
      writeFileSync(file, e.code);
      const out = sh(process.execPath, [file], app);
      assert.match(out, e.expect, `README example ${i}:\n${e.code}`);
    });
  });
});

/**
 * Runs `code` as a module of the app in Deno, offline: the package comes from the app's
 * node_modules (Deno's resolution when a package.json is beside it), never from a registry.
 */
function deno(name, code) {
  writeFileSync(join(app, name), code);
  const r = spawnSync(DENO, ['run', '--cached-only', '--no-remote', '--allow-read', '--allow-env', name], {
    cwd: app,
    env: { ...process.env, DENO_DIR: join(work, 'deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `deno ${name}: ${r.stdout}${r.stderr}`);
  return r;
}

describe('Deno', () => {
  test('npm:driftlab and bare driftlab resolve to the deno condition and score as Node does, bit for bit', async () => {
    writeFileSync(join(app, 'rows.json'), JSON.stringify(rows));
    const answer = JSON.parse(deno('deno-check.mjs', `import { loadScorer } from 'npm:driftlab/scorer';
import { Data, Model, Detector, version } from 'driftlab';
import { Data as LightData } from 'npm:driftlab/light';

const rows = JSON.parse(await Deno.readTextFile('rows.json'));
const text = await Deno.readTextFile('model.json');
const model = new Model(new Data());
model.loadArtifact(text);
const light = new LightData();
const loaded = light.loadCsv(await Deno.readFile('iris.csv'), 'iris.csv', null);
console.log(JSON.stringify({
  resolved: ['npm:driftlab', 'driftlab/light', 'driftlab/scorer'].map((s) => import.meta.resolve(s).split('node_modules/').pop()),
  version: version(),
  edge: (await loadScorer(await Deno.readFile('model.json'))).scoreRows(rows),
  core: model.scoreRows(rows),
  profile: light.profile('species'),
  columns: loaded.columns.length,
  run: new Detector('adwin', null).run(new Float64Array(rows.map((r) => r.sepal_width_cm ?? 0))),
}));
`).stdout);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/driftlab/package.json'), 'utf8'));
    assert.deepEqual(answer.resolved, ['.', './light', './scorer'].map((e) => `driftlab/${manifest.exports[e].deno.slice(2)}`));
    assert.equal(answer.version, VERSION);
    const { loadScorer } = await load('driftlab/scorer');
    const { Data, Model, Detector } = await load('driftlab');
    const { Data: LightData } = await load('driftlab/light');
    const text = readFileSync(join(app, 'model.json'), 'utf8');
    const model = new Model(new Data());
    model.loadArtifact(text);
    assertSameBits(answer.edge, (await loadScorer(text)).scoreRows(rows), 'driftlab/scorer, Deno vs Node');
    assertSameBits(answer.core, model.scoreRows(rows), 'driftlab, Deno vs Node');
    const light = new LightData();
    light.loadCsv(readFileSync(join(app, 'iris.csv')), 'iris.csv', null);
    assertSameBits(answer.profile, light.profile('species'), 'driftlab/light profile, Deno vs Node');
    assert.equal(answer.columns, 5);
    assert.deepEqual(answer.run, new Detector('adwin', null).run(new Float64Array(rows.map((r) => r.sepal_width_cm ?? 0))));
  });

  test('the README’s Deno examples print what they say', () => {
    const examples = readmeExamples().filter((e) => e.kind === 'deno');
    assert.ok(examples.length >= 1, `${examples.length} Deno examples in npm/README.md`);
    examples.forEach((e, i) => assert.match(deno(`deno-example-${i}.mjs`, e.code).stdout, e.expect, `README example ${i}:\n${e.code}`));
  });
});

describe('Chromium', () => {
  test('a page scores with driftlab/scorer and driftlab through the browser condition, as Node does', async () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/driftlab/package.json'), 'utf8'));
    // an import map as a bundler resolves the package: each entry's `browser` condition
    const imports = Object.fromEntries(Object.entries(manifest.exports).filter(([, c]) => c.browser)
      .map(([name, c]) => [join('driftlab', name), `/node_modules/driftlab/${c.browser.slice(2)}`]));
    const example = readmeExamples().find((e) => e.kind === 'browser');
    const html = `<!doctype html><title>app</title><script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">${example.code}</script>`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const origin = 'http://app.test';
      await page.route(`${origin}/**`, (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === '/') return route.fulfill({ contentType: 'text/html', body: html });
        const type = path.endsWith('.wasm') ? 'application/wasm' : path.endsWith('.js') ? 'text/javascript' : 'application/json';
        return route.fulfill({ path: join(app, path), contentType: type });
      });
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => document.body?.textContent !== '', null, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => document.body.textContent), 'virginica', errors.join('\n'));
      const answer = await page.evaluate(async (r) => {
        const { loadScorer } = await import('driftlab/scorer');
        const { Data, Model, version } = await import('driftlab');
        const text = await (await fetch('/model.json')).text();
        const model = new Model(new Data());
        model.loadArtifact(text);
        return { version: version(), edge: (await loadScorer(text)).scoreRows(r), core: model.scoreRows(r) };
      }, rows);
      assert.deepEqual(errors, []);
      assert.equal(answer.version, VERSION);
      const { loadScorer } = await load('driftlab/scorer');
      const { Data, Model } = await load('driftlab');
      const text = readFileSync(join(app, 'model.json'), 'utf8');
      const model = new Model(new Data());
      model.loadArtifact(text);
      assertSameBits(answer.edge, (await loadScorer(text)).scoreRows(rows), 'driftlab/scorer, page vs Node');
      assertSameBits(answer.core, model.scoreRows(rows), 'driftlab, page vs Node');
    } finally {
      await browser.close();
    }
  });
});

describe('Vite', () => {
  test('a page whose module Web Worker imports driftlab/scorer and driftlab, built by Vite, scores as Node does', async () => {
    // the README's advice: worker.format 'es' (the entries use top-level await)
    const site = join(app, 'vite-app');
    mkdirSync(join(site, 'public'), { recursive: true });
    copyFileSync(join(app, 'model.json'), join(site, 'public/model.json'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>app</title><script type="module" src="./main.js"></script>\n');
    // the worker says when it is ready: its imports await the Wasm (top-level await), and a
    // message that comes before its handler is set would be lost
    writeFileSync(join(site, 'main.js'), `const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = (e) => {
  if (e.data === 'ready') worker.postMessage(JSON.parse(decodeURIComponent(location.hash.slice(1))));
  else document.body.dataset.answer = JSON.stringify(e.data);
};
worker.onerror = (e) => { document.body.dataset.answer = JSON.stringify({ error: e.message }); };
`);
    writeFileSync(join(site, 'worker.js'), `import { loadScorer } from 'driftlab/scorer';
import { Data, Model } from 'driftlab';

self.onmessage = async (e) => {
  const text = await (await fetch('/model.json')).text();
  const model = new Model(new Data());
  model.loadArtifact(text);
  self.postMessage({ edge: (await loadScorer(text)).scoreRows(e.data), core: model.scoreRows(e.data) });
};
self.postMessage('ready');
`);
    const { build } = await import(pathToFileURL(join(ROOT, 'node_modules/vite/dist/node/index.js')).href);
    await build({ root: site, configFile: false, logLevel: 'error', worker: { format: 'es' }, build: { outDir: join(site, 'dist'), target: 'es2022' } });
    const emitted = readdirSync(join(site, 'dist/assets'));
    assert.ok(emitted.some((f) => f.endsWith('.wasm')), `Vite emitted no Wasm: ${emitted}`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('http://vite.test/**', (route) => {
        const path = new URL(route.request().url()).pathname;
        const file = join(site, 'dist', path === '/' ? 'index.html' : path);
        const type = path.endsWith('.wasm') ? 'application/wasm' : path.endsWith('.js') ? 'text/javascript' : path.endsWith('.json') ? 'application/json' : 'text/html';
        return route.fulfill({ path: file, contentType: type });
      });
      await page.goto(`http://vite.test/#${encodeURIComponent(JSON.stringify(rows))}`);
      await page.waitForFunction(() => document.body?.dataset.answer, null, { timeout: 60_000 });
      const answer = JSON.parse(await page.evaluate(() => document.body.dataset.answer));
      assert.deepEqual(errors, []);
      assert.equal(answer.error, undefined, answer.error);
      const { loadScorer } = await load('driftlab/scorer');
      const { Data, Model } = await load('driftlab');
      const text = readFileSync(join(app, 'model.json'), 'utf8');
      const model = new Model(new Data());
      model.loadArtifact(text);
      assertSameBits(answer.edge, (await loadScorer(text)).scoreRows(rows), 'driftlab/scorer, Vite worker vs Node');
      assertSameBits(answer.core, model.scoreRows(rows), 'driftlab, Vite worker vs Node');
    } finally {
      await browser.close();
    }
  });
});

/**
 * A Worker of `code` (src/index.js, beside model.json) bundled by wrangler from the
 * installed package and served by workerd; resolves with the answer to a POST of `body`.
 */
async function askWorker(name, code, body) {
  const worker = join(app, name);
  mkdirSync(join(worker, 'src'), { recursive: true });
  writeFileSync(join(worker, 'src/index.js'), code);
  copyFileSync(join(app, 'model.json'), join(worker, 'src/model.json'));
  writeFileSync(join(worker, 'wrangler.toml'), `name = "${name}"\nmain = "src/index.js"\ncompatibility_date = "2026-04-01"\nrules = [{ type = "Text", globs = ["**/*.json"], fallthrough = true }]\n`);
  const r = spawnSync(WRANGLER, ['deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: worker,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  // the bundle wrangler wrote: its main module first, then the modules it kept beside it
  const files = readdirSync(join(worker, 'dist')).filter((f) => !f.endsWith('.map') && f !== 'README.md').sort((a, b) => (b === 'index.js') - (a === 'index.js'));
  const modules = files.map((f) => {
    const kind = f === 'index.js' ? 'esModule' : f.endsWith('.wasm') ? 'wasm' : 'text';
    return `(name = ${JSON.stringify(f)}, ${kind} = embed ${JSON.stringify(`dist/${f}`)})`;
  });
  const port = await freePort();
  const config = join(worker, 'app.capnp');
  writeFileSync(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "app", worker = (modules = [${modules.join(', ')}], compatibilityDate = "2026-04-01"))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "app")],
);
`);
  const p = run(processes, WORKERD, ['serve', config]);
  for (let tries = 0; ; tries++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(body) });
      const text = await response.text();
      assert.equal(response.status, 200, `${text}\n${p.output()}`);
      return { files, answer: JSON.parse(text) };
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      if (tries > 150 || p.exitCode !== null) throw new Error(`workerd did not answer: ${e.message}\n${p.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('workerd', () => {
  test('the README’s Worker (driftlab/scorer), bundled by wrangler from the installed package, answers as Node does', async () => {
    const { files, answer } = await askWorker('scorer-worker', readmeExamples().find((e) => e.kind === 'worker').code, rows);
    assert.ok(files.some((f) => f.endsWith('driftlab_edge.wasm')), `wrangler kept no scorer module: ${files}`);
    const { loadScorer } = await load('driftlab/scorer');
    assertSameBits(answer, (await loadScorer(readFileSync(join(app, 'model.json')))).scoreRows(rows), 'workerd vs Node');
  });

  test('a Worker of driftlab (the whole core) loads an artifact, scores and runs a detector as Node does', async () => {
    const code = `import { Data, Detector, Model, version } from 'driftlab';
import artifact from './model.json';

const model = new Model(new Data());
model.loadArtifact(artifact);

export default {
  async fetch(request) {
    const { rows, stream } = await request.json();
    return Response.json({ version: version(), scored: model.scoreRows(rows), run: new Detector('adwin', null).run(new Float64Array(stream)) });
  },
};
`;
    const stream = Array.from({ length: 400 }, (_, i) => (i % 10) / 10 + (i >= 200 ? 1 : 0));
    const { files, answer } = await askWorker('core-worker', code, { rows, stream });
    assert.ok(files.some((f) => f.endsWith('driftlab_bg.wasm')), `wrangler kept no core module: ${files}`);
    const { Data, Detector, Model } = await load('driftlab');
    const model = new Model(new Data());
    model.loadArtifact(readFileSync(join(app, 'model.json'), 'utf8'));
    assert.equal(answer.version, VERSION);
    assertSameBits(answer.scored, model.scoreRows(rows), 'workerd vs Node');
    assert.deepEqual(answer.run, new Detector('adwin', null).run(new Float64Array(stream)));
    assert.ok(answer.run.alarms.length > 0);
  });
});
