//! `syda generate`: schema in, one file per table out, written atomically.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use syda::engine::Engine;
use syda::engine::stats::{FittedModel, StatsEngine};
use syda::output::{Format, PendingFile, TableWriter};
use syda::plan::Planner;
use syda::{Schema, Table};

use crate::cli::{EngineArg, GenerateArgs};

/// Rows between progress bar updates: keeps the bar off the hot path.
const PROGRESS_STEP: u64 = 4096;

pub(crate) fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    if args.engine != EngineArg::Llm {
        crate::llm::reject_options(&args.llm)?;
    }
    if args.engine == EngineArg::Stats && crate::fit::is_database_model(&args.fitted) {
        return crate::fit::generate_database(args);
    }
    let stats = stats_engine(args.engine, &args.fitted)?;
    let full = match (&args.schema, &args.diesel, &stats) {
        (Some(path), _, _) => Schema::from_path(path)?,
        (None, Some(path), _) => crate::diesel_schema(path)?,
        (None, None, Some(engine)) => engine.schema(),
        (None, None, None) => {
            bail!("give a schema file, --diesel schema.rs, or --engine stats --fitted MODEL.json")
        }
    };
    let wanted = wanted_tables(&full, &args.tables)?;
    let schema = with_ancestors(&full, &wanted);
    let out_is_file = Format::from_path(&args.out).is_some() && !args.out.is_dir();
    if out_is_file && wanted.len() > 1 {
        bail!(
            "--out {} is a file, but {} tables will be written ({}); give a directory, or pick one with --table",
            args.out.display(),
            wanted.len(),
            wanted.join(", ")
        );
    }
    let format = args
        .format
        .map(Format::from)
        .or_else(|| Format::from_path(&args.out))
        .unwrap_or(Format::Csv);
    for (table, _) in &args.sizes {
        if full.table(table).is_none() {
            bail!("--size {table}=…: the schema has no table `{table}`");
        }
    }
    let sizes = args
        .sizes
        .iter()
        .filter(|(t, _)| schema.table(t).is_some())
        .map(|(t, n)| (t.as_str(), *n));
    let planner = Planner::new(&schema).rows(args.rows).sizes(sizes);
    let started = Instant::now();
    let engine = crate::engine::Choice {
        engine: args.engine,
        llm: &args.llm,
        seed: args.seed,
        null_rate: args.null_rate,
        stats,
    }
    .build(&schema)?;
    let written = write_tables(args, &planner, &engine, &wanted, out_is_file, format);
    crate::engine::report_usage(&engine);
    let pending = written?;
    let rows: u64 = pending.iter().map(PendingFile::rows).sum();
    let files: Vec<PathBuf> = pending
        .into_iter()
        .map(PendingFile::commit)
        .collect::<Result<_, _>>()
        .context("moving the finished files into place")?;
    let seconds = started.elapsed().as_secs_f64();
    let where_to = if out_is_file { &files[0] } else { &args.out };
    eprintln!(
        "wrote {rows} rows in {} table{} to {} in {seconds:.2} s ({:.0} rows/s)",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        where_to.display(),
        rows as f64 / seconds.max(1e-9)
    );
    Ok(())
}

/// The statistical engine of `--engine stats --fitted …`, or `None` for the other engines.
pub(crate) fn stats_engine(engine: EngineArg, fitted: &[PathBuf]) -> anyhow::Result<Option<StatsEngine>> {
    match (engine, fitted.is_empty()) {
        (EngineArg::Stats, true) => bail!(
            "--engine stats needs --fitted MODEL.json (make one with: syda fit data.csv --out MODEL.json)"
        ),
        (EngineArg::Stats, false) => {
            let mut models = fitted.iter().map(|p| FittedModel::load(p));
            let first = models
                .next()
                .transpose()?
                .context("--fitted gives at least one model")?;
            let mut engine = StatsEngine::new(first);
            for model in models {
                engine = engine.with_model(model?);
            }
            Ok(Some(engine))
        }
        (_, false) => bail!("--fitted is a model for the statistical engine: add --engine stats"),
        (_, true) => Ok(None),
    }
}

/// Generates every table with `engine` and writes the wanted ones; the
/// files stay pending until every table is done.
fn write_tables<E: Engine>(
    args: &GenerateArgs,
    planner: &Planner<'_>,
    engine: &E,
    wanted: &[String],
    out_is_file: bool,
    format: Format,
) -> anyhow::Result<Vec<PendingFile>> {
    let mut pending: Vec<PendingFile> = Vec::new();
    planner.stream(engine, |table, rows| {
        if !wanted.iter().any(|w| *w == table.name) {
            for row in rows {
                row?;
            }
            return Ok(());
        }
        let path = if out_is_file {
            args.out.clone()
        } else {
            args.out.join(format!("{}.{}", table.name, format.extension()))
        };
        let bar = progress_bar(table, args, &args.sizes);
        let mut writer = TableWriter::create(&path, format, table)?;
        for row in rows {
            writer.write_row(&row?)?;
            if writer.rows() % PROGRESS_STEP == 0 {
                bar.set_position(writer.rows());
            }
        }
        bar.finish_and_clear();
        pending.push(writer.finish()?);
        Ok(())
    })?;
    Ok(pending)
}

/// The tables to write: all of them, or those named by `--table`.
fn wanted_tables(schema: &Schema, names: &[String]) -> anyhow::Result<Vec<String>> {
    if names.is_empty() {
        return Ok(schema.tables.iter().map(|t| t.name.to_string()).collect());
    }
    for name in names {
        if schema.table(name).is_none() {
            let known: Vec<&str> = schema.tables.iter().map(|t| t.name.as_ref()).collect();
            bail!(
                "--table {name}: no such table; the schema has: {}",
                known.join(", ")
            );
        }
    }
    Ok(names.to_vec())
}

/// The wanted tables plus every table they reference, directly or not, in
/// schema order: parents must exist for children to reference them.
fn with_ancestors(schema: &Schema, wanted: &[String]) -> Schema {
    let mut keep: HashSet<&str> = wanted.iter().map(String::as_str).collect();
    let mut stack: Vec<&str> = keep.iter().copied().collect();
    while let Some(name) = stack.pop() {
        let Some(table) = schema.table(name) else { continue };
        for fk in table.all_foreign_keys() {
            if let Some(parent) = schema.table(&fk.table)
                && keep.insert(parent.name.as_ref())
            {
                stack.push(parent.name.as_ref());
            }
        }
    }
    Schema::new(
        schema
            .tables
            .iter()
            .filter(|t| keep.contains(t.name.as_ref()))
            .cloned(),
    )
}

fn progress_bar(table: &Table, args: &GenerateArgs, sizes: &[(String, u64)]) -> ProgressBar {
    if args.quiet {
        return ProgressBar::hidden();
    }
    let len = sizes
        .iter()
        .rev()
        .find(|(t, _)| *t == table.name)
        .map_or(args.rows, |(_, n)| *n);
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} rows ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(table.name.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
