//! Per-column plans, worked out once per `rows()` call so the hot loop does
//! no lookups by name: which generator fills the column, its null rate,
//! whether it is unique, and how long its text may be.

use super::constraints::{Seen, capacity, cell_seed, exceeds, null_threshold, table_stream, truncate_chars};
use super::infer::{infer_kind, infer_one_of, infer_statuses};
use super::registry::{GenContext, GeneratorFn};
use super::structural::Structural;
use super::values::{ANCHOR_DATE, Gen, KindSpec, RECENT_START, TextKind, days_from_civil, kind_spec};
use super::{OfflineEngine, parse_date, parse_datetime, parse_time};
use rand::RngExt;

use crate::engine::EngineRng;
use crate::error::{Error, Result};
use crate::schema::{Column, DataType, Literal, Table};
use crate::value::Value;

/// Where a column's values come from.
pub(crate) enum Source {
    /// A registered custom generator.
    Custom(GeneratorFn),
    /// A built-in generator.
    Builtin(Gen),
}

/// Everything needed to fill one column.
pub(crate) struct ColumnPlan {
    pub(crate) source: Source,
    pub(crate) null_threshold: u64,
    pub(crate) unique: bool,
    pub(crate) max_length: Option<u32>,
    /// Built-in numbers for a text column are written as text.
    pub(crate) to_text: bool,
    /// For `pattern` with `max_length`: the same pattern with ever fewer
    /// repetitions, tried when the values come out too long.
    pub(crate) shorter: Vec<rand_regex::Regex>,
    /// Filled by a relation after the row's other columns, not generated.
    pub(crate) derived: bool,
    /// A unique column whose values are unique by construction.
    pub(crate) structural: Option<Structural>,
}

/// Longest run a `*` or `+` in a pattern repeats.
const MAX_REPEAT: u32 = crate::schema::PATTERN_MAX_REPEAT;

impl ColumnPlan {
    /// Whether the values taken must be remembered to keep the column
    /// unique: unique, and neither a sequential key nor structural.
    pub(crate) fn tracks_taken(&self) -> bool {
        self.unique
            && self.structural.is_none()
            && !matches!(self.source, Source::Builtin(Gen::Sequential { .. }))
    }

    /// What remembers the values a unique column took: bounded (a Bloom
    /// filter past a million values) unless the value space holds at most
    /// two million values, which an exact memory of their hashes holds in
    /// about 36 MB, and where a false "taken" could hide the last free ones.
    pub(crate) fn seen(&self) -> Seen {
        let small = match &self.source {
            Source::Builtin(g) => capacity(g, self.max_length).is_some_and(|c| c <= 2 << 20),
            Source::Custom(_) => false,
        };
        if small { Seen::default() } else { Seen::bounded() }
    }

    /// How many random streams a unique column tries before falling back
    /// to a deterministic variant.
    pub(crate) fn tries(&self) -> u32 {
        match &self.source {
            Source::Builtin(Gen::Pattern(_)) => 64,
            Source::Builtin(_) => 4,
            Source::Custom(_) => 16,
        }
    }

    /// One value from `rng`, shaped to the column (text length, text form);
    /// built-in text is written into `buffer`, whose allocation it keeps.
    pub(crate) fn produce(
        &self,
        table: &Table,
        column: usize,
        row: &[Value],
        index: u64,
        mut rng: EngineRng,
        buffer: String,
    ) -> std::result::Result<Value, String> {
        let mut value = match &self.source {
            Source::Builtin(g) => {
                let mut v = g.generate_into(&mut rng, index, buffer);
                if let (Some(max), Value::Text(s)) = (self.max_length, &v) {
                    // Pick a shorter value before cutting one.
                    let too_long = |v: &Value| v.as_str().is_some_and(|s| exceeds(s, max as usize));
                    let mut long = exceeds(s, max as usize);
                    let mut tries = 8;
                    while long && tries > 0 {
                        v = g.generate(&mut rng, index);
                        long = too_long(&v);
                        tries -= 1;
                    }
                    for regex in &self.shorter {
                        let mut tries = 16;
                        while long && tries > 0 {
                            v = Value::Text(rng.sample::<String, _>(regex));
                            long = too_long(&v);
                            tries -= 1;
                        }
                    }
                    if long && matches!(g, Gen::Pattern(_)) {
                        return Err(format!(
                            "`pattern` gives no value of at most {max} characters; loosen the pattern or raise max_length"
                        ));
                    }
                }
                v
            }
            Source::Custom(f) => {
                let mut cx = GenContext::new(table, column, row, index, rng);
                f(&mut cx)
            }
        };
        if self.to_text && !matches!(value, Value::Text(_) | Value::Null) {
            value = Value::Text(value.to_string());
        }
        if let (Some(max), Value::Text(s)) = (self.max_length, &mut value) {
            truncate_chars(s, max as usize);
        }
        Ok(value)
    }
}

/// Plans every column of `table` for `rows` rows.
pub(crate) fn plan_table(engine: &OfflineEngine, table: &Table, rows: u64) -> Result<Vec<ColumnPlan>> {
    let keys = table.primary_key().count();
    let stream = table_stream(engine.seed, &table.name);
    (0..table.columns.len())
        .map(|i| {
            let mut plan = plan_column(engine, table, &table.columns[i], keys, rows)?;
            if let (true, Source::Builtin(g)) = (plan.unique, &plan.source) {
                plan.structural = Structural::new(g, plan.max_length, cell_seed(stream, 0, i, u32::MAX - 1));
            }
            Ok(plan)
        })
        .collect()
}

/// A key over several columns (a composite primary key or a `unique` list)
/// whose tuples must be distinct.
pub(crate) struct KeyPlan {
    /// Column positions, in column order.
    pub(crate) columns: Vec<usize>,
    /// The last of them: the one regenerated when a tuple repeats.
    pub(crate) last: usize,
    /// `(a, b)`, for messages.
    pub(crate) label: String,
}

/// The composite keys of `table` that need checking: keys with a column
/// that is unique by itself are unique already.
pub(crate) fn plan_keys(table: &Table, plans: &[ColumnPlan], rows: u64) -> Result<Vec<KeyPlan>> {
    let mut lists: Vec<Vec<usize>> = Vec::new();
    let pk: Vec<usize> = (0..table.columns.len())
        .filter(|&i| table.columns[i].primary_key)
        .collect();
    if pk.len() > 1 {
        lists.push(pk);
    }
    for names in table.unique.iter() {
        let mut cols: Vec<usize> = names.iter().filter_map(|n| table.column_index(n)).collect();
        cols.sort_unstable();
        cols.dedup();
        if cols.len() > 1 && !lists.contains(&cols) {
            lists.push(cols);
        }
    }
    let mut keys = Vec::new();
    for columns in lists {
        if columns.iter().any(|&c| plans[c].unique) {
            continue;
        }
        let names: Vec<&str> = columns.iter().map(|&c| table.columns[c].name.as_ref()).collect();
        let label = format!("({})", names.join(", "));
        let mut room: Option<u128> = Some(1);
        for &c in &columns {
            let cap = match &plans[c].source {
                Source::Builtin(g) => capacity(g, plans[c].max_length),
                Source::Custom(_) => None,
            };
            room = match (room, cap) {
                (Some(r), Some(c)) => r.checked_mul(c),
                _ => None,
            };
        }
        if let Some(room) = room.filter(|&room| u128::from(rows) > room) {
            return Err(Error::Unsatisfiable {
                table: table.name.to_string(),
                column: names.join(", "),
                message: format!("{rows} distinct {label} tuples asked for, but only {room} exist"),
            });
        }
        let last = columns.last().copied().unwrap_or_default();
        keys.push(KeyPlan { columns, last, label });
    }
    Ok(keys)
}

fn plan_column(
    engine: &OfflineEngine,
    table: &Table,
    col: &Column,
    keys: usize,
    rows: u64,
) -> Result<ColumnPlan> {
    let generate_error = |message: String| Error::Generate {
        table: table.name.to_string(),
        column: col.name.to_string(),
        message,
    };
    let unique = col.is_unique_in(table);
    let nullable = col.nullable && !col.primary_key;
    let mut plan = ColumnPlan {
        source: Source::Builtin(Gen::Bool),
        null_threshold: if nullable {
            null_threshold(engine.null_rate)
        } else {
            0
        },
        unique,
        max_length: (col.ty == DataType::Text).then_some(col.max_length).flatten(),
        to_text: false,
        shorter: Vec::new(),
        derived: false,
        structural: None,
    };
    let gens = &engine.generators;

    // 1. The column's own generator, then the one it names. A column
    // generator decides NULLs itself (the planner's foreign keys do), so the
    // engine's null rate does not apply to it.
    if let Some(f) = gens.column(&table.name, &col.name) {
        plan.source = Source::Custom(f.clone());
        plan.null_threshold = 0;
        return Ok(plan);
    }
    if let Some(name) = &col.generator {
        let f = gens.named(name).ok_or_else(|| {
            generate_error(format!(
                "the column asks for generator `{name}`, but none is registered under that name; \
                 register one with Generators::register_named(\"{name}\", …)"
            ))
        })?;
        plan.source = Source::Custom(f.clone());
        return Ok(plan);
    }
    if let Some(fk) = &col.foreign_key {
        return Err(generate_error(format!(
            "foreign key to `{fk}`: the offline engine does not sample parent rows; generate related \
             tables with the planner (syda::plan), or register a column generator with \
             Generators::register_column(\"{}\", \"{}\", …)",
            table.name, col.name
        )));
    }
    // 2. A generator registered for the explicit kind.
    if let Some(f) = col.kind.as_deref().and_then(|k| gens.kind(k)) {
        plan.source = Source::Custom(f.clone());
        return Ok(plan);
    }

    // 3. Built-ins: constraints that fix the values, then kinds, then types.
    let generator = if let Some(values) = &col.one_of {
        Gen::OneOf(values.iter().map(|l| literal_value(col.ty, l)).collect())
    } else if let Some(pattern) = &col.pattern {
        let (regex, shorter) = compile_pattern(pattern, col.max_length).map_err(generate_error)?;
        plan.shorter = shorter;
        Gen::Pattern(Box::new(regex))
    } else if let Some(kind) = col.kind.as_deref() {
        let spec = kind_spec(kind).ok_or_else(|| {
            generate_error(format!(
                "unknown kind `{kind}`: the offline engine has no generator for it; register one with \
                 Generators::register_kind(\"{kind}\", …) or use a known kind (see `syda kinds`)"
            ))
        })?;
        from_spec(spec, col, kind, &mut plan).map_err(generate_error)?
    } else if let Some(values) = infer_one_of(col) {
        Gen::OneOf(values.into_iter().map(Value::Text).collect())
    } else if let Some(values) = infer_statuses(table, col) {
        Gen::OneOf(values.iter().map(|v| Value::Text((*v).to_owned())).collect())
    } else if keys == 1 && col.primary_key && col.ty == DataType::Integer {
        let start = match &col.range {
            Some(r) => match r.min {
                Literal::Int(i) => i,
                _ => 1,
            },
            None => 1,
        };
        let end = col
            .range
            .as_ref()
            .and_then(|r| r.max.as_f64())
            .map_or(i64::MAX, |m| m as i64);
        if rows > 0 && i128::from(start) + i128::from(rows) - 1 > i128::from(end) {
            return Err(unsatisfiable(
                table,
                col,
                format!("{rows} sequential primary keys from {start} do not fit the range maximum {end}"),
            ));
        }
        Gen::Sequential { start }
    } else if let Some(kind) = infer_kind(table, col) {
        if let Some(f) = gens.kind(kind) {
            plan.source = Source::Custom(f.clone());
            return Ok(plan);
        }
        match kind_spec(kind) {
            Some(spec) => from_spec(spec, col, kind, &mut plan).map_err(generate_error)?,
            None => type_default(col, unique).map_err(generate_error)?,
        }
    } else {
        type_default(col, unique).map_err(generate_error)?
    };

    // Tables built in code skip schema validation: refuse what would panic.
    let empty = match &generator {
        Gen::OneOf(values) => values.is_empty(),
        Gen::Int { lo, hi } | Gen::Date { lo, hi } | Gen::DateTime { lo, hi } | Gen::Time { lo, hi } => {
            lo > hi
        }
        Gen::Float { lo, hi, .. } | Gen::Decimal { lo, hi, .. } => lo > hi || lo.is_nan() || hi.is_nan(),
        _ => false,
    };
    if empty {
        return Err(unsatisfiable(table, col, "the column allows no value at all (empty `one_of`, or a `range` whose minimum is above its maximum)".to_owned()));
    }
    let short = capacity(&generator, plan.max_length).filter(|&cap| unique && u128::from(rows) > cap);
    if let Some(cap) = short {
        let what = match &generator {
            Gen::Bool => "a boolean has 2 values".to_owned(),
            Gen::OneOf(_) => format!("`one_of` lists {cap} distinct values"),
            Gen::Text(_) | Gen::Pattern(_) => format!(
                "`max_length` {} allows too few distinct values",
                plan.max_length.unwrap_or_default()
            ),
            _ => format!("the range holds {cap} distinct values"),
        };
        return Err(unsatisfiable(
            table,
            col,
            format!("{rows} unique values asked for, but {what}"),
        ));
    }
    plan.source = Source::Builtin(generator);
    Ok(plan)
}

fn unsatisfiable(table: &Table, col: &Column, message: String) -> Error {
    Error::Unsatisfiable {
        table: table.name.to_string(),
        column: col.name.to_string(),
        message,
    }
}

fn literal_value(ty: DataType, lit: &Literal) -> Value {
    match (ty, lit) {
        (_, Literal::Bool(b)) => Value::Bool(*b),
        (DataType::Float, l) => l
            .as_f64()
            .map_or_else(|| Value::Text(l.to_string()), Value::Float),
        (DataType::Integer, Literal::Int(i)) => Value::Int(*i),
        (DataType::Json, Literal::Int(i)) => Value::Json((*i).into()),
        (DataType::Json, Literal::Float(x)) => Value::Json(serde_json::json!(x)),
        (DataType::Json, Literal::Text(s)) => Value::Json(s.as_ref().into()),
        (_, l) => Value::Text(l.to_string()),
    }
}

/// Numeric bounds of the column's range, if it has one.
fn numeric_range(col: &Column) -> Option<(f64, f64)> {
    let r = col.range.as_ref()?;
    Some((r.min.as_f64()?, r.max.as_f64()?))
}

/// Bounds of a temporal range, in days (dates) or seconds (date-times, times).
fn temporal_range(col: &Column) -> Option<(i64, i64)> {
    let r = col.range.as_ref()?;
    let (Literal::Text(lo), Literal::Text(hi)) = (&r.min, &r.max) else {
        return None;
    };
    match col.ty {
        DataType::Date => Some((parse_date(lo)?, parse_date(hi)?)),
        DataType::DateTime => Some((parse_datetime(lo)?, parse_datetime(hi)?)),
        DataType::Time => Some((parse_time(lo)?, parse_time(hi)?)),
        _ => None,
    }
}

fn days(d: (i32, u32, u32)) -> i64 {
    days_from_civil(d.0, d.1, d.2)
}

fn from_spec(
    spec: KindSpec,
    col: &Column,
    kind: &str,
    plan: &mut ColumnPlan,
) -> std::result::Result<Gen, String> {
    let mismatch = || format!("kind `{kind}` does not fit a {} column", col.ty);
    Ok(match spec {
        KindSpec::Text(t) => {
            if col.ty != DataType::Text {
                return Err(mismatch());
            }
            Gen::Text(t)
        }
        KindSpec::Number { lo, hi, decimals } => {
            let (lo, hi) = numeric_range(col).unwrap_or((lo, hi));
            number_gen(col.ty, lo, hi, decimals, plan).ok_or_else(mismatch)?
        }
        KindSpec::Date { from, to } | KindSpec::DateTime { from, to } => {
            let datetime = matches!(spec, KindSpec::DateTime { .. });
            match col.ty {
                DataType::Date => {
                    let (lo, hi) = temporal_range(col).unwrap_or((days(from), days(to)));
                    Gen::Date { lo, hi }
                }
                DataType::DateTime => {
                    let (lo, hi) =
                        temporal_range(col).unwrap_or((days(from) * 86_400, days(to) * 86_400 + 86_399));
                    Gen::DateTime { lo, hi }
                }
                DataType::Text if datetime => Gen::DateTime {
                    lo: days(from) * 86_400,
                    hi: days(to) * 86_400 + 86_399,
                },
                DataType::Text => Gen::Date {
                    lo: days(from),
                    hi: days(to),
                },
                _ => return Err(mismatch()),
            }
        }
        KindSpec::Uuid => match col.ty {
            DataType::Uuid | DataType::Text => Gen::Uuid,
            _ => return Err(mismatch()),
        },
    })
}

fn number_gen(ty: DataType, lo: f64, hi: f64, decimals: u32, plan: &mut ColumnPlan) -> Option<Gen> {
    Some(match ty {
        DataType::Integer => {
            let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
            Gen::Int { lo, hi: hi.max(lo) }
        }
        DataType::Float => Gen::Float { lo, hi, decimals },
        DataType::Decimal => Gen::Decimal {
            lo,
            hi,
            scale: decimals,
        },
        DataType::Text => {
            plan.to_text = true;
            Gen::Decimal {
                lo,
                hi,
                scale: decimals,
            }
        }
        _ => return None,
    })
}

/// The values of a column with no kind: its type's plausible defaults.
fn type_default(col: &Column, unique: bool) -> std::result::Result<Gen, String> {
    // Unique columns without a range get room for billions of rows. Never
    // derived from `rows`: row i must not depend on how many rows are asked for.
    let room = if unique { 2_147_483_647.0 } else { 1_000.0 };
    Ok(match col.ty {
        DataType::Integer => {
            let (lo, hi) = numeric_range(col).unwrap_or((1.0, room));
            Gen::Int {
                lo: lo.ceil() as i64,
                hi: hi.floor() as i64,
            }
        }
        DataType::Float => {
            let (lo, hi) = numeric_range(col).unwrap_or((0.0, if unique { room / 1000.0 } else { room }));
            Gen::Float { lo, hi, decimals: 2 }
        }
        DataType::Decimal => {
            let (lo, hi) = numeric_range(col).unwrap_or((0.0, if unique { room / 100.0 } else { room }));
            Gen::Decimal { lo, hi, scale: 2 }
        }
        DataType::Boolean => Gen::Bool,
        DataType::Text => Gen::Text(TextKind::Words),
        DataType::Date => {
            let (lo, hi) = temporal_range(col).unwrap_or((days(RECENT_START), days(ANCHOR_DATE)));
            Gen::Date { lo, hi }
        }
        DataType::DateTime => {
            let (lo, hi) = temporal_range(col)
                .unwrap_or((days(RECENT_START) * 86_400, days(ANCHOR_DATE) * 86_400 + 86_399));
            Gen::DateTime { lo, hi }
        }
        DataType::Time => {
            let (lo, hi) = temporal_range(col).unwrap_or((0, 86_399));
            Gen::Time { lo, hi }
        }
        DataType::Uuid => Gen::Uuid,
        DataType::Json => Gen::Json,
    })
}

/// A generator for strings that match `pattern` as a whole. Anchors are
/// dropped (every value is a full match anyway); unbounded repetition runs
/// at most [`MAX_REPEAT`] times (or `max_length`); classes are ASCII where
/// the pattern allows it, so `\d` gives 0–9.
/// With `max_length`, also the same pattern with fewer repetitions.
type Patterns = (rand_regex::Regex, Vec<rand_regex::Regex>);

fn compile_pattern(pattern: &str, max_length: Option<u32>) -> std::result::Result<Patterns, String> {
    let ascii = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .build()
        .parse(pattern);
    let hir = match ascii {
        Ok(hir) => hir,
        Err(_) => regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| format!("`pattern` {pattern:?} is not a valid regular expression: {e}"))?,
    };
    let hir = strip_looks(hir);
    let longest = crate::schema::longest_match(&hir);
    if longest > crate::schema::MAX_PATTERN_LEN {
        return Err(format!(
            "`pattern` can produce values of {longest} characters; the most a pattern may produce is {}",
            crate::schema::MAX_PATTERN_LEN
        ));
    }
    let compile = |max_repeat: u32| {
        rand_regex::Regex::with_hir(hir.clone(), max_repeat)
            .map_err(|e| format!("`pattern` {pattern:?} cannot be generated from: {e}"))
    };
    let max_repeat = max_length.map_or(MAX_REPEAT, |m| m.min(MAX_REPEAT));
    let regex = compile(max_repeat)?;
    let mut shorter = Vec::new();
    if max_length.is_some() {
        let mut r = max_repeat / 2;
        while r >= 1 {
            shorter.push(compile(r)?);
            r /= 2;
        }
    }
    Ok((regex, shorter))
}

fn strip_looks(hir: regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Hir, HirKind};
    match hir.into_kind() {
        HirKind::Empty | HirKind::Look(_) => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(c) => Hir::class(c),
        HirKind::Repetition(mut r) => {
            r.sub = Box::new(strip_looks(*r.sub));
            Hir::repetition(r)
        }
        HirKind::Capture(mut c) => {
            c.sub = Box::new(strip_looks(*c.sub));
            Hir::capture(c)
        }
        HirKind::Concat(v) => Hir::concat(v.into_iter().map(strip_looks).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.into_iter().map(strip_looks).collect()),
    }
}
