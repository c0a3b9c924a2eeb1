//! Fit and sample at scale: writes `ROWS` rows × 10 columns to a CSV file
//! (default 1 000 000), fits a model streaming from it, then samples as many
//! rows, counting them without keeping them. Measure peak memory with
//!
//! Run with: `cargo build --release -p syda --features stats --example stats_scale &&
//! /usr/bin/time -v target/release/examples/stats_scale 1000000`

#[path = "../benches/stats_data/mod.rs"]
mod stats_data;

use std::time::Instant;

use syda::engine::stats::{Source, fit};
use syda::output::{Format, TableWriter};
use syda::{Column, DataType, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args().nth(1).map_or(Ok(1_000_000), |s| s.parse())?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("data.csv");
    let table = stats_data::COLUMNS.iter().fold(Table::new("data"), |t, c| {
        t.with_column(Column::new(*c, DataType::Text))
    });
    let started = Instant::now();
    let mut w = TableWriter::create(&path, Format::Csv, &table)?;
    for i in 0..rows {
        w.write_row(&stats_data::row(i))?;
    }
    w.finish()?.commit()?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "wrote {rows} rows ({:.0} MB) in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let model = fit(&Source::from_path(&path)?)?;
    let fit_s = started.elapsed().as_secs_f64();
    println!("fit: {fit_s:.2} s ({:.0} rows/s)", rows as f64 / fit_s);
    print!("{model}");

    let started = Instant::now();
    let mut count = 0u64;
    for row in model.sample(rows, 1) {
        std::hint::black_box(row?);
        count += 1;
    }
    let sample_s = started.elapsed().as_secs_f64();
    println!(
        "sample: {count} rows in {sample_s:.2} s ({:.0} rows/s)",
        count as f64 / sample_s
    );
    Ok(())
}
