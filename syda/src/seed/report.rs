//! What a seed did, the same for every backend, and the progress hooks a
//! caller can watch it with.

use std::fmt;
use std::time::Duration;

use crate::plan::DeferredKey;

/// Told about each table as it loads: drive a progress bar with it.
pub trait Progress: Send + Sync {
    /// `table` starts loading; `expected_rows` when the plan fixes it.
    fn table_started(&self, table: &str, expected_rows: Option<u64>) {
        let _ = (table, expected_rows);
    }

    /// `rows` rows of `table` are handed to the database so far.
    fn rows_loaded(&self, table: &str, rows: u64) {
        let _ = (table, rows);
    }

    /// `table` is loaded: `rows` rows in `elapsed`.
    fn table_finished(&self, table: &str, rows: u64, elapsed: Duration) {
        let _ = (table, rows, elapsed);
    }
}

/// Rows loaded into one table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TableReport {
    /// Table name.
    pub table: String,
    /// Rows inserted.
    pub rows: u64,
    /// Time from the table's first row to its last.
    pub elapsed: Duration,
    /// The first key of the table's generated integer key: one past the
    /// largest key the table already held (1, or the column's range start,
    /// for an empty table). `None` when the seed generates no such key.
    pub first_key: Option<i64>,
}

/// What a seed did: one type for every backend (`syda::db`, Diesel, SeaORM).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct SeedReport {
    /// Tables in the order they were loaded.
    pub tables: Vec<TableReport>,
    /// Foreign keys that closed a cycle: inserted NULL and filled by
    /// UPDATE, or (NOT NULL ones) inserted with the checks deferred.
    pub deferred: Vec<DeferredKey>,
    /// Rows whose deferred foreign keys were filled by UPDATE afterwards.
    pub updated_rows: u64,
    /// Statements the backend ran to insert the rows (a COPY counts one),
    /// where it counts them; 0 otherwise.
    pub statements: u64,
    /// What the seed decided on its own, one line each (a table given
    /// fewer rows than asked because its key type holds no more).
    pub notes: Vec<String>,
    /// Total time, generation and commit included.
    pub elapsed: Duration,
}

impl SeedReport {
    /// The report of one table, by name.
    pub fn table(&self, table: &str) -> Option<&TableReport> {
        self.tables.iter().find(|t| t.table == table)
    }

    /// Rows inserted into `table`; `None` when the seed did not load it.
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.table(table).map(|t| t.rows)
    }

    /// Rows inserted over all tables.
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.tables.iter().map(|t| t.table.len()).max().unwrap_or(0);
        for t in &self.tables {
            let secs = t.elapsed.as_secs_f64();
            writeln!(
                f,
                "{:width$}  {:>10} rows  {:>8.2} s  {:>10.0} rows/s",
                t.table,
                t.rows,
                secs,
                t.rows as f64 / secs.max(1e-9)
            )?;
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        if self.updated_rows > 0 {
            writeln!(
                f,
                "{} rows got their deferred foreign keys by UPDATE",
                self.updated_rows
            )?;
        }
        let secs = self.elapsed.as_secs_f64();
        let total = self.total_rows();
        write!(
            f,
            "seeded {total} rows in {} table{} in {secs:.2} s ({:.0} rows/s)",
            self.tables.len(),
            if self.tables.len() == 1 { "" } else { "s" },
            total as f64 / secs.max(1e-9)
        )
    }
}
