//! Writing rows to CSV, JSON (one array) and JSONL files, and reading them
//! back. Writers stream: a row is written as soon as it is produced, so the
//! size of a table never decides the memory used. Every file is written to a
//! temporary file beside its destination and only renamed into place when
//! the caller commits, so a failed run leaves no half-written file.

mod read;
mod write;

use std::fmt;
use std::path::Path;

pub use read::read_table;
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
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 3] = [Format::Csv, Format::Json, Format::Jsonl];

    /// The format's name and file extension: `csv`, `json`, `jsonl`.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }

    /// The format named `name` (`csv`, `json`, `jsonl`, `ndjson`), case-insensitive.
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
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
        f.write_str(self.extension())
    }
}
