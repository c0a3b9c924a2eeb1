//! Relations between columns found at fit time and kept by construction
//! when sampling: exact arithmetic (`total = units × unit_price`,
//! `due_on = issued_on + terms_days`), inequalities (`closed_on ≥ opened_on`,
//! `hired_on ≥ born_on + 6 575 days`) and allowed combinations of two
//! categorical columns (`city → country`, `code → label`, or which models a
//! make has).
//!
//! A rule is kept when it holds in at least [`HOLD_SHARE`] of the rows
//! where its columns have values, and is not already implied by the
//! columns' ranges. Sampling derives arithmetic columns from their operands,
//! draws the later side of an inequality as the earlier side plus a gap
//! fitted to the real gaps (so the smallest real gap is kept too), and
//! redraws a category that is not allowed with the other column's value from
//! the allowed ones; so every rule holds in every synthetic row.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::marginal::{DISCRETE_MAX, Distribution, fit_numeric};
use super::model::ColumnKind;

/// Share of rows (with values in the rule's columns) a rule must hold in.
pub const HOLD_SHARE: f64 = 0.999;

/// Fewest rows with values a rule is learnt from.
const MIN_ROWS: usize = 30;

/// An inequality that independent columns would obey this often says
/// nothing about the rows and is not kept.
const INDEPENDENT_SHARE: f64 = 0.95;

/// Rows tried before a candidate rule is checked on every row.
const SCREEN_ROWS: usize = 2000;

/// Expected count, under independence, above which a never-seen pair of
/// categories is a structural zero (a combination that does not exist).
const STRUCTURAL_ZERO: f64 = 5.0;

/// A relation between columns of a row, learnt from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum StatsRule {
    /// `column = left + right` (numbers; or a date plus a number of days).
    Sum {
        /// The derived column.
        column: String,
        /// First operand.
        left: String,
        /// Second operand.
        right: String,
    },
    /// `column = left × right`.
    Product {
        /// The derived column.
        column: String,
        /// First operand.
        left: String,
        /// Second operand.
        right: String,
    },
    /// `column ≥ lower + min_gap` (numbers, dates in days, date-times in
    /// seconds). When `gap` is set, `column` is sampled as `lower` plus a
    /// draw from it; else it is raised to the bound when it falls below.
    AtLeast {
        /// The larger column.
        column: String,
        /// The smaller column.
        lower: String,
        /// Smallest difference kept (0, or e.g. 18 years of days).
        min_gap: f64,
        /// Distribution of `column − lower`, when `column` is drawn from it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gap: Option<Gap>,
    },
    /// Only these pairs of categories occur: each value of `from` goes with
    /// the listed values of `to` (one each: a functional dependency).
    Combination {
        /// The determining column.
        from: String,
        /// The column whose values depend on it.
        to: String,
        /// Per value of `from`: the values of `to` seen with it, and their
        /// conditional probabilities. Pairs seen fewer than
        /// `min_category_count` times are not kept.
        allowed: Vec<Allowed>,
    },
}

/// Values of a [`StatsRule::Combination`]'s `to` column allowed with one
/// value of its `from` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allowed {
    /// The `from` value.
    pub value: String,
    /// The `to` values seen with it.
    pub to: Vec<String>,
    /// Their probabilities given `value`.
    pub weights: Vec<f64>,
}

/// The distribution of the difference of an [`StatsRule::AtLeast`]'s columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// The difference's distribution.
    pub distribution: Distribution,
    /// Largest difference seen.
    pub max: f64,
}

/// A rule and how often it held in the rows it was learnt from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// The rule.
    #[serde(flatten)]
    pub rule: StatsRule,
    /// Share of the real rows (with values in its columns) it held in.
    pub held: f64,
}

impl StatsRule {
    /// The column the rule sets when sampling.
    pub fn target(&self) -> &str {
        match self {
            StatsRule::Sum { column, .. } | StatsRule::Product { column, .. } => column,
            StatsRule::AtLeast { column, .. } => column,
            StatsRule::Combination { to, .. } => to,
        }
    }

    /// The columns the target is computed or checked from.
    pub fn sources(&self) -> Vec<&str> {
        match self {
            StatsRule::Sum { left, right, .. } | StatsRule::Product { left, right, .. } => {
                vec![left, right]
            }
            StatsRule::AtLeast { lower, .. } => vec![lower],
            StatsRule::Combination { from, .. } => vec![from],
        }
    }

    /// Whether `get` (a column's value as a number, or its text) satisfies
    /// the rule; `None` when a column it needs has no value (a NULL, or a
    /// category the rule does not know).
    pub fn holds(
        &self,
        number: &dyn Fn(&str) -> Option<f64>,
        text: &dyn Fn(&str) -> Option<String>,
        decimals: u32,
    ) -> Option<bool> {
        match self {
            StatsRule::Sum { column, left, right } => {
                let (c, a, b) = (number(column)?, number(left)?, number(right)?);
                Some(close(c, a + b, decimals))
            }
            StatsRule::Product { column, left, right } => {
                let (c, a, b) = (number(column)?, number(left)?, number(right)?);
                Some(close(c, a * b, decimals))
            }
            StatsRule::AtLeast {
                column,
                lower,
                min_gap,
                ..
            } => {
                let (c, l) = (number(column)?, number(lower)?);
                Some(c - l >= min_gap - 1e-9 * (1.0 + c.abs()))
            }
            StatsRule::Combination { from, to, allowed } => {
                let (f, t) = (text(from)?, text(to)?);
                let a = allowed.iter().find(|a| a.value == f)?;
                Some(a.to.contains(&t))
            }
        }
    }

    /// Whether the rule is a functional dependency (`to` is one value per `from`).
    pub fn is_functional(&self) -> bool {
        matches!(self, StatsRule::Combination { allowed, .. } if allowed.iter().all(|a| a.to.len() == 1))
    }
}

/// `total = units × unit_price`, `closed_on ≥ opened_on + 0`, `city → country`.
impl fmt::Display for StatsRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsRule::Sum { column, left, right } => write!(f, "{column} = {left} + {right}"),
            StatsRule::Product { column, left, right } => write!(f, "{column} = {left} × {right}"),
            StatsRule::AtLeast {
                column,
                lower,
                min_gap,
                ..
            } => {
                if *min_gap > 0.0 {
                    // Differences of rounded values: 0.3, not 0.2999999999999998.
                    write!(f, "{column} ≥ {lower} + {}", (min_gap * 1e9).round() / 1e9)
                } else {
                    write!(f, "{column} ≥ {lower}")
                }
            }
            StatsRule::Combination { from, to, allowed } => {
                if self.is_functional() {
                    write!(
                        f,
                        "{from} → {to} (functional dependency, {} values)",
                        allowed.len()
                    )
                } else {
                    let pairs: usize = allowed.iter().map(|a| a.to.len()).sum();
                    write!(f, "({from}, {to}) in {pairs} seen combinations")
                }
            }
        }
    }
}

/// Whether `x` equals `expected` once rounded to `decimals` (a stored total
/// is rounded: `12.35` for `3 × 4.1167`).
pub(crate) fn close(x: f64, expected: f64, decimals: u32) -> bool {
    let tolerance = 0.5 * 10f64.powi(-(decimals.min(12) as i32)) + 1e-9 * (1.0 + expected.abs());
    (x - expected).abs() <= tolerance
}

/// A numeric column offered to discovery (not a key, not constant).
pub(crate) struct NumericColumn<'a> {
    /// Position in the model's columns.
    pub index: usize,
    pub name: &'a str,
    pub kind: ColumnKind,
    pub decimals: u32,
    /// Values, NaN for NULL.
    pub values: &'a [f64],
    pub min: f64,
    pub max: f64,
}

/// A categorical column offered to discovery.
pub(crate) struct CategoricalColumn<'a> {
    pub index: usize,
    pub name: &'a str,
    /// Kept categories, in code order.
    pub categories: &'a [String],
    /// Codes (positions in `categories`), NaN for NULL and rare values.
    pub codes: &'a [f64],
}

/// A found rule with the model positions of the columns it connects.
pub(crate) struct Found {
    pub relation: Relation,
    /// Model position of the target column.
    pub target: usize,
    /// Model positions of the source columns.
    pub sources: Vec<usize>,
}

/// Exact sums and products among `columns`: each column is derived by at
/// most one rule, and a derived column is no operand.
pub(crate) fn arithmetic(columns: &[NumericColumn<'_>]) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    let mut derived = vec![false; columns.len()];
    let mut operand = vec![false; columns.len()];
    let number = |k: ColumnKind| matches!(k, ColumnKind::Integer | ColumnKind::Float);
    // Products first (a product is never a sum by accident), then sums.
    for product in [true, false] {
        for (t, target) in columns.iter().enumerate() {
            if derived[t] || operand[t] {
                continue;
            }
            'pairs: for (a, left) in columns.iter().enumerate() {
                for (b, right) in columns.iter().enumerate().skip(a + 1) {
                    if a == t || b == t || derived[a] || derived[b] {
                        continue;
                    }
                    // Kinds: numbers of numbers; a date plus a number of days.
                    let (left, right) = match (target.kind, left.kind, right.kind) {
                        (c, l, r) if number(c) && number(l) && number(r) => (left, right),
                        (ColumnKind::Date, ColumnKind::Date, ColumnKind::Integer) if !product => {
                            (left, right)
                        }
                        (ColumnKind::Date, ColumnKind::Integer, ColumnKind::Date) if !product => {
                            (right, left)
                        }
                        _ => continue,
                    };
                    let op = |x: f64, y: f64| if product { x * y } else { x + y };
                    let Some(held) = share(target.values.len(), |i| {
                        let (c, x, y) = (target.values[i], left.values[i], right.values[i]);
                        (!(c.is_nan() || x.is_nan() || y.is_nan()))
                            .then(|| close(c, op(x, y), target.decimals))
                    }) else {
                        continue;
                    };
                    let (l, r) = (left.name.to_owned(), right.name.to_owned());
                    let column = target.name.to_owned();
                    let rule = if product {
                        StatsRule::Product {
                            column,
                            left: l,
                            right: r,
                        }
                    } else {
                        StatsRule::Sum {
                            column,
                            left: l,
                            right: r,
                        }
                    };
                    let (li, ri) = if std::ptr::eq(left, &columns[a]) {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    derived[t] = true;
                    operand[li] = true;
                    operand[ri] = true;
                    found.push(Found {
                        relation: Relation { rule, held },
                        target: target.index,
                        sources: vec![columns[li].index, columns[ri].index],
                    });
                    break 'pairs;
                }
            }
        }
    }
    found
}

/// Inequalities `b ≥ a + gap` between columns of one kind that the ranges
/// do not imply. `derived` marks columns set by arithmetic (never raised).
/// Each column is drawn as the gap from at most one lower column, the one
/// whose gaps vary least; a pair that holds both ways (equal columns) and an
/// edge closing a cycle are left out.
pub(crate) fn inequalities(columns: &[NumericColumn<'_>], derived: &[usize], min_count: u64) -> Vec<Found> {
    let comparable = |x: ColumnKind, y: ColumnKind| {
        x == y
            || matches!(
                (x, y),
                (ColumnKind::Integer, ColumnKind::Float) | (ColumnKind::Float, ColumnKind::Integer)
            )
    };
    let mut edges: Vec<(usize, usize, f64, f64)> = Vec::new(); // (lower, upper, held, gap spread)
    for (a, lower) in columns.iter().enumerate() {
        for (b, upper) in columns.iter().enumerate() {
            if a == b || !comparable(lower.kind, upper.kind) || upper.min >= lower.max {
                continue;
            }
            let held = share(lower.values.len(), |i| {
                let (x, y) = (lower.values[i], upper.values[i]);
                (!(x.is_nan() || y.is_nan())).then_some(y >= x)
            });
            let Some(held) = held else { continue };
            // Both ways: equal columns, not an inequality worth keeping.
            let reverse = share(lower.values.len(), |i| {
                let (x, y) = (lower.values[i], upper.values[i]);
                (!(x.is_nan() || y.is_nan())).then_some(x >= y)
            });
            if reverse.is_some() {
                continue;
            }
            let (mut n, mut s, mut ss) = (0.0, 0.0, 0.0);
            for (x, y) in lower.values.iter().zip(upper.values) {
                if !(x.is_nan() || y.is_nan()) {
                    let d = y - x;
                    n += 1.0;
                    s += d;
                    ss += d * d;
                }
            }
            let spread = (ss / n - (s / n).powi(2)).max(0.0).sqrt() / (upper.max - upper.min).max(1e-12);
            // Uninformative when independent columns would obey it too
            // (`price ≥ rating` of columns that barely overlap).
            if independent_share(
                lower.values,
                upper.values,
                smallest_gap(lower.values, upper.values),
            ) >= INDEPENDENT_SHARE
            {
                continue;
            }
            edges.push((a, b, held, spread));
        }
    }
    // Tightest first; keep an edge unless it closes a cycle.
    edges.sort_by(|x, y| x.3.total_cmp(&y.3));
    let mut kept: Vec<(usize, usize, f64)> = Vec::new();
    let reaches = |kept: &[(usize, usize, f64)], from: usize, to: usize| {
        let mut stack = vec![from];
        let mut seen = vec![false; columns.len()];
        while let Some(v) = stack.pop() {
            if v == to {
                return true;
            }
            if std::mem::replace(&mut seen[v], true) {
                continue;
            }
            stack.extend(kept.iter().filter(|e| e.0 == v).map(|e| e.1));
        }
        false
    };
    for (a, b, held, _) in edges {
        if derived.contains(&columns[b].index) || reaches(&kept, b, a) {
            continue;
        }
        kept.push((a, b, held));
    }
    // Drop edges implied by two kept ones (a ≤ b ≤ c makes a ≤ c).
    let implied: Vec<bool> = kept
        .iter()
        .map(|&(a, c, _)| {
            kept.iter()
                .any(|&(x, b, _)| x == a && b != c && reaches(&kept_without(&kept, a, c), b, c))
        })
        .collect();
    let kept: Vec<_> = kept
        .into_iter()
        .zip(implied)
        .filter(|(_, i)| !i)
        .map(|(e, _)| e)
        .collect();
    let mut drawn = vec![false; columns.len()];
    let mut found = Vec::new();
    for (a, b, held) in kept {
        let (lower, upper) = (&columns[a], &columns[b]);
        let mut gaps: Vec<f64> = lower
            .values
            .iter()
            .zip(upper.values)
            .filter(|(x, y)| !(x.is_nan() || y.is_nan()))
            .map(|(x, y)| y - x)
            .collect();
        gaps.sort_unstable_by(f64::total_cmp);
        let min_gap = smallest_gap(lower.values, upper.values);
        let gaps = &gaps[gaps.partition_point(|g| *g < min_gap)..];
        // Dates are drawn as a gap above the earlier one (the smallest real
        // gap, 18 years from birth to hire, holds by construction); numbers
        // keep their own copula scores and are raised when they fall below,
        // which measured better (iris: the gap's scores lose the columns'
        // correlation).
        let dated = matches!(upper.kind, ColumnKind::Date | ColumnKind::DateTime);
        let gap = (dated && !std::mem::replace(&mut drawn[b], true) && gaps.len() >= MIN_ROWS).then(|| {
            let runs = runs(gaps);
            let discrete = runs.len() <= DISCRETE_MAX && runs.len() * 2 <= gaps.len();
            let (distribution, _) = fit_numeric(
                gaps,
                discrete.then_some(runs.as_slice()),
                min_count,
                matches!(upper.kind, ColumnKind::Integer | ColumnKind::Float),
            );
            Gap {
                distribution,
                max: gaps[gaps.len() - 1],
            }
        });
        found.push(Found {
            relation: Relation {
                rule: StatsRule::AtLeast {
                    column: upper.name.to_owned(),
                    lower: lower.name.to_owned(),
                    min_gap,
                    gap,
                },
                held,
            },
            target: upper.index,
            sources: vec![lower.index],
        });
    }
    found
}

/// The smallest difference `upper − lower` of the rows where it is not
/// negative (the 0.1 % of rows a rule may miss are left out).
fn smallest_gap(lower: &[f64], upper: &[f64]) -> f64 {
    lower
        .iter()
        .zip(upper)
        .map(|(x, y)| y - x)
        .filter(|g| *g >= 0.0)
        .fold(f64::INFINITY, f64::min)
        .clamp(0.0, f64::MAX)
}

/// Share of pairs of a `lower` and an `upper` value drawn independently
/// (up to [`SCREEN_ROWS`] of each) with `upper − lower ≥ gap`.
fn independent_share(lower: &[f64], upper: &[f64], gap: f64) -> f64 {
    let take = |v: &[f64]| -> Vec<f64> {
        let step = (v.len() / SCREEN_ROWS).max(1);
        v.iter().step_by(step).copied().filter(|x| !x.is_nan()).collect()
    };
    let (xs, mut ys) = (take(lower), take(upper));
    ys.sort_unstable_by(f64::total_cmp);
    if xs.is_empty() || ys.is_empty() {
        return 1.0;
    }
    let above: usize = xs
        .iter()
        .map(|x| ys.len() - ys.partition_point(|y| y - x < gap))
        .sum();
    above as f64 / (xs.len() * ys.len()) as f64
}

fn kept_without(kept: &[(usize, usize, f64)], a: usize, c: usize) -> Vec<(usize, usize, f64)> {
    kept.iter()
        .copied()
        .filter(|&(x, y, _)| !(x == a && y == c))
        .collect()
}

/// Pairs of categorical columns with structural zeros: combinations never
/// seen although independence would expect them. Each column is the `to` of
/// at most one rule; functional dependencies first.
pub(crate) fn combinations(columns: &[CategoricalColumn<'_>], min_count: u64) -> Vec<Found> {
    struct Candidate {
        from: usize,
        to: usize,
        functional: bool,
        density: f64,
        held: f64,
        counts: Vec<Vec<u64>>,
    }
    let mut candidates = Vec::new();
    for (a, x) in columns.iter().enumerate() {
        for (b, y) in columns.iter().enumerate().skip(a + 1) {
            let (ka, kb) = (x.categories.len(), y.categories.len());
            if ka < 2 || kb < 2 {
                continue;
            }
            let mut counts = vec![vec![0u64; kb]; ka];
            let mut total = 0u64;
            for (cx, cy) in x.codes.iter().zip(y.codes) {
                if !(cx.is_nan() || cy.is_nan()) {
                    counts[*cx as usize][*cy as usize] += 1;
                    total += 1;
                }
            }
            if (total as usize) < MIN_ROWS {
                continue;
            }
            let rows: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
            let cols: Vec<u64> = (0..kb).map(|j| counts.iter().map(|r| r[j]).sum()).collect();
            let allowed = |i: usize, j: usize| counts[i][j] >= min_count;
            let mut covered = 0u64;
            let mut structural = false;
            for i in 0..ka {
                for j in 0..kb {
                    if allowed(i, j) {
                        covered += counts[i][j];
                    } else if rows[i] as f64 * cols[j] as f64 / total as f64 >= STRUCTURAL_ZERO {
                        structural = true;
                    }
                }
            }
            let held = covered as f64 / total as f64;
            if !structural || held < HOLD_SHARE {
                continue;
            }
            let partners = |by_row: bool| -> usize {
                if by_row {
                    (0..ka)
                        .map(|i| (0..kb).filter(|&j| allowed(i, j)).count())
                        .max()
                        .unwrap_or(0)
                } else {
                    (0..kb)
                        .map(|j| (0..ka).filter(|&i| allowed(i, j)).count())
                        .max()
                        .unwrap_or(0)
                }
            };
            let (a_to_b, b_to_a) = (partners(true) == 1, partners(false) == 1);
            // The column with more values determines the other (city → country).
            let forward = if a_to_b != b_to_a { a_to_b } else { ka >= kb };
            let pairs = (0..ka)
                .flat_map(|i| (0..kb).map(move |j| (i, j)))
                .filter(|&(i, j)| allowed(i, j))
                .count();
            let (from, to, counts) = if forward {
                (a, b, counts)
            } else {
                let t = (0..kb).map(|j| (0..ka).map(|i| counts[i][j]).collect()).collect();
                (b, a, t)
            };
            candidates.push(Candidate {
                from,
                to,
                functional: if forward { a_to_b } else { b_to_a },
                density: pairs as f64 / (ka * kb) as f64,
                held,
                counts,
            });
        }
    }
    candidates.sort_by(|x, y| {
        y.functional
            .cmp(&x.functional)
            .then(x.density.total_cmp(&y.density))
    });
    let mut has_rule = vec![false; columns.len()];
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut found = Vec::new();
    for c in candidates {
        if has_rule[c.to] {
            continue;
        }
        // No cycle: `to` must not already lead to `from`.
        let mut stack = vec![c.to];
        let mut cycle = false;
        while let Some(v) = stack.pop() {
            if v == c.from {
                cycle = true;
                break;
            }
            stack.extend(edges.iter().filter(|e| e.0 == v).map(|e| e.1));
        }
        if cycle {
            continue;
        }
        has_rule[c.to] = true;
        edges.push((c.from, c.to));
        let (from, to) = (&columns[c.from], &columns[c.to]);
        let allowed = c
            .counts
            .iter()
            .enumerate()
            .filter_map(|(i, row)| {
                let kept: Vec<(usize, u64)> = row
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|&(_, n)| n >= min_count)
                    .collect();
                let sum: u64 = kept.iter().map(|k| k.1).sum();
                (sum > 0).then(|| Allowed {
                    value: from.categories[i].clone(),
                    to: kept.iter().map(|&(j, _)| to.categories[j].clone()).collect(),
                    weights: kept.iter().map(|&(_, n)| n as f64 / sum as f64).collect(),
                })
            })
            .collect();
        found.push(Found {
            relation: Relation {
                rule: StatsRule::Combination {
                    from: from.name.to_owned(),
                    to: to.name.to_owned(),
                    allowed,
                },
                held: c.held,
            },
            target: to.index,
            sources: vec![from.index],
        });
    }
    found
}

/// Share of rows `check` says hold among those it answers for, when it is
/// at least [`HOLD_SHARE`] over at least [`MIN_ROWS`] rows. The first
/// [`SCREEN_ROWS`] rows are tried first, so most candidates cost little.
fn share(n: usize, check: impl Fn(usize) -> Option<bool>) -> Option<f64> {
    let count = |range: std::ops::Range<usize>| {
        let (mut yes, mut all) = (0usize, 0usize);
        for i in range {
            if let Some(h) = check(i) {
                all += 1;
                yes += usize::from(h);
            }
        }
        (yes, all)
    };
    let screen = n.min(SCREEN_ROWS);
    let (yes, all) = count(0..screen);
    // More misses than the whole data may have: rejected early.
    if (all - yes) as f64 > (1.0 - HOLD_SHARE) * n as f64 + 0.5 {
        return None;
    }
    let (y2, a2) = count(screen..n);
    let (yes, all) = (yes + y2, all + a2);
    (all >= MIN_ROWS && yes as f64 >= HOLD_SHARE * all as f64).then(|| yes as f64 / all as f64)
}

fn runs(sorted: &[f64]) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for &x in sorted {
        match out.last_mut() {
            Some((v, n)) if *v == x => *n += 1,
            _ => out.push((x, 1)),
        }
    }
    out
}

/// Orders rules so that every rule comes after those setting its sources.
pub(crate) fn order(found: Vec<Found>) -> Vec<Found> {
    let mut left = found;
    let mut out: Vec<Found> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|f| !f.sources.iter().any(|s| left.iter().any(|o| o.target == *s)))
            .unwrap_or(0);
        out.push(left.remove(ready));
    }
    out
}
