// The types of the core, generated from its Rust types (tsify, see src/wasm/mod.rs). The
// module is initialised when it is imported: initSync and the default init are not needed.
export * from './driftlab.js';
