//! `syda seed`: generate rows and load them into a live database.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use syda::Schema;
use syda::db::{PlanConfig, Progress, SeedOptions};

use crate::cli::{EngineArg, SeedArgs};
use crate::introspect::options;

pub(crate) fn run(args: &SeedArgs) -> anyhow::Result<()> {
    if args.engine == EngineArg::Stats && crate::fit::is_database_model(&args.fitted) {
        return crate::fit::seed_database(args);
    }
    let url = &args.db.database_url;
    let introspect = || {
        let found = syda::db::blocking::introspect_with_notes(url, &options(&args.db))
            .with_context(|| format!("introspecting {}", syda::db::redact(url)))?;
        if !args.quiet {
            for note in &found.notes {
                eprintln!("note: {note}");
            }
        }
        anyhow::Ok(found.schema)
    };
    let (include, exclude) = (&args.db.include, &args.db.exclude);
    let schema = match (&args.schema_file, &args.diesel) {
        (Some(path), _) => syda::db::select_tables(&Schema::from_path(path)?, include, exclude)?,
        (None, Some(path)) => syda::db::select_tables(
            &with_database_constraints(crate::diesel_schema(path)?, &introspect()?),
            include,
            exclude,
        )?,
        (None, None) => introspect()?,
    };
    let mut plan = PlanConfig::rows(args.rows);
    for (table, rows) in &args.sizes {
        plan = plan.size(table, *rows);
    }
    if args.engine != EngineArg::Llm {
        crate::llm::reject_options(&args.llm)?;
    }
    let mut seed_options = SeedOptions::default().truncate(args.truncate);
    seed_options.schema = args.db.schema.clone();
    if !args.quiet {
        seed_options = seed_options.progress(Arc::new(Bars::default()));
    }
    let engine = crate::engine::Choice {
        engine: args.engine,
        llm: &args.llm,
        seed: args.seed,
        null_rate: args.null_rate,
        stats: crate::generate::stats_engine(args.engine, &args.fitted)?,
    }
    .build(&schema)?;
    let seeded = syda::db::blocking::seed(url, &schema, &plan, &engine, &seed_options);
    crate::engine::report_usage(&engine);
    let report = seeded?;
    if !args.quiet {
        println!("{report}");
    }
    Ok(())
}

/// `schema` (read from a file that cannot say everything, like Diesel's
/// `schema.rs`) with what the live database knows of the same tables and
/// columns: unique keys, CHECK ranges and enum values. Tables and columns
/// the database lacks are left as they are; the seed reports them.
fn with_database_constraints(mut schema: Schema, database: &Schema) -> Schema {
    for table in schema.tables.iter_mut() {
        let Some(live) = database.table(&table.name) else {
            continue;
        };
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_ref()).collect();
        let unique: Vec<_> = live
            .unique
            .iter()
            .filter(|key| key.iter().all(|c| names.contains(&c.as_ref())))
            .filter(|key| !table.unique.contains(key))
            .cloned()
            .collect();
        table.unique.to_mut().extend(unique);
        for column in table.columns.to_mut() {
            let Some(live) = live.column(&column.name) else {
                continue;
            };
            column.unique |= live.unique;
            if column.range.is_none() {
                column.range.clone_from(&live.range);
            }
            if column.one_of.is_none() {
                column.one_of.clone_from(&live.one_of);
            }
        }
    }
    schema
}

/// One progress bar per table, with rows/s; drawn only on a terminal.
#[derive(Default)]
pub(crate) struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn table_started(&self, table: &str, expected_rows: Option<u64>) {
        let bar = ProgressBar::with_draw_target(expected_rows, ProgressDrawTarget::stderr());
        let template = if expected_rows.is_some() {
            "{prefix:>16} [{bar:30}] {pos}/{len} rows ({per_sec})"
        } else {
            "{prefix:>16} {spinner} {pos} rows ({per_sec})"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(table.to_owned());
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut current) = self.current.lock() {
            *current = Some(bar);
        }
    }

    fn rows_loaded(&self, _table: &str, rows: u64) {
        if let Ok(current) = self.current.lock()
            && let Some(bar) = current.as_ref()
        {
            bar.set_position(rows);
        }
    }

    fn table_finished(&self, _table: &str, rows: u64, _elapsed: Duration) {
        if let Ok(mut current) = self.current.lock()
            && let Some(bar) = current.take()
        {
            bar.set_position(rows);
            bar.finish_and_clear();
        }
    }
}
