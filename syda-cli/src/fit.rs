//! `syda fit`: real rows in (a file or a database table), a statistical
//! model (JSON) out.

use std::time::Instant;

use anyhow::{Context, bail};
use syda::engine::stats::{DatabaseModel, FitOptions, Source, fit_with};

use crate::cli::FitArgs;

pub(crate) fn run(args: &FitArgs) -> anyhow::Result<()> {
    let options = FitOptions {
        min_category_count: args.min_category_count,
        relations: !args.no_relations,
        stratify: !args.no_strata,
        ..FitOptions::default()
    };
    if let Some(started) = database(args, &options)? {
        return started;
    }
    let source = source(args)?;
    let options = FitOptions {
        min_category_count: args.min_category_count,
        table: args.table.clone(),
        relations: !args.no_relations,
        stratify: !args.no_strata,
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

/// A whole database: a directory of files, or `--database-url` without
/// `--table`. `None` when the source is one table.
fn database(args: &FitArgs, options: &FitOptions) -> anyhow::Result<Option<anyhow::Result<()>>> {
    let started = Instant::now();
    let model = match &args.data {
        Some(dir) if dir.is_dir() => {
            #[cfg(feature = "db")]
            if args.database_url.is_some() {
                bail!(
                    "give either a directory ({}) or --database-url, not both",
                    dir.display()
                );
            }
            syda::engine::stats::fit_directory(dir, &args.foreign_keys, options)?
        }
        _ if !args.foreign_keys.is_empty() => {
            bail!("--foreign-key is for a directory of data files (one table per file)")
        }
        #[cfg(feature = "db")]
        None if args.database_url.is_some() && args.table.is_none() => {
            let url = args.database_url.as_deref().unwrap_or_default();
            let read = syda::db::ReadOptions {
                schema: args.schema.clone(),
                limit: args.limit,
                random: args.random,
            };
            let introspect = syda::db::IntrospectOptions {
                schema: args.schema.clone(),
                ..Default::default()
            };
            eprintln!("reading every table of {}", syda::db::redact(url));
            syda::engine::stats::fit_database_model(url, &introspect, &read, options)?
        }
        _ => return Ok(None),
    };
    let seconds = started.elapsed().as_secs_f64();
    std::fs::write(&args.out, model.to_json())
        .with_context(|| format!("writing the model to {}", args.out.display()))?;
    for t in &model.tables {
        print!("{}", t.model);
        for l in &t.links {
            let mean: f64 = l.children.iter().enumerate().map(|(k, w)| k as f64 * w).sum();
            println!(
                "  {} → {}.{}: {mean:.2} children per parent on average (0 to {}){}",
                l.pairs().map(|p| p.0).collect::<Vec<_>>().join(", "),
                l.parent,
                l.pairs().map(|p| p.1).collect::<Vec<_>>().join(", "),
                l.children.len().saturating_sub(1),
                if l.context.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", conditioned on {}",
                        l.context
                            .iter()
                            .map(|c| c.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            );
        }
    }
    for t in &model.tables {
        for h in &t.hierarchies {
            let mean: f64 = h.children.iter().enumerate().map(|(k, w)| k as f64 * w).sum();
            println!(
                "  {table}.{} → {table}.{}: {:.1} % of rows at the top, {mean:.2} direct children per row (0 to {})",
                h.column,
                h.parent_column,
                100.0 * h.roots,
                h.children.len().saturating_sub(1),
                table = t.model.table
            );
        }
        for c in &t.counters {
            println!(
                "  {}.{} numbers each parent's rows from {}",
                t.model.table, c.column, c.start
            );
        }
    }
    eprintln!(
        "fitted {} tables in {seconds:.2} s; model written to {} (generate with: syda generate --engine stats --fitted {} --scale 1 --out DIR)",
        model.tables.len(),
        args.out.display(),
        args.out.display()
    );
    Ok(Some(Ok(())))
}

/// Whether `--fitted` is one fitted database (not one model per table).
pub(crate) fn is_database_model(fitted: &[std::path::PathBuf]) -> bool {
    match fitted {
        [one] => std::fs::read_to_string(one).is_ok_and(|json| DatabaseModel::is_database_json(&json)),
        _ => false,
    }
}

/// `syda generate --engine stats --fitted DB.json --scale F --out DIR`: every
/// table of a fitted database, one file each, written atomically.
pub(crate) fn generate_database(args: &crate::cli::GenerateArgs) -> anyhow::Result<()> {
    use syda::output::{Format, TableWriter};
    use syda::{Column, DataType, Table};

    let path = &args.fitted[0];
    let json = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let model = DatabaseModel::from_json(&json, &path.display().to_string())?;
    if !(args.scale.is_finite() && args.scale > 0.0) {
        bail!("--scale {} must be a positive number", args.scale);
    }
    if Format::from_path(&args.out).is_some() && !args.out.is_dir() {
        bail!(
            "--out {} is a file; a fitted database writes one file per table into a directory",
            args.out.display()
        );
    }
    let format = args.format.map(|f| f.format(args.dialect)).unwrap_or(Format::Csv);
    if matches!(format, Format::Sql(_)) {
        bail!("a fitted database is written one file per table; --format sql is for a schema's tables");
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let started = Instant::now();
    let tables = model.sample(args.scale, args.seed)?;
    let mut pending = Vec::with_capacity(tables.len());
    let mut rows_written = 0u64;
    for ((name, columns, rows), fitted) in tables.iter().zip(&model.tables) {
        if !args.tables.is_empty() && !args.tables.contains(name) {
            continue;
        }
        let schema = fitted.model.to_table();
        let mut table = Table::new(name.clone());
        for c in columns {
            let column = schema
                .columns
                .iter()
                .find(|s| s.name == c.as_str())
                .cloned()
                .unwrap_or_else(|| Column::new(c.clone(), DataType::Integer).nullable());
            table = table.with_column(column);
        }
        let dest = args.out.join(format!("{name}.{}", format.extension()));
        let mut w = TableWriter::create(&dest, format, &table)?;
        for row in rows {
            w.write_row(row)?;
        }
        rows_written += rows.len() as u64;
        pending.push(w.finish()?);
    }
    for p in pending {
        p.commit().context("moving the finished files into place")?;
    }
    eprintln!(
        "wrote {rows_written} rows in {} tables to {} in {:.2} s (scale {})",
        tables.len(),
        args.out.display(),
        started.elapsed().as_secs_f64(),
        args.scale
    );
    Ok(())
}

/// `syda seed --engine stats --fitted DB.json --scale F --database-url URL`:
/// a fitted database rebuilt into the tables the database already has.
#[cfg(feature = "db")]
pub(crate) fn seed_database(args: &crate::cli::SeedArgs) -> anyhow::Result<()> {
    crate::llm::reject_options(&args.llm)?;
    if args.schema_file.is_some() || args.diesel.is_some() {
        bail!("a fitted database is seeded into the database's own tables: drop the schema file / --diesel");
    }
    if !args.db.include.is_empty() || !args.db.exclude.is_empty() || !args.sizes.is_empty() {
        bail!(
            "a fitted database is rebuilt whole (its children follow their parents): --include, --exclude and --size \
             do not apply; use --scale"
        );
    }
    let path = &args.fitted[0];
    let json = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let model = DatabaseModel::from_json(&json, &path.display().to_string())?;
    let mut options = syda::db::SeedOptions::default().truncate(args.truncate);
    options.schema = args.db.schema.clone();
    if !args.quiet {
        options = options.progress(std::sync::Arc::new(crate::seed::Bars::default()));
    }
    let url = &args.db.database_url;
    let report = syda::engine::stats::seed_database(url, &model, args.scale, args.seed, &options)
        .with_context(|| format!("seeding {} from {}", syda::db::redact(url), path.display()))?;
    if !args.quiet {
        println!("{report}");
    }
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
            bail!("--database-url without --table fits the whole database");
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

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn fit_args(args: &[&str]) -> FitArgs {
        let argv = ["syda", "fit"].iter().chain(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Fit(args) => args,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn exactly_one_source() {
        let err = source(&fit_args(&["--out", "m.json"])).unwrap_err().to_string();
        assert!(err.contains("nothing to fit"), "{err}");
        let data = Source::from_path("real.csv").unwrap();
        let from_file = source(&fit_args(&["real.csv", "--out", "m.json"])).unwrap();
        assert_eq!(from_file.origin(), data.origin());
        // --limit and --random only make sense for a database.
        assert!(Cli::try_parse_from(["syda", "fit", "real.csv", "--out", "m.json", "--limit", "3"]).is_err());
    }

    #[cfg(feature = "db")]
    #[test]
    fn database_source_errors_name_the_problem() {
        let url = "sqlite:/nonexistent/x.db";
        let both = source(&fit_args(&[
            "real.csv",
            "--database-url",
            url,
            "--table",
            "t",
            "--out",
            "m.json",
        ]))
        .unwrap_err()
        .to_string();
        assert!(both.contains("not both"), "{both}");
        let no_table = source(&fit_args(&["--database-url", url, "--out", "m.json"]))
            .unwrap_err()
            .to_string();
        assert!(no_table.contains("--table"), "{no_table}");
    }

    #[cfg(feature = "db")]
    #[test]
    fn fits_a_sqlite_table_on_a_bounded_sample() {
        use std::str::FromStr;

        use sqlx::ConnectOptions as _;

        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("shop.db").display());
        let mut sql =
            String::from("CREATE TABLE \"order items\" (id INTEGER PRIMARY KEY, qty INTEGER, kind TEXT);");
        for i in 1..=300 {
            sql.push_str(&format!(
                "INSERT INTO \"order items\" VALUES ({i}, {}, '{}');",
                i % 7,
                ["big", "small"][i % 2]
            ));
        }
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async {
                let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
                    .unwrap()
                    .create_if_missing(true)
                    .connect()
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.as_str()))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            });
        let out = dir.path().join("model.json");
        let out_arg = out.display().to_string();
        let args = fit_args(&[
            "--database-url",
            &url,
            "--table",
            "order items",
            "--limit",
            "120",
            "--random",
            "--out",
            &out_arg,
        ]);
        run(&args).unwrap();
        let model = syda::engine::stats::FittedModel::load(&out).unwrap();
        assert_eq!(model.table, "order items");
        assert_eq!(model.rows, 120);
        assert_eq!(model.column("kind").unwrap().kind.name(), "categorical");
    }
}
