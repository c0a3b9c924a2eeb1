//! Command-line options (clap derive). Names here are user-facing: keep them stable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Synthetic data for your schemas: realistic, constraint-respecting,
/// referentially-intact rows.
#[derive(Debug, Parser)]
#[command(name = "syda", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse and validate a schema file, then print how each table is described.
    Validate {
        /// A YAML or JSON schema file.
        schema: PathBuf,
    },
    /// Generate rows for every table of a schema, in foreign-key order.
    Generate(GenerateArgs),
    /// Check a data directory against a schema: foreign keys, uniques, NOT NULL,
    /// types, ranges, patterns. Exits 1 when anything is violated.
    Check {
        /// A YAML or JSON schema file.
        schema: PathBuf,
        /// A directory holding `<table>.csv`, `.json` or `.jsonl` files.
        dir: PathBuf,
    },
    /// List the semantic kinds a column may name (email, phone, icd10_code, …).
    Kinds,
    /// Run the REST service (projects, audit trail, generation, uploads; docs at /docs).
    Serve(crate::serve::ServeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// A YAML or JSON schema file.
    pub(crate) schema: PathBuf,
    /// Rows per table, unless `--size` says otherwise.
    #[arg(long, default_value_t = 100)]
    pub(crate) rows: u64,
    /// Rows for one table, as `table=N`; repeatable.
    #[arg(long = "size", value_name = "TABLE=N", value_parser = parse_size)]
    pub(crate) sizes: Vec<(String, u64)>,
    /// Write only these tables (their parents are generated but not written); repeatable.
    #[arg(long = "table", value_name = "TABLE")]
    pub(crate) tables: Vec<String>,
    /// Seed: the same schema, sizes and seed give the same bytes.
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Share of NULLs in nullable columns, 0 to 1.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub(crate) null_rate: Option<f64>,
    /// Output format; default: the `--out` file's extension, else csv.
    #[arg(long, value_enum)]
    pub(crate) format: Option<FormatArg>,
    /// A directory (one `<table>.<format>` file per table) or, for one table, a file.
    #[arg(long, value_name = "PATH")]
    pub(crate) out: PathBuf,
    /// The engine that makes rows.
    #[arg(long, value_enum, default_value_t = EngineArg::Offline)]
    pub(crate) engine: EngineArg,
    /// Hide the progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    Csv,
    Json,
    Jsonl,
}

impl From<FormatArg> for syda::output::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Csv => syda::output::Format::Csv,
            FormatArg::Json => syda::output::Format::Json,
            FormatArg::Jsonl => syda::output::Format::Jsonl,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EngineArg {
    /// Semantic fakers and constraints; no key, no network.
    Offline,
}

fn parse_size(s: &str) -> Result<(String, u64), String> {
    let (table, rows) = s
        .split_once('=')
        .ok_or_else(|| format!("expected TABLE=N, found `{s}`"))?;
    let rows = rows
        .trim()
        .parse()
        .map_err(|_| format!("expected a row count after `=`, found `{rows}`"))?;
    Ok((table.trim().to_owned(), rows))
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("expected a number from 0 to 1, found `{s}`")),
    }
}
