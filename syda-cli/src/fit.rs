//! `syda fit`: real rows in (a file or a database table), a statistical
//! model (JSON) out.

use std::time::Instant;

use anyhow::{Context, bail};
use syda::engine::stats::{FitOptions, Source, fit_with};

use crate::cli::FitArgs;

pub(crate) fn run(args: &FitArgs) -> anyhow::Result<()> {
    let source = source(args)?;
    let options = FitOptions {
        min_category_count: args.min_category_count,
        table: args.table.clone(),
        ..FitOptions::default()
    };
    let started = Instant::now();
    let model = fit_with(&source, &options)?;
    let seconds = started.elapsed().as_secs_f64();
    model
        .save(&args.out)
        .with_context(|| format!("writing the model to {}", args.out.display()))?;
    print!("{model}");
    eprintln!(
        "fitted {} rows in {seconds:.2} s; model written to {} (generate with: syda generate --engine stats --fitted {} --rows N --out DIR)",
        model.rows,
        args.out.display(),
        args.out.display()
    );
    Ok(())
}

/// Exactly one of a data file and `--database-url`.
fn source(args: &FitArgs) -> anyhow::Result<Source> {
    #[cfg(feature = "db")]
    if let Some(url) = &args.database_url {
        if let Some(data) = &args.data {
            bail!(
                "give either a data file ({}) or --database-url, not both",
                data.display()
            );
        }
        let Some(table) = &args.table else {
            bail!("--database-url needs --table T: the table to fit");
        };
        let options = syda::db::ReadOptions {
            schema: args.schema.clone(),
            limit: args.limit,
            random: args.random,
        };
        eprintln!("reading table `{table}` from {}", syda::db::redact(url));
        return Ok(Source::database(url, table, &options)?);
    }
    match &args.data {
        Some(data) => Ok(Source::from_path(data)?),
        None if cfg!(feature = "db") => {
            bail!("nothing to fit: give a data file (.csv, .jsonl, .json) or --database-url URL --table T")
        }
        None => bail!("nothing to fit: give a data file (.csv, .jsonl, .json)"),
    }
}
