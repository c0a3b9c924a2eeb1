//! The statistical engine under the planner: fitted columns from the model,
//! foreign keys and custom generators from the local engine.

#![cfg(feature = "stats")]

use syda::engine::stats::{Source, StatsEngine, fit};
use syda::engine::{Engine, OfflineEngine};
use syda::plan::Planner;
use syda::{Column, DataType, Value};

fn customers() -> Source {
    let rows = (0..300)
        .map(|i| {
            vec![
                Value::Int(i + 1),
                Value::from(["gold", "silver", "bronze"][(i % 3) as usize]),
                Value::Float(1000.0 + (i * 37 % 500) as f64),
            ]
        })
        .collect();
    Source::rows(
        "customers",
        vec!["id".into(), "tier".into(), "limit".into()],
        rows,
    )
}

fn orders() -> Source {
    let rows = (0..1000)
        .map(|i| {
            vec![
                Value::Int(i + 1),
                Value::Int(i % 300 + 1),
                Value::Float(10.0 + (i * 7919 % 1000) as f64 / 10.0),
                Value::from(if i % 4 == 0 { "open" } else { "shipped" }),
            ]
        })
        .collect();
    Source::rows(
        "orders",
        vec!["id".into(), "customer_id".into(), "total".into(), "status".into()],
        rows,
    )
}

#[test]
fn related_tables_keep_foreign_keys_while_models_fill_the_rest() {
    let engine = StatsEngine::new(fit(&customers()).unwrap())
        .with_model(fit(&orders()).unwrap())
        .with_seed(5);
    let mut schema = engine.schema();
    // Declare the relationship the files do not carry.
    let orders = &mut schema.tables[1];
    let i = orders.column_index("customer_id").unwrap();
    orders.columns.to_mut()[i] = Column::new("customer_id", DataType::Integer).references("customers", "id");
    let data = Planner::new(&schema)
        .size("customers", 40)
        .size("orders", 200)
        .generate(&engine)
        .unwrap();
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    let orders = data.table("orders").unwrap();
    assert!(
        orders.iter().all(|r| (1..=40).contains(&r[1].as_i64().unwrap())),
        "parents come from the 40 generated customers"
    );
    let open = orders.iter().filter(|r| r[3].as_str() == Some("open")).count();
    assert!((30..=70).contains(&open), "status keeps its 25 % share: {open}");
    // Same seed, same data.
    let again = Planner::new(&schema)
        .size("customers", 40)
        .size("orders", 200)
        .generate(&engine)
        .unwrap();
    assert_eq!(again.table("orders"), data.table("orders"));
}

#[test]
fn a_custom_column_generator_wins_over_the_model() {
    let mut engine = StatsEngine::new(fit(&customers()).unwrap());
    engine
        .local_mut()
        .generators_mut()
        .register_column("customers", "tier", |_| Value::from("platinum"));
    let schema = engine.schema();
    let data = Planner::new(&schema).rows(25).generate(&engine).unwrap();
    let rows = data.table("customers").unwrap();
    assert!(rows.iter().all(|r| r[1] == Value::from("platinum")));
    assert!(
        rows.iter().all(|r| matches!(r[2], Value::Float(_))),
        "other columns still from the model"
    );
}

#[test]
fn columns_the_model_lacks_and_tables_without_a_model_use_the_offline_engine() {
    let engine = StatsEngine::new(fit(&customers()).unwrap()).with_local(OfflineEngine::new().with_seed(1));
    let mut schema = engine.schema();
    schema.tables[0] = schema.tables[0]
        .clone()
        .with_column(Column::new("email", DataType::Text).with_kind("email").unique());
    schema
        .tables
        .push(syda::Table::new("notes").with_column(Column::new("id", DataType::Integer).primary_key()));
    let data = Planner::new(&schema).rows(30).generate(&engine).unwrap();
    assert!(syda::check::check(&data).is_clean());
    let customers = data.table("customers").unwrap();
    assert!(
        customers
            .iter()
            .all(|r| r[3].as_str().is_some_and(|e| e.contains('@')))
    );
    assert_eq!(data.table("notes").unwrap().len(), 30);
}
