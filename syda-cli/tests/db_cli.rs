//! `syda introspect` and `syda seed` end to end on an SQLite file.
#![cfg(feature = "db")]

use std::path::Path;
use std::str::FromStr;

use sqlx::ConnectOptions as _;

mod support;

use support::{block_on, syda, text};

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
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM \"{table}\" WHERE {condition}"
        )))
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

fn execute(url: &str, sql: &str) {
    block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .unwrap()
            .connect()
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    });
}

#[test]
fn check_with_a_database_url_checks_the_live_rows() {
    let dir = tempfile::tempdir().unwrap();
    let url = shop(dir.path());
    let out = syda(&["seed", "--database-url", &url, "--rows", "30", "--quiet"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = syda(&["check", "--database-url", &url]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        text(&out.stdout).contains("no violations"),
        "{}",
        text(&out.stdout)
    );

    // Against a schema file that says more than the database enforces.
    let schema = dir.path().join("shop.yaml");
    std::fs::write(
        &schema,
        "tables:\n  audit_log:\n    columns:\n      id: { type: integer, primary_key: true }\n      note: { type: text, unique: true, nullable: true }\n",
    )
    .unwrap();
    execute(&url, "INSERT INTO audit_log (note) VALUES ('same'), ('same')");
    let out = syda(&["check", "--database-url", &url, schema.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let report = text(&out.stdout);
    assert!(
        report.contains("audit_log") && report.contains("note") && report.contains("unique"),
        "{report}"
    );
}

#[test]
fn check_reads_a_diesel_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema_rs = dir.path().join("schema.rs");
    std::fs::write(&schema_rs, SHOP_DIESEL).unwrap();
    let out_dir = dir.path().join("out");
    let schema_rs = schema_rs.to_str().unwrap();
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
    let out = syda(&["check", "--diesel", schema_rs, out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    // An orphan order is found.
    let orders = out_dir.join("order.csv");
    let csv = std::fs::read_to_string(&orders).unwrap();
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let at = header.iter().position(|h| *h == "customer_id").unwrap();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    cells[at] = "999".to_owned();
    lines[1] = cells.join(",");
    std::fs::write(&orders, lines.join("\n") + "\n").unwrap();
    let out = syda(&["check", "--diesel", schema_rs, out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("customer_id"), "{}", text(&out.stdout));
    // A schema file and --diesel together are refused with the usage.
    let out = syda(&[
        "check",
        "--diesel",
        schema_rs,
        "x.yaml",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--diesel"), "{}", text(&out.stderr));
}

#[test]
fn exclude_applies_to_a_schema_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = shop(dir.path());
    let out = syda(&["introspect", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let schema = dir.path().join("shop.yaml");
    std::fs::write(&schema, &out.stdout).unwrap();
    let schema = schema.to_str().unwrap();
    let out = syda(&[
        "seed",
        "--database-url",
        &url,
        schema,
        "--rows",
        "7",
        "--exclude",
        "audit_*",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&url, "customers"), 7);
    assert_eq!(count(&url, "audit_log"), 0, "excluded");
    // Leaving out a parent of a kept table names both.
    let out = syda(&[
        "seed",
        "--database-url",
        &url,
        schema,
        "--exclude",
        "customers",
        "--quiet",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("order") && err.contains("customers"), "{err}");
    let out = syda(&[
        "check",
        schema,
        dir.path().to_str().unwrap(),
        "--include",
        "audit_log",
    ]);
    assert!(
        !text(&out.stderr).contains("customers.csv"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn introspect_says_what_triggers_and_generated_columns_fill() {
    // PostgreSQL: SQLite triggers are not read.
    let admin = std::env::var("SYDA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("syda_test_cli_notes_{}", std::process::id());
    let created = block_on(async {
        use sqlx::Connection as _;
        let mut c = match sqlx::PgConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "PostgreSQL at {admin}: {e}"
                );
                eprintln!("skipping: PostgreSQL at {admin} is not reachable: {e}");
                return false;
            }
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut c)
            .await
            .unwrap();
        true
    });
    if !created {
        return;
    }
    let (scheme, rest) = admin.split_once("://").unwrap();
    let host = rest.split(['/', '?']).next().unwrap();
    let url = format!("{scheme}://{host}/{name}");
    let result = std::panic::catch_unwind(|| {
        block_on(async {
            use sqlx::Connection as _;
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(
                "CREATE TABLE item (id serial PRIMARY KEY, a int NOT NULL, twice int GENERATED ALWAYS AS (a * 2) STORED);
                 CREATE TABLE item_log (id serial PRIMARY KEY, item_id int NOT NULL);
                 CREATE FUNCTION log_item() RETURNS trigger LANGUAGE plpgsql AS
                   $$ BEGIN INSERT INTO item_log (item_id) VALUES (NEW.id); RETURN NULL; END $$;
                 CREATE TRIGGER item_logged AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION log_item();",
            )
            .execute(&mut c)
            .await
            .unwrap();
        });
        let out = syda(&["introspect", "--database-url", &url]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let yaml = text(&out.stdout);
        assert!(
            yaml.contains("# table `item_log` is not seeded: the trigger `item_logged` on `item` fills it\n"),
            "{yaml}"
        );
        assert!(
            yaml.contains("# column `item.twice` is left to the database"),
            "{yaml}"
        );
        assert!(!yaml.contains("twice:") && !yaml.contains("item_log:"), "{yaml}");
        assert!(text(&out.stderr).contains("note: table `item_log`"));
        let out = syda(&["seed", "--database-url", &url, "--rows", "20", "--quiet"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    });
    block_on(async {
        use sqlx::Connection as _;
        if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut c)
            .await;
        }
    });
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
