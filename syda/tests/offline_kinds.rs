//! Every kind generates plausible values of its natural type; the seed's
//! patient example works as written.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use syda::engine::{ENGINE_KINDS, OfflineEngine};
use syda::schema::KINDS;
use syda::schema::kinds::kind;
use syda::{Column, DataType, Row, Schema, Table, Value};

fn rows(table: &Table, n: u64) -> Vec<Row> {
    OfflineEngine::new()
        .with_seed(17)
        .rows(table, n)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows")
}

fn natural_value_fits(ty: DataType, v: &Value) -> bool {
    match (ty, v) {
        (DataType::Integer, Value::Int(_))
        | (DataType::Float, Value::Float(_))
        | (DataType::Boolean, Value::Bool(_)) => true,
        (DataType::Text | DataType::Uuid, Value::Text(s)) => !s.is_empty(),
        (DataType::Date, Value::Text(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        (DataType::DateTime, Value::Text(s)) => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        _ => false,
    }
}

#[test]
fn every_known_kind_generates_its_natural_type() {
    let mut table = Table::new("kinds");
    for k in KINDS {
        table = table.with_column(Column::new(k.name, k.ty).with_kind(k.name));
    }
    for row in rows(&table, 200) {
        for (col, v) in table.columns.iter().zip(&row) {
            assert!(natural_value_fits(col.ty, v), "{}: {v:?}", col.name);
        }
    }
}

#[test]
fn engine_only_kinds_generate_in_text_columns() {
    let mut table = Table::new("kinds");
    for k in ENGINE_KINDS {
        table = table.with_column(Column::new(*k, DataType::Text).with_kind(*k));
    }
    for row in rows(&table, 50) {
        assert!(
            row.iter().all(|v| v.as_str().is_some_and(|s| !s.is_empty())),
            "{row:?}"
        );
    }
}

fn column_values(kind_name: &str, n: u64) -> Vec<Value> {
    let k = kind(kind_name).expect("known kind");
    let table = Table::new("t").with_column(Column::new("c", k.ty).with_kind(kind_name.to_owned()));
    rows(&table, n).into_iter().map(|mut r| r.remove(0)).collect()
}

fn text_values(kind_name: &str, n: u64) -> Vec<String> {
    column_values(kind_name, n)
        .into_iter()
        .map(|v| v.as_str().expect("text").to_owned())
        .collect()
}

#[test]
fn kinds_have_their_real_world_shape() {
    let shapes = [
        ("email", r"^[a-z0-9._]+@[a-z0-9-]+(\.[a-z]+)+$"),
        ("icd10_code", r"^[A-TV-Z][0-9]{2}(\.[0-9]{1,3})?$"),
        ("ipv4", r"^\d{1,3}(\.\d{1,3}){3}$"),
        ("mac_address", r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$"),
        ("url", r"^https://"),
        ("country_code", r"^[A-Z]{2}$"),
        ("currency_code", r"^[A-Z]{3}$"),
        ("iban", r"^[A-Z]{2}[0-9]{2}[0-9]{11,30}$"),
        ("isbn", r"^978-"),
        ("name", r"^\S+ \S+"),
        ("sentence", r"^[A-Z].*\.$"),
        ("postcode", r"^\d{5}(-\d{4})?$"),
    ];
    for (kind_name, pattern) in shapes {
        let re = regex::Regex::new(pattern).expect("regex");
        for v in text_values(kind_name, 300) {
            assert!(re.is_match(&v), "{kind_name}: {v:?} does not match {pattern}");
        }
    }
}

#[test]
fn numeric_kinds_stay_in_plausible_ranges() {
    let within = |kind_name: &str, lo: f64, hi: f64| {
        for v in column_values(kind_name, 500) {
            let x = match v {
                Value::Int(i) => i as f64,
                Value::Float(x) => x,
                other => panic!("{kind_name}: {other:?}"),
            };
            assert!((lo..=hi).contains(&x), "{kind_name}: {x}");
        }
    };
    within("age", 18.0, 90.0);
    within("quantity", 1.0, 100.0);
    within("percentage", 0.0, 100.0);
    within("latitude", -90.0, 90.0);
    within("longitude", -180.0, 180.0);
    within("price", 1.0, 1000.0);
    for v in column_values("price", 200) {
        let Value::Float(x) = v else { panic!("{v:?}") };
        assert!(
            ((x * 100.0).round() - x * 100.0).abs() < 1e-6,
            "{x} has more than two decimals"
        );
    }
}

#[test]
fn birth_dates_are_adults() {
    for s in text_values("birth_date", 500) {
        let d = NaiveDate::parse_from_str(&s, "%Y-%m-%d").expect("date");
        let age = 2025 - d.year();
        assert!((18..=90).contains(&age), "{s}");
    }
}

#[test]
fn inferred_money_columns_have_two_decimals_in_a_plausible_range() {
    let table = Table::new("employees")
        .with_column(Column::new("salary", DataType::Float))
        .with_column(Column::new("price", DataType::Decimal));
    for row in rows(&table, 300) {
        let Value::Float(salary) = row[0] else {
            panic!("{row:?}")
        };
        assert!((30_000.0..=250_000.0).contains(&salary), "{salary}");
        let price = row[1].as_str().expect("decimal text");
        assert_eq!(price.split('.').nth(1).map(str::len), Some(2), "{price}");
    }
}

#[test]
fn names_follow_the_table() {
    let customers = Table::new("customers").with_column(Column::new("name", DataType::Text));
    let companies: HashSet<String> = rows(&customers, 200)
        .into_iter()
        .map(|r| r[0].to_string())
        .collect();
    let suffixes = ["Inc", "LLC", "Group", "and", "-"];
    let looks_like_company = companies
        .iter()
        .filter(|c| suffixes.iter().any(|s| c.contains(s)))
        .count();
    assert!(looks_like_company > 100, "{companies:?}");
}

#[test]
fn the_seed_patient_example_gives_plausible_values() {
    let schema = Schema::from_yaml_str(
        "patient_id: number\ndiagnosis_code: icd10_code\nemail: email\nvisit_date: date\nnotes: text\n",
    )
    .expect("the seed's plain map loads");
    let table = &schema.tables[0];
    let rows: Vec<Row> = OfflineEngine::new()
        .rows(table, 500)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows");
    let email = regex::Regex::new(r"^[a-z0-9._]+@[a-z0-9-]+(\.[a-z]+)+$").expect("regex");
    let icd10 = regex::Regex::new(r"^[A-TV-Z][0-9]{2}(\.[0-9]{1,3})?$").expect("regex");
    let lo = NaiveDate::from_ymd_opt(2015, 1, 1).expect("date");
    let hi = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let col = |name: &str| table.column_index(name).expect("column");
    for row in &rows {
        assert!(matches!(row[col("patient_id")], Value::Int(_)));
        assert!(
            icd10.is_match(row[col("diagnosis_code")].as_str().expect("text")),
            "{row:?}"
        );
        assert!(
            email.is_match(row[col("email")].as_str().expect("text")),
            "{row:?}"
        );
        let visit = NaiveDate::parse_from_str(row[col("visit_date")].as_str().expect("text"), "%Y-%m-%d")
            .expect("date");
        assert!(lo <= visit && visit <= hi, "{visit}");
        let notes = row[col("notes")].as_str().expect("text");
        assert!(notes.chars().any(char::is_alphabetic), "{notes:?}");
    }
}

#[test]
fn an_explicit_kind_beats_what_the_name_suggests() {
    let table = Table::new("people")
        .with_column(Column::new("email", DataType::Text).with_kind("first_name"))
        .with_column(
            Column::new("status", DataType::Text)
                .with_kind("word")
                .with_doc("Status: Active, Inactive"),
        );
    for row in rows(&table, 100) {
        let first = row[0].as_str().expect("text");
        assert!(!first.contains('@'), "{first}");
        assert!(first.chars().next().is_some_and(char::is_uppercase), "{first}");
        let word = row[1].as_str().expect("text");
        assert!(word != "Active" && word != "Inactive", "{word}");
    }
}
