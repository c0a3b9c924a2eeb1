//! Loading schemas from disk: one file in any accepted format, or a
//! directory of them (one table per file, as the Python syda keeps them).
//! Every file is read before references are resolved, so a foreign key may
//! point at a table of another file.

use std::path::Path;

use serde_json::Value;

use super::model::Schema;
use super::{MAX_FILE_BYTES, file, sydapy, validate};
use crate::error::{BoxError, Error, Problem, Result};

/// A schema read from a file or directory, with notes on what it holds but
/// syda-rs does not act on (a syda-py document template, `min_length`, …).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The schema, validated.
    pub schema: Schema,
    /// Keys that were read but are not used, each naming its table or column.
    pub notes: Vec<Problem>,
}

/// File extensions a schema directory's files have.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

impl Schema {
    /// Reads and validates a schema from `path`: a YAML or JSON file in the
    /// syda-rs format, the seed's flat map or a Python syda table file, or a
    /// directory of such files (`*.yaml`, `*.yml`, `*.json`, one or more
    /// tables each, named by `__table_name__`/`name:` or the file stem).
    pub fn load(path: impl AsRef<Path>) -> Result<Loaded> {
        let path = path.as_ref();
        let mut notes = Vec::new();
        let origin = path.display().to_string();
        if path.is_dir() {
            return load_dir(path, &mut notes).map(|schema| Loaded { schema, notes });
        }
        let doc = read_doc(path)?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("table");
        let (schema, problems) = interpret_doc(&doc, stem, &mut notes);
        finish(schema, problems, &origin).map(|schema| Loaded { schema, notes })
    }
}

fn load_dir(dir: &Path, notes: &mut Vec<Problem>) -> Result<Schema> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    let origin = dir.display().to_string();
    if files.is_empty() {
        return Err(Error::InvalidSchema {
            origin,
            problems: vec![Problem::schema(format!(
                "the directory has no schema files ({})",
                EXTENSIONS
                    .iter()
                    .map(|e| format!("*.{e}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))],
        });
    }
    let mut schema = Schema::default();
    let mut problems = Vec::new();
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut depends: Vec<(String, String)> = Vec::new();
    for path in &files {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let doc = read_doc(path)?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("table");
        let (part, part_problems) = interpret_doc(&doc, stem, notes);
        if let Some(table) = part.tables.first() {
            depends.extend(
                sydapy::depends_on(&doc)
                    .into_iter()
                    .map(|d| (table.name.to_string(), d)),
            );
        }
        problems.extend(part_problems.into_iter().map(|mut p| {
            if p.table.is_none() {
                p.message = format!("{file_name}: {}", p.message);
            }
            p
        }));
        schema.relations.extend(part.relations);
        for table in part.tables {
            match sources.iter().find(|(name, _)| *name == table.name) {
                Some((name, other)) => problems.push(Problem::table(
                    name,
                    format!("defined twice, in {other} and in {file_name}"),
                )),
                None => {
                    sources.push((table.name.to_string(), file_name.clone()));
                    schema.tables.push(table);
                }
            }
        }
    }
    // `__depends_on__` only orders generation, which foreign keys already
    // do; a name that matches no table is still a mistake worth reporting.
    let names: Vec<String> = schema.tables.iter().map(|t| t.name.to_string()).collect();
    for (table, dependency) in depends {
        if !names.contains(&dependency) && sydapy::table_named(&names, &dependency).is_none() {
            problems.push(Problem::table(
                &table,
                format!("`__depends_on__` names `{dependency}`, which no file of the directory defines"),
            ));
        }
    }
    finish(schema, problems, &origin)
}

/// Reads and parses one file (YAML, or JSON as YAML).
fn read_doc(path: &Path) -> Result<Value> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    let origin = path.display().to_string();
    if size > MAX_FILE_BYTES {
        return Err(Error::InvalidSchema {
            origin,
            problems: vec![Problem::schema(format!(
                "the file is {size} bytes; a schema file may be at most {MAX_FILE_BYTES}"
            ))],
        });
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    parse_doc(&text, &origin)
}

/// YAML (or JSON) text as a JSON value tree. YAML's own value type is
/// parsed first: it rejects duplicate keys, which a JSON map would
/// silently overwrite.
pub(crate) fn parse_doc(text: &str, origin: &str) -> Result<Value> {
    let parse = |e: BoxError| Error::Parse {
        message: e.to_string(),
        origin: origin.to_owned(),
        source: Some(e),
    };
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| parse(e.into()))?;
    serde_json::to_value(&yaml).map_err(|e| parse(e.into()))
}

/// One document in whichever format it is, references unresolved.
pub(crate) fn interpret_doc(
    doc: &Value,
    default_name: &str,
    notes: &mut Vec<Problem>,
) -> (Schema, Vec<Problem>) {
    if sydapy::is_sydapy(doc) {
        sydapy::interpret(doc, default_name, notes)
    } else {
        file::interpret_unresolved(doc, default_name)
    }
}

/// Resolves references across the whole schema and validates it.
pub(crate) fn finish(mut schema: Schema, mut problems: Vec<Problem>, origin: &str) -> Result<Schema> {
    sydapy::resolve_table_names(&mut schema);
    file::resolve_implicit_foreign_keys(&mut schema, &mut problems);
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
