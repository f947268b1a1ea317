//! The sine of the `sin(x)` feature cross: fdlibm's polynomial kernels (the ones `libm`
//! uses) behind a short range reduction, in plain arithmetic, so that every build gives
//! the same bits.
//!
//! Why not `libm::sin`: it gives the same bits everywhere too, but its reduction of huge
//! arguments (Payne–Hanek, with its table of 2/π) cost the edge scorer 2,302 B gzipped
//! (measured on the edge build: 65,084 B with it, 62,782 B with a stand-in), which the
//! edge's 64,000 B budget cannot spare (a reduction modulo `2π` with `%` first, exact
//! everywhere, still cost 1,490 B: the `fmod` it links). Here an argument is reduced to
//! `[−π/4, π/4]` by Cody–Waite with fdlibm's two-part `π/2`, plain multiplications and
//! subtractions. For the standardised values a cross sees (a few units) the result is
//! within an ulp or two of `libm::sin` (the test below checks 1e-15 over ±20 and 1e-9 up
//! to ±1e6). Beyond ±1e9 — a value 10⁹ standard deviations from the training mean — and
//! for NaN or infinity, it answers 0 rather than a number with no correct digits.
//!
//! [`sin_as_libm`] is the other sine here: `libm::sin`'s own arithmetic, step for step
//! (its kernels with the reduction's tail, and `rem_pio2`'s one-step and "medium"
//! reductions), for `|x| ≤ 3π/4` only, so it gives `libm::sin`'s bits there without
//! linking the Payne–Hanek reduction. The quantile sketch's bound
//! (`profile::sketch`, an argument within `±π/2`) uses it; measured on the edge build,
//! `libm::sin` there had cost 2,2xx B gzipped. The test below holds it to `libm::sin`
//! bit for bit.

// fdlibm's coefficients are written as fdlibm writes them (each rounds to the f64 it names)
#![allow(clippy::excessive_precision)]

use std::f64::consts::{FRAC_2_PI, FRAC_PI_4};

const S1: f64 = -1.666_666_666_666_663_243_48e-1;
const S2: f64 = 8.333_333_333_322_489_461_24e-3;
const S3: f64 = -1.984_126_982_985_794_931_34e-4;
const S4: f64 = 2.755_731_370_707_006_767_89e-6;
const S5: f64 = -2.505_076_025_340_686_341_95e-8;
const S6: f64 = 1.589_690_995_211_550_102_21e-10;
const C1: f64 = 4.166_666_666_666_660_190_37e-2;
const C2: f64 = -1.388_888_888_887_410_957_49e-3;
const C3: f64 = 2.480_158_728_947_672_941_78e-5;
const C4: f64 = -2.755_731_435_139_066_330_35e-7;
const C5: f64 = 2.087_572_321_298_174_827_90e-9;
const C6: f64 = -1.135_964_755_778_819_482_65e-11;
/// `π/2` in two parts: the first 33 bits, and the rest.
const PIO2_1: f64 = 1.570_796_326_734_125_614_17;
const PIO2_1T: f64 = 6.077_100_506_506_192_249_32e-11;
/// The next 33 bits of `π/2`, and the rest after them; then the next 33, and the rest.
const PIO2_2: f64 = 6.077_100_506_303_965_976_60e-11;
const PIO2_2T: f64 = 2.022_266_248_795_950_631_54e-21;
const PIO2_3: f64 = 2.022_266_248_711_166_455_80e-21;
const PIO2_3T: f64 = 8.478_427_660_368_899_569_97e-32;

/// fdlibm's `__kernel_sin` on `[−π/4, π/4]`.
fn kernel_sin(x: f64) -> f64 {
    let z = x * x;
    let r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    x + z * x * (S1 + z * r)
}

/// fdlibm's `__kernel_cos` on `[−π/4, π/4]`.
fn kernel_cos(x: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + z * r)
}

/// fdlibm's `__kernel_sin` with the reduction's tail `y` (libm's `k_sin(x, y, 1)`).
fn kernel_sin_tail(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    let v = z * x;
    x - ((z * (0.5 * y - v * r) - y) - v * S1)
}

/// fdlibm's `__kernel_cos` with the reduction's tail `y` (libm's `k_cos(x, y)`).
fn kernel_cos_tail(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * r - x * y))
}

/// `libm::sin(x)`, bit for bit, for `|x| ≤ 3π/4` (high word up to `0x4002d97c`); NaN
/// beyond, where `libm::sin` would need the reductions left out here.
pub(crate) fn sin_as_libm(x: f64) -> f64 {
    let ix = (x.to_bits() >> 32) as u32 & 0x7fff_ffff;
    if ix <= 0x3fe9_21fb {
        // |x| ≲ π/4; below 2^-26 sin x rounds to x
        return if ix < 0x3e50_0000 {
            x
        } else {
            let z = x * x;
            let r = S2 + z * (S3 + z * S4) + z * (z * z) * (S5 + z * S6);
            x + z * x * (S1 + z * r)
        };
    }
    if ix > 0x4002_d97c {
        return f64::NAN;
    }
    // rem_pio2: x = n·π/2 + (y0 + y1), n = ±1
    let (n, y0, y1) = if ix & 0xfffff == 0x921fb {
        // |x| ≈ π/2: cancellation, so libm's "medium" reduction in up to three rounds
        const TO_INT: f64 = 1.5 / f64::EPSILON;
        let f_n = (x * FRAC_2_PI + TO_INT) - TO_INT;
        let mut r = x - f_n * PIO2_1;
        let mut w = f_n * PIO2_1T;
        let mut y0 = r - w;
        let ex = (ix >> 20) as i32;
        let ey = |y: f64| (y.to_bits() >> 52) as i32 & 0x7ff;
        if ex - ey(y0) > 16 {
            let t = r;
            w = f_n * PIO2_2;
            r = t - w;
            w = f_n * PIO2_2T - ((t - r) - w);
            y0 = r - w;
            if ex - ey(y0) > 49 {
                let t = r;
                w = f_n * PIO2_3;
                r = t - w;
                w = f_n * PIO2_3T - ((t - r) - w);
                y0 = r - w;
            }
        }
        (f_n as i32, y0, (r - y0) - w)
    } else if x > 0.0 {
        let z = x - PIO2_1;
        let y0 = z - PIO2_1T;
        (1, y0, (z - y0) - PIO2_1T)
    } else {
        let z = x + PIO2_1;
        let y0 = z + PIO2_1T;
        (-1, y0, (z - y0) + PIO2_1T)
    };
    match n & 3 {
        0 => kernel_sin_tail(y0, y1),
        1 => kernel_cos_tail(y0, y1),
        2 => -kernel_sin_tail(y0, y1),
        _ => -kernel_cos_tail(y0, y1),
    }
}

/// `sin x`, the same bits on every platform; 0 beyond ±1e9 and for NaN or infinity.
pub(crate) fn sin(x: f64) -> f64 {
    if x.abs() <= FRAC_PI_4 {
        return kernel_sin(x);
    }
    // NaN fails every comparison: `is_nan` says so in words
    if x.is_nan() || x.abs() >= 1e9 {
        return 0.0;
    }
    let n = (x * FRAC_2_PI + 0.5).floor();
    let r = (x - n * PIO2_1) - n * PIO2_1T;
    // |n| < 7e8: the quadrant is n mod 4
    match (n as i64).rem_euclid(4) {
        0 => kernel_sin(r),
        1 => kernel_cos(r),
        2 => -kernel_sin(r),
        _ => -kernel_cos(r),
    }
}

#[cfg(test)]
mod tests {
    /// `sin_as_libm` is `libm::sin` bit for bit over its whole domain's paths: a sweep of
    /// ±3π/4, random doubles there, the "medium" reduction's doubles (high word of ±π/2)
    /// and the thresholds; NaN beyond.
    #[test]
    fn sin_as_libm_is_libm_sin() {
        let same = |x: f64| {
            assert_eq!(
                super::sin_as_libm(x).to_bits(),
                libm::sin(x).to_bits(),
                "x = {x:e} ({:#018x})",
                x.to_bits()
            );
        };
        let end = 3.0 * std::f64::consts::FRAC_PI_4;
        for i in -200_000..=200_000 {
            same(end * f64::from(i) / 200_000.0);
        }
        // a xorshift's doubles: in ±3π/4 (any exponent) and with π/2's high word
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let x = f64::from_bits((next() & !(0x7ff << 52)) | ((next() % 0x401) << 52));
            if x.abs() <= end {
                same(x);
            }
            let sign = next() & (1 << 63);
            same(f64::from_bits(
                sign | (0x3ff9_21fb_u64 << 32) | (next() & 0xffff_ffff),
            ));
        }
        for x in [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
            f64::from_bits(0x3e50_0000_u64 << 32),
            f64::from_bits((0x3e50_0000_u64 << 32) - 1),
            f64::from_bits(0x3fe9_21fb_ffff_ffff),
            f64::from_bits(0x3fe9_21fc_0000_0000),
            std::f64::consts::FRAC_PI_2,
            std::f64::consts::FRAC_PI_4,
            f64::from_bits(0x4002_d97c_ffff_ffff),
        ] {
            same(x);
            same(-x);
        }
        for far in [
            f64::from_bits(0x4002_d97d_u64 << 32),
            3.0,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ] {
            assert!(super::sin_as_libm(far).is_nan());
        }
    }

    #[test]
    fn agrees_with_libm() {
        let mut worst_near = 0.0f64;
        let mut worst_far = 0.0f64;
        for i in -200_000..=200_000 {
            let x = f64::from(i) * 1e-4;
            worst_near = worst_near.max((super::sin(x) - libm::sin(x)).abs());
            let y = f64::from(i) * 5.000_001;
            worst_far = worst_far.max((super::sin(y) - libm::sin(y)).abs());
        }
        assert!(worst_near <= 1e-15, "{worst_near}");
        assert!(worst_far <= 1e-9, "{worst_far}");
        for far in [f64::NAN, f64::INFINITY, -f64::INFINITY, f64::MAX, -1e9] {
            assert_eq!(super::sin(far), 0.0);
        }
        assert_eq!(super::sin(0.0), 0.0);
    }
}
