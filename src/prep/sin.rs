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
