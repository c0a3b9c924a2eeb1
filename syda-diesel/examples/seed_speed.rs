//! Seeding speed on PostgreSQL: the same 100 000 generated rows inserted in
//! multi-row batches and row by row, each in one transaction.
//!
//! ```text
//! cargo run --release -p syda-diesel --example seed_speed -- [--rows 100000] [--batch ROWS] \
//!     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
//! ```
//!
//! The URL names a server and a database to connect to; the example creates
//! its own database there (`syda_seed_speed_<pid>`) and drops it afterwards.

use std::time::{Duration, Instant};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use syda::engine::OfflineEngine;
use syda::plan::Planner;
use syda_diesel::SeedOptions;

const SCHEMA: &str = "
diesel::table! {
    /// Orders placed in a web shop.
    orders (id) {
        id -> Int8,
        #[max_length = 255]
        customer_email -> Varchar,
        amount -> Numeric,
        quantity -> Int4,
        paid -> Bool,
        placed_at -> Timestamptz,
        note -> Nullable<Text>,
    }
}";

const DDL: &str = "CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    customer_email VARCHAR(255) NOT NULL,
    amount NUMERIC(12, 2) NOT NULL,
    quantity INTEGER NOT NULL,
    paid BOOLEAN NOT NULL,
    placed_at TIMESTAMPTZ NOT NULL,
    note TEXT
)";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rows: u64 = 100_000;
    let mut url = "postgres://postgres@127.0.0.1:5432/postgres".to_owned();
    let mut batch: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rows" => rows = args.next().ok_or("--rows needs a value")?.parse()?,
            "--database-url" => url = args.next().ok_or("--database-url needs a value")?,
            "--batch" => batch = Some(args.next().ok_or("--batch needs a value")?.parse()?),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let name = format!("syda_seed_speed_{}", std::process::id());
    let mut admin = diesel::PgConnection::establish(&url)?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let result = measure(&url, &name, rows, batch);
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    result
}

fn measure(url: &str, name: &str, rows: u64, batch: Option<usize>) -> Result<(), Box<dyn std::error::Error>> {
    let (scheme, rest) = url.split_once("://").ok_or("a postgres:// URL")?;
    let url = format!("{scheme}://{}/{name}", rest.split('/').next().unwrap_or(rest));
    let mut conn = diesel::PgConnection::establish(&url)?;
    conn.batch_execute(DDL)?;
    let schema = syda_diesel::schema_from_str(SCHEMA)?;
    let planner = Planner::new(&schema).rows(rows);
    let engine = OfflineEngine::new().with_seed(1);

    let started = Instant::now();
    let generated = planner.generate(&engine)?;
    let generation = started.elapsed();
    drop(generated);
    println!("{rows} rows into PostgreSQL ({url}), one transaction each:");
    report("generation only (no database)", rows, generation, None);

    for (label, options) in [
        (
            "batched (multi-row INSERT)",
            batch.map_or_else(SeedOptions::new, |b| SeedOptions::new().batch_size(b)),
        ),
        (
            "row by row (one INSERT per row)",
            SeedOptions::new().batch_size(1),
        ),
    ] {
        conn.batch_execute("TRUNCATE orders RESTART IDENTITY")?;
        let started = Instant::now();
        let seeded = syda_diesel::seed_planned(&mut conn, &planner, &engine, &options)?;
        let took = started.elapsed();
        assert_eq!(seeded.total_rows(), rows);
        report(label, rows, took, Some((seeded.statements, generation)));
    }
    Ok(())
}

fn report(label: &str, rows: u64, took: Duration, seeded: Option<(u64, Duration)>) {
    let rate = |d: Duration| rows as f64 / d.as_secs_f64().max(1e-9);
    match seeded {
        None => println!("  {label:<34} {:>8.2?}  {:>10.0} rows/s", took, rate(took)),
        Some((statements, generation)) => {
            let insert = took.saturating_sub(generation);
            println!(
                "  {label:<34} {:>8.2?}  {:>10.0} rows/s end to end; {:>10.0} rows/s without generation; {statements} statements",
                took,
                rate(took),
                rate(insert)
            );
        }
    }
}
