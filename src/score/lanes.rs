//! The scorers' reductions in one order for every build, with Wasm SIMD where it is on.
//!
//! Every sum a scorer takes over a row — the dot product of the linear and logistic
//! models, naive Bayes' scaled squared distance, the squared Euclidean distance of k-means
//! and kNN — is summed in eight partial sums (lane `l` takes the terms `l, l + 8, l + 16,
//! …`), folded as `((((0 + (p0 + p4)) + (p1 + p5)) + (p2 + p6)) + (p3 + p7))`, then the
//! tail left to right. That is ndarray 0.16's `unrolled_dot` order, so the linear models'
//! logits equal `ArrayBase::dot` bit for bit, and it is exactly what four two-lane `f64x2`
//! accumulators compute: with Wasm's simd128 (`-C target-feature=+simd128`, set for every
//! wasm32 build in `.cargo/config.toml`) lanes `(p0, p1)`, `(p2, p3)`, `(p4, p5)`, `(p6,
//! p7)` are four vector registers, each multiply and add is IEEE-rounded per lane as the
//! scalar code's is (no fused multiply-add on either path), and the fold reads the lanes
//! back in the scalar order. So the native scalar path, the page's Wasm and the edge
//! scorer's Wasm give the same bits, which `tests/consistency.rs` and the edge tests check
//! across the three builds.
//!
//! The scalar path is what native builds and a Wasm build without simd128 compile; LLVM
//! keeps its eight independent chains (no float reassociation), so natively it already runs
//! at the core's throughput.

/// `Σ x·y` in the eight-lane order (see the module docs).
#[inline(always)]
pub fn dot(xs: &[f64], ys: &[f64]) -> f64 {
    let len = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..len], &ys[..len]);
    let body = len - len % 8;
    let lanes = imp::dot8(&xs[..body], &ys[..body]);
    tail(
        lanes,
        xs[body..].iter().zip(&ys[body..]).map(|(x, y)| x * y),
    )
}

/// `Σ (x − m)²·w` in the eight-lane order.
#[inline(always)]
pub fn scaled_sq_dist(x: &[f64], m: &[f64], w: &[f64]) -> f64 {
    let len = x.len().min(m.len()).min(w.len());
    let (x, m, w) = (&x[..len], &m[..len], &w[..len]);
    let body = len - len % 8;
    let lanes = imp::scaled8(&x[..body], &m[..body], &w[..body]);
    let rest = x[body..].iter().zip(&m[body..]).zip(&w[body..]);
    tail(
        lanes,
        rest.map(|((x, m), w)| {
            let d = x - m;
            d * d * w
        }),
    )
}

/// `Σ (a − b)²` in the eight-lane order.
#[inline(always)]
pub fn sq_l2(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let body = len - len % 8;
    let lanes = imp::sq8(&a[..body], &b[..body]);
    tail(
        lanes,
        a[body..].iter().zip(&b[body..]).map(|(x, y)| {
            let d = x - y;
            d * d
        }),
    )
}

/// The fold of the eight partial sums, then the tail's terms in order.
#[inline(always)]
fn tail(p: [f64; 8], rest: impl Iterator<Item = f64>) -> f64 {
    let mut sum = 0.0;
    sum += p[0] + p[4];
    sum += p[1] + p[5];
    sum += p[2] + p[6];
    sum += p[3] + p[7];
    for t in rest {
        sum += t;
    }
    sum
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    //! Scalar partial sums over whole blocks of eight.

    #[inline(always)]
    pub fn dot8(x: &[f64], y: &[f64]) -> [f64; 8] {
        let mut p = [0.0; 8];
        for (xc, yc) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
            for l in 0..8 {
                p[l] += xc[l] * yc[l];
            }
        }
        p
    }

    #[inline(always)]
    pub fn scaled8(x: &[f64], m: &[f64], w: &[f64]) -> [f64; 8] {
        let mut p = [0.0; 8];
        for ((xc, mc), wc) in x
            .chunks_exact(8)
            .zip(m.chunks_exact(8))
            .zip(w.chunks_exact(8))
        {
            for l in 0..8 {
                let d = xc[l] - mc[l];
                p[l] += d * d * wc[l];
            }
        }
        p
    }

    #[inline(always)]
    pub fn sq8(a: &[f64], b: &[f64]) -> [f64; 8] {
        let mut p = [0.0; 8];
        for (ac, bc) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
            for l in 0..8 {
                let d = ac[l] - bc[l];
                p[l] += d * d;
            }
        }
        p
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    //! The same partial sums in four `f64x2` registers (lanes `(0, 1)`, `(2, 3)`, `(4, 5)`,
    //! `(6, 7)`).
    use core::arch::wasm32::*;

    /// Four vectors of two from a block of eight.
    #[inline(always)]
    fn load(c: &[f64]) -> [v128; 4] {
        assert!(c.len() >= 8);
        // SAFETY: `c` holds at least eight f64 (64 bytes), so the four unaligned 16-byte
        // loads at offsets 0, 16, 32 and 48 bytes stay inside it.
        unsafe {
            let p = c.as_ptr() as *const v128;
            [
                v128_load(p),
                v128_load(p.add(1)),
                v128_load(p.add(2)),
                v128_load(p.add(3)),
            ]
        }
    }

    #[inline(always)]
    fn lanes(a: [v128; 4]) -> [f64; 8] {
        [
            f64x2_extract_lane::<0>(a[0]),
            f64x2_extract_lane::<1>(a[0]),
            f64x2_extract_lane::<0>(a[1]),
            f64x2_extract_lane::<1>(a[1]),
            f64x2_extract_lane::<0>(a[2]),
            f64x2_extract_lane::<1>(a[2]),
            f64x2_extract_lane::<0>(a[3]),
            f64x2_extract_lane::<1>(a[3]),
        ]
    }

    #[inline(always)]
    pub fn dot8(x: &[f64], y: &[f64]) -> [f64; 8] {
        let mut a = [f64x2_splat(0.0); 4];
        for (xc, yc) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
            let (xv, yv) = (load(xc), load(yc));
            for l in 0..4 {
                a[l] = f64x2_add(a[l], f64x2_mul(xv[l], yv[l]));
            }
        }
        lanes(a)
    }

    #[inline(always)]
    pub fn scaled8(x: &[f64], m: &[f64], w: &[f64]) -> [f64; 8] {
        let mut a = [f64x2_splat(0.0); 4];
        for ((xc, mc), wc) in x
            .chunks_exact(8)
            .zip(m.chunks_exact(8))
            .zip(w.chunks_exact(8))
        {
            let (xv, mv, wv) = (load(xc), load(mc), load(wc));
            for l in 0..4 {
                let d = f64x2_sub(xv[l], mv[l]);
                a[l] = f64x2_add(a[l], f64x2_mul(f64x2_mul(d, d), wv[l]));
            }
        }
        lanes(a)
    }

    #[inline(always)]
    pub fn sq8(x: &[f64], y: &[f64]) -> [f64; 8] {
        let mut a = [f64x2_splat(0.0); 4];
        for (xc, yc) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
            let (xv, yv) = (load(xc), load(yc));
            for l in 0..4 {
                let d = f64x2_sub(xv[l], yv[l]);
                a[l] = f64x2_add(a[l], f64x2_mul(d, d));
            }
        }
        lanes(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-lane order written out term by term, as ndarray's `unrolled_dot`.
    fn reference(terms: &[f64]) -> f64 {
        let mut p = [0.0; 8];
        let body = terms.len() - terms.len() % 8;
        for (i, t) in terms[..body].iter().enumerate() {
            p[i % 8] += t;
        }
        tail(p, terms[body..].iter().copied())
    }

    #[test]
    fn every_reduction_sums_in_the_eight_lane_order() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e3
        };
        for n in [0, 1, 7, 8, 9, 20, 50, 63] {
            let a: Vec<f64> = (0..n).map(|_| u()).collect();
            let b: Vec<f64> = (0..n).map(|_| u()).collect();
            let w: Vec<f64> = (0..n).map(|_| u().abs()).collect();
            let prod: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x * y).collect();
            assert_eq!(
                dot(&a, &b).to_bits(),
                reference(&prod).to_bits(),
                "dot, n={n}"
            );
            let sq: Vec<f64> = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).collect();
            assert_eq!(
                sq_l2(&a, &b).to_bits(),
                reference(&sq).to_bits(),
                "sq_l2, n={n}"
            );
            let sc: Vec<f64> = (0..n)
                .map(|i| (a[i] - b[i]) * (a[i] - b[i]) * w[i])
                .collect();
            assert_eq!(
                scaled_sq_dist(&a, &b, &w).to_bits(),
                reference(&sc).to_bits(),
                "scaled, n={n}"
            );
        }
    }
}
