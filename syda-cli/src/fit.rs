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
                sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
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
