//! Amplify mode: the model designs each table's column generators once,
//! the offline engine makes the rows. The cost does not grow with the rows,
//! and a replay costs nothing.
#![cfg(feature = "llm")]

mod llm_support;

use std::time::Duration;

use llm_support::{KEY, MODEL, Seen, crm, scripted};
use serde_json::{Map, Value as Json, json};
use syda::engine::OfflineEngine;
use syda::engine::llm::{CacheMode, ColumnDesign, LlmConfig, LlmEngine, Provider};
use syda::plan::Planner;
use wiremock::ResponseTemplate;

/// A fake model that designs whatever the answer schema asks for, as a
/// model would: vocabularies of values within the item schema's length,
/// ranges, date spans, shares, weights. One column gets a bad design, to be
/// refused.
fn design(seen: &Seen) -> ResponseTemplate {
    let schema = &seen.body["response_format"]["json_schema"]["schema"];
    let mut out = Map::new();
    for (column, shape) in schema["properties"].as_object().unwrap() {
        let props = &shape["properties"];
        let value = if props.get("values").is_some() {
            let max = props["values"]["items"]["maxLength"].as_u64().unwrap_or(40) as usize;
            let values: Vec<Json> = (0..40)
                .map(|i| {
                    let mut v = format!("{column} value {i}");
                    v.truncate(max);
                    json!(v)
                })
                .collect();
            let weights: Vec<Json> = (0..40).map(|i| json!(1 + i % 5)).collect();
            json!({ "values": values, "weights": weights })
        } else if props.get("min").is_some() {
            if column == "quantity" {
                json!({ "min": 50, "max": 10, "distribution": "uniform" })
            } else {
                json!({ "min": 5, "max": 2500, "distribution": "log_normal" })
            }
        } else if props.get("from").is_some() {
            json!({ "from": "2019-01-01", "to": "2024-12-31" })
        } else if props.get("true_share").is_some() {
            json!({ "true_share": 0.25 })
        } else {
            json!({ "weights": [3, 1, 1] })
        };
        out.insert(column.clone(), value);
    }
    let content = Json::Object(out).to_string();
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-design",
        "object": "chat.completion",
        "model": MODEL,
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop" }],
        "usage": { "prompt_tokens": 400, "completion_tokens": 900, "total_tokens": 1300 },
    }))
}

fn config(base: String, dir: &std::path::Path, mode: CacheMode) -> LlmConfig {
    LlmConfig::new(Provider::OpenAiCompatible, MODEL)
        .api_key(KEY)
        .base_url(base)
        .timeout(Duration::from_secs(5))
        .cache(mode, dir)
        .price(MODEL, 0.15, 0.60)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_customers_cost_the_same_requests_as_ten_and_replay_for_free() {
    let schema = crm();
    let dir = tempfile::tempdir().unwrap();
    let (server, bodies) = scripted(design).await;
    let engine = LlmEngine::new(config(
        format!("{}/v1", server.uri()),
        dir.path(),
        CacheMode::ReadWrite,
    ))
    .with_prompt("B2B software customers in Europe");
    let designs = engine.design(&schema).await.unwrap();
    let requests = designs.usage.requests;
    assert!(requests <= 10, "{requests} requests");
    assert_eq!(requests, 5, "one per table with designed columns");
    assert!(
        bodies.lock().unwrap()[0]["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Do not write records")
    );
    // What was designed: vocabularies, ranges, spans; the unique names and
    // the foreign keys are left to the offline engine.
    let customers = &designs.tables["customers"];
    assert!(
        matches!(customers["industry"], ColumnDesign::Vocabulary { ref values, ref weights } if values.len() == 40 && weights.len() == 40)
    );
    assert!(matches!(customers["created_at"], ColumnDesign::Dates { .. }));
    assert!(
        !customers.contains_key("name"),
        "unique: a vocabulary cannot cover it"
    );
    assert!(!designs.tables["contacts"].contains_key("customer_id"));
    // A range upside down is refused and said so.
    assert!(!designs.tables["order_items"].contains_key("quantity"));
    assert!(
        designs
            .rejected
            .iter()
            .any(|r| r.starts_with("order_items.quantity")),
        "{:?}",
        designs.rejected
    );

    let offline = designs.apply(OfflineEngine::new().with_seed(7));
    let data = tokio::task::spawn_blocking(move || {
        let schema = crm();
        Planner::new(&schema)
            .rows(1000)
            .size("customers", 100_000)
            .generate(&offline)
            .unwrap()
    })
    .await
    .unwrap();
    let rows = data.table("customers").unwrap();
    assert_eq!(rows.len(), 100_000);
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    // The designed values are the ones used, weighted: value 4 (weight 5) beats value 0 (weight 1).
    let industry = schema
        .table("customers")
        .unwrap()
        .column_index("industry")
        .unwrap();
    let count = |v: &str| rows.iter().filter(|r| r[industry].as_str() == Some(v)).count();
    assert!(count("industry value 4") > 3 * count("industry value 0"));
    let spent = engine.usage();
    assert_eq!(spent.requests, 5);
    println!("amplify: 100 000 customers (and 1000 rows of each other CRM table): {spent}");

    // Replayed from the cache: no server, no request, the same designs.
    drop(server);
    let replay = LlmEngine::new(config(
        "http://127.0.0.1:9/v1".to_owned(),
        dir.path(),
        CacheMode::ReplayOnly,
    ))
    .with_prompt("B2B software customers in Europe");
    let again = replay.design(&schema).await.unwrap();
    assert_eq!(again.usage.requests, 0);
    assert_eq!(again.usage.cache_hits, 5);
    assert_eq!(again.tables, designs.tables);
}
