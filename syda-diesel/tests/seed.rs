//! Seeding real databases: the blog example's migrations on PostgreSQL,
//! MariaDB and an SQLite file, checked with SQL.

#[macro_use]
mod common;

use common::{TestDb, blog_schema, count, migrate, references, scalar};
use diesel::connection::SimpleConnection;
use syda::Value;
use syda::engine::{Generators, OfflineEngine};
use syda_diesel::{Error, SeedConnection, SeedOptions, Sizes};

const TABLES: [&str; 5] = ["users", "posts", "comments", "tags", "posts_tags"];

fn blog_sizes() -> Sizes {
    Sizes::new(20)
        .size("users", 8)
        .size("comments", 45)
        .size("tags", 6)
        .size("posts_tags", 25)
}

fn blog_is_seeded_with_every_reference_valid<C: SeedConnection>(db: &mut TestDb<C>) {
    migrate(&mut db.conn, &db.migrations);
    let schema = blog_schema();
    let planner = blog_sizes().planner(&schema).unwrap();
    // Small batches: several statements per table, and a shorter last one.
    let options = SeedOptions::new().batch_size(7);
    let report = syda_diesel::seed_planned(
        &mut db.conn,
        &planner,
        &OfflineEngine::new().with_seed(3),
        &options,
    )
    .unwrap();

    for (table, expected) in TABLES.iter().zip([8, 20, 45, 6, 25]) {
        assert_eq!(count(&mut db.conn, table), expected, "{} {table}", db.backend);
        assert_eq!(report.rows(table), Some(expected as u64), "{table}");
    }
    // 8 users, 20 posts, 45 comments, 6 tags, 25 links in batches of 7.
    assert_eq!(report.statements, 2 + 3 + 7 + 1 + 4);
    let refs = references(&mut db.conn, &schema);
    assert_eq!(refs.len(), 5, "{refs:?}");
    for (fk, set, orphans) in &refs {
        assert_eq!(*orphans, 0, "{}: {fk} has rows pointing nowhere", db.backend);
        assert!(*set > 0, "{fk}: no references at all");
    }
    // Keys are spread over the parents, not piled on one.
    assert!(scalar(&mut db.conn, "SELECT COUNT(DISTINCT user_id) AS v FROM posts") > 1);
    // Datetimes landed in their columns as the generator made them (2015–2025).
    assert_eq!(
        scalar(
            &mut db.conn,
            "SELECT COUNT(*) AS v FROM users WHERE created_at >= '2015-01-01' AND created_at < '2026-01-01'"
        ),
        8
    );
    // The application's own inserts go on after the seeded keys (sequences set).
    db.conn
        .batch_execute(
            "INSERT INTO users (username, email, display_name, created_at) \
             VALUES ('newcomer', 'newcomer@example.com', 'New Comer', '2024-01-01 00:00:00')",
        )
        .unwrap_or_else(|e| panic!("{}: insert after seeding: {e}", db.backend));
    assert_eq!(
        scalar(
            &mut db.conn,
            "SELECT COUNT(*) AS v FROM users WHERE username = 'newcomer' AND id = 9"
        ),
        1
    );
}

fn existing_rows_push_new_keys_past_them<C: SeedConnection>(db: &mut TestDb<C>) {
    migrate(&mut db.conn, &db.migrations);
    db.conn
        .batch_execute(
            "INSERT INTO users (username, email, display_name, created_at) VALUES ('old', 'old@example.com', 'Old', '2020-01-01 00:00:00');
             INSERT INTO posts (user_id, title, slug, body, published) VALUES (1, 'Old post', 'old-post', 'Text', TRUE);",
        )
        .unwrap();
    let schema = blog_schema();
    let sizes = Sizes::new(10)
        .size("users", 5)
        .size("tags", 3)
        .size("posts_tags", 6);
    let report =
        syda_diesel::seed_schema(&mut db.conn, &schema, &sizes, &OfflineEngine::new().with_seed(5)).unwrap();
    assert_eq!(count(&mut db.conn, "users"), 6);
    assert_eq!(count(&mut db.conn, "posts"), 11);
    // Both tables held key 1: their generated keys start at 2.
    let starts: Vec<(&str, Option<i64>)> = report
        .tables
        .iter()
        .map(|t| (t.table.as_str(), t.first_key))
        .collect();
    assert!(
        starts.contains(&("users", Some(2))) && starts.contains(&("posts", Some(2))),
        "{starts:?}"
    );
    // Seeded posts point at seeded users, the old post still at the old user.
    assert_eq!(
        scalar(&mut db.conn, "SELECT COUNT(*) AS v FROM posts WHERE user_id = 1"),
        1
    );
    assert_eq!(
        scalar(
            &mut db.conn,
            "SELECT COUNT(*) AS v FROM posts WHERE id > 1 AND user_id BETWEEN 2 AND 6"
        ),
        10
    );
    for (fk, _, orphans) in references(&mut db.conn, &schema) {
        assert_eq!(orphans, 0, "{}: {fk}", db.backend);
    }
}

fn a_duplicate_midway_rolls_back_every_table<C: SeedConnection>(db: &mut TestDb<C>) {
    migrate(&mut db.conn, &db.migrations);
    // posts.slug is UNIQUE in the database but not marked so here: the 13th
    // post repeats the 3rd post's slug, and the database refuses it.
    let schema = syda_diesel::schema_from_file(common::blog_dir().join("src/schema.rs")).unwrap();
    let mut generators = Generators::new();
    generators.register_column("posts", "slug", |ctx| {
        let i = ctx.index();
        Value::Text(format!("post-{}", if i == 12 { 2 } else { i }))
    });
    let engine = OfflineEngine::new().with_seed(9).with_generators(generators);
    let planner = blog_sizes().planner(&schema).unwrap();
    let err = syda_diesel::seed_planned(&mut db.conn, &planner, &engine, &SeedOptions::new().batch_size(5))
        .expect_err("a duplicate slug must fail");
    match &err {
        Error::Database { table, action, .. } => {
            assert_eq!(table.as_deref(), Some("posts"), "{err}");
            assert_eq!(action, "inserting rows 11..=15", "{err}");
        }
        other => panic!("expected a database error, got {other}"),
    }
    // users (and maybe tags) and two batches of posts went in before the
    // failure; the rollback took everything back.
    for table in TABLES {
        assert_eq!(count(&mut db.conn, table), 0, "{}: {table} kept rows", db.backend);
    }
}

fn table_cycle_is_closed_by_updates<C: SeedConnection>(db: &mut TestDb<C>) {
    let ddl = match db.backend {
        "sqlite" => {
            "CREATE TABLE teams (id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, captain_id INTEGER REFERENCES players (id));
             CREATE TABLE players (id INTEGER PRIMARY KEY NOT NULL, team_id INTEGER NOT NULL REFERENCES teams (id), name TEXT NOT NULL);"
        }
        _ => {
            "CREATE TABLE teams (id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, captain_id INTEGER);
             CREATE TABLE players (id INTEGER PRIMARY KEY NOT NULL, team_id INTEGER NOT NULL, name TEXT NOT NULL,
                 FOREIGN KEY (team_id) REFERENCES teams (id));
             ALTER TABLE teams ADD FOREIGN KEY (captain_id) REFERENCES players (id);"
        }
    };
    db.conn.batch_execute(ddl).unwrap();
    let schema = syda_diesel::schema_from_str(
        "diesel::table! { teams (id) { id -> Integer, name -> Text, captain_id -> Nullable<Integer>, } }
         diesel::table! { players (id) { id -> Integer, team_id -> Integer, name -> Text, } }
         diesel::joinable!(teams -> players (captain_id));
         diesel::joinable!(players -> teams (team_id));",
    )
    .unwrap();
    let sizes = Sizes::new(20).size("teams", 6);
    let report =
        syda_diesel::seed_schema(&mut db.conn, &schema, &sizes, &OfflineEngine::new().with_seed(1)).unwrap();
    assert_eq!(count(&mut db.conn, "teams"), 6);
    assert_eq!(count(&mut db.conn, "players"), 20);
    let captains = scalar(
        &mut db.conn,
        "SELECT COUNT(*) AS v FROM teams WHERE captain_id IS NOT NULL",
    );
    assert!(captains > 0, "no captain was set");
    assert_eq!(report.updated_rows, captains as u64);
    for (fk, _, orphans) in references(&mut db.conn, &schema) {
        assert_eq!(orphans, 0, "{}: {fk}", db.backend);
    }
}

/// Sakila's cycle: every staff member works in a store, every store has a
/// manager on its staff, both NOT NULL, the manager unique. `deferrable`
/// marks PostgreSQL's constraints DEFERRABLE (the others relax theirs
/// differently). `staff.home_store_id` references `store` in the database
/// only: syda is not told, [`home_stores`] fills it.
fn create_store_cycle<C: SeedConnection>(db: &mut TestDb<C>, deferrable: bool) -> syda::Schema {
    let defer = if deferrable && db.backend == "postgres" {
        " DEFERRABLE"
    } else {
        ""
    };
    let ddl = match db.backend {
        "sqlite" => "CREATE TABLE store (store_id INTEGER PRIMARY KEY NOT NULL, \
                 manager_staff_id INTEGER NOT NULL UNIQUE REFERENCES staff (staff_id), name VARCHAR(200) NOT NULL);
             CREATE TABLE staff (staff_id INTEGER PRIMARY KEY NOT NULL, \
                 store_id INTEGER NOT NULL REFERENCES store (store_id), email VARCHAR(200) NOT NULL UNIQUE, \
                 home_store_id INTEGER NOT NULL REFERENCES store (store_id));"
            .to_owned(),
        _ => format!(
            "CREATE TABLE store (store_id INTEGER PRIMARY KEY NOT NULL, manager_staff_id INTEGER NOT NULL UNIQUE, \
                 name VARCHAR(200) NOT NULL);
             CREATE TABLE staff (staff_id INTEGER PRIMARY KEY NOT NULL, store_id INTEGER NOT NULL, \
                 email VARCHAR(200) NOT NULL UNIQUE, home_store_id INTEGER NOT NULL, \
                 FOREIGN KEY (store_id) REFERENCES store (store_id){defer}, \
                 FOREIGN KEY (home_store_id) REFERENCES store (store_id){defer});
             ALTER TABLE store ADD FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id){defer};"
        ),
    };
    db.conn.batch_execute(&ddl).unwrap();
    let mut schema = syda_diesel::schema_from_str(
        "diesel::table! { store (store_id) { store_id -> Integer, manager_staff_id -> Integer, name -> Varchar, } }
         diesel::table! { staff (staff_id) { staff_id -> Integer, store_id -> Integer, email -> Varchar, home_store_id -> Integer, } }
         diesel::joinable!(store -> staff (manager_staff_id));
         diesel::joinable!(staff -> store (store_id));",
    )
    .unwrap();
    syda_diesel::mark_unique(&mut schema, ["store.manager_staff_id", "staff.email"]).unwrap();
    schema
}

/// The engine for [`create_store_cycle`]: `staff.home_store_id` is one of
/// the 4 stores, except for the row `orphan` (if any), which points at none.
fn home_stores(orphan: Option<u64>) -> OfflineEngine {
    let mut generators = Generators::new();
    generators.register_column("staff", "home_store_id", move |ctx| {
        let i = ctx.index();
        Value::Int(if Some(i) == orphan {
            9_999
        } else {
            (i % 4) as i64 + 1
        })
    });
    OfflineEngine::new().with_seed(4).with_generators(generators)
}

/// MySQL's switch is per session: after a seed, whatever its end, the
/// caller's connection checks foreign keys again.
fn assert_checks_on<C: SeedConnection>(db: &mut TestDb<C>) {
    if db.backend == "mysql" {
        assert_eq!(
            scalar(&mut db.conn, "SELECT CAST(@@FOREIGN_KEY_CHECKS AS SIGNED) AS v"),
            1
        );
    }
}

/// A cycle of NOT NULL foreign keys goes in with the checks relaxed inside
/// the transaction, and every key holds afterwards.
fn a_not_null_cycle_is_seeded_with_the_checks_relaxed<C: SeedConnection>(db: &mut TestDb<C>) {
    let schema = create_store_cycle(db, true);
    let sizes = Sizes::new(12).size("store", 4);
    let report = syda_diesel::seed_schema(&mut db.conn, &schema, &sizes, &home_stores(None)).unwrap();
    assert_eq!(count(&mut db.conn, "store"), 4);
    assert_eq!(count(&mut db.conn, "staff"), 12);
    assert!(
        report.deferred.iter().any(|d| d.required),
        "{:?}",
        report.deferred
    );
    for (fk, set, orphans) in references(&mut db.conn, &schema) {
        assert_eq!(orphans, 0, "{}: {fk}", db.backend);
        assert!(set > 0, "{fk}");
    }
    assert_eq!(
        scalar(
            &mut db.conn,
            "SELECT COUNT(DISTINCT manager_staff_id) AS v FROM store"
        ),
        4
    );
    assert_checks_on(db);
}

/// A row pointing nowhere while the checks are relaxed — through a key
/// only the database declares — is caught before the commit (by the
/// database at the commit, or by syda's query on MySQL), and nothing of
/// the seed stays.
fn an_orphan_in_a_relaxed_cycle_rolls_everything_back<C: SeedConnection>(db: &mut TestDb<C>) {
    let schema = create_store_cycle(db, true);
    let sizes = Sizes::new(12).size("store", 4);
    let err = syda_diesel::seed_schema(&mut db.conn, &schema, &sizes, &home_stores(Some(7)))
        .expect_err("staff 8 points at no store");
    let text = err.to_string().to_lowercase();
    assert!(text.contains("foreign key"), "{}: {text}", db.backend);
    if db.backend == "mysql" {
        assert!(
            text.contains("`staff.(home_store_id)` → `store`: 1 rows"),
            "{text}"
        );
    }
    assert_eq!(count(&mut db.conn, "store"), 0, "{}", db.backend);
    assert_eq!(count(&mut db.conn, "staff"), 0, "{}", db.backend);
    assert_checks_on(db);
}

on_every_backend!(
    a_not_null_cycle_is_seeded_with_the_checks_relaxed,
    an_orphan_in_a_relaxed_cycle_rolls_everything_back,
    blog_is_seeded_with_every_reference_valid,
    existing_rows_push_new_keys_past_them,
    a_duplicate_midway_rolls_back_every_table,
    table_cycle_is_closed_by_updates,
);

/// PostgreSQL defers only DEFERRABLE constraints: a cycle of NOT NULL keys
/// that are not is refused before anything is inserted, naming the column.
#[test]
fn a_not_null_cycle_postgres_cannot_defer_is_refused_naming_the_column() {
    let Some(mut db) = common::postgres() else {
        return;
    };
    let schema = create_store_cycle(&mut db, false);
    let err = syda_diesel::seed_schema(&mut db.conn, &schema, &Sizes::new(5), &OfflineEngine::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("DEFERRABLE") && (err.contains("store_id") || err.contains("manager_staff_id")),
        "{err}"
    );
    assert_eq!(count(&mut db.conn, "store"), 0);
}

/// A table named with a reserved word, a column too, and one column of
/// every syda type (plus a PostgreSQL enum): values land in their own types.
const EVERY_TYPE: &str = r#"
pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "mood"))]
    pub struct Mood;
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Mood;

    #[sql_name = "order"]
    orders (id) {
        id -> Int8,
        #[max_length = 40]
        group -> Varchar,
        qty -> Int4,
        price -> Numeric,
        ratio -> Float8,
        paid -> Bool,
        day -> Date,
        at -> Timestamptz,
        tod -> Time,
        token -> Uuid,
        meta -> Jsonb,
        mood -> Mood,
        note -> Nullable<Text>,
    }
}
"#;

fn every_type_lands_in_its_column<C: SeedConnection>(db: &mut TestDb<C>) {
    let (ddl, checks): (&str, &[&str]) = match db.backend {
        "postgres" => (
            r#"CREATE TYPE mood AS ENUM ('happy', 'sad');
               CREATE TABLE "order" (id BIGSERIAL PRIMARY KEY, "group" VARCHAR(40) NOT NULL, qty INTEGER NOT NULL,
                 price NUMERIC(12, 2) NOT NULL, ratio DOUBLE PRECISION NOT NULL, paid BOOLEAN NOT NULL, day DATE NOT NULL,
                 at TIMESTAMPTZ NOT NULL, tod TIME NOT NULL, token UUID NOT NULL UNIQUE, meta JSONB NOT NULL,
                 mood mood NOT NULL, note TEXT)"#,
            &[
                "day BETWEEN '2015-01-01' AND '2025-12-31'",
                "at BETWEEN '2015-01-01T00:00:00Z' AND '2026-01-01T00:00:00Z'",
                "jsonb_typeof(meta) IS NOT NULL",
                "mood IN ('happy', 'sad')",
            ],
        ),
        "mysql" => (
            "CREATE TABLE `order` (id BIGINT AUTO_INCREMENT PRIMARY KEY, `group` VARCHAR(40) NOT NULL, qty INT NOT NULL,
               price DECIMAL(12, 2) NOT NULL, ratio DOUBLE NOT NULL, paid BOOLEAN NOT NULL, day DATE NOT NULL,
               at DATETIME NOT NULL, tod TIME NOT NULL, token CHAR(36) NOT NULL UNIQUE, meta JSON NOT NULL,
               mood ENUM('happy', 'sad') NOT NULL, note TEXT)",
            &[
                "day BETWEEN '2015-01-01' AND '2025-12-31'",
                "at BETWEEN '2015-01-01 00:00:00' AND '2026-01-01 00:00:00'",
                "JSON_VALID(meta)",
                "mood IN ('happy', 'sad')",
            ],
        ),
        _ => (
            r#"CREATE TABLE "order" (id INTEGER PRIMARY KEY NOT NULL, "group" VARCHAR(40) NOT NULL, qty INTEGER NOT NULL,
                 price NUMERIC NOT NULL, ratio DOUBLE NOT NULL, paid BOOLEAN NOT NULL, day DATE NOT NULL,
                 at TIMESTAMP NOT NULL, tod TIME NOT NULL, token TEXT NOT NULL UNIQUE, meta TEXT NOT NULL,
                 mood TEXT NOT NULL CHECK (mood IN ('happy', 'sad')), note TEXT)"#,
            &[
                "typeof(qty) = 'integer' AND typeof(ratio) = 'real' AND typeof(paid) = 'integer'",
                "date(day) = day AND datetime(at) = at AND time(tod) = tod",
                "json_valid(meta)",
                "length(token) = 36",
            ],
        ),
    };
    db.conn.batch_execute(ddl).unwrap();
    let mut schema = syda_diesel::schema_from_str(EVERY_TYPE).unwrap();
    let mood = schema.tables[0]
        .columns
        .to_mut()
        .iter_mut()
        .find(|c| c.name == "mood")
        .unwrap();
    mood.one_of = Some(
        vec![
            syda::Literal::Text("happy".into()),
            syda::Literal::Text("sad".into()),
        ]
        .into(),
    );
    let report = syda_diesel::seed_schema(
        &mut db.conn,
        &schema,
        &Sizes::new(30),
        &OfflineEngine::new().with_seed(4),
    )
    .unwrap();
    assert_eq!(report.rows("order"), Some(30));
    let table = db.conn.backend().quote("order");
    for check in checks {
        let sql = format!("SELECT COUNT(*) AS v FROM {table} WHERE {check}");
        assert_eq!(scalar(&mut db.conn, &sql), 30, "{}: {check}", db.backend);
    }
}

on_every_backend!(every_type_lands_in_its_column);

/// `GENERATED ALWAYS AS IDENTITY` refuses explicit keys unless the INSERT
/// says `OVERRIDING SYSTEM VALUE`; the identity then continues after them.
#[test]
fn postgres_identity_always_takes_the_generated_keys() {
    let Some(mut db) = common::postgres() else { return };
    db.conn
        .batch_execute(
            "CREATE TABLE authors (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL);
             CREATE TABLE books (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                 author_id INTEGER NOT NULL REFERENCES authors (id), title TEXT NOT NULL);",
        )
        .unwrap();
    let schema = syda_diesel::schema_from_str(
        "diesel::table! { authors (id) { id -> Int4, name -> Text, } }
         diesel::table! { books (id) { id -> Int8, author_id -> Int4, title -> Text, } }
         diesel::joinable!(books -> authors (author_id));",
    )
    .unwrap();
    let sizes = Sizes::new(12).size("authors", 4);
    syda_diesel::seed_schema(&mut db.conn, &schema, &sizes, &OfflineEngine::new()).unwrap();
    for (fk, _, orphans) in references(&mut db.conn, &schema) {
        assert_eq!(orphans, 0, "{fk}");
    }
    db.conn
        .batch_execute("INSERT INTO authors (name) VALUES ('next'); INSERT INTO books (author_id, title) VALUES (5, 'next');")
        .unwrap();
    assert_eq!(
        scalar(
            &mut db.conn,
            "SELECT COUNT(*) AS v FROM authors WHERE id = 5 AND name = 'next'"
        ),
        1
    );
    assert_eq!(
        scalar(
            &mut db.conn,
            "SELECT COUNT(*) AS v FROM books WHERE id = 13 AND title = 'next'"
        ),
        1
    );
}

/// `seed_url` (what the CLI calls) opens the database from its URL.
#[test]
fn seed_url_opens_an_sqlite_file() {
    let Some(mut db) = common::sqlite() else { return };
    migrate(&mut db.conn, &db.migrations);
    let path = db.path.clone();
    let report = syda_diesel::seed_url(
        &format!("sqlite://{}", path.display()),
        &blog_schema(),
        &blog_sizes(),
        &OfflineEngine::new(),
    )
    .unwrap();
    assert_eq!(report.total_rows(), 8 + 20 + 45 + 6 + 25);
    for (table, expected) in TABLES.iter().zip([8, 20, 45, 6, 25]) {
        assert_eq!(count(&mut db.conn, table), expected, "{table}");
    }
    let err = syda_diesel::seed_url(
        "postgres://nobody:secret@127.0.0.1:1/none",
        &blog_schema(),
        &blog_sizes(),
        &OfflineEngine::new(),
    )
    .expect_err("nothing listens on port 1");
    let message = err.to_string();
    assert!(
        message.starts_with("cannot connect to postgres://nobody:***@127.0.0.1:1/none"),
        "{message}"
    );
}
