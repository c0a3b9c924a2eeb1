//! Checks that hold for a schema from any source: file, derive, database.

use std::collections::HashSet;

use super::model::{Column, DataType, Literal, Schema, Table};
use crate::error::Problem;

/// How often an unbounded repetition (`*`, `+`, `{n,}`) in a `pattern`
/// repeats at most when values are generated.
pub(crate) const PATTERN_MAX_REPEAT: u32 = 12;

/// The longest value a `pattern` may produce, in characters: beyond this a
/// pattern like `a{100000}{100000}` would take minutes and gigabytes per row.
pub const MAX_PATTERN_LEN: usize = 65_536;

/// The longest match of `hir` in characters, with unbounded repetitions
/// counted as [`PATTERN_MAX_REPEAT`]; saturates instead of overflowing.
pub(crate) fn longest_match(hir: &regex_syntax::hir::Hir) -> usize {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(l) => String::from_utf8_lossy(&l.0).chars().count(),
        HirKind::Class(_) => 1,
        HirKind::Repetition(r) => {
            let times = r.max.unwrap_or(r.min.saturating_add(PATTERN_MAX_REPEAT));
            longest_match(&r.sub).saturating_mul(times as usize)
        }
        HirKind::Capture(c) => longest_match(&c.sub),
        HirKind::Concat(parts) => parts.iter().fold(0, |n, p| n.saturating_add(longest_match(p))),
        HirKind::Alternation(parts) => parts.iter().map(longest_match).max().unwrap_or(0),
    }
}

/// A pattern short enough to quote in a message.
fn abbreviate(pattern: &str) -> String {
    if pattern.chars().count() <= 60 {
        format!("{pattern:?}")
    } else {
        format!("{:?}…", pattern.chars().take(60).collect::<String>())
    }
}

/// The most tables a schema may have: far beyond any real database, low
/// enough that a generated or hostile file cannot make planning take hours.
pub const MAX_TABLES: usize = 10_000;

/// The most columns a table may have (PostgreSQL allows 1600, MySQL 4096).
pub const MAX_COLUMNS: usize = 10_000;

/// Every problem in `schema`, in table and column order.
pub(crate) fn problems(schema: &Schema) -> Vec<Problem> {
    let mut problems = Vec::new();
    if schema.tables.len() > MAX_TABLES {
        problems.push(Problem::schema(format!(
            "{} tables; a schema may have at most {MAX_TABLES}",
            schema.tables.len()
        )));
        return problems;
    }
    for table in schema.tables.iter().filter(|t| t.columns.len() > MAX_COLUMNS) {
        problems.push(Problem::table(
            &table.name,
            format!(
                "{} columns; a table may have at most {MAX_COLUMNS}",
                table.columns.len()
            ),
        ));
    }
    if !problems.is_empty() {
        return problems;
    }
    let mut seen_tables = HashSet::new();
    for table in &schema.tables {
        if !seen_tables.insert(table.name.as_ref()) {
            problems.push(Problem::table(&table.name, "declared more than once"));
        }
        check_table(schema, table, &mut problems);
    }
    check_cycles(schema, &mut problems);
    problems.extend(crate::relation::problems(schema));
    problems
}

fn check_table(schema: &Schema, table: &Table, problems: &mut Vec<Problem>) {
    if table.name.trim().is_empty() {
        problems.push(Problem::schema("a table has an empty name"));
    }
    if table.columns.is_empty() {
        problems.push(Problem::table(&table.name, "has no columns"));
    }
    let mut seen = HashSet::new();
    for col in table.columns.iter() {
        if !seen.insert(col.name.as_ref()) {
            problems.push(Problem::column(&table.name, &col.name, "declared more than once"));
        }
        check_column(schema, table, col, problems);
    }
    for key in table.unique.iter() {
        if key.is_empty() {
            problems.push(Problem::table(&table.name, "a `unique` key lists no columns"));
        }
        for name in key.iter().filter(|n| table.column(n).is_none()) {
            problems.push(Problem::table(
                &table.name,
                format!("`unique` names column `{name}`, which the table does not have"),
            ));
        }
    }
    for fk in table.foreign_keys.iter() {
        let at = |msg: String| Problem::table(&table.name, msg);
        if fk.columns.len() != fk.references.len() || fk.columns.is_empty() {
            problems.push(at(format!(
                "foreign key ({}) → {}({}) pairs {} column(s) with {}",
                fk.columns.join(", "),
                fk.table,
                fk.references.join(", "),
                fk.columns.len(),
                fk.references.len()
            )));
            continue;
        }
        for name in fk.columns.iter().filter(|n| table.column(n).is_none()) {
            problems.push(at(format!(
                "foreign key names column `{name}`, which the table does not have"
            )));
        }
        match schema.table(&fk.table) {
            None => problems.push(at(format!(
                "foreign key references table `{}`, which does not exist",
                fk.table
            ))),
            Some(parent) => {
                for name in fk.references.iter().filter(|n| parent.column(n).is_none()) {
                    problems.push(at(format!(
                        "foreign key references `{}.{name}`, which does not exist",
                        fk.table
                    )));
                }
            }
        }
    }
}

fn check_column(schema: &Schema, table: &Table, col: &Column, problems: &mut Vec<Problem>) {
    let at = |msg: String| Problem::column(&table.name, &col.name, msg);
    if col.name.trim().is_empty() {
        problems.push(Problem::table(&table.name, "a column has an empty name"));
    }
    if col.primary_key && col.nullable {
        problems.push(at("a primary key column cannot be nullable".to_owned()));
    }
    if let Some(max) = col.max_length {
        if col.ty != DataType::Text {
            problems.push(at(format!(
                "`max_length` applies to text, but the column is {}",
                col.ty
            )));
        } else if max == 0 {
            problems.push(at("`max_length` must be at least 1".to_owned()));
        }
    }
    if let Some(pattern) = &col.pattern {
        if col.ty != DataType::Text {
            problems.push(at(format!(
                "`pattern` applies to text, but the column is {}",
                col.ty
            )));
        }
        let parsed = regex_syntax::Parser::new().parse(pattern);
        if let Ok(hir) = &parsed {
            let longest = longest_match(hir);
            if longest > MAX_PATTERN_LEN {
                problems.push(at(format!(
                    "`pattern` {} can produce values of {longest} characters; \
                     the most a pattern may produce is {MAX_PATTERN_LEN}: lower its repetition counts",
                    abbreviate(pattern)
                )));
            }
        }
        if let Err(e) = parsed {
            let reason = e.to_string();
            let reason = reason
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .trim_start_matches("error: ");
            problems.push(at(format!(
                "`pattern` {pattern:?} is not a valid regular expression: {reason}"
            )));
        }
    }
    if let Some(one_of) = &col.one_of {
        if one_of.is_empty() {
            problems.push(at("`one_of` is empty: list at least one value".to_owned()));
        }
        for value in one_of.iter().filter(|v| !literal_fits(col.ty, v)) {
            problems.push(at(format!("`one_of` value `{value}` is not a {}", col.ty)));
        }
    }
    if let Some(range) = &col.range {
        check_range(col, &range.min, &range.max, problems, at);
    }
    if let Some(fk) = &col.foreign_key {
        match schema.table(&fk.table) {
            None => problems.push(at(format!(
                "foreign key to `{fk}`: table `{}` does not exist",
                fk.table
            ))),
            Some(parent) => match parent.column(&fk.column) {
                None => problems.push(at(format!(
                    "foreign key to `{fk}`: table `{}` has no column `{}`",
                    fk.table, fk.column
                ))),
                Some(target) => {
                    if !target.is_unique_in(parent) {
                        problems.push(at(format!(
                            "foreign key to `{fk}`: the target must be a primary key or unique"
                        )));
                    }
                    if !types_compatible(col.ty, target.ty) {
                        problems.push(at(format!(
                            "foreign key to `{fk}`: column is {} but the target is {}",
                            col.ty, target.ty
                        )));
                    }
                }
            },
        }
    }
}

fn check_range(
    col: &Column,
    min: &Literal,
    max: &Literal,
    problems: &mut Vec<Problem>,
    at: impl Fn(String) -> Problem,
) {
    if col.ty.is_numeric() {
        match (min.as_f64(), max.as_f64()) {
            (Some(lo), Some(hi)) if lo > hi => {
                problems.push(at(format!("`range` minimum {min} is greater than maximum {max}")))
            }
            (Some(_), Some(_)) => {}
            _ => problems.push(at(format!(
                "`range` bounds must be numbers, found {min} and {max}"
            ))),
        }
        if col.ty == DataType::Integer
            && (matches!(min, Literal::Float(_)) || matches!(max, Literal::Float(_)))
        {
            problems.push(at(format!(
                "`range` bounds of an integer column must be whole numbers, found {min} and {max}"
            )));
        }
    } else if col.ty.is_temporal() {
        match (temporal_key(col.ty, min), temporal_key(col.ty, max)) {
            (Some(lo), Some(hi)) if lo > hi => {
                problems.push(at(format!("`range` minimum {min} is after maximum {max}")))
            }
            (Some(_), Some(_)) => {}
            _ => problems.push(at(format!(
                "`range` bounds of a {} column must be ISO 8601 text like {}, found {min} and {max}",
                col.ty,
                iso_example(col.ty)
            ))),
        }
    } else {
        problems.push(at(format!(
            "`range` applies to numbers, dates and times, but the column is {}",
            col.ty
        )));
    }
}

/// A sortable form of an ISO 8601 bound, or `None` when it is not one.
fn temporal_key(ty: DataType, lit: &Literal) -> Option<String> {
    let Literal::Text(s) = lit else { return None };
    let digits_at = |s: &str, layout: &str| {
        s.len() >= layout.len()
            && layout.bytes().zip(s.bytes()).all(|(l, c)| match l {
                b'9' => c.is_ascii_digit(),
                other => other == c,
            })
    };
    let ok = match ty {
        DataType::Date => s.len() == 10 && digits_at(s, "9999-99-99"),
        DataType::Time => digits_at(s, "99:99") && (s.len() == 5 || digits_at(s, "99:99:99")),
        DataType::DateTime => {
            digits_at(s, "9999-99-99")
                && (s.len() == 10 || digits_at(&s.replace(' ', "T"), "9999-99-99T99:99"))
        }
        _ => false,
    };
    ok.then(|| s.replace(' ', "T"))
}

fn iso_example(ty: DataType) -> &'static str {
    match ty {
        DataType::Date => "2024-01-31",
        DataType::Time => "09:30:00",
        _ => "2024-01-31T09:30:00Z",
    }
}

fn literal_fits(ty: DataType, lit: &Literal) -> bool {
    match (ty, lit) {
        (DataType::Integer, Literal::Int(_)) => true,
        (DataType::Float | DataType::Decimal, Literal::Int(_) | Literal::Float(_)) => true,
        (DataType::Boolean, Literal::Bool(_)) => true,
        (DataType::Json, _) => true,
        (DataType::Date | DataType::DateTime | DataType::Time, lit) => temporal_key(ty, lit).is_some(),
        (DataType::Text | DataType::Uuid | DataType::Decimal, Literal::Text(_)) => true,
        _ => false,
    }
}

fn types_compatible(child: DataType, parent: DataType) -> bool {
    child == parent || (child.is_numeric() && parent.is_numeric())
}

/// A cycle of required (non-nullable) foreign keys can never be inserted:
/// every row waits for a row that waits for it.
fn check_cycles(schema: &Schema, problems: &mut Vec<Problem>) {
    // Edges child → parent over foreign keys whose columns are all NOT NULL.
    let mut edges: Vec<Vec<(usize, String)>> = vec![Vec::new(); schema.tables.len()];
    for (child, table) in schema.tables.iter().enumerate() {
        for fk in table.all_foreign_keys() {
            if let (false, Some(parent)) = (table.is_optional(&fk), schema.table_index(&fk.table)) {
                edges[child].push((parent, fk.columns.join(", ")));
            }
        }
    }
    let mut reported = HashSet::new();
    for start in 0..schema.tables.len() {
        if let Some(cycle) = find_cycle(start, &edges) {
            let mut key: Vec<usize> = cycle.iter().map(|(t, _)| *t).collect();
            key.sort_unstable();
            if !reported.insert(key) {
                continue;
            }
            let path = cycle
                .iter()
                .map(|(t, via)| format!("{}.{via}", schema.tables[*t].name))
                .collect::<Vec<_>>()
                .join(" → ");
            let first = &schema.tables[cycle[0].0].name;
            problems.push(Problem::table(
                first,
                format!(
                    "foreign keys form a cycle with no nullable column to break it: {path} → {first}; make one of these columns nullable"
                ),
            ));
        }
    }
}

/// A cycle through `start` as (table, via-columns) steps, found depth first.
fn find_cycle(start: usize, edges: &[Vec<(usize, String)>]) -> Option<Vec<(usize, String)>> {
    fn walk(
        node: usize,
        start: usize,
        edges: &[Vec<(usize, String)>],
        path: &mut Vec<(usize, String)>,
        visited: &mut HashSet<usize>,
    ) -> bool {
        for (next, via) in &edges[node] {
            path.push((node, via.clone()));
            if *next == start {
                return true;
            }
            if visited.insert(*next) && walk(*next, start, edges, path, visited) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    let mut visited = HashSet::from([start]);
    walk(start, start, edges, &mut path, &mut visited).then_some(path)
}
