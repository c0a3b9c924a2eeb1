//! Every constraint holds in every row, over 100k rows.

use std::collections::HashSet;

use syda::engine::OfflineEngine;
use syda::{Column, DataType, Error, Row, Schema, Table, Value};

const ROWS: u64 = 100_000;

const SCHEMA: &str = r#"
tables:
  accounts:
    columns:
      id:       { type: integer, primary_key: true }
      email:    { type: email, unique: true }
      code:     { type: text, pattern: "^[A-Z]{3}-[0-9]{4}$", unique: true }
      slug:     { type: text, pattern: "[a-z]+(-[a-z0-9]+)*", max_length: 10 }
      short:    { type: text, max_length: 5 }
      handle:   { type: text, unique: true, max_length: 8 }
      score:    { type: integer, range: [10, 20] }
      ratio:    { type: float, range: [0.5, 1.5] }
      balance:  { type: decimal, range: [-100, 100] }
      joined:   { type: date, range: ["2020-01-01", "2020-12-31"] }
      seen_at:  { type: datetime, range: ["2021-06-01T00:00:00Z", "2021-06-30T23:59:59Z"] }
      opens_at: { type: time, range: ["08:00", "17:30"] }
      tier:     { type: text, one_of: [gold, silver, bronze] }
      nickname: { type: text, nullable: true }
      label:    { type: text }
      ticket:   { type: integer, unique: true, range: [1, 100000] }
"#;

fn generate(schema: &Schema, name: &str, rows: u64, engine: &OfflineEngine) -> (Table, Vec<Row>) {
    let table = schema.table(name).expect("table in schema").clone();
    let rows = engine
        .rows(&table, rows)
        .expect("plannable")
        .collect::<syda::Result<Vec<_>>>()
        .expect("rows generate");
    (table, rows)
}

fn column(table: &Table, rows: &[Row], name: &str) -> Vec<Value> {
    let i = table.column_index(name).expect("column exists");
    rows.iter().map(|r| r[i].clone()).collect()
}

fn texts(values: &[Value]) -> Vec<&str> {
    values.iter().map(|v| v.as_str().expect("text value")).collect()
}

fn accounts() -> &'static (Table, Vec<Row>) {
    static ROWS_CACHE: std::sync::OnceLock<(Table, Vec<Row>)> = std::sync::OnceLock::new();
    ROWS_CACHE.get_or_init(|| {
        let schema = Schema::from_yaml_str(SCHEMA).expect("schema loads");
        generate(&schema, "accounts", ROWS, &OfflineEngine::new().with_seed(7))
    })
}

#[test]
fn rows_have_one_value_per_column() {
    let (table, rows) = accounts();
    assert_eq!(rows.len() as u64, ROWS);
    assert!(rows.iter().all(|r| r.len() == table.columns.len()));
}

#[test]
fn non_nullable_columns_are_never_null() {
    let (table, rows) = accounts();
    for (i, col) in table.columns.iter().enumerate() {
        if !col.nullable {
            assert!(rows.iter().all(|r| !r[i].is_null()), "{} has a NULL", col.name);
        }
    }
}

#[test]
fn sole_integer_primary_key_counts_from_one() {
    let (table, rows) = accounts();
    let ids = column(table, rows, "id");
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(*id, Value::Int(i as i64 + 1));
    }
}

#[test]
fn unique_columns_have_no_duplicates() {
    let (table, rows) = accounts();
    for name in ["email", "code", "handle", "ticket"] {
        let values = column(table, rows, name);
        let distinct: HashSet<String> = values.iter().map(ToString::to_string).collect();
        assert_eq!(distinct.len(), values.len(), "{name} repeats a value");
    }
}

#[test]
fn unique_emails_stay_valid_addresses() {
    let (table, rows) = accounts();
    let re = regex::Regex::new(r"^[a-z0-9._]+@[a-z0-9-]+(\.[a-z0-9-]+)+$").expect("regex");
    for email in texts(&column(table, rows, "email")) {
        assert!(re.is_match(email), "{email}");
    }
}

#[test]
fn max_length_holds() {
    let (table, rows) = accounts();
    for (name, max) in [("short", 5), ("handle", 8), ("slug", 10)] {
        for s in texts(&column(table, rows, name)) {
            assert!(s.chars().count() <= max, "{name}: {s:?} longer than {max}");
            assert!(!s.is_empty(), "{name} is empty");
        }
    }
}

#[test]
fn patterns_match_in_full() {
    let (table, rows) = accounts();
    for (name, pattern) in [
        ("code", r"^[A-Z]{3}-[0-9]{4}$"),
        ("slug", r"^[a-z]+(-[a-z0-9]+)*$"),
    ] {
        let re = regex::Regex::new(pattern).expect("regex");
        for s in texts(&column(table, rows, name)) {
            assert!(re.is_match(s), "{name}: {s:?} does not match {pattern}");
        }
    }
}

#[test]
fn numeric_ranges_hold() {
    let (table, rows) = accounts();
    let scores = column(table, rows, "score");
    assert!(scores.iter().all(|v| matches!(v, Value::Int(10..=20))));
    let seen: HashSet<i64> = scores.iter().filter_map(Value::as_i64).collect();
    assert_eq!(seen.len(), 11, "every value of a small range shows up");
    for v in column(table, rows, "ratio") {
        let Value::Float(x) = v else {
            panic!("ratio is {v:?}")
        };
        assert!((0.5..=1.5).contains(&x), "{x}");
    }
    for s in texts(&column(table, rows, "balance")) {
        let x: f64 = s.parse().expect("decimal text");
        assert!((-100.0..=100.0).contains(&x), "{s}");
        assert_eq!(s.split('.').nth(1).map(str::len), Some(2), "{s} has two decimals");
    }
    for v in column(table, rows, "ticket") {
        assert!(matches!(v, Value::Int(1..=100_000)), "{v:?}");
    }
}

#[test]
fn date_ranges_hold() {
    let (table, rows) = accounts();
    let lo = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
    let hi = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).expect("date");
    for s in texts(&column(table, rows, "joined")) {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("ISO date");
        assert!(lo <= d && d <= hi, "{s}");
    }
    let lo = chrono::DateTime::parse_from_rfc3339("2021-06-01T00:00:00Z").expect("dt");
    let hi = chrono::DateTime::parse_from_rfc3339("2021-06-30T23:59:59Z").expect("dt");
    for s in texts(&column(table, rows, "seen_at")) {
        let t = chrono::DateTime::parse_from_rfc3339(s).expect("RFC 3339");
        assert!(lo <= t && t <= hi, "{s}");
    }
    let lo = chrono::NaiveTime::from_hms_opt(8, 0, 0).expect("time");
    let hi = chrono::NaiveTime::from_hms_opt(17, 30, 0).expect("time");
    for s in texts(&column(table, rows, "opens_at")) {
        let t = chrono::NaiveTime::parse_from_str(s, "%H:%M:%S").expect("time");
        assert!(lo <= t && t <= hi, "{s}");
    }
}

#[test]
fn one_of_values_only() {
    let (table, rows) = accounts();
    let tier = column(table, rows, "tier");
    let tiers: HashSet<&str> = texts(&tier).into_iter().collect();
    assert_eq!(tiers, HashSet::from(["gold", "silver", "bronze"]));
}

#[test]
fn nullable_columns_are_null_at_the_configured_rate() {
    let (table, rows) = accounts();
    let nulls = column(table, rows, "nickname")
        .iter()
        .filter(|v| v.is_null())
        .count();
    let rate = nulls as f64 / ROWS as f64;
    assert!((0.09..=0.11).contains(&rate), "null rate {rate}");

    let schema = Schema::from_yaml_str(SCHEMA).expect("schema");
    for wanted in [0.0, 0.5, 1.0] {
        let engine = OfflineEngine::new().with_null_rate(wanted);
        let (table, rows) = generate(&schema, "accounts", 10_000, &engine);
        let nulls = column(&table, &rows, "nickname")
            .iter()
            .filter(|v| v.is_null())
            .count();
        let rate = nulls as f64 / 10_000.0;
        assert!((rate - wanted).abs() <= 0.02, "wanted {wanted}, got {rate}");
    }
}

#[test]
fn doc_listed_status_values_become_one_of() {
    let schema = Schema::from_yaml_str(
        r#"
tables:
  orders:
    columns:
      id: { type: integer, primary_key: true }
      status: { type: text, doc: "Order status (New, Processing, Shipped, Delivered, Cancelled)" }
"#,
    )
    .expect("schema");
    let (table, rows) = generate(&schema, "orders", 2_000, &OfflineEngine::new());
    let status = column(&table, &rows, "status");
    let statuses: HashSet<&str> = texts(&status).into_iter().collect();
    assert_eq!(
        statuses,
        HashSet::from(["New", "Processing", "Shipped", "Delivered", "Cancelled"])
    );
}

fn plan_error(yaml: &str, rows: u64) -> Error {
    let schema = Schema::from_yaml_str(yaml).expect("schema");
    let table = &schema.tables[0];
    match OfflineEngine::new().rows(table, rows) {
        Ok(_) => panic!("expected an error for {rows} rows"),
        Err(e) => e,
    }
}

#[test]
fn ten_unique_booleans_are_unsatisfiable() {
    let err = plan_error(
        "tables:\n  flags:\n    columns:\n      on: { type: boolean, unique: true }\n",
        10,
    );
    match &err {
        Error::Unsatisfiable { table, column, .. } => {
            assert_eq!((table.as_str(), column.as_str()), ("flags", "on"));
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("flags") && text.contains("on") && text.contains("10"),
        "{text}"
    );
}

#[test]
fn two_unique_booleans_are_fine() {
    let schema =
        Schema::from_yaml_str("tables:\n  flags:\n    columns:\n      on: { type: boolean, unique: true }\n")
            .expect("schema");
    let rows: Vec<Row> = OfflineEngine::new()
        .rows(&schema.tables[0], 2)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows");
    assert_ne!(rows[0][0], rows[1][0]);
}

#[test]
fn impossible_uniqueness_is_reported_up_front() {
    let one_of = "tables:\n  t:\n    columns:\n      c: { type: text, unique: true, one_of: [a, b, c] }\n";
    assert!(matches!(plan_error(one_of, 4), Error::Unsatisfiable { .. }));
    let range = "tables:\n  t:\n    columns:\n      c: { type: integer, unique: true, range: [1, 10] }\n";
    assert!(matches!(plan_error(range, 11), Error::Unsatisfiable { .. }));
    let short = "tables:\n  t:\n    columns:\n      c: { type: text, unique: true, max_length: 1 }\n";
    assert!(matches!(plan_error(short, 100), Error::Unsatisfiable { .. }));
    let dates = "tables:\n  t:\n    columns:\n      c: { type: date, unique: true, range: [\"2024-01-01\", \"2024-01-10\"] }\n";
    assert!(matches!(plan_error(dates, 11), Error::Unsatisfiable { .. }));
    let pk = "tables:\n  t:\n    columns:\n      id: { type: integer, primary_key: true, range: [1, 5] }\n";
    assert!(matches!(plan_error(pk, 6), Error::Unsatisfiable { .. }));
}

#[test]
fn exactly_enough_unique_values_are_all_used() {
    let schema = Schema::from_yaml_str(
        "tables:\n  t:\n    columns:\n      c: { type: integer, unique: true, range: [1, 500] }\n      d: { type: text, unique: true, one_of: [a, b, c, d, e] }\n",
    )
    .expect("schema");
    let rows: Vec<Row> = OfflineEngine::new()
        .rows(&schema.tables[0], 5)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows");
    let d: HashSet<String> = rows.iter().map(|r| r[1].to_string()).collect();
    assert_eq!(d.len(), 5);
    let schema = Schema::from_yaml_str(
        "tables:\n  t:\n    columns:\n      c: { type: integer, unique: true, range: [1, 500] }\n",
    )
    .expect("schema");
    let rows: Vec<Row> = OfflineEngine::new()
        .rows(&schema.tables[0], 500)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows");
    let c: HashSet<i64> = rows.iter().filter_map(|r| r[0].as_i64()).collect();
    assert_eq!(c, (1..=500).collect());
}

#[test]
fn foreign_keys_without_a_generator_point_to_the_planner() {
    let err = plan_error(
        r#"
tables:
  orders:
    columns:
      id: { type: integer, primary_key: true }
      customer_id: { type: integer, foreign_key: customers.id }
  customers:
    columns:
      id: { type: integer, primary_key: true }
"#,
        3,
    );
    let text = err.to_string();
    assert!(matches!(err, Error::Generate { .. }), "{text}");
    assert!(
        text.contains("customer_id") && text.contains("planner") && text.contains("register_column"),
        "{text}"
    );
}

#[test]
fn unknown_kinds_need_a_generator() {
    let mut table = Table::new("t");
    table = table.with_column(syda::Column::new("x", syda::DataType::Text).with_kind("galaxy"));
    let err = OfflineEngine::new().rows(&table, 1).expect_err("unknown kind");
    assert!(
        err.to_string().contains("galaxy") && err.to_string().contains("register_kind"),
        "{err}"
    );
}

const COMPOSITE: &str = r#"
tables:
  order_lines:
    columns:
      order_id: { type: integer, primary_key: true, range: [1, 3] }
      line_no:  { type: integer, primary_key: true, range: [1, 4] }
      size:     { type: text, one_of: [S, M] }
      colour:   { type: text, one_of: [red, blue] }
    unique: [[size, colour]]
"#;

#[test]
fn composite_keys_hold_while_there_is_room() {
    let schema = Schema::from_yaml_str(COMPOSITE).expect("schema");
    let mut table = schema.tables[0].clone();
    // Four (size, colour) pairs exist: ask for four rows.
    let rows: Vec<Row> = OfflineEngine::new()
        .rows(&table, 4)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows");
    let pairs: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r[2].to_string(), r[3].to_string()))
        .collect();
    assert_eq!(pairs.len(), 4);
    let keys: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(keys.len(), 4);

    // Without the (size, colour) key, all twelve primary keys fit.
    table.unique = Vec::new().into();
    let rows: Vec<Row> = OfflineEngine::new()
        .rows(&table, 12)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows");
    let keys: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(keys.len(), 12);
}

#[test]
fn composite_keys_without_room_are_unsatisfiable() {
    let schema = Schema::from_yaml_str(COMPOSITE).expect("schema");
    let err = OfflineEngine::new()
        .rows(&schema.tables[0], 5)
        .expect_err("only four pairs");
    assert!(matches!(err, Error::Unsatisfiable { .. }), "{err}");
    assert!(err.to_string().contains("(size, colour)"), "{err}");
}

#[test]
fn tables_built_in_code_with_empty_constraints_are_errors_not_panics() {
    let mut col = syda::Column::new("n", syda::DataType::Integer);
    col.range = Some(syda::Range {
        min: syda::Literal::Int(5),
        max: syda::Literal::Int(1),
    });
    let table = Table::new("t").with_column(col);
    assert!(matches!(
        OfflineEngine::new().rows(&table, 1),
        Err(Error::Unsatisfiable { .. })
    ));
    let mut col = syda::Column::new("s", syda::DataType::Text);
    col.one_of = Some(Vec::new().into());
    let table = Table::new("t").with_column(col);
    assert!(matches!(
        OfflineEngine::new().rows(&table, 1),
        Err(Error::Unsatisfiable { .. })
    ));
}

/// Slow in debug builds; run with
/// `cargo test --release -p syda --test offline_constraints -- --ignored`.
#[test]
#[ignore = "ten million rows: run in release with --ignored"]
fn unique_emails_at_ten_million_rows() {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let table = Table::new("users").with_column(syda::Column::new("email", syda::DataType::Text).unique());
    let mut seen = HashSet::with_capacity(10_000_000);
    for row in OfflineEngine::new().rows(&table, 10_000_000).expect("plan") {
        let row = row.expect("row");
        let mut h = DefaultHasher::new();
        row[0].as_str().expect("text").hash(&mut h);
        assert!(seen.insert(h.finish()), "{:?} repeats", row[0]);
    }
    assert_eq!(seen.len(), 10_000_000);
}

#[test]
fn a_pattern_that_would_produce_gigabytes_is_refused_not_run() {
    // Found while fuzzing: nested counts multiply to 10^10 characters a row.
    let yaml = "tables:\n  t:\n    columns:\n      code: { type: text, pattern: 'a{100000}{100000}' }\n";
    let err = Schema::from_yaml_str(yaml).unwrap_err().to_string();
    assert!(err.contains("column `code`"), "{err}");
    assert!(err.contains("10000000000 characters"), "{err}");

    // A table built in code skips the loader; the engine refuses it too.
    let table = Table::new("t").with_column(text_with_pattern("(ab){300}{300}"));
    let err = OfflineEngine::new()
        .rows(&table, 1)
        .map(drop)
        .unwrap_err()
        .to_string();
    assert!(err.contains("code"), "{err}");
    assert!(err.contains("180000 characters"), "{err}");

    // Long but bounded patterns still generate.
    let table = Table::new("t").with_column(text_with_pattern("[a-z]{60000}"));
    let rows: Vec<_> = OfflineEngine::new()
        .rows(&table, 2)
        .unwrap()
        .collect::<syda::Result<_>>()
        .unwrap();
    assert_eq!(rows[1][0].as_str().unwrap().len(), 60000);
}

fn text_with_pattern(pattern: &'static str) -> Column {
    let mut column = Column::new("code", DataType::Text);
    column.pattern = Some(pattern.into());
    column
}
