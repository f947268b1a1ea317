// The core in a browser or Deno: its Wasm is fetched beside this module
// (`new URL(..., import.meta.url)`, which bundlers such as Vite and webpack follow).
import init from './driftlab.js';

await init({ module_or_path: new URL('./driftlab_bg.wasm', import.meta.url) });

export * from './driftlab.js';
