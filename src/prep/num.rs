//! Numbers in the pipeline's words: `Display` for `f64`, written from zmij's shortest digits.
//!
//! The warnings and the categorical lookup of a number print an `f64` as Rust's `{}` does
//! (positional, shortest round-trip digits, no exponent, `NaN`, `inf`, `-inf`, `-0`). `{}`
//! itself links core's float formatter (Grisu with a Dragon fallback), the largest piece of
//! the edge scorer, which already carries zmij (serde_json's formatter) for its answers.
//! [`Num`] writes the same text from zmij's digits, so the edge carries one formatter. Where
//! two shortest digit strings are equally near (65 of 200,000 random bit patterns), zmij and
//! core may pick different ones; every surface goes through this one function, so the page,
//! the CLI and the edge still say the same.

use std::fmt;

/// An `f64` that displays as `{}` does (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x.is_nan() {
            return f.write_str("NaN");
        }
        if x.is_infinite() {
            return f.write_str(if x > 0.0 { "inf" } else { "-inf" });
        }
        let mut out = String::with_capacity(24);
        if x.is_sign_negative() {
            out.push('-');
        }
        if x == 0.0 {
            out.push('0');
            return f.write_str(&out);
        }
        // zmij writes `d.ddd`, `d.ddde±n` or `ddd.0`: its digits, how many come before the
        // point, and the exponent, read byte by byte (no `str` slicing and no integer
        // parser: the edge scorer links neither for this)
        let mut buffer = zmij::Buffer::new();
        let mut digits: Vec<u8> = Vec::with_capacity(24);
        let (mut whole, mut exponent, mut exponent_sign) = (0i32, 0i32, 1i32);
        let (mut after_point, mut in_exponent) = (false, false);
        for &b in buffer.format_finite(x.abs()).as_bytes() {
            match b {
                b'.' => after_point = true,
                b'e' | b'E' => in_exponent = true,
                b'-' => exponent_sign = -1,
                b'+' => {}
                d if in_exponent => {
                    exponent = exponent * 10 + i32::from(d.wrapping_sub(b'0'));
                }
                d => {
                    digits.push(d);
                    whole += i32::from(!after_point);
                }
            }
        }
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        let lead = digits.iter().take_while(|&&d| d == b'0').count();
        let len = (digits.len() - lead) as i32;
        // the value is 0.DIGITS × 10^point
        let point = whole + exponent_sign * exponent - lead as i32;
        if point <= 0 {
            out.push_str("0.");
            out.extend((point..0).map(|_| '0'));
        }
        for (i, &d) in digits.iter().skip(lead).enumerate() {
            if i > 0 && i as i32 == point {
                out.push('.');
            }
            out.push(char::from(d));
        }
        out.extend((len..point).map(|_| '0'));
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::Num;

    fn same(x: f64) {
        assert_eq!(Num(x).to_string(), format!("{x}"), "{x:e}");
    }

    #[test]
    fn writes_what_display_writes() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            5.0,
            10.0,
            100.0,
            123.456,
            0.1,
            0.000_000_1,
            1e-7,
            1e7,
            1e15,
            1e16,
            1e21,
            1e22,
            1e300,
            1e-300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            13.340_757_238_307_349,
            -2.5e-5,
            123_456_789.0,
            0.3,
            2.0 / 3.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1_065.903_587_443_946_2,
        ] {
            same(x);
        }
    }

    /// A seeded sweep over bit patterns: equal to `{}` except where two shortest digit
    /// strings tie (rare; see the module docs), and always the same value.
    #[test]
    fn agrees_with_display_on_a_sweep() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut ties = 0;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            let (ours, core) = (Num(x).to_string(), format!("{x}"));
            if ours != core {
                ties += 1;
                assert_eq!(ours.parse::<f64>().unwrap().to_bits(), x.to_bits(), "{x:e}");
                assert_eq!(ours.len(), core.len(), "{x:e}: {ours} vs {core}");
            }
        }
        // 65 of these 200,000 bit patterns tie (all magnitudes; ordinary data ties less)
        assert!(ties < 200, "{ties} differ");
    }
}
