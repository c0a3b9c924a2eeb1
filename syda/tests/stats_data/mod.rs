//! Real-looking data with a known structure, from a fixed seed.

#![allow(dead_code)]

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use syda::Value;
use syda::engine::stats::Source;

pub(crate) const COLUMNS: [&str; 9] = [
    "id", "x", "y", "income", "segment", "signup", "score", "code", "active",
];

/// Singleton categories: each appears once and must never be generated.
pub(crate) const SINGLETONS: [&str; 3] = ["Zed-Lone-1", "Zed-Lone-2", "Zed-Lone-3"];

/// Correlation of `x` and `y` by construction.
pub(crate) const RHO_XY: f64 = 0.8;

/// `n` rows: `x ~ N(50, 10)`, `y ~ N(100, 20)` with corr 0.8, `income`
/// log-normal (location 10, scale 0.5) tied to `x`, `segment` A 70 % /
/// B 29 % / C 1 % plus three singletons, `signup` a date in 2020–2022,
/// `score ~ N(0, 1)` with 10 % NULLs, `code` a distinct `AB-dddddd`, `active`
/// true 70 %.
pub(crate) fn rows(n: usize, seed: u64) -> Vec<Vec<Value>> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut codes = std::collections::HashSet::new();
    (0..n)
        .map(|i| {
            let z1: f64 = rng.sample(StandardNormal);
            let z2: f64 = rng.sample(StandardNormal);
            let z3: f64 = rng.sample(StandardNormal);
            let x = 50.0 + 10.0 * z1;
            let y = 100.0 + 20.0 * (RHO_XY * z1 + (1.0 - RHO_XY * RHO_XY).sqrt() * z2);
            let income = (10.0 + 0.5 * (0.5 * z1 + 0.75f64.sqrt() * z3)).exp();
            let segment = if i < SINGLETONS.len() {
                SINGLETONS[i].to_owned()
            } else {
                let u: f64 = rng.random();
                (if u < 0.70 {
                    "A"
                } else if u < 0.99 {
                    "B"
                } else {
                    "C"
                })
                .to_owned()
            };
            let day = rng.random_range(0..1096);
            let signup = (chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
                + chrono::TimeDelta::days(day))
            .format("%Y-%m-%d")
            .to_string();
            let score = if rng.random_bool(0.1) {
                Value::Null
            } else {
                Value::Float(rng.sample(StandardNormal))
            };
            let code = loop {
                let c = format!("AB-{:06}", rng.random_range(0..1_000_000));
                if codes.insert(c.clone()) {
                    break c;
                }
            };
            vec![
                Value::Int(i as i64 + 1),
                Value::Float(x),
                Value::Float(y),
                Value::Float(income),
                Value::Text(segment),
                Value::Text(signup),
                score,
                Value::Text(code),
                Value::Bool(rng.random_bool(0.7)),
            ]
        })
        .collect()
}

pub(crate) fn source(rows: Vec<Vec<Value>>) -> Source {
    Source::rows("people", COLUMNS.iter().map(|c| c.to_string()).collect(), rows)
}

pub(crate) fn column(rows: &[Vec<Value>], name: &str) -> Vec<Value> {
    let i = COLUMNS.iter().position(|c| *c == name).unwrap();
    rows.iter().map(|r| r[i].clone()).collect()
}

pub(crate) fn floats(values: &[Value]) -> Vec<f64> {
    values
        .iter()
        .map(|v| match v {
            Value::Float(x) => *x,
            Value::Int(i) => *i as f64,
            _ => f64::NAN,
        })
        .collect()
}

pub(crate) fn null_rate(values: &[Value]) -> f64 {
    values.iter().filter(|v| v.is_null()).count() as f64 / values.len() as f64
}
