//! `syda convert`: any schema a user already has, written as a syda YAML
//! schema file — a Python syda directory or table file, the seed's flat
//! map, a Diesel `schema.rs`, or a live database.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use syda::Schema;

/// Options of `syda convert`.
#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// A schema file or a directory of them (syda YAML/JSON, the seed's flat
    /// map, Python syda table files), or a Diesel `schema.rs`.
    #[arg(required_unless_present = "database_url")]
    pub(crate) input: Option<PathBuf>,
    /// Read the schema from a live database instead: postgres://…,
    /// mysql://… or sqlite:path.
    #[arg(long, value_name = "URL", conflicts_with = "input")]
    pub(crate) database_url: Option<String>,
    /// Write the YAML here instead of standard output (written whole or not at all).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn run(args: &ConvertArgs) -> anyhow::Result<()> {
    let schema = read(args)?;
    let yaml = schema.to_yaml();
    match &args.out {
        Some(path) => write_atomically(path, &yaml),
        None => {
            std::io::stdout().write_all(yaml.as_bytes())?;
            Ok(())
        }
    }
}

fn read(args: &ConvertArgs) -> anyhow::Result<Schema> {
    if let Some(url) = &args.database_url {
        return from_database(url);
    }
    let Some(input) = &args.input else {
        bail!("give a schema file or directory, a Diesel schema.rs, or --database-url URL");
    };
    if input.extension().is_some_and(|e| e == "rs") {
        return crate::diesel_schema(input)
            .with_context(|| format!("reading the Diesel schema {}", input.display()));
    }
    let loaded = Schema::load(input)?;
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    Ok(loaded.schema)
}

#[cfg(feature = "db")]
fn from_database(url: &str) -> anyhow::Result<Schema> {
    Ok(syda::db::blocking::introspect(
        url,
        &syda::db::IntrospectOptions::default(),
    )?)
}

#[cfg(not(feature = "db"))]
fn from_database(_url: &str) -> anyhow::Result<Schema> {
    bail!("this syda was built without the `db` feature, so it cannot read databases")
}

/// Writes through a temporary file in the same directory, renamed into
/// place: a failed run leaves no half-written schema.
fn write_atomically(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut file =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("writing into {}", dir.display()))?;
    file.write_all(text.as_bytes())?;
    file.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
