//! `syda generate`: schema in, one file per table out (or one SQL script),
//! written atomically, on every core, optionally one shard of a larger job.

use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use syda::engine::Engine;
use syda::output::{ChunkEncoder, Format, PendingFile, ScriptWriter, TableWriter};
use syda::plan::{Chunk, Parallel, PartSink, Planner, Shard};
use syda::{Schema, Table};

use crate::cli::{EngineArg, GenerateArgs};

pub(crate) fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    if args.engine != EngineArg::Llm {
        crate::engine::reject_options(&args.llm)?;
    }
    #[cfg(feature = "stats")]
    if args.engine == EngineArg::Stats && crate::fit::is_database_model(&args.fitted) {
        return crate::fit::generate_database(args);
    }
    let stats = stats_engine(args.engine, &args.fitted)?;
    let full = match (&args.schema, &args.diesel, &stats) {
        (Some(path), _, _) => Schema::from_path(path)?,
        (None, Some(path), _) => crate::diesel_schema(path)?,
        #[cfg(feature = "stats")]
        (None, None, Some(engine)) => engine.schema(),
        #[cfg(not(feature = "stats"))]
        (None, None, Some(never)) => match *never {},
        (None, None, None) => {
            bail!("give a schema file, --diesel schema.rs, or --engine stats --fitted MODEL.json")
        }
    };
    let wanted = wanted_tables(&full, &args.tables)?;
    let schema = with_ancestors(&full, &wanted);
    let format = args
        .format
        .map(|f| f.format(args.dialect))
        .or_else(|| match Format::from_path(&args.out) {
            Some(Format::Sql(_)) => Some(Format::Sql(args.dialect.into())),
            other => other,
        })
        .unwrap_or(Format::Csv);
    let is_sql = matches!(format, Format::Sql(_));
    if args.create_tables && !is_sql {
        bail!("--create-tables is for SQL scripts: add --format sql");
    }
    let out_is_file = Format::from_path(&args.out).is_some() && !args.out.is_dir();
    if let Some(shard) = args.shard {
        if is_sql {
            bail!(
                "--shard {shard} with --format sql: shards of one script cannot be loaded one by one (rows of one \
                 shard reference rows of another); shard to csv or parquet and bulk-load the table directories"
            );
        }
        if out_is_file {
            bail!(
                "--shard {shard} writes <out>/<table>/{}: give --out a directory",
                shard.file_name(format.extension())
            );
        }
        if args.engine == EngineArg::Llm {
            bail!(
                "--shard splits deterministic engines (offline, stats); the llm engine would ask for every shard's rows again"
            );
        }
    }
    if out_is_file && wanted.len() > 1 && !is_sql {
        bail!(
            "--out {} is a file, but {} tables will be written ({}); give a directory, or pick one with --table",
            args.out.display(),
            wanted.len(),
            wanted.join(", ")
        );
    }
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
    let where_to = if out_is_file || is_sql {
        &files[0]
    } else {
        &args.out
    };
    let tables = if is_sql { wanted.len() } else { files.len() };
    let shard = args.shard.map(|s| format!(" (shard {s})")).unwrap_or_default();
    eprintln!(
        "wrote {rows} rows in {tables} table{}{shard} to {} in {seconds:.2} s ({:.0} rows/s)",
        if tables == 1 { "" } else { "s" },
        where_to.display(),
        rows as f64 / seconds.max(1e-9)
    );
    Ok(())
}

/// The statistical engine of `--engine stats --fitted …`, or `None` for the other engines.
pub(crate) fn stats_engine(
    engine: EngineArg,
    fitted: &[PathBuf],
) -> anyhow::Result<Option<crate::engine::Stats>> {
    match (engine, fitted.is_empty()) {
        #[cfg(not(feature = "stats"))]
        (EngineArg::Stats, _) => bail!("--engine stats: {}", crate::engine::missing_feature("stats")),
        #[cfg(feature = "stats")]
        (EngineArg::Stats, true) => bail!(
            "--engine stats needs --fitted MODEL.json (make one with: syda fit data.csv --out MODEL.json)"
        ),
        #[cfg(feature = "stats")]
        (EngineArg::Stats, false) => {
            use syda::engine::stats::{FittedModel, StatsEngine};
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

/// Generates every table with `engine` and writes this shard's rows of the
/// wanted ones; the files stay pending until every table is done.
fn write_tables<E: Engine>(
    args: &GenerateArgs,
    planner: &Planner<'_>,
    engine: &E,
    wanted: &[String],
    out_is_file: bool,
    format: Format,
) -> anyhow::Result<Vec<PendingFile>> {
    let mut parallel = Parallel::new().shard(args.shard.unwrap_or(Shard::WHOLE));
    if let Some(threads) = args.threads {
        parallel = parallel.threads(usize::from(threads));
    }
    if let Format::Sql(dialect) = format {
        let dest = if out_is_file {
            args.out.clone()
        } else {
            args.out.join("data.sql")
        };
        let script = ScriptWriter::create(&dest, dialect, planner.schema(), &planner.order()?)?
            .create_tables(args.create_tables);
        let mut sink = ScriptSink {
            script,
            wanted,
            bar: ProgressBar::hidden(),
            args,
        };
        planner.write_parts(engine, &parallel, &mut sink)?;
        return Ok(vec![sink.script.finish()?]);
    }
    let mut sink = FileSink {
        args,
        wanted,
        out_is_file,
        format,
        shard: args.shard,
        current: None,
        pending: Vec::new(),
    };
    planner.write_parts(engine, &parallel, &mut sink)?;
    Ok(sink.pending)
}

/// One file per wanted table: `<out>/<table>.<ext>`, the `--out` file, or
/// `<out>/<table>/part-NNNNN.<ext>` for a shard.
struct FileSink<'a> {
    args: &'a GenerateArgs,
    wanted: &'a [String],
    out_is_file: bool,
    format: Format,
    shard: Option<Shard>,
    current: Option<(TableWriter, ProgressBar)>,
    pending: Vec<PendingFile>,
}

impl PartSink for FileSink<'_> {
    fn wants(&self, table: &Table) -> bool {
        self.wanted.iter().any(|w| *w == table.name)
    }

    fn start(&mut self, table: &Table, part: Range<u64>) -> syda::Result<Option<ChunkEncoder>> {
        let ext = self.format.extension();
        let path = match self.shard {
            Some(shard) => self.args.out.join(table.name.as_ref()).join(shard.file_name(ext)),
            None if self.out_is_file => self.args.out.clone(),
            None => self.args.out.join(format!("{}.{ext}", table.name)),
        };
        let writer = TableWriter::create(&path, self.format, table)?;
        let encoder = writer.encoder().cloned();
        let bar = progress_bar(table, self.args, part.end - part.start);
        self.current = Some((writer, bar));
        Ok(encoder)
    }

    fn chunk(&mut self, table: &Table, chunk: Chunk) -> syda::Result<()> {
        let Some((writer, bar)) = &mut self.current else {
            return Err(not_started(table));
        };
        if writer.encoder().is_some() {
            writer.write_encoded(&chunk.bytes, chunk.count)?;
        } else {
            for row in &chunk.rows {
                writer.write_row(row)?;
            }
        }
        bar.set_position(writer.rows());
        Ok(())
    }

    fn finish(&mut self, table: &Table) -> syda::Result<()> {
        let (writer, bar) = self.current.take().ok_or_else(|| not_started(table))?;
        bar.finish_and_clear();
        self.pending.push(writer.finish()?);
        Ok(())
    }
}

/// Every wanted table into one SQL script.
struct ScriptSink<'a> {
    script: ScriptWriter,
    wanted: &'a [String],
    bar: ProgressBar,
    args: &'a GenerateArgs,
}

impl PartSink for ScriptSink<'_> {
    fn wants(&self, table: &Table) -> bool {
        self.wanted.iter().any(|w| *w == table.name)
    }

    fn start(&mut self, table: &Table, part: Range<u64>) -> syda::Result<Option<ChunkEncoder>> {
        self.script.start_table(table)?;
        self.bar = progress_bar(table, self.args, part.end - part.start);
        Ok(None)
    }

    fn chunk(&mut self, _table: &Table, chunk: Chunk) -> syda::Result<()> {
        for row in &chunk.rows {
            self.script.write_row(row)?;
        }
        self.bar.inc(chunk.count);
        Ok(())
    }

    fn finish(&mut self, _table: &Table) -> syda::Result<()> {
        self.bar.finish_and_clear();
        self.script.end_table().map(drop)
    }
}

fn not_started(table: &Table) -> syda::Error {
    syda::Error::Generate {
        table: table.name.to_string(),
        column: "*".to_owned(),
        message: "rows arrived before the table's file was started".to_owned(),
    }
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

fn progress_bar(table: &Table, args: &GenerateArgs, len: u64) -> ProgressBar {
    if args.quiet {
        return ProgressBar::hidden();
    }
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
