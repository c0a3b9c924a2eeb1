//! Test databases: a fresh database per test on the local PostgreSQL and
//! MariaDB servers (dropped afterwards), or a fresh SQLite file.
//!
//! `SYDA_TEST_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/postgres)
//! and `SYDA_TEST_MYSQL_URL` (default mysql://root@127.0.0.1:3306/test) name a
//! server and a database to connect to for CREATE/DROP DATABASE. An
//! unreachable server skips the test with a printed reason, unless CI=true.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use syda::Schema;
use syda_diesel::seed::Dialect;

pub(crate) struct TestDb<C> {
    pub conn: C,
    /// The migrations directory of the blog example for this backend.
    pub migrations: PathBuf,
    pub backend: &'static str,
    /// The SQLite file (empty for servers).
    pub path: PathBuf,
    // Dropped after `conn` (fields drop in order), so the database is unused.
    _guard: Guard,
}

enum Guard {
    Server {
        admin_url: String,
        name: String,
        mysql: bool,
    },
    File(#[allow(dead_code)] tempfile::TempDir),
}

impl Drop for Guard {
    fn drop(&mut self) {
        match self {
            Guard::Server {
                admin_url,
                name,
                mysql: false,
            } => {
                if let Ok(mut c) = diesel::PgConnection::establish(admin_url) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
            Guard::Server {
                admin_url,
                name,
                mysql: true,
            } => {
                if let Ok(mut c) = diesel::MysqlConnection::establish(admin_url) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"));
                }
            }
            Guard::File(_) => {}
        }
    }
}

pub(crate) fn blog_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/diesel_blog")
}

/// The blog schema, with the UNIQUE columns of its migrations marked.
pub(crate) fn blog_schema() -> Schema {
    let mut schema = syda_diesel::schema_from_file(blog_dir().join("src/schema.rs")).unwrap();
    syda_diesel::mark_unique(
        &mut schema,
        ["users.username", "users.email", "posts.slug", "tags.name"],
    )
    .unwrap();
    schema
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "syda_diesel_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn unreachable(what: &str, url: &str, error: impl std::fmt::Display) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{what} at {url} is unreachable and CI=true: {error}");
    }
    eprintln!("skipping: {what} at {url} is unreachable: {error}");
}

/// `url` with its database (the path) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with ://");
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{name}")
}

pub(crate) fn postgres() -> Option<TestDb<diesel::PgConnection>> {
    let admin_url = std::env::var("SYDA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut admin = match diesel::PgConnection::establish(&admin_url) {
        Ok(c) => c,
        Err(e) => {
            unreachable("PostgreSQL", &admin_url, e);
            return None;
        }
    };
    let name = unique_name();
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .unwrap();
    let guard = Guard::Server {
        admin_url: admin_url.clone(),
        name: name.clone(),
        mysql: false,
    };
    let conn = diesel::PgConnection::establish(&with_database(&admin_url, &name)).unwrap();
    Some(TestDb {
        conn,
        migrations: blog_dir().join("migrations/postgres"),
        backend: "postgres",
        path: PathBuf::new(),
        _guard: guard,
    })
}

pub(crate) fn mysql() -> Option<TestDb<diesel::MysqlConnection>> {
    let admin_url = std::env::var("SYDA_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned());
    let mut admin = match diesel::MysqlConnection::establish(&admin_url) {
        Ok(c) => c,
        Err(e) => {
            unreachable("MySQL/MariaDB", &admin_url, e);
            return None;
        }
    };
    let name = unique_name();
    admin.batch_execute(&format!("CREATE DATABASE `{name}`")).unwrap();
    let guard = Guard::Server {
        admin_url: admin_url.clone(),
        name: name.clone(),
        mysql: true,
    };
    let conn = diesel::MysqlConnection::establish(&with_database(&admin_url, &name)).unwrap();
    Some(TestDb {
        conn,
        migrations: blog_dir().join("migrations/mysql"),
        backend: "mysql",
        path: PathBuf::new(),
        _guard: guard,
    })
}

pub(crate) fn sqlite() -> Option<TestDb<diesel::SqliteConnection>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.sqlite");
    let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    // Let SQLite check every reference as rows go in, like the servers do.
    conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    Some(TestDb {
        conn,
        migrations: blog_dir().join("migrations/sqlite"),
        backend: "sqlite",
        path,
        _guard: Guard::File(dir),
    })
}

/// Applies every `up.sql` under `dir`, oldest first.
pub(crate) fn migrate<C: Connection>(conn: &mut C, dir: &Path) {
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    migrations.sort();
    assert!(!migrations.is_empty(), "no migrations in {}", dir.display());
    for m in migrations {
        conn.batch_execute(&std::fs::read_to_string(m.join("up.sql")).unwrap())
            .unwrap();
    }
}

pub(crate) fn scalar<C: Dialect>(conn: &mut C, sql: &str) -> i64 {
    conn.ints(sql, Vec::new())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .next()
        .flatten()
        .unwrap_or_else(|| panic!("{sql}: no value"))
}

pub(crate) fn count<C: Dialect>(conn: &mut C, table: &str) -> i64 {
    let q = conn.backend().quote(table);
    scalar(conn, &format!("SELECT COUNT(*) AS v FROM {q}"))
}

/// For every foreign key of `schema`: how many child rows have a non-NULL
/// key, and how many of those match no parent row.
pub(crate) fn references<C: Dialect>(conn: &mut C, schema: &Schema) -> Vec<(String, i64, i64)> {
    let b = conn.backend();
    let mut out = Vec::new();
    for table in &schema.tables {
        for fk in table.all_foreign_keys() {
            let not_null = fk
                .columns
                .iter()
                .map(|c| format!("c.{} IS NOT NULL", b.quote(c)))
                .collect::<Vec<_>>()
                .join(" AND ");
            let matches = fk
                .columns
                .iter()
                .zip(fk.references.iter())
                .map(|(c, p)| format!("p.{} = c.{}", b.quote(p), b.quote(c)))
                .collect::<Vec<_>>()
                .join(" AND ");
            let child = b.quote(&table.name);
            let parent = b.quote(&fk.table);
            let set = scalar(
                conn,
                &format!("SELECT COUNT(*) AS v FROM {child} c WHERE {not_null}"),
            );
            let orphans = scalar(
                conn,
                &format!(
                    "SELECT COUNT(*) AS v FROM {child} c WHERE {not_null} \
                     AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matches})"
                ),
            );
            out.push((
                format!("{}({}) -> {}", table.name, fk.columns.join(", "), fk.table),
                set,
                orphans,
            ));
        }
    }
    out
}

/// Runs a test body on a fresh PostgreSQL database, MariaDB database and
/// SQLite file.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn postgres() {
                    if let Some(mut db) = crate::common::postgres() {
                        super::$name(&mut db);
                    }
                }

                #[test]
                fn mysql() {
                    if let Some(mut db) = crate::common::mysql() {
                        super::$name(&mut db);
                    }
                }

                #[test]
                fn sqlite() {
                    if let Some(mut db) = crate::common::sqlite() {
                        super::$name(&mut db);
                    }
                }
            }
        )*
    };
}
