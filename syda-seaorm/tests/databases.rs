//! Seeding real databases: the bakery schema created, seeded and checked on
//! PostgreSQL, MariaDB/MySQL and SQLite.
//!
//! Servers come from `SYDA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and `SYDA_TEST_MYSQL_URL`
//! (default `mysql://root@127.0.0.1:3306/test`). Each test creates its own
//! database and drops it at the end. An unreachable server skips the test
//! with a printed reason, except under `CI=true`, where it fails.

#[allow(dead_code)] // `entities()` and the migration are what these tests use.
#[path = "../examples/seaorm_bakery/entities/mod.rs"]
mod tutorial;

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryOrder, Statement,
};
use syda::engine::{Generators, OfflineEngine};
use syda::plan::FanOut;
use syda::{Schema, Value};
use syda_seaorm::{Error, Seeder};
use tutorial::order::OrderStatus;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Postgres,
    MySql,
    Sqlite,
}

/// A database of its own for one test, dropped when the test ends (also
/// when it fails).
struct TestDb {
    db: DatabaseConnection,
    /// The server's URL and the database's name.
    server: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// `url` with its database path replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let root = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl TestDb {
    /// `None` when the server cannot be reached (the reason is printed);
    /// panics instead under `CI=true`.
    async fn open(backend: Backend, test: &str) -> Option<TestDb> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "syda_seaorm_{}_{}_{}",
            test,
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let (var, default) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join(format!("{name}.db")).display()
                );
                let db = Database::connect(&url).await.unwrap();
                return Some(TestDb {
                    db,
                    server: None,
                    _dir: Some(dir),
                });
            }
            Backend::Postgres => (
                "SYDA_TEST_POSTGRES_URL",
                "postgres://postgres@127.0.0.1:5432/postgres",
            ),
            Backend::MySql => ("SYDA_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
        };
        let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
        let server = match Database::connect(&url).await {
            Ok(server) => server,
            Err(e) if !in_ci() => {
                eprintln!("skipped {test} on {backend:?}: cannot connect to {url} ({e}); set {var}");
                return None;
            }
            Err(e) => panic!("CI=true: cannot connect to {url} ({e}); set {var}"),
        };
        server
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        server.close().await.unwrap();
        let db = Database::connect(&with_database(&url, &name)).await.unwrap();
        Some(TestDb {
            db,
            server: Some((url, name)),
            _dir: None,
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, name)) = self.server.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot block: a thread
        // with a runtime of its own drops the database. FORCE closes the
        // test's own connections on PostgreSQL.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let server = Database::connect(&url).await?;
                let force = if server.get_database_backend() == DbBackend::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                server
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}{force}"))
                    .await?;
                server.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database: {dropped:?}");
        }
    }
}

fn quote(backend: DbBackend, ident: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{ident}`"),
        _ => format!("\"{ident}\""),
    }
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// For every foreign key of `schema`: how many rows set it, and how many
/// of those point at no parent row.
async fn foreign_key_report(db: &DatabaseConnection, schema: &Schema) -> Vec<(String, i64, i64)> {
    let backend = db.get_database_backend();
    let q = |s: &str| quote(backend, s);
    let mut report = Vec::new();
    for table in &schema.tables {
        for fk in table.all_foreign_keys() {
            let set: Vec<String> = fk
                .columns
                .iter()
                .map(|c| format!("c.{} IS NOT NULL", q(c)))
                .collect();
            let join: Vec<String> = fk
                .columns
                .iter()
                .zip(fk.references.iter())
                .map(|(c, p)| format!("p.{} = c.{}", q(p), q(c)))
                .collect();
            let from = format!("FROM {} c WHERE {}", q(&table.name), set.join(" AND "));
            let with = scalar(db, &format!("SELECT COUNT(*) {from}")).await;
            let dangling = scalar(
                db,
                &format!(
                    "SELECT COUNT(*) {from} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
                    q(&fk.table),
                    join.join(" AND ")
                ),
            )
            .await;
            report.push((
                format!("{}({})", table.name, fk.columns.join(", ")),
                with,
                dangling,
            ));
        }
    }
    report
}

async fn counts(db: &DatabaseConnection) -> Vec<(&'static str, u64)> {
    use tutorial::{baker, cake, cakes_bakers, customer, lineitem, order};
    vec![
        (
            "bakery",
            tutorial::bakery::Entity::find().count(db).await.unwrap(),
        ),
        ("baker", baker::Entity::find().count(db).await.unwrap()),
        ("cake", cake::Entity::find().count(db).await.unwrap()),
        (
            "cakes_bakers",
            cakes_bakers::Entity::find().count(db).await.unwrap(),
        ),
        ("customer", customer::Entity::find().count(db).await.unwrap()),
        ("order", order::Entity::find().count(db).await.unwrap()),
        ("lineitem", lineitem::Entity::find().count(db).await.unwrap()),
    ]
}

fn seeder(entities: &syda_seaorm::Entities) -> Seeder<'_> {
    Seeder::new(entities)
        .rows(40)
        .sizes([("bakery", 5), ("cake", 60), ("cakes_bakers", 100)])
        .batch_size(25)
        .plan(|plan| plan.fan_out("lineitem", "order_id", FanOut::PerParent { min: 1, max: 3 }))
}

async fn bakery_is_seeded_with_every_foreign_key_valid(backend: Backend) {
    let Some(test) = TestDb::open(backend, "seeded").await else {
        return;
    };
    let db = &test.db;
    tutorial::migrate_fresh(db).await.unwrap();
    let entities = tutorial::entities();
    let report = seeder(&entities)
        .run(db, &OfflineEngine::new().with_seed(1))
        .await
        .unwrap();

    // Every table holds what the report says, in parents-first order.
    let counts = counts(db).await;
    for (table, rows) in &counts {
        assert_eq!(report.rows(table), Some(*rows), "{table}");
    }
    assert_eq!(report.rows("bakery"), Some(5));
    assert_eq!(report.rows("cake"), Some(60));
    assert_eq!(report.rows("cakes_bakers"), Some(100));
    let lineitems = report.rows("lineitem").unwrap();
    assert!((40..=120).contains(&lineitems), "{lineitems}");
    let position = |t: &str| report.tables.iter().position(|r| r.table == t).unwrap();
    assert!(position("bakery") < position("cake") && position("order") < position("lineitem"));

    // Every foreign key points at a row, checked with SQL.
    let schema = entities.schema().unwrap();
    let fks = foreign_key_report(db, &schema).await;
    assert_eq!(fks.len(), 9, "{fks:?}");
    for (fk, with, dangling) in &fks {
        assert_eq!(*dangling, 0, "{fk}: {dangling} of {with} rows point at no parent");
        assert!(*with > 0, "{fk} is never set");
    }
    let q = |s: &str| quote(db.get_database_backend(), s);
    let forward = scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM {} WHERE {} >= {}",
            q("baker"),
            q("manager_id"),
            q("id")
        ),
    )
    .await;
    assert_eq!(forward, 0, "a manager is an earlier baker");

    // Values made it through typed: enum values, decimals within their column.
    let orders = tutorial::order::Entity::find().all(db).await.unwrap();
    assert!(orders.iter().any(|o| o.status == OrderStatus::Delivered));
    let cakes = tutorial::cake::Entity::find().all(db).await.unwrap();
    assert!(cakes.iter().all(|c| c.price > 0.into()));

    // The database still assigns keys after explicit ones.
    let inserted = tutorial::bakery::ActiveModel {
        id: ActiveValue::NotSet,
        name: ActiveValue::Set("Hand-made Bakery".into()),
        profit_margin: ActiveValue::Set(0.2),
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(inserted.id, 6);

    // A second run counts on from the keys already there.
    let again = seeder(&entities)
        .run(db, &OfflineEngine::new().with_seed(2))
        .await
        .unwrap();
    assert_eq!(again.rows("bakery"), Some(5));
    let last = tutorial::bakery::Entity::find()
        .order_by_desc(tutorial::bakery::Column::Id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.id, 11);
    for (fk, _, dangling) in foreign_key_report(db, &schema).await {
        assert_eq!(dangling, 0, "{fk} after the second run");
    }
}

async fn an_error_midway_leaves_no_rows(backend: Backend) {
    let Some(test) = TestDb::open(backend, "rollback").await else {
        return;
    };
    let db = &test.db;
    tutorial::migrate_fresh(db).await.unwrap();
    // A constraint only the database knows: the entities don't declare it,
    // so the generator's repeated value reaches the last table's INSERT.
    db.execute_unprepared(&format!(
        "CREATE UNIQUE INDEX lineitem_quantity_once ON {} ({})",
        quote(db.get_database_backend(), "lineitem"),
        quote(db.get_database_backend(), "quantity")
    ))
    .await
    .unwrap();
    let mut generators = Generators::new();
    generators.register_column("lineitem", "quantity", |_| Value::Int(3));
    let engine = OfflineEngine::new().with_generators(generators);
    let entities = tutorial::entities();
    let err = seeder(&entities).run(db, &engine).await.unwrap_err();
    match &err {
        Error::Database { context, .. } => assert!(context.contains("table `lineitem`"), "{err}"),
        other => panic!("expected a database error, got {other}"),
    }
    for (table, rows) in counts(db).await {
        assert_eq!(rows, 0, "{table} kept rows after the rollback");
    }
}

#[tokio::test]
async fn bakery_is_seeded_with_every_foreign_key_valid_on_postgres() {
    bakery_is_seeded_with_every_foreign_key_valid(Backend::Postgres).await;
}

#[tokio::test]
async fn bakery_is_seeded_with_every_foreign_key_valid_on_mysql() {
    bakery_is_seeded_with_every_foreign_key_valid(Backend::MySql).await;
}

#[tokio::test]
async fn bakery_is_seeded_with_every_foreign_key_valid_on_sqlite() {
    bakery_is_seeded_with_every_foreign_key_valid(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_error_midway_leaves_no_rows_on_postgres() {
    an_error_midway_leaves_no_rows(Backend::Postgres).await;
}

#[tokio::test]
async fn an_error_midway_leaves_no_rows_on_mysql() {
    an_error_midway_leaves_no_rows(Backend::MySql).await;
}

#[tokio::test]
async fn an_error_midway_leaves_no_rows_on_sqlite() {
    an_error_midway_leaves_no_rows(Backend::Sqlite).await;
}

#[test]
fn database_urls_get_the_test_database() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("mysql://root@127.0.0.1:3306/test?ssl-mode=disabled", "x"),
        "mysql://root@127.0.0.1:3306/x?ssl-mode=disabled"
    );
    assert_eq!(
        with_database("mysql://root@localhost", "x"),
        "mysql://root@localhost/x"
    );
}

#[path = "fixtures/staff.rs"]
mod staff;

/// Composite keys end to end: a (text, integer) primary key, a composite
/// foreign key to it, a composite unique key and a self-reference.
async fn composite_keys_are_seeded(backend: Backend) {
    use staff::{employee, tenant};
    let Some(test) = TestDb::open(backend, "composite").await else {
        return;
    };
    let db = &test.db;
    let schema = sea_orm::Schema::new(db.get_database_backend());
    db.execute(&schema.create_table_from_entity(tenant::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(employee::Entity))
        .await
        .unwrap();
    for index in schema.create_index_from_entity(employee::Entity) {
        db.execute(&index).await.unwrap();
    }
    let entities = syda_seaorm::Entities::new()
        .with(
            syda_seaorm::describe::<tenant::Entity>()
                .one_of(tenant::Column::Region, ["eu", "us", "apac"])
                .range(
                    tenant::Column::Number,
                    syda::Literal::Int(1),
                    syda::Literal::Int(99),
                ),
        )
        .with(
            syda_seaorm::describe::<employee::Entity>()
                .one_of(employee::Column::BadgePrefix, ["A", "B"])
                .range(
                    employee::Column::BadgeNumber,
                    syda::Literal::Int(1),
                    syda::Literal::Int(50),
                ),
        );
    let report = Seeder::new(&entities)
        .size("tenant", 12)
        .size("employee", 80)
        .run(db, &OfflineEngine::new().with_seed(9))
        .await
        .unwrap();
    let tables: Vec<(&str, u64)> = report.tables.iter().map(|t| (t.table.as_str(), t.rows)).collect();
    assert_eq!(tables, [("tenant", 12), ("employee", 80)]);
    let schema = entities.schema().unwrap();
    let fks = foreign_key_report(db, &schema).await;
    assert_eq!(fks.len(), 2, "{fks:?}");
    for (fk, with, dangling) in fks {
        assert_eq!(dangling, 0, "{fk}");
        assert!(with > 0, "{fk} is never set");
    }
}

#[tokio::test]
async fn composite_keys_are_seeded_on_postgres() {
    composite_keys_are_seeded(Backend::Postgres).await;
}

#[tokio::test]
async fn composite_keys_are_seeded_on_mysql() {
    composite_keys_are_seeded(Backend::MySql).await;
}

#[tokio::test]
async fn composite_keys_are_seeded_on_sqlite() {
    composite_keys_are_seeded(Backend::Sqlite).await;
}

#[path = "fixtures/store_cycle.rs"]
mod store_cycle;

async fn create_store_cycle(db: &DatabaseConnection) -> syda_seaorm::Entities {
    for sql in store_cycle::ddl(db.get_database_backend()) {
        db.execute_unprepared(sql).await.unwrap();
    }
    syda_seaorm::Entities::new()
        .add::<store_cycle::store::Entity>()
        .add::<store_cycle::staff::Entity>()
}

/// MySQL's switch is per session: after a seed, whatever its end, the
/// pool's connections check foreign keys again.
async fn assert_checks_on(db: &DatabaseConnection) {
    if db.get_database_backend() == DbBackend::MySql {
        assert_eq!(scalar(db, "SELECT CAST(@@FOREIGN_KEY_CHECKS AS SIGNED)").await, 1);
    }
}

/// `staff.home_store_id` is one of the 4 stores, except for the row
/// `orphan` (if any), which points at none.
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

/// A cycle of NOT NULL foreign keys goes in with the checks relaxed inside
/// the transaction; every key holds afterwards. A row pointing nowhere
/// (through a key only the database declares) is caught before the commit
/// and nothing of that seed stays.
async fn a_not_null_cycle_is_seeded_with_the_checks_relaxed(backend: Backend) {
    let Some(test) = TestDb::open(backend, "not_null_cycle").await else {
        return;
    };
    let db = &test.db;
    let entities = create_store_cycle(db).await;
    let seeder = Seeder::new(&entities).size("store", 4).size("staff", 12);
    let err = seeder
        .run(db, &home_stores(Some(7)))
        .await
        .expect_err("staff 8 points at no store");
    assert!(
        err.to_string().to_lowercase().contains("foreign key"),
        "{backend:?}: {err}"
    );
    for table in ["store", "staff"] {
        let q = quote(db.get_database_backend(), table);
        assert_eq!(
            scalar(db, &format!("SELECT COUNT(*) FROM {q}")).await,
            0,
            "{table} kept rows"
        );
    }
    assert_checks_on(db).await;

    let report = seeder.run(db, &home_stores(None)).await.unwrap();
    assert!(
        report.deferred.iter().any(|d| d.required),
        "{:?}",
        report.deferred
    );
    let tables: Vec<(&str, u64)> = report.tables.iter().map(|t| (t.table.as_str(), t.rows)).collect();
    assert_eq!(tables.len(), 2);
    assert!(
        tables.contains(&("store", 4)) && tables.contains(&("staff", 12)),
        "{tables:?}"
    );
    let schema = entities.schema().unwrap();
    for (fk, with, dangling) in foreign_key_report(db, &schema).await {
        assert_eq!(dangling, 0, "{backend:?}: {fk}");
        assert!(with > 0, "{fk} is never set");
    }
    assert_eq!(
        scalar(db, "SELECT COUNT(DISTINCT manager_staff_id) FROM store").await,
        4
    );
    assert_checks_on(db).await;
}

#[tokio::test]
async fn a_not_null_cycle_is_seeded_with_the_checks_relaxed_on_postgres() {
    a_not_null_cycle_is_seeded_with_the_checks_relaxed(Backend::Postgres).await;
}

#[tokio::test]
async fn a_not_null_cycle_is_seeded_with_the_checks_relaxed_on_mysql() {
    a_not_null_cycle_is_seeded_with_the_checks_relaxed(Backend::MySql).await;
}

#[tokio::test]
async fn a_not_null_cycle_is_seeded_with_the_checks_relaxed_on_sqlite() {
    a_not_null_cycle_is_seeded_with_the_checks_relaxed(Backend::Sqlite).await;
}
