//! One-column distributions of numbers (dates are numbers of days or
//! seconds): a parametric family when one fits, else empirical quantiles or,
//! for few distinct values, their frequencies.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Exp, LogNormal, Normal, Uniform};

/// Distinct values at or below which a numeric column is discrete.
pub(crate) const DISCRETE_MAX: usize = 30;

/// Most quantiles an empirical distribution keeps.
const MAX_QUANTILES: usize = 1000;

/// A distribution of one numeric column, sampled by its inverse CDF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Distribution {
    /// Normal with this mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std_dev: f64,
    },
    /// `ln x` is normal with this location and scale (positive values only).
    LogNormal {
        /// Mean of `ln x`.
        location: f64,
        /// Standard deviation of `ln x`.
        scale: f64,
    },
    /// `x - shift` is exponential with this rate.
    Exponential {
        /// Rate (1 / mean of `x - shift`).
        rate: f64,
        /// Smallest value.
        shift: f64,
    },
    /// Uniform between two bounds.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Quantiles at evenly spaced probabilities from 0 to 1, interpolated.
    Empirical {
        /// `quantiles[k]` is the `k / (len - 1)` quantile.
        quantiles: Vec<f64>,
    },
    /// A few distinct values with their probabilities, in increasing value.
    Discrete {
        /// The values.
        values: Vec<f64>,
        /// Their probabilities (summing to 1).
        weights: Vec<f64>,
    },
}

impl Distribution {
    /// The `u`-quantile (`u` in 0..1).
    pub fn inverse(&self, u: f64) -> f64 {
        let u = u.clamp(1e-12, 1.0 - 1e-12);
        match self {
            Distribution::Normal { mean, std_dev } => {
                Normal::new(*mean, *std_dev).map_or(*mean, |d| d.inverse_cdf(u))
            }
            Distribution::LogNormal { location, scale } => {
                LogNormal::new(*location, *scale).map_or(location.exp(), |d| d.inverse_cdf(u))
            }
            Distribution::Exponential { rate, shift } => {
                shift + Exp::new(*rate).map_or(0.0, |d| d.inverse_cdf(u))
            }
            Distribution::Uniform { min, max } => Uniform::new(*min, *max).map_or(*min, |d| d.inverse_cdf(u)),
            Distribution::Empirical { quantiles } => {
                let last = quantiles.len().saturating_sub(1);
                if last == 0 {
                    return quantiles.first().copied().unwrap_or(0.0);
                }
                let pos = u * last as f64;
                let i = (pos.floor() as usize).min(last - 1);
                let frac = pos - i as f64;
                quantiles[i] + frac * (quantiles[i + 1] - quantiles[i])
            }
            Distribution::Discrete { values, weights } => {
                let mut acc = 0.0;
                for (v, w) in values.iter().zip(weights) {
                    acc += w;
                    if u <= acc {
                        return *v;
                    }
                }
                values.last().copied().unwrap_or(0.0)
            }
        }
    }

    /// The family's name, for summaries.
    pub fn family(&self) -> &'static str {
        match self {
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "lognormal",
            Distribution::Exponential { .. } => "exponential",
            Distribution::Uniform { .. } => "uniform",
            Distribution::Empirical { .. } => "empirical",
            Distribution::Discrete { .. } => "discrete",
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        match self {
            Distribution::Normal { mean, std_dev } => Normal::new(*mean, *std_dev).map_or(0.5, |d| d.cdf(x)),
            Distribution::LogNormal { location, scale } => {
                LogNormal::new(*location, *scale).map_or(0.5, |d| d.cdf(x))
            }
            Distribution::Exponential { rate, shift } => Exp::new(*rate).map_or(0.5, |d| d.cdf(x - shift)),
            Distribution::Uniform { min, max } => Uniform::new(*min, *max).map_or(0.5, |d| d.cdf(x)),
            _ => 0.5,
        }
    }
}

/// The fitted marginal of sorted non-null values and, for a parametric
/// family, its Kolmogorov–Smirnov distance to the data.
///
/// Few distinct values (`counts` given) become [`Distribution::Discrete`],
/// values seen fewer than `min_count` times left out. Otherwise the
/// parametric family closest to the data is taken when the KS distance
/// passes a 1 % test, capped at 0.04 (small samples would accept a normal
/// for a bimodal column), else empirical quantiles.
pub(crate) fn fit_numeric(
    sorted: &[f64],
    counts: Option<&[(f64, u64)]>,
    min_count: u64,
    continuous: bool,
) -> (Distribution, Option<f64>) {
    if let Some(counts) = counts {
        let kept: Vec<(f64, u64)> = if counts.iter().any(|(_, c)| *c >= min_count) {
            counts.iter().copied().filter(|(_, c)| *c >= min_count).collect()
        } else {
            counts.to_vec()
        };
        let total: u64 = kept.iter().map(|(_, c)| c).sum();
        return (
            Distribution::Discrete {
                values: kept.iter().map(|(v, _)| *v).collect(),
                weights: kept.iter().map(|(_, c)| *c as f64 / total as f64).collect(),
            },
            None,
        );
    }
    let n = sorted.len();
    if continuous && n >= 20 {
        let threshold = (1.63 / (n as f64).sqrt()).clamp(0.01, 0.04);
        let best = candidates(sorted)
            .into_iter()
            .map(|d| {
                let ks = ks_distance(sorted, &d);
                (d, ks)
            })
            .filter(|(_, ks)| ks.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((d, ks)) = best
            && ks <= threshold
        {
            return (d, Some(ks));
        }
    }
    (empirical(sorted), None)
}

fn candidates(sorted: &[f64]) -> Vec<Distribution> {
    let n = sorted.len() as f64;
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let mean = sorted.iter().sum::<f64>() / n;
    let var = sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let mut out = Vec::new();
    if var > 0.0 {
        out.push(Distribution::Normal {
            mean,
            std_dev: var.sqrt(),
        });
        out.push(Distribution::Uniform { min, max });
        if mean > min {
            out.push(Distribution::Exponential {
                rate: 1.0 / (mean - min),
                shift: min,
            });
        }
    }
    if min > 0.0 {
        let logs: Vec<f64> = sorted.iter().map(|x| x.ln()).collect();
        let location = logs.iter().sum::<f64>() / n;
        let lvar = logs.iter().map(|l| (l - location).powi(2)).sum::<f64>() / (n - 1.0);
        if lvar > 0.0 {
            out.push(Distribution::LogNormal {
                location,
                scale: lvar.sqrt(),
            });
        }
    }
    out
}

/// Largest gap between the data's step CDF and `d`'s CDF.
pub(crate) fn ks_distance(sorted: &[f64], d: &Distribution) -> f64 {
    let n = sorted.len() as f64;
    let mut worst: f64 = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let f = d.cdf(sorted[i]);
        worst = worst.max((f - i as f64 / n).abs()).max((j as f64 / n - f).abs());
        i = j;
    }
    worst
}

/// Evenly spaced quantiles: one per five values (16 to 1000 of them), so
/// small data sets are smoothed rather than stored value by value.
fn empirical(sorted: &[f64]) -> Distribution {
    let n = sorted.len();
    let k = (n / 5).clamp(16, MAX_QUANTILES).min(n.saturating_sub(1)).max(1);
    let quantiles = (0..=k).map(|i| quantile(sorted, i as f64 / k as f64)).collect();
    Distribution::Empirical { quantiles }
}

/// The `p`-quantile of sorted values, linear between order statistics.
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = p * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (pos - i as f64) * (sorted[j] - sorted[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrete_values_seen_too_rarely_are_left_out() {
        let (d, _) = fit_numeric(&[], Some(&[(1.0, 50), (2.0, 48), (9.0, 2)]), 5, false);
        assert_eq!(
            d,
            Distribution::Discrete {
                values: vec![1.0, 2.0],
                weights: vec![50.0 / 98.0, 48.0 / 98.0]
            }
        );
        assert_eq!(d.inverse(0.2), 1.0);
        assert_eq!(d.inverse(0.9), 2.0);
    }

    #[test]
    fn empirical_inverse_interpolates_between_quantiles() {
        let d = Distribution::Empirical {
            quantiles: vec![0.0, 10.0, 30.0],
        };
        assert_eq!(d.inverse(0.25), 5.0);
        assert_eq!(d.inverse(0.75), 20.0);
    }

    #[test]
    fn uniform_data_is_fitted_as_uniform() {
        let sorted: Vec<f64> = (0..2000).map(|i| f64::from(i) / 2000.0).collect();
        let (d, ks) = fit_numeric(&sorted, None, 5, true);
        assert_eq!(d.family(), "uniform");
        assert!(ks.unwrap() < 0.01);
    }
}
