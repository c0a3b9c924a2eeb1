//! The schema model: one descriptor for every source.
//!
//! A [`Schema`] is a list of [`Table`]s; a table is a list of [`Column`]s
//! with constraints. The derive builds tables in `const` context; the loaders
//! here build them from YAML or JSON files:
//!
//! ```
//! use syda::{DataType, Schema};
//!
//! let schema = Schema::from_yaml_str(r#"
//! tables:
//!   departments:
//!     doc: Organizational department that groups employees.
//!     columns:
//!       id:   { type: integer, primary_key: true }
//!       name: { type: text, unique: true, max_length: 100 }
//!   employees:
//!     columns:
//!       id:            { type: integer, primary_key: true }
//!       department_id: { type: integer, foreign_key: departments.id }
//!       email:         email
//! "#)?;
//! let employees = schema.table("employees").unwrap();
//! assert_eq!(employees.column("email").unwrap().ty, DataType::Text);
//! assert_eq!(employees.column("department_id").unwrap().foreign_key.as_ref().unwrap().to_string(), "departments.id");
//! # Ok::<(), syda::Error>(())
//! ```
//!
//! Loading always validates: the error lists every problem at once, each
//! with its table and column.

mod declared;
pub(crate) mod describe;
mod file;
pub mod kinds;
mod model;
mod validate;

pub use validate::{MAX_COLUMNS, MAX_PATTERN_LEN, MAX_TABLES};
pub(crate) use validate::{PATTERN_MAX_REPEAT, longest_match};

use std::path::Path;

pub use kinds::{KINDS, Kind};
pub use model::{Column, DataType, ForeignKey, List, Literal, Range, Reference, Schema, Table, Text};

use crate::error::{Error, Problem, Result};

/// The largest schema file read: a hundred times any real schema.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

impl Schema {
    /// Reads a YAML or JSON schema file (JSON is read as YAML, its superset)
    /// and validates it. A single-table file without `name:` is named after
    /// the file stem.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Schema> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_FILE_BYTES {
            return Err(Error::InvalidSchema {
                origin: path.display().to_string(),
                problems: vec![Problem::schema(format!(
                    "the file is {size} bytes; a schema file may be at most {MAX_FILE_BYTES}"
                ))],
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("table");
        Schema::parse(&text, &path.display().to_string(), stem)
    }

    /// Parses and validates YAML text. A single-table document without
    /// `name:` is called `table`.
    pub fn from_yaml_str(text: &str) -> Result<Schema> {
        Schema::parse(text, "<yaml>", "table")
    }

    /// Parses and validates JSON text.
    pub fn from_json_str(text: &str) -> Result<Schema> {
        Schema::parse(text, "<json>", "table")
    }

    /// Parses `text` (YAML or JSON) from `origin`, naming a single unnamed
    /// table `default_table`, and validates the result.
    pub fn parse(text: &str, origin: &str, default_table: &str) -> Result<Schema> {
        // Parsed through YAML's own value type first: it rejects duplicate
        // keys, which a JSON map would silently overwrite.
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| Error::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let doc: serde_json::Value = serde_json::to_value(&yaml).map_err(|e| Error::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let (schema, mut problems) = file::interpret(&doc, default_table);
        problems.extend(validate::problems(&schema));
        if problems.is_empty() {
            Ok(schema)
        } else {
            Err(Error::InvalidSchema {
                origin: origin.to_owned(),
                problems,
            })
        }
    }

    /// Every problem with this schema (unknown foreign key targets, bad
    /// patterns, cycles of required foreign keys, …), all at once.
    pub fn validate(&self) -> Result<()> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidSchema {
                origin: "schema".to_owned(),
                problems,
            })
        }
    }

    /// The problems [`Schema::validate`] would report, as a list.
    pub fn problems(&self) -> Vec<Problem> {
        validate::problems(self)
    }

    /// The schema in the file format, as YAML. Loading it gives an equal schema.
    pub fn to_yaml(&self) -> String {
        // Serialising a JSON value tree to YAML cannot fail.
        serde_yaml_ng::to_string(&file::to_value(self)).unwrap_or_default()
    }

    /// The schema in the file format, as a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        file::to_value(self)
    }
}

impl serde::Serialize for Schema {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        file::to_value(self).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Schema {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Schema, D::Error> {
        let doc = serde_json::Value::deserialize(deserializer)?;
        let (schema, mut problems) = file::interpret(&doc, "table");
        problems.extend(validate::problems(&schema));
        if problems.is_empty() {
            Ok(schema)
        } else {
            let err = Error::InvalidSchema {
                origin: "schema".to_owned(),
                problems,
            };
            Err(serde::de::Error::custom(err))
        }
    }
}

impl From<Table> for Schema {
    fn from(table: Table) -> Schema {
        Schema::new([table])
    }
}
