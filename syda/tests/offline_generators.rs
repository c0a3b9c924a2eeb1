//! Custom generators: precedence and what they see.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::RngExt;
use syda::engine::{Generators, OfflineEngine};
use syda::{Column, DataType, Row, Schema, Table, Value};

fn rows(engine: &OfflineEngine, table: &Table, n: u64) -> Vec<Row> {
    engine
        .rows(table, n)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows")
}

fn people() -> Table {
    Table::new("people")
        .with_column(Column::new("id", DataType::Integer).primary_key())
        .with_column(Column::new("email", DataType::Text))
        .with_column(Column::new("work_email", DataType::Text).with_kind("email"))
        .with_column(Column::new("first_name", DataType::Text))
}

#[test]
fn a_kind_generator_replaces_inference_and_explicit_kinds() {
    let mut g = Generators::new();
    g.register_kind("email", |_| Value::from("kind@example.com"));
    let rows = rows(&OfflineEngine::new().with_generators(g), &people(), 5);
    for row in rows {
        assert_eq!(row[1], Value::from("kind@example.com"), "inferred kind");
        assert_eq!(row[2], Value::from("kind@example.com"), "explicit kind");
    }
}

#[test]
fn a_column_generator_beats_a_kind_generator() {
    let mut g = Generators::new();
    g.register_kind("email", |_| Value::from("kind@example.com"));
    g.register_column("people", "email", |_| Value::from("column@example.com"));
    let rows = rows(&OfflineEngine::new().with_generators(g), &people(), 5);
    for row in rows {
        assert_eq!(row[1], Value::from("column@example.com"));
        assert_eq!(row[2], Value::from("kind@example.com"));
    }
}

#[test]
fn a_named_generator_fills_columns_that_ask_for_it() {
    let schema = Schema::from_yaml_str(
        "tables:\n  t:\n    columns:\n      a: { type: text, generator: shout }\n      b: { type: text, generator: shout }\n",
    )
    .expect("schema");
    let mut engine = OfflineEngine::new();
    engine
        .generators_mut()
        .register_named("shout", |cx| Value::from(cx.column().name.to_uppercase()));
    for row in rows(&engine, &schema.tables[0], 3) {
        assert_eq!(row, vec![Value::from("A"), Value::from("B")]);
    }
    engine
        .generators_mut()
        .register_column("t", "b", |_| Value::from("column"));
    assert_eq!(rows(&engine, &schema.tables[0], 1)[0][1], Value::from("column"));
    let err = OfflineEngine::new()
        .rows(&schema.tables[0], 1)
        .expect_err("missing named generator");
    assert!(
        err.to_string().contains("shout") && err.to_string().contains("register_named"),
        "{err}"
    );
}

#[test]
fn generators_see_earlier_columns_of_the_row() {
    let mut g = Generators::new();
    g.register_column("people", "email", |cx| {
        assert_eq!(cx.row().len(), cx.column_index());
        assert!(cx.value("first_name").is_none(), "later columns are not visible");
        let id = cx.value("id").and_then(Value::as_i64).expect("id comes first");
        Value::from(format!("user{id}@example.com"))
    });
    g.register_column("people", "first_name", |cx| {
        let email = cx
            .value("email")
            .and_then(Value::as_str)
            .expect("email comes earlier");
        Value::from(email.split('@').next().expect("local part").to_owned())
    });
    let rows = rows(&OfflineEngine::new().with_generators(g), &people(), 3);
    assert_eq!(rows[2][1], Value::from("user3@example.com"));
    assert_eq!(rows[2][3], Value::from("user3"));
}

#[test]
fn generators_get_the_row_index_and_a_seeded_rng() {
    let mut g = Generators::new();
    g.register_column("people", "email", |cx| {
        let n: u32 = cx.rng().random_range(0..1_000_000);
        Value::from(format!("{}-{n}@example.com", cx.index()))
    });
    let engine = OfflineEngine::new().with_seed(4).with_generators(g);
    let a = rows(&engine, &people(), 20);
    assert_eq!(a, rows(&engine, &people(), 20));
    assert!(a[7][1].as_str().expect("text").starts_with("7-"));
}

#[test]
fn foreign_keys_are_filled_by_their_column_generator() {
    let schema = Schema::from_yaml_str(
        "tables:\n  customers:\n    columns:\n      id: { type: integer, primary_key: true }\n  orders:\n    columns:\n      id: { type: integer, primary_key: true }\n      customer_id: { type: integer, foreign_key: customers.id }\n",
    )
    .expect("schema");
    let orders = schema.table("orders").expect("orders");
    let mut engine = OfflineEngine::new();
    engine
        .generators_mut()
        .register_column("orders", "customer_id", |cx| {
            Value::Int(cx.rng().random_range(1..=3))
        });
    for row in rows(&engine, orders, 50) {
        assert!(matches!(row[1], Value::Int(1..=3)));
    }
}

#[test]
fn unique_columns_retry_custom_generators_then_fail_clearly() {
    let table = Table::new("t").with_column(Column::new("code", DataType::Text).unique());
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let mut engine = OfflineEngine::new();
    engine.generators_mut().register_column("t", "code", move |cx| {
        counter.fetch_add(1, Ordering::Relaxed);
        Value::from(format!("c{}", cx.rng().random_range(0..3)))
    });
    let results: Vec<_> = engine.rows(&table, 10).expect("plan").collect();
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 3, "three distinct values exist");
    let err = results
        .last()
        .expect("some")
        .as_ref()
        .expect_err("fourth row fails");
    let text = err.to_string();
    assert!(
        text.contains("`t`") && text.contains("`code`") && text.contains("row 3"),
        "{text}"
    );
    assert_eq!(results.len(), 4, "the stream ends after the error");
}
