//! Verifies a data set against its schema: types, NOT NULL, uniques, primary
//! keys, foreign keys, max_length, ranges, one_of and patterns. This is what
//! `syda check` runs, and what the tests use to prove generated data sound.
//!
//! ```
//! use syda::{Dataset, Schema, Value};
//!
//! let schema = Schema::from_yaml_str(
//!     "tables:\n  t:\n    columns:\n      id: { type: integer, primary_key: true }\n      code: { type: text, pattern: '[A-Z]{2}' }\n",
//! )?;
//! let rows = vec![vec![Value::Int(1), Value::from("AB")], vec![Value::Int(1), Value::from("abc")]];
//! let report = syda::check::check(&Dataset::from_tables(schema, vec![rows])?);
//! assert_eq!(report.total(), 2); // duplicate id, pattern mismatch
//! # Ok::<(), syda::Error>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

use crate::dataset::Dataset;
use crate::schema::{Column, DataType, Literal, Table};
use crate::value::{Row, Value};

/// What rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A column the schema declares is missing from the data.
    MissingTable,
    /// The value is not of the column's type.
    Type,
    /// NULL in a NOT NULL column.
    NotNull,
    /// A repeated value (or tuple) in a unique column (or key).
    Unique,
    /// A repeated or NULL primary key.
    PrimaryKey,
    /// A value with no matching parent row.
    ForeignKey,
    /// Text longer than `max_length`.
    MaxLength,
    /// A value outside `range`.
    Range,
    /// A value not in `one_of`.
    OneOf,
    /// Text that does not match `pattern`.
    Pattern,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::MissingTable => "missing table",
            Rule::Type => "type",
            Rule::NotNull => "not null",
            Rule::Unique => "unique",
            Rule::PrimaryKey => "primary key",
            Rule::ForeignKey => "foreign key",
            Rule::MaxLength => "max_length",
            Rule::Range => "range",
            Rule::OneOf => "one_of",
            Rule::Pattern => "pattern",
        })
    }
}

/// All violations of one rule in one column (or key), with a few examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Table.
    pub table: String,
    /// Column, or comma-separated columns of a composite key.
    pub column: String,
    /// The rule broken.
    pub rule: Rule,
    /// How many rows break it.
    pub count: u64,
    /// Up to three examples: `row 7: "abc" is not an integer`.
    pub examples: Vec<String>,
}

/// The result of a check: empty when the data satisfies the schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Findings in table, column and rule order.
    pub findings: Vec<Finding>,
    /// Rows looked at, over all tables.
    pub rows: u64,
}

impl Report {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Total violations.
    pub fn total(&self) -> u64 {
        self.findings.iter().map(|f| f.count).sum()
    }

    /// Violations of `rule` in `table` (any column).
    pub fn count(&self, table: &str, rule: Rule) -> u64 {
        self.findings
            .iter()
            .filter(|f| f.table == table && f.rule == rule)
            .map(|f| f.count)
            .sum()
    }
}

/// A table of findings, one per line.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return writeln!(f, "{} rows checked: no violations", self.rows);
        }
        let head = ("TABLE", "COLUMN", "RULE", "COUNT");
        let w_table = self
            .findings
            .iter()
            .map(|x| x.table.len())
            .chain([head.0.len()])
            .max()
            .unwrap_or(0);
        let w_col = self
            .findings
            .iter()
            .map(|x| x.column.len())
            .chain([head.1.len()])
            .max()
            .unwrap_or(0);
        writeln!(
            f,
            "{:w_table$}  {:w_col$}  {:12}  {:>7}  EXAMPLE",
            head.0, head.1, head.2, head.3
        )?;
        for x in &self.findings {
            writeln!(
                f,
                "{:w_table$}  {:w_col$}  {:12}  {:>7}  {}",
                x.table,
                x.column,
                x.rule.to_string(),
                x.count,
                x.examples.first().map_or("", String::as_str)
            )?;
        }
        writeln!(f, "{} violations in {} rows", self.total(), self.rows)
    }
}

#[derive(Default)]
struct Findings {
    by_key: HashMap<(usize, String, Rule), Finding>,
}

impl Findings {
    fn add(&mut self, t: usize, table: &Table, column: &str, rule: Rule, example: impl FnOnce() -> String) {
        let finding = self
            .by_key
            .entry((t, column.to_owned(), rule))
            .or_insert_with(|| Finding {
                table: table.name.to_string(),
                column: column.to_owned(),
                rule,
                count: 0,
                examples: Vec::new(),
            });
        finding.count += 1;
        if finding.examples.len() < 3 {
            finding.examples.push(example());
        }
    }
}

/// Checks every table of `data` against its schema.
pub fn check(data: &Dataset) -> Report {
    let schema = data.schema();
    let mut findings = Findings::default();
    let mut rows_seen = 0;
    for (t, table) in schema.tables.iter().enumerate() {
        let Some(rows) = data.table(&table.name) else {
            findings.add(t, table, "*", Rule::MissingTable, || {
                "no rows for this table".to_owned()
            });
            continue;
        };
        rows_seen += rows.len() as u64;
        check_values(t, table, rows, &mut findings);
        check_keys(t, table, rows, &mut findings);
        for fk in table.all_foreign_keys() {
            let child: Vec<usize> = fk.columns.iter().filter_map(|c| table.column_index(c)).collect();
            let Some(parent) = schema.table(&fk.table) else {
                continue;
            };
            let parent_cols: Vec<usize> = fk
                .references
                .iter()
                .filter_map(|c| parent.column_index(c))
                .collect();
            let parent_rows = data.table(&fk.table).unwrap_or(&[]);
            let keys: HashSet<Vec<Key>> = parent_rows.iter().map(|r| tuple(r, &parent_cols)).collect();
            let label = fk.columns.join(", ");
            for (i, row) in rows.iter().enumerate() {
                if child.iter().any(|&c| row[c].is_null()) {
                    continue;
                }
                let key = tuple(row, &child);
                if !keys.contains(&key) {
                    findings.add(t, table, &label, Rule::ForeignKey, || {
                        format!("row {i}: {} has no row in {}", show_tuple(row, &child), fk.table)
                    });
                }
            }
        }
    }
    let mut findings: Vec<((usize, String, Rule), Finding)> = findings.by_key.into_iter().collect();
    findings.sort_by(|a, b| a.0.cmp(&b.0));
    Report {
        findings: findings.into_iter().map(|(_, f)| f).collect(),
        rows: rows_seen,
    }
}

fn check_values(t: usize, table: &Table, rows: &[Row], findings: &mut Findings) {
    for (c, col) in table.columns.iter().enumerate() {
        let pattern = anchored_pattern(col);
        for (i, row) in rows.iter().enumerate() {
            value_problems(col, pattern.as_ref(), &row[c], |rule, why| {
                findings.add(t, table, &col.name, rule, || format!("row {i}: {why}"));
            });
        }
    }
}

/// The column's `pattern`, compiled to match whole values.
pub(crate) fn anchored_pattern(col: &Column) -> Option<regex::Regex> {
    col.pattern
        .as_ref()
        .and_then(|p| regex::Regex::new(&format!("^(?:{p})$")).ok())
}

/// Every per-value rule `value` breaks in `col` (NOT NULL, type,
/// max_length, range, one_of, pattern), each handed to `found` with why.
/// `pattern` is [`anchored_pattern`] of `col`.
pub(crate) fn value_problems(
    col: &Column,
    pattern: Option<&regex::Regex>,
    value: &Value,
    mut found: impl FnMut(Rule, String),
) {
    if value.is_null() {
        if !col.nullable {
            found(Rule::NotNull, "NULL".to_owned());
        }
        return;
    }
    if !type_fits(col.ty, value) {
        found(Rule::Type, format!("{} is not a {}", show(value), col.ty));
        return;
    }
    if let (Some(max), Value::Text(s)) = (col.max_length, value) {
        let len = s.chars().count();
        if len > max as usize {
            found(Rule::MaxLength, format!("{len} characters, more than {max}"));
        }
    }
    if let Some(range) = &col.range
        && !in_range(col, value, &range.min, &range.max)
    {
        found(
            Rule::Range,
            format!("{} is outside {}..={}", show(value), range.min, range.max),
        );
    }
    if let Some(one_of) = &col.one_of
        && !one_of.iter().any(|lit| literal_eq(lit, value))
    {
        found(
            Rule::OneOf,
            format!("{} is not one of the allowed values", show(value)),
        );
    }
    if let (Some(re), Value::Text(s)) = (pattern, value)
        && !re.is_match(s)
    {
        found(
            Rule::Pattern,
            format!("{} does not match /{}/", show(value), re.as_str()),
        );
    }
}

/// The first rule [`value_problems`] finds, or `None` when `value` fits `col`.
#[cfg_attr(not(feature = "llm"), allow(dead_code))]
pub(crate) fn value_problem(
    col: &Column,
    pattern: Option<&regex::Regex>,
    value: &Value,
) -> Option<(Rule, String)> {
    let mut first = None;
    value_problems(col, pattern, value, |rule, why| {
        first.get_or_insert((rule, why));
    });
    first
}

fn check_keys(t: usize, table: &Table, rows: &[Row], findings: &mut Findings) {
    let pk: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.primary_key)
        .map(|(i, _)| i)
        .collect();
    let mut keys: Vec<(Vec<usize>, Rule)> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.unique)
        .map(|(i, _)| (vec![i], Rule::Unique))
        .collect();
    for key in table.unique.iter() {
        keys.push((
            key.iter().filter_map(|c| table.column_index(c)).collect(),
            Rule::Unique,
        ));
    }
    if !pk.is_empty() {
        keys.push((pk, Rule::PrimaryKey));
    }
    for (cols, rule) in keys {
        let label = cols
            .iter()
            .map(|&c| table.columns[c].name.as_ref())
            .collect::<Vec<_>>()
            .join(", ");
        let mut seen = HashSet::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            if cols.iter().any(|&c| row[c].is_null()) {
                continue; // NULLs never collide (SQL semantics); NOT NULL is checked per column
            }
            if !seen.insert(tuple(row, &cols)) {
                findings.add(t, table, &label, rule, || {
                    format!("row {i}: {} repeats", show_tuple(row, &cols))
                });
            }
        }
    }
}

/// A hashable, type-normalised form of a value for key comparisons: 1 and
/// 1.0 and "1" in a CSV all mean the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Text(String),
}

pub(crate) fn key(value: &Value) -> Key {
    match value {
        Value::Null => Key::Null,
        Value::Bool(b) => Key::Bool(*b),
        Value::Int(i) => Key::Int(*i),
        Value::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Key::Int(*x as i64),
        Value::Float(x) => Key::Float(x.to_bits()),
        Value::Text(s) => Key::Text(s.clone()),
        Value::Json(v) => Key::Text(v.to_string()),
    }
}

fn tuple(row: &Row, cols: &[usize]) -> Vec<Key> {
    cols.iter().map(|&c| key(&row[c])).collect()
}

fn show(value: &Value) -> String {
    match value {
        Value::Text(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn show_tuple(row: &Row, cols: &[usize]) -> String {
    let parts: Vec<String> = cols.iter().map(|&c| show(&row[c])).collect();
    if parts.len() == 1 {
        parts.concat()
    } else {
        format!("({})", parts.join(", "))
    }
}

fn type_fits(ty: DataType, value: &Value) -> bool {
    match (ty, value) {
        (DataType::Json, _) => true,
        (DataType::Integer, Value::Int(_)) => true,
        (DataType::Float, Value::Int(_) | Value::Float(_)) => true,
        (DataType::Decimal, Value::Int(_) | Value::Float(_)) => true,
        (DataType::Decimal, Value::Text(s)) => is_decimal(s),
        (DataType::Boolean, Value::Bool(_)) => true,
        (DataType::Text, Value::Text(_)) => true,
        (DataType::Date | DataType::DateTime | DataType::Time, Value::Text(s)) => temporal(ty, s).is_some(),
        (DataType::Uuid, Value::Text(s)) => is_uuid(s),
        _ => false,
    }
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Dates, datetimes and times as a comparable datetime (times on 1970-01-01).
fn temporal(ty: DataType, s: &str) -> Option<NaiveDateTime> {
    match ty {
        DataType::Date => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN)),
        DataType::Time => NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
            .ok()
            .map(|t| NaiveDate::default().and_time(t)),
        _ => DateTime::parse_from_rfc3339(s)
            .map(|d| d.naive_utc())
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
            .ok()
            .or_else(|| temporal(DataType::Date, s)),
    }
}

fn in_range(col: &Column, value: &Value, min: &Literal, max: &Literal) -> bool {
    if col.ty.is_temporal() {
        let bound = |lit: &Literal| match lit {
            Literal::Text(s) => temporal(col.ty, s),
            _ => None,
        };
        let (Value::Text(s), Some(lo), Some(hi)) = (value, bound(min), bound(max)) else {
            return true; // a schema-level problem, reported by validation
        };
        return temporal(col.ty, s).is_some_and(|v| lo <= v && v <= hi);
    }
    let number = match value {
        Value::Int(i) => *i as f64,
        Value::Float(x) => *x,
        Value::Text(s) => s.parse().unwrap_or(f64::NAN),
        _ => return true,
    };
    match (min.as_f64(), max.as_f64()) {
        (Some(lo), Some(hi)) => lo <= number && number <= hi,
        _ => true,
    }
}

fn literal_eq(lit: &Literal, value: &Value) -> bool {
    match (lit, value) {
        (Literal::Text(a), Value::Text(b)) => a == b,
        (Literal::Bool(a), Value::Bool(b)) => a == b,
        (Literal::Int(a), Value::Int(b)) => a == b,
        (lit, Value::Float(b)) => lit.as_f64() == Some(*b),
        (Literal::Float(a), Value::Int(b)) => *a == *b as f64,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn schema() -> Schema {
        Schema::from_yaml_str(
            r#"
tables:
  customers:
    columns:
      id: { type: integer, primary_key: true }
      email: { type: text, unique: true, max_length: 12 }
      status: { type: text, one_of: [Active, Inactive] }
      joined: { type: date, range: ["2020-01-01", "2024-12-31"] }
  orders:
    columns:
      id: { type: integer, primary_key: true }
      customer_id: { type: integer, foreign_key: customers.id }
      total: { type: float, nullable: true, range: [0, 100] }
"#,
        )
        .unwrap()
    }

    fn customer(id: i64, email: &str, status: &str, joined: &str) -> Row {
        vec![Value::Int(id), email.into(), status.into(), joined.into()]
    }

    fn dataset(customers: Vec<Row>, orders: Vec<Row>) -> Dataset {
        Dataset::from_tables(schema(), vec![customers, orders]).unwrap()
    }

    #[test]
    fn sound_data_is_clean() {
        let report = check(&dataset(
            vec![
                customer(1, "a@x.io", "Active", "2021-05-01"),
                customer(2, "b@x.io", "Inactive", "2024-12-31"),
            ],
            vec![
                vec![Value::Int(1), Value::Int(2), Value::Null],
                vec![Value::Int(2), Value::Int(1), Value::Float(99.5)],
            ],
        ));
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.rows, 4);
    }

    #[test]
    fn each_rule_is_reported_with_its_column() {
        let report = check(&dataset(
            vec![
                customer(1, "a@x.io", "Active", "2021-05-01"),
                customer(1, "a@x.io", "Gone", "2019-01-01"),
                customer(3, "much-too-long@x.io", "Active", "not a date"),
            ],
            vec![
                vec![Value::Int(1), Value::Int(7), Value::Float(101.0)],
                vec![Value::Int(2), Value::Null, Value::from("cheap")],
            ],
        ));
        let find = |table: &str, column: &str, rule| {
            report
                .findings
                .iter()
                .find(|f| f.table == table && f.column == column && f.rule == rule)
                .map(|f| f.count)
        };
        assert_eq!(find("customers", "id", Rule::PrimaryKey), Some(1));
        assert_eq!(find("customers", "email", Rule::Unique), Some(1));
        assert_eq!(find("customers", "email", Rule::MaxLength), Some(1));
        assert_eq!(find("customers", "status", Rule::OneOf), Some(1));
        assert_eq!(find("customers", "joined", Rule::Range), Some(1));
        assert_eq!(find("customers", "joined", Rule::Type), Some(1));
        assert_eq!(find("orders", "customer_id", Rule::ForeignKey), Some(1));
        assert_eq!(find("orders", "customer_id", Rule::NotNull), Some(1));
        assert_eq!(find("orders", "total", Rule::Range), Some(1));
        assert_eq!(find("orders", "total", Rule::Type), Some(1));
        assert_eq!(report.total(), 10, "{report}");
        let text = report.to_string();
        assert!(text.contains("row 0: 7 has no row in customers"), "{text}");
    }
}
