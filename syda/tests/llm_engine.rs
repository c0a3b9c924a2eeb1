//! The engine as a whole: batches run in parallel, the planner drives it for
//! related tables, and the sync path works inside and outside a runtime.
#![cfg(feature = "llm")]

mod llm_support;

use std::time::{Duration, Instant};

use llm_support::{Call, Fake, MODEL, Reply, crm, employees, good};
use syda::engine::llm::{LlmEngine, Provider, RowFormat};
use syda::plan::Planner;
use syda::{Schema, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_run_in_parallel() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let latency = Duration::from_millis(200);
    let fake = Fake::start(Provider::OpenAi, table, RowFormat::Compact, move |call: &Call| {
        Reply::Slow(latency, Box::new(good(call)))
    })
    .await;
    let engine = LlmEngine::new(
        fake.config(Provider::OpenAi, RowFormat::Compact)
            .batch_size(5)
            .concurrency(8),
    );
    let started = Instant::now();
    let out = engine.rows_async(table, 40).await.unwrap();
    let elapsed = started.elapsed();
    println!("8 batches × 200 ms latency, concurrency 8: {elapsed:?}");
    assert_eq!(out.rows.len(), 40);
    assert_eq!(fake.model.calls(), 8);
    assert!(
        elapsed < Duration::from_millis(800),
        "8 × 200 ms sequential would be 1600 ms; took {elapsed:?}"
    );
}

#[tokio::test]
async fn concurrency_one_runs_batches_one_after_another() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let fake = Fake::start(Provider::OpenAi, table, RowFormat::Compact, |call: &Call| {
        Reply::Slow(Duration::from_millis(50), Box::new(good(call)))
    })
    .await;
    let engine = LlmEngine::new(
        fake.config(Provider::OpenAi, RowFormat::Compact)
            .batch_size(5)
            .concurrency(1),
    );
    let started = Instant::now();
    engine.rows_async(table, 20).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "4 batches of 50 ms, one at a time"
    );
}

const SHOP: &str = r#"
tables:
  customers:
    doc: Customer of an online bicycle shop.
    columns:
      id:    { type: integer, primary_key: true }
      name:  { type: text, unique: true, max_length: 80, doc: Full name }
      city:  { type: text, doc: City of residence }
  orders:
    doc: An order placed by a customer.
    columns:
      id:          { type: integer, primary_key: true }
      customer_id: { type: integer, foreign_key: customers.id }
      item:        { type: text, max_length: 60, doc: What was bought }
      total:       { type: float, range: [1, 5000], doc: Order total in EUR }
"#;

/// One mock server for both tables: answers depend on the fields asked for.
fn shop_answer(call: &Call) -> Reply {
    let rows: Vec<serde_json::Value> = (0..call.asked)
        .map(|i| {
            let n = call.index * 1000 + i;
            if call.prompt.contains("- city") {
                serde_json::json!([format!("Customer {n}"), "Utrecht"])
            } else {
                serde_json::json!([format!("Bike part {n}"), 19.5 + i as f64])
            }
        })
        .collect();
    Reply::Rows(rows)
}

#[test]
fn the_planner_drives_the_llm_engine_with_foreign_keys_filled_locally() {
    let schema = Schema::from_yaml_str(SHOP).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let customers = schema.table("customers").unwrap();
    let fake = runtime.block_on(Fake::start(
        Provider::OpenAi,
        customers,
        RowFormat::Compact,
        shop_answer,
    ));
    let engine = LlmEngine::new(fake.config(Provider::OpenAi, RowFormat::Compact).batch_size(8)).with_seed(3);
    assert_eq!(
        engine.llm_columns(schema.table("orders").unwrap()),
        ["item", "total"]
    );
    // The sync Engine path, from a thread that is not inside a runtime.
    let data = Planner::new(&schema)
        .size("customers", 10)
        .size("orders", 30)
        .generate(&engine)
        .unwrap();
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    let orders = data.table("orders").unwrap();
    assert_eq!(orders.len(), 30);
    assert!(orders.iter().all(|o| matches!(o[1], Value::Int(1..=10))));
    assert!(orders[0][2].as_str().unwrap().starts_with("Bike part"));
    let bodies = fake.model.bodies.lock().unwrap();
    assert!(
        bodies.iter().all(|b| !b.to_string().contains("customer_id")),
        "FKs are never asked of the model"
    );
    // Usage adds up over the planner's clones of the engine.
    let usage = engine.usage();
    assert_eq!(usage.requests, 2 + 4);
    assert_eq!(usage.rows, 40);
    assert!(usage.cost_usd.is_some(), "{MODEL} has a built-in price");
}

#[tokio::test]
async fn the_sync_path_works_inside_a_runtime() {
    let schema = crm();
    let customers = schema.table("customers").unwrap();
    let fake = Fake::start(Provider::Gemini, customers, RowFormat::Compact, good).await;
    let engine = LlmEngine::new(fake.config(Provider::Gemini, RowFormat::Compact));
    // Planner::generate is sync; called from async code it must not panic
    // with "Cannot start a runtime from within a runtime".
    let only = Schema::new([customers.clone()]);
    let data = Planner::new(&only).rows(7).generate(&engine).unwrap();
    assert_eq!(data.table("customers").unwrap().len(), 7);
    assert!(syda::check::check(&data).is_clean());
}
