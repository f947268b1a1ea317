import { defineConfig, type Plugin } from 'vite';

// The page's Content-Security-Policy: scripts only from this origin (no inline script, no
// eval; 'wasm-unsafe-eval' lets WebAssembly compile; blob: is the Edge panel's "try it",
// which runs the bundle's worker.js from a Blob the page built), no connection to any other
// origin. Inline styles are allowed for the charts' style attributes. The built page
// carries it as a <meta> tag and `vite preview` also sends it as a header; the dev server
// adds its hot-reload websocket.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
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
    ],
  };
}

// The repository root is Vite's root (npm scripts run there): index.html lives there, the
// front end in www/, and the wasm-bindgen output in pkg/ (built by `make wasm`, not
// committed), which the dev server must be allowed to serve.
export default defineConfig({
  plugins: [contentSecurityPolicy()],
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
