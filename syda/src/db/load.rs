//! The per-backend halves of a seed: one transaction, the fastest safe
//! bulk path per backend, truncation, key offsets, deferred updates and
//! sequence fixes.

use std::borrow::Cow;

use sqlx::{AssertSqlSafe, MySql, Postgres, Sqlite, Transaction};

use super::catalog::{DbColumn, DbTable};
use super::encode::{self, Bind, Cell};
use super::ident::quote;
use super::{Backend, Database, db_error};
use crate::error::{Error, Result};
use crate::output::Dialect;
use crate::seed::AsyncChunks as Chunks;
use crate::value::{Row, Value};

/// Bound parameters per statement: MySQL's protocol limit; SQLite's
/// default `SQLITE_MAX_VARIABLE_NUMBER` is 32766.
const MYSQL_MAX_PARAMS: usize = 65_535;
const SQLITE_MAX_PARAMS: usize = 32_766;
/// Bytes of CSV sent to COPY per message.
const COPY_CHUNK: usize = 1 << 20;

/// How PostgreSQL tables are loaded. COPY is the default and by far the
/// fastest; the others exist to measure it against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PgLoad {
    /// `COPY … FROM STDIN (FORMAT csv)`.
    #[default]
    Copy,
    /// Multi-row `INSERT … VALUES (…), (…)` with bound parameters.
    MultiRowInsert,
    /// One `INSERT` per row (prepared once).
    RowByRow,
}

/// A table of the schema matched to its table in the database.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) qualified: String,
    /// The schema's columns, in schema order, as the database has them.
    pub(crate) columns: Vec<DbColumn>,
    /// Tables the table's INSERT triggers write to, for error messages.
    pub(crate) trigger_targets: Vec<String>,
}

impl Target {
    pub(crate) fn new(backend: Backend, table: &DbTable, columns: Vec<DbColumn>) -> Target {
        Target {
            name: table.name.clone(),
            qualified: table.qualified(backend),
            columns,
            trigger_targets: table.trigger_targets.clone(),
        }
    }

    fn cell(&self, c: usize) -> Cell<'_> {
        let col = &self.columns[c];
        Cell {
            table: &self.name,
            column: &col.name,
            ty: &col.ty,
            sql: &col.sql,
        }
    }

    fn column_list(&self, backend: Backend) -> String {
        self.columns
            .iter()
            .map(|c| quote(backend, &c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The placeholder for column `c`, number `n` (from 1). PostgreSQL
    /// binds text and casts it to the column's type.
    fn placeholder(&self, backend: Backend, c: usize, n: usize) -> String {
        match backend {
            Backend::Postgres => format!("${n}::text::{}", self.columns[c].sql),
            _ => "?".to_owned(),
        }
    }
}

/// The open transaction of a seed.
pub(crate) enum Tx {
    Postgres(Transaction<'static, Postgres>),
    MySql(Transaction<'static, MySql>, usize),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Tx {
    pub(crate) async fn begin(db: &Database) -> Result<Tx> {
        let fail = |e| db_error("starting the transaction", e);
        Ok(match db {
            Database::Postgres(pool) => Tx::Postgres(pool.begin().await.map_err(fail)?),
            Database::MySql(pool) => {
                let packet: i64 = sqlx::query_scalar("SELECT CAST(@@max_allowed_packet AS SIGNED)")
                    .fetch_one(pool)
                    .await
                    .map_err(|e| db_error("reading max_allowed_packet", e))?;
                Tx::MySql(pool.begin().await.map_err(fail)?, packet.max(1 << 20) as usize)
            }
            Database::Sqlite(pool) => Tx::Sqlite(pool.begin().await.map_err(fail)?),
        })
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Postgres(_) => Backend::Postgres,
            Tx::MySql(..) => Backend::MySql,
            Tx::Sqlite(_) => Backend::Sqlite,
        }
    }

    pub(crate) async fn commit(self) -> Result<()> {
        let fail = |e| db_error("committing", e);
        match self {
            Tx::Postgres(tx) => tx.commit().await.map_err(fail),
            Tx::MySql(tx, _) => tx.commit().await.map_err(fail),
            Tx::Sqlite(tx) => tx.commit().await.map_err(fail),
        }
    }

    pub(crate) async fn rollback(self) {
        // A failed rollback leaves the connection to be closed by the pool;
        // nothing was committed either way.
        let _ = match self {
            Tx::Postgres(tx) => tx.rollback().await,
            Tx::MySql(mut tx, _) => {
                // The session setting outlives the transaction: never hand
                // the pool a connection with the checks off.
                let _ = sqlx::raw_sql(AssertSqlSafe(
                    crate::seed::restore_sql(Dialect::MySql).unwrap_or_default(),
                ))
                .execute(&mut *tx)
                .await;
                tx.rollback().await
            }
            Tx::Sqlite(tx) => tx.rollback().await,
        };
    }

    /// Lets rows reference rows inserted later in the transaction, for
    /// cycles of NOT NULL foreign keys: PostgreSQL defers its DEFERRABLE
    /// constraints to the commit, SQLite all of them; MySQL turns its
    /// checks off until [`Tx::restore_foreign_keys`] has proved no orphan.
    pub(crate) async fn relax_foreign_keys(&mut self) -> Result<()> {
        let context = "deferring the foreign-key checks (a cycle of NOT NULL foreign keys)";
        self.execute(crate::seed::relax_sql(self.backend().into()), context)
            .await
    }

    /// MySQL: every foreign key of `tables` is checked by query (the server
    /// skipped them while relaxed), then the checks are back on. An orphan
    /// is an error naming the table, the columns and how many rows.
    pub(crate) async fn restore_foreign_keys(&mut self, tables: &[&DbTable]) -> Result<()> {
        let Tx::MySql(tx, _) = self else {
            return Ok(());
        };
        for t in tables {
            for fk in &t.foreign_keys {
                let key = crate::schema::ForeignKey {
                    columns: fk.columns.iter().cloned().map(Into::into).collect(),
                    table: fk.table.clone().into(),
                    references: fk.references.iter().cloned().map(Into::into).collect(),
                };
                let parent = super::ident::qualified(Backend::MySql, &fk.schema, &fk.table);
                let sql =
                    crate::seed::orphans_sql(Dialect::MySql, &t.qualified(Backend::MySql), &key, &parent);
                let context = format!(
                    "checking the foreign key `{}.({})` → `{}`",
                    t.name,
                    fk.columns.join(", "),
                    fk.table
                );
                let orphans: i64 = sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(|e| db_error(context.clone(), e))?;
                if orphans > 0 {
                    return Err(Error::Database {
                        source: None,
                        context,
                        message: crate::seed::orphans_message(&t.name, &key, orphans),
                    });
                }
            }
        }
        let restore = crate::seed::restore_sql(Dialect::MySql).unwrap_or_default();
        sqlx::raw_sql(AssertSqlSafe(restore))
            .execute(&mut **tx)
            .await
            .map(drop)
            .map_err(|e| db_error("turning the foreign-key checks back on", e))
    }

    async fn execute(&mut self, sql: &str, context: &str) -> Result<()> {
        let result = match self {
            Tx::Postgres(tx) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut **tx)
                .await
                .map(drop),
            Tx::MySql(tx, _) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut **tx)
                .await
                .map(drop),
            Tx::Sqlite(tx) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut **tx)
                .await
                .map(drop),
        };
        result.map_err(|e| db_error(context, e))
    }

    /// Empties `tables` (children before parents), FK-safe and inside the
    /// transaction. The caller has checked that no other table references them.
    pub(crate) async fn truncate(&mut self, tables: &[&Target]) -> Result<()> {
        if tables.is_empty() {
            return Ok(());
        }
        let context = "emptying the target tables (--truncate)";
        match self.backend() {
            Backend::Postgres => {
                let list: Vec<&str> = tables.iter().map(|t| t.qualified.as_str()).collect();
                self.execute(&format!("TRUNCATE {}", list.join(", ")), context)
                    .await
            }
            // TRUNCATE would commit in MySQL: DELETE with the checks off
            // (the set is closed under references, so nothing dangles).
            Backend::MySql => {
                self.execute("SET FOREIGN_KEY_CHECKS = 0", context).await?;
                for t in tables.iter().rev() {
                    self.execute(&format!("DELETE FROM {}", t.qualified), context)
                        .await?;
                }
                self.execute("SET FOREIGN_KEY_CHECKS = 1", context).await
            }
            Backend::Sqlite => {
                self.execute("PRAGMA defer_foreign_keys = ON", context).await?;
                for t in tables.iter().rev() {
                    self.execute(&format!("DELETE FROM {}", t.qualified), context)
                        .await?;
                }
                self.execute("PRAGMA defer_foreign_keys = OFF", context).await
            }
        }
    }

    /// The largest value of integer column `column`, if the table has rows.
    pub(crate) async fn max_of(&mut self, target: &Target, column: &str) -> Result<Option<i64>> {
        let backend = self.backend();
        let cast = match backend {
            Backend::Postgres => "BIGINT",
            Backend::MySql => "SIGNED",
            Backend::Sqlite => "INTEGER",
        };
        let sql = format!(
            "SELECT CAST(MAX({}) AS {cast}) FROM {}",
            quote(backend, column),
            target.qualified
        );
        let context = format!("reading the largest `{column}` of table `{}`", target.name);
        let result = match self {
            Tx::Postgres(tx) => {
                sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
                    .fetch_one(&mut **tx)
                    .await
            }
            Tx::MySql(tx, _) => {
                sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
                    .fetch_one(&mut **tx)
                    .await
            }
            Tx::Sqlite(tx) => {
                sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
                    .fetch_one(&mut **tx)
                    .await
            }
        };
        result.map_err(|e| db_error(context, e))
    }

    /// Moves the sequence behind an identity / serial column past the
    /// largest key (PostgreSQL; the others advance by themselves).
    pub(crate) async fn fix_sequence(&mut self, target: &Target, column: &DbColumn) -> Result<()> {
        let Tx::Postgres(tx) = self else {
            return Ok(());
        };
        // The sequence the column's `DEFAULT nextval(…)` names, also when it
        // is not OWNED BY the column (dumps); identity columns have theirs.
        let sql = format!(
            "SELECT setval(s.seq, s.m) FROM (SELECT coalesce($3::regclass::text, pg_get_serial_sequence($1, $2)) AS seq, \
             (SELECT MAX({}) FROM {})::bigint AS m) s WHERE s.seq IS NOT NULL AND s.m IS NOT NULL",
            quote(Backend::Postgres, &column.name),
            target.qualified
        );
        let sequence = column.sequence.as_deref();
        let column = column.name.as_str();
        sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(&target.qualified)
            .bind(column)
            .bind(sequence)
            .execute(&mut **tx)
            .await
            .map(drop)
            .map_err(|e| db_error(format!("moving the sequence of `{}.{column}`", target.name), e))
    }

    /// Loads every chunk of `chunks` into `target`. Returns the statements
    /// run (a COPY is one).
    pub(crate) async fn load(
        &mut self,
        target: &Target,
        chunks: &mut impl Chunks,
        pg: PgLoad,
    ) -> Result<u64> {
        let context = || format!("loading table `{}`", target.name);
        let mut statements = 0;
        match self {
            Tx::Postgres(tx) if pg == PgLoad::Copy => {
                copy_in(tx, target, chunks).await?;
                statements += 1;
            }
            Tx::Postgres(tx) => {
                // Statements of many thousand parameters cost PostgreSQL more
                // to parse and plan than they save: 1000 rows at most.
                let per_statement = if pg == PgLoad::RowByRow { 1 } else { 1000 };
                while let Some(rows) = chunks.next().await? {
                    let max = (per_statement).min(MYSQL_MAX_PARAMS / target.columns.len().max(1));
                    for batch in rows.chunks(max.max(1)) {
                        let sql = insert_sql(Backend::Postgres, target, batch.len());
                        let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
                        for row in batch {
                            for (c, v) in row.iter().enumerate() {
                                q = q.bind(encode::pg_text(v, &target.cell(c))?.map(Cow::into_owned));
                            }
                        }
                        q.execute(&mut **tx).await.map_err(|e| db_error(context(), e))?;
                        statements += 1;
                    }
                }
            }
            Tx::MySql(tx, packet) => {
                let packet = *packet;
                let trigger_targets = &target.trigger_targets;
                let mut batcher = Batcher::new(target, MYSQL_MAX_PARAMS, packet / 2);
                while let Some(rows) = chunks.next().await? {
                    for row in rows.iter() {
                        if batcher.push(row)? {
                            let (sql, binds) = batcher.take(Backend::MySql);
                            bind_all_mysql(&sql, &binds)
                                .execute(&mut **tx)
                                .await
                                .map_err(|e| mysql_error(context(), e, target, &binds, trigger_targets))?;
                            statements += 1;
                        }
                    }
                }
                if !batcher.is_empty() {
                    let (sql, binds) = batcher.take(Backend::MySql);
                    bind_all_mysql(&sql, &binds)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| mysql_error(context(), e, target, &binds, trigger_targets))?;
                    statements += 1;
                }
            }
            Tx::Sqlite(tx) => {
                let mut batcher = Batcher::new(target, SQLITE_MAX_PARAMS, usize::MAX);
                // Small statements keep SQLite's per-statement work cheap.
                batcher.max_rows = batcher.max_rows.min(200);
                while let Some(rows) = chunks.next().await? {
                    for row in rows.iter() {
                        if batcher.push(row)? {
                            let (sql, binds) = batcher.take(Backend::Sqlite);
                            bind_all_sqlite(&sql, binds)
                                .execute(&mut **tx)
                                .await
                                .map_err(|e| db_error(context(), e))?;
                            statements += 1;
                        }
                    }
                }
                if !batcher.is_empty() {
                    let (sql, binds) = batcher.take(Backend::Sqlite);
                    bind_all_sqlite(&sql, binds)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| db_error(context(), e))?;
                    statements += 1;
                }
            }
        }
        Ok(statements)
    }

    /// `UPDATE target SET set_columns = … WHERE key_columns = …` per row.
    pub(crate) async fn update(
        &mut self,
        target: &Target,
        key_columns: &[usize],
        set_columns: &[usize],
        rows: &[(Vec<Value>, Vec<Value>)],
    ) -> Result<()> {
        let backend = self.backend();
        let mut n = 0;
        let mut next = |c: usize| {
            n += 1;
            format!(
                "{} = {}",
                quote(backend, &target.columns[c].name),
                target.placeholder(backend, c, n)
            )
        };
        let set: Vec<String> = set_columns.iter().map(|&c| next(c)).collect();
        let key: Vec<String> = key_columns.iter().map(|&c| next(c)).collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE {}",
            target.qualified,
            set.join(", "),
            key.join(" AND ")
        );
        let context = || format!("filling the deferred keys of table `{}`", target.name);
        for (key_values, set_values) in rows {
            let cells = set_columns
                .iter()
                .zip(set_values)
                .chain(key_columns.iter().zip(key_values));
            match self {
                Tx::Postgres(tx) => {
                    let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
                    for (&c, v) in cells {
                        q = q.bind(encode::pg_text(v, &target.cell(c))?.map(Cow::into_owned));
                    }
                    q.execute(&mut **tx).await.map_err(|e| db_error(context(), e))?;
                }
                Tx::MySql(tx, _) => {
                    let binds = cells
                        .map(|(&c, v)| encode::bind_value(v, &target.cell(c)))
                        .collect::<Result<Vec<_>>>()?;
                    bind_all_mysql(&sql, &binds)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| db_error(context(), e))?;
                }
                Tx::Sqlite(tx) => {
                    let binds = cells
                        .map(|(&c, v)| encode::bind_value(v, &target.cell(c)))
                        .collect::<Result<Vec<_>>>()?;
                    bind_all_sqlite(&sql, binds)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| db_error(context(), e))?;
                }
            }
        }
        Ok(())
    }
}

async fn copy_in(
    tx: &mut Transaction<'static, Postgres>,
    target: &Target,
    chunks: &mut impl Chunks,
) -> Result<()> {
    let context = || format!("loading table `{}` (COPY)", target.name);
    let sql = format!(
        "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
        target.qualified,
        target.column_list(Backend::Postgres)
    );
    let mut copy = tx.copy_in_raw(&sql).await.map_err(|e| db_error(context(), e))?;
    let mut buf: Vec<u8> = Vec::with_capacity(COPY_CHUNK + 4096);
    let result: Result<()> = async {
        while let Some(rows) = chunks.next().await? {
            for row in rows.iter() {
                for (c, v) in row.iter().enumerate() {
                    if c > 0 {
                        buf.push(b',');
                    }
                    encode::pg_csv_field(&mut buf, v, &target.cell(c))?;
                }
                buf.push(b'\n');
                if buf.len() >= COPY_CHUNK {
                    copy.send(buf.as_slice())
                        .await
                        .map_err(|e| db_error(context(), e))?;
                    buf.clear();
                }
            }
        }
        if !buf.is_empty() {
            copy.send(buf.as_slice())
                .await
                .map_err(|e| db_error(context(), e))?;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            copy.finish().await.map_err(|e| db_error(context(), e))?;
            Ok(())
        }
        Err(err) => {
            // Ends the COPY so the connection can roll back cleanly.
            let _ = copy.abort(err.to_string()).await;
            Err(err)
        }
    }
}

/// `INSERT INTO t (cols) VALUES (…), …` for `rows` rows.
fn insert_sql(backend: Backend, target: &Target, rows: usize) -> String {
    let width = target.columns.len();
    // Explicit keys into GENERATED ALWAYS identity columns need the override.
    let overriding = if backend == Backend::Postgres && target.columns.iter().any(|c| c.auto) {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let mut sql = format!(
        "INSERT INTO {} ({}){overriding} VALUES ",
        target.qualified,
        target.column_list(backend)
    );
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&target.placeholder(backend, c, n));
        }
        sql.push(')');
    }
    sql
}

/// Gathers rows for one multi-row INSERT, bounded by the parameter limit
/// and by a byte budget (half of MySQL's `max_allowed_packet`).
struct Batcher<'t> {
    target: &'t Target,
    max_rows: usize,
    max_bytes: usize,
    binds: Vec<Bind>,
    rows: usize,
    bytes: usize,
}

impl<'t> Batcher<'t> {
    fn new(target: &'t Target, max_params: usize, max_bytes: usize) -> Batcher<'t> {
        let width = target.columns.len().max(1);
        Batcher {
            target,
            max_rows: (max_params / width).max(1),
            max_bytes,
            binds: Vec::new(),
            rows: 0,
            bytes: 0,
        }
    }

    /// Adds a row; true when the batch is full.
    fn push(&mut self, row: &Row) -> Result<bool> {
        for (c, v) in row.iter().enumerate() {
            let bind = encode::bind_value(v, &self.target.cell(c))?;
            self.bytes += bind.size();
            self.binds.push(bind);
        }
        self.rows += 1;
        Ok(self.rows >= self.max_rows || self.bytes >= self.max_bytes)
    }

    fn is_empty(&self) -> bool {
        self.rows == 0
    }

    fn take(&mut self, backend: Backend) -> (String, Vec<Bind>) {
        let sql = insert_sql(backend, self.target, self.rows);
        self.rows = 0;
        self.bytes = 0;
        (sql, std::mem::take(&mut self.binds))
    }
}

fn bind_all_mysql<'q>(
    sql: &'q str,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, MySql, sqlx::mysql::MySqlArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Bind::Null => q.bind(None::<&str>),
            Bind::Int(i) => q.bind(*i),
            Bind::Float(x) => q.bind(*x),
            Bind::Bool(v) => q.bind(*v),
            Bind::Text(s) => q.bind(s.as_str()),
        };
    }
    q
}

/// A MySQL error of a multi-row INSERT with the failing value quoted: the
/// server names a column and a row of the statement (`… for column
/// 'release_year' at row 17`), which the bound values answer. A column the
/// table lacks came from a trigger writing elsewhere: said so, with the
/// tables the triggers write.
fn mysql_error(
    context: String,
    err: sqlx::Error,
    target: &Target,
    binds: &[Bind],
    triggers: &[String],
) -> Error {
    let mut error = db_error(context, err);
    let Error::Database { message, .. } = &mut error else {
        return error;
    };
    let column = message
        .split_once("column '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(c, _)| c.to_owned());
    let row = message
        .rsplit_once("at row ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<usize>().ok());
    let width = target.columns.len().max(1);
    match column
        .as_deref()
        .map(|c| target.columns.iter().position(|t| t.name == c))
    {
        Some(Some(c)) => {
            if let Some(bind) = row.and_then(|r| binds.get((r.max(1) - 1) * width + c)) {
                let shown = match bind {
                    Bind::Null => "NULL".to_owned(),
                    Bind::Int(i) => i.to_string(),
                    Bind::Float(x) => x.to_string(),
                    Bind::Bool(b) => b.to_string(),
                    Bind::Text(s) => format!("'{}'", s.chars().take(60).collect::<String>()),
                };
                message.push_str(&format!(" [column `{}`, value {shown}]", target.columns[c].name));
            }
        }
        Some(None) if !triggers.is_empty() => message.push_str(&format!(
            " [`{}` has no column `{}`: the error comes from a trigger on `{}`, which writes to {}]",
            target.name,
            column.unwrap_or_default(),
            target.name,
            triggers
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ if !triggers.is_empty() => message.push_str(&format!(
            " [triggers on `{}` write to {}; the error may come from there]",
            target.name,
            triggers
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => {}
    }
    error
}

fn bind_all_sqlite(
    sql: &str,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Bind::Null => q.bind(None::<String>),
            Bind::Int(i) => q.bind(i),
            Bind::Float(x) => q.bind(x),
            Bind::Bool(v) => q.bind(v),
            Bind::Text(s) => q.bind(s),
        };
    }
    q
}
