// The core in Cloudflare Workers (workerd): its Wasm is imported as a compiled module.
import wasm from './driftlab_bg.wasm';
import { initSync } from './driftlab.js';

initSync({ module: wasm });

export * from './driftlab.js';
