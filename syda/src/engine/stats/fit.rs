//! Fitting: a first pass infers each column's type, a second collects the
//! values the marginals and the copula need (numbers and category codes;
//! text columns only contribute running statistics).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};

use rand::SeedableRng;

use super::copula::{correlation, normal_scores};
use super::infer::{Inferred, Profile, parse_bool};
use super::marginal::{DISCRETE_MAX, Distribution, fit_numeric};
use super::model::{ColumnKind, ColumnModel, Copula, FittedModel, MODEL_FORMAT, Marginal, Strata};
use super::relations::{self, CategoricalColumn, NumericColumn, Relation, StatsRule};
use super::source::{Cell, Source};
use crate::engine::EngineRng;
use crate::engine::offline::{parse_date, parse_datetime};
use crate::error::{Error, Result};
use crate::value::Value;

/// Distinct values at or below which text is categorical (when values repeat).
const CATEGORICAL_MAX: usize = 500;

/// Share of a number's variance a categorical column must explain (η²,
/// the correlation ratio) to split the model by its categories; of the
/// columns that do, the one explaining most in sum is taken.
pub const STRATIFY_MIN: f64 = 0.2;

/// Most categories a stratifying column may have.
const STRATA_MAX: usize = 24;

/// Fewest rows of a category for it to get a sub-model of its own; rarer
/// ones share one. Measured: iris' three 50-row species lose more in column
/// shapes (93.6 % → 87.1 %) than the split gains; penguins' 68 to 152-row
/// species gain (overall 90.5 % → 95.2 %).
const STRATUM_MIN_ROWS: usize = 60;

/// Cells (rows × columns) above which no strata are fitted: their rows
/// are held in memory while the sub-models are fitted.
const STRATA_MAX_CELLS: u64 = 20_000_000;

/// Share of values that must share one shape for text to be an identifier.
const PATTERN_SHARE: f64 = 0.99;

/// Settings of [`fit_with`].
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Categories (and discrete numbers) seen fewer times than this are not
    /// kept in the model and never generated, so a rare real value cannot
    /// leak. Default 5.
    pub min_category_count: u64,
    /// Seed of the jitter that spreads tied values over their ranks.
    pub seed: u64,
    /// Table name of the model; default: the source's name.
    pub table: Option<String>,
    /// Learn relations between columns (sums, products, inequalities,
    /// allowed combinations) and keep them when sampling. Default on.
    pub relations: bool,
    /// Fit one sub-model per category of the categorical column the
    /// numbers depend on most, when they depend on it enough
    /// ([`STRATIFY_MIN`]). Default on.
    pub stratify: bool,
}

/// What a stratum's sub-model takes from the whole table's model.
struct Forced {
    /// The relations, instead of learning them.
    rules: Vec<Relation>,
    /// Each column's kind, instead of inferring it from fewer rows.
    kinds: Vec<ColumnKind>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            min_category_count: 5,
            seed: 0,
            table: None,
            relations: true,
            stratify: true,
        }
    }
}

/// Fits a model to `source` with the default [`FitOptions`].
pub fn fit(source: &Source) -> Result<FittedModel> {
    fit_with(source, &FitOptions::default())
}

/// What the second pass collects for one column.
enum Collect {
    Nothing,
    /// Values as numbers, NaN for NULL.
    Numbers(Inferred, Vec<f64>),
    /// Category order positions, NaN for NULL and rare categories;
    /// booleans are looked up by their canonical `true`/`false`.
    Codes {
        codes: HashMap<String, f64>,
        boolean: bool,
        values: Vec<f64>,
    },
    /// Hashes, to learn whether every value is distinct.
    Distinct(HashSet<u64>, bool),
}

/// Fits a model to `source`.
pub fn fit_with(source: &Source, options: &FitOptions) -> Result<FittedModel> {
    fit_forced(source, options, None, &[])
}

/// [`fit_with`], splitting by one of `prefer` (a child's parent columns)
/// when one explains enough, so children follow their parent's category.
pub(crate) fn fit_preferring(
    source: &Source,
    options: &FitOptions,
    prefer: &[String],
) -> Result<FittedModel> {
    fit_forced(source, options, None, prefer)
}

fn fit_forced(
    source: &Source,
    options: &FitOptions,
    forced: Option<&Forced>,
    prefer: &[String],
) -> Result<FittedModel> {
    let origin = source.origin();
    let fail = |message: String| Error::Fit {
        source: None,
        origin: origin.clone(),
        message,
    };
    let names = source.columns()?;
    if names.is_empty() {
        return Err(fail(
            "no columns: expected a header row or JSON objects with keys".into(),
        ));
    }
    let mut profiles: Vec<Profile> = names.iter().map(|_| Profile::new()).collect();
    let rows = source.scan(&names, &mut |cells| {
        for (p, c) in profiles.iter_mut().zip(cells) {
            p.push(*c);
        }
        Ok(())
    })?;
    if rows == 0 {
        return Err(fail("no rows to learn from".into()));
    }

    let min_count = options.min_category_count.max(1);
    let table_name = options.table.clone().unwrap_or_else(|| source.name());
    let mut models: Vec<ColumnModel> = Vec::with_capacity(names.len());
    let mut collect: Vec<Collect> = Vec::with_capacity(names.len());
    for (column, (name, p)) in names.iter().zip(&profiles).enumerate() {
        let kind = forced.and_then(|f| f.kinds.get(column).copied());
        let null_rate = p.nulls as f64 / p.count as f64;
        let mut model = ColumnModel {
            name: name.clone(),
            kind: ColumnKind::Text,
            null_rate,
            unique: false,
            marginal: Marginal::Empty,
            ks_distance: None,
            datetime_style: None,
        };
        let inferred = match (p.inferred(), kind) {
            (Inferred::Empty, _) | (_, None) => p.inferred(),
            (_, Some(k)) => match k {
                ColumnKind::Integer => Inferred::Integer,
                ColumnKind::Float => Inferred::Float,
                ColumnKind::Boolean => Inferred::Boolean,
                ColumnKind::Date => Inferred::Date,
                ColumnKind::DateTime => Inferred::DateTime,
                ColumnKind::Uuid => Inferred::Uuid,
                ColumnKind::Categorical | ColumnKind::Identifier | ColumnKind::Text => Inferred::Text,
            },
        };
        let c = match inferred {
            Inferred::Empty => Collect::Nothing,
            Inferred::Boolean => {
                model.kind = ColumnKind::Boolean;
                let (mut t, mut f) = (0u64, 0u64);
                for (value, n) in p.distinct.iter().flatten() {
                    match parse_bool(value) {
                        Some(true) => t += *n,
                        _ => f += *n,
                    }
                }
                // false before true (not by frequency): the order is the
                // values' own, so a flag that follows a number keeps its
                // monotone dependence in the copula.
                let cats: Vec<(String, u64)> = [("false", f), ("true", t)]
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(v, n)| (v.to_owned(), n))
                    .collect();
                let codes = codes_of(&cats);
                model.marginal = categories(&cats, 0);
                Collect::Codes {
                    codes,
                    boolean: true,
                    values: Vec::with_capacity(rows as usize),
                }
            }
            Inferred::Integer | Inferred::Float | Inferred::Date | Inferred::DateTime => {
                model.kind = match inferred {
                    Inferred::Integer => ColumnKind::Integer,
                    Inferred::Float => ColumnKind::Float,
                    Inferred::Date => ColumnKind::Date,
                    _ => ColumnKind::DateTime,
                };
                model.datetime_style = p.datetime_style;
                Collect::Numbers(inferred, Vec::with_capacity(rows as usize))
            }
            Inferred::Uuid => {
                model.kind = ColumnKind::Uuid;
                model.marginal = Marginal::Uuid;
                Collect::Distinct(HashSet::new(), true)
            }
            Inferred::Text if let Some(kind) = semantic(&table_name, name, p) => {
                model.marginal = Marginal::Kind {
                    kind: kind.to_owned(),
                };
                Collect::Distinct(HashSet::new(), true)
            }
            Inferred::Text => {
                let counts = p.distinct.as_ref().filter(|d| match kind {
                    Some(k) => k == ColumnKind::Categorical,
                    None => d.len() <= CATEGORICAL_MAX && (d.len() as u64) * 2 <= p.non_null(),
                });
                let cats = counts.map(|d| {
                    let cats = ordered(d.iter().map(|(k, v)| (k.clone(), *v)).collect(), min_count);
                    let total: u64 = d.values().sum();
                    let kept: u64 = cats.iter().map(|(_, n)| n).sum();
                    (cats, total - kept)
                });
                if let Some((cats, rare)) = cats.filter(|(cats, _)| !cats.is_empty()) {
                    model.kind = ColumnKind::Categorical;
                    model.marginal = categories(&cats, rare);
                    Collect::Codes {
                        codes: codes_of(&cats),
                        boolean: false,
                        values: Vec::with_capacity(rows as usize),
                    }
                } else if let Some(pattern) = p
                    .template
                    .pattern(PATTERN_SHARE)
                    .filter(|_| kind.is_none_or(|k| k == ColumnKind::Identifier))
                {
                    model.kind = ColumnKind::Identifier;
                    model.marginal = Marginal::Pattern { pattern };
                    Collect::Distinct(HashSet::new(), true)
                } else {
                    let (min, max, sum) = p.words;
                    model.marginal = Marginal::Words {
                        min: min.min(max) as u32,
                        max: max as u32,
                        mean: sum as f64 / p.non_null().max(1) as f64,
                        max_chars: p.chars.1 as u32,
                    };
                    Collect::Nothing
                }
            }
        };
        models.push(model);
        collect.push(c);
    }

    let hasher = RandomState::new();
    source.scan(&names, &mut |cells| {
        for (c, cell) in collect.iter_mut().zip(cells) {
            match c {
                Collect::Nothing => {}
                Collect::Numbers(ty, values) => values.push(number(*ty, *cell)),
                Collect::Codes {
                    codes,
                    boolean,
                    values,
                } => {
                    let code = |key: &str| codes.get(key).copied().unwrap_or(f64::NAN);
                    let canonical = |b: bool| if b { "true" } else { "false" };
                    values.push(match cell {
                        Cell::Null => f64::NAN,
                        Cell::Bool(b) => code(canonical(*b)),
                        Cell::Text(s) if *boolean => {
                            parse_bool(s.trim()).map_or(f64::NAN, |b| code(canonical(b)))
                        }
                        Cell::Text(s) => code(s.trim()),
                        Cell::Int(i) => code(&i.to_string()),
                        Cell::Float(x) => code(&x.to_string()),
                    });
                }
                Collect::Distinct(seen, all) => {
                    if *all && let Cell::Text(s) = cell {
                        *all = seen.insert(hasher.hash_one(s.trim()));
                    }
                }
            }
        }
        Ok(())
    })?;

    let mut rng = EngineRng::seed_from_u64(options.seed);
    // Marginals first; the values the copula and the relations need are kept
    // (numbers as they are, categories as codes) until the scores are taken.
    let mut pending: Vec<(usize, Vec<f64>)> = Vec::new();
    for (index, ((model, c), profile)) in models.iter_mut().zip(collect).zip(&profiles).enumerate() {
        match c {
            Collect::Nothing => {}
            Collect::Distinct(_, all) => model.unique = all,
            Collect::Codes { codes, values, .. } => {
                if codes.len() > 1 {
                    pending.push((index, values));
                }
            }
            Collect::Numbers(_, mut values) => {
                let mut sorted: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
                sorted.sort_unstable_by(f64::total_cmp);
                let runs = run_lengths(&sorted);
                let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
                let all_distinct = runs.len() == sorted.len();
                if model.kind == ColumnKind::Integer && all_distinct && model.null_rate == 0.0 {
                    if (max - min + 1.0) as usize == sorted.len() && sorted.len() > 1 {
                        model.unique = true;
                        model.marginal = Marginal::Sequence { start: min as i64 };
                        continue;
                    }
                    model.unique = looks_like_key(&model.name);
                }
                let discrete = runs.len() <= DISCRETE_MAX && runs.len() * 2 <= sorted.len();
                let (distribution, ks) = fit_numeric(
                    &sorted,
                    discrete.then_some(runs.as_slice()),
                    min_count,
                    matches!(model.kind, ColumnKind::Integer | ColumnKind::Float),
                );
                drop(sorted);
                model.ks_distance = ks;
                if let Distribution::Discrete { values: kept, .. } = &distribution
                    && kept.len() < runs.len()
                {
                    for v in &mut values {
                        if kept.binary_search_by(|k| k.total_cmp(v)).is_err() {
                            *v = f64::NAN;
                        }
                    }
                }
                model.marginal = Marginal::Numeric {
                    distribution,
                    min,
                    max,
                    decimals: if model.kind == ColumnKind::Float {
                        profile.decimals
                    } else {
                        0
                    },
                };
                if runs.len() > 1 && !model.unique {
                    pending.push((index, values));
                }
            }
        }
    }

    let rules = match forced {
        Some(forced) => {
            reshape(&models, &mut pending, &forced.rules);
            forced.rules.clone()
        }
        None if options.relations => discover(&models, &mut pending, min_count),
        None => Vec::new(),
    };
    let stratum = if options.stratify && rows.saturating_mul(names.len() as u64) <= STRATA_MAX_CELLS {
        choose_stratum(&models, &pending, prefer)
    } else {
        None
    };
    let mut copula_names = Vec::new();
    let mut scores: Vec<Vec<f64>> = Vec::new();
    for (index, mut values) in pending {
        normal_scores(&mut values, &mut rng);
        copula_names.push(models[index].name.clone());
        scores.push(values);
    }
    let correlation = correlation(&scores);
    let mut strata = match stratum {
        Some(pick) => Some(fit_strata(source, &names, &models, pick, &rules, options)?),
        None => None,
    };
    let semantic: Vec<(&str, &[String])> = models
        .iter()
        .zip(&profiles)
        .filter_map(|(m, p)| match &m.marginal {
            Marginal::Kind { kind } => Some((kind.as_str(), p.sample.as_slice())),
            _ => None,
        })
        .collect();
    let locale = super::locale::guess(&semantic);
    // One locale for the whole table: the strata draw their rows' names alike.
    if let Some(strata) = &mut strata {
        for m in &mut strata.models {
            m.locale.clone_from(&locale);
        }
    }
    Ok(FittedModel {
        format: MODEL_FORMAT,
        table: options.table.clone().unwrap_or_else(|| source.name()),
        rows,
        columns: models,
        copula: Copula {
            columns: copula_names,
            correlation,
        },
        rules,
        strata,
        locale,
    })
}

fn number(ty: Inferred, cell: Cell<'_>) -> f64 {
    match (ty, cell) {
        (_, Cell::Null) => f64::NAN,
        (_, Cell::Int(i)) => i as f64,
        (_, Cell::Float(x)) => x,
        (_, Cell::Bool(b)) => f64::from(u8::from(b)),
        (Inferred::Date, Cell::Text(s)) => parse_date(s.trim()).map_or(f64::NAN, |d| d as f64),
        (Inferred::DateTime, Cell::Text(s)) => parse_datetime(s.trim()).map_or(f64::NAN, |d| d as f64),
        (_, Cell::Text(s)) => s.trim().parse().unwrap_or(f64::NAN),
    }
}

/// Categories with at least `min_count` values, most frequent first (ties by value).
fn ordered(mut counts: Vec<(String, u64)>, min_count: u64) -> Vec<(String, u64)> {
    counts.retain(|(_, n)| *n >= min_count);
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

fn codes_of(cats: &[(String, u64)]) -> HashMap<String, f64> {
    cats.iter()
        .enumerate()
        .map(|(i, (v, _))| (v.clone(), i as f64))
        .collect()
}

fn categories(cats: &[(String, u64)], rare: u64) -> Marginal {
    let kept: u64 = cats.iter().map(|(_, n)| n).sum();
    Marginal::Categories {
        values: cats.iter().map(|(v, _)| v.clone()).collect(),
        weights: cats.iter().map(|(_, n)| *n as f64 / kept.max(1) as f64).collect(),
        rare: rare as f64 / (kept + rare).max(1) as f64,
    }
}

/// `(value, count)` of sorted values.
fn run_lengths(sorted: &[f64]) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for &x in sorted {
        match out.last_mut() {
            Some((v, n)) if *v == x => *n += 1,
            _ => out.push((x, 1)),
        }
    }
    out
}

/// Share of a text column's values that must look like e-mail addresses,
/// URLs or phone numbers (or, for a column named like a person or place,
/// like names) for it to be generated by that kind.
const SEMANTIC_SHARE: f64 = 0.95;

/// The offline kind of a personal or identifying text column: e-mail
/// addresses, URLs and phone numbers by what the values look like; names,
/// addresses, user names and bank or card numbers by the column's name
/// (as the offline engine reads names) when the values fit it.
fn semantic(table: &str, name: &str, p: &Profile) -> Option<&'static str> {
    let sh = &p.shapes;
    if sh.share(sh.email) >= SEMANTIC_SHARE {
        return Some("email");
    }
    if sh.share(sh.url) >= SEMANTIC_SHARE {
        return Some("url");
    }
    if sh.share(sh.phone) >= SEMANTIC_SHARE {
        return Some("phone");
    }
    let by_name = crate::engine::infer_kind(
        &crate::schema::Table::new(table.to_owned()),
        &crate::schema::Column::new(name.to_owned(), crate::schema::DataType::Text),
    )?;
    let names = ["first_name", "last_name", "name"];
    let free = [
        "address",
        "street_address",
        "username",
        "iban",
        "credit_card",
        "bic",
    ];
    if names.contains(&by_name) && sh.share(sh.name_like) >= SEMANTIC_SHARE {
        return Some(by_name);
    }
    (free.contains(&by_name)).then_some(by_name)
}

/// `id`, `customer_id`, `orderId`, `sku_key`: a distinct integer column so
/// named is a key (kept distinct, left out of the copula).
fn looks_like_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id" || lower.ends_with("_id") || name.ends_with("Id") || lower.ends_with("key")
}

/// The column to split by and each row's stratum.
struct StratumPick {
    column: usize,
    /// Per row: the stratum, `None` for a row in none (never: the rest
    /// stratum takes NULLs and rare values).
    of_row: Vec<u32>,
    /// Per stratum: its category (`None`: the rest).
    values: Vec<Option<String>>,
}

/// The categorical column whose categories explain most of the numbers'
/// variance (η² summed over the numeric copula columns), among those that
/// explain at least [`STRATIFY_MIN`] of one number's and have two
/// categories with enough rows.
fn choose_stratum(
    models: &[ColumnModel],
    pending: &[(usize, Vec<f64>)],
    prefer: &[String],
) -> Option<StratumPick> {
    let numeric: Vec<&Vec<f64>> = pending
        .iter()
        .filter(|(i, _)| models[*i].kind.is_numeric())
        .map(|(_, v)| v)
        .collect();
    if numeric.is_empty() {
        return None;
    }
    let mut best: Option<(f64, usize)> = None;
    for (p, (i, codes)) in pending.iter().enumerate() {
        let Marginal::Categories { values, .. } = &models[*i].marginal else {
            continue;
        };
        if models[*i].kind != ColumnKind::Categorical || values.len() > STRATA_MAX {
            continue;
        }
        let k = values.len();
        let big = (0..k)
            .filter(|&c| codes.iter().filter(|x| **x == c as f64).count() >= STRATUM_MIN_ROWS)
            .count();
        if big < 2 {
            continue;
        }
        let etas: Vec<f64> = numeric.iter().map(|x| eta_squared(codes, x, k)).collect();
        let (most, sum) = (etas.iter().copied().fold(0.0, f64::max), etas.iter().sum::<f64>());
        // A preferred column counts as explaining everything else it may.
        let rank = sum
            + if prefer.contains(&models[*i].name) {
                1e6
            } else {
                0.0
            };
        if most >= STRATIFY_MIN && best.is_none_or(|(b, _)| rank > b) {
            best = Some((rank, p));
        }
    }
    let (_, p) = best?;
    let (column, codes) = (&pending[p].0, &pending[p].1);
    let Marginal::Categories { values, .. } = &models[*column].marginal else {
        return None;
    };
    let mut stratum_of_code: Vec<Option<u32>> = vec![None; values.len()];
    let mut strata: Vec<Option<String>> = Vec::new();
    for (c, v) in values.iter().enumerate() {
        if codes.iter().filter(|x| **x == c as f64).count() >= STRATUM_MIN_ROWS {
            stratum_of_code[c] = Some(strata.len() as u32);
            strata.push(Some(v.clone()));
        }
    }
    let rest = strata.len() as u32;
    let of_row: Vec<u32> = codes
        .iter()
        .map(|x| {
            if x.is_nan() {
                rest
            } else {
                stratum_of_code[*x as usize].unwrap_or(rest)
            }
        })
        .collect();
    if of_row.contains(&rest) {
        strata.push(None);
    }
    Some(StratumPick {
        column: *column,
        of_row,
        values: strata,
    })
}

/// The correlation ratio: share of the variance of `x` between the groups `codes`.
fn eta_squared(codes: &[f64], x: &[f64], k: usize) -> f64 {
    let (mut n, mut sum) = (vec![0.0; k], vec![0.0; k]);
    let (mut all, mut total, mut squares) = (0.0, 0.0, 0.0);
    for (c, v) in codes.iter().zip(x) {
        if c.is_nan() || v.is_nan() {
            continue;
        }
        n[*c as usize] += 1.0;
        sum[*c as usize] += v;
        all += 1.0;
        total += v;
        squares += v * v;
    }
    if all < 2.0 {
        return 0.0;
    }
    let mean = total / all;
    let variance = squares - all * mean * mean;
    if variance <= 0.0 {
        return 0.0;
    }
    let between: f64 = n
        .iter()
        .zip(&sum)
        .filter(|(n, _)| **n > 0.0)
        .map(|(n, s)| n * (s / n - mean).powi(2))
        .sum();
    (between / variance).clamp(0.0, 1.0)
}

/// Reads the source a third time, rows grouped by stratum, and fits a
/// sub-model to each with the whole table's relations.
fn fit_strata(
    source: &Source,
    names: &[String],
    models: &[ColumnModel],
    pick: StratumPick,
    rules: &[Relation],
    options: &FitOptions,
) -> Result<Strata> {
    let mut groups: Vec<Vec<crate::value::Row>> = vec![Vec::new(); pick.values.len()];
    let mut at = 0usize;
    source.scan(names, &mut |cells| {
        let row = cells
            .iter()
            .map(|c| match c {
                Cell::Null => Value::Null,
                Cell::Bool(b) => Value::Bool(*b),
                Cell::Int(i) => Value::Int(*i),
                Cell::Float(x) => Value::Float(*x),
                Cell::Text(s) => Value::Text((*s).to_owned()),
            })
            .collect();
        if let Some(&s) = pick.of_row.get(at) {
            groups[s as usize].push(row);
        }
        at += 1;
        Ok(())
    })?;
    let total: usize = groups.iter().map(Vec::len).sum();
    let sub = FitOptions {
        stratify: false,
        table: Some(options.table.clone().unwrap_or_else(|| source.name())),
        ..options.clone()
    };
    let forced = Forced {
        rules: rules.to_vec(),
        kinds: models.iter().map(|m| m.kind).collect(),
    };
    let mut fitted = Vec::with_capacity(groups.len());
    let mut weights = Vec::with_capacity(groups.len());
    for rows in groups {
        weights.push(rows.len() as f64 / total.max(1) as f64);
        fitted.push(fit_forced(
            &Source::rows(source.name(), names.to_vec(), rows),
            &sub,
            Some(&forced),
            &[],
        )?);
    }
    Ok(Strata {
        column: models[pick.column].name.clone(),
        values: pick.values,
        weights,
        models: fitted,
    })
}

/// Reshapes `pending` for relations given in advance (see [`discover`]).
fn reshape(models: &[ColumnModel], pending: &mut Vec<(usize, Vec<f64>)>, given: &[Relation]) {
    let at = |name: &str| models.iter().position(|m| m.name == name);
    for r in given {
        match &r.rule {
            StatsRule::Sum { column, .. } | StatsRule::Product { column, .. } => {
                if let Some(t) = at(column) {
                    pending.retain(|(i, _)| *i != t);
                }
            }
            StatsRule::AtLeast {
                column,
                lower,
                gap: Some(_),
                ..
            } => {
                if let (Some(t), Some(l)) = (at(column), at(lower)) {
                    to_gap(pending, l, t);
                }
            }
            _ => {}
        }
    }
}

/// Replaces column `upper`'s values in `pending` by their excess over `lower`'s.
fn to_gap(pending: &mut [(usize, Vec<f64>)], lower: usize, upper: usize) {
    let l = pending.iter().position(|(i, _)| *i == lower);
    let u = pending.iter().position(|(i, _)| *i == upper);
    if let (Some(l), Some(u)) = (l, u) {
        let below = pending[l].1.clone();
        for (y, x) in pending[u].1.iter_mut().zip(below) {
            *y -= x;
        }
    }
}

/// Finds the relations among the copula's candidate columns and reshapes
/// `pending` for them: a derived column leaves the copula (it is computed),
/// a column drawn as a gap above another enters it as that gap.
fn discover(models: &[ColumnModel], pending: &mut Vec<(usize, Vec<f64>)>, min_count: u64) -> Vec<Relation> {
    let numeric: Vec<NumericColumn<'_>> = pending
        .iter()
        .filter_map(|(i, values)| {
            let m = &models[*i];
            let Marginal::Numeric {
                min, max, decimals, ..
            } = &m.marginal
            else {
                return None;
            };
            Some(NumericColumn {
                index: *i,
                name: &m.name,
                kind: m.kind,
                decimals: *decimals,
                values,
                min: *min,
                max: *max,
            })
        })
        .collect();
    let categorical: Vec<CategoricalColumn<'_>> = pending
        .iter()
        .filter_map(|(i, codes)| {
            let m = &models[*i];
            match &m.marginal {
                Marginal::Categories { values, .. } if m.kind == ColumnKind::Categorical => {
                    Some(CategoricalColumn {
                        index: *i,
                        name: &m.name,
                        categories: values,
                        codes,
                    })
                }
                _ => None,
            }
        })
        .collect();
    let mut found = relations::arithmetic(&numeric);
    let derived: Vec<usize> = found.iter().map(|f| f.target).collect();
    found.extend(relations::inequalities(&numeric, &derived, min_count));
    found.extend(relations::combinations(&categorical, min_count));
    let found = relations::order(found);
    drop((numeric, categorical));
    // Reshape the copula's inputs.
    for f in &found {
        match &f.relation.rule {
            StatsRule::Sum { .. } | StatsRule::Product { .. } => pending.retain(|(i, _)| *i != f.target),
            StatsRule::AtLeast { gap: Some(_), .. } => to_gap(pending, f.sources[0], f.target),
            _ => {}
        }
    }
    found.into_iter().map(|f| f.relation).collect()
}
