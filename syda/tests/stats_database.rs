//! Whole databases: children per parent, children conditioned on their
//! parent's columns, children after their parents, every foreign key valid,
//! at any scale.

#![cfg(feature = "stats")]

mod stats_support;

use std::collections::{HashMap, HashSet};

use stats_support::{Rng, check_company, column_of, company, date, days, key, keys, num};
use syda::Value;
use syda::engine::stats::{DatabaseModel, FitOptions, GeneratedTable, TableKey, TableRows, fit_related};
use syda::report::ks_two_sample;

/// Customers (20 % enterprise) and their orders: enterprise customers
/// place more and larger orders, every order is placed after its customer
/// signed up.
fn shop(customers: usize, seed: u64) -> Vec<TableRows> {
    let mut rng = Rng::new(seed);
    let mut c_rows = Vec::new();
    let mut o_rows = Vec::new();
    for id in 1..=customers as i64 {
        let enterprise = rng.uniform() < 0.2;
        let signed = 18_000 + (rng.uniform() * 900.0) as i64;
        c_rows.push(vec![
            Value::Int(id),
            Value::from(if enterprise { "enterprise" } else { "smb" }),
            Value::from(date(signed)),
        ]);
        let n = if enterprise {
            2 + rng.pick(&[1.0; 7])
        } else {
            rng.pick(&[3.0, 3.0, 2.0, 1.0])
        };
        for _ in 0..n {
            let amount = if enterprise { 5000.0 } else { 500.0 } * (1.0 + 0.2 * rng.normal()).max(0.1);
            let placed = signed + (-(rng.uniform().max(1e-9)).ln() * 60.0) as i64;
            o_rows.push(vec![
                Value::Int(o_rows.len() as i64 + 1),
                Value::Int(id),
                Value::Float((amount * 100.0f64).round() / 100.0),
                Value::from(date(placed)),
                Value::from(["paid", "open", "refunded"][rng.pick(&[7.0, 2.0, 1.0])]),
            ]);
        }
    }
    vec![
        // Children first: the fit puts parents first itself.
        TableRows {
            name: "orders".into(),
            columns: ["id", "customer_id", "amount", "placed_on", "status"]
                .map(String::from)
                .to_vec(),
            rows: o_rows,
            primary_key: vec!["id".into()],
            foreign_keys: vec![TableKey::new("customer_id", "customers", "id")],
        },
        TableRows {
            name: "customers".into(),
            columns: ["id", "segment", "signed_up"].map(String::from).to_vec(),
            rows: c_rows,
            primary_key: vec!["id".into()],
            foreign_keys: vec![],
        },
    ]
}

fn table<'a>(data: &'a [GeneratedTable], name: &str) -> &'a Vec<Vec<Value>> {
    &data.iter().find(|t| t.0 == name).unwrap().2
}

fn as_generated(tables: &[TableRows]) -> Vec<GeneratedTable> {
    tables
        .iter()
        .map(|t| (t.name.clone(), t.columns.clone(), t.rows.clone()))
        .collect()
}

/// Children per customer, customers without orders included.
fn fan_out(data: &[GeneratedTable]) -> Vec<f64> {
    let mut per: HashMap<i64, f64> = table(data, "customers")
        .iter()
        .map(|c| (c[0].as_i64().unwrap(), 0.0))
        .collect();
    for o in table(data, "orders") {
        *per.get_mut(&o[1].as_i64().unwrap())
            .expect("order of a generated customer") += 1.0;
    }
    per.into_values().collect()
}

fn mean_amount_by_segment(data: &[GeneratedTable]) -> HashMap<String, f64> {
    let seg: HashMap<i64, String> = table(data, "customers")
        .iter()
        .map(|c| (c[0].as_i64().unwrap(), c[1].as_str().unwrap().to_owned()))
        .collect();
    let mut acc: HashMap<String, (f64, f64)> = HashMap::new();
    for o in table(data, "orders") {
        let e = acc.entry(seg[&o[1].as_i64().unwrap()].clone()).or_default();
        e.0 += num(&o[2]).unwrap();
        e.1 += 1.0;
    }
    acc.into_iter().map(|(k, (s, n))| (k, s / n)).collect()
}

#[test]
fn a_rebuilt_database_keeps_fan_out_parent_dependence_and_order_with_every_key_valid() {
    let real_tables = shop(1500, 1);
    let real = as_generated(&real_tables);
    let model = fit_related(real_tables, &FitOptions::default()).unwrap();
    assert_eq!(model.tables[0].model.table, "customers");
    let synthetic = model.sample(1.0, 7).unwrap();

    // Every key valid.
    let ids: HashSet<i64> = table(&synthetic, "customers")
        .iter()
        .map(|c| c[0].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        table(&synthetic, "customers").len(),
        "customer ids are distinct"
    );
    let orders = table(&synthetic, "orders");
    assert!(!orders.is_empty());
    assert!(orders.iter().all(|o| ids.contains(&o[1].as_i64().unwrap())));

    // Children per parent.
    let ks = ks_two_sample(&fan_out(&real), &fan_out(&synthetic));
    assert!(ks <= 0.1, "fan-out KS {ks}");

    // Children after their parents, in every row.
    let signed: HashMap<i64, i64> = table(&synthetic, "customers")
        .iter()
        .map(|c| (c[0].as_i64().unwrap(), days(c[2].as_str().unwrap())))
        .collect();
    let early = orders
        .iter()
        .filter(|o| days(o[3].as_str().unwrap()) < signed[&o[1].as_i64().unwrap()])
        .count();
    assert_eq!(early, 0, "orders before their customer signed up");

    // Enterprise customers place larger orders.
    let (r, s) = (mean_amount_by_segment(&real), mean_amount_by_segment(&synthetic));
    for seg in ["enterprise", "smb"] {
        let rel = (s[seg] - r[seg]).abs() / r[seg];
        assert!(rel <= 0.10, "{seg}: real {:.0} synthetic {:.0}", r[seg], s[seg]);
    }

    // No real order comes back.
    let key = |o: &Vec<Value>| format!("{:?}", &o[2..]);
    let real_orders: HashSet<String> = table(&real, "orders").iter().map(key).collect();
    assert_eq!(orders.iter().filter(|o| real_orders.contains(&key(o))).count(), 0);
}

#[test]
fn any_scale_and_the_model_file_round_trip() {
    let model = fit_related(shop(400, 2), &FitOptions::default()).unwrap();
    let back = DatabaseModel::from_json(&model.to_json(), "db.json").unwrap();
    assert_eq!(back, model);
    assert!(DatabaseModel::is_database_json(&model.to_json()));
    let big = back.sample(3.0, 1).unwrap();
    let customers = table(&big, "customers").len();
    assert_eq!(customers, 1200);
    let orders = table(&big, "orders").len() as f64;
    let real_orders = model.tables[1].model.rows as f64;
    assert!(
        (orders / (3.0 * real_orders) - 1.0).abs() < 0.1,
        "{orders} orders for 3 × {real_orders}"
    );
}

#[test]
fn a_foreign_key_to_a_missing_table_is_an_error_naming_it() {
    let mut tables = shop(50, 3);
    tables[0].foreign_keys[0].parent = "clients".into();
    let err = fit_related(tables, &FitOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("orders") && err.contains("clients"), "{err}");
}

#[test]
fn the_multi_table_figures_compare_both_databases() {
    let real_tables = shop(1500, 4);
    let real = as_generated(&real_tables);
    let model = fit_related(real_tables, &FitOptions::default()).unwrap();
    let synthetic = model.sample(1.0, 2).unwrap();
    let key: syda::engine::stats::DeclaredKey = "orders.customer_id=customers.id".parse().unwrap();
    let figures = syda::report::compare_related(&real, &synthetic, std::slice::from_ref(&key)).unwrap();
    let f = &figures[0];
    assert_eq!(f.keys_valid, 1.0);
    assert!(f.fan_out_ks <= 0.1, "{f}");
    let after = f
        .after_parent
        .iter()
        .find(|a| a.0 == "placed_on" && a.1 == "signed_up")
        .expect("after-parent pair");
    assert_eq!((after.2, after.3), (1.0, 1.0), "{f}");
    let dep = f
        .dependence
        .iter()
        .find(|d| d.0 == "segment" && d.1 == "amount")
        .expect("segment drives amount");
    assert!(dep.2 > 0.5 && (dep.2 - dep.3).abs() < 0.05, "{f}");
    // Enterprise customers have more orders, in both.
    let per_segment = |data: &[GeneratedTable]| {
        let seg: HashMap<i64, bool> = table(data, "customers")
            .iter()
            .map(|c| (c[0].as_i64().unwrap(), c[1].as_str() == Some("enterprise")))
            .collect();
        let big = seg.values().filter(|e| **e).count() as f64;
        let orders = table(data, "orders")
            .iter()
            .filter(|o| seg[&o[1].as_i64().unwrap()])
            .count() as f64;
        orders / big
    };
    let (r, s) = (per_segment(&real), per_segment(&synthetic));
    assert!(
        (r - s).abs() / r <= 0.1,
        "orders per enterprise customer: real {r:.2} synthetic {s:.2}"
    );
    // A key to a missing synthetic parent counts against validity.
    let mut broken = synthetic.clone();
    broken[1].2[0][1] = Value::Int(999_999);
    let f = &syda::report::compare_related(&real, &broken, &[key]).unwrap()[0];
    assert!(f.keys_valid < 1.0);
}

#[test]
fn text_keys_of_many_shapes_stay_distinct_and_children_follow_them() {
    let mut tables = shop(300, 5);
    // Keys like real tail numbers: no one template.
    let shape = |i: i64| {
        if i % 3 == 0 {
            format!("N{i}UA")
        } else {
            format!("N{:04}", i * 7)
        }
    };
    for c in &mut tables[1].rows {
        c[0] = Value::from(shape(c[0].as_i64().unwrap()));
    }
    for o in &mut tables[0].rows {
        o[1] = Value::from(shape(o[1].as_i64().unwrap()));
    }
    let model = fit_related(tables, &FitOptions::default()).unwrap();
    let data = model.sample(1.0, 3).unwrap();
    let keys: HashSet<&str> = table(&data, "customers")
        .iter()
        .map(|c| c[0].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), table(&data, "customers").len());
    assert!(
        table(&data, "orders")
            .iter()
            .all(|o| keys.contains(o[1].as_str().unwrap()))
    );
}

#[test]
fn self_references_and_composite_keys_are_rebuilt_with_every_key_valid() {
    let real_tables = company(40, 5);
    let real = as_generated(&real_tables);
    let model = fit_related(real_tables, &FitOptions::default()).unwrap();
    let employees = model
        .tables
        .iter()
        .find(|t| t.model.table == "employees")
        .unwrap();
    assert_eq!(employees.hierarchies.len(), 1, "manager_id is a hierarchy");
    assert_eq!(employees.links.len(), 1, "department_id is the parent");
    let lines = model
        .tables
        .iter()
        .find(|t| t.model.table == "order_lines")
        .unwrap();
    assert_eq!(lines.counters.len(), 1, "line_no counts each order's lines");
    let shipments = model
        .tables
        .iter()
        .find(|t| t.model.table == "shipments")
        .unwrap();
    assert_eq!(
        shipments.links.len(),
        1,
        "order_id → orders is implied by the composite key"
    );
    assert_eq!(shipments.links[0].parent, "order_lines");
    assert!(
        lines.model.rules.iter().any(|r| r.rule.target() == "total"),
        "{:?}",
        lines.model.rules
    );

    let back = DatabaseModel::from_json(&model.to_json(), "company.json").unwrap();
    assert_eq!(back, model);
    let synthetic = back.sample(1.0, 3).unwrap();
    check_company(&real, &synthetic, true);
    // Every manager comes before the employees it manages.
    let ids = keys(&synthetic, "employees", &["id"]);
    let at: HashMap<&String, usize> = ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
    for (i, m) in column_of(&synthetic, "employees", "manager_id")
        .iter()
        .enumerate()
    {
        if !m.is_null() {
            assert!(at[&key(&[m])] < i, "employee {} before its manager", ids[i]);
        }
    }
}

#[test]
fn a_junction_table_keeps_its_pairs_distinct() {
    let mut rng = Rng::new(21);
    let students: Vec<Vec<Value>> = (1..=300)
        .map(|i| vec![Value::Int(i), Value::from(["bsc", "msc"][i as usize % 2])])
        .collect();
    let courses: Vec<Vec<Value>> = (1..=8)
        .map(|i| vec![Value::Int(i), Value::Float(f64::from(i as i32) * 1.5)])
        .collect();
    let mut enrolments = Vec::new();
    for s in 1..=300i64 {
        // 1 to 6 distinct courses of 8 each.
        let mut taken: Vec<i64> = (1..=8).collect();
        for k in 0..1 + rng.pick(&[1.0; 6]) {
            let j = k + (rng.uniform() * (8 - k) as f64) as usize;
            taken.swap(k, j);
            enrolments.push(vec![
                Value::Int(s),
                Value::Int(taken[k]),
                Value::Float(50.0 + 40.0 * rng.uniform()),
            ]);
        }
    }
    let tables = vec![
        TableRows {
            name: "enrolments".into(),
            columns: ["student_id", "course_id", "grade"].map(String::from).to_vec(),
            rows: enrolments,
            primary_key: vec!["student_id".into(), "course_id".into()],
            foreign_keys: vec![
                TableKey::new("student_id", "students", "id"),
                TableKey::new("course_id", "courses", "id"),
            ],
        },
        TableRows {
            name: "students".into(),
            columns: ["id", "degree"].map(String::from).to_vec(),
            rows: students,
            primary_key: vec!["id".into()],
            foreign_keys: vec![],
        },
        TableRows {
            name: "courses".into(),
            columns: ["id", "credits"].map(String::from).to_vec(),
            rows: courses,
            primary_key: vec!["id".into()],
            foreign_keys: vec![],
        },
    ];
    let real = as_generated(&tables);
    let model = fit_related(tables, &FitOptions::default()).unwrap();
    let synthetic = model.sample(1.0, 5).unwrap();
    let pairs = keys(&synthetic, "enrolments", &["student_id", "course_id"]);
    assert_eq!(
        pairs.iter().collect::<HashSet<_>>().len(),
        pairs.len(),
        "(student_id, course_id) distinct"
    );
    let courses: HashSet<String> = keys(&synthetic, "courses", &["id"]).into_iter().collect();
    assert!(
        keys(&synthetic, "enrolments", &["course_id"])
            .iter()
            .all(|c| courses.contains(c))
    );
    let per_student = |data: &[GeneratedTable]| {
        stats_support::per_parent(
            &keys(data, "students", &["id"]),
            &keys(data, "enrolments", &["student_id"]),
        )
    };
    let ks = ks_two_sample(&per_student(&real), &per_student(&synthetic));
    assert!(ks <= 0.1, "courses per student KS {ks}");
}

#[test]
fn a_directory_with_declared_composite_keys_is_fitted_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |v: &Value| match v {
        Value::Null => String::new(),
        other => other.as_str().map_or_else(|| other.to_string(), str::to_owned),
    };
    for t in company(20, 6) {
        let mut text = t.columns.join(",") + "\n";
        for r in &t.rows {
            text.push_str(&r.iter().map(csv).collect::<Vec<_>>().join(","));
            text.push('\n');
        }
        std::fs::write(dir.path().join(format!("{}.csv", t.name)), text).unwrap();
    }
    let keys: Vec<syda::engine::stats::DeclaredKey> = [
        "employees.department_id=departments.id",
        "employees.manager_id=employees.id",
        "orders.employee_id=employees.id",
        "order_lines.order_id=orders.id",
        "shipments.order_id,line_no=order_lines.order_id,line_no",
    ]
    .iter()
    .map(|k| k.parse().unwrap())
    .collect();
    assert_eq!(keys[4].more, vec![("line_no".to_owned(), "line_no".to_owned())]);
    assert!("a.x,y=b.x".parse::<syda::engine::stats::DeclaredKey>().is_err());
    let model = syda::engine::stats::fit_directory(dir.path(), &keys, &FitOptions::default()).unwrap();
    let lines = model
        .tables
        .iter()
        .find(|t| t.model.table == "order_lines")
        .unwrap();
    assert_eq!(lines.primary_key, ["order_id", "line_no"]);
    assert_eq!(lines.counters.len(), 1, "line_no counts the lines");
    let synthetic = model.sample(1.0, 2).unwrap();
    let real = as_generated(&company(20, 6));
    let figures = syda::report::compare_related(&real, &synthetic, &keys).unwrap();
    for f in &figures {
        assert_eq!(f.keys_valid, 1.0, "{f}");
    }
    assert!(
        figures[4]
            .to_string()
            .contains("shipments.order_id,line_no → order_lines.order_id,line_no"),
        "{}",
        figures[4]
    );
}
