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
//! The multinomial logits' class sums ([`class_sums`]) are the other order: each class's
//! sum adds its terms one by one in feature order, as linfa's `x.dot(W)` does; there two
//! classes share a vector and four rows are summed together, which changes no sum.
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
    let mut sum = fold(imp::dot8(xs, ys));
    for i in body..len {
        sum += xs[i] * ys[i];
    }
    sum
}

/// `Σ (x − m)²·w` in the eight-lane order.
#[inline(always)]
pub fn scaled_sq_dist(x: &[f64], m: &[f64], w: &[f64]) -> f64 {
    let len = x.len().min(m.len()).min(w.len());
    let (x, m, w) = (&x[..len], &m[..len], &w[..len]);
    let body = len - len % 8;
    let mut sum = fold(imp::scaled8(x, m, w));
    for i in body..len {
        let d = x[i] - m[i];
        sum += d * d * w[i];
    }
    sum
}

/// `Σ (a − b)²` in the eight-lane order.
#[inline(always)]
pub fn sq_l2(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let body = len - len % 8;
    let mut sum = fold(imp::sq8(a, b));
    for i in body..len {
        let d = a[i] - b[i];
        sum += d * d;
    }
    sum
}

/// `(Σ (a0 − b)², Σ (a1 − b)²)`, each in the eight-lane order: [`sq_l2`] of two rows
/// against one, in one pass that loads `b` once for both and keeps sixteen chains in
/// flight (k-means' nearest centroid, two centroids at a time). The same bits as two calls.
#[inline(always)]
pub fn sq_l2_pair(a0: &[f64], a1: &[f64], b: &[f64]) -> (f64, f64) {
    let len = a0.len().min(a1.len()).min(b.len());
    let (a0, a1, b) = (&a0[..len], &a1[..len], &b[..len]);
    let body = len - len % 8;
    let (p0, p1) = imp::sq8_pair(a0, a1, b);
    let (mut s0, mut s1) = (fold(p0), fold(p1));
    for i in body..len {
        let d0 = a0[i] - b[i];
        let d1 = a1[i] - b[i];
        s0 += d0 * d0;
        s1 += d1 * d1;
    }
    (s0, s1)
}

/// The fold of the eight partial sums (the tail's terms are added after it, in order).
#[inline(always)]
fn fold(p: [f64; 8]) -> f64 {
    let mut sum = 0.0;
    sum += p[0] + p[4];
    sum += p[1] + p[5];
    sum += p[2] + p[6];
    sum += p[3] + p[7];
    sum
}

/// The class sums of a linear model with `k` outputs over a batch: for every row `r` of
/// `x` (rows of `cols` values) and class `c`, `out[r·k + c] = Σ_j x[r][j]·w[j·k + c]`,
/// summed from 0 in feature order `j = 0, 1, …` (linfa's `x.dot(W)` for the multinomial
/// logits). `w` is feature-major (`p × k`); `out` must hold `rows · k` values.
///
/// Why a kernel of its own: summed class by class with the sums in a slice (`raw[c] +=
/// x_j·w_jc`), every term went through memory and every row's `k` chains ran one after
/// the other. Here two classes share an `f64x2` (their weights are adjacent in `w`) and
/// four rows are summed together, so each weight pair is loaded once for four rows and
/// eight chains are in flight; every lane still adds its terms one by one in feature order, so the sums are
/// the same bits as the loop they replace (and as the scalar path natively). The
/// benchmark's 20k × 50, 5-class batch in Wasm: 10.0 ms before, 2.8 ms after (fastest of
/// 20–30 calls, the two builds called alternately in one Node process, a loaded machine).
pub fn class_sums(x: &[f64], cols: usize, w: &[f64], k: usize, out: &mut [f64]) {
    if cols == 0 || k == 0 {
        out.fill(0.0);
        return;
    }
    let rows = (x.len() / cols).min(out.len() / k);
    let p = cols.min(w.len() / k);
    let (w, out) = (&w[..p * k], &mut out[..rows * k]);
    let mut r = 0;
    while r + 4 <= rows {
        let x = &x[r * cols..(r + 4) * cols];
        let out = &mut out[r * k..(r + 4) * k];
        let mut c = 0;
        while c + 2 <= k {
            imp::pair_sums4::<true>(x, cols, p, &w[c..], k, out, c);
            c += 2;
        }
        if c < k {
            imp::pair_sums4::<false>(x, cols, p, &w[c..], k, out, c);
        }
        r += 4;
    }
    for r in r..rows {
        let x = &x[r * cols..r * cols + p];
        for (c, o) in out[r * k..r * k + k].iter_mut().enumerate() {
            let mut s = 0.0;
            for (j, xj) in x.iter().enumerate() {
                s += xj * w[j * k + c];
            }
            *o = s;
        }
    }
}

// The kernels below take whole slices and sum their whole blocks of eight (the tail is the
// caller's). Both are written as counted loops over named accumulators rather than
// iterator adapters over arrays, for the Wasm builds' size-tuned opt-levels (see the SIMD
// kernel's docs); natively (opt-level 3) LLVM compiles both forms alike.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    //! Scalar partial sums over whole blocks of eight.

    /// The eight lanes' partial sums of `term(i)` over the whole blocks of `len` terms.
    #[inline(always)]
    fn lanes8(len: usize, term: impl Fn(usize) -> f64) -> [f64; 8] {
        let (mut p0, mut p1, mut p2, mut p3) = (0.0, 0.0, 0.0, 0.0);
        let (mut p4, mut p5, mut p6, mut p7) = (0.0, 0.0, 0.0, 0.0);
        for b in 0..len / 8 {
            let i = 8 * b;
            p0 += term(i);
            p1 += term(i + 1);
            p2 += term(i + 2);
            p3 += term(i + 3);
            p4 += term(i + 4);
            p5 += term(i + 5);
            p6 += term(i + 6);
            p7 += term(i + 7);
        }
        [p0, p1, p2, p3, p4, p5, p6, p7]
    }

    #[inline(always)]
    pub fn dot8(x: &[f64], y: &[f64]) -> [f64; 8] {
        let len = x.len().min(y.len());
        let (x, y) = (&x[..len], &y[..len]);
        lanes8(len, |i| x[i] * y[i])
    }

    #[inline(always)]
    pub fn scaled8(x: &[f64], m: &[f64], w: &[f64]) -> [f64; 8] {
        let len = x.len().min(m.len()).min(w.len());
        let (x, m, w) = (&x[..len], &m[..len], &w[..len]);
        lanes8(len, |i| {
            let d = x[i] - m[i];
            d * d * w[i]
        })
    }

    #[inline(always)]
    pub fn sq8(a: &[f64], b: &[f64]) -> [f64; 8] {
        let len = a.len().min(b.len());
        let (a, b) = (&a[..len], &b[..len]);
        lanes8(len, |i| {
            let d = a[i] - b[i];
            d * d
        })
    }

    #[inline(always)]
    pub fn sq8_pair(a0: &[f64], a1: &[f64], b: &[f64]) -> ([f64; 8], [f64; 8]) {
        let len = a0.len().min(a1.len()).min(b.len());
        let (a0, a1, b) = (&a0[..len], &a1[..len], &b[..len]);
        let (mut p, mut q) = ([0.0; 8], [0.0; 8]);
        for blk in 0..len / 8 {
            let i = 8 * blk;
            for l in 0..8 {
                let d = a0[i + l] - b[i + l];
                p[l] += d * d;
                let e = a1[i + l] - b[i + l];
                q[l] += e * e;
            }
        }
        (p, q)
    }

    /// Classes `c` and `c + 1` (only `c` when `!PAIR`) of four rows (see `class_sums`):
    /// `w` starts at class `c`'s column, `out` holds the four rows' `k` sums.
    #[inline(always)]
    pub fn pair_sums4<const PAIR: bool>(
        x: &[f64],
        cols: usize,
        p: usize,
        w: &[f64],
        k: usize,
        out: &mut [f64],
        c: usize,
    ) {
        let (x0, x1, x2, x3) = (
            &x[..p],
            &x[cols..cols + p],
            &x[2 * cols..2 * cols + p],
            &x[3 * cols..3 * cols + p],
        );
        let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
        let (mut b0, mut b1, mut b2, mut b3) = (0.0, 0.0, 0.0, 0.0);
        for j in 0..p {
            let wa = w[j * k];
            a0 += x0[j] * wa;
            a1 += x1[j] * wa;
            a2 += x2[j] * wa;
            a3 += x3[j] * wa;
            if PAIR {
                let wb = w[j * k + 1];
                b0 += x0[j] * wb;
                b1 += x1[j] * wb;
                b2 += x2[j] * wb;
                b3 += x3[j] * wb;
            }
        }
        for (r, (a, b)) in [(a0, b0), (a1, b1), (a2, b2), (a3, b3)]
            .into_iter()
            .enumerate()
        {
            out[r * k + c] = a;
            if PAIR {
                out[r * k + c + 1] = b;
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    //! The same partial sums in four `f64x2` registers (lanes `(0, 1)`, `(2, 3)`, `(4, 5)`,
    //! `(6, 7)`).
    //!
    //! Written out by hand, four named accumulators and a counted loop over whole blocks,
    //! because the Wasm builds are compiled for size (`opt-level = "s"` for the page, `"z"`
    //! for the edge), where LLVM neither unrolls a `for l in 0..4` loop over an array of
    //! vectors nor keeps that array in registers: the accumulators lived in the shadow
    //! stack in linear memory, loaded and stored on every block, and the iterator adapters
    //! (`Zip::new`) stayed out-of-line calls, one per row. That made the linear model's
    //! batch scoring in Wasm 4.2 ms for 100k × 20 against 0.85 ms natively; written this
    //! way it is kept in registers at every opt-level (the figures are in the README's
    //! benchmark table).
    use core::arch::wasm32::*;

    /// The two lanes of `v` at `p`, `p + 1` (unaligned).
    ///
    /// # Safety
    /// `p` and `p + 1` must be inside one allocation of `f64`.
    #[inline(always)]
    unsafe fn at(p: *const f64) -> v128 {
        v128_load(p as *const v128)
    }

    #[inline(always)]
    fn lanes(a0: v128, a1: v128, a2: v128, a3: v128) -> [f64; 8] {
        [
            f64x2_extract_lane::<0>(a0),
            f64x2_extract_lane::<1>(a0),
            f64x2_extract_lane::<0>(a1),
            f64x2_extract_lane::<1>(a1),
            f64x2_extract_lane::<0>(a2),
            f64x2_extract_lane::<1>(a2),
            f64x2_extract_lane::<0>(a3),
            f64x2_extract_lane::<1>(a3),
        ]
    }

    #[inline(always)]
    pub fn dot8(x: &[f64], y: &[f64]) -> [f64; 8] {
        let blocks = x.len().min(y.len()) / 8;
        let (px, py) = (x.as_ptr(), y.as_ptr());
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        for b in 0..blocks {
            // SAFETY: block `b < blocks` spans elements `8b .. 8b + 8`, inside both slices
            unsafe {
                let (x, y) = (px.add(8 * b), py.add(8 * b));
                a0 = f64x2_add(a0, f64x2_mul(at(x), at(y)));
                a1 = f64x2_add(a1, f64x2_mul(at(x.add(2)), at(y.add(2))));
                a2 = f64x2_add(a2, f64x2_mul(at(x.add(4)), at(y.add(4))));
                a3 = f64x2_add(a3, f64x2_mul(at(x.add(6)), at(y.add(6))));
            }
        }
        lanes(a0, a1, a2, a3)
    }

    #[inline(always)]
    pub fn scaled8(x: &[f64], m: &[f64], w: &[f64]) -> [f64; 8] {
        let blocks = x.len().min(m.len()).min(w.len()) / 8;
        let (px, pm, pw) = (x.as_ptr(), m.as_ptr(), w.as_ptr());
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        #[inline(always)]
        fn term(x: v128, m: v128, w: v128) -> v128 {
            let d = f64x2_sub(x, m);
            f64x2_mul(f64x2_mul(d, d), w)
        }
        for b in 0..blocks {
            // SAFETY: block `b < blocks` spans elements `8b .. 8b + 8`, inside the three slices
            unsafe {
                let (x, m, w) = (px.add(8 * b), pm.add(8 * b), pw.add(8 * b));
                a0 = f64x2_add(a0, term(at(x), at(m), at(w)));
                a1 = f64x2_add(a1, term(at(x.add(2)), at(m.add(2)), at(w.add(2))));
                a2 = f64x2_add(a2, term(at(x.add(4)), at(m.add(4)), at(w.add(4))));
                a3 = f64x2_add(a3, term(at(x.add(6)), at(m.add(6)), at(w.add(6))));
            }
        }
        lanes(a0, a1, a2, a3)
    }

    /// `(x − y)²` in both lanes.
    #[inline(always)]
    fn sq_term(x: v128, y: v128) -> v128 {
        let d = f64x2_sub(x, y);
        f64x2_mul(d, d)
    }

    #[inline(always)]
    pub fn sq8(x: &[f64], y: &[f64]) -> [f64; 8] {
        let blocks = x.len().min(y.len()) / 8;
        let (px, py) = (x.as_ptr(), y.as_ptr());
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        for b in 0..blocks {
            // SAFETY: block `b < blocks` spans elements `8b .. 8b + 8`, inside both slices
            unsafe {
                let (x, y) = (px.add(8 * b), py.add(8 * b));
                a0 = f64x2_add(a0, sq_term(at(x), at(y)));
                a1 = f64x2_add(a1, sq_term(at(x.add(2)), at(y.add(2))));
                a2 = f64x2_add(a2, sq_term(at(x.add(4)), at(y.add(4))));
                a3 = f64x2_add(a3, sq_term(at(x.add(6)), at(y.add(6))));
            }
        }
        lanes(a0, a1, a2, a3)
    }

    #[inline(always)]
    pub fn sq8_pair(a0: &[f64], a1: &[f64], b: &[f64]) -> ([f64; 8], [f64; 8]) {
        let blocks = a0.len().min(a1.len()).min(b.len()) / 8;
        let (p0, p1, pb) = (a0.as_ptr(), a1.as_ptr(), b.as_ptr());
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let (mut c0, mut c1, mut c2, mut c3) = (z, z, z, z);
        for blk in 0..blocks {
            // SAFETY: block `blk < blocks` spans elements `8blk .. 8blk + 8`, inside the
            // three slices
            unsafe {
                let (x, y, b) = (p0.add(8 * blk), p1.add(8 * blk), pb.add(8 * blk));
                let (b0, b1, b2, b3) = (at(b), at(b.add(2)), at(b.add(4)), at(b.add(6)));
                a0 = f64x2_add(a0, sq_term(at(x), b0));
                c0 = f64x2_add(c0, sq_term(at(y), b0));
                a1 = f64x2_add(a1, sq_term(at(x.add(2)), b1));
                c1 = f64x2_add(c1, sq_term(at(y.add(2)), b1));
                a2 = f64x2_add(a2, sq_term(at(x.add(4)), b2));
                c2 = f64x2_add(c2, sq_term(at(y.add(4)), b2));
                a3 = f64x2_add(a3, sq_term(at(x.add(6)), b3));
                c3 = f64x2_add(c3, sq_term(at(y.add(6)), b3));
            }
        }
        (lanes(a0, a1, a2, a3), lanes(c0, c1, c2, c3))
    }

    /// Classes `c` and `c + 1` (only `c` when `!PAIR`: the second lane is 0 and dropped)
    /// of four rows (see `class_sums`): `w` starts at class `c`'s column, `out` holds the
    /// four rows' `k` sums.
    #[inline(always)]
    pub fn pair_sums4<const PAIR: bool>(
        x: &[f64],
        cols: usize,
        p: usize,
        w: &[f64],
        k: usize,
        out: &mut [f64],
        c: usize,
    ) {
        // the bounds the pointer reads below rely on, checked once
        assert!(p <= cols && x.len() >= 3 * cols + p && out.len() > 3 * k + c + usize::from(PAIR));
        assert!(p == 0 || w.len() > (p - 1) * k + usize::from(PAIR));
        let (px, pw) = (x.as_ptr(), w.as_ptr());
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        for j in 0..p {
            // SAFETY: j < p ≤ cols, so row r's x[r·cols + j] is inside x (asserted above);
            // w[j·k] and, with PAIR, w[j·k + 1] are inside w (asserted above)
            unsafe {
                let wj = pw.add(j * k);
                let wv = if PAIR {
                    at(wj)
                } else {
                    v128_load64_zero(wj as *const u64)
                };
                let xj = px.add(j);
                a0 = f64x2_add(a0, f64x2_mul(v128_load64_splat(xj as *const u64), wv));
                a1 = f64x2_add(
                    a1,
                    f64x2_mul(v128_load64_splat(xj.add(cols) as *const u64), wv),
                );
                a2 = f64x2_add(
                    a2,
                    f64x2_mul(v128_load64_splat(xj.add(2 * cols) as *const u64), wv),
                );
                a3 = f64x2_add(
                    a3,
                    f64x2_mul(v128_load64_splat(xj.add(3 * cols) as *const u64), wv),
                );
            }
        }
        for (r, a) in [a0, a1, a2, a3].into_iter().enumerate() {
            out[r * k + c] = f64x2_extract_lane::<0>(a);
            if PAIR {
                out[r * k + c + 1] = f64x2_extract_lane::<1>(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded xorshift stream of numbers in [-500, 500).
    fn uniform(mut s: u64) -> impl FnMut() -> f64 {
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e3
        }
    }

    /// The eight-lane order written out term by term, as ndarray's `unrolled_dot`.
    fn reference(terms: &[f64]) -> f64 {
        let mut p = [0.0; 8];
        let body = terms.len() - terms.len() % 8;
        for (i, t) in terms[..body].iter().enumerate() {
            p[i % 8] += t;
        }
        let mut sum = fold(p);
        for t in &terms[body..] {
            sum += t;
        }
        sum
    }

    #[test]
    fn sq_l2_pair_is_two_sq_l2() {
        let mut u = uniform(0x9e37_79b9_7f4a_7c15u64);
        for len in [0, 1, 7, 8, 9, 16, 20, 50, 51] {
            let v: Vec<f64> = (0..3 * len).map(|_| u()).collect();
            let (a0, a1, b) = (&v[..len], &v[len..2 * len], &v[2 * len..]);
            let (s0, s1) = sq_l2_pair(a0, a1, b);
            assert_eq!(s0.to_bits(), sq_l2(a0, b).to_bits(), "{len}");
            assert_eq!(s1.to_bits(), sq_l2(a1, b).to_bits(), "{len}");
            let terms: Vec<f64> = a0.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).collect();
            assert_eq!(s0.to_bits(), reference(&terms).to_bits(), "{len}");
        }
    }

    #[test]
    fn class_sums_add_in_feature_order_for_every_row_and_class() {
        let mut u = uniform(0x2545_f491_4f6c_dd1du64);
        for (rows, cols, k) in [
            (0, 3, 2),
            (1, 1, 2),
            (3, 5, 3),
            (4, 2, 2),
            (9, 7, 5),
            (13, 50, 6),
            (5, 4, 1),
        ] {
            let x: Vec<f64> = (0..rows * cols).map(|_| u()).collect();
            let w: Vec<f64> = (0..cols * k).map(|_| u()).collect();
            let mut out = vec![f64::NAN; rows * k];
            class_sums(&x, cols, &w, k, &mut out);
            for r in 0..rows {
                for c in 0..k {
                    let mut want = 0.0;
                    for j in 0..cols {
                        want += x[r * cols + j] * w[j * k + c];
                    }
                    assert_eq!(
                        out[r * k + c].to_bits(),
                        want.to_bits(),
                        "row {r} class {c} of {rows}×{cols}, k={k}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_reduction_sums_in_the_eight_lane_order() {
        let mut u = uniform(0x9e37_79b9_7f4a_7c15u64);
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
