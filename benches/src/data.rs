//! The seeded synthetic tables every side of the benchmark reads (written once as CSV, so
//! driftlab, scikit-learn, SciPy and onnxruntime-web see the same bytes):
//!
//! - `binary.csv`: 100,000 × 20 standard normal features `x0..x19`, `y ∈ {0, 1}` drawn from
//!   `σ(x·w + 0.3)` with fixed weights;
//! - `regression.csv`: 100,000 × 20, `y = x·w + 1.5 + N(0, 0.5²)`;
//! - `multiclass.csv`: 20,000 × 50, `y ∈ 0..5`, each class a Gaussian blob around its centre;
//! - `drift_current.csv`: 100,000 × 20 like the binary features, with `x0..x9` shifted by 0.2
//!   and scaled by 1.1 (half the columns drift);
//! - `knn.csv`: 20,000 × 4 like the binary table (its own seed and weights), for k-nearest
//!   neighbours, whose exact search (a k-d tree) is for small dimension and whose page
//!   caps the training rows at 20,000.
//!
//! Values are written with six decimals.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;

/// The standard normal by Box–Muller.
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn header(p: usize, target: bool) -> String {
    let mut s: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    if target {
        s.push("y".into());
    }
    s.join(",") + "\n"
}

fn push_row(out: &mut String, x: &[f64]) {
    for (j, v) in x.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        let _ = write!(out, "{v:.6}");
    }
}

/// The five tables as `(file name, CSV text)`.
pub fn tables() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut rng = StdRng::seed_from_u64(20_240_601);
    let p = 20;
    let w: Vec<f64> = (0..p).map(|_| 0.5 * normal(&mut rng)).collect();

    let mut binary = header(p, true);
    let mut x = vec![0.0; p];
    for _ in 0..100_000 {
        x.iter_mut().for_each(|v| *v = normal(&mut rng));
        let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + 0.3;
        let y = u8::from(rng.gen::<f64>() < 1.0 / (1.0 + (-z).exp()));
        push_row(&mut binary, &x);
        let _ = writeln!(binary, ",{y}");
    }
    out.push(("binary.csv", binary));

    let mut regression = header(p, true);
    for _ in 0..100_000 {
        x.iter_mut().for_each(|v| *v = normal(&mut rng));
        let y: f64 =
            x.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + 1.5 + 0.5 * normal(&mut rng);
        push_row(&mut regression, &x);
        let _ = writeln!(regression, ",{y:.6}");
    }
    out.push(("regression.csv", regression));

    let (k, q) = (5, 50);
    let centres: Vec<f64> = (0..k * q).map(|_| 0.6 * normal(&mut rng)).collect();
    let mut multiclass = header(q, true);
    let mut x = vec![0.0; q];
    for _ in 0..20_000 {
        let c = rng.gen_range(0..k);
        for (j, v) in x.iter_mut().enumerate() {
            *v = centres[c * q + j] + normal(&mut rng);
        }
        push_row(&mut multiclass, &x);
        let _ = writeln!(multiclass, ",{c}");
    }
    out.push(("multiclass.csv", multiclass));

    let mut current = header(p, false);
    let mut x = vec![0.0; p];
    for _ in 0..100_000 {
        for (j, v) in x.iter_mut().enumerate() {
            let z = normal(&mut rng);
            *v = if j < p / 2 { 0.2 + 1.1 * z } else { z };
        }
        push_row(&mut current, &x);
        current.push('\n');
    }
    out.push(("drift_current.csv", current));

    // its own generator, so the tables above stay as they were
    let mut rng = StdRng::seed_from_u64(20_261_206);
    let p = 4;
    let w: Vec<f64> = (0..p).map(|_| normal(&mut rng)).collect();
    let mut knn = header(p, true);
    let mut x = vec![0.0; p];
    for _ in 0..20_000 {
        x.iter_mut().for_each(|v| *v = normal(&mut rng));
        let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
        let y = u8::from(rng.gen::<f64>() < 1.0 / (1.0 + (-z).exp()));
        push_row(&mut knn, &x);
        let _ = writeln!(knn, ",{y}");
    }
    out.push(("knn.csv", knn));
    out
}
