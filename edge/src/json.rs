//! A small JSON reader and writer, so that the Wasm scorer links neither `serde_json` nor
//! serde's derived deserializers (the internally tagged enums of the model alone cost more
//! than the whole size budget). Numbers keep their text: the canonical form (for the
//! content hash) copies them as written, and values are parsed by
//! `driftlab::decimal::parse_f64`, bit for bit what `str::parse::<f64>` gives but without
//! its 10 KB table of powers of five. Floats are written by `serde_json`'s own formatter (zmij, which
//! has no serde in it): the shortest form that reads back to the same bits, in
//! `serde_json`'s layout (`1.0`, `0.001`, `1e-7`, `1e+16`), so the CLI writes the same text.

use std::borrow::Cow;
use std::fmt::Write as _;

/// A parsed JSON value that borrows from the input where it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    /// A number, as written.
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    /// Members in document order.
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

const MAX_DEPTH: usize = 128;

/// A syntax error with its byte offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub(crate) at: usize,
    pub(crate) what: &'static str,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

/// Parses one JSON document (surrounding whitespace allowed).
pub(crate) fn parse(bytes: &[u8]) -> Result<Json<'_>, SyntaxError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SyntaxError {
        at: e.valid_up_to(),
        what: "text that is not UTF-8",
    })?;
    let mut p = Parser {
        s: text,
        b: bytes,
        i: 0,
        members: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != bytes.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

// The cursor helpers are inlined by force: at opt-level "z" LLVM keeps them as calls, one
// per input byte, which made parsing a 1,000-row request several times slower (a few
// dozen bytes of the size budget).
struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// How many members the last object had: the next one (the next row of a request)
    /// likely has as many, and its member list is allocated at that size once.
    members: usize,
}

impl<'a> Parser<'a> {
    // The cursor only stops on ASCII bytes, so these are always char boundaries; `get`
    // keeps str's slicing panic (and its formatting code) out of the edge scorer.
    #[inline(always)]
    fn sub(&self, from: usize, to: usize) -> &'a str {
        self.s.get(from..to).unwrap_or_default()
    }

    #[inline(always)]
    fn tail(&self, from: usize) -> &'a str {
        self.s.get(from..).unwrap_or_default()
    }

    fn err(&self, what: &'static str) -> SyntaxError {
        SyntaxError { at: self.i, what }
    }

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting deeper than 128 levels"));
        }
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::with_capacity(self.members);
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected a member name in quotes"));
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':' after a member name"));
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    members.push((key, v));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            self.members = members.len();
                            return Ok(Json::Obj(members));
                        }
                        _ => return Err(self.err("expected ',' or '}' in an object")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(self.err("expected ',' or ']' in an array")),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            None => Err(self.err("unexpected end of input")),
            _ => Err(self.err("unexpected character")),
        }
    }

    fn literal(&mut self, word: &'static str, v: Json<'a>) -> Result<Json<'a>, SyntaxError> {
        if self.tail(self.i).starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("unexpected word (expected true, false or null)"))
        }
    }

    fn number(&mut self) -> Result<Json<'a>, SyntaxError> {
        let start = self.i;
        let digits = |p: &mut Parser<'a>| {
            let s = p.i;
            while let Some(b'0'..=b'9') = p.peek() {
                p.i += 1;
            }
            p.i > s
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        if !digits(self) {
            return Err(self.err("a number needs digits"));
        }
        if self.b[int_start] == b'0' && self.i - int_start > 1 {
            return Err(self.err("a number cannot start with 0"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.err("a number needs digits after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.err("a number needs digits in its exponent"));
            }
        }
        Ok(Json::Num(self.sub(start, self.i)))
    }

    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.i += 1; // the opening quote
        let start = self.i;
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    let s = self.sub(start, self.i);
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => return Err(self.err("control character in a string")),
                Some(_) => self.i += 1,
            }
        }
        let mut out = String::from(self.sub(start, self.i));
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                if !self.tail(self.i + 1).starts_with("\\u") {
                                    return Err(self.err("unpaired surrogate in a string"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.err("unpaired surrogate in a string"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or_else(|| self.err("invalid \\u escape"))?
                        }
                        _ => return Err(self.err("invalid escape in a string")),
                    };
                    out.push(c);
                    self.i += 1;
                }
                Some(0..=0x1f) => return Err(self.err("control character in a string")),
                Some(_) => {
                    let rest = self.tail(self.i);
                    let n = rest.find(['"', '\\']).unwrap_or(rest.len());
                    let chunk = rest.get(..n).unwrap_or_default();
                    if chunk.bytes().any(|b| b < 0x20) {
                        return Err(self.err("control character in a string"));
                    }
                    out.push_str(chunk);
                    self.i += n;
                }
            }
        }
    }

    /// Reads the 4 hex digits after `\u`; leaves the cursor on the last digit.
    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let h = self
            .s
            .get(self.i + 1..self.i + 5)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(h)
    }
}

impl<'a> Json<'a> {
    /// The member `key` of an object (the last one when repeated).
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The first key that appears twice in one object, anywhere in this value (the core's
    /// typed reader refuses such an artifact, so the edge does not pick one copy).
    pub(crate) fn repeated_key(&self) -> Option<&str> {
        match self {
            Json::Obj(m) => {
                // pairwise, as `write_canonical`'s insertion sort already is (objects in an
                // artifact have few members; a sort would cost the scorer 2 KB)
                for (i, (k, _)) in m.iter().enumerate() {
                    if m[..i].iter().any(|(j, _)| j == k) {
                        return Some(k);
                    }
                }
                m.iter().find_map(|(_, v)| v.repeated_key())
            }
            Json::Arr(items) => items.iter().find_map(Json::repeated_key),
            _ => None,
        }
    }

    /// A number as `f64` (`None` for other values and numbers beyond `f64`).
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(t) => driftlab::decimal::parse_f64(t).filter(|x| x.is_finite()),
            _ => None,
        }
    }

    /// A number written as a whole number that fits (`str::parse::<u64>` on the text).
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Num(t) => digits(t),
            _ => None,
        }
    }

    /// A number written as a whole number that fits (`str::parse::<i64>` on the text).
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Num(t) => match t.strip_prefix('-') {
                // -2^63 is the one magnitude that fits only negated
                Some(m) => digits(m)
                    .filter(|&m| m <= 1 << 63)
                    .map(|m| 0i64.wrapping_sub_unsigned(m)),
                None => digits(t).and_then(|m| i64::try_from(m).ok()),
            },
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }
}

/// Decimal digits only (the JSON grammar gives no `+`), as a `u64` if they fit: what
/// `str::parse::<u64>` gives on a JSON number's text, without core's generic integer parser
/// (two instances, 0.9 KB of the edge scorer).
fn digits(t: &str) -> Option<u64> {
    if t.is_empty() {
        return None;
    }
    let mut n = 0u64;
    for c in t.bytes() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Writes `v` canonically (keys sorted, no whitespace, serde_json's escapes, numbers as
/// written),
/// leaving out a top-level member named `skip`.
pub(crate) fn write_canonical(v: &Json<'_>, out: &mut Vec<u8>, skip: Option<&str>) {
    match v {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(true) => out.extend_from_slice(b"true"),
        Json::Bool(false) => out.extend_from_slice(b"false"),
        // as written: every artifact was written by serde_json, whose number text is what
        // the core's canonical form holds after reading it back
        Json::Num(t) => out.extend_from_slice(t.as_bytes()),
        Json::Str(s) => write_str(out, s),
        Json::Arr(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out, None);
            }
            out.push(b']');
        }
        Json::Obj(members) => {
            let mut sorted: Vec<&(Cow<'_, str>, Json<'_>)> = members
                .iter()
                .filter(|(k, _)| Some(k.as_ref()) != skip)
                .collect();
            // stable, so that among repeated keys the last stays last; keep only that one
            // insertion sort: stable and small (objects here have few members)
            for i in 1..sorted.len() {
                let mut j = i;
                while j > 0 && sorted[j - 1].0 > sorted[j].0 {
                    sorted.swap(j - 1, j);
                    j -= 1;
                }
            }
            let mut first = true;
            for (i, (k, v)) in sorted.iter().map(|m| (&m.0, &m.1)).enumerate() {
                if sorted.get(i + 1).is_some_and(|n| n.0 == *k) {
                    continue;
                }
                out.push(if first { b'{' } else { b',' });
                first = false;
                write_str(out, k);
                out.push(b':');
                write_canonical(v, out, None);
            }
            if first {
                out.push(b'{');
            }
            out.push(b'}');
        }
    }
}

/// Writes a JSON string with serde_json's escapes.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Writes `x` as serde_json does, with serde_json's own formatter (zmij): the shortest
/// digits that read back to the same bits, laid out as serde_json lays them out (`1.0`,
/// `12.5`, `0.001`, `1e-7`, `1.5e+300`); `null` when not finite.
pub(crate) fn write_f64(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    out.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
}

/// Writes an unsigned integer.
pub(crate) fn write_u64(out: &mut Vec<u8>, n: u64) {
    let _ = write!(buf_writer(out), "{n}");
}

struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn buf_writer(out: &mut Vec<u8>) -> VecWriter<'_> {
    VecWriter(out)
}
