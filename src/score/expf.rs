//! The `f32` exponential of Platt scaling, the same bits in every build.
//!
//! linfa-svm computes an SVM's Platt probability in `f32` with `f32::exp`, which is the
//! platform's `expf`: glibc's natively, the `libm` crate's (a port of FreeBSD's) in Wasm.
//! The two differ in the last bit for many inputs, so a scorer that called `f32::exp` gave
//! an SVM's probabilities one bit apart between the native CLI and the Wasm page and edge.
//!
//! [`expf`] is written in plain IEEE `f64` arithmetic (no fused multiply–adds, no platform
//! math), so every build gets the same bits. It follows the method of glibc's `expf` (a
//! 32-entry table of 2^(i/32), a cubic in the reduced argument, the final product rounded
//! once to `f32`). glibc's x86-64 build with FMA fuses the argument reduction `x·32/ln 2 − k`
//! into one rounding; here that is exact without an FMA instruction, by splitting `32/ln 2`
//! so that both partial products are exact (see [`expf`]). The result equals glibc's on
//! all 2³² inputs (checked exhaustively on x86-64 with FMA: `cargo test --release --lib
//! expf -- --ignored`), so natively the scorer gives linfa's SVM probabilities to the bit,
//! and the Wasm page and edge give the native CLI's bits. (A CPU without FMA makes glibc
//! pick its other build, which rounds 2 of the 2³² inputs the other way; there, the parity
//! tests' 1e-12 tolerance would catch a row that met one of them.)

/// `TABLE[i]` holds the bits of 2^(i/32), rounded to the nearest `f64`, minus `i << 47`,
/// so that adding `k << 47` for `k ≡ i (mod 32)` builds 2^(k/32) directly. Made with
/// Python's `decimal` at 60 digits: `bits(exp(i/32 · ln 2)) − (i << 47)`; the unit test
/// `table_is_two_to_the_i_over_32` checks each entry against `f64::exp2`.
const TABLE: [u64; 32] = [
    0x3ff0000000000000,
    0x3fefd9b0d3158574,
    0x3fefb5586cf9890f,
    0x3fef9301d0125b51,
    0x3fef72b83c7d517b,
    0x3fef54873168b9aa,
    0x3fef387a6e756238,
    0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715,
    0x3feef1a7373aa9cb,
    0x3feedea64c123422,
    0x3feece086061892d,
    0x3feebfdad5362a27,
    0x3feeb42b569d4f82,
    0x3feeab07dd485429,
    0x3feea47eb03a5585,
    0x3feea09e667f3bcd,
    0x3fee9f75e8ec5f74,
    0x3feea11473eb0187,
    0x3feea589994cce13,
    0x3feeace5422aa0db,
    0x3feeb737b0cdc5e5,
    0x3feec49182a3f090,
    0x3feed503b23e255d,
    0x3feee89f995ad3ad,
    0x3feeff76f2fb5e47,
    0x3fef199bdd85529c,
    0x3fef3720dcef9069,
    0x3fef5818dcfba487,
    0x3fef7c97337b9b5f,
    0x3fefa4afa2a490da,
    0x3fefd0765b6e4540,
];

/// Table entries per doubling.
const N: f64 = 32.0;

/// `e^x` in `f32`: `+∞` above ln(2¹²⁸), `+0` below ln(2⁻¹⁵⁰), NaN for NaN, and otherwise
/// the value described in the module docs.
pub fn expf(x: f32) -> f32 {
    // the exponent and first mantissa bits of |x|: at or above 88.0's, x is large, ∞ or NaN
    let top = (x.to_bits() >> 20) & 0x7ff;
    if top >= 88.0f32.to_bits() >> 20 {
        if x == f32::NEG_INFINITY {
            return 0.0;
        }
        if top >= f32::INFINITY.to_bits() >> 20 {
            return x + x; // +∞ or NaN
        }
        if x > f32::from_bits(0x42b1_7217) {
            return f32::INFINITY; // above ln(2¹²⁸) ≈ 88.72
        }
        if x < f32::from_bits(0xc2cf_f1b4) {
            return 0.0; // below ln(2⁻¹⁵⁰) ≈ −103.97
        }
    }
    // the minimax cubic for 2^(r/32), r in [−1/2, 1/2], scaled by powers of 32 (exactly)
    let c0 = f64::from_bits(0x3fac_6af8_4b91_2394) / (N * N * N);
    let c1 = f64::from_bits(0x3fce_bfce_50fa_c4f3) / (N * N);
    let c2 = f64::from_bits(0x3fe6_2e42_ff0c_52d6) / N;
    let inv_ln2_n = f64::from_bits(0x3ff7_1547_652b_82fe) * N;
    // adding 1.5·2⁵² rounds to an integer, which then sits in the low bits
    let shift = f64::from_bits(0x4338_0000_0000_0000);
    let xd = f64::from(x);
    // x·32/ln 2 = k + r, k an integer, |r| ≤ 1/2
    let kd = inv_ln2_n * xd + shift;
    let ki = kd.to_bits();
    let kd = kd - shift;
    // r = x·32/ln 2 − k rounded once, as a fused multiply–add gives it: 32/ln 2 = hi + lo
    // with hi's low 24 mantissa bits clear, so hi·x (29 + 24 bits) and lo·x (24 + 24) are
    // exact, hi·x − k is exact (Sterbenz: |hi·x − k| ≤ 1/2 + ε, so k = 0 or they are within
    // a factor of 2), and the one addition left rounds the exact value
    let hi = f64::from_bits(inv_ln2_n.to_bits() & !((1 << 24) - 1));
    let lo = inv_ln2_n - hi;
    let r = (hi * xd - kd) + lo * xd;
    // 2^(k/32): the table's mantissa for k mod 32, the exponent from k / 32
    let s = f64::from_bits(TABLE[(ki % 32) as usize].wrapping_add(ki << 47));
    let p = c0 * r + c1;
    let y = c2 * r + 1.0;
    let y = p * (r * r) + y;
    (y * s) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_two_to_the_i_over_32() {
        for (i, &t) in TABLE.iter().enumerate() {
            let v = f64::from_bits(t.wrapping_add((i as u64) << 47));
            assert_eq!(v, (i as f64 / 32.0).exp2(), "entry {i}");
        }
    }

    #[test]
    fn special_values() {
        assert_eq!(expf(0.0).to_bits(), 1.0f32.to_bits());
        assert_eq!(expf(-0.0).to_bits(), 1.0f32.to_bits());
        assert_eq!(expf(f32::INFINITY), f32::INFINITY);
        assert_eq!(expf(f32::NEG_INFINITY).to_bits(), 0);
        assert!(expf(f32::NAN).is_nan());
        assert_eq!(expf(88.8), f32::INFINITY);
        assert_eq!(expf(f32::MAX), f32::INFINITY);
        assert_eq!(expf(-104.0).to_bits(), 0);
        assert_eq!(expf(f32::MIN).to_bits(), 0);
        // the largest finite result and the subnormal range
        assert!(expf(88.72283).is_finite());
        assert!(expf(-100.0) > 0.0 && expf(-100.0) < f32::MIN_POSITIVE);
    }

    /// Bit patterns of `x` and of `e^x` as glibc's `expf` (x86-64, FMA) rounds them: the two
    /// inputs where an argument reduction rounded twice (no FMA) would part from it.
    #[test]
    fn the_inputs_where_fusing_matters() {
        assert_eq!(expf(f32::from_bits(0x4202_422f)).to_bits(), 0x56fc_9f1c);
        assert_eq!(expf(f32::from_bits(0xc27c_65d9)).to_bits(), 0x11fa_2993);
    }

    /// Within one `f32` ulp of `e^x` (computed in `f64`) over a sweep of the whole range.
    #[test]
    fn within_an_ulp_of_the_true_value() {
        let mut x = -103.9f32;
        while x < 88.7 {
            let got = f64::from(expf(x));
            let want = libm::exp(f64::from(x));
            let ulp = f64::from(f32::EPSILON) * want.max(f64::from(f32::MIN_POSITIVE));
            assert!((got - want).abs() <= ulp, "e^{x}: {got} vs {want}");
            x += 0.000_913;
        }
    }

    /// The platform's `expf` on a stride through every bit pattern. Natively that is glibc's
    /// (the scorer must give linfa's bits), so this runs on x86-64 Linux only.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn equals_the_platform_expf_on_a_stride_of_all_inputs() {
        let fma = std::is_x86_feature_detected!("fma");
        let mut differ = 0;
        for bits in (0..=u32::MAX).step_by(4099) {
            let x = f32::from_bits(bits);
            let (got, want) = (expf(x), x.exp());
            if got.to_bits() != want.to_bits() && !(got.is_nan() && want.is_nan()) {
                differ += 1;
            }
        }
        // without FMA glibc picks its other build, which parts from this one on 2 inputs
        assert!(differ == 0 || !fma, "{differ} inputs differ");
    }

    /// Every one of the 2³² inputs (about 30 s in release): `--ignored` to run it.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    #[ignore]
    fn equals_the_platform_expf_on_every_input() {
        let mut differ = Vec::new();
        for bits in 0..=u32::MAX {
            let x = f32::from_bits(bits);
            let (got, want) = (expf(x), x.exp());
            if got.to_bits() != want.to_bits() && !(got.is_nan() && want.is_nan()) {
                differ.push(bits);
            }
        }
        assert!(
            differ.is_empty(),
            "{} differ, first {:x?}",
            differ.len(),
            &differ[..differ.len().min(8)]
        );
    }
}
