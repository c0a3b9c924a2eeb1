//! The statistical engine on data with a known structure: what it learns,
//! what it generates, and what it keeps out of the model.

#![cfg(feature = "stats")]

mod stats_data;

use std::sync::OnceLock;

use stats_data::{COLUMNS, RHO_XY, SINGLETONS, column, floats, null_rate, rows, source};
use syda::engine::stats::{ColumnKind, Distribution, FittedModel, Marginal, Source, fit};
use syda::report::pearson;
use syda::{DataType, Value};

const N: usize = 20_000;

/// Fitted once for all tests: 20 000 rows take a moment in a debug build.
fn fitted() -> (Vec<Vec<Value>>, FittedModel) {
    static FITTED: OnceLock<(Vec<Vec<Value>>, FittedModel)> = OnceLock::new();
    FITTED
        .get_or_init(|| {
            let real = rows(N, 42);
            let model = fit(&source(real.clone())).unwrap();
            (real, model)
        })
        .clone()
}

fn sample(model: &FittedModel, n: u64, seed: u64) -> Vec<Vec<Value>> {
    model.sample(n, seed).collect::<syda::Result<_>>().unwrap()
}

#[test]
fn column_types_are_inferred() {
    let (_, model) = fitted();
    let kinds: Vec<ColumnKind> = COLUMNS.iter().map(|c| model.column(c).unwrap().kind).collect();
    assert_eq!(
        kinds,
        [
            ColumnKind::Integer,
            ColumnKind::Float,
            ColumnKind::Float,
            ColumnKind::Float,
            ColumnKind::Categorical,
            ColumnKind::Date,
            ColumnKind::Float,
            ColumnKind::Identifier,
            ColumnKind::Boolean,
        ]
    );
    assert_eq!(
        model.column("id").unwrap().marginal,
        Marginal::Sequence { start: 1 }
    );
    assert!(model.column("code").unwrap().unique);
}

#[test]
fn parametric_families_and_parameters_are_recovered() {
    let (_, model) = fitted();
    let dist = |name: &str| match &model.column(name).unwrap().marginal {
        Marginal::Numeric { distribution, .. } => distribution.clone(),
        other => panic!("{name}: {other:?}"),
    };
    match dist("x") {
        Distribution::Normal { mean, std_dev } => {
            assert!((mean - 50.0).abs() < 0.3, "mean {mean}");
            assert!((std_dev - 10.0).abs() < 0.3, "sd {std_dev}");
        }
        other => panic!("x: {other:?}"),
    }
    match dist("income") {
        Distribution::LogNormal { location, scale } => {
            assert!((location - 10.0).abs() < 0.02, "location {location}");
            assert!((scale - 0.5).abs() < 0.02, "scale {scale}");
        }
        other => panic!("income (skewed): {other:?}"),
    }
    let r = model.correlation("x", "y").unwrap();
    assert!((r - RHO_XY).abs() < 0.02, "copula correlation {r}");
    let score = model.column("score").unwrap();
    assert!(
        (score.null_rate - 0.1).abs() < 0.01,
        "null rate {}",
        score.null_rate
    );
}

#[test]
fn categories_keep_their_frequencies_and_drop_singletons() {
    let (_, model) = fitted();
    let Marginal::Categories {
        values,
        weights,
        rare,
    } = &model.column("segment").unwrap().marginal
    else {
        panic!("segment is categorical");
    };
    assert_eq!(values, &["A", "B", "C"]);
    assert!((weights[0] - 0.70).abs() < 0.015, "{weights:?}");
    assert!(
        (weights[2] - 0.01).abs() < 0.003,
        "rare class C kept at its rate: {weights:?}"
    );
    assert!((rare - 3.0 / N as f64).abs() < 1e-9);
    let json = model.to_json();
    for s in SINGLETONS {
        assert!(!json.contains(s), "{s} leaked into the model");
    }
}

#[test]
fn the_model_file_holds_no_row_of_the_source() {
    let (real, model) = fitted();
    let json = model.to_json();
    for code in column(&real, "code").iter().take(200) {
        assert!(!json.contains(code.as_str().unwrap()), "{code:?} is in the model");
    }
    let back = FittedModel::from_json(&json, "model.json").unwrap();
    assert_eq!(back, model);
    assert_eq!(sample(&back, 50, 3), sample(&model, 50, 3));
}

#[test]
fn synthetic_rows_keep_correlation_nulls_and_rare_classes() {
    let (real, model) = fitted();
    let synthetic = sample(&model, N as u64, 7);
    let corr =
        |rows: &[Vec<Value>], a: &str, b: &str| pearson(&floats(&column(rows, a)), &floats(&column(rows, b)));
    for (a, b) in [("x", "y"), ("x", "income"), ("y", "income")] {
        let (r, s) = (corr(&real, a, b), corr(&synthetic, a, b));
        assert!((r - s).abs() < 0.05, "{a}×{b}: real {r:.3}, synthetic {s:.3}");
    }
    let (r, s) = (
        null_rate(&column(&real, "score")),
        null_rate(&column(&synthetic, "score")),
    );
    assert!((r - s).abs() < 0.01, "null rate real {r}, synthetic {s}");
    let segments = column(&synthetic, "segment");
    let share = |v: &str| segments.iter().filter(|s| s.as_str() == Some(v)).count() as f64 / N as f64;
    assert!(
        (share("C") - 0.01).abs() < 0.004,
        "rare class C at {}",
        share("C")
    );
    assert!(SINGLETONS.iter().all(|s| share(s) == 0.0));
    let mean = |v: &[f64]| {
        v.iter().filter(|x| !x.is_nan()).sum::<f64>() / v.iter().filter(|x| !x.is_nan()).count() as f64
    };
    let income = floats(&column(&synthetic, "income"));
    assert!((mean(&income) - mean(&floats(&column(&real, "income")))).abs() < 600.0);
}

#[test]
fn identifiers_match_the_template_and_are_new_and_distinct() {
    let (real, model) = fitted();
    let synthetic = sample(&model, 5_000, 11);
    let re = regex::Regex::new(r"^AB-\d{6}$").unwrap();
    let codes: Vec<String> = column(&synthetic, "code")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert!(codes.iter().all(|c| re.is_match(c)), "{:?}", &codes[..3]);
    let distinct: std::collections::HashSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), codes.len());
    let ids: Vec<i64> = column(&synthetic, "id")
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids, (1..=5_000).collect::<Vec<_>>());
    let real_codes: std::collections::HashSet<String> = column(&real, "code")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    // 20 000 real codes out of a million: a new code matches one by chance about 2 % of the time.
    let reused = codes.iter().filter(|c| real_codes.contains(*c)).count() as f64 / codes.len() as f64;
    assert!(reused < 0.04, "{reused}");
}

#[test]
fn dates_stay_dates_within_the_seen_range() {
    let (_, model) = fitted();
    let synthetic = sample(&model, 2_000, 5);
    for v in column(&synthetic, "signup") {
        let d = chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert!(d >= chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
        assert!(d <= chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap());
    }
    let active = column(&synthetic, "active");
    let t = active.iter().filter(|v| **v == Value::Bool(true)).count() as f64 / 2_000.0;
    assert!((t - 0.7).abs() < 0.04, "{t}");
}

#[test]
fn no_synthetic_row_copies_a_real_one_beyond_chance() {
    let real = rows(4_000, 42);
    let model = fit(&source(real.clone())).unwrap();
    let synthetic = sample(&model, 4_000, 9);
    let holdout = rows(4_000, 43);
    let report = syda::report::compare(&source(real), &source(synthetic)).unwrap();
    assert_eq!(report.privacy.exact_copies, 0.0, "{report}");
    let chance = syda::report::compare(&source(rows(4_000, 42)), &source(holdout)).unwrap();
    assert!(report.privacy.dcr_p5 > 0.0);
    assert!(
        report.privacy.dcr_median >= 0.5 * chance.privacy.holdout_dcr_median,
        "synthetic rows sit no closer to real ones than fresh real rows do: {report}"
    );
}

#[test]
fn same_seed_same_rows() {
    let (_, model) = fitted();
    assert_eq!(sample(&model, 300, 1), sample(&model, 300, 1));
    assert_ne!(sample(&model, 300, 1), sample(&model, 300, 2));
}

#[test]
fn the_model_is_a_schema_table() {
    let (_, model) = fitted();
    let table = model.to_table();
    assert_eq!(table.name, "people");
    let col = |n: &str| table.column(n).unwrap();
    assert!(col("id").primary_key);
    assert_eq!(col("x").ty, DataType::Float);
    assert_eq!(col("signup").ty, DataType::Date);
    assert!(col("score").nullable && !col("x").nullable);
    assert!(col("code").unique);
    assert_eq!(col("code").pattern.as_deref(), Some(r"AB\-\d{6}"));
    let one_of: Vec<String> = col("segment")
        .one_of
        .as_ref()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(one_of, ["A", "B", "C"]);
    // The table is a valid schema that the offline engine can fill too.
    let schema = syda::Schema::new([table.clone()]);
    let data = syda::plan::Planner::new(&schema)
        .rows(50)
        .generate(&syda::engine::OfflineEngine::new())
        .unwrap();
    assert!(syda::check::check(&data).is_clean());
}

#[test]
fn csv_and_jsonl_files_fit_like_rows_in_memory() {
    let real = rows(2_000, 1);
    let dir = tempfile::tempdir().unwrap();
    let table = fit(&source(real.clone())).unwrap().to_table();
    let mut kinds = Vec::new();
    for format in [syda::output::Format::Csv, syda::output::Format::Jsonl] {
        let path = dir.path().join(format!("people.{format}"));
        let mut w = syda::output::TableWriter::create(&path, format, &table).unwrap();
        for row in &real {
            w.write_row(row).unwrap();
        }
        w.finish().unwrap().commit().unwrap();
        let model = fit(&Source::from_path(&path).unwrap()).unwrap();
        assert_eq!(model.table, "people");
        assert_eq!(model.rows, 2_000);
        kinds.push(model.columns.iter().map(|c| c.kind).collect::<Vec<_>>());
    }
    let in_memory: Vec<ColumnKind> = fit(&source(real))
        .unwrap()
        .columns
        .iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds[0], in_memory);
    assert_eq!(kinds[1], in_memory);
}

#[test]
fn bad_sources_are_errors_that_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "a,b\n").unwrap();
    let err = fit(&Source::from_path(&empty).unwrap()).unwrap_err().to_string();
    assert!(err.contains("empty.csv") && err.contains("no rows"), "{err}");
    let err = Source::from_path(dir.path().join("data.xlsx"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("data.xlsx") && err.contains(".csv"), "{err}");
    let err = FittedModel::from_json("{\"format\": 1}", "m.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("m.json") && err.contains("syda fit"), "{err}");
}

#[test]
fn categories_and_booleans_keep_their_dependence_on_numbers() {
    // `flag` is "Yes" exactly when x > 0; `band` is low/high by x too.
    let rows: Vec<Vec<Value>> = (0..4_000)
        .map(|i| {
            let x = ((i * 7919) % 4000) as f64 / 4000.0 - 0.3;
            vec![
                Value::Float(x),
                Value::from(if x > 0.0 { "Yes" } else { "No" }),
                Value::from(if x > 0.4 { "high" } else { "low" }),
            ]
        })
        .collect();
    let model = fit(&Source::rows(
        "t",
        vec!["x".into(), "flag".into(), "band".into()],
        rows,
    ))
    .unwrap();
    assert_eq!(model.column("flag").unwrap().kind, ColumnKind::Boolean);
    assert_eq!(model.column("band").unwrap().kind, ColumnKind::Categorical);
    let synthetic = sample(&model, 4_000, 1);
    let mean_x = |pred: &dyn Fn(&[Value]) -> bool| {
        let xs: Vec<f64> = synthetic
            .iter()
            .filter(|r| pred(r))
            .map(|r| floats(&r[..1])[0])
            .collect();
        xs.iter().sum::<f64>() / xs.len() as f64
    };
    let yes = mean_x(&|r| r[1] == Value::Bool(true));
    let no = mean_x(&|r| r[1] == Value::Bool(false));
    // Real: 0.35 against -0.15. A Gaussian copula blurs a hard threshold but
    // must keep at least half the gap (independent columns would show none).
    assert!(yes - no > 0.25, "x given flag: yes {yes:.3}, no {no:.3}");
    let high = mean_x(&|r| r[2].as_str() == Some("high"));
    // Real: 0.55 against an overall mean of 0.2; keep at least half the gap.
    assert!(high - 0.2 > 0.5 * (0.55 - 0.2), "x given band=high: {high:.3}");
    let share_yes = synthetic.iter().filter(|r| r[1] == Value::Bool(true)).count() as f64 / 4_000.0;
    assert!((share_yes - 0.7).abs() < 0.03, "{share_yes}");
}
