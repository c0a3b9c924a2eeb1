//! `syda introspect` and `syda seed` end to end on an SQLite file.
#![cfg(feature = "db")]

use std::path::Path;
use std::process::{Command, Output};
use std::str::FromStr;

use sqlx::ConnectOptions as _;

fn syda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syda"))
        .args(args)
        .output()
        .expect("the syda binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

const SHOP: &str = r#"
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL CHECK (tier IN ('free', 'pro'))
);
CREATE TABLE "order" (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    "select" INTEGER NOT NULL CHECK ("select" BETWEEN 1 AND 9)
);
CREATE TABLE audit_log (id INTEGER PRIMARY KEY, note TEXT);
"#;

/// An SQLite file with the shop schema; returns its URL.
fn shop(dir: &Path) -> String {
    let url = format!("sqlite://{}", dir.join("shop.db").display());
    block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::raw_sql(SHOP).execute(&mut conn).await.unwrap();
    });
    url
}

fn count(url: &str, table: &str) -> i64 {
    count_where(url, table, "true")
}

fn count_where(url: &str, table: &str, condition: &str) -> i64 {
    block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .unwrap()
            .connect()
            .await
            .unwrap();
        sqlx::query_scalar(&format!("SELECT count(*) FROM \"{table}\" WHERE {condition}"))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    })
}

#[test]
fn introspect_prints_a_schema_file_that_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = shop(dir.path());
    let out = syda(&["introspect", "--database-url", &url, "--exclude", "audit_*"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let yaml = text(&out.stdout);
    let schema = syda::Schema::from_yaml_str(&yaml).unwrap();
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["customers", "order"]);
    insta::assert_snapshot!(yaml);
}

#[test]
fn seed_fills_the_database_from_its_own_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = shop(dir.path());
    let out = syda(&[
        "seed",
        "--database-url",
        &url,
        "--rows",
        "30",
        "--size",
        "customers=5",
        "--seed",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("seeded 65 rows in 3 tables"), "{summary}");
    assert!(summary.contains("rows/s"), "{summary}");
    assert_eq!(count(&url, "customers"), 5);
    assert_eq!(count(&url, "order"), 30);
    // --truncate replaces instead of adding; --quiet prints nothing.
    let out = syda(&[
        "seed",
        "--database-url",
        &url,
        "--rows",
        "7",
        "--truncate",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(count(&url, "order"), 7);
}

#[test]
fn seed_uses_an_edited_schema_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = shop(dir.path());
    let out = syda(&["introspect", "--database-url", &url, "--include", "customers"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("customers.yaml");
    let yaml = text(&out.stdout).replace("tier:\n", "tier:\n        doc: Billing tier\n");
    std::fs::write(&file, &yaml).unwrap();
    let out = syda(&[
        "seed",
        "--database-url",
        &url,
        file.to_str().unwrap(),
        "--rows",
        "12",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&url, "customers"), 12);
    assert_eq!(count(&url, "order"), 0);
}

#[test]
fn seed_names_what_the_database_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let url = shop(dir.path());
    let file = dir.path().join("wrong.yaml");
    std::fs::write(
        &file,
        "tables:\n  customers:\n    columns:\n      id: { type: integer, primary_key: true }\n      email: email\n      nickname: text\n",
    )
    .unwrap();
    let out = syda(&["seed", "--database-url", &url, file.to_str().unwrap(), "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("table `customers`, column `nickname`: no such column"),
        "{err}"
    );
    assert!(
        err.contains("column `tier`: is NOT NULL without a default"),
        "{err}"
    );
    assert_eq!(count(&url, "customers"), 0);
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let out = syda(&[
        "introspect",
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/none",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("connecting to postgres://nobody:***@127.0.0.1:1/none"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
}

/// The shop's tables as diesel_cli would print them; unique keys and CHECK
/// constraints are not in a `schema.rs`.
const SHOP_DIESEL: &str = r#"
diesel::table! {
    customers (id) {
        id -> Integer,
        email -> Text,
        tier -> Text,
    }
}

diesel::table! {
    #[sql_name = "order"]
    orders (id) {
        id -> Integer,
        customer_id -> Integer,
        #[sql_name = "select"]
        pick -> Integer,
    }
}

diesel::joinable!(orders -> customers (customer_id));
diesel::allow_tables_to_appear_in_same_query!(customers, orders);
"#;

#[test]
fn a_diesel_schema_stands_in_for_a_schema_file() {
    let dir = tempfile::tempdir().unwrap();
    let schema_rs = dir.path().join("schema.rs");
    std::fs::write(&schema_rs, SHOP_DIESEL).unwrap();
    let schema_rs = schema_rs.to_str().unwrap();

    // To files.
    let out_dir = dir.path().join("out");
    let out = syda(&[
        "generate",
        "--diesel",
        schema_rs,
        "--rows",
        "5",
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out_dir.join("customers.csv").exists());
    assert!(out_dir.join("order.csv").exists());

    // Into the database: the CHECKs (tier IN ('free','pro'), "select"
    // BETWEEN 1 AND 9) and the unique e-mail come from the database, or
    // the load would fail.
    let url = shop(dir.path());
    let out = syda(&[
        "seed",
        "--diesel",
        schema_rs,
        "--database-url",
        &url,
        "--rows",
        "40",
        "--size",
        "customers=10",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&url, "customers"), 10);
    assert_eq!(count(&url, "order"), 40);
    assert_eq!(count(&url, "audit_log"), 0, "not in schema.rs, not seeded");
}

#[test]
fn seed_with_the_statistical_engine_samples_fitted_tables() {
    let dir = tempfile::tempdir().unwrap();
    let url = shop(dir.path());
    let csv = dir.path().join("customers.csv");
    let mut data = String::from("id,email,tier\n");
    for i in 1..=200 {
        let tier = if i % 4 == 0 { "pro" } else { "free" };
        data.push_str(&format!("{i},user{i}@example.com,{tier}\n"));
    }
    std::fs::write(&csv, data).unwrap();
    let model = dir.path().join("customers.json");
    let out = syda(&["fit", csv.to_str().unwrap(), "--out", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = syda(&[
        "seed",
        "--database-url",
        &url,
        "--engine",
        "stats",
        "--fitted",
        model.to_str().unwrap(),
        "--rows",
        "400",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&url, "customers"), 400);
    assert_eq!(count(&url, "order"), 400);
    // The model's 1-in-4 share of `pro` (about 100), not the offline
    // engine's even pick from the CHECK list (about 200).
    let pro = count_where(&url, "customers", "tier = 'pro'");
    assert!((60..=140).contains(&pro), "{pro} pro customers");
    // Without a model the statistical engine has nothing to sample.
    let out = syda(&["seed", "--database-url", &url, "--engine", "stats", "--rows", "1"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--fitted"), "{}", text(&out.stderr));
}
