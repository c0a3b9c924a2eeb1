//! Writing rows to CSV, JSON (one array), JSONL, Parquet and SQL-script
//! files, and reading them back. Writers stream: a row is written as soon
//! as it is produced (Parquet: a row group at a time), so the size of a
//! table never decides the memory used. Every file is written to a
//! temporary file beside its destination and only renamed into place when
//! the caller commits, so a failed run leaves no half-written file; the
//! file gets the usual mode (0644 under the default umask).
//!
//! - [`TableWriter`]: one table to one file, row by row or in encoded
//!   chunks ([`ChunkEncoder`], for encoding on several threads).
//! - [`ScriptWriter`]: every table of a data set as one SQL script, in
//!   foreign-key order, in one transaction, cycles closed by UPDATEs.
//! - [`read_table`]: a file back into rows, for `syda check`.

mod encode;
#[cfg(feature = "parquet")]
mod parquet;
mod read;
mod sql;
mod write;

use std::fmt;
use std::path::Path;

pub use encode::ChunkEncoder;
pub use read::read_table;
pub use sql::{Dialect, ScriptWriter};
pub use write::{PendingFile, TableWriter};

/// An output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values with a header row; NULL is an empty field.
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Apache Parquet with typed columns (needs the `parquet` feature):
    /// integers INT64, floats DOUBLE, decimals DECIMAL(38, s), dates DATE,
    /// date-times TIMESTAMP(µs, UTC), times TIME(µs), booleans BOOLEAN,
    /// text, UUIDs and JSON as UTF-8 strings. NOT NULL columns are REQUIRED.
    Parquet,
    /// A SQL script of INSERTs (COPY blocks for PostgreSQL) in one transaction.
    Sql(Dialect),
}

impl Format {
    /// Every format that reads back ([`read_table`]), in a stable order:
    /// the extensions a data directory is searched for.
    pub const ALL: [Format; 4] = [Format::Csv, Format::Json, Format::Jsonl, Format::Parquet];

    /// The format's file extension: `csv`, `json`, `jsonl`, `parquet`, `sql`.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
            Format::Sql(_) => "sql",
        }
    }

    /// The format named `name` (`csv`, `json`, `jsonl`, `ndjson`, `parquet`,
    /// `sql`), case-insensitive. `sql` is PostgreSQL's dialect; pick another
    /// with [`Format::Sql`].
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "parquet" | "pq" => Some(Format::Parquet),
            "sql" => Some(Format::Sql(Dialect::Postgres)),
            _ => None,
        }
    }

    /// The format a path's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        Format::from_name(path.extension()?.to_str()?)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Sql(dialect) => write!(f, "sql ({dialect})"),
            other => f.write_str(other.extension()),
        }
    }
}
