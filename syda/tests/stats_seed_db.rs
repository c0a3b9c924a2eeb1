//! A whole database fitted from a live PostgreSQL, MariaDB/MySQL or SQLite
//! database and rebuilt into a fresh one at twice its size: the source is
//! a company the test writes (a self-reference, a composite key, a
//! per-order line counter, `total = qty × price`), the target has the same
//! tables and is seeded with `seed_database`; the rows read back keep
//! every key valid, the reports per employee, the lines per order, the
//! shipments per line and the rule; a second seed adds beside them.

#![cfg(all(feature = "db", feature = "stats"))]

mod db_common;
mod stats_support;

use std::str::FromStr;

use db_common::TestDb;
use sqlx::ConnectOptions as _;
use stats_support::{check_company, company};
use syda::Value;
use syda::db::{IntrospectOptions, ReadOptions, SeedOptions};
use syda::engine::stats::{
    DatabaseModel, FitOptions, GeneratedTable, fit_database_model, seed_database, seed_database_with,
};

/// The company's tables; `q` quotes names, `money` is the decimal type.
fn ddl(q: char, money: &str) -> String {
    format!(
        "CREATE TABLE {q}departments{q} (id integer PRIMARY KEY, name varchar(20) NOT NULL, budget {money} NOT NULL);
         CREATE TABLE {q}employees{q} (id integer PRIMARY KEY, department_id integer NOT NULL REFERENCES departments(id),
           manager_id integer REFERENCES employees(id), salary {money} NOT NULL, hired_on date NOT NULL);
         CREATE TABLE {q}orders{q} (id integer PRIMARY KEY, employee_id integer NOT NULL REFERENCES employees(id),
           placed_on date NOT NULL, channel varchar(10) NOT NULL);
         CREATE TABLE {q}order_lines{q} (order_id integer NOT NULL REFERENCES orders(id), line_no integer NOT NULL,
           qty integer NOT NULL, price {money} NOT NULL, total {money} NOT NULL, PRIMARY KEY (order_id, line_no));
         CREATE TABLE {q}shipments{q} (id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES orders(id),
           line_no integer NOT NULL, carrier varchar(10) NOT NULL,
           FOREIGN KEY (order_id, line_no) REFERENCES order_lines(order_id, line_no));"
    )
}

/// The company as generated tables (parents first) and as INSERTs.
fn data() -> (Vec<GeneratedTable>, String) {
    let mut tables: Vec<GeneratedTable> = company(30, 9)
        .into_iter()
        .map(|t| (t.name, t.columns, t.rows))
        .collect();
    tables.reverse();
    let mut sql = String::new();
    for (name, _, rows) in &tables {
        for chunk in rows.chunks(500) {
            let values: Vec<String> = chunk
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
            sql.push_str(&format!("INSERT INTO {name} VALUES {};\n", values.join(", ")));
        }
    }
    (tables, sql)
}

/// Every table of the database at `url`, read back.
fn read_back(url: &str, tables: &[GeneratedTable]) -> Vec<GeneratedTable> {
    tables
        .iter()
        .map(|(name, _, _)| {
            let (columns, rows) = syda::db::blocking::read_table(url, name, &ReadOptions::default()).unwrap();
            (name.clone(), columns, rows)
        })
        .collect()
}

/// Fit from `source`, seed `target` at scale 2 (through an open pool with
/// `pool`), check what it holds.
fn fit_and_rebuild(source: &str, target: &str, real: &[GeneratedTable], pool: bool) {
    let model = fit_database_model(
        source,
        &IntrospectOptions::default(),
        &ReadOptions::default(),
        &FitOptions::default(),
    )
    .unwrap();
    let table = |name: &str| model.tables.iter().find(|t| t.model.table == name).unwrap();
    assert_eq!(
        table("employees").hierarchies.len(),
        1,
        "manager_id is a hierarchy"
    );
    assert_eq!(table("order_lines").counters.len(), 1, "line_no counts the lines");
    assert_eq!(table("shipments").links[0].parent, "order_lines");
    assert_eq!(table("shipments").links[0].composite.len(), 1);
    let model = DatabaseModel::from_json(&model.to_json(), "company.json").unwrap();

    let report = if pool {
        runtime()
            .block_on(async {
                let db = syda::db::Database::connect(target).await?;
                let report = seed_database_with(&db, &model, 2.0, 4, &SeedOptions::default()).await;
                db.close().await;
                report
            })
            .unwrap()
    } else {
        seed_database(target, &model, 2.0, 4, &SeedOptions::default()).unwrap()
    };
    let synthetic = read_back(target, real);
    let rows = |data: &[GeneratedTable], name: &str| data.iter().find(|t| t.0 == name).unwrap().2.len();
    assert_eq!(rows(&synthetic, "departments"), 60);
    assert_eq!(
        report.total_rows(),
        synthetic.iter().map(|t| t.2.len() as u64).sum::<u64>()
    );
    for name in ["employees", "orders", "order_lines", "shipments"] {
        let ratio = rows(&synthetic, name) as f64 / rows(real, name) as f64;
        assert!((1.6..2.4).contains(&ratio), "{name}: {ratio:.2} × the real rows");
    }
    check_company(real, &synthetic, true);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn postgres_database_is_fitted_and_rebuilt_at_twice_its_size() {
    let Some((source, target)) = runtime().block_on(async {
        let source = TestDb::postgres("stats_seed_src").await?;
        let target = TestDb::postgres("stats_seed_dst").await?;
        Some((source, target))
    }) else {
        return;
    };
    let (real, inserts) = data();
    runtime().block_on(async {
        source.execute(&ddl('"', "numeric(12,2)")).await;
        source.execute(&inserts).await;
        target.execute(&ddl('"', "numeric(12,2)")).await;
    });
    fit_and_rebuild(&source.url, &target.url, &real, true);
    seed_again(&source.url, &target.url, &real);
    // The database's own constraints agree: no orphan anywhere.
    let orphans = runtime().block_on(target.scalar(
        "SELECT count(*) FROM shipments s LEFT JOIN order_lines l \
         ON l.order_id = s.order_id AND l.line_no = s.line_no WHERE l.order_id IS NULL",
    ));
    assert_eq!(orphans, 0);
}

#[test]
fn mysql_database_is_fitted_and_rebuilt_at_twice_its_size() {
    let Some((source, target)) = runtime().block_on(async {
        let source = TestDb::mysql("stats_seed_src").await?;
        let target = TestDb::mysql("stats_seed_dst").await?;
        Some((source, target))
    }) else {
        return;
    };
    let (real, inserts) = data();
    runtime().block_on(async {
        source.execute(&ddl('`', "decimal(12,2)")).await;
        source.execute(&inserts).await;
        target.execute(&ddl('`', "decimal(12,2)")).await;
    });
    fit_and_rebuild(&source.url, &target.url, &real, false);
    seed_again(&source.url, &target.url, &real);
    let managers = runtime()
        .block_on(target.scalar("SELECT count(*) FROM employees e JOIN employees m ON m.id = e.manager_id"));
    assert!(managers > 0, "employees have managers");
}

#[test]
fn sqlite_database_is_fitted_and_rebuilt_at_twice_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let url = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let (real, inserts) = data();
    let (source, target) = (url("source.db"), url("target.db"));
    runtime().block_on(async {
        for (db, sql) in [
            (&source, format!("{}{inserts}", ddl('"', "numeric"))),
            (&target, ddl('"', "numeric")),
        ] {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(db)
                .unwrap()
                .create_if_missing(true)
                .connect()
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    });
    fit_and_rebuild(&source, &target, &real, false);
    seed_again(&source, &target, &real);
}

/// Seeding again adds beside the rows there: keys move past the largest
/// one, and every key referencing them follows.
fn seed_again(source: &str, target: &str, real: &[GeneratedTable]) {
    let before = read_back(target, real);
    let model = fit_database_model(
        source,
        &IntrospectOptions::default(),
        &ReadOptions::default(),
        &FitOptions::default(),
    )
    .unwrap();
    seed_database(target, &model, 1.0, 8, &SeedOptions::default()).unwrap();
    let after = read_back(target, real);
    for (b, a) in before.iter().zip(&after) {
        assert!(
            a.2.len() > b.2.len(),
            "{}: {} rows, then {}",
            a.0,
            b.2.len(),
            a.2.len()
        );
    }
    check_company(real, &after, false);
}

#[test]
fn a_model_table_the_target_lacks_is_an_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let target = format!("sqlite://{}", dir.path().join("target.db").display());
    runtime().block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&target)
            .unwrap()
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        let only_departments =
            "CREATE TABLE departments (id integer PRIMARY KEY, name text, budget numeric);";
        sqlx::raw_sql(only_departments).execute(&mut conn).await.unwrap();
    });
    let tables = company(5, 1);
    let model = syda::engine::stats::fit_related(tables, &FitOptions::default()).unwrap();
    let err = seed_database(&target, &model, 1.0, 1, &SeedOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("employees") && err.contains("not in the database"),
        "{err}"
    );
    let (_, rows) = syda::db::blocking::read_table(&target, "departments", &ReadOptions::default()).unwrap();
    assert!(rows.is_empty(), "nothing is written on failure");
}
