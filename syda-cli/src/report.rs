//! `syda report`: how close synthetic data is to the real data, how far from copying it.

use std::path::Path;

use anyhow::{Context, bail};
use syda::engine::stats::Source;
use syda::report::{compare, to_html};

use crate::cli::ReportArgs;

pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<()> {
    if args.real.is_dir() || args.synthetic.is_dir() {
        return databases(args);
    }
    if !args.foreign_keys.is_empty() {
        bail!("--foreign-key is for two directories of data files (one table per file)");
    }
    let real = Source::from_path(&args.real)?;
    let synthetic = Source::from_path(&args.synthetic)?;
    let report = compare(&real, &synthetic)?;
    print!("{report}");
    if let Some(path) = &args.html {
        let title = format!(
            "Synthetic data quality: {} vs {}",
            args.synthetic.display(),
            args.real.display()
        );
        std::fs::write(path, to_html(&report, &title))
            .with_context(|| format!("writing the HTML report to {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Two directories: every table of the real one scored against the same
/// file of the synthetic one, then the figures of each foreign key.
fn databases(args: &ReportArgs) -> anyhow::Result<()> {
    if !(args.real.is_dir() && args.synthetic.is_dir()) {
        bail!(
            "compare a directory with a directory ({} and {}), or a file with a file",
            args.real.display(),
            args.synthetic.display()
        );
    }
    if args.html.is_some() {
        bail!("--html writes the report of one table; give two files");
    }
    let real = read_dir(&args.real)?;
    let synthetic = read_dir(&args.synthetic)?;
    for (name, columns, rows) in &real {
        let Some(s) = synthetic.iter().find(|t| t.0 == *name) else {
            bail!("{} has no file for table `{name}`", args.synthetic.display());
        };
        // Keys are checked below, not scored as numbers.
        let fks: Vec<&str> = args
            .foreign_keys
            .iter()
            .filter(|k| k.child == *name)
            .flat_map(|k| k.pairs().map(|p| p.0))
            .collect();
        let without_keys = |columns: &[String], rows: &[syda::Row]| {
            let keep: Vec<usize> = (0..columns.len())
                .filter(|&c| !fks.contains(&columns[c].as_str()))
                .collect();
            let names: Vec<String> = keep.iter().map(|&c| columns[c].clone()).collect();
            let rows = rows
                .iter()
                .map(|r| keep.iter().map(|&c| r[c].clone()).collect())
                .collect();
            Source::rows(name.clone(), names, rows)
        };
        let report = compare(&without_keys(columns, rows), &without_keys(&s.1, &s.2))
            .with_context(|| format!("table `{name}`"))?;
        println!("== {name}");
        print!("{report}");
    }
    if !args.foreign_keys.is_empty() {
        println!("\n== foreign keys");
        for figures in syda::report::compare_related(&real, &synthetic, &args.foreign_keys)? {
            print!("{figures}");
        }
    }
    Ok(())
}

fn read_dir(dir: &Path) -> anyhow::Result<Vec<syda::engine::stats::GeneratedTable>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| syda::output::Format::from_path(p).is_some() && p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let source = Source::from_path(&p)?;
        let (columns, rows) = source.read_rows()?;
        out.push((source.name(), columns, rows));
    }
    Ok(out)
}
