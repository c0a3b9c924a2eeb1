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

/// The values of one column of a generated table.
pub(crate) fn column_of(
    data: &[syda::engine::stats::GeneratedTable],
    table: &str,
    column: &str,
) -> Vec<Value> {
    let t = data.iter().find(|t| t.0 == table).unwrap();
    let c = t.1.iter().position(|x| x == column).unwrap();
    t.2.iter().map(|r| r[c].clone()).collect()
}

pub(crate) fn key(values: &[&Value]) -> String {
    values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("/")
}

/// Children per parent key (parents with none included).
pub(crate) fn per_parent(parents: &[String], children: &[String]) -> Vec<f64> {
    let mut n: std::collections::HashMap<&str, f64> = parents.iter().map(|p| (p.as_str(), 0.0)).collect();
    for c in children {
        *n.get_mut(c.as_str()).unwrap_or_else(|| panic!("orphan {c}")) += 1.0;
    }
    n.into_values().collect()
}

/// Keys of a table's rows over `columns`.
pub(crate) fn keys(
    data: &[syda::engine::stats::GeneratedTable],
    table: &str,
    columns: &[&str],
) -> Vec<String> {
    let cols: Vec<Vec<Value>> = columns.iter().map(|c| column_of(data, table, c)).collect();
    (0..cols[0].len())
        .map(|i| key(&cols.iter().map(|c| &c[i]).collect::<Vec<_>>()))
        .collect()
}

/// Reports per employee, composite keys, counters: the figures both the
/// in-memory and the database tests check. Without `fan_out`, only what
/// must hold in every row (keys, counters, rules), not the distributions.
pub(crate) fn check_company(
    real: &[syda::engine::stats::GeneratedTable],
    synthetic: &[syda::engine::stats::GeneratedTable],
    fan_out: bool,
) {
    use std::collections::{HashMap, HashSet};

    use syda::report::ks_two_sample;

    // The self-reference: every manager an employee, no cycle, reports per employee kept.
    let ids = keys(synthetic, "employees", &["id"]);
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "employee ids are distinct");
    let managers = column_of(synthetic, "employees", "manager_id");
    let manager_of: HashMap<String, Option<String>> = ids
        .iter()
        .zip(&managers)
        .map(|(id, m)| (id.clone(), (!m.is_null()).then(|| key(&[m]))))
        .collect();
    for id in &ids {
        let (mut at, mut steps) = (id.clone(), 0);
        while let Some(m) = &manager_of[&at] {
            assert!(manager_of.contains_key(m), "manager {m} of {at} is no employee");
            at = m.clone();
            steps += 1;
            assert!(steps <= ids.len(), "a cycle of managers through {id}");
        }
    }
    // Managers work in their employee's department, as in the data.
    let department: HashMap<String, String> = ids
        .iter()
        .zip(column_of(synthetic, "employees", "department_id"))
        .map(|(id, d)| (id.clone(), key(&[&d])))
        .collect();
    let elsewhere = ids
        .iter()
        .filter(|id| {
            manager_of[*id]
                .as_ref()
                .is_some_and(|m| department[m] != department[*id])
        })
        .count();
    assert_eq!(elsewhere, 0, "employees managed from another department");
    let reports = |data: &[syda::engine::stats::GeneratedTable]| {
        let managers: Vec<String> = column_of(data, "employees", "manager_id")
            .iter()
            .filter(|m| !m.is_null())
            .map(|m| key(&[m]))
            .collect();
        per_parent(&keys(data, "employees", &["id"]), &managers)
    };
    let ks = ks_two_sample(&reports(real), &reports(synthetic));
    eprintln!("reports per employee: KS {ks:.3}");
    assert!(!fan_out || ks <= 0.1, "reports per employee KS {ks}");
    let roots = |data: &[syda::engine::stats::GeneratedTable]| {
        let m = column_of(data, "employees", "manager_id");
        m.iter().filter(|v| v.is_null()).count() as f64 / m.len() as f64
    };
    assert!(
        !fan_out || (roots(synthetic) - roots(real)).abs() < 0.02,
        "{} vs {}",
        roots(synthetic),
        roots(real)
    );

    // The composite key: distinct, line numbers 1..k in every order, every
    // shipment's (order_id, line_no) a line, lines and shipments per parent kept.
    let lines = keys(synthetic, "order_lines", &["order_id", "line_no"]);
    assert_eq!(
        lines.iter().collect::<HashSet<_>>().len(),
        lines.len(),
        "(order_id, line_no) distinct"
    );
    let mut numbers: HashMap<String, Vec<i64>> = HashMap::new();
    for (o, l) in column_of(synthetic, "order_lines", "order_id")
        .iter()
        .zip(column_of(synthetic, "order_lines", "line_no"))
    {
        numbers.entry(key(&[o])).or_default().push(l.as_i64().unwrap());
    }
    for (order, mut n) in numbers {
        n.sort_unstable();
        assert_eq!(
            n,
            (1..=n.len() as i64).collect::<Vec<_>>(),
            "line numbers of order {order}"
        );
    }
    for (parent, child, pk, fk) in [
        ("orders", "order_lines", &["id"][..], &["order_id"][..]),
        (
            "order_lines",
            "shipments",
            &["order_id", "line_no"],
            &["order_id", "line_no"],
        ),
        ("orders", "shipments", &["id"], &["order_id"]),
        ("employees", "orders", &["id"], &["employee_id"]),
        ("departments", "employees", &["id"], &["department_id"]),
    ] {
        let fan = |data: &[syda::engine::stats::GeneratedTable]| {
            per_parent(&keys(data, parent, pk), &keys(data, child, fk))
        };
        let ks = ks_two_sample(&fan(real), &fan(synthetic));
        eprintln!("{child} per {parent}: KS {ks:.3}");
        assert!(!fan_out || ks <= 0.1, "{child} per {parent}: KS {ks}");
    }

    // Orders after their employee was hired, in every row.
    let hired: HashMap<String, i64> = keys(synthetic, "employees", &["id"])
        .into_iter()
        .zip(column_of(synthetic, "employees", "hired_on"))
        .map(|(id, d)| (id, days(d.as_str().unwrap())))
        .collect();
    let early = keys(synthetic, "orders", &["employee_id"])
        .iter()
        .zip(column_of(synthetic, "orders", "placed_on"))
        .filter(|(e, placed)| days(placed.as_str().unwrap()) < hired[*e])
        .count();
    assert_eq!(early, 0, "orders placed before their employee was hired");

    // No real employee comes back (salary and hiring date).
    let person = |data: &[syda::engine::stats::GeneratedTable]| -> HashSet<String> {
        column_of(data, "employees", "salary")
            .iter()
            .zip(column_of(data, "employees", "hired_on"))
            .map(|(s, h)| format!("{}/{}", number(s), h.as_str().unwrap()))
            .collect()
    };
    let real_people = person(real);
    let copied = person(synthetic)
        .iter()
        .filter(|p| real_people.contains(*p))
        .count();
    assert_eq!(copied, 0, "real employees copied");

    // The fitted rule: total = qty × price in every line.
    let totals = column_of(synthetic, "order_lines", "total");
    let qty = column_of(synthetic, "order_lines", "qty");
    let price = column_of(synthetic, "order_lines", "price");
    let wrong = (0..totals.len())
        // NaN (a value that is no number) counts as wrong.
        .filter(|&i| {
            let off = (number(&qty[i]) * number(&price[i]) - number(&totals[i])).abs();
            off.is_nan() || off > 0.006
        })
        .count();
    assert_eq!(wrong, 0, "lines where total ≠ qty × price");
}

/// A number of a value, also one read back as text (SQL decimals).
pub(crate) fn number(v: &Value) -> f64 {
    match v {
        Value::Text(t) => t.trim().parse().unwrap_or(f64::NAN),
        other => num(other).unwrap_or(f64::NAN),
    }
}
