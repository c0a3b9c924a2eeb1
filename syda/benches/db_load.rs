//! PostgreSQL load paths, measured once each on the same rows:
//! row-by-row INSERT, multi-row INSERT, COPY (syda's default), psql's
//! `\copy` of the same rows as CSV (the baseline), and a full `seed`
//! (generation streaming into COPY).
//!
//! Run with:
//!   cargo bench -p syda --features db --bench db_load
//! Environment: `SYDA_TEST_POSTGRES_URL` (default
//! postgres://postgres@127.0.0.1:5432/postgres), `SYDA_BENCH_ROWS`
//! (default 1 000 000), `SYDA_BENCH_ROW_BY_ROW` (default 100 000; the
//! row-by-row rate is measured on these and scaled). Needs `psql` on PATH.
//! Creates and drops its own database.

use std::process::Command;
use std::time::Instant;

use syda::db::{Database, PgLoad, PlanConfig, SeedOptions};
use syda::engine::OfflineEngine;
use syda::output::{Format, TableWriter};
use syda::plan::Planner;
use syda::{Dataset, Schema};

const TABLE: &str = "
CREATE TABLE bench (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    age integer NOT NULL,
    score numeric(10, 2) NOT NULL,
    active boolean NOT NULL,
    created timestamptz NOT NULL,
    born date NOT NULL,
    uid uuid NOT NULL,
    note text
)";

const SCHEMA: &str = "
tables:
  bench:
    columns:
      id: { type: integer, primary_key: true }
      name: { type: text, kind: name }
      email: { type: text, kind: email }
      age: { type: integer, kind: age }
      score: { type: decimal, range: [0, 10000] }
      active: boolean
      created: datetime
      born: { type: date, kind: birth_date }
      uid: uuid
      note: { type: text, kind: sentence, nullable: true }
";

fn env_rows(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), BoxError> {
    let admin = std::env::var("SYDA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let rows = env_rows("SYDA_BENCH_ROWS", 1_000_000);
    let row_by_row = env_rows("SYDA_BENCH_ROW_BY_ROW", 100_000).min(rows);
    let name = format!("syda_bench_{}", std::process::id());
    let (scheme, rest) = admin
        .split_once("://")
        .ok_or("SYDA_TEST_POSTGRES_URL is not a URL")?;
    let host = rest.split('/').next().unwrap_or(rest);
    let url = format!("{scheme}://{host}/{name}");
    psql(&admin, &format!("CREATE DATABASE {name}"))?;
    let result = run(&url, rows, row_by_row);
    psql(&admin, &format!("DROP DATABASE {name} WITH (FORCE)"))?;
    result
}

type BoxError = Box<dyn std::error::Error>;

/// Runs one psql command against `url`.
fn psql(url: &str, command: &str) -> Result<(), BoxError> {
    let status = Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c", command])
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("psql failed: {command}").into())
    }
}

fn run(url: &str, rows: usize, row_by_row: usize) -> Result<(), BoxError> {
    psql(url, TABLE)?;
    let schema = Schema::from_yaml_str(SCHEMA)?;
    let engine = OfflineEngine::new().with_seed(1);

    let started = Instant::now();
    let data = Planner::new(&schema).rows(rows as u64).generate(&engine)?;
    eprintln!(
        "generated {rows} rows in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let all = data.table("bench").ok_or("no rows")?.to_vec();
    let subset = Dataset::from_tables(schema.clone(), vec![all[..row_by_row].to_vec()])?;

    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("bench.csv");
    let mut writer = TableWriter::create(&csv, Format::Csv, &schema.tables[0])?;
    for row in &all {
        writer.write_row(row)?;
    }
    writer.finish()?.commit()?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut results: Vec<(String, usize, f64)> = Vec::new();
    runtime.block_on(async {
        let db = Database::connect(url).await?;
        for (label, method, set) in [
            ("row-by-row INSERT", PgLoad::RowByRow, &subset),
            ("multi-row INSERT", PgLoad::MultiRowInsert, &data),
            ("COPY (syda default)", PgLoad::Copy, &data),
        ] {
            let options = SeedOptions::default().truncate(true).postgres(method);
            let report = syda::db::load(&db, set, &options).await?;
            let n = report.total_rows() as usize;
            results.push((label.to_owned(), n, report.elapsed.as_secs_f64()));
        }
        // Generation streaming into COPY: what `syda seed` does.
        let options = SeedOptions::default().truncate(true);
        let report = syda::db::seed(&db, &schema, &PlanConfig::rows(rows as u64), &engine, &options).await?;
        results.push((
            "seed (generate + COPY)".to_owned(),
            report.total_rows() as usize,
            report.elapsed.as_secs_f64(),
        ));
        db.close().await;
        Ok::<(), syda::Error>(())
    })?;

    psql(url, "TRUNCATE bench")?;
    let started = Instant::now();
    psql(url, &format!("\\copy bench from '{}' csv header", csv.display()))?;
    results.push((
        "psql \\copy (baseline)".to_owned(),
        rows,
        started.elapsed().as_secs_f64(),
    ));

    let rate = |(_, n, s): &(String, usize, f64)| *n as f64 / s;
    let baseline = rate(&results[0]);
    let psql_rate = rate(&results[results.len() - 1]);
    println!("PostgreSQL, 10-column table, {rows} rows (row-by-row on {row_by_row}):");
    println!(
        "{:<26} {:>10} {:>9} {:>12} {:>12} {:>10}",
        "path", "rows", "seconds", "rows/s", "x row-by-row", "x psql"
    );
    for r in &results {
        println!(
            "{:<26} {:>10} {:>9.2} {:>12.0} {:>12.1} {:>10.2}",
            r.0,
            r.1,
            r.2,
            rate(r),
            rate(r) / baseline,
            rate(r) / psql_rate
        );
    }
    println!(
        "row-by-row scaled to {rows} rows: {:.1} s",
        rows as f64 / baseline
    );
    Ok(())
}
