//! A MariaDB/MySQL application schema modelled on Sakila
//! (db_fixtures/mysql_app.sql: a NOT NULL foreign-key cycle, YEAR, SET,
//! ENUM, a trigger copying rows to another table, a BEFORE trigger filling
//! a NOT NULL column, a generated column, a view) introspects and seeds
//! with `rows = 1000` and no edits; the application's own inserts work
//! afterwards; a failure midway leaves every table as it was, and the
//! error quotes the column and value. Needs a server (see `db_common`).
#![cfg(feature = "db")]

mod db_common;

use db_common::{TestDb, run};
use syda::db::{Database, IntrospectOptions, PlanConfig, SeedOptions};
use syda::engine::OfflineEngine;
use syda::{Schema, Value};

const FIXTURE: &str = include_str!("db_fixtures/mysql_app.sql");

async fn setup(tag: &str) -> Option<(TestDb, Database)> {
    let test = TestDb::mysql(tag).await?;
    test.execute(FIXTURE).await;
    let db = Database::connect(&test.url).await.expect("connect");
    Some((test, db))
}

async fn counts(db: &Database) -> Vec<(String, i64)> {
    let Database::MySql(pool) = db else {
        unreachable!("a MySQL database")
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for name in names {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS SIGNED) FROM `{name}`"
        )))
        .fetch_one(pool)
        .await
        .unwrap();
        out.push((name, n));
    }
    out
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
fn the_sakila_like_schema_seeds_with_no_edits() {
    run(async {
        let Some((test, db)) = setup("my_app").await else {
            return;
        };
        let (schema, notes) = introspected(&db).await;
        let joined = notes.join("\n");
        assert!(
            joined.contains("table `film_text` is not seeded") && joined.contains("ins_film"),
            "{joined}"
        );
        assert!(joined.contains("`actor.full_name`"), "{joined}");
        assert!(joined.contains("`customer.create_date`"), "{joined}");
        assert!(schema.table("actor_info").is_none(), "views are not read");
        let film = schema.table("film").unwrap();
        let year = film.column("release_year").unwrap().range.as_ref().unwrap();
        assert_eq!(
            (year.min.as_f64(), year.max.as_f64()),
            (Some(1901.0), Some(2155.0))
        );
        assert_eq!(
            film.column("special_features")
                .unwrap()
                .one_of
                .as_ref()
                .map(|v| v.len()),
            Some(4)
        );
        assert!(
            !schema
                .table("staff")
                .unwrap()
                .column("store_id")
                .unwrap()
                .nullable
        );

        let report = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(1000),
            &OfflineEngine::new().with_seed(4),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        // TINYINT UNSIGNED keys hold 255 rows: said in the report.
        assert!(
            report.notes.iter().any(|n| n.contains("`staff` gets 255 rows")),
            "{report}"
        );
        for (table, n) in counts(&db).await {
            let expected = if ["language", "staff", "store"].contains(&table.as_str()) {
                255
            } else {
                1000
            };
            assert_eq!(n, expected, "table {table}");
        }
        assert_eq!(
            test.scalar("SELECT COUNT(DISTINCT manager_staff_id) FROM store")
                .await,
            255
        );
        assert_eq!(
            test.scalar("SELECT COUNT(*) FROM staff s LEFT JOIN store t ON t.store_id = s.store_id WHERE t.store_id IS NULL").await,
            0
        );
        assert_eq!(test.scalar("SELECT @@foreign_key_checks").await, 1);
        assert!(test.scalar("SELECT COUNT(DISTINCT release_year) FROM film").await > 10);
        assert!(
            test.scalar("SELECT COUNT(*) FROM film WHERE special_features IS NOT NULL")
                .await
                > 0
        );

        // The application's own inserts, keys and create_date left to the database.
        test.execute(
            "INSERT INTO actor (first_name, last_name) VALUES ('PENELOPE', 'GUINESS');
             INSERT INTO address (address, district, phone) VALUES ('47 MySakila Drive', 'Alberta', '555');
             INSERT INTO customer (store_id, first_name, last_name, address_id) VALUES (1, 'MARY', 'SMITH', 1);
             INSERT INTO film (title, language_id) VALUES ('ACADEMY DINOSAUR', 1);",
        )
        .await;
        assert_eq!(
            test.scalar("SELECT CAST(MAX(actor_id) AS SIGNED) FROM actor")
                .await,
            1001
        );
        assert_eq!(
            test.scalar("SELECT CAST(MAX(customer_id) AS SIGNED) FROM customer")
                .await,
            1001
        );
        assert_eq!(test.scalar("SELECT COUNT(*) FROM film_text").await, 1001);
        db.close().await;
    });
}

#[test]
fn an_injected_failure_midway_leaves_every_table_and_names_the_value() {
    run(async {
        let Some((test, db)) = setup("my_app_fail").await else {
            return;
        };
        test.execute("INSERT INTO actor (first_name, last_name) VALUES ('NICK', 'WAHLBERG');")
            .await;
        let before = counts(&db).await;
        let (schema, _) = introspected(&db).await;
        let mut engine = OfflineEngine::new().with_seed(8);
        engine
            .generators_mut()
            .register_column("payment", "amount", |cx| {
                Value::Float(if cx.index() == 700 { 123_456.0 } else { 3.99 })
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
        assert!(
            err.contains("payment") && err.contains("column `amount`, value 123456"),
            "{err}"
        );
        assert_eq!(counts(&db).await, before, "nothing of the failed seed is left");
        assert_eq!(test.scalar("SELECT @@foreign_key_checks").await, 1);
        db.close().await;
    });
}

#[test]
fn an_error_raised_by_a_trigger_names_the_tables_it_writes() {
    run(async {
        let Some((_test, db)) = setup("my_app_trigger").await else {
            return;
        };
        let (schema, _) = introspected(&db).await;
        let mut engine = OfflineEngine::new().with_seed(2);
        // The trigger copies each film into film_text; a key already there
        // makes the trigger's INSERT fail inside the load of `film`.
        engine
            .generators_mut()
            .register_column("film", "title", |cx| Value::from(format!("FILM {}", cx.index())));
        let Database::MySql(pool) = &db else {
            unreachable!()
        };
        sqlx::raw_sql("INSERT INTO film_text (film_id, title) VALUES (7, 'taken')")
            .execute(pool)
            .await
            .unwrap();
        let err = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(20),
            &engine,
            &SeedOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("loading table `film`") && err.contains("`film_text`"),
            "{err}"
        );
        db.close().await;
    });
}
