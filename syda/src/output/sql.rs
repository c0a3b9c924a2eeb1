//! SQL scripts: rows as multi-row INSERTs (COPY blocks for PostgreSQL) in
//! the dialect of PostgreSQL, MySQL/MariaDB or SQLite, loadable with the
//! database's own client (`psql -f`, `mariadb <`, `sqlite3 db <`).

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};

use super::encode::ChunkEncoder;
use super::write::{PendingFile, create_temp, io};
use crate::error::{Error, Result};
use crate::plan::{DeferredKey, Order};
use crate::schema::{DataType, Schema, Table};
use crate::value::{Row, Value};

/// Rows per INSERT statement: small enough for any server's packet limit
/// with wide rows, large enough that statements cost little.
const ROWS_PER_INSERT: u64 = 500;

/// The SQL dialect of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL, loaded with `psql -f` (rows in `COPY … FROM stdin` blocks).
    Postgres,
    /// MySQL or MariaDB, loaded with `mysql < file` / `mariadb < file`.
    MySql,
    /// SQLite, loaded with `sqlite3 db.sqlite < file`.
    Sqlite,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];

    /// `postgres`, `mysql` or `sqlite`.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The dialect named `name` (`postgres`/`postgresql`, `mysql`/`mariadb`,
    /// `sqlite`), case-insensitive.
    pub fn from_name(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::MySql),
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    /// `name` as a quoted identifier.
    pub fn quote(self, name: &str) -> String {
        let q = match self {
            Dialect::MySql => '`',
            Dialect::Postgres | Dialect::Sqlite => '"',
        };
        let mut out = String::with_capacity(name.len() + 2);
        out.push(q);
        for ch in name.chars() {
            if ch == q {
                out.push(q);
            }
            out.push(ch);
        }
        out.push(q);
        out
    }

    /// The column type in CREATE TABLE.
    fn column_type(self, table: &Table, column: usize) -> String {
        let col = &table.columns[column];
        let keyed = col.primary_key
            || col.unique
            || table.unique.iter().any(|k| k.contains(&col.name))
            || table
                .all_foreign_keys()
                .iter()
                .any(|fk| fk.columns.contains(&col.name));
        let text = |max: Option<u32>| match (self, max) {
            (_, Some(n)) => format!("VARCHAR({n})"),
            // MySQL indexes no TEXT without a prefix length.
            (Dialect::MySql, None) if keyed => "VARCHAR(255)".to_owned(),
            (_, None) => "TEXT".to_owned(),
        };
        match (self, col.ty) {
            (_, DataType::Integer) => "BIGINT".to_owned(),
            (Dialect::Postgres, DataType::Float) => "DOUBLE PRECISION".to_owned(),
            (Dialect::MySql, DataType::Float) => "DOUBLE".to_owned(),
            (Dialect::Sqlite, DataType::Float) => "REAL".to_owned(),
            (Dialect::Postgres, DataType::Decimal) => "NUMERIC".to_owned(),
            (Dialect::MySql, DataType::Decimal) => "DECIMAL(38, 10)".to_owned(),
            // SQLite's NUMERIC would turn 1.10 into 1.1: keep the text.
            (Dialect::Sqlite, DataType::Decimal) => "TEXT".to_owned(),
            (_, DataType::Boolean) => "BOOLEAN".to_owned(),
            (_, DataType::Text) => text(col.max_length),
            (Dialect::Sqlite, DataType::Date | DataType::DateTime | DataType::Time) => "TEXT".to_owned(),
            (_, DataType::Date) => "DATE".to_owned(),
            (Dialect::Postgres, DataType::DateTime) => "TIMESTAMPTZ".to_owned(),
            (Dialect::MySql, DataType::DateTime) => "DATETIME(6)".to_owned(),
            (_, DataType::Time) => "TIME".to_owned(),
            (Dialect::Postgres, DataType::Uuid) => "UUID".to_owned(),
            (Dialect::MySql, DataType::Uuid) => "CHAR(36)".to_owned(),
            (Dialect::Sqlite, DataType::Uuid) => "TEXT".to_owned(),
            (Dialect::Postgres, DataType::Json) => "JSONB".to_owned(),
            (Dialect::MySql, DataType::Json) => "JSON".to_owned(),
            (Dialect::Sqlite, DataType::Json) => "TEXT".to_owned(),
        }
    }

    /// A value as a SQL literal for a column of type `ty`.
    fn literal(self, ty: DataType, value: &Value, out: &mut Vec<u8>) {
        match value {
            Value::Null => out.extend_from_slice(b"NULL"),
            Value::Bool(b) => out.extend_from_slice(match (self, b) {
                (Dialect::Sqlite, true) => b"1",
                (Dialect::Sqlite, false) => b"0",
                (_, true) => b"TRUE",
                (_, false) => b"FALSE",
            }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            // MySQL and SQLite have no NaN or infinity: NULL, as in JSON.
            Value::Float(x) if !x.is_finite() => out.extend_from_slice(b"NULL"),
            Value::Float(x) => {
                let _ = write!(out, "{x}");
            }
            Value::Text(s) if self == Dialect::MySql && ty == DataType::DateTime => {
                string_literal(out, &mysql_datetime(s));
            }
            Value::Text(s) => string_literal(out, s),
            Value::Json(j) => string_literal(out, &j.to_string()),
        }
    }

    /// A value in PostgreSQL's COPY text form.
    fn copy_field(value: &Value, out: &mut Vec<u8>) {
        let escaped = |out: &mut Vec<u8>, s: &str| {
            for &b in s.as_bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    _ => out.push(b),
                }
            }
        };
        match value {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(x) if x.is_nan() => out.extend_from_slice(b"NaN"),
            Value::Float(x) if x.is_infinite() => {
                out.extend_from_slice(if *x > 0.0 { b"Infinity" } else { b"-Infinity" });
            }
            Value::Float(x) => {
                let _ = write!(out, "{x}");
            }
            Value::Text(s) => escaped(out, s),
            Value::Json(j) => escaped(out, &j.to_string()),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `'…'` with quotes doubled. Backslashes are plain characters: MySQL
/// scripts turn on `NO_BACKSLASH_ESCAPES` first.
fn string_literal(out: &mut Vec<u8>, s: &str) {
    out.push(b'\'');
    for &b in s.as_bytes() {
        if b == b'\'' {
            out.push(b'\'');
        }
        out.push(b);
    }
    out.push(b'\'');
}

/// MySQL's DATETIME takes neither `T` nor an offset: the UTC wall time.
fn mysql_datetime(s: &str) -> String {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return t.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string();
    }
    match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        Ok(t) => t.format("%Y-%m-%d %H:%M:%S%.f").to_string(),
        Err(_) => s.to_owned(),
    }
}

/// The rows of one table as INSERTs or a COPY block; columns in `nulled`
/// are written NULL (deferred foreign keys, set by UPDATEs at the end).
#[derive(Debug, Clone)]
pub(crate) struct SqlRows {
    dialect: Dialect,
    types: Vec<DataType>,
    nulled: Vec<bool>,
    /// `INSERT INTO t (a, b) VALUES` or `COPY t (a, b) FROM stdin;`.
    head: String,
}

impl SqlRows {
    pub(crate) fn new(dialect: Dialect, table: &Table, nulled: &[usize]) -> SqlRows {
        let columns: Vec<String> = table.columns.iter().map(|c| dialect.quote(&c.name)).collect();
        let name = dialect.quote(&table.name);
        let head = match dialect {
            Dialect::Postgres => format!("COPY {name} ({}) FROM stdin;\n", columns.join(", ")),
            _ => format!("INSERT INTO {name} ({}) VALUES\n", columns.join(", ")),
        };
        SqlRows {
            dialect,
            types: table.columns.iter().map(|c| c.ty).collect(),
            nulled: (0..table.columns.len()).map(|c| nulled.contains(&c)).collect(),
            head,
        }
    }

    pub(crate) fn header(&self, out: &mut Vec<u8>) {
        if self.dialect == Dialect::Postgres {
            out.extend_from_slice(self.head.as_bytes());
        }
    }

    pub(crate) fn row(&self, index: u64, row: &Row, out: &mut Vec<u8>) {
        if self.dialect == Dialect::Postgres {
            for (c, value) in row.iter().enumerate() {
                if c > 0 {
                    out.push(b'\t');
                }
                Dialect::copy_field(if self.nulled[c] { &Value::Null } else { value }, out);
            }
            out.push(b'\n');
            return;
        }
        if index.is_multiple_of(ROWS_PER_INSERT) {
            if index > 0 {
                out.extend_from_slice(b";\n");
            }
            out.extend_from_slice(self.head.as_bytes());
        } else {
            out.extend_from_slice(b",\n");
        }
        out.push(b'(');
        for (c, value) in row.iter().enumerate() {
            if c > 0 {
                out.extend_from_slice(b", ");
            }
            let value = if self.nulled[c] { &Value::Null } else { value };
            self.dialect.literal(self.types[c], value, out);
        }
        out.push(b')');
    }

    pub(crate) fn footer(&self, rows: u64, out: &mut Vec<u8>) {
        match self.dialect {
            Dialect::Postgres => out.extend_from_slice(b"\\.\n"),
            _ if rows > 0 => out.extend_from_slice(b";\n"),
            _ => {}
        }
    }
}

/// The statements that open a script's transaction, and close it.
pub(crate) fn begin(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nBEGIN;\n",
        Dialect::MySql => {
            "SET NAMES utf8mb4;\nSET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'NO_BACKSLASH_ESCAPES');\nSET SESSION time_zone = '+00:00';\nSTART TRANSACTION;\n"
        }
        Dialect::Sqlite => "PRAGMA foreign_keys = ON;\nBEGIN;\n",
    }
}

/// Every table of a data set as one SQL script: optional CREATE TABLEs,
/// then each table's rows in foreign-key order, then UPDATEs that close
/// foreign-key cycles, all in one transaction (MySQL commits DDL on its
/// own, so there the CREATE TABLEs come before the transaction). Tables
/// can be handed over in any order; each is written to its own temporary
/// file and the script is put together by [`ScriptWriter::finish`].
///
/// ```
/// use syda::engine::OfflineEngine;
/// use syda::output::{Dialect, ScriptWriter};
/// use syda::plan::Planner;
///
/// let schema = syda::Schema::from_yaml_str(r#"
/// tables:
///   teams: { columns: { id: { type: integer, primary_key: true }, name: company } }
///   players:
///     columns:
///       id: { type: integer, primary_key: true }
///       team_id: { type: integer, foreign_key: teams.id }
/// "#)?;
/// let planner = Planner::new(&schema).rows(3);
/// let dir = tempfile::tempdir()?;
/// let mut script = ScriptWriter::create(&dir.path().join("load.sql"), Dialect::Sqlite, &schema, &planner.order()?)?
///     .create_tables(true);
/// planner.stream(&OfflineEngine::new(), |table, rows| script.write_table(table, rows).map(drop))?;
/// let path = script.finish()?.commit()?;
/// let sql = std::fs::read_to_string(path)?;
/// assert!(sql.starts_with("PRAGMA foreign_keys = ON;\nBEGIN;\nCREATE TABLE \"teams\""));
/// assert!(sql.contains("INSERT INTO \"players\" (\"id\", \"team_id\") VALUES\n(1, "));
/// assert!(sql.ends_with("COMMIT;\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ScriptWriter {
    dest: PathBuf,
    dialect: Dialect,
    schema: Schema,
    order: Order,
    create_tables: bool,
    /// Each table's rows, by schema index, once written.
    sections: Vec<Option<(File, u64)>>,
    /// UPDATE statements for deferred foreign keys.
    updates: BufWriter<File>,
    dir: PathBuf,
    current: Option<Section>,
}

/// The table being written.
struct Section {
    index: usize,
    table: Table,
    key: Vec<usize>,
    deferred: Vec<DeferredKey>,
    encoder: ChunkEncoder,
    out: BufWriter<File>,
    buf: Vec<u8>,
    rows: u64,
}

impl std::fmt::Debug for ScriptWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptWriter")
            .field("dest", &self.dest)
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

impl ScriptWriter {
    /// Starts a script of `schema`'s tables for `dest`, tables in `order`
    /// ([`crate::plan::Planner::order`]). Nothing appears at `dest` before commit.
    pub fn create(dest: &Path, dialect: Dialect, schema: &Schema, order: &Order) -> Result<ScriptWriter> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|source| io(&dir, source))?;
        for key in &order.deferred {
            let table = schema.table(&key.table).ok_or_else(|| unknown(&key.table))?;
            row_key(table).ok_or_else(|| Error::Generate {
                table: key.table.clone(),
                column: key.columns.join(", "),
                message: "closes a foreign-key cycle, so a SQL script sets it with an UPDATE after the inserts, \
                          which needs a primary key (or a NOT NULL unique column) to find each row; the table has none"
                    .to_owned(),
            })?;
        }
        let updates = tempfile::tempfile_in(&dir).map_err(|source| io(dest, source))?;
        Ok(ScriptWriter {
            dest: dest.to_owned(),
            dialect,
            schema: schema.clone(),
            order: order.clone(),
            create_tables: false,
            sections: (0..schema.tables.len()).map(|_| None).collect(),
            updates: BufWriter::new(updates),
            dir,
            current: None,
        })
    }

    /// Also writes a CREATE TABLE per table (columns, NOT NULL, primary
    /// and unique keys, foreign keys) before the rows.
    pub fn create_tables(mut self, on: bool) -> Self {
        self.create_tables = on;
        self
    }

    /// Writes the rows of `table` (one of the schema's tables, each once);
    /// returns how many.
    pub fn write_table(&mut self, table: &Table, rows: &mut dyn Iterator<Item = Result<Row>>) -> Result<u64> {
        self.start_table(table)?;
        for row in rows {
            self.write_row(&row?)?;
        }
        self.end_table()
    }

    /// Starts the rows of `table` (one of the schema's tables, each once):
    /// [`ScriptWriter::write_row`] for each, then [`ScriptWriter::end_table`].
    pub fn start_table(&mut self, table: &Table) -> Result<()> {
        let t = self
            .schema
            .table_index(&table.name)
            .ok_or_else(|| unknown(&table.name))?;
        let table = self.schema.tables[t].clone();
        let deferred: Vec<DeferredKey> = self
            .order
            .deferred
            .iter()
            .filter(|d| d.table == table.name)
            .cloned()
            .collect();
        let nulled: Vec<usize> = deferred
            .iter()
            .flat_map(|d| d.columns.iter().filter_map(|c| table.column_index(c)))
            .collect();
        let encoder = ChunkEncoder::sql(SqlRows::new(self.dialect, &table, &nulled));
        let file = tempfile::tempfile_in(&self.dir).map_err(|source| io(&self.dest, source))?;
        let mut buf = Vec::with_capacity(128 * 1024);
        encoder.header(&mut buf);
        self.current = Some(Section {
            index: t,
            key: row_key(&table).unwrap_or_default(),
            table,
            deferred,
            encoder,
            out: BufWriter::with_capacity(256 * 1024, file),
            buf,
            rows: 0,
        });
        Ok(())
    }

    /// Appends a row of the table started last.
    pub fn write_row(&mut self, row: &Row) -> Result<()> {
        let dest = self.dest.clone();
        let mut section = self.current.take().ok_or_else(|| no_table(&dest))?;
        section
            .encoder
            .encode(section.rows, std::slice::from_ref(row), &mut section.buf);
        let result = if section.deferred.is_empty() {
            Ok(())
        } else {
            self.update(&section.table, &section.key, &section.deferred, row)
        };
        section.rows += 1;
        if section.buf.len() >= 64 * 1024 {
            section
                .out
                .write_all(&section.buf)
                .map_err(|source| io(&dest, source))?;
            section.buf.clear();
        }
        self.current = Some(section);
        result
    }

    /// Ends the table started last; returns its row count.
    pub fn end_table(&mut self) -> Result<u64> {
        let mut section = self.current.take().ok_or_else(|| no_table(&self.dest))?;
        section.encoder.footer(section.rows, &mut section.buf);
        section
            .out
            .write_all(&section.buf)
            .map_err(|source| io(&self.dest, source))?;
        let file = section
            .out
            .into_inner()
            .map_err(|e| io(&self.dest, e.into_error()))?;
        self.sections[section.index] = Some((file, section.rows));
        Ok(section.rows)
    }

    fn update(&mut self, table: &Table, key: &[usize], deferred: &[DeferredKey], row: &Row) -> Result<()> {
        let d = self.dialect;
        let mut stmt = Vec::new();
        for fk in deferred {
            let columns: Vec<usize> = fk.columns.iter().filter_map(|c| table.column_index(c)).collect();
            if columns.iter().any(|&c| row[c].is_null()) {
                continue;
            }
            stmt.clear();
            write!(stmt, "UPDATE {} SET ", d.quote(&table.name)).map_err(|e| io(&self.dest, e))?;
            for (i, &c) in columns.iter().enumerate() {
                if i > 0 {
                    stmt.extend_from_slice(b", ");
                }
                stmt.extend_from_slice(d.quote(&table.columns[c].name).as_bytes());
                stmt.extend_from_slice(b" = ");
                d.literal(table.columns[c].ty, &row[c], &mut stmt);
            }
            stmt.extend_from_slice(b" WHERE ");
            for (i, &c) in key.iter().enumerate() {
                if i > 0 {
                    stmt.extend_from_slice(b" AND ");
                }
                stmt.extend_from_slice(d.quote(&table.columns[c].name).as_bytes());
                stmt.extend_from_slice(b" = ");
                d.literal(table.columns[c].ty, &row[c], &mut stmt);
            }
            stmt.extend_from_slice(b";\n");
            self.updates
                .write_all(&stmt)
                .map_err(|source| io(&self.dest, source))?;
        }
        Ok(())
    }

    /// Puts the script together in a temporary file beside the destination;
    /// [`PendingFile::commit`] moves it into place.
    pub fn finish(self) -> Result<PendingFile> {
        let dest = self.dest.clone();
        let err = |source: std::io::Error| io(&dest, source);
        let temp = create_temp(&self.dir, &dest)?;
        let mut out = BufWriter::with_capacity(256 * 1024, temp);
        let d = self.dialect;
        let ddl = if self.create_tables {
            self.ddl()
        } else {
            String::new()
        };
        if d == Dialect::MySql {
            // DDL commits implicitly in MySQL: after the session settings,
            // before the transaction.
            let begin = begin(d);
            let (session, start) = begin.split_at(begin.len() - "START TRANSACTION;\n".len());
            out.write_all(session.as_bytes()).map_err(err)?;
            out.write_all(ddl.as_bytes()).map_err(err)?;
            out.write_all(start.as_bytes()).map_err(err)?;
        } else {
            out.write_all(begin(d).as_bytes()).map_err(err)?;
            out.write_all(ddl.as_bytes()).map_err(err)?;
        }
        let mut rows = 0;
        let mut sections = self.sections;
        for &t in &self.order.tables {
            if let Some((mut file, count)) = sections[t].take() {
                file.rewind().map_err(err)?;
                std::io::copy(&mut file, &mut out).map_err(err)?;
                rows += count;
            }
        }
        let mut updates = self.updates.into_inner().map_err(|e| err(e.into_error()))?;
        updates.rewind().map_err(err)?;
        std::io::copy(&mut updates, &mut out).map_err(err)?;
        out.write_all(b"COMMIT;\n").map_err(err)?;
        let temp = out.into_inner().map_err(|e| err(e.into_error()))?;
        temp.as_file().sync_data().map_err(err)?;
        Ok(PendingFile::new(temp, dest, rows))
    }

    /// CREATE TABLE statements in generation order; foreign keys as ALTER
    /// TABLE afterwards (so cycles and any order work), inline for SQLite,
    /// which cannot add them later and checks them only when rows change.
    fn ddl(&self) -> String {
        let d = self.dialect;
        let mut out = String::new();
        let mut alters = String::new();
        for &t in &self.order.tables {
            let table = &self.schema.tables[t];
            let mut parts: Vec<String> = Vec::new();
            for (c, col) in table.columns.iter().enumerate() {
                let not_null = if col.nullable && !col.primary_key {
                    ""
                } else {
                    " NOT NULL"
                };
                parts.push(format!(
                    "{} {}{not_null}",
                    d.quote(&col.name),
                    d.column_type(table, c)
                ));
            }
            let pk: Vec<String> = table.primary_key().map(|c| d.quote(&c.name)).collect();
            if !pk.is_empty() {
                parts.push(format!("PRIMARY KEY ({})", pk.join(", ")));
            }
            for col in table
                .columns
                .iter()
                .filter(|c| c.unique && !(c.primary_key && pk.len() == 1))
            {
                parts.push(format!("UNIQUE ({})", d.quote(&col.name)));
            }
            for key in table.unique.iter() {
                let cols: Vec<String> = key.iter().map(|c| d.quote(c)).collect();
                parts.push(format!("UNIQUE ({})", cols.join(", ")));
            }
            for fk in table.all_foreign_keys() {
                let constraint = format!(
                    "FOREIGN KEY ({}) REFERENCES {} ({})",
                    fk.columns
                        .iter()
                        .map(|c| d.quote(c))
                        .collect::<Vec<_>>()
                        .join(", "),
                    d.quote(&fk.table),
                    fk.references
                        .iter()
                        .map(|c| d.quote(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if d == Dialect::Sqlite {
                    parts.push(constraint);
                } else {
                    alters.push_str(&format!(
                        "ALTER TABLE {} ADD {constraint};\n",
                        d.quote(&table.name)
                    ));
                }
            }
            out.push_str(&format!(
                "CREATE TABLE {} (\n  {}\n);\n",
                d.quote(&table.name),
                parts.join(",\n  ")
            ));
        }
        out.push_str(&alters);
        out
    }
}

/// The columns that find one row of `table`: its primary key, else a NOT
/// NULL unique column.
fn row_key(table: &Table) -> Option<Vec<usize>> {
    let pk: Vec<usize> = (0..table.columns.len())
        .filter(|&c| table.columns[c].primary_key)
        .collect();
    if !pk.is_empty() {
        return Some(pk);
    }
    (0..table.columns.len())
        .find(|&c| table.columns[c].unique && !table.columns[c].nullable)
        .map(|c| vec![c])
}

fn no_table(dest: &Path) -> Error {
    io(
        dest,
        std::io::Error::other("a row was written before ScriptWriter::start_table"),
    )
}

fn unknown(table: &str) -> Error {
    Error::Generate {
        table: table.to_owned(),
        column: "*".to_owned(),
        message: "the SQL script's schema has no such table".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    fn table() -> Table {
        Table::new("t")
            .with_column(Column::new("id", DataType::Integer).primary_key())
            .with_column(Column::new("name", DataType::Text).nullable())
            .with_column(Column::new("at", DataType::DateTime))
    }

    fn encode(dialect: Dialect, rows: &[Row]) -> String {
        let rows_sql = SqlRows::new(dialect, &table(), &[]);
        let mut out = Vec::new();
        rows_sql.header(&mut out);
        for (i, row) in rows.iter().enumerate() {
            rows_sql.row(i as u64, row, &mut out);
        }
        rows_sql.footer(rows.len() as u64, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn rows() -> Vec<Row> {
        vec![
            vec![
                Value::Int(1),
                Value::from("O'Brien\\\t\n"),
                Value::from("2020-01-02T03:04:05Z"),
            ],
            vec![Value::Int(2), Value::Null, Value::from("2021-06-07T08:09:10Z")],
        ]
    }

    #[test]
    fn postgres_rows_are_one_copy_block_with_escapes() {
        assert_eq!(
            encode(Dialect::Postgres, &rows()),
            "COPY \"t\" (\"id\", \"name\", \"at\") FROM stdin;\n\
             1\tO'Brien\\\\\\t\\n\t2020-01-02T03:04:05Z\n\
             2\t\\N\t2021-06-07T08:09:10Z\n\\.\n"
        );
    }

    #[test]
    fn mysql_rows_are_one_insert_with_utc_wall_times() {
        assert_eq!(
            encode(Dialect::MySql, &rows()),
            "INSERT INTO `t` (`id`, `name`, `at`) VALUES\n\
             (1, 'O''Brien\\\t\n', '2020-01-02 03:04:05'),\n\
             (2, NULL, '2021-06-07 08:09:10');\n"
        );
    }

    #[test]
    fn long_tables_are_split_into_several_inserts() {
        let many: Vec<Row> = (0..ROWS_PER_INSERT + 1)
            .map(|i| {
                vec![
                    Value::Int(i as i64),
                    Value::Null,
                    Value::from("2020-01-01T00:00:00Z"),
                ]
            })
            .collect();
        let sql = encode(Dialect::Sqlite, &many);
        assert_eq!(sql.matches("INSERT INTO").count(), 2);
        assert_eq!(sql.matches(";\n").count(), 2);
    }

    #[test]
    fn empty_tables_write_no_insert() {
        assert_eq!(encode(Dialect::Sqlite, &[]), "");
        assert_eq!(
            encode(Dialect::Postgres, &[]),
            "COPY \"t\" (\"id\", \"name\", \"at\") FROM stdin;\n\\.\n"
        );
    }

    #[test]
    fn identifiers_double_their_quote() {
        assert_eq!(Dialect::Postgres.quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::MySql.quote("a`b"), "`a``b`");
    }
}
