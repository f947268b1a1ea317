// Prunes the linked edge scorer before wasm-opt: keeps only the `dl_*` exports and the
// memory, and drops custom sections. The core's Wasm dependencies (wasm-bindgen and js-sys,
// linked through getrandom) export hundreds of descriptor functions and carry a large
// `__wasm_bindgen_unstable` section that only the wasm-bindgen CLI reads; the edge scorer
// uses none of them, and wasm-opt cannot drop exports by itself.
//
//   node edge/scripts/prune-wasm.mjs IN.wasm OUT.wasm
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node edge/scripts/prune-wasm.mjs IN.wasm OUT.wasm');
  process.exit(2);
}
const b = readFileSync(input);
if (b.readUInt32LE(0) !== 0x6d736100) throw new Error(`${input} is not a WebAssembly module`);
const keep = (name, kind) => (kind === 2 && name === 'memory') || (kind === 0 && name.startsWith('dl_'));

function leb(bytes, at) {
  let value = 0, shift = 0, byte;
  do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [value, at];
}
function uleb(n) {
  const out = [];
  do { let byte = n & 0x7f; n = Math.floor(n / 128); if (n) byte |= 0x80; out.push(byte); } while (n);
  return Buffer.from(out);
}

const parts = [b.subarray(0, 8)];
let p = 8;
while (p < b.length) {
  const id = b[p];
  const [len, start] = leb(b, p + 1);
  const end = start + len;
  if (id === 0) {
    // custom section: dropped
  } else if (id === 7) {
    let [n, q] = leb(b, start);
    const kept = [];
    for (let i = 0; i < n; i++) {
      const from = q;
      const [nameLen, at] = leb(b, q);
      const name = b.subarray(at, at + nameLen).toString();
      const kind = b[at + nameLen];
      [, q] = leb(b, at + nameLen + 1);
      if (keep(name, kind)) kept.push(b.subarray(from, q));
    }
    const body = Buffer.concat([uleb(kept.length), ...kept]);
    parts.push(Buffer.from([7]), uleb(body.length), body);
  } else {
    parts.push(b.subarray(p, end));
  }
  p = end;
}
writeFileSync(output, Buffer.concat(parts));
