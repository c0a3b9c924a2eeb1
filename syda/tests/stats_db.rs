//! Fitting the statistical engine to database tables: PostgreSQL and
//! MariaDB/MySQL (local servers, see `db_common`) and an SQLite file.
//! Rows decode into the values syda uses everywhere, a table fitted from
//! the database matches the same rows fitted from memory, `limit` bounds
//! the sample, hostile names work, a missing table is named.
#![cfg(all(feature = "db", feature = "stats"))]

mod db_common;

use std::str::FromStr;

use db_common::TestDb;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use sqlx::ConnectOptions as _;
use syda::Value;
use syda::db::{IntrospectOptions, ReadOptions};
use syda::engine::stats::{FitOptions, FittedModel, Marginal, Source, fit_database, fit_table, fit_with};
use syda::plan::Planner;

const ROWS: usize = 600;
const TIERS: [&str; 3] = ["gold", "silver", "basic"];

/// Rows of known structure: `x` ~ N(50, 10), `y` = 2x + small noise
/// (strongly correlated), a skewed categorical, a date, a column with
/// about 20 % NULLs. The values are exactly representable through SQL text.
fn known_rows() -> Vec<Vec<Value>> {
    let mut rng = SmallRng::seed_from_u64(11);
    (0..ROWS)
        .map(|i| {
            // Box–Muller, rounded to 3 decimals so the SQL literal is exact.
            let (u, v): (f64, f64) = (rng.random_range(1e-9..1.0), rng.random_range(0.0..1.0));
            let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
            let x = ((50.0 + 10.0 * z) * 1000.0).round() / 1000.0;
            let y = ((2.0 * x + rng.random_range(-3.0..3.0)) * 1000.0).round() / 1000.0;
            let tier = match rng.random_range(0..10) {
                0..=5 => TIERS[2],
                6..=8 => TIERS[1],
                _ => TIERS[0],
            };
            let day = 1 + i % 28;
            let month = 1 + i % 12;
            let note = if rng.random_bool(0.2) {
                Value::Null
            } else {
                Value::Int(rng.random_range(0..1000))
            };
            vec![
                Value::Int(i as i64 + 1),
                Value::Float(x),
                Value::Float(y),
                Value::from(tier),
                Value::from(format!("2023-{month:02}-{day:02}")),
                note,
            ]
        })
        .collect()
}

const COLUMNS: [&str; 6] = ["id", "x", "y", "tier", "joined", "score"];

fn insert_sql(table: &str, rows: &[Vec<Value>]) -> String {
    let values: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .map(|v| match v {
                    Value::Null => "NULL".to_owned(),
                    Value::Text(s) => format!("'{s}'"),
                    other => other.to_string(),
                })
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    format!("INSERT INTO {table} VALUES {};", values.join(", "))
}

fn known_table_sql(quote: char, float: &str) -> String {
    let t = format!("{quote}people{quote}");
    format!(
        "CREATE TABLE {t} (id integer PRIMARY KEY, x {float} NOT NULL, y {float} NOT NULL, \
         tier varchar(10) NOT NULL, joined date NOT NULL, score integer);\n{}",
        insert_sql(&t, &known_rows())
    )
}

fn memory_model() -> FittedModel {
    let columns = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    fit_with(
        &Source::rows("people", columns, known_rows()),
        &FitOptions::default(),
    )
    .unwrap()
}

fn categories(model: &FittedModel, column: &str) -> Vec<(String, f64)> {
    match &model.column(column).unwrap().marginal {
        Marginal::Categories { values, weights, .. } => {
            values.iter().cloned().zip(weights.iter().copied()).collect()
        }
        other => panic!("`{column}` is not categorical: {other:?}"),
    }
}

fn numeric_range(model: &FittedModel, column: &str) -> (f64, f64) {
    match &model.column(column).unwrap().marginal {
        Marginal::Numeric { min, max, .. } => (*min, *max),
        other => panic!("`{column}` is not numeric: {other:?}"),
    }
}

/// The model fitted from the database says what the in-memory one says.
fn assert_matches_memory(db: &FittedModel) {
    let mem = memory_model();
    assert_eq!(db.rows, ROWS as u64);
    assert_eq!(db.table, "people");
    for (d, m) in db.columns.iter().zip(&mem.columns) {
        assert_eq!(d.name, m.name);
        assert_eq!(d.kind, m.kind, "kind of `{}`", d.name);
        assert_eq!(d.null_rate, m.null_rate, "null rate of `{}`", d.name);
    }
    assert_eq!(db.column("joined").unwrap().kind.name(), "date");
    assert!(db.column("score").unwrap().null_rate > 0.1);
    assert_eq!(numeric_range(db, "x"), numeric_range(&mem, "x"));
    assert_eq!(numeric_range(db, "joined"), numeric_range(&mem, "joined"));
    let (rd, rm) = (
        db.correlation("x", "y").unwrap(),
        mem.correlation("x", "y").unwrap(),
    );
    assert!(rd > 0.9, "x and y stay correlated: {rd}");
    assert!((rd - rm).abs() < 0.02, "database {rd} vs memory {rm}");
    let (cd, cm) = (categories(db, "tier"), categories(&mem, "tier"));
    assert_eq!(cd.len(), 3);
    for ((vd, wd), (vm, wm)) in cd.iter().zip(&cm) {
        assert_eq!(vd, vm);
        assert!((wd - wm).abs() < 1e-9, "{vd}: {wd} vs {wm}");
    }
}

/// A bounded sample: exactly `limit` rows, still the same structure.
fn assert_sampled(url: &str) {
    for random in [false, true] {
        let read = ReadOptions::default().limit(200).random(random);
        let model = fit_table(url, "people", &read, &FitOptions::default()).unwrap();
        assert_eq!(model.rows, 200, "random: {random}");
        let r = model.correlation("x", "y").unwrap();
        assert!(r > 0.85, "sampled correlation {r}");
        assert_eq!(categories(&model, "tier").len(), 3);
    }
    let (_, first) = syda::db::blocking::read_table(url, "people", &ReadOptions::default().limit(5)).unwrap();
    assert_eq!(first.len(), 5);
}

fn assert_missing_table(url: &str) {
    let err = fit_table(
        url,
        "no_such_table",
        &ReadOptions::default(),
        &FitOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`no_such_table`"), "{err}");
    assert!(err.contains("people"), "lists the tables that exist: {err}");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn read(url: &str, table: &str) -> (Vec<String>, Vec<Vec<Value>>) {
    syda::db::blocking::read_table(url, table, &ReadOptions::default()).unwrap()
}

fn json(s: &str) -> Value {
    Value::Json(serde_json::from_str(s).unwrap())
}

fn text(s: &str) -> Value {
    Value::from(s)
}

// ---------------------------------------------------------------- PostgreSQL

const PG_TYPES: &str = r#"
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE types (
    i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision,
    dec numeric(10, 2), flag boolean, t text, vc varchar(10), ch char(3),
    m mood, d date, ts timestamp, tstz timestamptz, tm time, u uuid,
    j json, jb jsonb, tags text[], nums integer[], raw bytea, span interval
);
INSERT INTO types VALUES (
    -3, 2147483647, 9223372036854775807, 1.5, -0.1,
    12345678.90, true, 'it''s', 'abc', 'ab', 'sad', '2024-02-29',
    '2024-02-29 13:14:15.25', '2024-02-29 23:30:00+02', '08:09:10',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": null}',
    ARRAY['x', 'y"z'], ARRAY[1, NULL, 3], '\xdeadbeef', '1 day 02:00:00'
);
INSERT INTO types DEFAULT VALUES;
"#;

#[test]
fn postgres_fit_matches_memory_and_samples() {
    let rt = runtime();
    let Some(test) = rt.block_on(TestDb::postgres("statsdb_pg_fit")) else {
        return;
    };
    rt.block_on(test.execute(&known_table_sql('"', "double precision")));
    let model = fit_table(
        &test.url,
        "people",
        &ReadOptions::default(),
        &FitOptions::default(),
    )
    .unwrap();
    assert_matches_memory(&model);
    assert_sampled(&test.url);
    assert_missing_table(&test.url);
}

#[test]
fn postgres_every_type_decodes() {
    let rt = runtime();
    let Some(test) = rt.block_on(TestDb::postgres("statsdb_pg_types")) else {
        return;
    };
    rt.block_on(test.execute(PG_TYPES));
    let (columns, rows) = read(&test.url, "types");
    assert_eq!(columns.len(), 22);
    assert_eq!(columns[0], "i2");
    assert_eq!(
        rows[0],
        vec![
            Value::Int(-3),
            Value::Int(2_147_483_647),
            Value::Int(i64::MAX),
            Value::Float(1.5),
            Value::Float(-0.1),
            text("12345678.90"),
            Value::Bool(true),
            text("it's"),
            text("abc"),
            text("ab"),
            text("sad"),
            text("2024-02-29"),
            text("2024-02-29T13:14:15"),
            text("2024-02-29T21:30:00Z"),
            text("08:09:10"),
            text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            json(r#"{"a": [1, 2]}"#),
            json(r#"{"b": null}"#),
            json(r#"["x", "y\"z"]"#),
            json("[1, null, 3]"),
            text("deadbeef"),
            text("1 day 02:00:00"),
        ]
    );
    assert!(rows[1].iter().all(Value::is_null), "{:?}", rows[1]);
}

#[test]
fn postgres_hostile_names_and_schemas() {
    let rt = runtime();
    let Some(test) = rt.block_on(TestDb::postgres("statsdb_pg_hostile")) else {
        return;
    };
    let mut sql = String::from(
        "CREATE SCHEMA \"Odd Schema\";\n\
         CREATE TABLE \"Odd Schema\".\"we\"\"ird; DROP TABLE x --\" (\"sel\"\"ect\" integer, \"Name\" text);\n",
    );
    for i in 0..40 {
        sql.push_str(&format!(
            "INSERT INTO \"Odd Schema\".\"we\"\"ird; DROP TABLE x --\" VALUES ({i}, '{}');\n",
            ["a", "b"][i % 2]
        ));
    }
    rt.block_on(test.execute(&sql));
    let read = ReadOptions::default().schema("Odd Schema");
    let model = fit_table(
        &test.url,
        "we\"ird; DROP TABLE x --",
        &read,
        &FitOptions::default(),
    )
    .unwrap();
    assert_eq!(model.rows, 40);
    assert_eq!(model.table, "we\"ird; DROP TABLE x --");
    assert_eq!(model.columns[0].name, "sel\"ect");
    assert_eq!(categories(&model, "Name").len(), 2);
    // Not in the default schema: a clear error.
    let err = fit_table(
        &test.url,
        "we\"ird; DROP TABLE x --",
        &ReadOptions::default(),
        &FitOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("schema `public`"), "{err}");
}

#[test]
fn postgres_fit_database_keeps_foreign_keys() {
    let rt = runtime();
    let Some(test) = rt.block_on(TestDb::postgres("statsdb_pg_multi")) else {
        return;
    };
    let mut sql = String::from(
        "CREATE TABLE customers (id integer PRIMARY KEY, tier text NOT NULL, credit double precision NOT NULL);\n\
         CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id), \
         amount double precision NOT NULL, status text NOT NULL);\n",
    );
    let mut rng = SmallRng::seed_from_u64(5);
    for i in 1..=100 {
        let tier = TIERS[rng.random_range(0..3)];
        let credit = f64::from(rng.random_range(100..10_000)) / 10.0;
        sql.push_str(&format!(
            "INSERT INTO customers VALUES ({i}, '{tier}', {credit});\n"
        ));
    }
    for i in 1..=400 {
        let customer = rng.random_range(1..=100);
        let amount = f64::from(rng.random_range(500..50_000)) / 100.0;
        let status = ["paid", "open"][rng.random_range(0..2)];
        sql.push_str(&format!(
            "INSERT INTO orders VALUES ({i}, {customer}, {amount}, '{status}');\n"
        ));
    }
    rt.block_on(test.execute(&sql));
    let fitted = fit_database(
        &test.url,
        &IntrospectOptions::default(),
        &ReadOptions::default(),
        &FitOptions::default(),
    )
    .unwrap();
    assert_eq!(fitted.models.len(), 2);
    let orders = fitted.schema.table("orders").unwrap();
    let fk = orders
        .column("customer_id")
        .unwrap()
        .foreign_key
        .as_ref()
        .unwrap();
    assert_eq!((fk.table.as_ref(), fk.column.as_ref()), ("customers", "id"));
    let engine = fitted.engine().unwrap();
    let data = Planner::new(&fitted.schema)
        .rows(50)
        .size("orders", 300)
        .generate(&engine)
        .unwrap();
    let customers = data.table("customers").unwrap();
    let ids: std::collections::HashSet<String> = customers.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(ids.len(), 50);
    let orders = data.table("orders").unwrap();
    assert_eq!(orders.len(), 300);
    let mut statuses = std::collections::HashSet::new();
    for row in orders.iter() {
        assert!(ids.contains(&row[1].to_string()), "orphan order {row:?}");
        statuses.insert(row[3].to_string());
        let Value::Float(amount) = row[2] else {
            panic!("amount is a float: {row:?}")
        };
        assert!(
            (5.0..=500.0).contains(&amount),
            "amount {amount} within the real range"
        );
    }
    assert_eq!(statuses.len(), 2, "{statuses:?}");
    for row in customers.iter() {
        assert!(TIERS.contains(&row[1].as_str().unwrap()), "{row:?}");
    }
}

// ------------------------------------------------------------ MySQL / MariaDB

const MYSQL_TYPES: &str = r#"
CREATE TABLE types (
    ti tinyint, si smallint, i int, bi bigint, ubi bigint unsigned,
    f float, d double, dec_ decimal(10, 2), flag tinyint(1), vc varchar(10),
    ch char(3), t text, e enum('happy', 'sad'), dt date, dtm datetime,
    ts timestamp NULL, tm time, j json, raw varbinary(8)
);
INSERT INTO types VALUES (
    -3, 300, 2147483647, -9223372036854775808, 18446744073709551615,
    1.5, -0.1, 12345678.90, 1, 'it''s', 'ab', 'long', 'sad', '2024-02-29',
    '2024-02-29 13:14:15', '2024-02-29 23:30:00', '08:09:10', '{"a": [1, 2]}', X'DEADBEEF'
);
INSERT INTO types () VALUES ();
"#;

#[test]
fn mysql_fit_matches_memory_and_samples() {
    let rt = runtime();
    let Some(test) = rt.block_on(TestDb::mysql("statsdb_my_fit")) else {
        return;
    };
    rt.block_on(test.execute(&known_table_sql('`', "double")));
    let model = fit_table(
        &test.url,
        "people",
        &ReadOptions::default(),
        &FitOptions::default(),
    )
    .unwrap();
    assert_matches_memory(&model);
    assert_sampled(&test.url);
    assert_missing_table(&test.url);
}

#[test]
fn mysql_every_type_decodes_and_hostile_names() {
    let rt = runtime();
    let Some(test) = rt.block_on(TestDb::mysql("statsdb_my_types")) else {
        return;
    };
    rt.block_on(test.execute(MYSQL_TYPES));
    let (columns, rows) = read(&test.url, "types");
    assert_eq!(columns.len(), 19);
    let expected_json = rows[0][17].clone();
    assert_eq!(
        rows[0],
        vec![
            Value::Int(-3),
            Value::Int(300),
            Value::Int(2_147_483_647),
            Value::Int(i64::MIN),
            text("18446744073709551615"),
            Value::Float(1.5),
            Value::Float(-0.1),
            text("12345678.90"),
            Value::Bool(true),
            text("it's"),
            text("ab"),
            text("long"),
            text("sad"),
            text("2024-02-29"),
            text("2024-02-29T13:14:15"),
            text("2024-02-29T23:30:00"),
            text("08:09:10"),
            expected_json,
            text("deadbeef"),
        ]
    );
    // JSON (MySQL) or LONGTEXT with a JSON check (MariaDB): the same document.
    match &rows[0][17] {
        Value::Json(j) => assert_eq!(j, &serde_json::json!({"a": [1, 2]})),
        Value::Text(s) => assert_eq!(
            serde_json::from_str::<serde_json::Value>(s).unwrap(),
            serde_json::json!({"a": [1, 2]})
        ),
        other => panic!("json column read as {other:?}"),
    }
    assert!(rows[1].iter().all(Value::is_null), "{:?}", rows[1]);

    let name = "we`ird\"; DROP TABLE x --";
    let mut sql = String::from("CREATE TABLE `we``ird\"; DROP TABLE x --` (`sel``ect` int, `Name` text);\n");
    for i in 0..40 {
        sql.push_str(&format!(
            "INSERT INTO `we``ird\"; DROP TABLE x --` VALUES ({i}, '{}');\n",
            ["a", "b"][i % 2]
        ));
    }
    rt.block_on(test.execute(&sql));
    let model = fit_table(&test.url, name, &ReadOptions::default(), &FitOptions::default()).unwrap();
    assert_eq!(model.rows, 40);
    assert_eq!(model.columns[0].name, "sel`ect");
}

// -------------------------------------------------------------------- SQLite

struct SqliteFile {
    _dir: tempfile::TempDir,
    url: String,
}

fn sqlite(sql: &str) -> SqliteFile {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("stats.db").display());
    runtime().block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    });
    SqliteFile { _dir: dir, url }
}

#[test]
fn sqlite_fit_matches_memory_and_samples() {
    let db = sqlite(&known_table_sql('"', "REAL"));
    let model = fit_table(&db.url, "people", &ReadOptions::default(), &FitOptions::default()).unwrap();
    assert_matches_memory(&model);
    assert_sampled(&db.url);
    assert_missing_table(&db.url);
}

#[test]
fn sqlite_every_type_decodes_and_hostile_names() {
    let db = sqlite(
        r#"
CREATE TABLE types (i INTEGER, r REAL, n NUMERIC, flag BOOLEAN, t TEXT, d DATE,
                    ts DATETIME, u UUID, j JSON, raw BLOB);
INSERT INTO types VALUES (42, 2.5, 12.25, 1, 'it''s', '2024-02-29', '2024-02-29T13:14:15',
                          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', X'DEADBEEF');
INSERT INTO types DEFAULT VALUES;
CREATE TABLE "we""ird`; DROP TABLE x --" ("sel""ect" INTEGER, v TEXT);
INSERT INTO "we""ird`; DROP TABLE x --" VALUES (1, 'a'), (2, 'b'), (3, 'a');
CREATE TABLE loose (a, b ANYTHING, c REAL);
INSERT INTO loose VALUES (7, 1.5, 0.1 + 0.2), ('text', X'00FF', 1e300), (0.1 + 0.2, NULL, NULL);
"#,
    );
    let (columns, rows) = read(&db.url, "types");
    assert_eq!(columns, ["i", "r", "n", "flag", "t", "d", "ts", "u", "j", "raw"]);
    assert_eq!(
        rows[0],
        vec![
            Value::Int(42),
            Value::Float(2.5),
            text("12.25"),
            Value::Bool(true),
            text("it's"),
            text("2024-02-29"),
            text("2024-02-29T13:14:15"),
            text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            json(r#"{"a": [1, 2]}"#),
            text("deadbeef"),
        ]
    );
    assert!(rows[1].iter().all(Value::is_null), "{:?}", rows[1]);
    let (columns, rows) = read(&db.url, "we\"ird`; DROP TABLE x --");
    assert_eq!(columns, ["sel\"ect", "v"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2], vec![Value::Int(3), text("a")]);
    // Columns without a declared type: numbers stay numbers, blobs are hex.
    let (_, rows) = read(&db.url, "loose");
    // REAL values come back exact (SQLite's own text form keeps 15 digits).
    assert_eq!(
        rows[0],
        vec![Value::Int(7), Value::Float(1.5), Value::Float(0.1 + 0.2)]
    );
    assert_eq!(rows[1], vec![text("text"), text("00ff"), Value::Float(1e300)]);
    assert_eq!(rows[2], vec![Value::Float(0.1 + 0.2), Value::Null, Value::Null]);
}
