//! The scorer's exponential (the sigmoid, the softmax, Gaussian naive Bayes and the SVM's
//! Gaussian kernel): table-free, branch-light, one out-of-line copy ([`exp`]) for the row
//! paths and the edge scorer, and short enough to inline into the logistic batch loop
//! ([`exp_inlined`]).
//!
//! `libm::exp` (fdlibm's) is accurate but takes a division and an out-of-line `scalbn` per
//! call, which made it half the time of scoring a logistic batch in Wasm. This one is pure
//! IEEE `f64` arithmetic — additions, multiplications and bit moves, no division, no fused
//! multiply-add, no platform call — so every target computes the same bits, which the edge
//! scorer's bit-for-bit comparison with the native CLI relies on.
//!
//! Method: Cody–Waite reduction `x = k·ln 2 + r`, `|r| ≤ ln 2 / 2` (the two-part `ln 2` of
//! fdlibm, whose high part times `k` is exact), `e^r` by its Taylor polynomial to degree 13
//! (truncation below 0.05 ulp) evaluated in Estrin's scheme so that the products overlap,
//! and the scaling by `2^k` built from bits. Error: within 1 ulp of the true value (0.98 ulp
//! at worst over a dense sweep, against an exact reference), and never more than 1 ulp from
//! `libm::exp`. `exp(0)` is exactly 1; `+∞` gives `+∞`, `−∞` gives 0, NaN gives NaN,
//! arguments above 709.78… overflow to `+∞` and below −745.13… underflow to 0, with
//! subnormal results in between as `libm::exp` gives them.

/// `log₂ e`.
const LOG2E: f64 = std::f64::consts::LOG2_E;
/// `ln 2` in two parts (fdlibm's): the high part has 32 significant bits, so `k · LN2_HI`
/// is exact for every `|k| < 2²¹`.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// `1.5 · 2⁵²`: adding it rounds a number below 2⁵¹ in size to an integer (ties to even)
/// and leaves that integer in the low bits.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// The Taylor coefficients `1/n!`, n = 2..=13, correctly rounded.
const C2: f64 = 0.5;
const C3: f64 = 1.666_666_666_666_666_6e-1;
const C4: f64 = 4.166_666_666_666_666_4e-2;
const C5: f64 = 8.333_333_333_333_333e-3;
const C6: f64 = 1.388_888_888_888_889e-3;
const C7: f64 = 1.984_126_984_126_984e-4;
const C8: f64 = 2.480_158_730_158_73e-5;
const C9: f64 = 2.755_731_922_398_589_3e-6;
const C10: f64 = 2.755_731_922_398_589e-7;
const C11: f64 = 2.505_210_838_544_172e-8;
const C12: f64 = 2.087_675_698_786_81e-9;
const C13: f64 = 1.605_904_383_682_161_3e-10;
/// Arguments outside `(UNDER, OVER)` give 0 or `+∞` (or NaN for NaN) without the
/// polynomial; the ones just inside still overflow or underflow in the final scaling.
const OVER: f64 = 709.8;
const UNDER: f64 = -746.0;

/// `e^x`, deterministic on every target (see the module docs for the accuracy), as one
/// out-of-line function: the scorer's row paths and the edge scorer, where size counts
/// more than a call.
#[inline(never)]
pub fn exp(x: f64) -> f64 {
    exp_inlined(x)
}

/// [`exp`] inlined into the caller, for the batch loop (the same bits: inlining does not
/// change IEEE arithmetic).
#[inline(always)]
pub fn exp_inlined(x: f64) -> f64 {
    if !(x > UNDER && x < OVER) {
        return if x.is_nan() {
            x
        } else if x > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
    }
    // k = round(x / ln 2), |k| ≤ 1077; kf is k as a float, exactly
    let t = x * LOG2E + SHIFT;
    let k = (t.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
    let kf = t - SHIFT;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    // e^r = 1 + r + r²·q(r), q in Estrin's scheme
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let b0 = (C2 + C3 * r) + (C4 + C5 * r) * r2;
    let b1 = (C6 + C7 * r) + (C8 + C9 * r) * r2;
    let b2 = (C10 + C11 * r) + (C12 + C13 * r) * r2;
    let q = b0 + (b1 * r4 + b2 * r8);
    let p = 1.0 + (r + r2 * q);
    if (-1022..=1023).contains(&k) {
        p * f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        scale_far(p, k)
    }
}

/// [`exp_inlined`] of two arguments, `(e^x0, e^x1)`, the same bits as two calls.
///
/// With Wasm's simd128 the two are computed side by side in `f64x2` lanes when both
/// arguments are inside `(UNDER, OVER)` and both results are normal numbers (every
/// logistic score but the saturated ones): the same additions, multiplications and bit
/// moves as the scalar code, each IEEE-rounded per lane, no fused multiply-add. Otherwise,
/// and natively (where LLVM already overlaps two independent scalar chains), it is two
/// scalar calls. Why: on 100,000 × 20 rows the logistic batch in Wasm ran at 49.8 M rows/s
/// and ridge's, the same dot product without a sigmoid, at 129 M (the quiet `make bench`
/// of 2026-12-06): about 12 of the logistic's 20 ns per row went to the sigmoid.
#[inline(always)]
pub fn exp_pair(x0: f64, x1: f64) -> (f64, f64) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if x0 > UNDER && x0 < OVER && x1 > UNDER && x1 < OVER {
        use core::arch::wasm32::*;
        let sp = f64x2_splat;
        let (add, sub, mul) = (f64x2_add, f64x2_sub, f64x2_mul);
        let x = f64x2(x0, x1);
        let t = add(mul(x, sp(LOG2E)), sp(SHIFT));
        let k = i64x2_sub(t, i64x2_splat(SHIFT.to_bits() as i64));
        let kf = sub(t, sp(SHIFT));
        let r = sub(sub(x, mul(kf, sp(LN2_HI))), mul(kf, sp(LN2_LO)));
        let r2 = mul(r, r);
        let r4 = mul(r2, r2);
        let r8 = mul(r4, r4);
        let b0 = add(
            add(sp(C2), mul(sp(C3), r)),
            mul(add(sp(C4), mul(sp(C5), r)), r2),
        );
        let b1 = add(
            add(sp(C6), mul(sp(C7), r)),
            mul(add(sp(C8), mul(sp(C9), r)), r2),
        );
        let b2 = add(
            add(sp(C10), mul(sp(C11), r)),
            mul(add(sp(C12), mul(sp(C13), r)), r2),
        );
        let q = add(b0, add(mul(b1, r4), mul(b2, r8)));
        let p = add(sp(1.0), add(r, mul(r2, q)));
        let (k0, k1) = (i64x2_extract_lane::<0>(k), i64x2_extract_lane::<1>(k));
        let normal = -1022..=1023;
        if normal.contains(&k0) && normal.contains(&k1) {
            let scale = i64x2_shl(i64x2_add(k, i64x2_splat(1023)), 52);
            let e = mul(p, scale);
            return (f64x2_extract_lane::<0>(e), f64x2_extract_lane::<1>(e));
        }
        let lane = |p: f64, k: i64| {
            if normal.contains(&k) {
                p * f64::from_bits(((k + 1023) as u64) << 52)
            } else {
                scale_far(p, k)
            }
        };
        return (
            lane(f64x2_extract_lane::<0>(p), k0),
            lane(f64x2_extract_lane::<1>(p), k1),
        );
    }
    (exp_inlined(x0), exp_inlined(x1))
}

/// The logistic sigmoid from `e = e^−x`: `1 / (1 + e)`, 0.5 for NaN. Its last step, shared
/// by the logistic scorer and boosting, which compute the exponentials two at a time
/// ([`exp_pair`]).
#[inline(always)]
pub fn sigmoid_of(e: f64) -> f64 {
    let p = 1.0 / (1.0 + e);
    if p.is_nan() {
        0.5
    } else {
        p
    }
}

/// `p · 2^k` for `k` outside the normal exponents, in two exact-or-once-rounded steps:
/// `k = 1024` (just below overflow) and `k < −1022` (subnormal results).
#[cold]
#[inline(never)]
fn scale_far(p: f64, k: i64) -> f64 {
    let two = |e: i64| f64::from_bits(((e + 1023) as u64) << 52);
    if k > 0 {
        p * two(k - 1) * 2.0
    } else {
        // p · 2^(k+1000) is a normal number, exactly; the second product rounds once
        p * two(k + 1000) * two(-1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place, for finite numbers of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64).abs_diff(b.to_bits() as i64)
    }

    #[test]
    fn within_one_ulp_of_libm_over_a_dense_sweep() {
        let mut worst = (0, 0.0);
        let mut sweep = |lo: f64, hi: f64, n: u32| {
            for i in 0..=n {
                let x = lo + (hi - lo) * f64::from(i) / f64::from(n);
                let u = ulps(exp(x), libm::exp(x));
                if u > worst.0 {
                    worst = (u, x);
                }
            }
        };
        // the whole finite range, the sigmoid's working range, and around zero
        sweep(-745.2, 709.79, 2_000_000);
        sweep(-40.0, 40.0, 2_000_000);
        sweep(-1e-3, 1e-3, 200_000);
        assert!(worst.0 <= 1, "{} ulp at {}", worst.0, worst.1);
    }

    #[test]
    fn exact_where_it_must_be() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        // so that a logit of 0 is exactly even odds
        assert_eq!(1.0 / (1.0 + exp(-0.0)), 0.5);
        for x in [1e-300, -1e-300, f64::MIN_POSITIVE, 5e-324] {
            assert_eq!(exp(x), 1.0, "{x:e}");
        }
        // as libm's, one ulp above the correctly rounded e
        assert_eq!(exp(1.0), libm::exp(1.0));
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1);
        assert!(ulps(exp(std::f64::consts::LN_2), 2.0) <= 1);
    }

    #[test]
    fn special_values_overflow_and_underflow() {
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(f64::MAX), f64::INFINITY);
        assert_eq!(exp(-f64::MAX), 0.0);
        for x in [
            709.0,
            709.78,
            709.782_712_893_383_9,
            709.782_712_893_384,
            709.79,
            -708.39,
            -708.5,
            -720.0,
            -740.0,
            -745.13,
            -745.133_219_101_941_1,
            -745.14,
            -745.5,
            -800.0,
        ] {
            let (a, b) = (exp(x), libm::exp(x));
            assert!(
                a == b || (a.is_finite() && b.is_finite() && ulps(a, b) <= 1),
                "exp({x}) = {a:e}, libm {b:e}"
            );
        }
        assert_eq!(exp(709.79), f64::INFINITY);
        assert_eq!(exp(-745.14), 0.0);
        assert_eq!(exp(-745.13), 5e-324);
    }

    #[test]
    fn same_bits_on_every_target() {
        // computed once natively; the Wasm builds run this same code, so these bits are
        // what every build of the scorer must produce
        let cases: [(f64, u64); 11] = [
            (-720.0, 0x0000_0009_93b4_dc95),
            (-37.5, 0x3c8d_d5c5_6630_1ec8),
            (-3.25, 0x3fa3_da36_8521_902d),
            (-0.1, 0x3fec_f46d_99d5_2b3a),
            (-1.5e-9, 0x3fef_ffff_ff31_d771),
            (0.3, 0x3ff5_9905_8c8c_1a96),
            (0.5, 0x3ffa_6129_8e1e_069c),
            (2.0, 0x401d_8e64_b8d4_ddae),
            (12.75, 0x4115_079f_95a5_2756),
            (700.0, 0x7f0d_945d_f4f8_ec8e),
            (709.5, 0x7fe8_1e9b_4b52_d0c9),
        ];
        for (x, bits) in cases {
            assert_eq!(exp(x).to_bits(), bits, "exp({x}) = {:#x}", exp(x).to_bits());
        }
    }
}
