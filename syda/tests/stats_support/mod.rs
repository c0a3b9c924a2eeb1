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

/// Column names as owned strings.
pub(crate) fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// A company with a self-reference and a composite key, children first
/// (the fit puts parents first itself):
///
/// - `departments(id, name, budget)`;
/// - `employees(id, department_id → departments, manager_id → employees,
///   salary, hired_on)`: each department has one head (no manager); about a
///   quarter of the others manage, so reports per employee are skewed
///   (most have none, managers have several);
/// - `orders(id, employee_id → employees, placed_on ≥ the employee's
///   hired_on, channel)`;
/// - `order_lines(order_id → orders, line_no, qty, price, total)`, primary
///   key `(order_id, line_no)`, `line_no` 1, 2, … within each order,
///   `total = qty × price`;
/// - `shipments(id, order_id, line_no, carrier)`, `(order_id, line_no) →
///   order_lines` (and `order_id → orders`), 0 to 2 per line.
pub(crate) fn company(departments: usize, seed: u64) -> Vec<syda::engine::stats::TableRows> {
    use syda::engine::stats::{TableKey, TableRows};

    let mut rng = Rng::new(seed);
    let (mut d_rows, mut e_rows, mut o_rows, mut l_rows, mut s_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let dept_names = ["sales", "support", "research", "finance"];
    for d in 1..=departments as i64 {
        d_rows.push(vec![
            Value::Int(d),
            Value::from(dept_names[rng.pick(&[3.0, 2.0, 2.0, 1.0])]),
            Value::Float((100_000.0 * (1.0 + rng.uniform())).round()),
        ]);
        let size = 10 + (rng.uniform() * 30.0) as usize;
        let mut managers: Vec<i64> = Vec::new();
        for j in 0..size {
            let id = e_rows.len() as i64 + 1;
            let manager = if j == 0 {
                Value::Null
            } else {
                Value::Int(managers[(rng.uniform() * managers.len() as f64) as usize])
            };
            if j == 0 || rng.uniform() < 0.25 {
                managers.push(id);
            }
            let hired = 15_000 + (rng.uniform() * 3000.0) as i64;
            e_rows.push(vec![
                Value::Int(id),
                Value::Int(d),
                manager,
                Value::Float((40_000.0 + 30_000.0 * rng.uniform()).round()),
                Value::from(date(hired)),
            ]);
            for _ in 0..rng.pick(&[4.0, 3.0, 2.0, 1.0]) {
                let order = o_rows.len() as i64 + 1;
                let placed = hired + (-(rng.uniform().max(1e-9)).ln() * 200.0) as i64;
                o_rows.push(vec![
                    Value::Int(order),
                    Value::Int(id),
                    Value::from(date(placed)),
                    Value::from(["web", "phone", "shop"][rng.pick(&[5.0, 2.0, 3.0])]),
                ]);
                for line in 1..=1 + rng.pick(&[3.0, 3.0, 2.0, 1.0, 1.0]) as i64 {
                    let qty = 1 + rng.pick(&[5.0, 3.0, 1.0]) as i64;
                    let price = ((5.0 + 95.0 * rng.uniform()) * 100.0).round() / 100.0;
                    l_rows.push(vec![
                        Value::Int(order),
                        Value::Int(line),
                        Value::Int(qty),
                        Value::Float(price),
                        Value::Float((qty as f64 * price * 100.0).round() / 100.0),
                    ]);
                    for _ in 0..rng.pick(&[2.0, 5.0, 3.0]) {
                        s_rows.push(vec![
                            Value::Int(s_rows.len() as i64 + 1),
                            Value::Int(order),
                            Value::Int(line),
                            Value::from(["ups", "dhl", "post"][rng.pick(&[1.0, 1.0, 2.0])]),
                        ]);
                    }
                }
            }
        }
    }
    let table = |name: &str, columns: &[&str], rows, primary_key: &[&str], foreign_keys| TableRows {
        name: name.to_owned(),
        columns: names(columns),
        rows,
        primary_key: names(primary_key),
        foreign_keys,
    };
    vec![
        table(
            "shipments",
            &["id", "order_id", "line_no", "carrier"],
            s_rows,
            &["id"],
            vec![
                TableKey::new("order_id", "orders", "id"),
                TableKey::composite(&["order_id", "line_no"], "order_lines", &["order_id", "line_no"]),
            ],
        ),
        table(
            "order_lines",
            &["order_id", "line_no", "qty", "price", "total"],
            l_rows,
            &["order_id", "line_no"],
            vec![TableKey::new("order_id", "orders", "id")],
        ),
        table(
            "orders",
            &["id", "employee_id", "placed_on", "channel"],
            o_rows,
            &["id"],
            vec![TableKey::new("employee_id", "employees", "id")],
        ),
        table(
            "employees",
            &["id", "department_id", "manager_id", "salary", "hired_on"],
            e_rows,
            &["id"],
            vec![
                TableKey::new("department_id", "departments", "id"),
                TableKey::new("manager_id", "employees", "id"),
            ],
        ),
        table("departments", &["id", "name", "budget"], d_rows, &["id"], vec![]),
    ]
}
