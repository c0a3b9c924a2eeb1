//! The quality report: scores that move the way SDMetrics' do.

#![cfg(feature = "stats")]

mod stats_data;

use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use stats_data::{COLUMNS, rows, source};
use syda::Value;
use syda::engine::stats::fit;
use syda::report::{QualityReport, compare, ks_two_sample, to_html};

const N: usize = 5_000;

fn score(report: &QualityReport, column: &str) -> f64 {
    report.columns.iter().find(|c| c.column == column).unwrap().score
}

fn pair(report: &QualityReport, a: &str, b: &str) -> f64 {
    report.pairs.iter().find(|p| p.a == a && p.b == b).unwrap().score
}

#[test]
fn a_fitted_model_scores_high_and_identical_data_scores_one() {
    let real = rows(N, 42);
    let model = fit(&source(real.clone())).unwrap();
    let synthetic: Vec<_> = model.sample(N as u64, 3).collect::<syda::Result<_>>().unwrap();
    let report = compare(&source(real.clone()), &source(synthetic)).unwrap();
    assert!(report.overall > 0.9, "{report}");
    assert!(report.column_shapes > 0.95, "{report}");
    // Scored: numbers, dates, categories and booleans; not the key nor the identifier.
    let scored: Vec<&str> = report.columns.iter().map(|c| c.column.as_str()).collect();
    assert_eq!(
        scored,
        ["x", "y", "income", "segment", "signup", "score", "active"]
    );
    assert_eq!(report.pairs.len(), 7 * 6 / 2);

    let same = compare(&source(real.clone()), &source(real)).unwrap();
    assert!((same.overall - 1.0).abs() < 1e-12, "{same}");
    assert_eq!(same.privacy.exact_copies, 1.0);
}

#[test]
fn broken_columns_and_broken_correlations_lower_their_scores() {
    let real = rows(N, 42);
    let mut broken = real.clone();
    let seg = COLUMNS.iter().position(|c| *c == "segment").unwrap();
    let y = COLUMNS.iter().position(|c| *c == "y").unwrap();
    let mut ys: Vec<Value> = broken.iter().map(|r| r[y].clone()).collect();
    ys.shuffle(&mut SmallRng::seed_from_u64(1));
    for (row, v) in broken.iter_mut().zip(ys) {
        row[seg] = Value::from("A");
        row[y] = v;
    }
    let report = compare(&source(real.clone()), &source(broken)).unwrap();
    // All "A" against ~70 % "A": the total variation distance is the other 30 %.
    let tv = score(&report, "segment");
    assert!((tv - 0.70).abs() < 0.02, "{tv}");
    // Shuffling y keeps its shape but drops its 0.8 correlation with x.
    assert_eq!(score(&report, "y"), 1.0);
    let xy = pair(&report, "x", "y");
    assert!((xy - (1.0 - 0.8 / 2.0)).abs() < 0.03, "{xy}");
    assert!(report.overall < 0.95);
}

#[test]
fn ks_is_the_largest_cdf_gap() {
    assert_eq!(ks_two_sample(&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0, 4.0]), 0.0);
    assert_eq!(ks_two_sample(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
    assert_eq!(ks_two_sample(&[1.0, 2.0, 3.0, 4.0], &[3.0, 4.0, 5.0, 6.0]), 0.5);
    assert_eq!(
        ks_two_sample(&[1.0, f64::NAN, 2.0], &[1.0, 2.0]),
        0.0,
        "NULLs left out"
    );
}

#[test]
fn the_html_report_stands_alone_with_a_plot_per_column() {
    let real = rows(1_000, 42);
    let model = fit(&source(real.clone())).unwrap();
    let synthetic: Vec<_> = model.sample(1_000, 3).collect::<syda::Result<_>>().unwrap();
    let report = compare(&source(real), &source(synthetic)).unwrap();
    let html = to_html(&report, "people <real> & synthetic");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("people &lt;real&gt; &amp; synthetic"));
    assert_eq!(html.matches("<svg").count(), report.columns.len());
    assert!(
        !html.contains("<script") && !html.contains("src="),
        "nothing loaded from elsewhere"
    );
}

#[test]
fn a_synthetic_file_missing_a_column_is_an_error_naming_it() {
    let real = rows(200, 42);
    let short: Vec<Vec<Value>> = real.iter().map(|r| r[..3].to_vec()).collect();
    let synthetic =
        syda::engine::stats::Source::rows("s", COLUMNS[..3].iter().map(|c| c.to_string()).collect(), short);
    let err = compare(&source(real), &synthetic).unwrap_err().to_string();
    assert!(err.contains("income"), "{err}");
}
