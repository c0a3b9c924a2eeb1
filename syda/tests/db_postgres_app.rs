//! A PostgreSQL application schema (db_fixtures/postgres_app.sql: domains,
//! extension types, arrays, expression and partial unique indexes,
//! triggers, a partitioned table, dump-style sequences, a NOT NULL cycle)
//! introspects and seeds 1000 rows a table with no edits; the application's
//! own inserts work afterwards; a failure midway leaves every table as it
//! was. Needs a server (see `db_common`).
#![cfg(feature = "db")]

mod db_common;

use db_common::{TestDb, run};
use syda::db::{Database, IntrospectOptions, PlanConfig, SeedOptions};
use syda::engine::OfflineEngine;
use syda::{Schema, Value};

const FIXTURE: &str = include_str!("db_fixtures/postgres_app.sql");

async fn setup(tag: &str) -> Option<(TestDb, Database)> {
    let test = TestDb::postgres(tag).await?;
    test.execute(FIXTURE).await;
    let db = Database::connect(&test.url).await.expect("connect");
    Some((test, db))
}

/// Every base table (partitioned parents, not their partitions) and its row count.
async fn counts(db: &Database) -> Vec<(String, i64)> {
    let Database::Postgres(pool) = db else {
        unreachable!("a PostgreSQL database")
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for name in names {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM \"{name}\"")))
            .fetch_one(pool)
            .await
            .unwrap();
        out.push((name, n));
    }
    out
}

/// What `syda introspect > file.yaml` and then `syda seed file.yaml` see.
async fn introspected(db: &Database) -> (Schema, Vec<String>) {
    let found = syda::db::introspect_with_notes(db, &IntrospectOptions::default())
        .await
        .unwrap();
    let yaml = found.schema.to_yaml();
    (Schema::from_yaml_str(&yaml).unwrap(), found.notes)
}

#[test]
fn the_app_schema_seeds_a_thousand_rows_a_table_with_no_edits() {
    run(async {
        let Some((test, db)) = setup("pg_app").await else {
            return;
        };
        let (schema, notes) = introspected(&db).await;
        let joined = notes.join("\n");
        assert!(joined.contains("table `film_audit` is not seeded"), "{joined}");
        assert!(
            joined.contains("`actor.full_name`") && joined.contains("generated"),
            "{joined}"
        );
        assert!(
            joined.contains("`film.slug`") && joined.contains("film_slug"),
            "{joined}"
        );
        assert!(schema.table("film_audit").is_none());
        assert!(schema.table("film_list").is_none() && schema.table("rental_by_category").is_none());
        // What the catalog says, as the schema file says it.
        let film = schema.table("film").unwrap();
        let year = film.column("release_year").unwrap().range.as_ref().unwrap();
        assert_eq!(
            (year.min.as_f64(), year.max.as_f64()),
            (Some(1901.0), Some(2155.0))
        );
        assert!(
            film.unique.is_empty() && film.column("title").unwrap().unique,
            "lower(title) index"
        );
        let staff = schema.table("staff").unwrap();
        assert!(staff.column("username").unwrap().unique, "partial unique index");
        assert!(staff.column("email").unwrap().unique, "lower(email::text) index");
        assert!(
            !staff.column("store_id").unwrap().nullable,
            "the NOT NULL cycle stays NOT NULL"
        );
        assert_eq!(
            schema
                .table("language")
                .unwrap()
                .column("code")
                .unwrap()
                .pattern
                .as_deref(),
            Some("^[A-Z]{2,6}$"),
            "the domain's regex CHECK"
        );
        let payment = schema.table("payment").unwrap();
        let fks: Vec<String> = payment
            .all_foreign_keys()
            .iter()
            .map(|fk| fk.table.to_string())
            .collect();
        assert_eq!(fks.len(), 3, "lifted from the partitions once each: {fks:?}");

        let report = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(1000),
            &OfflineEngine::new().with_seed(11),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        assert!(report.total_rows() >= 1000 * 10, "{report}");
        for (table, n) in counts(&db).await {
            assert!(
                n >= 1000,
                "every base table is seeded or filled by the database: {table} has {n}"
            );
        }
        assert_eq!(
            test.scalar("SELECT count(*) FROM film_audit").await,
            1000,
            "by the trigger"
        );
        assert_eq!(
            test.scalar("SELECT count(*) FROM film WHERE slug LIKE '%-' || film_id")
                .await,
            1000
        );
        assert!(test.scalar("SELECT count(DISTINCT release_year) FROM film").await > 10);
        assert_eq!(
            test.scalar("SELECT count(*) FROM payment WHERE payment_date >= '2022-01-01' AND payment_date < '2022-04-01'").await,
            1000,
            "every payment falls in a partition"
        );
        assert!(test.scalar("SELECT count(DISTINCT tableoid) FROM payment").await == 3);
        assert!(
            test.scalar("SELECT count(*) FROM film WHERE cardinality(scores) > 0")
                .await
                > 0
        );
        assert_eq!(
            test.scalar("SELECT count(*) FROM film WHERE octet_length(poster_hash) = 32")
                .await,
            1000
        );
        assert_eq!(
            test.scalar("SELECT count(DISTINCT manager_staff_id) FROM store")
                .await,
            1000
        );

        // The application's own inserts, keys left to the database.
        test.execute(
            "INSERT INTO actor (first_name, last_name) VALUES ('Penelope', 'Guiness');
             INSERT INTO language (name, code) VALUES ('Klingon', 'KL');
             INSERT INTO category (path, name) VALUES ('Top.Drama', 'Drama after seed');
             INSERT INTO film (title, language_id, replacement_cost, fulltext, poster_hash)
                VALUES ('After The Seed', 1, 9.99, 'after seed', decode(repeat('ab', 32), 'hex'));
             BEGIN;
             INSERT INTO staff (first_name, last_name, email, store_id, username)
                VALUES ('Mike', 'Hillyer', 'mike.after@example.org', 1, 'mike.after');
             INSERT INTO store (manager_staff_id, address) VALUES (currval('staff_staff_id_seq'), '10.0.0.1');
             COMMIT;",
        )
        .await;
        assert_eq!(test.scalar("SELECT max(actor_id)::bigint FROM actor").await, 1001);
        assert_eq!(test.scalar("SELECT max(film_id)::bigint FROM film").await, 1001);
        assert_eq!(
            test.scalar("SELECT max(language_id)::bigint FROM language").await,
            1001
        );
        assert_eq!(test.scalar("SELECT max(staff_id)::bigint FROM staff").await, 1001);
        assert_eq!(test.scalar("SELECT max(store_id)::bigint FROM store").await, 1001);
        db.close().await;
    });
}

#[test]
fn an_injected_failure_midway_leaves_every_table_as_it_was() {
    run(async {
        let Some((test, db)) = setup("pg_app_fail").await else {
            return;
        };
        // A value outside the generated vocabulary: the seeder does not yet
        // read the unique values already in a table (docs/databases.md).
        test.execute(
            "INSERT INTO actor (first_name, last_name) VALUES ('Nick', 'Wahlberg');
             INSERT INTO language (name, code) VALUES ('Quenya', 'QY');",
        )
        .await;
        let before = counts(&db).await;
        let (schema, _) = introspected(&db).await;
        let mut engine = OfflineEngine::new().with_seed(5);
        // Payment is among the last tables loaded; its 500th row does not fit numeric(5,2).
        engine
            .generators_mut()
            .register_column("payment", "amount", |cx| {
                Value::Float(if cx.index() == 500 { 123_456.0 } else { 9.99 })
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
        assert!(err.contains("payment") && err.contains("amount"), "{err}");
        assert_eq!(counts(&db).await, before, "nothing of the failed seed is left");
        test.execute("INSERT INTO actor (first_name, last_name) VALUES ('Ed', 'Chase')")
            .await;
        assert_eq!(test.scalar("SELECT max(actor_id)::bigint FROM actor").await, 2);
        db.close().await;
    });
}

#[test]
fn a_not_null_cycle_without_deferrable_constraints_is_an_error_naming_it() {
    run(async {
        let Some(test) = TestDb::postgres("pg_cycle_strict").await else {
            return;
        };
        test.execute(
            "CREATE TABLE a (id serial PRIMARY KEY, b_id int NOT NULL);
             CREATE TABLE b (id serial PRIMARY KEY, a_id int NOT NULL REFERENCES a (id));
             ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);",
        )
        .await;
        let db = Database::connect(&test.url).await.unwrap();
        let (schema, _) = introspected(&db).await;
        let err = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(10),
            &OfflineEngine::new(),
            &SeedOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("DEFERRABLE") && err.contains("b"), "{err}");
        assert_eq!(test.scalar("SELECT count(*) FROM a").await, 0);
        db.close().await;
    });
}
