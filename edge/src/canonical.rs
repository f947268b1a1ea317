//! The artifact's content hash, computed as the core computes it: FNV-1a (64 bit) over the
//! canonical JSON of the document without its top-level `hash` member (object keys
//! sorted, no whitespace, strings escaped as `serde_json` escapes them). Numbers are copied
//! as written: in an artifact driftlab wrote they are `serde_json`'s text for the value,
//! which is what the core's canonical form holds. (A file whose numbers were rewritten by
//! another tool, `1.50` for `1.5`, is refused here even where the core would accept it.)

use crate::json::{self, Json};

/// `fnv1a64:` and 16 hex digits, for the artifact JSON in `bytes`.
pub fn content_hash(bytes: &[u8]) -> Result<String, String> {
    let doc = json::parse(bytes).map_err(|e| format!("not a driftlab artifact: {e}"))?;
    Ok(hash_of(&doc))
}

pub(crate) fn hash_of(doc: &Json<'_>) -> String {
    let mut out = Vec::new();
    json::write_canonical(doc, &mut out, Some("hash"));
    let h = fnv1a64(&out);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::from("fnv1a64:");
    for k in (0..16).rev() {
        s.push(HEX[((h >> (k * 4)) & 0xf) as usize] as char);
    }
    s
}

/// 64-bit FNV-1a, as the core's `driftlab::artifact::fnv1a64` (a copy, to keep the scorer
/// free of the core's serde code; the tests check that the two agree).
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
