import { defineConfig, type Plugin } from 'vite';

// The page's Content-Security-Policy: scripts only from this origin (no inline script, no
// eval; 'wasm-unsafe-eval' lets WebAssembly compile; blob: is the Edge panel's "try it",
// which runs the bundle's worker.js from a Blob the page built). Inline styles are allowed
// for the charts' style attributes. The built page carries it as a <meta> tag and
// `vite preview` also sends it as a header; the dev server adds its hot-reload websocket.
//
// Connections: this policy is an upper bound. Its connect-src allows 'self' and the
// origins an edge bundle may be served from (ATTACHABLE), because a policy can never be
// widened once the document has it. The first script of <head>, www/public/csp.js, then
// adds a second policy, the same but for connect-src: 'self' and only the bundle origins
// the user added in the Monitor panel (none by default). Both are enforced, so the page
// connects to 'self' and the added origins, and to nothing else.
const ATTACHABLE = ['https:', 'http://127.0.0.1:*', 'http://localhost:*'];
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  `connect-src 'self' ${ATTACHABLE.join(' ')}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const DEV_CSP = CSP.replace("connect-src 'self'", "connect-src 'self' ws://127.0.0.1:* ws://localhost:*");

function contentSecurityPolicy(): Plugin {
  let policy = CSP;
  return {
    name: 'driftlab-csp',
    configResolved(config) {
      policy = config.command === 'serve' && !config.isProduction ? DEV_CSP : CSP;
    },
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' },
      // after the upper bound, before anything else: writes the exact policy (www/public/csp.js)
      { tag: 'script', attrs: { src: '/csp.js', 'data-attachable': ATTACHABLE.join(' ') }, injectTo: 'head-prepend' },
    ],
  };
}

// The repository root is Vite's root (npm scripts run there): index.html lives there, the
// front end in www/, and the wasm-bindgen output in pkg/ (built by `make wasm`, not
// committed), which the dev server must be allowed to serve.
export default defineConfig({
  plugins: [contentSecurityPolicy()],
  // served as is (not bundled): the classic script that writes the exact policy
  publicDir: 'www/public',
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    fs: { allow: ['.'] },
    // The Rust build and the Python tooling are large and irrelevant to the page.
    watch: { ignored: ['**/target/**', '**/.venv/**', '**/.tools/**', '**/fuzz/**', '**/dist/**'] },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: { 'Content-Security-Policy': CSP } },
  // Scan only the page's entry, not every HTML file under the root (target/doc has many);
  // pre-bundle the runtime deps up front so the first visit does not reload.
  optimizeDeps: {
    entries: ['index.html'],
    include: ['comlink', '@observablehq/plot', 'idb-keyval'],
  },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
