//! The crate's error type.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong reading a Diesel schema or seeding a database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The file has one or more problems: a Rust syntax error (reported
    /// alone: nothing else can be read), malformed `table!` or `joinable!`
    /// bodies, unknown SQL types, bad primary keys or `joinable!` links; or,
    /// when the file itself reads cleanly, the problems
    /// [`syda::Schema::validate`] finds in the result. All are listed, each
    /// as `origin:line:column: …` where it has a position.
    #[error("{origin}: cannot read the Diesel schema ({} problem{}):\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, ProblemList { origin, problems })]
    Invalid {
        /// Where the text came from: the file path, or `<string>`.
        origin: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },

    /// Generating the rows failed (an unsatisfiable constraint, a failing
    /// custom generator, a size for an unknown table, …).
    #[error("generating seed data: {0}")]
    Generate(#[from] syda::Error),

    /// The database refused a statement. Nothing was kept: seeding runs in
    /// one transaction, rolled back on the first error.
    #[error("{}{action}: {source}", table.as_deref().map(|t| format!("table `{t}`: ")).unwrap_or_default())]
    Database {
        /// The table being written, if any.
        table: Option<String>,
        /// What was being done, e.g. `inserting rows 1001..=2000`.
        action: String,
        /// Diesel's error, with the database's message.
        source: diesel::result::Error,
    },

    /// The database could not be reached.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The database URL, without its password.
        url: String,
        /// Diesel's error.
        source: diesel::ConnectionError,
    },

    /// The schema, the data or the URL cannot be seeded as asked: the
    /// message says what and how to fix it.
    #[error("{}{message}", table.as_deref().map(|t| format!("table `{t}`: ")).unwrap_or_default())]
    Seed {
        /// The table involved, if any.
        table: Option<String>,
        /// What is wrong.
        message: String,
    },
}

impl From<diesel::result::Error> for Error {
    fn from(source: diesel::result::Error) -> Error {
        Error::Database {
            table: None,
            action: "running the seeding transaction".to_owned(),
            source,
        }
    }
}

/// A 1-based line and column in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

impl Location {
    /// The start of a span (needs proc-macro2's `span-locations`, which
    /// this crate enables).
    pub(crate) fn of(span: proc_macro2::Span) -> Location {
        let start = span.start();
        Location {
            line: start.line,
            column: start.column + 1,
        }
    }
}

/// One problem, naming where it is. Its `Display` names the table and
/// column; [`Error`]'s adds the origin and [`Location`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// Position in the source, when the problem is tied to one.
    pub location: Option<Location>,
    /// The table involved (its SQL name), if any.
    pub table: Option<String>,
    /// The column involved (its SQL name), if any.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    pub(crate) fn at(span: proc_macro2::Span, message: impl Into<String>) -> Problem {
        Problem {
            location: Some(Location::of(span)),
            table: None,
            column: None,
            message: message.into(),
        }
    }

    pub(crate) fn in_table(mut self, table: &str) -> Problem {
        self.table = Some(table.to_owned());
        self
    }

    pub(crate) fn in_column(mut self, column: &str) -> Problem {
        self.column = Some(column.to_owned());
        self
    }
}

impl From<syda::error::Problem> for Problem {
    fn from(p: syda::error::Problem) -> Problem {
        Problem {
            location: None,
            table: p.table,
            column: p.column,
            message: p.message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.table, &self.column) {
            (Some(t), Some(c)) => write!(f, "table `{t}`, column `{c}`: {}", self.message),
            (Some(t), None) => write!(f, "table `{t}`: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

struct ProblemList<'a> {
    origin: &'a str,
    problems: &'a [Problem],
}

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match p.location {
                Some(loc) => write!(f, "  - {}:{loc}: {p}", self.origin)?,
                None => write!(f, "  - {p}")?,
            }
        }
        Ok(())
    }
}
