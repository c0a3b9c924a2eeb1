//! Property tests: for any valid schema a strategy can build (random tables,
//! types, constraints, foreign keys including composite keys and
//! self-references), the offline engine driven by the planner produces data
//! that `syda check` finds clean, the same seed gives the same data, and a
//! single forbidden value is always caught by the checker.
//!
//! The case count is modest so the suite stays fast; set `PROPTEST_CASES`
//! (e.g. `PROPTEST_CASES=2000 cargo test -p syda --test prop_engine`) for a
//! longer run.

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::Config;
use syda::check::check;
use syda::engine::OfflineEngine;
use syda::plan::Planner;
use syda::{Dataset, Schema, Value};

#[derive(Debug, Clone)]
enum Key {
    Integer,
    Uuid,
    Text,
    /// Two integer columns `a`, `b`.
    Composite,
}

#[derive(Debug, Clone)]
enum Constraint {
    None,
    Range(i64, i64),
    MaxLength(u32),
    OneOf(Vec<String>),
    Pattern(&'static str),
    Kind(&'static str),
}

#[derive(Debug, Clone)]
struct ColumnSpec {
    ty: &'static str,
    nullable: bool,
    unique: bool,
    constraint: Constraint,
}

#[derive(Debug, Clone)]
struct Reference {
    /// Index of the parent among the tables declared before this one.
    parent: usize,
    nullable: bool,
    unique: bool,
}

#[derive(Debug, Clone)]
struct TableSpec {
    key: Key,
    columns: Vec<ColumnSpec>,
    references: Vec<Reference>,
    /// A nullable `parent_id` referencing this table's own key.
    self_reference: bool,
    rows: u64,
}

const PATTERNS: &[&str] = &[
    r"[A-Z]{2}-\d{4}",
    r"[a-z]{3,8}",
    r"\d{5}",
    r"(foo|bar)_[0-9a-f]{6}",
];
const KINDS: &[&str] = &[
    "email",
    "phone",
    "company",
    "first_name",
    "city",
    "url",
    "word",
    "iban",
];

fn column_spec() -> impl Strategy<Value = ColumnSpec> {
    let integer = (
        any::<bool>(),
        any::<bool>(),
        prop::option::of((-1000i64..1000, 0i64..5000)),
    )
        .prop_map(|(nullable, unique, range)| ColumnSpec {
            ty: "integer",
            nullable,
            unique,
            // A unique column's range must hold every row's value.
            constraint: match range {
                Some((lo, span)) => Constraint::Range(lo, lo + if unique { span + 100 } else { span }),
                None => Constraint::None,
            },
        });
    let float =
        (any::<bool>(), prop::option::of((-100i64..100, 1i64..1000))).prop_map(|(nullable, range)| {
            ColumnSpec {
                ty: "float",
                nullable,
                unique: false,
                constraint: range.map_or(Constraint::None, |(lo, span)| Constraint::Range(lo, lo + span)),
            }
        });
    let text = (
        any::<bool>(),
        any::<bool>(),
        prop_oneof![
            Just(Constraint::None),
            (1u32..60).prop_map(Constraint::MaxLength),
            prop::collection::vec("[a-z]{1,6}", 1..5).prop_map(Constraint::OneOf),
            prop::sample::select(PATTERNS).prop_map(Constraint::Pattern),
            prop::sample::select(KINDS).prop_map(Constraint::Kind),
        ],
    )
        .prop_map(|(nullable, unique, constraint)| {
            let unique = unique
                && match &constraint {
                    Constraint::OneOf(_) => false,
                    Constraint::MaxLength(n) => *n >= 12,
                    _ => true,
                };
            ColumnSpec {
                ty: "text",
                nullable,
                unique,
                constraint,
            }
        });
    let plain = (
        prop::sample::select(&["boolean", "date", "datetime", "time", "uuid", "decimal", "json"][..]),
        any::<bool>(),
    )
        .prop_map(|(ty, nullable)| ColumnSpec {
            ty,
            nullable,
            unique: ty == "uuid",
            constraint: Constraint::None,
        });
    prop_oneof![integer, float, text, plain]
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        prop_oneof![
            Just(Key::Integer),
            Just(Key::Uuid),
            Just(Key::Text),
            Just(Key::Composite)
        ],
        prop::collection::vec(column_spec(), 0..5),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                any::<bool>(),
                prop::bool::weighted(0.2),
            ),
            0..3,
        ),
        any::<bool>(),
        1u64..40,
    )
        .prop_map(|(key, columns, references, self_reference, rows)| TableSpec {
            self_reference: self_reference && !matches!(key, Key::Composite),
            key,
            columns,
            // Resolved against the tables before this one in `schema_spec`.
            references: references
                .into_iter()
                .map(|(index, nullable, unique)| Reference {
                    parent: index.index(usize::MAX),
                    nullable,
                    unique,
                })
                .collect(),
            rows,
        })
}

fn schema_spec() -> impl Strategy<Value = Vec<TableSpec>> {
    prop::collection::vec(table_spec(), 1..5).prop_map(|mut tables| {
        for t in 0..tables.len() {
            let parents: Vec<u64> = tables[..t].iter().map(|p| p.rows).collect();
            let table = &mut tables[t];
            if parents.is_empty() {
                table.references.clear();
            }
            for reference in &mut table.references {
                reference.parent %= parents.len().max(1);
            }
            // A one-to-one key needs a parent row per child row.
            let rows = table.rows;
            for reference in &mut table.references {
                if reference.unique && rows > parents[reference.parent] {
                    reference.unique = false;
                }
            }
        }
        tables
    })
}

fn key_type(key: &Key) -> &'static str {
    match key {
        Key::Integer | Key::Composite => "integer",
        Key::Uuid => "uuid",
        Key::Text => "text",
    }
}

fn yaml(tables: &[TableSpec]) -> String {
    let mut out = String::from("tables:\n");
    for (t, table) in tables.iter().enumerate() {
        let _ = writeln!(out, "  t{t}:\n    columns:");
        match table.key {
            Key::Composite => {
                out.push_str("      a: { type: integer, range: [1, 100] }\n");
                out.push_str("      b: { type: integer, range: [1, 100] }\n");
            }
            ref key => {
                let _ = writeln!(out, "      id: {{ type: {}, primary_key: true }}", key_type(key));
            }
        }
        for (c, column) in table.columns.iter().enumerate() {
            let mut spec = format!("type: {}", column.ty);
            if column.nullable {
                spec.push_str(", nullable: true");
            }
            if column.unique {
                spec.push_str(", unique: true");
            }
            match &column.constraint {
                Constraint::None => {}
                Constraint::Range(lo, hi) => {
                    let _ = write!(spec, ", range: [{lo}, {hi}]");
                }
                Constraint::MaxLength(n) => {
                    let _ = write!(spec, ", max_length: {n}");
                }
                Constraint::OneOf(values) => {
                    let _ = write!(spec, ", one_of: [{}]", values.join(", "));
                }
                Constraint::Pattern(p) => {
                    let _ = write!(spec, ", pattern: '{p}'");
                }
                Constraint::Kind(k) => {
                    let _ = write!(spec, ", kind: {k}");
                }
            }
            let _ = writeln!(out, "      c{c}: {{ {spec} }}");
        }
        let mut foreign_keys = Vec::new();
        for (r, reference) in table.references.iter().enumerate() {
            let parent = &tables[reference.parent];
            let mut flags = String::new();
            if reference.nullable {
                flags.push_str(", nullable: true");
            }
            match parent.key {
                Key::Composite => {
                    let _ = writeln!(out, "      r{r}a: {{ type: integer{flags} }}");
                    let _ = writeln!(out, "      r{r}b: {{ type: integer{flags} }}");
                    foreign_keys.push(format!(
                        "{{ columns: [r{r}a, r{r}b], references: {{ table: t{}, columns: [a, b] }} }}",
                        reference.parent
                    ));
                }
                ref key => {
                    if reference.unique {
                        flags.push_str(", unique: true");
                    }
                    let _ = writeln!(
                        out,
                        "      r{r}: {{ type: {}, foreign_key: t{}.id{flags} }}",
                        key_type(key),
                        reference.parent
                    );
                }
            }
        }
        if table.self_reference {
            let _ = writeln!(
                out,
                "      parent_id: {{ type: {}, nullable: true, foreign_key: t{t}.id }}",
                key_type(&table.key)
            );
        }
        if matches!(table.key, Key::Composite) {
            out.push_str("    primary_key: [a, b]\n");
        }
        if !foreign_keys.is_empty() {
            let _ = writeln!(
                out,
                "    foreign_keys:\n      - {}",
                foreign_keys.join("\n      - ")
            );
        }
    }
    out
}

fn generate(tables: &[TableSpec], schema: &Schema, seed: u64) -> Dataset {
    let sizes = tables
        .iter()
        .enumerate()
        .map(|(t, spec)| (format!("t{t}"), spec.rows));
    let mut planner = Planner::new(schema);
    for (name, rows) in sizes {
        planner = planner.size(&name, rows);
    }
    planner
        .generate(&OfflineEngine::new().with_seed(seed))
        .unwrap_or_else(|e| panic!("generation failed: {e}\n{}", yaml(tables)))
}

fn config() -> Config {
    // `Config::default()` reads PROPTEST_CASES; only the fallback is lowered.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_generated_data_set_is_clean_and_reproducible(tables in schema_spec(), seed in any::<u64>()) {
        let text = yaml(&tables);
        let schema = Schema::from_yaml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let reloaded = Schema::from_yaml_str(&schema.to_yaml()).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(&reloaded, &schema);
        let data = generate(&tables, &schema, seed);
        let report = check(&data);
        prop_assert!(report.is_clean(), "{report}\n{text}");
        for (t, spec) in tables.iter().enumerate() {
            prop_assert_eq!(data.table(&format!("t{t}")).map(<[_]>::len), Some(spec.rows as usize));
        }
        let again = generate(&tables, &schema, seed);
        for (table, rows) in data.tables() {
            prop_assert_eq!(Some(rows), again.table(&table.name));
        }
    }

    #[test]
    fn one_forbidden_value_is_always_caught(
        tables in schema_spec(),
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
    ) {
        let text = yaml(&tables);
        let schema = Schema::from_yaml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let data = generate(&tables, &schema, seed);
        let mut rows: Vec<Vec<Vec<Value>>> = data.tables().map(|(_, rows)| rows.to_vec()).collect();
        // Every (table, row, column, forbidden value) the schema rules out.
        let mut candidates = Vec::new();
        for (t, table) in schema.tables.iter().enumerate() {
            for (c, column) in table.columns.iter().enumerate() {
                let forbidden = forbidden_values(table, column, &rows[t], c);
                candidates.extend(forbidden.into_iter().map(|v| (t, c, v)));
            }
        }
        prop_assume!(!candidates.is_empty());
        let (t, c, (row, value)) = candidates.swap_remove(pick.index(candidates.len()));
        let described = format!("t{t}.{} row {row} = {value:?}", schema.tables[t].columns[c].name);
        rows[t][row][c] = value;
        let broken = Dataset::from_tables(schema.clone(), rows).unwrap();
        prop_assert!(!check(&broken).is_clean(), "not caught: {described}\n{text}");
    }
}

proptest! {
    #![proptest_config(config())]

    /// Whatever text arrives as a schema file, the loader answers with a
    /// schema or an error, never a panic.
    #[test]
    fn the_loader_never_panics(text in r"(tables:|columns:|type:|primary_key:|foreign_key:|range:|one_of:|[a-z_]{1,8}|[ \n:,\[\]{}'\-0-9.]){0,60}") {
        let _ = Schema::from_yaml_str(&text);
        let _ = Schema::from_json_str(&text);
    }

    #[test]
    fn a_damaged_valid_schema_is_loaded_or_refused_without_panicking(
        tables in schema_spec(),
        cut in any::<prop::sample::Index>(),
        junk in r"[ \n:{}\[\],a-z0-9]{0,6}",
    ) {
        let mut text = yaml(&tables);
        let at = cut.index(text.len() + 1);
        if text.is_char_boundary(at) {
            text.insert_str(at, &junk);
            // What loads must generate or fail cleanly too.
            if let Ok(schema) = Schema::from_yaml_str(&text) {
                let _ = Planner::new(&schema).rows(5).generate(&OfflineEngine::new());
            }
        }
    }
}

/// Values that break `column` in one row of `rows`, with that row.
fn forbidden_values(
    table: &syda::Table,
    column: &syda::Column,
    rows: &[Vec<Value>],
    c: usize,
) -> Vec<(usize, Value)> {
    let mut out = Vec::new();
    if rows.is_empty() {
        return out;
    }
    if !column.nullable {
        out.push((0, Value::Null));
    }
    if matches!(column.ty, syda::DataType::Integer) {
        out.push((0, Value::from("not a number")));
    }
    if let Some(max) = column.max_length {
        out.push((0, Value::from("x".repeat(max as usize + 1))));
    }
    if let Some(range) = &column.range
        && let Some(hi) = range.max.as_f64()
    {
        let value = if matches!(column.ty, syda::DataType::Integer) {
            Value::Int(hi as i64 + 1)
        } else {
            Value::Float(hi + 0.5)
        };
        out.push((0, value));
    }
    if column.one_of.is_some() {
        out.push((0, Value::from("NOT-LISTED")));
    }
    if column.pattern.is_some() {
        out.push((0, Value::from("!! no match !!")));
    }
    if column.is_unique_in(table) && rows.len() > 1 && !rows[0][c].is_null() {
        out.push((1, rows[0][c].clone()));
    }
    if column.foreign_key.is_some() {
        let dangling = match column.ty {
            syda::DataType::Integer => Value::Int(i64::MAX),
            syda::DataType::Uuid => Value::from("00000000-0000-4000-8000-000000000000"),
            _ => Value::from("no such parent"),
        };
        out.push((0, dangling));
    }
    out
}
