//! Statistical engine throughput: fitting and sampling a 10-column table
//! (four correlated normals, a log-normal, small integers, a skewed
//! categorical, a date, a boolean, 10 % NULLs in one column).
//!
//! Run with: `cargo bench -p syda --features stats --bench stats`.
//! The 1 000 000-row figures and peak memory come from the `stats_scale`
//! example (see docs/stats.md).

mod stats_data;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use syda::engine::stats::{Source, fit};

const ROWS: u64 = 100_000;

fn source() -> Source {
    Source::rows(
        "data",
        stats_data::COLUMNS.iter().map(|c| c.to_string()).collect(),
        (0..ROWS).map(stats_data::row).collect(),
    )
}

fn bench(c: &mut Criterion) {
    let source = source();
    let model = fit(&source).expect("fits");
    let mut group = c.benchmark_group("stats");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("fit 100k rows x 10 columns", |b| {
        b.iter(|| black_box(fit(&source).expect("fits")))
    });
    group.bench_function("sample 100k rows x 10 columns", |b| {
        b.iter(|| {
            for row in model.sample(ROWS, 1) {
                black_box(row.expect("samples"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
