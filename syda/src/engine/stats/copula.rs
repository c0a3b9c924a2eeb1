//! The Gaussian copula: every column's values become normal scores through
//! their (jittered) rank, the scores' correlation matrix is the dependence
//! model, and sampling draws correlated normals and maps them back through
//! each column's inverse CDF.

use nalgebra::{DMatrix, SymmetricEigen};
use rand::RngExt;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::engine::EngineRng;

/// Keeps normal scores finite.
const EPS: f64 = 1e-9;

/// Replaces each non-NaN value by its normal score `Φ⁻¹(u)`, `u` its rank
/// position in `0..1`; tied values (and categories, given as their order)
/// spread uniformly over the ranks they share, so discrete columns keep
/// their full range of scores.
pub(crate) fn normal_scores(values: &mut [f64], rng: &mut EngineRng) {
    let std = standard();
    let mut order: Vec<u32> = (0..values.len() as u32)
        .filter(|&i| !values[i as usize].is_nan())
        .collect();
    order.sort_unstable_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
    let m = order.len() as f64;
    let mut i = 0;
    while i < order.len() {
        let v = values[order[i] as usize];
        let mut j = i + 1;
        while j < order.len() && values[order[j] as usize] == v {
            j += 1;
        }
        for &row in &order[i..j] {
            let u = (i as f64 + rng.random::<f64>() * (j - i) as f64) / m;
            values[row as usize] = std.inverse_cdf(u.clamp(EPS, 1.0 - EPS));
        }
        i = j;
    }
}

/// Pearson correlation of every pair of score columns over the rows where
/// both have a value, made positive definite.
pub(crate) fn correlation(scores: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = scores.len();
    let mut r = DMatrix::<f64>::identity(k, k);
    for a in 0..k {
        for b in a + 1..k {
            let c = pairwise(&scores[a], &scores[b]);
            r[(a, b)] = c;
            r[(b, a)] = c;
        }
    }
    let r = nearest_correlation(r);
    (0..k).map(|a| (0..k).map(|b| r[(a, b)]).collect()).collect()
}

fn pairwise(x: &[f64], y: &[f64]) -> f64 {
    let (mut n, mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        if a.is_nan() || b.is_nan() {
            continue;
        }
        n += 1.0;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
    }
    if n < 3.0 {
        return 0.0;
    }
    let cov = sxy - sx * sy / n;
    let vx = sxx - sx * sx / n;
    let vy = syy - sy * sy / n;
    if vx <= 0.0 || vy <= 0.0 {
        return 0.0;
    }
    (cov / (vx * vy).sqrt()).clamp(-1.0, 1.0)
}

/// Clips negative eigenvalues (pairwise estimates need not be positive
/// definite) and rescales to a unit diagonal.
fn nearest_correlation(r: DMatrix<f64>) -> DMatrix<f64> {
    let k = r.nrows();
    if k == 0 {
        return r;
    }
    let eig = SymmetricEigen::new(r);
    let clipped = eig.eigenvalues.map(|l| l.max(1e-6));
    let m = &eig.eigenvectors * DMatrix::from_diagonal(&clipped) * eig.eigenvectors.transpose();
    let d: Vec<f64> = (0..k).map(|i| m[(i, i)].sqrt()).collect();
    DMatrix::from_fn(k, k, |i, j| if i == j { 1.0 } else { m[(i, j)] / (d[i] * d[j]) })
}

/// Lower Cholesky factor of a correlation matrix, row-major.
pub(crate) fn cholesky(correlation: &[Vec<f64>]) -> Option<DMatrix<f64>> {
    let k = correlation.len();
    let m = DMatrix::from_fn(k, k, |i, j| correlation[i].get(j).copied().unwrap_or(0.0));
    nalgebra::Cholesky::new(nearest_correlation(m)).map(|c| c.l())
}

/// The standard normal distribution.
pub(crate) fn standard() -> Normal {
    Normal::standard()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn scores_keep_rank_order_and_skip_missing() {
        let mut rng = EngineRng::seed_from_u64(3);
        let mut v = vec![3.0, f64::NAN, 1.0, 2.0];
        normal_scores(&mut v, &mut rng);
        assert!(v[1].is_nan());
        assert!(v[2] < v[3] && v[3] < v[0]);
    }

    #[test]
    fn an_inconsistent_matrix_is_repaired_to_a_correlation_matrix() {
        let bad = vec![vec![1.0, 0.9, -0.9], vec![0.9, 1.0, 0.9], vec![-0.9, 0.9, 1.0]];
        let l = cholesky(&bad).expect("repaired matrix factors");
        let back = &l * l.transpose();
        for i in 0..3 {
            assert!((back[(i, i)] - 1.0).abs() < 1e-9);
        }
    }
}
