//! Throwaway databases on the local servers for the `db_*` tests.
//!
//! Each test creates its own database (`syda_test_<tag>_<unique>`) and
//! drops it when the guard goes out of scope, also when the test panics.
//! Servers come from `SYDA_TEST_POSTGRES_URL` / `SYDA_TEST_MYSQL_URL`. An
//! unreachable server skips the test with a message, except under
//! `CI=true`, where it fails it.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection as _;

pub(crate) const POSTGRES_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub(crate) const MYSQL_DEFAULT: &str = "mysql://root@127.0.0.1:3306/test";

/// A database created for one test, dropped on drop.
pub(crate) struct TestDb {
    pub url: String,
    admin_url: String,
    name: String,
    mysql: bool,
}

fn unique_name(tag: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "syda_test_{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with ://");
    let host = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{host}/{name}")
}

fn unavailable(what: &str, url: &str, err: impl std::fmt::Display) -> Option<TestDb> {
    let message = format!("{what} at {url} is not reachable: {err}");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message} (CI=true: a missing server is a failure)");
    }
    eprintln!("skipping: {message}");
    None
}

impl TestDb {
    /// A fresh PostgreSQL database, or `None` (skip) when there is no server.
    pub(crate) async fn postgres(tag: &str) -> Option<TestDb> {
        let admin_url =
            std::env::var("SYDA_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES_DEFAULT.to_owned());
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => return unavailable("PostgreSQL", &admin_url, e),
        };
        let name = unique_name(tag);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE");
        Some(TestDb {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
            mysql: false,
        })
    }

    /// A fresh MySQL / MariaDB database, or `None` (skip) when there is no server.
    pub(crate) async fn mysql(tag: &str) -> Option<TestDb> {
        let admin_url = std::env::var("SYDA_TEST_MYSQL_URL").unwrap_or_else(|_| MYSQL_DEFAULT.to_owned());
        let mut admin = match sqlx::MySqlConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => return unavailable("MySQL", &admin_url, e),
        };
        let name = unique_name(tag);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{name}`")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE");
        Some(TestDb {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
            mysql: true,
        })
    }

    /// Runs `sql` (several statements) in the test database.
    pub(crate) async fn execute(&self, sql: &str) {
        if self.mysql {
            let mut c = sqlx::MySqlConnection::connect(&self.url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .expect("fixture SQL");
        } else {
            let mut c = sqlx::PgConnection::connect(&self.url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .expect("fixture SQL");
        }
    }

    /// The single integer a query returns.
    pub(crate) async fn scalar(&self, sql: &str) -> i64 {
        if self.mysql {
            let mut c = sqlx::MySqlConnection::connect(&self.url).await.expect("connect");
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut c)
                .await
                .expect(sql)
        } else {
            let mut c = sqlx::PgConnection::connect(&self.url).await.expect("connect");
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut c)
                .await
                .expect(sql)
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin_url, name, mysql) = (self.admin_url.clone(), self.name.clone(), self.mysql);
        // Drop may run inside the test's runtime: use a thread with its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async move {
                if mysql {
                    let mut c = sqlx::MySqlConnection::connect(&admin_url).await.ok()?;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{name}`")))
                        .execute(&mut c)
                        .await
                        .ok()
                        .map(drop)
                } else {
                    let mut c = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut c)
                    .await
                    .ok()
                    .map(drop)
                }
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// Runs an async test body on a multi-threaded runtime (the seed's
/// generator runs on a blocking thread).
pub(crate) fn run<F: std::future::Future<Output = ()>>(body: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(body);
}
