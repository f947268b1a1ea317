//! Clustering metrics: inertia and the silhouette, exact or on a seeded sample.
//!
//! The silhouette compares every row with every other, `O(n²)`: 25,000 test rows (100,000
//! fraud rows with a quarter held out) took 14–32 s in the page while k-means trained in
//! about 50 ms. Above [`SILHOUETTE_SAMPLE`] rows the test metrics therefore measure it on
//! a seeded sample of that many rows, as scikit-learn's `silhouette_score(sample_size=…,
//! random_state=…)` offers; smaller tables keep the exact value they always had. The
//! sample's indices come from `rand`'s `index::sample` on 32-bit indices, so the page,
//! the CLI and the edge draw the same rows.

use super::{check_labels, check_len, MetricsError, Result};

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Sum of squared Euclidean distances from each row of `x` (row-major, `cols` wide) to the
/// centroid its label names (`centroids` row-major, same width).
pub fn inertia(x: &[f64], cols: usize, labels: &[usize], centroids: &[f64]) -> Result<f64> {
    check_len("labels", x.len() / cols.max(1), labels.len())?;
    let k = centroids.len() / cols.max(1);
    check_labels(labels, k)?;
    Ok(labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            sq_dist(
                &x[i * cols..(i + 1) * cols],
                &centroids[l * cols..(l + 1) * cols],
            )
        })
        .sum())
}

/// Rows above which [`silhouette_sampled`] (and so the test metrics of a clustering) measures
/// the silhouette on a seeded sample of this many rows rather than on every row.
///
/// The exact silhouette is `O(n²)`: on 25,000 test rows (100,000 fraud rows at a quarter
/// held out) it is 6.25×10⁸ distances, 14–32 s in the page, while k-means itself trains in
/// about 50 ms. 2,000 rows are 4×10⁶ distances, 156 times fewer: 0.1–0.2 s at the same
/// rate.
pub const SILHOUETTE_SAMPLE: usize = 2_000;

/// Seed of the silhouette's sample: fixed, so a model's stored metric is the same on
/// every build and every run.
pub const SILHOUETTE_SEED: u64 = 42;

/// The silhouette of [`silhouette`] on at most `sample` rows: every row when there are no
/// more than `sample`, otherwise `sample` rows drawn without replacement by a generator
/// seeded with `seed` (as scikit-learn's `silhouette_score(sample_size=…,
/// random_state=…)` does: the sampled rows' silhouette among themselves). The sampled
/// rows keep their order in `x`. With fewer than 2 clusters among the sampled rows it is
/// an error, as for [`silhouette`].
pub fn silhouette_sampled(
    x: &[f64],
    cols: usize,
    labels: &[usize],
    sample: usize,
    seed: u64,
) -> Result<f64> {
    use rand::{seq::index, SeedableRng};
    let n = labels.len();
    check_len("rows of x", n * cols, x.len())?;
    if n <= sample {
        return silhouette(x, cols, labels);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut rows = index::sample(&mut rng, n, sample).into_vec();
    rows.sort_unstable();
    let mut xs = Vec::with_capacity(sample * cols);
    let mut ls = Vec::with_capacity(sample);
    for &r in &rows {
        xs.extend_from_slice(&x[r * cols..(r + 1) * cols]);
        ls.push(labels[r]);
    }
    silhouette(&xs, cols, &ls)
}

/// Mean silhouette coefficient of a clustering (Euclidean distance; `O(n²)` time). Needs at
/// least 2 distinct labels and fewer labels than rows. [`silhouette_sampled`] bounds the
/// time on large tables.
pub fn silhouette(x: &[f64], cols: usize, labels: &[usize]) -> Result<f64> {
    let n = labels.len();
    check_len("rows of x", n * cols, x.len())?;
    if n == 0 {
        return Err(MetricsError::Empty);
    }
    let k = labels.iter().copied().max().unwrap_or(0) + 1;
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    let used = sizes.iter().filter(|&&s| s > 0).count();
    if used < 2 || used > n - 1 {
        return Err(MetricsError::InvalidParameter(format!(
            "silhouette needs between 2 and rows - 1 clusters, got {used} clusters for {n} rows"
        )));
    }
    let mut total = 0.0;
    let mut sums = vec![0.0; k];
    for i in 0..n {
        sums.iter_mut().for_each(|s| *s = 0.0);
        let xi = &x[i * cols..(i + 1) * cols];
        for j in 0..n {
            if i != j {
                sums[labels[j]] += sq_dist(xi, &x[j * cols..(j + 1) * cols]).sqrt();
            }
        }
        let own = labels[i];
        if sizes[own] <= 1 {
            continue;
        }
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != own && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        total += if m > 0.0 { (b - a) / m } else { 0.0 };
    }
    Ok(total / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows around `k` centres in 3 columns, spread so clusters overlap a little.
    fn blobs(n: usize, k: usize) -> (Vec<f64>, Vec<usize>) {
        let mut x = Vec::with_capacity(n * 3);
        let mut labels = Vec::with_capacity(n);
        let mut s = 12345u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for i in 0..n {
            let c = i % k;
            for d in 0..3 {
                x.push(c as f64 * if d == 0 { 2.0 } else { 0.5 } + 1.5 * next());
            }
            labels.push(c);
        }
        (x, labels)
    }

    #[test]
    fn sampled_silhouette_is_exact_below_the_sample_and_seeded_above() {
        // At or below the sample size: the exact value, bit for bit.
        let (x, l) = blobs(300, 3);
        let exact = silhouette(&x, 3, &l).unwrap();
        assert_eq!(silhouette_sampled(&x, 3, &l, 300, 7).unwrap(), exact);
        assert_eq!(silhouette_sampled(&x, 3, &l, 301, 7).unwrap(), exact);
        // Above: the silhouette of the drawn rows among themselves, the same for the same
        // seed, another for another seed, and close to the exact value.
        let a = silhouette_sampled(&x, 3, &l, 200, 7).unwrap();
        assert_eq!(a, silhouette_sampled(&x, 3, &l, 200, 7).unwrap());
        let b = silhouette_sampled(&x, 3, &l, 200, 8).unwrap();
        assert_ne!(a, b);
        assert!((a - exact).abs() < 0.05, "sampled {a}, exact {exact}");
        // The drawn rows are rand's index::sample, in table order.
        use rand::{seq::index, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut rows = index::sample(&mut rng, 300, 200).into_vec();
        rows.sort_unstable();
        let xs: Vec<f64> = rows
            .iter()
            .flat_map(|&r| x[r * 3..r * 3 + 3].to_vec())
            .collect();
        let ls: Vec<usize> = rows.iter().map(|&r| l[r]).collect();
        assert_eq!(a, silhouette(&xs, 3, &ls).unwrap());
        // A short x is an error, not a panic, on both paths.
        assert!(silhouette_sampled(&x[..30], 3, &l, 200, 7).is_err());
        assert!(silhouette_sampled(&x[..30], 3, &l, 400, 7).is_err());
        // One cluster is an error, sampled or not.
        let one = vec![0usize; 300];
        assert!(silhouette_sampled(&x, 3, &one, 200, 7).is_err());
    }

    #[test]
    fn the_default_sample_bounds_a_large_table() {
        // 30,000 rows: the exact silhouette would be 9×10⁸ distances; the sample is
        // 4×10⁶. The value must lie near the exact one of a 2,500-row slice's silhouette.
        let (x, l) = blobs(30_000, 4);
        let s = silhouette_sampled(&x, 3, &l, SILHOUETTE_SAMPLE, SILHOUETTE_SEED).unwrap();
        let slice = silhouette(&x[..2_500 * 3], 3, &l[..2_500]).unwrap();
        assert!(
            (s - slice).abs() < 0.03,
            "sampled {s}, 2,500 rows exact {slice}"
        );
    }
}
