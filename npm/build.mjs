// Assembles the npm package of the core from what `make wasm` wrote into pkg/:
//
//   core/    the full core (pkg/: data, models with their trainers, deployment)
//   light/   the core without trainers (pkg/light/: tables and profiles), the page's first load
//   scorer/  the training-free edge scorer (pkg/edge/driftlab_edge.wasm) behind a typed class
//
// each with a loader per runtime (node.js, browser.js, workerd.js) from npm/src. The version
// is Cargo.toml's. Writes target/npm/driftlab/ (or the folder given) and prints each entry's
// Wasm size, raw and gzip -9 (GNU gzip, as `make wasm` measures), and the scorer entry
// against its budget.
//
//   node npm/build.mjs [out-dir]
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'npm/src');
const out = resolve(process.argv[2] ?? join(ROOT, 'target/npm/driftlab'));

const version = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m)?.[1];
if (!version) throw new Error('no [package] version in Cargo.toml');

const need = (file) => {
  const path = join(ROOT, file);
  if (!existsSync(path)) throw new Error(`${file} is missing: run make wasm`);
  return path;
};

rmSync(out, { recursive: true, force: true });
const builds = { core: 'pkg', light: 'pkg/light' };
for (const [entry, dir] of Object.entries(builds)) {
  mkdirSync(join(out, entry), { recursive: true });
  for (const f of ['driftlab.js', 'driftlab.d.ts', 'driftlab_bg.wasm']) copyFileSync(need(`${dir}/${f}`), join(out, entry, f));
  cpSync(join(SRC, 'core'), join(out, entry), { recursive: true });
}
mkdirSync(join(out, 'scorer'));
copyFileSync(need('pkg/edge/driftlab_edge.wasm'), join(out, 'scorer/driftlab_edge.wasm'));
cpSync(join(SRC, 'scorer'), join(out, 'scorer'), { recursive: true });

const manifest = JSON.parse(readFileSync(join(ROOT, 'npm/package.json'), 'utf8'));
manifest.version = version;
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
copyFileSync(join(ROOT, 'npm/README.md'), join(out, 'README.md'));

// an entry's Wasm, and its JavaScript (the glue and the three loaders, of which a runtime loads one)
const gz = (bytes) => execFileSync('gzip', ['-9'], { input: bytes, maxBuffer: 1 << 30 }).length;
console.log(`driftlab ${version} in ${out}`);
for (const [name, dir, wasm] of [['driftlab', 'core', 'driftlab_bg.wasm'], ['driftlab/light', 'light', 'driftlab_bg.wasm'], ['driftlab/scorer', 'scorer', 'driftlab_edge.wasm']]) {
  const w = readFileSync(join(out, dir, wasm));
  const js = readdirSync(join(out, dir)).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(out, dir, f)));
  const jsRaw = js.reduce((n, b) => n + b.length, 0);
  const jsGz = js.reduce((n, b) => n + gz(b), 0);
  console.log(`  ${name.padEnd(16)} ${dir}/${wasm}: ${w.length} B, ${gz(w)} B gzipped; JS: ${jsRaw} B, ${jsGz} B gzipped`);
}

// the scorer entry's budget (issue #20): its Wasm with index.js and the largest loader
const SCORER_BUDGET = 70_000;
const loader = Math.max(...['node.js', 'browser.js', 'workerd.js'].map((f) => gz(readFileSync(join(out, 'scorer', f)))));
const entry = gz(readFileSync(join(out, 'scorer/driftlab_edge.wasm'))) + gz(readFileSync(join(out, 'scorer/index.js'))) + loader;
const verdict = entry <= SCORER_BUDGET ? 'within it' : `OVER by ${entry - SCORER_BUDGET} B`;
console.log(`  driftlab/scorer as a runtime loads it: ${entry} B gzipped; budget ${SCORER_BUDGET} B: ${verdict}`);
