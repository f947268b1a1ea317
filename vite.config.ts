import { defineConfig } from 'vite';

// The repository root is Vite's root (npm scripts run there): index.html lives there, the
// front end in www/, and the wasm-bindgen output in pkg/ (built by `make wasm`, not
// committed), which the dev server must be allowed to serve.
export default defineConfig({
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    fs: { allow: ['.'] },
    // The Rust build and the Python tooling are large and irrelevant to the page.
    watch: { ignored: ['**/target/**', '**/.venv/**', '**/.tools/**', '**/fuzz/**', '**/dist/**'] },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  // Scan only the page's entry, not every HTML file under the root (target/doc has many);
  // pre-bundle the two runtime deps up front so the first visit does not reload.
  optimizeDeps: {
    entries: ['index.html'],
    include: ['comlink', '@observablehq/plot'],
  },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
