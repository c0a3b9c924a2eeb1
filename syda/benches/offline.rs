//! Offline engine throughput: a 10-column mixed table written as CSV into
//! memory, against a baseline that calls `fake` directly for the same
//! columns and writes the same CSV.
//!
//! Run with: `cargo bench -p syda --bench offline`

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fake::Fake;
use fake::faker::chrono::en::DateTimeBetween;
use fake::faker::internet::en::SafeEmail;
use fake::faker::lorem::en::Sentences;
use fake::faker::name::en::{FirstName, LastName};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use syda::engine::OfflineEngine;
use syda::{Column, DataType, Table, Value};

const ROWS: u64 = 20_000;

fn table() -> Table {
    Table::new("people")
        .with_column(Column::new("id", DataType::Integer).primary_key())
        .with_column(Column::new("first_name", DataType::Text))
        .with_column(Column::new("last_name", DataType::Text))
        .with_column(Column::new("email", DataType::Text).unique())
        .with_column(Column::new("created_at", DataType::DateTime))
        .with_column(Column::new("birth_date", DataType::Date))
        .with_column(Column::new("salary", DataType::Float))
        .with_column(
            Column::new("status", DataType::Text).with_doc("Customer status: Active, Inactive, Prospect"),
        )
        .with_column(Column::new("notes", DataType::Text))
        .with_column(Column::new("is_active", DataType::Boolean))
}

fn write_value(w: &mut csv::Writer<Vec<u8>>, scratch: &mut String, v: &Value) {
    match v {
        Value::Text(s) => w.write_field(s.as_bytes()),
        Value::Null => w.write_field(b""),
        other => {
            scratch.clear();
            let _ = write!(scratch, "{other}");
            w.write_field(scratch.as_bytes())
        }
    }
    .expect("in-memory write");
}

fn engine_csv(engine: &OfflineEngine, table: &Table) -> usize {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(1 << 20));
    let mut scratch = String::new();
    for row in engine.rows(table, ROWS).expect("plan") {
        for v in &row.expect("row") {
            write_value(&mut w, &mut scratch, v);
        }
        w.write_record(None::<&[u8]>).expect("in-memory write");
    }
    w.into_inner().expect("flush").len()
}

fn baseline_csv() -> usize {
    let mut rng = SmallRng::seed_from_u64(0);
    let mut w = csv::Writer::from_writer(Vec::with_capacity(1 << 20));
    let mut scratch = String::new();
    let start = chrono::DateTime::parse_from_rfc3339("2015-01-01T00:00:00Z")
        .expect("date")
        .to_utc();
    let end = chrono::DateTime::parse_from_rfc3339("2025-12-31T23:59:59Z")
        .expect("date")
        .to_utc();
    let born_from = chrono::DateTime::parse_from_rfc3339("1935-12-31T00:00:00Z")
        .expect("date")
        .to_utc();
    let born_to = chrono::DateTime::parse_from_rfc3339("2007-12-31T00:00:00Z")
        .expect("date")
        .to_utc();
    let field = |w: &mut csv::Writer<Vec<u8>>, s: &str| w.write_field(s).expect("in-memory write");
    for id in 1..=ROWS {
        scratch.clear();
        let _ = write!(scratch, "{id}");
        field(&mut w, &scratch);
        let first: &str = FirstName().fake_with_rng(&mut rng);
        field(&mut w, first);
        let last: &str = LastName().fake_with_rng(&mut rng);
        field(&mut w, last);
        let email: String = SafeEmail().fake_with_rng(&mut rng);
        field(&mut w, &email);
        let created: chrono::DateTime<chrono::Utc> = DateTimeBetween(start, end).fake_with_rng(&mut rng);
        field(
            &mut w,
            &created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        let born: chrono::DateTime<chrono::Utc> = DateTimeBetween(born_from, born_to).fake_with_rng(&mut rng);
        field(&mut w, &born.date_naive().to_string());
        let salary: f64 = (30_000.0..250_000.0).fake_with_rng(&mut rng);
        scratch.clear();
        let _ = write!(scratch, "{}", (salary * 100.0).round() / 100.0);
        field(&mut w, &scratch);
        let status = ["Active", "Inactive", "Prospect"]
            .choose(&mut rng)
            .expect("non-empty");
        field(&mut w, status);
        let notes: Vec<String> = Sentences(2..5).fake_with_rng(&mut rng);
        field(&mut w, &notes.join(" "));
        let active: bool = fake::Faker.fake_with_rng(&mut rng);
        field(&mut w, if active { "true" } else { "false" });
        w.write_record(None::<&[u8]>).expect("in-memory write");
    }
    w.into_inner().expect("flush").len()
}

fn offline(c: &mut Criterion) {
    let table = table();
    let engine = OfflineEngine::new().with_seed(1);
    let mut group = c.benchmark_group("offline_10_columns_csv");
    group.throughput(Throughput::Elements(ROWS));
    group.sample_size(10);
    group.bench_function("syda_offline_engine", |b| {
        b.iter(|| black_box(engine_csv(&engine, &table)))
    });
    group.bench_function("baseline_fake_loop", |b| b.iter(|| black_box(baseline_csv())));
    group.finish();
}

criterion_group!(benches, offline);
criterion_main!(benches);
