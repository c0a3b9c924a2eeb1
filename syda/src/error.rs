//! The crate's error type.

use std::fmt;
use std::path::PathBuf;

/// An error underneath one of ours, kept for callers that inspect it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, in variants a caller can act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A schema has one or more problems; all of them are listed.
    InvalidSchema {
        /// Where the schema came from: a file path, or a description such as `<yaml>`.
        origin: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },

    /// A schema file could not be parsed as YAML or JSON at all.
    Parse {
        /// File path or description.
        origin: String,
        /// The parser's message, with line and column where known.
        message: String,
        /// The parser's own error, when there is one; its message is in
        /// `message` already.
        source: Option<BoxError>,
    },

    /// A constraint cannot hold for the requested rows (10 unique booleans,
    /// more one-to-one children than parents, …).
    Unsatisfiable {
        /// Table being generated.
        table: String,
        /// Column whose constraint cannot hold.
        column: String,
        /// What was asked and why it is impossible.
        message: String,
    },

    /// A column cannot be generated (no generator for its kind, a foreign
    /// key with no parent rows, …).
    Generate {
        /// Table being generated.
        table: String,
        /// Column that failed.
        column: String,
        /// What went wrong and what to do about it.
        message: String,
    },

    /// A generated row did not deserialise into the requested Rust type.
    Deserialize {
        /// Table being generated.
        table: String,
        /// Row index, from 0.
        row: u64,
        /// serde's message.
        message: String,
        /// serde's own error; its message is in `message` already.
        source: Option<BoxError>,
    },

    /// A model could not be fitted to the data given.
    Fit {
        /// Where the data came from: a file path or a description.
        origin: String,
        /// What was wrong with the data and what was expected.
        message: String,
        /// The reader's own error (CSV, JSON, a database driver), when there
        /// is one; its message is in `message` already.
        source: Option<BoxError>,
    },

    /// A database could not be reached, read or loaded (feature `db`). A
    /// seed that fails this way has been rolled back: nothing of it is left.
    Database {
        /// What was being done: connecting to a (password-free) URL, reading
        /// the catalog, loading table `x`, …
        context: String,
        /// The database's message, with its detail and hint where it gave them.
        message: String,
        /// The driver's own error (sqlx's), when there is one; its message
        /// is in `message` already.
        source: Option<BoxError>,
    },

    /// A file could not be read or written.
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The LLM engine's configuration is missing something or is wrong (no
    /// API key, an unknown provider, no model).
    LlmConfig {
        /// What is wrong and how to fix it.
        message: String,
    },

    /// An LLM provider answered with an error status that retrying does not
    /// fix (bad key, unknown model, bad request), or kept failing after
    /// every retry.
    Provider {
        /// `openai`, `anthropic`, `gemini` or `openai-compatible`.
        provider: String,
        /// The HTTP status.
        status: u16,
        /// The provider's message (API keys removed), cut to a readable length.
        message: String,
    },

    /// An LLM provider could not be reached, or did not answer within the
    /// timeout, after every retry.
    Network {
        /// `openai`, `anthropic`, `gemini` or `openai-compatible`.
        provider: String,
        /// What failed, and after how many attempts.
        message: String,
        /// The HTTP client's own error, when there is one.
        source: Option<BoxError>,
    },

    /// A provider still answered "too many requests" (HTTP 429 or 503) after
    /// every retry.
    RateLimited {
        /// `openai`, `anthropic`, `gemini` or `openai-compatible`.
        provider: String,
        /// 429 or 503.
        status: u16,
        /// Retries made before giving up.
        retries: u32,
    },

    /// The model's replies did not give enough valid rows within the allowed
    /// attempts. Carries the last raw reply (cut to a readable length).
    LlmReply {
        /// Table being generated.
        table: String,
        /// What was wrong with the replies.
        message: String,
        /// The last reply's text, as the model wrote it (cut when long).
        raw: String,
    },

    /// A replay-only LLM cache has no recorded response for a request.
    CacheMiss {
        /// The cache file the response would be in.
        path: PathBuf,
    },

    /// A seed's rows stopped mid-table: the database side of the seed
    /// failed (its own error is what the seeding functions return; this
    /// variant only carries the stop through the generator), or the
    /// generator went away without an error of its own.
    SeedStopped(SeedStop),
}

/// Why the rows of a seed stopped coming, see [`Error::SeedStopped`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeedStop {
    /// The database side failed; its error says why.
    SinkFailed,
    /// Row generation ended before the table was complete.
    GenerationEnded,
}

impl fmt::Display for SeedStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SeedStop::SinkFailed => "the database side failed",
            SeedStop::GenerationEnded => "row generation stopped before the table was complete",
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidSchema { origin, problems } => write!(
                f,
                "{origin}: invalid schema ({} problem{}):\n{}",
                problems.len(),
                plural(problems.len()),
                ProblemList(problems)
            ),
            Error::Parse { origin, message, .. } => {
                write!(f, "{origin}: not a valid schema file: {message}")
            }
            Error::Unsatisfiable {
                table,
                column,
                message,
            } => write!(
                f,
                "table `{table}`, column `{column}`: cannot satisfy the schema: {message}"
            ),
            Error::Generate {
                table,
                column,
                message,
            } => write!(f, "table `{table}`, column `{column}`: {message}"),
            Error::Deserialize {
                table, row, message, ..
            } => write!(
                f,
                "table `{table}`, row {row}: does not fit the Rust type: {message}"
            ),
            Error::Fit { origin, message, .. } => write!(f, "{origin}: cannot fit a model: {message}"),
            Error::Database { context, message, .. } => write!(f, "database: {context}: {message}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::LlmConfig { message } => write!(f, "LLM configuration: {message}"),
            Error::Provider {
                provider,
                status,
                message,
            } => write!(f, "{provider}: HTTP {status}: {message}"),
            Error::Network {
                provider, message, ..
            } => write!(f, "{provider}: {message}"),
            Error::RateLimited {
                provider,
                status,
                retries,
            } => write!(
                f,
                "{provider}: rate limited (HTTP {status}) after {retries} retries; lower the concurrency or raise `retries`"
            ),
            Error::LlmReply { table, message, raw } => {
                write!(f, "table `{table}`: {message}\nlast reply: {raw}")
            }
            Error::CacheMiss { path } => write!(
                f,
                "{}: no recorded LLM response for this request (cache mode replay-only); record it once with cache mode read-write",
                path.display()
            ),
            Error::SeedStopped(why) => write!(f, "seeding stopped: {why}"),
        }
    }
}

/// As [`std::io::Error`] does for the errors it wraps: the message of the
/// wrapped error is part of ours, so [`source`](std::error::Error::source)
/// gives what lies *under* it, and a chain printed in full (anyhow's `{:#}`)
/// says each thing once. [`Error::get_ref`] gives the wrapped error itself.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.get_ref().and_then(|inner| inner.source())
    }
}

impl Error {
    /// The error this one wraps (a driver's, a parser's, an I/O error), to
    /// inspect or downcast; its message is already in this error's.
    ///
    /// ```
    /// let err = syda::Schema::from_path("no/such/schema.yaml").unwrap_err();
    /// let io = err.get_ref().and_then(|e| e.downcast_ref::<std::io::Error>());
    /// assert_eq!(io.map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
    /// ```
    pub fn get_ref(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Deserialize { source, .. }
            | Error::Network { source, .. }
            | Error::Parse { source, .. }
            | Error::Fit { source, .. }
            | Error::Database { source, .. } => source.as_deref(),
            _ => None,
        }
    }
}

/// One problem in a schema, naming where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The table involved, if any.
    pub table: Option<String>,
    /// The column involved, if any.
    pub column: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Problem {
    /// A problem about a whole schema.
    pub fn schema(message: impl Into<String>) -> Problem {
        Problem {
            table: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem about one table.
    pub fn table(table: &str, message: impl Into<String>) -> Problem {
        Problem {
            table: Some(table.to_owned()),
            column: None,
            message: message.into(),
        }
    }

    /// A problem about one column.
    pub fn column(table: &str, column: &str, message: impl Into<String>) -> Problem {
        Problem {
            table: Some(table.to_owned()),
            column: Some(column.to_owned()),
            message: message.into(),
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

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  - {p}")?;
        }
        Ok(())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
