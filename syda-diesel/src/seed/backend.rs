//! What differs between the databases: identifier quoting, placeholders,
//! bind limits, and running a raw statement with bound parameters.

use diesel::QueryableByName;
use diesel::connection::Connection;
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Text};

/// The database family behind a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
    /// MySQL or MariaDB.
    Mysql,
}

impl Backend {
    /// `name` quoted as an identifier: `"name"`, or `` `name` `` for MySQL.
    pub fn quote(self, name: &str) -> String {
        syda::output::Dialect::from(self).quote(name)
    }

    /// The placeholder for parameter `n` (from 1): `$n` or `?`.
    pub(crate) fn placeholder(self, n: usize) -> String {
        match self {
            Backend::Postgres => format!("${n}"),
            Backend::Sqlite | Backend::Mysql => "?".to_owned(),
        }
    }

    /// An expression reading an integer column's maximum as a BIGINT.
    pub(crate) fn max_as_bigint(self, column: &str) -> String {
        let column = self.quote(column);
        match self {
            Backend::Postgres => format!("CAST(MAX({column}) AS BIGINT)"),
            Backend::Mysql => format!("CAST(MAX({column}) AS SIGNED)"),
            Backend::Sqlite => format!("MAX({column})"),
        }
    }
}

/// The SQL family of the core's shared statements.
impl From<Backend> for syda::output::Dialect {
    fn from(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => syda::output::Dialect::Postgres,
            Backend::Sqlite => syda::output::Dialect::Sqlite,
            Backend::Mysql => syda::output::Dialect::MySql,
        }
    }
}

/// One bound parameter, typed: Diesel binds it as `Nullable<BigInt>`,
/// `Nullable<Double>`, `Nullable<Bool>` or `Nullable<Text>`.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    /// An integer.
    Int(Option<i64>),
    /// A float.
    Float(Option<f64>),
    /// A boolean.
    Bool(Option<bool>),
    /// Text: also dates, times, UUIDs, decimals and JSON.
    Text(Option<String>),
}

/// A column as PostgreSQL declares it.
#[derive(Debug, Clone, QueryableByName)]
pub struct DbColumn {
    /// Column name.
    #[diesel(sql_type = Text)]
    pub name: String,
    /// The type without modifiers (`character varying`, `mood`, `integer[]`).
    #[diesel(sql_type = Text)]
    pub ty: String,
    /// `a` for `GENERATED ALWAYS AS IDENTITY`, `d` for `BY DEFAULT`, empty otherwise.
    #[diesel(sql_type = Text)]
    pub identity: String,
}

#[derive(QueryableByName)]
struct OneInt {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    v: Option<i64>,
}

#[derive(QueryableByName)]
struct OneText {
    #[diesel(sql_type = Text)]
    v: String,
}

/// A Diesel connection syda can seed through. Implemented for
/// `PgConnection`, `SqliteConnection` and `MysqlConnection` (each behind
/// its feature); its methods are the crate's plumbing.
pub trait Dialect: Connection {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Runs `sql` with `binds`; returns the affected row count.
    fn run(&mut self, sql: &str, binds: Vec<Bind>) -> QueryResult<usize>;

    /// Runs `sql` (one column named `v`, a BIGINT) and returns the values.
    fn ints(&mut self, sql: &str, binds: Vec<Bind>) -> QueryResult<Vec<Option<i64>>>;

    /// Runs `sql` (one text column named `v`) and returns the values.
    fn texts(&mut self, sql: &str, binds: Vec<Bind>) -> QueryResult<Vec<String>>;

    /// PostgreSQL's columns of `table` (empty when the table is missing or
    /// on other databases).
    fn columns(&mut self, table: &str) -> QueryResult<Vec<DbColumn>>;

    /// The most parameters one statement may bind.
    fn max_binds(&mut self) -> QueryResult<usize>;
}

macro_rules! bound {
    ($db:ty, $sql:expr, $binds:expr) => {{
        use diesel::sql_types::{Bool, Double, Nullable};
        let mut q = diesel::sql_query($sql).into_boxed::<$db>();
        for b in $binds {
            q = match b {
                Bind::Int(v) => q.bind::<Nullable<BigInt>, _>(v),
                Bind::Float(v) => q.bind::<Nullable<Double>, _>(v),
                Bind::Bool(v) => q.bind::<Nullable<Bool>, _>(v),
                Bind::Text(v) => q.bind::<Nullable<Text>, _>(v),
            };
        }
        q
    }};
}

macro_rules! dialect {
    ($conn:ty, $db:ty, $backend:expr, $columns:expr, $max_binds:expr) => {
        impl Dialect for $conn {
            fn backend(&self) -> Backend {
                $backend
            }

            fn run(&mut self, sql: &str, binds: Vec<Bind>) -> QueryResult<usize> {
                use diesel::RunQueryDsl;
                bound!($db, sql, binds).execute(self)
            }

            fn ints(&mut self, sql: &str, binds: Vec<Bind>) -> QueryResult<Vec<Option<i64>>> {
                use diesel::RunQueryDsl;
                let rows: Vec<OneInt> = bound!($db, sql, binds).load(self)?;
                Ok(rows.into_iter().map(|r| r.v).collect())
            }

            fn texts(&mut self, sql: &str, binds: Vec<Bind>) -> QueryResult<Vec<String>> {
                use diesel::RunQueryDsl;
                let rows: Vec<OneText> = bound!($db, sql, binds).load(self)?;
                Ok(rows.into_iter().map(|r| r.v).collect())
            }

            fn columns(&mut self, table: &str) -> QueryResult<Vec<DbColumn>> {
                #[allow(clippy::redundant_closure_call)]
                ($columns)(self, table)
            }

            fn max_binds(&mut self) -> QueryResult<usize> {
                #[allow(clippy::redundant_closure_call)]
                ($max_binds)(self)
            }
        }
    };
}

#[cfg(feature = "postgres")]
dialect!(
    diesel::PgConnection,
    diesel::pg::Pg,
    Backend::Postgres,
    |conn: &mut diesel::PgConnection, table: &str| {
        use diesel::RunQueryDsl;
        // The type without its modifier: a cast to `character varying(n)`
        // would truncate silently, the column's own check must fire instead.
        // `to_regclass` is NULL (no rows) for a missing table.
        bound!(
            diesel::pg::Pg,
            "SELECT a.attname::text AS name, format_type(a.atttypid, NULL) AS ty, \
             a.attidentity::text AS identity FROM pg_attribute a \
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
            [Bind::Text(Some(Backend::Postgres.quote(table)))]
        )
        .load(conn)
    },
    // The wire protocol counts parameters in 16 bits.
    |_: &mut diesel::PgConnection| Ok(65_535)
);

#[cfg(feature = "mysql")]
dialect!(
    diesel::MysqlConnection,
    diesel::mysql::Mysql,
    Backend::Mysql,
    |_: &mut diesel::MysqlConnection, _: &str| Ok(Vec::new()),
    |_: &mut diesel::MysqlConnection| Ok(65_535)
);

#[cfg(feature = "sqlite")]
dialect!(
    diesel::SqliteConnection,
    diesel::sqlite::Sqlite,
    Backend::Sqlite,
    |_: &mut diesel::SqliteConnection, _: &str| Ok(Vec::new()),
    // SQLITE_MAX_VARIABLE_NUMBER: 999 before SQLite 3.32, 32766 since.
    |conn: &mut diesel::SqliteConnection| {
        let version = conn.texts("SELECT sqlite_version() AS v", Vec::new())?;
        let (major, minor) = version
            .first()
            .map(|v| {
                let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
                (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
            })
            .unwrap_or((3, 0));
        Ok(if (major, minor) >= (3, 32) { 32_766 } else { 999 })
    }
);
