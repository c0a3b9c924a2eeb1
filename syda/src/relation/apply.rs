//! Row-level rules resolved against a table and applied to rows.

use std::collections::HashSet;

use fake::Fake;
use fake::faker::internet::en as internet;
use fake::faker::name::en as name;
use rand::RngExt;

use super::names::ascii_fold;
use super::places::{Place, parts_agree};
use super::{Expr, IdentityForm, PlacePart, Rule, TimeUnit};
use crate::engine::offline_support::{
    cell_rng, cell_seed, parse_datetime, push_date, push_datetime, row_tag, value_hash,
};
use crate::error::{Error, Problem, Result};
use crate::schema::{DataType, Literal, Table};
use crate::value::{Row, Value};

/// How rules treat the values a row already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every derived column is computed from its sources (the offline
    /// engine, which generated the row's other columns itself).
    Derive,
    /// A value is changed only where its rule does not hold: rows from a
    /// model or a real data set keep every value that already agrees.
    Repair,
}

/// The row-level rules of one table, resolved to column positions and put
/// in dependency order, with the values taken in unique derived columns.
#[derive(Debug, Clone)]
pub struct RowRules {
    table: String,
    rules: Vec<Compiled>,
    /// The rule each compiled one came from, in the same order.
    originals: Vec<Rule>,
    /// Hashes of values taken, per rule, when its target is unique.
    seen: Vec<Option<HashSet<u64>>>,
    /// Per rule: a unique e-mail or user name made unique by construction
    /// when derived, with a row tag ([`row_tag`]) instead of a random
    /// number, so nothing is remembered. Repairs still use `seen`.
    tagged: Vec<bool>,
}

#[derive(Debug, Clone)]
struct Target {
    col: usize,
    ty: DataType,
    max_length: Option<u32>,
    range: Option<(f64, f64)>,
    time_range: Option<(i64, i64)>,
}

#[derive(Debug, Clone)]
enum Compiled {
    After {
        target: Target,
        after: usize,
        after_date: bool,
        min_days: i64,
        max_days: i64,
    },
    Identity {
        target: Target,
        form: IdentityForm,
        from: Vec<usize>,
        domain_from: Option<usize>,
    },
    Place {
        columns: Vec<(Target, PlacePart)>,
    },
    Derived {
        target: Target,
        expr: Expr,
        columns: Vec<(String, usize)>,
    },
    Duration {
        target: Target,
        start: usize,
        end: usize,
        unit: TimeUnit,
    },
}

/// A rule resolved: compiled form, original, target and source positions.
type Picked = (Compiled, Rule, Vec<usize>, Vec<usize>);

/// Salt of the random streams of derived values, apart from the engine's own.
const SALT: u32 = 0x5E1A_0000;

impl RowRules {
    /// Resolves the row-level rules among `rules` (others are skipped)
    /// against `table`. A later rule for a column an earlier one already
    /// fills is dropped, so declared rules (listed first) beat inferred
    /// ones. Unknown columns and cycles are errors naming table and column.
    pub fn new(table: &Table, rules: &[Rule]) -> Result<RowRules> {
        let problem = |column: &str, message: String| Error::InvalidSchema {
            origin: "relations".to_owned(),
            problems: vec![Problem::column(&table.name, column, message)],
        };
        let index = |column: &str, rule: &Rule| {
            table.column_index(column).ok_or_else(|| {
                problem(
                    rule.target(),
                    format!(
                        "the relation `{}` names `{column}`, a column the table does not have",
                        rule.describe()
                    ),
                )
            })
        };
        let mut picked: Vec<Picked> = Vec::new();
        let mut filled: HashSet<usize> = HashSet::new();
        for rule in rules.iter().filter(|r| r.is_row_level()) {
            let mut targets = Vec::new();
            for t in rule.targets() {
                targets.push(index(t, rule)?);
            }
            let mut sources = Vec::new();
            for s in rule.sources() {
                sources.push(index(s, rule)?);
            }
            if targets.iter().any(|t| filled.contains(t)) {
                continue;
            }
            if let Some(&t) = targets.iter().find(|t| sources.contains(t)) {
                return Err(problem(
                    &table.columns[t].name,
                    format!("the relation `{}` reads the column it fills", rule.describe()),
                ));
            }
            let target = |c: usize| target_of(table, c);
            let compiled = match rule {
                Rule::After {
                    min_days, max_days, ..
                } => Compiled::After {
                    target: target(targets[0]),
                    after: sources[0],
                    after_date: table.columns[sources[0]].ty == DataType::Date,
                    min_days: i64::from(*min_days),
                    max_days: i64::from((*max_days).max(*min_days)),
                },
                Rule::Identity { form, from, .. } => Compiled::Identity {
                    target: target(targets[0]),
                    form: *form,
                    from: sources[..from.len()].to_vec(),
                    domain_from: sources.get(from.len()).copied(),
                },
                Rule::Place { columns } => Compiled::Place {
                    columns: targets
                        .iter()
                        .zip(columns)
                        .map(|(&c, p)| (target(c), p.part))
                        .collect(),
                },
                Rule::Derived { expr, .. } => Compiled::Derived {
                    target: target(targets[0]),
                    columns: expr
                        .columns()
                        .into_iter()
                        .zip(&sources)
                        .map(|(n, &i)| (n.to_owned(), i))
                        .collect(),
                    expr: expr.clone(),
                },
                Rule::Duration { unit, .. } => Compiled::Duration {
                    target: target(targets[0]),
                    start: sources[0],
                    end: sources[1],
                    unit: *unit,
                },
                _ => continue,
            };
            filled.extend(targets.iter().copied());
            picked.push((compiled, rule.clone(), targets, sources));
        }
        // Dependency order: a rule runs after the rules filling its sources.
        let mut done = vec![false; picked.len()];
        let mut order = Vec::with_capacity(picked.len());
        while order.len() < picked.len() {
            let ready = (0..picked.len()).find(|&i| {
                !done[i]
                    && picked[i].3.iter().all(|s| {
                        picked
                            .iter()
                            .enumerate()
                            .all(|(j, p)| j == i || done[j] || !p.2.contains(s))
                    })
            });
            match ready {
                Some(i) => {
                    done[i] = true;
                    order.push(i);
                }
                None => {
                    let stuck = (0..picked.len()).find(|&i| !done[i]).unwrap_or_default();
                    let cycle: Vec<String> = (0..picked.len())
                        .filter(|&i| !done[i])
                        .map(|i| picked[i].1.describe())
                        .collect();
                    return Err(problem(
                        &table.columns[picked[stuck].2[0]].name,
                        format!("relations form a cycle: {}", cycle.join("; ")),
                    ));
                }
            }
        }
        let mut rules = Vec::with_capacity(order.len());
        let mut originals = Vec::with_capacity(order.len());
        let mut seen = Vec::with_capacity(order.len());
        let mut tagged = Vec::with_capacity(order.len());
        let mut slots: Vec<Option<Picked>> = picked.into_iter().map(Some).collect();
        for i in order {
            let Some((compiled, rule, targets, _)) = slots[i].take() else {
                continue;
            };
            let unique = targets.len() == 1 && table.columns[targets[0]].is_unique_in(table);
            seen.push(unique.then(HashSet::new));
            // Room for the name, a tag of up to 20 digits and a domain.
            let roomy = table.columns[targets[0]].max_length.is_none_or(|m| m >= 64);
            tagged.push(
                unique
                    && roomy
                    && matches!(
                        compiled,
                        Compiled::Identity {
                            form: IdentityForm::Email | IdentityForm::Username,
                            ..
                        }
                    ),
            );
            rules.push(compiled);
            originals.push(rule);
        }
        Ok(RowRules {
            table: table.name.to_string(),
            rules,
            originals,
            seen,
            tagged,
        })
    }

    /// Whether [`Mode::Derive`] remembers values taken (a unique derived
    /// column not made unique by construction): rows then depend on the
    /// rows before them.
    pub fn tracks_taken(&self) -> bool {
        self.seen
            .iter()
            .zip(&self.tagged)
            .any(|(seen, tagged)| seen.is_some() && !tagged)
    }

    /// The rules, in the order they are applied.
    pub fn rules(&self) -> &[Rule] {
        &self.originals
    }

    /// Whether no rule applies.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The columns some rule fills.
    pub fn targets(&self) -> Vec<usize> {
        self.rules.iter().flat_map(Compiled::targets).collect()
    }

    /// The columns that [`Mode::Derive`] always fills, whatever the row's
    /// other values (e-mails and user names from names, places): an engine
    /// need not generate them first.
    pub fn always_derived(&self) -> Vec<usize> {
        self.rules
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    Compiled::Identity {
                        form: IdentityForm::Email | IdentityForm::Username,
                        ..
                    } | Compiled::Place { .. }
                )
            })
            .flat_map(Compiled::targets)
            .collect()
    }

    /// Applies every rule to `row` (row number `index` of a table whose
    /// random stream is `stream`), in dependency order. Unique derived
    /// columns are kept unique across the rows passed here.
    pub fn apply(&mut self, row: &mut Row, stream: u64, index: u64, mode: Mode) -> Result<()> {
        for r in 0..self.rules.len() {
            let rule = &self.rules[r];
            let first = rule.targets()[0];
            let mut rng = cell_rng(stream, index, first, SALT);
            if mode == Mode::Derive && self.tagged[r] {
                let tag = row_tag(index, cell_seed(stream, 0, first, SALT - 1));
                rule.apply(row, mode, &mut rng, Unique::Tag(tag));
                continue;
            }
            rule.apply(row, mode, &mut rng, Unique::Attempt(0));
            let Some(seen) = &mut self.seen[r] else {
                continue;
            };
            let mut attempt = 0;
            while !row[first].is_null() && !seen.insert(value_hash(&row[first])) {
                attempt += 1;
                if attempt > 64 {
                    return Err(Error::Unsatisfiable {
                        table: self.table.clone(),
                        column: self.originals[r].target().to_owned(),
                        message: format!(
                            "row {index}: no unused value left for `{}` after 64 tries",
                            self.originals[r].describe()
                        ),
                    });
                }
                let mut rng = cell_rng(stream, index, first, SALT + attempt);
                rule.apply(row, Mode::Derive, &mut rng, Unique::Attempt(attempt));
            }
        }
        Ok(())
    }

    /// Applies only the time rules ([`Rule::After`], [`Rule::Duration`]),
    /// in repair mode: after the planner moved a date later to follow a
    /// parent, the dates that follow it move too.
    pub fn repair_times(&self, row: &mut Row, stream: u64, index: u64) {
        for rule in &self.rules {
            if matches!(rule, Compiled::After { .. } | Compiled::Duration { .. }) {
                let mut rng = cell_rng(stream, index, rule.targets()[0], SALT);
                rule.apply(row, Mode::Repair, &mut rng, Unique::Attempt(0));
            }
        }
    }

    /// For each rule (in [`RowRules::rules`] order), whether it holds in
    /// `row`: `None` when it cannot be judged (a value it needs is NULL).
    pub fn holds(&self, row: &[Value]) -> Vec<Option<bool>> {
        self.rules.iter().map(|r| r.holds(row)).collect()
    }
}

fn target_of(table: &Table, col: usize) -> Target {
    let c = &table.columns[col];
    let range = c
        .range
        .as_ref()
        .and_then(|r| Some((r.min.as_f64()?, r.max.as_f64()?)));
    let time_range = c.range.as_ref().and_then(|r| match (&r.min, &r.max) {
        (Literal::Text(lo), Literal::Text(hi)) => Some((parse_datetime(lo)?, parse_datetime(hi)?)),
        _ => None,
    });
    Target {
        col,
        ty: c.ty,
        max_length: c.max_length,
        range,
        time_range,
    }
}

impl Compiled {
    fn targets(&self) -> Vec<usize> {
        match self {
            Compiled::After { target, .. }
            | Compiled::Identity { target, .. }
            | Compiled::Derived { target, .. }
            | Compiled::Duration { target, .. } => vec![target.col],
            Compiled::Place { columns } => columns.iter().map(|(t, _)| t.col).collect(),
        }
    }

    fn holds(&self, row: &[Value]) -> Option<bool> {
        match self {
            Compiled::After {
                target,
                after,
                after_date,
                min_days,
                ..
            } => {
                let t = time(&row[target.col])?;
                let a = time(&row[*after])?;
                Some(if *after_date || target.ty == DataType::Date {
                    t.div_euclid(86_400) >= a.div_euclid(86_400) + min_days
                } else {
                    t >= a + min_days * 86_400
                })
            }
            Compiled::Identity {
                target,
                form,
                from,
                domain_from,
            } => {
                let value = row[target.col].as_str()?;
                let names = source_names(*form, row, from);
                let company = domain_from.and_then(|d| row[d].as_str());
                Some(identity_holds(*form, value, &names, company))
            }
            Compiled::Place { columns } => {
                let parts: Vec<(PlacePart, &str)> = columns
                    .iter()
                    .filter_map(|(t, p)| Some((*p, row[t.col].as_str()?)))
                    .collect();
                (parts.len() >= 2).then(|| parts_agree(&parts))
            }
            Compiled::Derived {
                target,
                expr,
                columns,
            } => {
                let want = eval(expr, columns, row)?;
                let have = number(&row[target.col])?;
                Some((have - want).abs() <= 0.005 + want.abs() * 1e-9)
            }
            Compiled::Duration {
                target,
                start,
                end,
                unit,
            } => {
                let want = duration(time(&row[*start])?, time(&row[*end])?, *unit);
                Some(number(&row[target.col])? == want as f64)
            }
        }
    }

    fn apply(&self, row: &mut Row, mode: Mode, rng: &mut crate::engine::EngineRng, unique: Unique) {
        if mode == Mode::Repair && self.holds(row) != Some(false) {
            // Holds, or cannot be judged: a NULL source or target stays.
            return;
        }
        match self {
            Compiled::After {
                target,
                after,
                min_days,
                max_days,
                ..
            } => {
                let (Some(base), false) = (time(&row[*after]), row[target.col].is_null()) else {
                    return;
                };
                let date = target.ty == DataType::Date;
                let (lo, hi) = gap_span(base, *min_days * 86_400, *max_days * 86_400);
                let mut secs = rng.random_range(lo..=hi);
                if date {
                    secs = secs.div_euclid(86_400) * 86_400;
                }
                if let Some((lo, hi)) = target.time_range {
                    secs = secs.clamp(lo, hi.max(lo));
                }
                row[target.col] = time_value(secs, target.ty);
            }
            Compiled::Identity {
                target,
                form,
                from,
                domain_from,
            } => {
                if row[target.col].is_null() {
                    return;
                }
                let mut names = source_names(*form, row, from);
                if names.iter().all(String::is_empty)
                    && matches!(form, IdentityForm::Email | IdentityForm::Username)
                {
                    let first: &str = name::FirstName().fake_with_rng(rng);
                    let last: &str = name::LastName().fake_with_rng(rng);
                    names = vec![fold(first), fold(last)];
                }
                let company = domain_from.and_then(|d| row[d].as_str()).map(str::to_owned);
                if let Some(mut s) = identity(*form, &names, company.as_deref(), rng, unique) {
                    if let Some(max) = target.max_length {
                        match unique {
                            Unique::Tag(tag) => shorten_keeping_tag(&mut s, max as usize, tag),
                            Unique::Attempt(_) => shorten(&mut s, max as usize),
                        }
                    }
                    row[target.col] = Value::Text(s);
                }
            }
            Compiled::Place { columns } => {
                let place = Place::random(rng);
                for (t, part) in columns {
                    if row[t.col].is_null() {
                        continue;
                    }
                    let mut s = place.part(*part, rng);
                    if let Some(max) = t.max_length {
                        shorten(&mut s, max as usize);
                    }
                    row[t.col] = Value::Text(s);
                }
            }
            Compiled::Derived {
                target,
                expr,
                columns,
            } => {
                if row[target.col].is_null() {
                    return;
                }
                if let Some(mut x) = eval(expr, columns, row) {
                    if let Some((lo, hi)) = target.range {
                        x = x.clamp(lo, hi.max(lo));
                    }
                    row[target.col] = number_value(x, target.ty);
                }
            }
            Compiled::Duration {
                target,
                start,
                end,
                unit,
            } => {
                if row[target.col].is_null() {
                    return;
                }
                if let (Some(s), Some(e)) = (time(&row[*start]), time(&row[*end])) {
                    row[target.col] = number_value(duration(s, e, *unit) as f64, target.ty);
                }
            }
        }
    }
}

/// The end of the plausible window derived dates stay in when they can:
/// the engine's anchor date, 2025-12-31 (see `engine::offline::values`).
const WINDOW_END: i64 = 20_453 * 86_400 + 86_399;

/// Where a date `min..=max` seconds after `base` may fall: not past the
/// window's end unless the smallest gap already is (then within a day).
pub(crate) fn gap_span(base: i64, min: i64, max: i64) -> (i64, i64) {
    let lo = base + min;
    let hi = (base + max).min(WINDOW_END);
    if hi >= lo {
        (lo, hi)
    } else {
        (lo, lo + 86_399.min(max - min).max(0))
    }
}

fn time(v: &Value) -> Option<i64> {
    parse_datetime(v.as_str()?)
}

fn time_value(secs: i64, ty: DataType) -> Value {
    let mut s = String::with_capacity(20);
    if ty == DataType::Date {
        push_date(&mut s, secs.div_euclid(86_400));
    } else {
        push_datetime(&mut s, secs);
    }
    Value::Text(s)
}

fn duration(start: i64, end: i64, unit: TimeUnit) -> i64 {
    let per = match unit {
        TimeUnit::Days => 86_400,
        TimeUnit::Hours => 3_600,
        TimeUnit::Minutes => 60,
    };
    (end - start).div_euclid(per)
}

pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn number_value(x: f64, ty: DataType) -> Value {
    match ty {
        DataType::Integer => Value::Int(x.round() as i64),
        DataType::Float => Value::Float((x * 100.0).round() / 100.0),
        _ => Value::Text(format!("{x:.2}")),
    }
}

fn eval(expr: &Expr, columns: &[(String, usize)], row: &[Value]) -> Option<f64> {
    expr.eval(&|name| {
        let (_, i) = columns.iter().find(|(n, _)| n == name)?;
        number(&row[*i])
    })
}

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    ascii_fold(s, &mut out);
    out
}

/// What an identity is built from: folded person names, or the raw title.
fn source_names(form: IdentityForm, row: &[Value], from: &[usize]) -> Vec<String> {
    match form {
        IdentityForm::Email | IdentityForm::Username => person_names(row, from),
        _ => from
            .iter()
            .filter_map(|&c| row[c].as_str().map(str::to_owned))
            .collect(),
    }
}

/// Folded first and last name from one full-name column or two columns.
fn person_names(row: &[Value], from: &[usize]) -> Vec<String> {
    match from {
        [full] => {
            let Some(s) = row[*full].as_str() else {
                return Vec::new();
            };
            let words: Vec<&str> = s.split_whitespace().collect();
            match words.as_slice() {
                [] => Vec::new(),
                [one] => vec![fold(one)],
                [first, .., last] => vec![fold(first), fold(last)],
            }
        }
        cols => cols
            .iter()
            .map(|&c| row[c].as_str().map(fold).unwrap_or_default())
            .collect(),
    }
}

/// A company's web name: `Kuhn, Gerhold and Sons` → `kuhn-gerhold`.
pub(crate) fn company_slug(company: &str) -> String {
    const NOISE: &[&str] = &[
        "and", "inc", "llc", "ltd", "group", "sons", "co", "corp", "plc", "gmbh", "the", "company", "sa",
        "ag",
    ];
    // The first two words that are not noise, joined by `-`; all noise:
    // every word run together. One buffer, reused per word.
    let words = || company.split(|c: char| !c.is_alphanumeric());
    let mut out = String::with_capacity(company.len());
    let mut word = String::with_capacity(24);
    let mut kept = 0;
    for w in words() {
        word.clear();
        ascii_fold(w, &mut word);
        if word.is_empty() || NOISE.contains(&word.as_str()) {
            continue;
        }
        if kept > 0 {
            out.push('-');
        }
        out.push_str(&word);
        kept += 1;
        if kept == 2 {
            break;
        }
    }
    if kept == 0 {
        for w in words() {
            ascii_fold(w, &mut out);
        }
    }
    out
}

/// The company's domain: its slug and a top-level domain fixed by the name.
pub(crate) fn company_domain(company: &str) -> String {
    domain_of_slug(company_slug(company))
}

fn domain_of_slug(mut slug: String) -> String {
    const TLDS: &[&str] = &["com", "com", "com", "com", "io", "co", "net", "org"];
    let h = slug
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    slug.push('.');
    slug.push_str(TLDS[h as usize % TLDS.len()]);
    slug
}

/// A title's slug: `The Matrix: Reloaded` → `the-matrix-reloaded`.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for word in title.split(|c: char| !c.is_alphanumeric()) {
        let w = fold(word);
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

fn identity(
    form: IdentityForm,
    names: &[String],
    company: Option<&str>,
    rng: &mut crate::engine::EngineRng,
    unique: Unique,
) -> Option<String> {
    let attempt = match unique {
        Unique::Attempt(a) => a,
        Unique::Tag(_) => 0,
    };
    let local = |rng: &mut crate::engine::EngineRng, sep_choices: bool| {
        let first = names.first().map_or("", String::as_str);
        let last = names.get(1).map_or("", String::as_str);
        let mut s = String::with_capacity(first.len() + last.len() + 6);
        match (first.is_empty(), last.is_empty()) {
            (false, false) => match rng.random_range(0..if sep_choices { 5u8 } else { 3 }) {
                0 => {
                    s.push_str(first);
                    s.push_str(last);
                }
                1 => {
                    s.push_str(&first[..1]);
                    s.push_str(last);
                }
                2 => {
                    s.push_str(first);
                    s.push('_');
                    s.push_str(last);
                }
                _ => {
                    s.push_str(first);
                    s.push('.');
                    s.push_str(last);
                }
            },
            (true, false) => s.push_str(last),
            _ => s.push_str(first),
        }
        if let Unique::Tag(tag) = unique {
            // Never a digit before the tag, so the tag is read back whole.
            s.truncate(s.trim_end_matches(|c: char| c.is_ascii_digit()).len());
            s.push_str(itoa::Buffer::new().format(tag));
        } else if attempt > 0 {
            let top = 10u32.saturating_pow(attempt.min(6) + 1);
            s.push_str(&rng.random_range(1..top).to_string());
        } else if rng.random_bool(0.25) {
            s.push_str(&rng.random_range(1..100u32).to_string());
        }
        s
    };
    Some(match form {
        IdentityForm::Email => {
            let mut s = local(rng, true);
            s.push('@');
            match company.map(company_slug).filter(|slug| !slug.is_empty()) {
                Some(slug) => s.push_str(&domain_of_slug(slug)),
                None => {
                    let provider: &str = internet::FreeEmailProvider().fake_with_rng(rng);
                    s.push_str(provider);
                }
            }
            s
        }
        IdentityForm::Username => local(rng, false),
        IdentityForm::Url | IdentityForm::Domain => {
            let name = match (company, names.first()) {
                (Some(c), _) => c.to_owned(),
                (None, Some(n)) => n.clone(),
                (None, None) => return None,
            };
            let mut domain = company_domain(&name);
            if attempt > 0 {
                domain = format!("{}{attempt}.{}", company_slug(&name), "com");
            }
            if form == IdentityForm::Url {
                format!("https://www.{domain}")
            } else {
                domain
            }
        }
        IdentityForm::Slug => {
            let mut s = slug(names.first()?);
            if attempt > 0 {
                s.push_str(&format!("-{}", attempt + 1));
            }
            s
        }
    })
}

fn identity_holds(form: IdentityForm, value: &str, names: &[String], company: Option<&str>) -> bool {
    let lower = value.to_ascii_lowercase();
    let has_name = |s: &str| {
        let s = fold(s);
        names.iter().all(String::is_empty) || names.iter().any(|n| n.len() >= 2 && s.contains(n.as_str()))
    };
    match form {
        IdentityForm::Email => {
            let Some((local, domain)) = lower.split_once('@') else {
                return false;
            };
            has_name(local)
                && company.is_none_or(|c| {
                    let slug = company_slug(c);
                    slug.is_empty() || domain.replace('-', "").contains(&slug.replace('-', ""))
                })
        }
        IdentityForm::Username => has_name(&lower),
        IdentityForm::Url | IdentityForm::Domain => match company.or(names.first().map(String::as_str)) {
            Some(c) => lower.replace('-', "").contains(&company_slug(c).replace('-', "")),
            None => true,
        },
        IdentityForm::Slug => names.first().is_none_or(|t| {
            let s = fold(t);
            s.is_empty() || fold(&lower).starts_with(&s)
        }),
    }
}

/// How a derived value is kept unique: the try number of a random retry,
/// or a row tag that makes it unique by construction.
#[derive(Debug, Clone, Copy)]
enum Unique {
    Attempt(u32),
    Tag(u64),
}

/// Cuts `s`, which ends in (its local part, for an e-mail address) the
/// digits of `tag`, to `max` characters: the name before the tag is cut, and
/// again cleared of trailing digits, so the tag stays whole and the value
/// unique. Only a domain too long to leave room for the tag is cut too.
fn shorten_keeping_tag(s: &mut String, max: usize, tag: u64) {
    if s.chars().count() <= max {
        return;
    }
    let digits = itoa::Buffer::new().format(tag).len();
    let (local, domain) = match s.split_once('@') {
        Some((local, domain)) => (local.to_owned(), Some(domain.to_owned())),
        None => (s.clone(), None),
    };
    let (name, tag_text) = local.split_at(local.len().saturating_sub(digits));
    let mut domain = domain.map(|d| format!("@{d}")).unwrap_or_default();
    let room = max.saturating_sub(digits);
    if domain.chars().count() > room {
        domain = domain.chars().take(room).collect();
    }
    let keep = room - domain.chars().count();
    let mut name: String = name.chars().take(keep).collect();
    name.truncate(name.trim_end_matches(|c: char| c.is_ascii_digit()).len());
    *s = format!("{name}{tag_text}{domain}");
}

/// Cuts `s` to `max` characters; an e-mail address keeps its domain.
fn shorten(s: &mut String, max: usize) {
    if s.chars().count() <= max {
        return;
    }
    if let Some((local, domain)) = s.split_once('@')
        && domain.len() + 2 <= max
    {
        let keep = max - domain.len() - 1;
        let local: String = local.chars().take(keep).collect();
        *s = format!("{local}@{domain}");
        return;
    }
    let cut: String = s.chars().take(max).collect();
    *s = cut;
}
