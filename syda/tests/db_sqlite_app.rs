//! An SQLite application schema (db_fixtures/sqlite_app.sql: a NOT NULL
//! foreign-key cycle, a trigger writing an audit table, generated columns,
//! unique indexes, CHECKs, a view) introspects and seeds 1000 rows a table
//! with no edits; the application's own inserts work afterwards; a failure
//! midway leaves every table as it was. Needs no server.
#![cfg(feature = "db")]

use std::str::FromStr;

use sqlx::ConnectOptions as _;
use syda::db::{Database, IntrospectOptions, PlanConfig, SeedOptions};
use syda::engine::OfflineEngine;
use syda::{Schema, Value};

const FIXTURE: &str = include_str!("db_fixtures/sqlite_app.sql");

async fn create() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(FIXTURE).execute(&mut conn).await.unwrap();
    let db = Database::connect(&url).await.unwrap();
    (dir, db)
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

async fn counts(db: &Database) -> Vec<(String, i64)> {
    let Database::Sqlite(pool) = db else {
        unreachable!()
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for name in names {
        out.push((
            name.clone(),
            scalar(db, &format!("SELECT count(*) FROM \"{name}\"")).await,
        ));
    }
    out
}

fn run<F: std::future::Future<Output = ()>>(body: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(body);
}

async fn introspected(db: &Database) -> (Schema, Vec<String>) {
    let found = syda::db::introspect_with_notes(db, &IntrospectOptions::default())
        .await
        .unwrap();
    (
        Schema::from_yaml_str(&found.schema.to_yaml()).unwrap(),
        found.notes,
    )
}

#[test]
fn the_app_schema_seeds_a_thousand_rows_a_table_with_no_edits() {
    run(async {
        let (_dir, db) = create().await;
        let (schema, notes) = introspected(&db).await;
        let joined = notes.join("\n");
        assert!(
            joined.contains("table `track_audit` is not seeded: the trigger `track_inserted`"),
            "{joined}"
        );
        assert!(
            joined.contains("`track.seconds`") && joined.contains("`employee.full_name`"),
            "{joined}"
        );
        assert!(schema.table("album_list").is_none());
        assert!(
            !schema
                .table("store")
                .unwrap()
                .column("manager_id")
                .unwrap()
                .nullable
        );

        syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(1000),
            &OfflineEngine::new().with_seed(6),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        for (table, n) in counts(&db).await {
            assert_eq!(
                n, 1000,
                "every table is seeded or filled by the database: {table}"
            );
        }
        assert_eq!(
            scalar(&db, "SELECT count(DISTINCT manager_id) FROM store").await,
            1000
        );
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM pragma_foreign_key_check").await,
            0
        );

        // The application's own inserts, keys left to the database.
        let Database::Sqlite(pool) = &db else {
            unreachable!()
        };
        sqlx::raw_sql(
            "INSERT INTO artist (name) VALUES ('AC/DC');
             INSERT INTO album (title, artist_id) VALUES ('Let There Be Rock', 1);
             INSERT INTO track (name, media_type_id, milliseconds, unit_price) VALUES ('Go Down', 1, 331180, 0.99);",
        )
        .execute(pool)
        .await
        .unwrap();
        assert_eq!(scalar(&db, "SELECT max(artist_id) FROM artist").await, 1001);
        assert_eq!(scalar(&db, "SELECT max(track_id) FROM track").await, 1001);
        assert_eq!(scalar(&db, "SELECT count(*) FROM track_audit").await, 1001);
        db.close().await;
    });
}

#[test]
fn an_injected_failure_midway_leaves_every_table_as_it_was() {
    run(async {
        let (_dir, db) = create().await;
        let Database::Sqlite(pool) = &db else {
            unreachable!()
        };
        sqlx::raw_sql("INSERT INTO artist (name) VALUES ('Accept')")
            .execute(pool)
            .await
            .unwrap();
        let before = counts(&db).await;
        let (schema, _) = introspected(&db).await;
        let mut engine = OfflineEngine::new().with_seed(1);
        engine
            .generators_mut()
            .register_column("track", "milliseconds", |cx| {
                Value::Int(if cx.index() == 600 { -5 } else { 1000 })
            });
        let err = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(1000),
            &engine,
            &SeedOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("track"), "{err}");
        assert_eq!(counts(&db).await, before, "nothing of the failed seed is left");
        db.close().await;
    });
}

#[test]
fn a_generator_that_fails_midway_is_the_error_reported_and_nothing_is_left() {
    run(async {
        let (_dir, db) = create().await;
        let (mut schema, _) = introspected(&db).await;
        // Two possible values for a unique column: the third track fails to generate.
        let table = schema.tables.iter_mut().find(|t| t.name == "media_type").unwrap();
        let name = table
            .columns
            .to_mut()
            .iter_mut()
            .find(|c| c.name == "name")
            .unwrap();
        name.one_of = Some(
            vec![
                syda::schema::Literal::Text("MP3".into()),
                syda::schema::Literal::Text("AAC".into()),
            ]
            .into(),
        );
        let err = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(50),
            &OfflineEngine::new(),
            &SeedOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("media_type") && err.contains("name"), "{err}");
        assert!(
            !err.contains("loader stopped") && !err.contains("generation stopped"),
            "{err}"
        );
        for (table, n) in counts(&db).await {
            assert_eq!(n, 0, "{table}");
        }
        db.close().await;
    });
}
