//! How close synthetic data is to the real data it imitates, and how far
//! from copying it — in the manner of SDMetrics' quality report.
//!
//! - **Column shapes**: for each numeric or date column the complement of the
//!   two-sample Kolmogorov–Smirnov statistic (`1 − KS`), for each categorical
//!   or boolean column the complement of the total variation distance
//!   (`1 − TVD`). NULLs are left out.
//! - **Column-pair trends**: for two numeric columns
//!   `1 − |ρ_real − ρ_synthetic| / 2` (Pearson); for pairs with a categorical
//!   column `1 − TVD` of their joint frequencies (numbers in ten equal-width
//!   bins of the real range).
//! - **Overall**: the mean of the two averages.
//! - **Privacy**: the share of synthetic rows identical to a real row, and the
//!   distance to the closest real record (DCR, a Gower distance: numbers
//!   scaled by the real range, categories 0 or 1), both next to the same
//!   figures for a real holdout — half the real rows, compared with the other
//!   half — which is what "by chance" looks like for this data.
//!
//! Columns are typed by fitting the real data ([`crate::engine::stats::fit`]);
//! identifiers, UUIDs, free text and key columns are not scored.
//!
//! ```
//! use syda::engine::stats::{Source, fit};
//! use syda::report::compare;
//! use syda::Value;
//!
//! let rows: Vec<_> = (0..400)
//!     .map(|i| vec![Value::Float(f64::from(i % 97)), Value::from(["a", "b", "c"][i as usize % 3])])
//!     .collect();
//! let real = Source::rows("t", vec!["x".into(), "k".into()], rows);
//! let model = fit(&real)?;
//! let synthetic: Vec<_> = model.sample(400, 1).collect::<syda::Result<_>>()?;
//! let synthetic = Source::rows("t", vec!["x".into(), "k".into()], synthetic);
//! let report = compare(&real, &synthetic)?;
//! assert!(report.overall > 0.8, "{report}");
//! # Ok::<(), syda::Error>(())
//! ```

mod html;

mod related;

use std::collections::{HashMap, HashSet};
use std::fmt;

use rand::SeedableRng;
use rand::seq::SliceRandom;

pub use related::{LinkFigures, compare_related};

use crate::engine::EngineRng;
use crate::engine::stats::{Cell, parse_date, parse_datetime};
use crate::engine::stats::{ColumnKind, FitOptions, FittedModel, Marginal, Source, StatsRule, fit_with};
use crate::error::{Error, Result};

pub use html::to_html;

/// Rows of synthetic data (and of the holdout) whose closest real record is searched.
const DCR_QUERIES: usize = 1_000;
/// Real rows searched for closest records, at most.
const DCR_REFERENCE: usize = 20_000;
/// Bins of numeric columns in contingency tables.
const PAIR_BINS: usize = 10;
/// Bins of numeric columns in plots.
const PLOT_BINS: usize = 20;
/// Categories shown in a plot.
const PLOT_CATEGORIES: usize = 20;

/// The score of one column's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnShape {
    /// Column name.
    pub column: String,
    /// Its kind in the real data.
    pub kind: ColumnKind,
    /// `KSComplement` or `TVComplement`.
    pub metric: &'static str,
    /// From 0 (nothing alike) to 1 (the same distribution).
    pub score: f64,
}

/// The score of one pair of columns.
#[derive(Debug, Clone, PartialEq)]
pub struct PairTrend {
    /// First column.
    pub a: String,
    /// Second column.
    pub b: String,
    /// `CorrelationSimilarity` or `ContingencySimilarity`.
    pub metric: &'static str,
    /// From 0 to 1.
    pub score: f64,
    /// Pearson correlations in the real and the synthetic data, for numeric pairs.
    pub correlations: Option<(f64, f64)>,
}

/// Closeness to real records.
#[derive(Debug, Clone, PartialEq)]
pub struct Privacy {
    /// Share of synthetic rows equal to some real row on every scored column.
    pub exact_copies: f64,
    /// The same for holdout rows against the other real rows: chance level.
    pub holdout_exact_copies: f64,
    /// Median distance from a synthetic row to its closest real row.
    pub dcr_median: f64,
    /// 5th percentile of that distance.
    pub dcr_p5: f64,
    /// Median distance from a holdout row to its closest other real row.
    pub holdout_dcr_median: f64,
    /// 5th percentile of that distance.
    pub holdout_dcr_p5: f64,
}

/// Frequencies of one column in both data sets, for plotting.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlot {
    /// Column name.
    pub column: String,
    /// Bin (numeric: lower edge) or category labels.
    pub labels: Vec<String>,
    /// Share of real non-null values per label.
    pub real: Vec<f64>,
    /// Share of synthetic non-null values per label.
    pub synthetic: Vec<f64>,
    /// Numeric bins (drawn as areas) rather than categories (bars).
    pub numeric: bool,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityReport {
    /// Real rows read.
    pub real_rows: u64,
    /// Synthetic rows read.
    pub synthetic_rows: u64,
    /// One score per scored column.
    pub columns: Vec<ColumnShape>,
    /// One score per pair of scored columns.
    pub pairs: Vec<PairTrend>,
    /// Mean of the column shape scores.
    pub column_shapes: f64,
    /// Mean of the pair trend scores (the column shape mean without pairs).
    pub pair_trends: f64,
    /// Mean of the two.
    pub overall: f64,
    /// Closeness to real records.
    pub privacy: Privacy,
    /// Per-column frequencies, for the HTML report.
    pub plots: Vec<ColumnPlot>,
    /// The relations learnt from the real data and how often each holds in
    /// both data sets.
    pub relations: Vec<RelationCheck>,
    /// The locale of the personal text (names, e-mail addresses, phones)
    /// guessed from each data set, when the real data has such columns:
    /// `(real, synthetic)`, `None` for English or no guess.
    pub locale: Option<(Option<String>, Option<String>)>,
}

/// One relation learnt from the real data ([`crate::engine::stats::StatsRule`]),
/// checked on both data sets.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationCheck {
    /// The rule, as text (`total = units × unit_price`).
    pub rule: String,
    /// Share of real rows (with values in its columns) it holds in.
    pub real: f64,
    /// Share of synthetic rows it holds in.
    pub synthetic: f64,
    /// Synthetic rows with values in its columns.
    pub synthetic_checked: u64,
}

/// One scored column of one data set.
enum Data {
    Numbers(Vec<f64>),
    Labels(Vec<Option<u32>>),
}

struct Scored {
    name: String,
    kind: ColumnKind,
    /// Real range, for numbers.
    range: (f64, f64),
    /// Category labels, for categories.
    labels: Vec<String>,
    real: Data,
    synthetic: Data,
}

/// Compares synthetic data with the real data it imitates.
pub fn compare(real: &Source, synthetic: &Source) -> Result<QualityReport> {
    let model = fit_with(
        real,
        &FitOptions {
            min_category_count: 1,
            stratify: false,
            ..FitOptions::default()
        },
    )?;
    let wanted: Vec<(String, ColumnKind)> = model
        .columns
        .iter()
        .filter(|c| {
            !c.unique
                && matches!(
                    (c.kind, &c.marginal),
                    (_, Marginal::Numeric { .. } | Marginal::Categories { .. })
                )
        })
        .map(|c| (c.name.clone(), c.kind))
        .collect();
    if wanted.is_empty() {
        return Err(Error::Fit {
            source: None,
            origin: real.origin(),
            message: "no numeric, date, boolean or categorical column to compare".into(),
        });
    }
    let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
    let syn_columns = synthetic.columns()?;
    if let Some(missing) = names.iter().find(|n| !syn_columns.contains(n)) {
        return Err(Error::Fit {
            source: None,
            origin: synthetic.origin(),
            message: format!("has no column `{missing}`, which the real data has"),
        });
    }
    let mut labels: Vec<HashMap<String, u32>> = names.iter().map(|_| HashMap::new()).collect();
    let (real_rows, real_data) = read(real, &names, &wanted, &mut labels)?;
    let (synthetic_rows, syn_data) = read(synthetic, &names, &wanted, &mut labels)?;
    let mut scored: Vec<Scored> = Vec::new();
    for (((name, kind), (r, s)), labels) in wanted
        .into_iter()
        .zip(real_data.into_iter().zip(syn_data))
        .zip(labels)
    {
        let range = match &r {
            Data::Numbers(v) => v
                .iter()
                .filter(|x| !x.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                }),
            Data::Labels(_) => (0.0, 0.0),
        };
        let mut by_code: Vec<(String, u32)> = labels.into_iter().collect();
        by_code.sort_by_key(|(_, c)| *c);
        scored.push(Scored {
            name,
            kind,
            range,
            labels: by_code.into_iter().map(|(l, _)| l).collect(),
            real: r,
            synthetic: s,
        });
    }

    let columns: Vec<ColumnShape> = scored.iter().map(shape).collect();
    let mut pairs = Vec::new();
    for i in 0..scored.len() {
        for j in i + 1..scored.len() {
            pairs.push(pair(&scored[i], &scored[j]));
        }
    }
    let column_shapes = mean(columns.iter().map(|c| c.score));
    let pair_trends = if pairs.is_empty() {
        column_shapes
    } else {
        mean(pairs.iter().map(|p| p.score))
    };
    let relations = model
        .rules
        .iter()
        .map(|r| {
            let (synthetic, synthetic_checked) =
                holds(&r.rule, &scored, &model, true, synthetic_rows as usize);
            RelationCheck {
                rule: r.rule.to_string(),
                real: holds(&r.rule, &scored, &model, false, real_rows as usize).0,
                synthetic,
                synthetic_checked,
            }
        })
        .collect();
    let locale = locales(&model, synthetic)?;
    Ok(QualityReport {
        locale,
        relations,
        real_rows,
        synthetic_rows,
        privacy: privacy(&scored, real_rows as usize, synthetic_rows as usize),
        plots: scored.iter().map(plot).collect(),
        columns,
        pairs,
        column_shapes,
        pair_trends,
        overall: (column_shapes + pair_trends) / 2.0,
    })
}

/// The locale of the real data's semantic columns (as fitted) and the one
/// the same columns of the synthetic data point to; `None` without such
/// columns (or when the synthetic data lacks them).
fn locales(model: &FittedModel, synthetic: &Source) -> Result<Option<(Option<String>, Option<String>)>> {
    let kinds: Vec<(String, String)> = model
        .columns
        .iter()
        .filter_map(|c| match &c.marginal {
            Marginal::Kind { kind } => Some((c.name.clone(), kind.clone())),
            _ => None,
        })
        .collect();
    let names: Vec<String> = kinds.iter().map(|k| k.0.clone()).collect();
    if names.is_empty() {
        return Ok(None);
    }
    let present = synthetic.columns()?;
    if !names.iter().all(|n| present.contains(n)) {
        return Ok(None);
    }
    let mut samples: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    synthetic.scan(&names, &mut |cells| {
        for (sample, cell) in samples.iter_mut().zip(cells) {
            if let (Cell::Text(t), true) = (cell, sample.len() < crate::engine::stats::LOCALE_SAMPLE) {
                sample.push(t.trim().to_owned());
            }
        }
        Ok(())
    })?;
    let columns: Vec<(&str, &[String])> = kinds
        .iter()
        .zip(&samples)
        .map(|((_, kind), sample)| (kind.as_str(), sample.as_slice()))
        .collect();
    Ok(Some((
        model.locale.clone(),
        crate::engine::stats::guess_locale(&columns),
    )))
}

/// Share of rows of one side the rule holds in, and the rows it could be
/// checked on (values in all its columns).
fn holds(
    rule: &StatsRule,
    scored: &[Scored],
    model: &FittedModel,
    synthetic: bool,
    rows: usize,
) -> (f64, u64) {
    let data = |name: &str| {
        scored
            .iter()
            .find(|c| c.name == name)
            .map(|c| (c, if synthetic { &c.synthetic } else { &c.real }))
    };
    let decimals = match model.column(rule.target()).map(|c| &c.marginal) {
        Some(Marginal::Numeric { decimals, .. }) => *decimals,
        _ => 0,
    };
    let (mut yes, mut all) = (0u64, 0u64);
    for i in 0..rows {
        let number = |name: &str| match data(name)? {
            (_, Data::Numbers(v)) => v.get(i).copied().filter(|x| !x.is_nan()),
            _ => None,
        };
        let text = |name: &str| match data(name)? {
            (c, Data::Labels(v)) => v
                .get(i)
                .copied()
                .flatten()
                .and_then(|code| c.labels.get(code as usize).cloned()),
            _ => None,
        };
        if let Some(h) = rule.holds(&number, &text, decimals) {
            all += 1;
            yes += u64::from(h);
        }
    }
    (if all == 0 { 1.0 } else { yes as f64 / all as f64 }, all)
}

fn read(
    source: &Source,
    names: &[String],
    kinds: &[(String, ColumnKind)],
    labels: &mut [HashMap<String, u32>],
) -> Result<(u64, Vec<Data>)> {
    let mut data: Vec<Data> = kinds
        .iter()
        .map(|(_, k)| {
            if k.is_numeric() {
                Data::Numbers(Vec::new())
            } else {
                Data::Labels(Vec::new())
            }
        })
        .collect();
    let rows = source.scan(names, &mut |cells| {
        for (((d, (_, kind)), cell), labels) in data.iter_mut().zip(kinds).zip(cells).zip(labels.iter_mut()) {
            use crate::engine::stats::Cell;
            match d {
                Data::Numbers(v) => v.push(match cell {
                    Cell::Null | Cell::Bool(_) => f64::NAN,
                    Cell::Int(i) => *i as f64,
                    Cell::Float(x) => *x,
                    Cell::Text(s) => {
                        let s = s.trim();
                        match kind {
                            ColumnKind::Date => parse_date(s).map_or(f64::NAN, |d| d as f64),
                            ColumnKind::DateTime => parse_datetime(s).map_or(f64::NAN, |d| d as f64),
                            _ => s.parse().unwrap_or(f64::NAN),
                        }
                    }
                }),
                Data::Labels(v) => {
                    let text = match cell {
                        Cell::Null => None,
                        Cell::Bool(b) => Some(b.to_string()),
                        Cell::Int(i) => Some(i.to_string()),
                        Cell::Float(x) => Some(x.to_string()),
                        Cell::Text(s) if *kind == ColumnKind::Boolean => Some(
                            crate::engine::stats::parse_bool(s.trim())
                                .map_or_else(|| s.trim().to_owned(), |b| b.to_string()),
                        ),
                        Cell::Text(s) => Some(s.trim().to_owned()),
                    };
                    v.push(text.map(|t| {
                        let next = labels.len() as u32;
                        *labels.entry(t).or_insert(next)
                    }));
                }
            }
        }
        Ok(())
    })?;
    Ok((rows, data))
}

fn shape(c: &Scored) -> ColumnShape {
    let (metric, score) = match (&c.real, &c.synthetic) {
        (Data::Numbers(r), Data::Numbers(s)) => ("KSComplement", 1.0 - ks_two_sample(r, s)),
        (Data::Labels(r), Data::Labels(s)) => {
            let n = c.labels.len();
            (
                "TVComplement",
                1.0 - tvd(&freq(r.iter().copied(), n), &freq(s.iter().copied(), n)),
            )
        }
        _ => ("", 0.0),
    };
    ColumnShape {
        column: c.name.clone(),
        kind: c.kind,
        metric,
        score,
    }
}

fn pair(a: &Scored, b: &Scored) -> PairTrend {
    if let (Data::Numbers(ra), Data::Numbers(rb), Data::Numbers(sa), Data::Numbers(sb)) =
        (&a.real, &b.real, &a.synthetic, &b.synthetic)
    {
        let real = pearson(ra, rb);
        let syn = pearson(sa, sb);
        return PairTrend {
            a: a.name.clone(),
            b: b.name.clone(),
            metric: "CorrelationSimilarity",
            score: 1.0 - (real - syn).abs() / 2.0,
            correlations: Some((real, syn)),
        };
    }
    let (na, nb) = (cells(a), cells(b));
    let joint = |x: Vec<Option<u32>>, y: Vec<Option<u32>>| {
        freq(
            x.into_iter()
                .zip(y)
                .map(|(p, q)| Some((p? as usize * nb + q? as usize) as u32)),
            na * nb,
        )
    };
    let real = joint(codes(a, &a.real), codes(b, &b.real));
    let syn = joint(codes(a, &a.synthetic), codes(b, &b.synthetic));
    PairTrend {
        a: a.name.clone(),
        b: b.name.clone(),
        metric: "ContingencySimilarity",
        score: 1.0 - tvd(&real, &syn),
        correlations: None,
    }
}

/// Cells of a column in a contingency table.
fn cells(c: &Scored) -> usize {
    match c.real {
        Data::Numbers(_) => PAIR_BINS,
        Data::Labels(_) => c.labels.len().max(1),
    }
}

/// Category codes, or bin numbers of numbers over the real range.
fn codes(c: &Scored, d: &Data) -> Vec<Option<u32>> {
    match d {
        Data::Labels(v) => v.clone(),
        Data::Numbers(v) => v.iter().map(|&x| bin(x, c.range, PAIR_BINS)).collect(),
    }
}

fn bin(x: f64, (lo, hi): (f64, f64), bins: usize) -> Option<u32> {
    if x.is_nan() {
        return None;
    }
    let width = (hi - lo) / bins as f64;
    let b = if width > 0.0 {
        ((x - lo) / width).floor()
    } else {
        0.0
    };
    Some(b.clamp(0.0, (bins - 1) as f64) as u32)
}

fn freq(values: impl Iterator<Item = Option<u32>>, n: usize) -> Vec<f64> {
    let mut counts = vec![0.0; n.max(1)];
    let mut total = 0.0;
    for v in values.flatten() {
        if let Some(c) = counts.get_mut(v as usize) {
            *c += 1.0;
            total += 1.0;
        }
    }
    if total > 0.0 {
        for c in &mut counts {
            *c /= total;
        }
    }
    counts
}

fn tvd(p: &[f64], q: &[f64]) -> f64 {
    0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Largest gap between the two samples' step CDFs (NaN left out).
pub fn ks_two_sample(a: &[f64], b: &[f64]) -> f64 {
    let sorted = |v: &[f64]| {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        s.sort_unstable_by(f64::total_cmp);
        s
    };
    let (a, b) = (sorted(a), sorted(b));
    if a.is_empty() || b.is_empty() {
        return if a.len() == b.len() { 0.0 } else { 1.0 };
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut worst) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        worst = worst.max((i as f64 / na - j as f64 / nb).abs());
    }
    worst
}

/// Pearson correlation over rows where both values are present.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let pairs = x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan());
    let (mut n, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for (a, b) in pairs.clone() {
        n += 1.0;
        sx += a;
        sy += b;
    }
    if n < 2.0 {
        return 0.0;
    }
    let (mx, my) = (sx / n, sy / n);
    let (mut cov, mut vx, mut vy) = (0.0, 0.0, 0.0);
    for (a, b) in pairs {
        cov += (a - mx) * (b - my);
        vx += (a - mx).powi(2);
        vy += (b - my).powi(2);
    }
    if vx <= 0.0 || vy <= 0.0 {
        return 0.0;
    }
    cov / (vx * vy).sqrt()
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// A row of scored values: numbers as bits, categories as codes; NULL is `u64::MAX`.
fn row_key(scored: &[Scored], synthetic: bool, i: usize) -> Vec<u64> {
    scored
        .iter()
        .map(|c| match if synthetic { &c.synthetic } else { &c.real } {
            Data::Numbers(v) if v[i].is_nan() => u64::MAX,
            Data::Numbers(v) => (v[i] + 0.0).to_bits(),
            Data::Labels(v) => v[i].map_or(u64::MAX, u64::from),
        })
        .collect()
}

fn distance(scored: &[Scored], (sa, a): (bool, usize), (sb, b): (bool, usize)) -> f64 {
    let mut total = 0.0;
    for c in scored {
        let pick = |s: bool| if s { &c.synthetic } else { &c.real };
        total += match (pick(sa), pick(sb)) {
            (Data::Numbers(x), Data::Numbers(y)) => match (x[a].is_nan(), y[b].is_nan()) {
                (true, true) => 0.0,
                (true, false) | (false, true) => 1.0,
                _ => {
                    let span = c.range.1 - c.range.0;
                    if span > 0.0 {
                        ((x[a] - y[b]).abs() / span).min(1.0)
                    } else {
                        f64::from(u8::from(x[a] != y[b]))
                    }
                }
            },
            (Data::Labels(x), Data::Labels(y)) => f64::from(u8::from(x[a] != y[b])),
            _ => 1.0,
        };
    }
    total / scored.len().max(1) as f64
}

fn privacy(scored: &[Scored], real_rows: usize, synthetic_rows: usize) -> Privacy {
    let mut rng = EngineRng::seed_from_u64(0);
    let mut order: Vec<usize> = (0..real_rows).collect();
    order.shuffle(&mut rng);
    let (reference, holdout) = order.split_at(real_rows / 2);
    let all_real: HashSet<Vec<u64>> = (0..real_rows).map(|i| row_key(scored, false, i)).collect();
    let ref_keys: HashSet<Vec<u64>> = reference.iter().map(|&i| row_key(scored, false, i)).collect();
    let copies = (0..synthetic_rows)
        .filter(|&i| all_real.contains(&row_key(scored, true, i)))
        .count();
    let holdout_copies = holdout
        .iter()
        .filter(|&&i| ref_keys.contains(&row_key(scored, false, i)))
        .count();
    let refs: Vec<usize> = reference.iter().copied().take(DCR_REFERENCE).collect();
    let mut syn_queries: Vec<usize> = (0..synthetic_rows).collect();
    syn_queries.shuffle(&mut rng);
    syn_queries.truncate(DCR_QUERIES);
    let closest = |synthetic: bool, q: usize| {
        refs.iter()
            .map(|&r| distance(scored, (synthetic, q), (false, r)))
            .fold(f64::INFINITY, f64::min)
    };
    let mut syn_dcr: Vec<f64> = syn_queries.iter().map(|&q| closest(true, q)).collect();
    let mut hold_dcr: Vec<f64> = holdout
        .iter()
        .take(DCR_QUERIES)
        .map(|&q| closest(false, q))
        .collect();
    syn_dcr.sort_unstable_by(f64::total_cmp);
    hold_dcr.sort_unstable_by(f64::total_cmp);
    let q = |v: &[f64], p: f64| crate::engine::stats::quantile(v, p);
    Privacy {
        exact_copies: copies as f64 / synthetic_rows.max(1) as f64,
        holdout_exact_copies: holdout_copies as f64 / holdout.len().max(1) as f64,
        dcr_median: q(&syn_dcr, 0.5),
        dcr_p5: q(&syn_dcr, 0.05),
        holdout_dcr_median: q(&hold_dcr, 0.5),
        holdout_dcr_p5: q(&hold_dcr, 0.05),
    }
}

fn plot(c: &Scored) -> ColumnPlot {
    match (&c.real, &c.synthetic) {
        (Data::Numbers(r), Data::Numbers(s)) => {
            let (lo, hi) = c.range;
            let width = (hi - lo) / PLOT_BINS as f64;
            let f = |v: &[f64]| freq(v.iter().map(|&x| bin(x, c.range, PLOT_BINS)), PLOT_BINS);
            let label = |i: usize| {
                let x = lo + width * i as f64;
                match c.kind {
                    ColumnKind::Date => {
                        crate::engine::stats::format_date(x.round() as i64).unwrap_or_default()
                    }
                    ColumnKind::DateTime => {
                        crate::engine::stats::format_datetime(x.round() as i64, (true, true))
                            .unwrap_or_default()
                    }
                    _ => format!("{x:.4}")
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_owned(),
                }
            };
            ColumnPlot {
                column: c.name.clone(),
                labels: (0..PLOT_BINS).map(label).collect(),
                real: f(r),
                synthetic: f(s),
                numeric: true,
            }
        }
        (Data::Labels(r), Data::Labels(s)) => {
            let n = c.labels.len();
            let (fr, fs) = (freq(r.iter().copied(), n), freq(s.iter().copied(), n));
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| fr[b].total_cmp(&fr[a]).then(fs[b].total_cmp(&fs[a])));
            order.truncate(PLOT_CATEGORIES);
            ColumnPlot {
                column: c.name.clone(),
                labels: order.iter().map(|&i| c.labels[i].clone()).collect(),
                real: order.iter().map(|&i| fr[i]).collect(),
                synthetic: order.iter().map(|&i| fs[i]).collect(),
                numeric: false,
            }
        }
        _ => ColumnPlot {
            column: c.name.clone(),
            labels: Vec::new(),
            real: Vec::new(),
            synthetic: Vec::new(),
            numeric: false,
        },
    }
}

impl fmt::Display for QualityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        writeln!(
            f,
            "Quality: {} overall (column shapes {}, column-pair trends {}); {} real rows, {} synthetic rows",
            pct(self.overall),
            pct(self.column_shapes),
            pct(self.pair_trends),
            self.real_rows,
            self.synthetic_rows
        )?;
        let width = self
            .columns
            .iter()
            .map(|c| c.column.len())
            .max()
            .unwrap_or(6)
            .max(6);
        writeln!(
            f,
            "\n  {:width$}  {:11}  {:21}  score",
            "column", "kind", "metric"
        )?;
        for c in &self.columns {
            writeln!(
                f,
                "  {:width$}  {:11}  {:21}  {}",
                c.column,
                c.kind.name(),
                c.metric,
                pct(c.score)
            )?;
        }
        if !self.pairs.is_empty() {
            let mut worst: Vec<&PairTrend> = self.pairs.iter().collect();
            worst.sort_by(|a, b| a.score.total_cmp(&b.score));
            writeln!(f, "\n  least similar column pairs:")?;
            for p in worst.iter().take(5) {
                let corr = p
                    .correlations
                    .map(|(r, s)| format!(" (correlation real {r:.3}, synthetic {s:.3})"))
                    .unwrap_or_default();
                writeln!(f, "  {} × {}  {}  {}{corr}", p.a, p.b, p.metric, pct(p.score))?;
            }
        }
        if let Some((real, synthetic)) = &self.locale {
            let show = |l: &Option<String>| l.clone().unwrap_or_else(|| "en (none guessed)".to_owned());
            writeln!(
                f,
                "\n  locale of the personal text: real {}, synthetic {}",
                show(real),
                show(synthetic)
            )?;
        }
        if !self.relations.is_empty() {
            writeln!(
                f,
                "\n  relations learnt from the real data (share of rows they hold in):"
            )?;
            for r in &self.relations {
                writeln!(
                    f,
                    "  {}  real {}  synthetic {}",
                    r.rule,
                    pct(r.real),
                    pct(r.synthetic)
                )?;
            }
        }
        let p = &self.privacy;
        writeln!(f, "\nPrivacy:")?;
        writeln!(
            f,
            "  exact copies of real rows: {} of synthetic rows (a real holdout: {})",
            pct(p.exact_copies),
            pct(p.holdout_exact_copies)
        )?;
        writeln!(
            f,
            "  distance to closest real record, median / 5th percentile: synthetic {:.4} / {:.4}, holdout {:.4} / {:.4}",
            p.dcr_median, p.dcr_p5, p.holdout_dcr_median, p.holdout_dcr_p5
        )
    }
}
