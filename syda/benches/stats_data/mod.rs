//! Shared by the stats bench and scale example: `n` rows × 10 columns with
//! known structure, from a fixed seed.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use syda::Value;

/// The column names.
pub(crate) const COLUMNS: [&str; 10] = [
    "id", "a", "b", "c", "d", "income", "visits", "tier", "joined", "active",
];

/// Row `i` of the data set (each row from its own seed, so rows can be streamed).
pub(crate) fn row(i: u64) -> Vec<Value> {
    let mut rng = SmallRng::seed_from_u64(i);
    let z: [f64; 4] = std::array::from_fn(|_| rng.sample(StandardNormal));
    let a = z[0];
    let b = 0.7 * z[0] + 0.71 * z[1];
    let c = -0.5 * z[1] + 0.86 * z[2];
    let d = z[3];
    let tier = ["basic", "silver", "gold", "platinum"][(rng.random::<f64>().powi(2) * 4.0) as usize];
    let days = rng.random_range(0..3650);
    let joined = (chrono::NaiveDate::from_ymd_opt(2015, 1, 1).expect("valid date")
        + chrono::TimeDelta::days(days))
    .format("%Y-%m-%d")
    .to_string();
    vec![
        Value::Int(i as i64 + 1),
        Value::Float((a * 1000.0).round() / 1000.0),
        Value::Float((b * 1000.0).round() / 1000.0),
        if rng.random_bool(0.1) {
            Value::Null
        } else {
            Value::Float((c * 1000.0).round() / 1000.0)
        },
        Value::Float(((50.0 + 10.0 * d) * 100.0).round() / 100.0),
        Value::Float(((10.0 + 0.6 * a).exp() * 100.0).round() / 100.0),
        Value::Int(rng.random_range(0..20)),
        Value::from(tier),
        Value::Text(joined),
        Value::Bool(rng.random_bool(0.3)),
    ]
}
