//! Throughput on one and two threads: a 10-column table (key, names, e-mail,
//! company, date-time, salary, status, city, sentence) generated and encoded
//! as CSV in memory by `Planner::write_parts`, against a plain loop over the
//! `fake` crate writing the same columns, in the same run.
//!
//! Run with: `cargo bench -p syda --bench scale`

use std::fmt::Write as _;
use std::hint::black_box;
use std::ops::Range;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fake::Fake;
use fake::faker::address::en::CityName;
use fake::faker::chrono::en::DateTimeBetween;
use fake::faker::company::en::CompanyName;
use fake::faker::internet::en::SafeEmail;
use fake::faker::lorem::en::Sentence;
use fake::faker::name::en::{FirstName, LastName};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use syda::engine::OfflineEngine;
use syda::output::{ChunkEncoder, Format};
use syda::plan::{Chunk, Parallel, PartSink, Planner};
use syda::{Schema, Table};

const ROWS: u64 = 100_000;

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/schemas/people10.yaml");

/// Collects the encoded CSV in memory.
struct Bytes(Vec<u8>);

impl PartSink for Bytes {
    fn start(&mut self, table: &Table, _part: Range<u64>) -> syda::Result<Option<ChunkEncoder>> {
        let encoder = ChunkEncoder::new(Format::Csv, table);
        if let Some(e) = &encoder {
            e.header(&mut self.0);
        }
        Ok(encoder)
    }

    fn chunk(&mut self, _table: &Table, chunk: Chunk) -> syda::Result<()> {
        self.0.extend_from_slice(&chunk.bytes);
        Ok(())
    }

    fn finish(&mut self, _table: &Table) -> syda::Result<()> {
        Ok(())
    }
}

fn syda_csv(schema: &Schema, engine: &OfflineEngine, threads: usize) -> usize {
    let mut sink = Bytes(Vec::with_capacity(16 << 20));
    Planner::new(schema)
        .rows(ROWS)
        .write_parts(engine, &Parallel::new().threads(threads), &mut sink)
        .expect("generate");
    sink.0.len()
}

fn baseline_csv() -> usize {
    let mut rng = SmallRng::seed_from_u64(0);
    let mut w = csv::Writer::from_writer(Vec::with_capacity(16 << 20));
    let mut scratch = String::new();
    let start = chrono::DateTime::parse_from_rfc3339("2015-01-01T00:00:00Z")
        .expect("date")
        .to_utc();
    let end = chrono::DateTime::parse_from_rfc3339("2025-12-31T23:59:59Z")
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
        let company: String = CompanyName().fake_with_rng(&mut rng);
        field(&mut w, &company);
        let created: chrono::DateTime<chrono::Utc> = DateTimeBetween(start, end).fake_with_rng(&mut rng);
        field(
            &mut w,
            &created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        let salary: f64 = (30_000.0..250_000.0).fake_with_rng(&mut rng);
        scratch.clear();
        let _ = write!(scratch, "{}", (salary * 100.0).round() / 100.0);
        field(&mut w, &scratch);
        let status = ["Active", "Inactive", "Prospect"]
            .choose(&mut rng)
            .expect("non-empty");
        field(&mut w, status);
        let city: String = CityName().fake_with_rng(&mut rng);
        field(&mut w, &city);
        let notes: String = Sentence(5..13).fake_with_rng(&mut rng);
        field(&mut w, &notes);
        w.write_record(None::<&[u8]>).expect("in-memory write");
    }
    w.into_inner().expect("flush").len()
}

fn scale(c: &mut Criterion) {
    let schema = Schema::from_path(std::path::Path::new(SCHEMA)).expect("schema");
    let engine = OfflineEngine::new().with_seed(1);
    let mut group = c.benchmark_group("scale_10_columns_csv");
    group.throughput(Throughput::Elements(ROWS));
    group.sample_size(10);
    group.bench_function("baseline_fake_loop", |b| b.iter(|| black_box(baseline_csv())));
    for threads in [1, 2] {
        group.bench_function(
            format!("syda_{threads}_thread{}", if threads > 1 { "s" } else { "" }),
            |b| b.iter(|| black_box(syda_csv(&schema, &engine, threads))),
        );
    }
    group.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);
