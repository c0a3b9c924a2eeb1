//! Data with known structure for the statistical engine's tests: the tests
//! generate it, so every figure they check is known in advance.

#![allow(dead_code)]

use syda::Value;
use syda::engine::stats::Source;

/// A small deterministic generator (xorshift64*), so the data does not
/// depend on another crate's stream.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Uniform in 0..1.
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-12), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// One of `n`, by weights.
    pub(crate) fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len() - 1
    }
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub(crate) fn date(days: i64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    (epoch + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Days since 1970-01-01 of `YYYY-MM-DD`.
pub(crate) fn days(text: &str) -> i64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    (chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap() - epoch).num_days()
}

pub(crate) const CATEGORIES: [&str; 3] = ["books", "laptops", "phones"];
/// Mean unit price per category.
pub(crate) const PRICE: [f64; 3] = [12.0, 890.0, 450.0];
pub(crate) const CITIES: [(&str, &str); 5] = [
    ("Paris", "France"),
    ("Lyon", "France"),
    ("Berlin", "Germany"),
    ("Munich", "Germany"),
    ("Madrid", "Spain"),
];

/// Order lines: `total = units × unit_price` (rounded to cents),
/// `closed_on ≥ opened_on`, `city → country`, unit price by category
/// (books ~12, laptops ~890, phones ~450), `weight` correlated 0.73 with
/// `rating`.
pub(crate) fn orders(n: usize, seed: u64) -> Source {
    let mut rng = Rng::new(seed);
    let rows = (0..n)
        .map(|i| {
            let c = rng.pick(&[0.5, 0.2, 0.3]);
            let price = (PRICE[c] * (1.0 + 0.15 * rng.normal())).max(1.0);
            let price = (price * 100.0).round() / 100.0;
            let units = 1 + rng.pick(&[0.4, 0.3, 0.15, 0.1, 0.05]) as i64;
            let total = (units as f64 * price * 100.0).round() / 100.0;
            let opened = 19_358 + (rng.uniform() * 365.0) as i64;
            let closed = opened + (-(rng.uniform().max(1e-9)).ln() * 10.0) as i64;
            let (city, country) = CITIES[rng.pick(&[3.0, 1.0, 2.0, 1.0, 1.5])];
            let z = rng.normal();
            let weight = 50.0 + 10.0 * z;
            let rating = 3.0 + 0.73 * z + (1.0f64 - 0.73 * 0.73).sqrt() * rng.normal();
            vec![
                Value::Int(i as i64 + 1),
                Value::from(CATEGORIES[c]),
                Value::Float(price),
                Value::Int(units),
                Value::Float(total),
                Value::from(date(opened)),
                Value::from(date(closed)),
                Value::from(city),
                Value::from(country),
                Value::Float((weight * 100.0).round() / 100.0),
                Value::Float((rating * 1000.0).round() / 1000.0),
            ]
        })
        .collect();
    let names = [
        "id",
        "category",
        "unit_price",
        "units",
        "total",
        "opened_on",
        "closed_on",
        "city",
        "country",
        "weight",
        "rating",
    ];
    Source::rows("orders", names.iter().map(|s| (*s).to_owned()).collect(), rows)
}

/// Hires: `hired_on ≥ born_on + 18 years` in every row.
pub(crate) fn hires(n: usize, seed: u64) -> Source {
    let mut rng = Rng::new(seed);
    let rows = (0..n)
        .map(|i| {
            let born = -3650 + (rng.uniform() * 12_000.0) as i64;
            let hired = born + 6575 + (rng.uniform() * 7000.0) as i64;
            let salary = 30_000.0 + rng.uniform() * 60_000.0;
            vec![
                Value::Int(i as i64 + 1),
                Value::from(date(born)),
                Value::from(date(hired)),
                Value::Float(salary.round()),
            ]
        })
        .collect();
    let names = ["id", "born_on", "hired_on", "salary"];
    Source::rows("hires", names.iter().map(|s| (*s).to_owned()).collect(), rows)
}

/// The rows of a source held in memory.
pub(crate) fn rows_of(source: &Source) -> (Vec<String>, Vec<Vec<Value>>) {
    match source {
        Source::Rows { columns, rows, .. } => (columns.clone(), rows.clone()),
        _ => panic!("test sources are rows in memory"),
    }
}

/// A number of a value (integers and floats).
pub(crate) fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    }
}
