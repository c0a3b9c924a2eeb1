//! Throughput on one and two threads: a 10-column table (key, names, e-mail,
//! company, date-time, salary, status, city, sentence) generated and encoded
//! as CSV in memory by `Planner::write_parts`, against a plain loop over the
//! `fake` crate writing the same columns, in the same run.
//!
//! Run with: `cargo bench -p syda --bench scale`

use std::hint::black_box;
use std::ops::Range;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/fake_loop.rs"]
mod fake_loop;
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
    fake_loop::write(ROWS, Vec::with_capacity(16 << 20)).len()
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
