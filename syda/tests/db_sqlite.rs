//! SQLite (a temporary file): introspection, seeding, rollback, hostile
//! identifiers. Needs no server.
#![cfg(feature = "db")]

use std::str::FromStr;

use sqlx::ConnectOptions as _;
use syda::Value;
use syda::db::{Database, IntrospectOptions, PlanConfig, SeedOptions};
use syda::engine::OfflineEngine;

const SCHEMA: &str = r#"
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name VARCHAR(40) NOT NULL UNIQUE,
    budget NUMERIC CHECK (budget BETWEEN 1000 AND 500000),
    head_id INTEGER REFERENCES employees (id)
);
CREATE TABLE employees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    manager_id INTEGER REFERENCES employees (id),
    email TEXT NOT NULL UNIQUE,
    mood TEXT NOT NULL CHECK (mood IN ('happy', 'sad', 'meh')),
    level INTEGER NOT NULL CHECK (level >= 1 AND level <= 5),
    salary NUMERIC NOT NULL CHECK (salary > 0),
    hired DATE NOT NULL,
    updated_at DATETIME,
    badge UUID NOT NULL,
    profile JSON
);
CREATE TABLE projects (
    code VARCHAR(8) NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2030),
    title TEXT NOT NULL,
    PRIMARY KEY (code, year)
);
CREATE TABLE assignments (
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    project_code VARCHAR(8) NOT NULL,
    project_year INTEGER NOT NULL,
    hours INTEGER NOT NULL CHECK (hours > 0),
    PRIMARY KEY (employee_id, project_code, project_year),
    FOREIGN KEY (project_code, project_year) REFERENCES projects (code, year)
);
"#;

const ORPHANS: &str = r#"
SELECT (SELECT count(*) FROM employees e LEFT JOIN departments d ON d.id = e.department_id WHERE d.id IS NULL)
     + (SELECT count(*) FROM employees e LEFT JOIN employees m ON m.id = e.manager_id WHERE e.manager_id IS NOT NULL AND m.id IS NULL)
     + (SELECT count(*) FROM departments d LEFT JOIN employees e ON e.id = d.head_id WHERE d.head_id IS NOT NULL AND e.id IS NULL)
     + (SELECT count(*) FROM assignments a LEFT JOIN projects p ON p.code = a.project_code AND p.year = a.project_year WHERE p.code IS NULL)
"#;

struct TempDb {
    _dir: tempfile::TempDir,
    url: String,
}

async fn create(sql: &str) -> TempDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
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
    TempDb { _dir: dir, url }
}

async fn scalar(db: &Database, sql: &str) -> i64 {
    let Database::Sqlite(pool) = db else {
        unreachable!()
    };
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await
        .unwrap()
}

fn run<F: std::future::Future<Output = ()>>(body: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(body);
}

#[test]
fn introspected_schema_snapshot_and_round_trip() {
    run(async {
        let file = create(SCHEMA).await;
        let db = Database::connect(&file.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let yaml = schema.to_yaml();
        insta::assert_snapshot!(yaml);
        assert_eq!(syda::Schema::from_yaml_str(&yaml).unwrap(), schema);
        db.close().await;
    });
}

#[test]
fn seeding_fills_every_table_and_the_database_accepts_every_row() {
    run(async {
        let file = create(SCHEMA).await;
        let db = Database::connect(&file.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let plan = PlanConfig::rows(80).size("departments", 7).size("projects", 10);
        let report = syda::db::seed(
            &db,
            &schema,
            &plan,
            &OfflineEngine::new().with_seed(1),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(report.total_rows(), 7 + 80 + 10 + 80);
        assert_eq!(scalar(&db, "SELECT count(*) FROM employees").await, 80);
        assert_eq!(scalar(&db, "SELECT count(*) FROM assignments").await, 80);
        assert_eq!(scalar(&db, ORPHANS).await, 0);
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM pragma_foreign_key_check").await,
            0
        );
        assert!(report.updated_rows > 0);
        assert!(scalar(&db, "SELECT count(*) FROM employees WHERE manager_id IS NOT NULL").await > 0);
        // Keys continue after the existing ones on a second seed.
        syda::db::seed(
            &db,
            &syda::Schema::new([schema.table("projects").unwrap().clone()]),
            &PlanConfig::rows(5),
            &OfflineEngine::new().with_seed(77),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(scalar(&db, "SELECT count(*) FROM projects").await, 15);
        // Truncate inside the transaction, cycles and self-references included.
        syda::db::seed(
            &db,
            &schema,
            &plan,
            &OfflineEngine::new(),
            &SeedOptions::default().truncate(true),
        )
        .await
        .unwrap();
        assert_eq!(scalar(&db, "SELECT count(*) FROM projects").await, 10);
        assert_eq!(scalar(&db, "SELECT min(id) FROM employees").await, 1);
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM pragma_foreign_key_check").await,
            0
        );
        db.close().await;
    });
}

#[test]
fn a_row_the_database_refuses_leaves_nothing_behind() {
    run(async {
        let file = create(SCHEMA).await;
        let db = Database::connect(&file.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let mut engine = OfflineEngine::new();
        engine
            .generators_mut()
            .register_column("employees", "level", |cx| {
                Value::Int(if cx.index() == 30 { 9 } else { 2 })
            });
        let err = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(40),
            &engine,
            &SeedOptions::default(),
        )
        .await
        .unwrap_err();
        // The driver's own error is kept for callers that inspect it.
        let driver = err.get_ref().and_then(|e| e.downcast_ref::<sqlx::Error>());
        assert!(
            matches!(driver, Some(sqlx::Error::Database(db)) if db.is_check_violation()),
            "{driver:?}"
        );
        let err = err.to_string();
        assert!(err.contains("employees") && err.contains("CHECK"), "{err}");
        for table in ["departments", "employees", "projects", "assignments"] {
            assert_eq!(
                scalar(&db, &format!("SELECT count(*) FROM {table}")).await,
                0,
                "{table}"
            );
        }
        db.close().await;
    });
}

#[test]
fn hostile_identifiers_are_quoted() {
    run(async {
        let file = create(
            r#"CREATE TABLE "order" (id INTEGER PRIMARY KEY, "select" TEXT NOT NULL, "it's" INTEGER CHECK ("it's" > 0));
               CREATE TABLE "we""ird" ("key" INTEGER PRIMARY KEY, "order" INTEGER NOT NULL REFERENCES "order" (id));"#,
        )
        .await;
        let db = Database::connect(&file.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let yaml = schema.to_yaml();
        assert_eq!(syda::Schema::from_yaml_str(&yaml).unwrap(), schema);
        assert!(
            schema
                .table("we\"ird")
                .unwrap()
                .column("order")
                .unwrap()
                .foreign_key
                .is_some(),
            "{yaml}"
        );
        syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(25),
            &OfflineEngine::new(),
            &SeedOptions::default().truncate(true),
        )
        .await
        .unwrap();
        assert_eq!(scalar(&db, r#"SELECT count(*) FROM "we""ird""#).await, 25);
        assert_eq!(
            scalar(
                &db,
                r#"SELECT count(*) FROM "order" WHERE "it's" IS NULL OR "it's" > 0"#
            )
            .await,
            25
        );
        db.close().await;
    });
}

#[test]
fn the_blocking_api_needs_no_runtime() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let file = runtime.block_on(create(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    ));
    drop(runtime);
    let schema = syda::db::blocking::introspect(&file.url, &IntrospectOptions::default()).unwrap();
    let report = syda::db::blocking::seed(
        &file.url,
        &schema,
        &PlanConfig::rows(9),
        &OfflineEngine::new(),
        &SeedOptions::default(),
    )
    .unwrap();
    assert_eq!(report.total_rows(), 9);
    assert!(
        report.to_string().contains("seeded 9 rows in 1 table"),
        "{report}"
    );
}

/// Seeding again adds beside the earlier seed: the new rows continue its
/// row numbering, so unique e-mails and badges do not repeat it.
#[test]
fn a_second_seed_adds_beside_the_first_without_a_unique_clash() {
    run(async {
        let file = create(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, \
             badge INTEGER NOT NULL UNIQUE CHECK (badge BETWEEN 1000 AND 9999), name TEXT NOT NULL);",
        )
        .await;
        let db = Database::connect(&file.url).await.unwrap();
        let mut schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let people = &mut schema.tables[0];
        let email = people.column_index("email").unwrap();
        people.columns.to_mut()[email].kind = Some("email".into());
        for round in 1..=3 {
            syda::db::seed(
                &db,
                &schema,
                &PlanConfig::rows(200),
                &OfflineEngine::new(),
                &SeedOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("seed {round}: {e}"));
        }
        assert_eq!(
            scalar(
                &db,
                "SELECT count(DISTINCT email) + count(DISTINCT badge) FROM people"
            )
            .await,
            1200
        );
        db.close().await;
    });
}
