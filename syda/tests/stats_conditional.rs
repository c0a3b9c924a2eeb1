//! Conditional structure: numbers that depend on a category keep their
//! per-category means, mixtures keep their modes, correlations stay within
//! 0.03, and no real row comes back.

#![cfg(feature = "stats")]

mod stats_support;

use std::collections::{HashMap, HashSet};

use stats_support::{CATEGORIES, PRICE, Rng, num, orders, rows_of};
use syda::Value;
use syda::engine::stats::{FitOptions, Source, fit, fit_with};
use syda::report::pearson;

fn col(names: &[String], name: &str) -> usize {
    names.iter().position(|n| n == name).unwrap()
}

fn means_by(rows: &[Vec<Value>], by: usize, of: usize) -> HashMap<String, f64> {
    let mut acc: HashMap<String, (f64, f64)> = HashMap::new();
    for r in rows {
        if let (Some(k), Some(x)) = (r[by].as_str(), num(&r[of])) {
            let e = acc.entry(k.to_owned()).or_default();
            e.0 += x;
            e.1 += 1.0;
        }
    }
    acc.into_iter().map(|(k, (s, n))| (k, s / n)).collect()
}

#[test]
fn per_category_means_stay_within_ten_percent() {
    let source = orders(4000, 11);
    let (names, real) = rows_of(&source);
    let model = fit(&source).unwrap();
    assert_eq!(model.strata.as_ref().map(|s| s.column.as_str()), Some("category"));
    let synthetic: Vec<Vec<Value>> = model.sample(6000, 3).collect::<syda::Result<_>>().unwrap();
    let (cat, price, total) = (
        col(&names, "category"),
        col(&names, "unit_price"),
        col(&names, "total"),
    );
    for of in [price, total] {
        let (r, s) = (means_by(&real, cat, of), means_by(&synthetic, cat, of));
        for c in CATEGORIES {
            let rel = (s[c] - r[c]).abs() / r[c];
            assert!(
                rel <= 0.10,
                "{}: {c} real {:.1} synthetic {:.1}",
                names[of],
                r[c],
                s[c]
            );
        }
    }
    // The known means, too.
    let s = means_by(&synthetic, cat, price);
    for (c, m) in CATEGORIES.iter().zip(PRICE) {
        assert!((s[*c] - m).abs() / m <= 0.10, "{c}: {} vs {m}", s[*c]);
    }
}

#[test]
fn without_strata_the_category_dependence_is_weaker() {
    // The baseline the split is chosen over: one copula over category codes.
    let source = orders(4000, 11);
    let (names, real) = rows_of(&source);
    let plain = fit_with(
        &source,
        &FitOptions {
            stratify: false,
            ..FitOptions::default()
        },
    )
    .unwrap();
    let split = fit(&source).unwrap();
    let (cat, price) = (col(&names, "category"), col(&names, "unit_price"));
    let error = |model: &syda::engine::stats::FittedModel| {
        let rows: Vec<Vec<Value>> = model.sample(6000, 3).collect::<syda::Result<_>>().unwrap();
        let (r, s) = (means_by(&real, cat, price), means_by(&rows, cat, price));
        CATEGORIES
            .iter()
            .map(|c| (s[*c] - r[*c]).abs() / r[*c])
            .fold(0.0, f64::max)
    };
    assert!(
        error(&split) < error(&plain),
        "split {} plain {}",
        error(&split),
        error(&plain)
    );
}

#[test]
fn correlations_stay_within_three_hundredths() {
    let source = orders(4000, 12);
    let (names, real) = rows_of(&source);
    let model = fit(&source).unwrap();
    let synthetic: Vec<Vec<Value>> = model.sample(8000, 5).collect::<syda::Result<_>>().unwrap();
    let pair = |rows: &[Vec<Value>], a: usize, b: usize| {
        let (x, y): (Vec<f64>, Vec<f64>) = rows
            .iter()
            .map(|r| (num(&r[a]).unwrap(), num(&r[b]).unwrap()))
            .unzip();
        pearson(&x, &y)
    };
    let (w, r) = (col(&names, "weight"), col(&names, "rating"));
    let (real_r, syn_r) = (pair(&real, w, r), pair(&synthetic, w, r));
    assert!((real_r - 0.73).abs() < 0.05, "real {real_r}");
    assert!((real_r - syn_r).abs() <= 0.03, "real {real_r} synthetic {syn_r}");
    let (p, t) = (col(&names, "unit_price"), col(&names, "total"));
    let (real_r, syn_r) = (pair(&real, p, t), pair(&synthetic, p, t));
    assert!(
        (real_r - syn_r).abs() <= 0.03,
        "price/total: real {real_r} synthetic {syn_r}"
    );
}

#[test]
fn a_two_mode_number_keeps_both_modes_and_its_empty_middle() {
    let mut rng = Rng::new(21);
    let rows: Vec<Vec<Value>> = (0..3000)
        .map(|_| {
            let centre = if rng.uniform() < 0.4 { 20.0 } else { 80.0 };
            vec![Value::Float(
                ((centre + 4.0 * rng.normal()) * 10.0f64).round() / 10.0,
            )]
        })
        .collect();
    let model = fit(&Source::rows("modes", vec!["x".into()], rows)).unwrap();
    let synthetic: Vec<f64> = model
        .sample(5000, 1)
        .map(|r| num(&r.unwrap()[0]).unwrap())
        .collect();
    let share = |lo: f64, hi: f64| synthetic.iter().filter(|x| (lo..hi).contains(*x)).count() as f64 / 5000.0;
    assert!((share(0.0, 50.0) - 0.4).abs() < 0.03, "{}", share(0.0, 50.0));
    assert!(share(40.0, 60.0) < 0.01, "middle {}", share(40.0, 60.0));
}

#[test]
fn no_synthetic_row_copies_a_real_one() {
    let source = orders(3000, 13);
    let (_, real) = rows_of(&source);
    let key = |r: &Vec<Value>| format!("{:?}", &r[1..]);
    let real: HashSet<String> = real.iter().map(key).collect();
    let model = fit(&source).unwrap();
    let copies = model
        .sample(5000, 8)
        .map(|r| r.unwrap())
        .filter(|r| real.contains(&key(r)))
        .count();
    assert_eq!(copies, 0);
}
