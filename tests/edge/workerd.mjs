// What the tests that run edge bundles share: the pinned workerd binary, a free port on
// 127.0.0.1, a capnp config for one or more bundles, and child processes whose output is
// kept for error messages. Not a test file itself (node --test runs *.test.mjs).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WORKERD = join(ROOT, 'edge/test-tools/node_modules/.bin/workerd');

// ports already handed out in this process: a port is free again once its probe closes, so
// two calls can draw the same one (seen under load: one bundle's server answered for another)
const handedOut = new Set();

async function probePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A free port on 127.0.0.1 that no earlier call in this process returned. */
export async function freePort() {
  for (;;) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Starts a process whose stdout and stderr are kept (`p.output()`), remembered in `processes`. */
export function run(processes, cmd, args, options) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  p.stdout.on('data', (d) => (output += d));
  p.stderr.on('data', (d) => (output += d));
  p.output = () => output;
  processes.push(p);
  return p;
}

/**
 * Writes a workerd config to `file` serving each bundle folder of `bundles`
 * (`[{dir, port, env, monitor}]`: worker.js, driftlab_edge.wasm and model.json, `env` as text
 * bindings) on its port; capnp resolves the `embed` paths relative to the config's folder.
 * A bundle exported with its monitor module gets it as a module; with `monitor` (a folder),
 * the bundle's Durable Object runs too, as wrangler.toml declares
 * it (class DriftlabMonitor, binding MONITOR, SQLite-backed), its storage on disk there.
 */
export function writeWorkerdConfig(file, bundles) {
  const embed = (dir, name) => JSON.stringify(relative(dirname(file), join(dir, name)));
  const services = bundles
    .map((b, i) => {
      const bindings = Object.entries(b.env ?? {}).map(([k, v]) => `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(v)})`);
      if (b.monitor) bindings.push('(name = "MONITOR", durableObjectNamespace = "DriftlabMonitor")');
      // the monitor module whenever the bundle has it (worker.js imports it then); the
      // Durable Object only with `monitor`
      const monitor = existsSync(join(b.dir, 'driftlab_monitor.wasm'))
        ? `(name = "driftlab_monitor.wasm", wasm = embed ${embed(b.dir, 'driftlab_monitor.wasm')}),`
        : '';
      const objects = b.monitor
        ? `durableObjectNamespaces = [(className = "DriftlabMonitor", uniqueKey = "driftlab-monitor-${i}", enableSql = true)],
      durableObjectStorage = (localDisk = "d${i}"),`
        : '';
      const disk = b.monitor ? `,\n(name = "d${i}", disk = (path = ${JSON.stringify(b.monitor)}, writable = true))` : '';
      return `(name = "s${i}", worker = (
      modules = [
        (name = "worker.js", esModule = embed ${embed(b.dir, 'worker.js')}),
        (name = "driftlab_edge.wasm", wasm = embed ${embed(b.dir, 'driftlab_edge.wasm')}),
        (name = "model.json", text = embed ${embed(b.dir, 'model.json')}),
        ${monitor}
      ],
      compatibilityDate = "2026-04-01",
      bindings = [${bindings.join(', ')}],
      ${objects}
    ))${disk}`;
    })
    .join(',\n');
  const sockets = bundles
    .map((b, i) => `(name = "h${i}", address = "127.0.0.1:${b.port}", http = (), service = "s${i}")`)
    .join(',\n');
  writeFileSync(file, `using Workerd = import "/workerd/workerd.capnp";\nconst config :Workerd.Config = (\n  services = [${services}],\n  sockets = [${sockets}],\n);\n`);
  return file;
}
