//! Unit tests of the scorer's JSON reader and writer. The scorer on trained artifacts is
//! tested from the core (`tests/edge_scorer.rs`, which trains them: this crate does not reach
//! the trainers), the HTTP API in the real runtime (`tests/edge/`).

use super::*;
#[test]
fn floats_are_written_shortest_and_read_back_to_the_same_bits() {
    for (x, text) in [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (0.1, "0.1"),
        (12.5, "12.5"),
        (0.001, "0.001"),
        (1e-7, "1e-7"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
    ] {
        let mut out = Vec::new();
        json::write_f64(&mut out, x);
        assert_eq!(String::from_utf8(out).unwrap(), text);
        assert_eq!(serde_json::to_string(&x).unwrap(), text);
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..50_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for x in [f64::from_bits(state), (state % 1_000_000) as f64 / 1000.0] {
            if !x.is_finite() {
                continue;
            }
            let mut out = Vec::new();
            json::write_f64(&mut out, x);
            let text = String::from_utf8(out).unwrap();
            let theirs = serde_json::to_string(&x).unwrap();
            // the same text as serde_json (the CLI's answers), which reads back to the same bits
            assert_eq!(text, theirs);
            assert_eq!(
                serde_json::from_str::<f64>(&text).unwrap().to_bits(),
                x.to_bits(),
                "{text}"
            );
            assert_eq!(json::parse(text.as_bytes()).unwrap().as_f64(), Some(x));
        }
    }
}

/// The float writer before it used zmij (Display's positional digits, read back into
/// digits and an exponent). Where two shortest digit strings are equally near, Display
/// and serde_json can pick different ones; the test counts those.
fn write_f64_by_display(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let buf = format!("{}", x.abs());
    let (int, frac) = buf.split_once('.').unwrap_or((&buf, ""));
    let (mut digits, kk): (Vec<u8>, i32) = if int != "0" {
        (int.bytes().chain(frac.bytes()).collect(), int.len() as i32)
    } else {
        let zeros = frac.len() - frac.trim_start_matches('0').len();
        (frac.as_bytes()[zeros..].to_vec(), -(zeros as i32))
    };
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let (digits, kk) = if digits.is_empty() {
        (vec![b'0'], 1)
    } else {
        (digits, kk)
    };
    let length = digits.len() as i32;
    let k = kk - length;
    if x.is_sign_negative() {
        out.push(b'-');
    }
    if 0 <= k && kk <= 16 {
        out.extend_from_slice(&digits);
        out.extend(std::iter::repeat_n(b'0', k as usize));
        out.extend_from_slice(b".0");
    } else if 0 < kk && kk <= 16 {
        out.extend_from_slice(&digits[..kk as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[kk as usize..]);
    } else if -5 < kk && kk <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-kk) as usize));
        out.extend_from_slice(&digits);
    } else {
        out.push(digits[0]);
        if length > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.extend_from_slice(if kk > 0 { b"e+" } else { b"e" });
        out.extend_from_slice((kk - 1).to_string().as_bytes());
    }
}

#[test]
fn floats_are_written_byte_for_byte_as_serde_json_writes_them() {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut differ_from_display = 0;
    let mut check = |x: f64| {
        let (mut ours, mut display) = (Vec::new(), Vec::new());
        json::write_f64(&mut ours, x);
        write_f64_by_display(&mut display, x);
        let theirs = if x.is_finite() {
            serde_json::to_string(&x).unwrap()
        } else {
            "null".to_owned()
        };
        assert_eq!(String::from_utf8(ours.clone()).unwrap(), theirs, "{x:e}");
        if ours != display {
            // only a tie, broken the other way: the same length, the same value
            assert_eq!(ours.len(), display.len(), "{x:e}");
            differ_from_display += 1;
        }
    };
    for x in [
        0.0,
        1.0,
        1e15,
        1e16,
        1e-5,
        1e-4,
        123456.0,
        1e21,
        1e22,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        f64::NAN,
        f64::INFINITY,
    ] {
        check(x);
        check(-x);
    }
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        check(f64::from_bits(state));
        check((state % 1_000_000) as f64 / 1000.0);
        // probabilities, as a classifier writes them
        check((state >> 11) as f64 / (1u64 << 53) as f64);
        check(1.0 - (state >> 11) as f64 / (1u64 << 53) as f64);
    }
    eprintln!("{differ_from_display} of 800,028 floats differ from the Display-based writer");
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    for s in [
        "plain",
        "quote \" and \\ back",
        "tab\tnew\nline\r",
        "\u{1}\u{1f}\u{7f}",
        "é ☃ 𝄞",
    ] {
        let mut out = Vec::new();
        json::write_str(&mut out, s);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(s).unwrap()
        );
        let text = serde_json::to_string(s).unwrap();
        let parsed = json::parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.as_str(), Some(s));
    }
}

/// The edge's FNV-1a is the core's: on every length up to 300 and on bytes of every value
/// (a seeded stream), the two hashes agree.
#[test]
fn fnv_agrees_with_the_core() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut bytes = Vec::new();
    for len in 0..300 {
        for case in 0..8 {
            bytes.clear();
            bytes.extend((0..len).map(|i| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                match case {
                    0 => (i % 256) as u8,
                    1 => 0xff,
                    _ => seed as u8,
                }
            }));
            assert_eq!(
                canonical::fnv1a64(&bytes),
                driftlab::artifact::fnv1a64(&bytes),
                "{len} bytes, case {case}"
            );
        }
    }
    assert_eq!(canonical::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
}

#[test]
fn whole_numbers_read_as_str_parse_reads_them() {
    let mut texts: Vec<String> = [
        "0",
        "-0",
        "1",
        "-1",
        "10",
        "1.0",
        "1e3",
        "-1e3",
        "1E0",
        "0.5",
        "18446744073709551615",
        "18446744073709551616",
        "-18446744073709551615",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut x = 1u64;
    for _ in 0..2_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let n = x >> (x % 64);
        texts.push(n.to_string());
        texts.push(format!("-{n}"));
    }
    for t in &texts {
        let doc = json::parse(t.as_bytes()).unwrap();
        assert_eq!(doc.as_u64(), t.parse::<u64>().ok(), "{t}");
        assert_eq!(doc.as_i64(), t.parse::<i64>().ok(), "{t}");
    }
}
