//! Decimal text to `f64` without core's table: [`parse_f64`] gives exactly what
//! `str::parse::<f64>` gives, bit for bit, on every string (and refuses the same strings).
//!
//! **Why it exists.** `str::parse::<f64>` is correctly rounded through the Eisel-Lemire
//! algorithm, which reads a table of 128-bit powers of five: 10,416 bytes of data, 10,325 B
//! gzipped alone — a sixth of the edge scorer, whose budget is 64,000 B gzip -9. Every
//! place the scorer reads a number (the artifact's JSON, the request's JSON numbers, its CSV
//! cells, a numeric input sent as text to the pipeline) goes through this function instead,
//! so the table is not linked. The edge scorer went from 77,541 B to 64,753 B gzip -9
//! (156,790 → 142,102 B raw) with this change alone (`make wasm`): −12,788 B, the table
//! and Eisel-Lemire's code out, this file's 3.6 KB of code (raw, before wasm-opt) in.
//!
//! **How.** Two paths, both exact:
//! * Clinger's fast path: at most 15 significant digits `w` (so `w < 2^53` is an exact
//!   `f64`) and a power of ten `10^k` with `|k| ≤ 22` (exact in `f64` too): one correctly
//!   rounded IEEE multiplication or division gives the correctly rounded result. Also
//!   `w·10^k` for `k` up to 37 when `w·10^(k−22)` is still an exact integer below `2^53`.
//!   Numbers as people and spreadsheets write them (`5.1`, `1078`, `0.25`) take it.
//! * Everything else takes the "simple decimal conversion" (Nigel Tao's description of
//!   the algorithm in Go's `strconv`, also core's own slow path): the digits are held as a
//!   big decimal (up to 768 of them, a flag telling whether non-zero digits were dropped —
//!   767 is the most any number halfway between two `f64`s needs), shifted left and right
//!   by powers of two until the value is in `[1/2, 1)`, then shifted to 53 bits and
//!   rounded half to even. A left shift multiplies the digits by `2^k` from the right, so
//!   the algorithm needs no table at all.
//!
//! The grammar is core's: an optional sign, digits with an optional `.` (at least one
//! digit on either side), an optional exponent (`e`/`E`, optional sign, at least one
//! digit; core stops growing an exponent once it reaches 65,536, and so does this), or
//! `inf`, `infinity`, `nan` in any case. No whitespace, no `_`.
//!
//! **How it is proven** (`decimal::tests`, `fuzz/fuzz_targets/float.rs`): bits compared
//! with `str::parse::<f64>` (and `Err`/`Ok` alike) on hand-picked hard cases — halfway
//! cases between neighbouring doubles (with 17 to 800 digits), the smallest subnormal and
//! the halfway point below it, the largest double and the halfway point above it,
//! overflow to infinity, long runs of zeros, exponents to ±400 and beyond 65,536, `-0`,
//! the special words, malformed strings — then a seeded sweep of random strings in those
//! shapes (1,000,000 in an optimised build, `tests/decimal-sweep`, which `cargo test --workspace`
//! runs; 20,000 in the core's debug build; more in an ignored run), and a fuzz target
//! that asserts the same on whatever libFuzzer makes up.
//!
//! **Speed.** The slow path costs more time than Eisel-Lemire: numbers of 16 or 17 digits
//! (what serde_json writes for most weights and thresholds in an artifact) take it. Built
//! alone with `rustc -O` on a loaded 2-core machine (load 10–14): shortest round-trip
//! 17-digit numbers 430–820 ns each against core's 45–145 ns; numbers like `5.1` ≈10–30 ns
//! either way. In the edge scorer (Node, minimum of 7 `dl_load`s) a 657 KB random forest
//! artifact (17,580 numbers) loads in 17.5 ms against 16.9 ms before, a 228 KB boosting one
//! in 2.0 ms against 1.5 ms; the request rows people send take the fast path. A 128-bit
//! exact path for up to 19 digits made 17-digit numbers 4× faster but cost 1,094 B gzipped
//! (compiler-rt's 128-bit division and conversion), so it was left out.

/// The digits the big decimal holds: enough to decide the rounding of any `f64`.
const MAX_DIGITS: usize = 768;
/// Beyond this many places either way the value is zero or infinite.
const DECIMAL_POINT_RANGE: i32 = 2047;
/// The largest shift in one pass: `10 · 2^60` still fits in a `u64`.
const MAX_SHIFT: u32 = 60;

/// Parses `s` as `str::parse::<f64>` does: the same value bit for bit, `None` where it
/// returns an error.
pub fn parse_f64(s: &str) -> Option<f64> {
    let mut b = s.as_bytes();
    let negative = b.first() == Some(&b'-');
    if let Some(b'-' | b'+') = b.first() {
        b = &b[1..];
    }
    let x = match Number::parse(b) {
        Some(n) => n.value(b),
        None => special(b)?,
    };
    Some(if negative { -x } else { x })
}

/// `inf`, `infinity` or `nan` in any case.
fn special(b: &[u8]) -> Option<f64> {
    let is = |word: &[u8]| b.eq_ignore_ascii_case(word);
    if is(b"inf") || is(b"infinity") {
        Some(f64::INFINITY)
    } else if is(b"nan") {
        Some(f64::NAN)
    } else {
        None
    }
}

/// An unsigned decimal as read: its significant digits (leading and trailing zeros
/// dropped) `0.d₀d₁… × 10^point`, the first 19 of them as an integer.
struct Number {
    /// How many significant digits, up to the last non-zero one.
    digits: usize,
    /// The first `min(digits, 19)` digits.
    head: u64,
    point: i64,
}

impl Number {
    /// Reads the grammar (see the module docs); `None` if `b` is not a decimal.
    fn parse(b: &[u8]) -> Option<Number> {
        let mut n = Number {
            digits: 0,
            head: 0,
            point: 0,
        };
        let mut seen = 0usize;
        let mut any_digit = false;
        let mut after_dot = false;
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            match c {
                b'0'..=b'9' => {
                    any_digit = true;
                    if seen == 0 && c == b'0' {
                        // a leading zero: after the point it moves the point
                        n.point -= i64::from(after_dot);
                    } else {
                        if seen < 19 {
                            n.head = 10 * n.head + u64::from(c - b'0');
                        }
                        seen += 1;
                        if c != b'0' {
                            n.digits = seen;
                        }
                        n.point += i64::from(!after_dot);
                    }
                }
                b'.' if !after_dot => after_dot = true,
                _ => break,
            }
            i += 1;
        }
        if !any_digit {
            return None;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let negative = b.get(i) == Some(&b'-');
            if let Some(b'-' | b'+') = b.get(i) {
                i += 1;
            }
            if !matches!(b.get(i), Some(b'0'..=b'9')) {
                return None;
            }
            let mut exp = 0i64;
            while let Some(&c @ b'0'..=b'9') = b.get(i) {
                // core stops growing the exponent here; so must we, to read the same value
                if exp < 0x10000 {
                    exp = 10 * exp + i64::from(c - b'0');
                }
                i += 1;
            }
            n.point += if negative { -exp } else { exp };
        }
        if i != b.len() {
            return None;
        }
        // drop the trailing zeros counted into `head`
        for _ in n.digits..seen.min(19) {
            n.head /= 10;
        }
        Some(n)
    }

    /// The nearest `f64` (ties to even); `b` is the text `parse` read.
    fn value(&self, b: &[u8]) -> f64 {
        if self.digits == 0 || self.point < -324 {
            return 0.0;
        }
        if self.point >= 310 {
            return f64::INFINITY;
        }
        if self.digits <= 15 {
            // the value is w × 10^k with w below 10^15
            if let Some(x) = clinger(self.head, self.point - self.digits as i64) {
                return x;
            }
        }
        Decimal::new(b, self.point as i32).value()
    }
}

/// Clinger's fast path: `w < 2^53` and `10^|k|` are exact doubles, so one IEEE operation
/// rounds correctly.
fn clinger(w: u64, k: i64) -> Option<f64> {
    match k {
        0..=22 => Some(w as f64 * pow10(k as u32)),
        -22..=-1 => Some(w as f64 / pow10((-k) as u32)),
        23..=37 => {
            let v = w.checked_mul(10u64.pow((k - 22) as u32))?;
            (v < 1 << 53).then(|| v as f64 * pow10(22))
        }
        _ => None,
    }
}

/// A big decimal `0.d₀d₁d₂… × 10^point`, digits 0–9 without leading or trailing zeros.
struct Decimal {
    digits: [u8; MAX_DIGITS],
    len: usize,
    point: i32,
    /// Non-zero digits were dropped past `MAX_DIGITS`.
    truncated: bool,
}

/// `0.0`, `10.0`, … `1e22`: exact, since every product is a representable integer.
fn pow10(k: u32) -> f64 {
    let mut p = 1.0;
    for _ in 0..k {
        p *= 10.0;
    }
    p
}

impl Decimal {
    /// The significant digits of the decimal text `b` (which `Number::parse` accepted),
    /// the first `MAX_DIGITS` of them, with the place of the point.
    fn new(b: &[u8], point: i32) -> Decimal {
        let mut d = Decimal {
            digits: [0; MAX_DIGITS],
            len: 0,
            point,
            truncated: false,
        };
        let mut seen = 0;
        for &c in b {
            match c {
                b'0' if seen == 0 => {}
                b'0'..=b'9' => {
                    if seen < MAX_DIGITS {
                        d.digits[seen] = c - b'0';
                    } else if c != b'0' {
                        d.truncated = true;
                    }
                    seen += 1;
                }
                b'.' => {}
                _ => break,
            }
        }
        d.len = seen.min(MAX_DIGITS);
        d.trim();
        d
    }

    /// The nearest `f64` (ties to even), by the simple decimal conversion.
    fn value(mut self) -> f64 {
        // binary exponent: the value is (digits) × 2^exp2
        let mut exp2 = 0i32;
        // divide by powers of two until the value is below 1
        while self.point > 0 {
            let shift = shift_for(self.point as u32);
            self.right_shift(shift);
            if self.point < -DECIMAL_POINT_RANGE {
                return 0.0;
            }
            exp2 += shift as i32;
        }
        // multiply until it is in [1/2, 1)
        while self.point <= 0 {
            let shift = if self.point == 0 {
                match self.digits[0] {
                    5.. => break,
                    0 | 1 => 2,
                    _ => 1,
                }
            } else {
                shift_for((-self.point) as u32)
            };
            self.left_shift(shift);
            if self.point > DECIMAL_POINT_RANGE {
                return f64::INFINITY;
            }
            exp2 -= shift as i32;
        }
        // [1/2, 1) → [1, 2)
        exp2 -= 1;
        // subnormals: shift until the exponent is the smallest normal one
        while exp2 < -1022 {
            let shift = ((-1022 - exp2) as u32).min(MAX_SHIFT);
            self.right_shift(shift);
            exp2 += shift as i32;
        }
        if exp2 + 1023 >= 0x7FF {
            return f64::INFINITY;
        }
        // 53 bits (the hidden one and 52) above the point, rounded
        self.left_shift(53);
        let mut mantissa = self.round();
        if mantissa >= 1 << 53 {
            // rounding carried into a 54th bit
            self.right_shift(1);
            exp2 += 1;
            mantissa = self.round();
            if exp2 + 1023 >= 0x7FF {
                return f64::INFINITY;
            }
        }
        let mut biased = exp2 + 1023;
        if mantissa < 1 << 52 {
            // a subnormal: no hidden bit
            biased -= 1;
        }
        f64::from_bits(((biased as u64) << 52) | (mantissa & ((1 << 52) - 1)))
    }

    /// Divides by `2^shift` (`shift ≤ 60`), keeping up to `MAX_DIGITS` digits.
    fn right_shift(&mut self, shift: u32) {
        let mut read = 0;
        let mut write = 0;
        let mut n = 0u64;
        // take digits until the first digit of the quotient is non-zero
        while n >> shift == 0 {
            if read < self.len {
                n = 10 * n + u64::from(self.digits[read]);
            } else if n == 0 {
                return;
            } else {
                n *= 10;
            }
            read += 1;
        }
        self.point -= read as i32 - 1;
        if self.point < -DECIMAL_POINT_RANGE {
            self.len = 0;
            self.truncated = false;
            return;
        }
        let mask = (1u64 << shift) - 1;
        while read < self.len {
            self.digits[write] = (n >> shift) as u8;
            write += 1;
            n = 10 * (n & mask) + u64::from(self.digits[read]);
            read += 1;
        }
        while n > 0 {
            let digit = (n >> shift) as u8;
            n = 10 * (n & mask);
            if write < MAX_DIGITS {
                self.digits[write] = digit;
                write += 1;
            } else if digit > 0 {
                self.truncated = true;
            }
        }
        self.len = write;
        self.trim();
    }

    /// Multiplies by `2^shift` (`shift ≤ 60`), from the last digit to the first; the
    /// product has at most 19 more digits than the number.
    fn left_shift(&mut self, shift: u32) {
        if self.len == 0 {
            return;
        }
        // the product's digits, right-aligned in a buffer with room for the carry
        let mut out = [0u8; MAX_DIGITS + 19];
        let mut at = self.len + 19;
        let mut carry = 0u64;
        for &digit in self.digits[..self.len].iter().rev() {
            let v = (u64::from(digit) << shift) + carry;
            at -= 1;
            out[at] = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            at -= 1;
            out[at] = (carry % 10) as u8;
            carry /= 10;
        }
        let grown = self.len + 19 - at;
        let keep = grown.min(MAX_DIGITS);
        if out[at + keep..at + grown].iter().any(|&d| d != 0) {
            self.truncated = true;
        }
        self.digits[..keep].copy_from_slice(&out[at..at + keep]);
        self.point += (grown - self.len) as i32;
        self.len = keep;
        self.trim();
    }

    fn trim(&mut self) {
        while self.len > 0 && self.digits[self.len - 1] == 0 {
            self.len -= 1;
        }
    }

    /// The integer part, rounded half to even (a dropped non-zero tail rounds a half up).
    fn round(&self) -> u64 {
        if self.len == 0 || self.point < 0 {
            return 0;
        }
        if self.point > 18 {
            return u64::MAX;
        }
        let point = self.point as usize;
        let mut n = 0u64;
        for i in 0..point {
            n = 10 * n + u64::from(*self.digits[..self.len].get(i).unwrap_or(&0));
        }
        if point < self.len {
            let next = self.digits[point];
            let up = if next == 5 && point + 1 == self.len {
                self.truncated || (point > 0 && self.digits[point - 1] % 2 == 1)
            } else {
                next >= 5
            };
            n += u64::from(up);
        }
        n
    }
}

/// A shift that moves the point by about `places` decimal places (`places · log2 10`,
/// rounded down, at most 60).
fn shift_for(places: u32) -> u32 {
    if places < 19 {
        places * 10 / 3
    } else {
        MAX_SHIFT
    }
}

// by path, so that `tests/decimal-sweep` (this file compiled again, optimised) finds it too
#[cfg(test)]
#[path = "decimal/tests.rs"]
mod tests;
