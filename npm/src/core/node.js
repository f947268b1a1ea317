// The core in Node: its Wasm is read from the package's folder before the module resolves.
import { readFile } from 'node:fs/promises';
import init from './driftlab.js';

await init({ module_or_path: await readFile(new URL('./driftlab_bg.wasm', import.meta.url)) });

export * from './driftlab.js';
