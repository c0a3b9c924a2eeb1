//! Sampling a fitted model, one row at a time.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use nalgebra::DMatrix;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use statrs::distribution::ContinuousCDF;

use super::copula::{cholesky, standard};
use super::model::{ColumnKind, ColumnModel, FittedModel, Marginal};
use super::relations::{Allowed, Gap, StatsRule};
use crate::engine::EngineRng;
use crate::error::{Error, Result};
use crate::relation::{Mode, RowRules};
use crate::value::{Row, Value};

/// Fresh draws tried for a unique column before giving up.
const UNIQUE_TRIES: u32 = 100;

/// Rows drawn from a [`FittedModel`]: an iterator of `Result<Row>` with a
/// value per model column, in model order.
pub struct Sampler<'m> {
    model: &'m FittedModel,
    /// Copula position of each column.
    slot: Vec<Option<usize>>,
    chol: Option<DMatrix<f64>>,
    rng: EngineRng,
    seen_text: Vec<Option<HashSet<String>>>,
    seen_int: Vec<Option<HashSet<i64>>>,
    normals: Vec<f64>,
    uniforms: Vec<f64>,
    /// Columns the caller needs without NULLs.
    required: Vec<bool>,
    /// The relations, resolved to column positions, in application order.
    steps: Vec<Step<'m>>,
    /// Columns a step sets (derived, or drawn as a gap above another).
    constructed: Vec<bool>,
    /// This row: each numeric column's value as a number (NaN when NULL or not numeric).
    numbers: Vec<f64>,
    /// This row: each column's uniform draw, and whether a step must set it.
    draws: Vec<(f64, bool)>,
    /// The relations [`crate::relation`] expresses, applied last in repair
    /// mode: the path every engine's rows take.
    repair: Option<(RowRules, u64)>,
    /// Samplers of the strata's sub-models, and per column whether it
    /// comes from the stratum (not a key, same kind in both models).
    strata: Vec<Sampler<'m>>,
    from_stratum: Vec<bool>,
    /// The offline engine for the columns of a semantic kind, with their
    /// table, rows made ahead, and this row's values by model column.
    kinds: Option<Kinds>,
    /// Values this row must take (a child's parent context), by column.
    given: Vec<(usize, Value)>,
    /// The copula conditioned on the given categorical columns' slots:
    /// `(given slots, other slots, Σ_rG Σ_GG⁻¹, Cholesky factor of Σ_r|G)`.
    conditional: Option<Conditional>,
    next: u64,
    end: u64,
    failed: bool,
}

impl std::fmt::Debug for Sampler<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sampler")
            .field("table", &self.model.table)
            .field("next", &self.next)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

impl<'m> Sampler<'m> {
    pub(crate) fn new(model: &'m FittedModel, n: u64, seed: u64) -> Sampler<'m> {
        let slot = model
            .columns
            .iter()
            .map(|c| model.copula.columns.iter().position(|n| *n == c.name))
            .collect();
        let k = model.copula.columns.len();
        let mut from_stratum: Vec<bool> = model
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                !col.unique
                    && !matches!(col.marginal, Marginal::Sequence { .. })
                    && model.strata.as_ref().is_some_and(|s| {
                        s.models.iter().all(|m| {
                            m.columns
                                .get(c)
                                .is_some_and(|mc| mc.name == col.name && mc.kind == col.kind)
                        })
                    })
            })
            .collect();
        // A rule's columns come from one place, so the stratum's rows keep it.
        let at = |name: &str| model.columns.iter().position(|c| c.name == name);
        loop {
            let mut changed = false;
            for r in &model.rules {
                let cols: Vec<usize> = r
                    .rule
                    .sources()
                    .into_iter()
                    .chain([r.rule.target()])
                    .filter_map(at)
                    .collect();
                if cols.iter().any(|&c| !from_stratum[c]) {
                    for c in cols {
                        changed |= std::mem::replace(&mut from_stratum[c], false);
                    }
                }
            }
            if !changed {
                break;
            }
        }
        Sampler {
            model,
            slot,
            chol: (k > 0).then(|| cholesky(&model.copula.correlation)).flatten(),
            rng: EngineRng::seed_from_u64(seed),
            seen_text: model
                .columns
                .iter()
                .map(|c| {
                    (c.unique && matches!(c.marginal, Marginal::Pattern { .. } | Marginal::Uuid))
                        .then(HashSet::new)
                })
                .collect(),
            seen_int: model
                .columns
                .iter()
                .map(|c| (c.unique && matches!(c.marginal, Marginal::Numeric { .. })).then(HashSet::new))
                .collect(),
            normals: vec![0.0; k],
            uniforms: vec![0.0; k],
            required: vec![false; model.columns.len()],
            steps: steps(model),
            constructed: {
                let mut set = vec![false; model.columns.len()];
                for step in steps(model) {
                    match step {
                        Step::Arithmetic { target, .. }
                        | Step::AtLeast {
                            target, gap: Some(_), ..
                        } => {
                            set[target] = true;
                        }
                        _ => {}
                    }
                }
                set
            },
            numbers: vec![f64::NAN; model.columns.len()],
            draws: vec![(0.0, false); model.columns.len()],
            repair: {
                let rules = model.relation_rules();
                (!rules.is_empty())
                    .then(|| RowRules::new(&model.to_table(), &rules).ok())
                    .flatten()
                    .map(|r| (r, seed))
            },
            strata: model
                .strata
                .iter()
                .flat_map(|s| &s.models)
                .enumerate()
                .map(|(k, m)| {
                    Sampler::new(
                        m,
                        n,
                        seed ^ (0x57A7_0000_0000 + k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    )
                })
                .collect(),
            from_stratum,
            kinds: Kinds::new(model, seed),
            given: Vec::new(),
            conditional: None,
            next: 0,
            end: n,
            failed: false,
        }
    }

    /// Never NULL in column `c` (a schema that declares it NOT NULL).
    /// Redraws the copula's normals given the categories of the given
    /// columns: each given category's score is drawn inside its interval of
    /// the normal, the others from the conditional normal, so a child's
    /// numbers follow its parent's category as the joined rows did.
    fn condition(&mut self) {
        let std = standard();
        let mut slots = Vec::new();
        let mut intervals = Vec::new();
        for (c, v) in &self.given {
            let (Some(s), Marginal::Categories { values, weights, .. }, Value::Text(t)) =
                (self.slot[*c], &self.model.columns[*c].marginal, v)
            else {
                continue;
            };
            let Some(k) = values.iter().position(|x| x == t) else {
                continue;
            };
            let lo: f64 = weights[..k].iter().sum();
            intervals.push((lo, lo + weights[k]));
            slots.push(s);
        }
        if slots.is_empty() {
            return;
        }
        let fresh = self.conditional.as_ref().is_none_or(|c| c.0 != slots);
        if fresh {
            let r = &self.model.copula.correlation;
            let rest: Vec<usize> = (0..r.len()).filter(|i| !slots.contains(i)).collect();
            let gg = DMatrix::from_fn(slots.len(), slots.len(), |i, j| r[slots[i]][slots[j]]);
            let rg = DMatrix::from_fn(rest.len(), slots.len(), |i, j| r[rest[i]][slots[j]]);
            let rr = DMatrix::from_fn(rest.len(), rest.len(), |i, j| r[rest[i]][rest[j]]);
            let Some(inv) = (gg + DMatrix::identity(slots.len(), slots.len()) * 1e-9).try_inverse() else {
                return;
            };
            let a = &rg * inv;
            let cov = rr - &a * rg.transpose();
            let l = nalgebra::Cholesky::new(&cov + DMatrix::identity(rest.len(), rest.len()) * 1e-9)
                .map_or_else(|| DMatrix::identity(rest.len(), rest.len()), |c| c.l());
            self.conditional = Some((slots.clone(), rest, a, l));
        }
        let Some((_, rest, a, l)) = &self.conditional else {
            return;
        };
        let zg: Vec<f64> = intervals
            .iter()
            .map(|(lo, hi)| {
                let u = lo + self.rng.random::<f64>() * (hi - lo);
                std.inverse_cdf(u.clamp(1e-9, 1.0 - 1e-9))
            })
            .collect();
        let e: Vec<f64> = (0..rest.len()).map(|_| self.rng.sample(StandardNormal)).collect();
        for (i, &r) in rest.iter().enumerate() {
            let mut z: f64 = (0..zg.len()).map(|j| a[(i, j)] * zg[j]).sum();
            for (j, ej) in e.iter().enumerate().take(i + 1) {
                z += l[(i, j)] * ej;
            }
            self.uniforms[r] = std.cdf(z);
        }
        for (s, z) in slots.iter().zip(&zg) {
            self.uniforms[*s] = std.cdf(*z);
        }
    }

    /// The next row with the columns of `given` set to its values (before
    /// the relations are applied, so a date drawn above a given one stays
    /// above it; a given strata category picks its sub-model).
    pub(crate) fn next_given(&mut self, given: &[(usize, Value)]) -> Result<Row> {
        self.given.clear();
        self.given.extend_from_slice(given);
        let row = self.next();
        self.given.clear();
        row.unwrap_or_else(|| {
            Err(Error::Unsatisfiable {
                table: self.model.table.clone(),
                column: String::new(),
                message: format!("more than the {} rows planned were asked for", self.end),
            })
        })
    }

    pub(crate) fn require(&mut self, c: usize) {
        self.required[c] = true;
        for s in &mut self.strata {
            s.require(c);
        }
    }

    fn row(&mut self) -> Result<Row> {
        let std = standard();
        if let Some(k) = &mut self.kinds {
            k.next_row(self.next)?;
        }
        if let Some(l) = &self.chol {
            let k = self.normals.len();
            for e in &mut self.normals {
                *e = self.rng.sample(StandardNormal);
            }
            for i in 0..k {
                let mut z = 0.0;
                for j in 0..=i {
                    z += l[(i, j)] * self.normals[j];
                }
                self.uniforms[i] = std.cdf(z);
            }
            if !self.given.is_empty() {
                self.condition();
            }
        }
        let index = self.next;
        let mut row = Vec::with_capacity(self.model.columns.len());
        for (c, col) in self.model.columns.iter().enumerate() {
            let u = match self.slot[c] {
                Some(s) if self.chol.is_some() => self.uniforms[s],
                _ => self.rng.random::<f64>(),
            };
            self.numbers[c] = f64::NAN;
            self.draws[c] = (u, false);
            if col.null_rate > 0.0 && self.rng.random::<f64>() < col.null_rate && !self.required[c] {
                row.push(Value::Null);
                continue;
            }
            if self.constructed[c] {
                self.draws[c].1 = true;
                row.push(Value::Null);
                continue;
            }
            let value = self.value(c, col, u, index)?;
            row.push(value);
        }
        for (c, v) in &self.given {
            let c = *c;
            row[c] = v.clone();
            self.draws[c].1 = false;
            self.numbers[c] = number_of(&self.model.columns[c], v);
        }
        self.relate(&mut row, index)?;
        if let Some(strata) = &self.model.strata {
            let u: f64 = self.rng.random();
            let column = self.model.columns.iter().position(|c| c.name == strata.column);
            let given = column
                .and_then(|c| self.given.iter().find(|g| g.0 == c))
                .map(|g| &g.1);
            let k = match given {
                // A given category picks its stratum (else the rest's).
                Some(v) => {
                    let text = match v {
                        Value::Text(t) => Some(t.as_str()),
                        _ => None,
                    };
                    strata
                        .values
                        .iter()
                        .position(|s| s.as_deref() == text && text.is_some())
                        .or_else(|| strata.values.iter().position(Option::is_none))
                        .unwrap_or_else(|| pick(&strata.weights, u))
                }
                None => pick(&strata.weights, u),
            };
            let given = std::mem::take(&mut self.given);
            let sub = self.strata.get_mut(k).map(|s| s.next_given(&given));
            self.given = given;
            if let Some(sub) = sub {
                for (c, v) in sub?.into_iter().enumerate() {
                    if self.from_stratum.get(c).copied().unwrap_or(false) {
                        row[c] = v;
                    }
                }
            }
        }
        if let Some((rules, stream)) = &mut self.repair {
            rules.apply(&mut row, *stream, index, Mode::Repair)?;
        }
        self.next += 1;
        Ok(row)
    }

    /// Applies the relations to a drawn row, in order: derived columns are
    /// computed, gap columns drawn above their lower column, bounds raised,
    /// disallowed categories redrawn.
    fn relate(&mut self, row: &mut [Value], index: u64) -> Result<()> {
        for s in 0..self.steps.len() {
            match &self.steps[s] {
                &Step::Arithmetic {
                    target,
                    left,
                    right,
                    product,
                } => {
                    if !self.draws[target].1 {
                        continue;
                    }
                    let (a, b) = (self.numbers[left], self.numbers[right]);
                    let col = &self.model.columns[target];
                    if a.is_nan() || b.is_nan() {
                        if self.required[target] {
                            row[target] = self.value(target, col, self.draws[target].0, index)?;
                        }
                        continue;
                    }
                    let x = if product { a * b } else { a + b };
                    let (value, x) = format_number(col, x, false);
                    row[target] = value;
                    self.numbers[target] = x;
                }
                &Step::AtLeast {
                    target,
                    lower,
                    min_gap,
                    gap,
                } => {
                    let col = &self.model.columns[target];
                    let base = self.numbers[lower];
                    let (u, drawn_here) = self.draws[target];
                    if drawn_here {
                        match gap {
                            Some(gap) if !base.is_nan() => {
                                let (lo, hi) = match &col.marginal {
                                    Marginal::Numeric { min, max, .. } => (*min, *max),
                                    _ => (f64::NEG_INFINITY, f64::INFINITY),
                                };
                                let g = gap.distribution.inverse(u).clamp(min_gap, gap.max.max(min_gap));
                                let x = (base + g).clamp(lo, hi.max(lo)).max(base + min_gap);
                                let (value, x) = format_number(col, x, false);
                                let (value, x) = if x < base + min_gap {
                                    format_number(col, base + min_gap, true)
                                } else {
                                    (value, x)
                                };
                                row[target] = value;
                                self.numbers[target] = x;
                            }
                            _ => row[target] = self.value(target, col, u, index)?,
                        }
                    } else if !base.is_nan() && self.numbers[target] < base + min_gap {
                        let (value, x) = format_number(col, base + min_gap, true);
                        row[target] = value;
                        self.numbers[target] = x;
                    }
                }
                Step::Combination { from, to, allowed } => {
                    let (Value::Text(f), Value::Text(t)) = (&row[*from], &row[*to]) else {
                        continue;
                    };
                    let Some(ok) = allowed.get(f.as_str()) else {
                        continue;
                    };
                    if ok.to.iter().any(|v| v == t) {
                        continue;
                    }
                    let u: f64 = self.rng.random();
                    let mut acc = 0.0;
                    let mut pick = ok.to.len().saturating_sub(1);
                    for (i, w) in ok.weights.iter().enumerate() {
                        acc += w;
                        if u <= acc {
                            pick = i;
                            break;
                        }
                    }
                    row[*to] = Value::Text(ok.to[pick].clone());
                }
            }
        }
        Ok(())
    }

    fn value(&mut self, c: usize, col: &ColumnModel, u: f64, index: u64) -> Result<Value> {
        Ok(match &col.marginal {
            Marginal::Empty => Value::Null,
            Marginal::Kind { .. } => self
                .kinds
                .as_mut()
                .and_then(|k| k.values.get_mut(c))
                .and_then(Option::take)
                .unwrap_or(Value::Null),
            Marginal::Sequence { start } => Value::Int(start.saturating_add(index as i64)),
            Marginal::Numeric {
                distribution,
                min,
                max,
                decimals,
            } => {
                let x = distribution.inverse(u).clamp(*min, *max);
                self.numbers[c] = x;
                match col.kind {
                    ColumnKind::Integer => {
                        let mut i = x.round() as i64;
                        if let Some(seen) = &mut self.seen_int[c] {
                            // Next free number: keeps the shape, never repeats.
                            while !seen.insert(i) {
                                i = i.wrapping_add(1);
                            }
                        }
                        self.numbers[c] = i as f64;
                        Value::Int(i)
                    }
                    ColumnKind::Date | ColumnKind::DateTime => {
                        let (value, x) = format_number(col, x, false);
                        self.numbers[c] = x;
                        value
                    }
                    _ => {
                        let scale = 10f64.powi(*decimals as i32);
                        let x = if *decimals < 15 {
                            // Rounded, then kept inside the seen range again.
                            ((x * scale).round() / scale).clamp(*min, *max)
                        } else {
                            x
                        };
                        self.numbers[c] = x;
                        Value::Float(x)
                    }
                }
            }
            Marginal::Categories { values, weights, .. } => {
                let mut acc = 0.0;
                let mut pick = values.len().saturating_sub(1);
                for (i, w) in weights.iter().enumerate() {
                    acc += w;
                    if u <= acc {
                        pick = i;
                        break;
                    }
                }
                let v = values.get(pick).cloned().unwrap_or_default();
                if col.kind == ColumnKind::Boolean {
                    Value::Bool(v == "true")
                } else {
                    Value::Text(v)
                }
            }
            Marginal::Pattern { pattern } => {
                let mut s = String::new();
                for _ in 0..UNIQUE_TRIES {
                    pattern.generate(&mut self.rng, &mut s);
                    let fresh = match &mut self.seen_text[c] {
                        Some(seen) => seen.insert(s.clone()),
                        None => true,
                    };
                    if fresh {
                        return Ok(Value::Text(s));
                    }
                }
                return Err(Error::Unsatisfiable {
                    table: self.model.table.clone(),
                    column: col.name.clone(),
                    message: format!(
                        "row {index}: the template {} makes at most {} distinct values and they are (nearly) used up; ask for fewer rows",
                        pattern.regex(),
                        pattern.capacity()
                    ),
                });
            }
            Marginal::Uuid => {
                let bytes: [u8; 16] = self.rng.random();
                Value::Text(uuid::Builder::from_random_bytes(bytes).into_uuid().to_string())
            }
            Marginal::Words {
                min,
                max,
                mean,
                max_chars,
            } => {
                // Word counts spread around the mean within the seen range.
                let spread = f64::from(max - min) / 2.0;
                let n = (mean + (u - 0.5) * spread * 2.0)
                    .round()
                    .clamp(f64::from(*min), f64::from(*max)) as usize;
                Value::Text(free_text(n.max(1), *max_chars as usize, &mut self.rng))
            }
        })
    }
}

impl Iterator for Sampler<'_> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.next >= self.end {
            return None;
        }
        let row = self.row();
        self.failed = row.is_err();
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        (0, Some(if self.failed { 0 } else { left }))
    }
}

/// The copula conditioned on given slots: `(given slots, other slots,
/// Σ_rG Σ_GG⁻¹, Cholesky factor of Σ_r|G)`.
type Conditional = (Vec<usize>, Vec<usize>, DMatrix<f64>, DMatrix<f64>);

/// A value of a column as the number the relations work with (days for
/// dates, seconds for date-times), NaN when it is none.
fn number_of(col: &ColumnModel, v: &Value) -> f64 {
    match (col.kind, v) {
        (_, Value::Int(i)) => *i as f64,
        (_, Value::Float(x)) => *x,
        (ColumnKind::Date, Value::Text(t)) => super::parse_date(t.trim()).map_or(f64::NAN, |d| d as f64),
        (ColumnKind::DateTime, Value::Text(t)) => {
            super::parse_datetime(t.trim()).map_or(f64::NAN, |d| d as f64)
        }
        (_, Value::Text(t)) => t.trim().parse().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// Free text of about `words` words from the offline engine's English
/// sentences (its vocabulary, never the data's: the model keeps only word
/// counts and lengths): whole sentences while they fit, the count closest
/// to `words`; shorter than one sentence, its first words (not ending on
/// `the`). Cut at a word boundary to at most `max_chars` characters (0: no
/// limit).
fn free_text(words: usize, max_chars: usize, rng: &mut EngineRng) -> String {
    use crate::engine::offline::values::{TextKind, text};
    const DANGLING: [&str; 5] = ["the", "near", "every", "on", "a"];
    let mut s = if words == 1 {
        text(TextKind::Word, rng)
    } else {
        let first = text(TextKind::Sentence, rng);
        let count = first.split(' ').count();
        if words < count {
            let mut kept: Vec<&str> = first.split(' ').take(words).collect();
            while kept.len() > 1 && kept.last().is_some_and(|w| DANGLING.contains(w)) {
                kept.pop();
            }
            let mut s = kept.join(" ");
            s.push('.');
            s
        } else {
            let (mut s, mut n) = (first, count);
            loop {
                let next = text(TextKind::Sentence, rng);
                let more = next.split(' ').count();
                // Stop when one more sentence would leave the count further off.
                if n + more > words && n + more - words >= words - n {
                    break;
                }
                s.push(' ');
                s.push_str(&next);
                n += more;
                if n >= words {
                    break;
                }
            }
            s
        }
    };
    if max_chars > 0 && s.chars().count() > max_chars {
        let cut: String = s.chars().take(max_chars).collect();
        s = match cut.rfind(' ') {
            Some(i) if i > 0 => cut[..i].to_owned(),
            _ => cut,
        };
    }
    s
}

/// Rows the offline engine makes at a time for the semantic columns.
const KIND_BATCH: u64 = 1024;

/// The semantic columns of a model, generated by the offline engine from
/// their kinds (its relations keep an e-mail address with the row's names).
struct Kinds {
    engine: crate::engine::OfflineEngine,
    table: crate::schema::Table,
    /// Model position of each of `table`'s columns.
    positions: Vec<usize>,
    buffer: std::collections::VecDeque<Row>,
    /// This row's values, by model column.
    values: Vec<Option<Value>>,
    end: u64,
    /// The model's locale, when not English: its names, e-mail addresses and phones.
    localizer: Option<super::locale::Localizer>,
    rng: EngineRng,
}

impl Kinds {
    fn new(model: &FittedModel, seed: u64) -> Option<Kinds> {
        let mut table = crate::schema::Table::new(model.table.clone());
        let mut positions = Vec::new();
        for (c, col) in model.columns.iter().enumerate() {
            if let Marginal::Kind { kind } = &col.marginal {
                let mut column = crate::schema::Column::new(col.name.clone(), crate::schema::DataType::Text)
                    .with_kind(kind.clone());
                column.unique = col.unique;
                table = table.with_column(column);
                positions.push(c);
            }
        }
        let localizer = super::locale::Localizer::new(
            model.locale.as_deref(),
            positions
                .iter()
                .filter_map(|&c| match &model.columns[c].marginal {
                    Marginal::Kind { kind } => Some((c, kind.as_str(), model.columns[c].unique)),
                    _ => None,
                }),
        );
        (!positions.is_empty()).then(|| Kinds {
            engine: crate::engine::OfflineEngine::new().with_seed(seed),
            table,
            positions,
            buffer: std::collections::VecDeque::new(),
            values: vec![None; model.columns.len()],
            end: 0,
            localizer,
            rng: EngineRng::seed_from_u64(seed ^ 0x0010_CA1E),
        })
    }

    fn next_row(&mut self, index: u64) -> Result<()> {
        if self.buffer.is_empty() {
            self.end = index + KIND_BATCH;
            // Unique kinds stay unique across batches: the engine's rows
            // are numbered, so each batch continues the one before.
            for row in self.engine.rows_range(&self.table, index..self.end)? {
                self.buffer.push_back(row?);
            }
        }
        let row = self.buffer.pop_front().unwrap_or_default();
        for (v, &c) in row.into_iter().zip(&self.positions) {
            self.values[c] = Some(v);
        }
        if let Some(localizer) = &self.localizer {
            let values = &self.values;
            let local = localizer.row(index, &mut self.rng, |c| values.get(c).cloned().flatten());
            for (c, v) in local {
                self.values[c] = Some(v);
            }
        }
        Ok(())
    }
}

/// The index `u` falls on in cumulative `weights`.
fn pick(weights: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.len().saturating_sub(1)
}

/// A relation of the model, by column positions.
enum Step<'m> {
    Arithmetic {
        target: usize,
        left: usize,
        right: usize,
        product: bool,
    },
    AtLeast {
        target: usize,
        lower: usize,
        min_gap: f64,
        gap: Option<&'m Gap>,
    },
    Combination {
        from: usize,
        to: usize,
        allowed: HashMap<&'m str, &'m Allowed>,
    },
}

/// The model's rules as steps; a rule naming a column the model lacks is skipped.
fn steps(model: &FittedModel) -> Vec<Step<'_>> {
    let at = |name: &str| model.columns.iter().position(|c| c.name == name);
    model
        .rules
        .iter()
        .filter_map(|r| {
            Some(match &r.rule {
                StatsRule::Sum { column, left, right } | StatsRule::Product { column, left, right } => {
                    Step::Arithmetic {
                        target: at(column)?,
                        left: at(left)?,
                        right: at(right)?,
                        product: matches!(r.rule, StatsRule::Product { .. }),
                    }
                }
                StatsRule::AtLeast {
                    column,
                    lower,
                    min_gap,
                    gap,
                } => Step::AtLeast {
                    target: at(column)?,
                    lower: at(lower)?,
                    min_gap: *min_gap,
                    gap: gap.as_ref(),
                },
                StatsRule::Combination { from, to, allowed } => Step::Combination {
                    from: at(from)?,
                    to: at(to)?,
                    allowed: allowed.iter().map(|a| (a.value.as_str(), a)).collect(),
                },
            })
        })
        .collect()
}

/// A number as the column's value (integers, dates and date-times whole,
/// floats at the data's decimals; rounded up with `up`) and the number kept.
fn format_number(col: &ColumnModel, x: f64, up: bool) -> (Value, f64) {
    let whole = |x: f64| if up { (x - 1e-9).ceil() } else { x.round() };
    match col.kind {
        ColumnKind::Integer => {
            let x = whole(x);
            (Value::Int(x as i64), x)
        }
        ColumnKind::Date => {
            let x = whole(x);
            (format_date(x as i64).map_or(Value::Null, Value::Text), x)
        }
        ColumnKind::DateTime => {
            let x = whole(x);
            let style = col.datetime_style.unwrap_or((true, false));
            (
                format_datetime(x as i64, style).map_or(Value::Null, Value::Text),
                x,
            )
        }
        _ => {
            let decimals = match &col.marginal {
                Marginal::Numeric { decimals, .. } => *decimals,
                _ => 15,
            };
            if decimals >= 15 {
                return (Value::Float(x), x);
            }
            let scale = 10f64.powi(decimals as i32);
            let x = if up {
                (x * scale - 1e-6).ceil() / scale
            } else {
                (x * scale).round() / scale
            };
            (Value::Float(x), x)
        }
    }
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub(crate) fn format_date(days: i64) -> Option<String> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let d = epoch.checked_add_signed(chrono::TimeDelta::try_days(days)?)?;
    Some(d.format("%Y-%m-%d").to_string())
}

/// A date-time of seconds since the epoch, with `T` or a space and an optional `Z`.
pub(crate) fn format_datetime(secs: i64, (t, z): (bool, bool)) -> Option<String> {
    let dt = DateTime::from_timestamp(secs, 0)?.naive_utc();
    let layout = match (t, z) {
        (true, true) => "%Y-%m-%dT%H:%M:%SZ",
        (true, false) => "%Y-%m-%dT%H:%M:%S",
        (false, true) => "%Y-%m-%d %H:%M:%SZ",
        (false, false) => "%Y-%m-%d %H:%M:%S",
    };
    Some(dt.format(layout).to_string())
}
