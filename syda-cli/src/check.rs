//! `syda check`: data (a directory, or the rows of a live database) against
//! a schema (a schema file, a Diesel `schema.rs`, or the database's own).

use std::process::ExitCode;

use anyhow::{Context, bail};
use syda::Schema;

use crate::cli::CheckArgs;

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let data = match &args.database_url {
        Some(url) => live_rows(args, url)?,
        None => {
            let (schema, dir) = match (&args.diesel, args.paths.as_slice()) {
                (Some(diesel), [dir]) => (crate::diesel_schema(diesel)?, dir),
                (Some(_), _) => {
                    bail!("with --diesel, give only the data directory: syda check --diesel schema.rs DIR")
                }
                (None, [schema, dir]) => (Schema::from_path(schema)?, dir),
                (None, _) => bail!(
                    "give a schema file and a data directory (syda check SCHEMA DIR), --diesel schema.rs DIR, or --database-url URL"
                ),
            };
            let schema = select(args, schema)?;
            syda::Dataset::read_dir(schema, dir)
                .with_context(|| format!("reading data from {}", dir.display()))?
        }
    };
    let report = syda::check::check(&data);
    print!("{report}");
    if args.realism {
        print!("{}", syda::realism::score(&data));
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The rows in the database, checked against a schema file, a Diesel
/// `schema.rs` or (by default) the database's own introspected schema.
#[cfg(feature = "db")]
fn live_rows(args: &CheckArgs, url: &str) -> anyhow::Result<syda::Dataset> {
    let schema = match (&args.diesel, args.paths.as_slice()) {
        (Some(diesel), []) => select(args, crate::diesel_schema(diesel)?)?,
        (None, [schema]) => select(args, Schema::from_path(schema)?)?,
        (None, []) => {
            let options = syda::db::IntrospectOptions {
                schema: args.db_schema.clone(),
                include: args.include.clone(),
                exclude: args.exclude.clone(),
            };
            syda::db::blocking::introspect(url, &options)
                .with_context(|| format!("introspecting {}", syda::db::redact(url)))?
        }
        _ => bail!(
            "with --database-url, give at most a schema file (or --diesel schema.rs), no data directory"
        ),
    };
    syda::db::blocking::read_dataset(url, &schema, args.db_schema.as_deref())
        .with_context(|| format!("reading the rows of {}", syda::db::redact(url)))
}

#[cfg(not(feature = "db"))]
fn live_rows(_: &CheckArgs, _: &str) -> anyhow::Result<syda::Dataset> {
    bail!("--database-url needs syda built with the `db` feature")
}

/// The tables `--include` / `--exclude` pick.
fn select(args: &CheckArgs, schema: Schema) -> anyhow::Result<Schema> {
    if args.include.is_empty() && args.exclude.is_empty() {
        return Ok(schema);
    }
    #[cfg(feature = "db")]
    return Ok(syda::db::select_tables(&schema, &args.include, &args.exclude)?);
    #[cfg(not(feature = "db"))]
    bail!("--include/--exclude need syda built with the `db` feature")
}
