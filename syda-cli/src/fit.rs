//! `syda fit`: real rows in, a statistical model (JSON) out.

use std::time::Instant;

use anyhow::Context;
use syda::engine::stats::{FitOptions, Source, fit_with};

use crate::cli::FitArgs;

pub(crate) fn run(args: &FitArgs) -> anyhow::Result<()> {
    let source = Source::from_path(&args.data)?;
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
