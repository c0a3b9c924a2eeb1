//! The statistical and LLM engines behind the REST API: uploads fitted by
//! the statistical engine (with the inferred-schema fallback), `engine:
//! stats` with fitted models, and `engine: llm` against an in-process mock
//! OpenAI-compatible server — usage reported, keys never leaked.

#[macro_use]
mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use common::Client;
use serde_json::{Value, json};
use syda::engine::OfflineEngine;
use syda::engine::llm::{LlmConfig, LlmEngine, Provider, RowFormat};
use syda::engine::stats::{Source, fit};
use syda::{Schema, Table};
use syda_server::{LlmSetup, Variables};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "sk-server-secret-0123456789abcdef";
const MODEL: &str = "gpt-4o-mini";

const SHOP: &str = "tables:\n  customers:\n    doc: Customer of a bicycle shop.\n    columns:\n      id: { type: integer, primary_key: true }\n      name: { type: text, max_length: 80, doc: Full name }\n      tier: { type: text, one_of: [gold, basic], doc: Loyalty tier }\n";

async fn client_with(llm: LlmSetup) -> (Client, String) {
    let mut db = common::sqlite().await;
    db.config.llm = llm;
    let c = Client::start(db).await;
    let key = c.project_key("e").await;
    (c, key)
}

/// An OpenAI-compatible server that answers each request with as many
/// valid rows as the prompt asks for, and records the request bodies.
struct FakeOpenAi {
    server: MockServer,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl FakeOpenAi {
    async fn start(table: &Table) -> FakeOpenAi {
        let server = MockServer::start().await;
        let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
        let seen = Arc::clone(&bodies);
        let table = table.clone();
        let encoder = LlmEngine::new(LlmConfig::new(Provider::OpenAiCompatible, MODEL));
        let source = OfflineEngine::new().with_seed(5);
        let next = AtomicU64::new(0);
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(header("authorization", format!("Bearer {KEY}").as_str()))
            .respond_with(move |req: &Request| {
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                let prompt = body["messages"][1]["content"].as_str().unwrap().to_owned();
                seen.lock().unwrap().push(body);
                let asked: u64 = prompt
                    .split("Generate ")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
                    .unwrap();
                let start = next.fetch_add(asked, Ordering::SeqCst);
                let rows: Vec<syda::Row> = source
                    .rows_range(&table, start..start + asked)
                    .unwrap()
                    .collect::<syda::Result<_>>()
                    .unwrap();
                let text = encoder.encode_answer(&table, &rows, RowFormat::default());
                ResponseTemplate::new(200).set_body_json(json!({
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 1_764_300_000, "model": MODEL,
                    "choices": [{ "index": 0, "finish_reason": "stop",
                                  "message": { "role": "assistant", "content": text, "refusal": null } }],
                    "usage": { "prompt_tokens": 300, "completion_tokens": 50, "total_tokens": 350 },
                }))
            })
            .mount(&server)
            .await;
        FakeOpenAi { server, bodies }
    }

    /// The server's environment pointing at this fake.
    fn variables(&self) -> LlmSetup {
        let vars: BTreeMap<String, String> = [
            ("OPENAI_BASE_URL", format!("{}/v1", self.server.uri())),
            ("SYDA_MODEL", MODEL.to_owned()),
            ("OPENAI_API_KEY", KEY.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        LlmSetup::Variables(Variables(vars))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_engine_answers_from_the_configured_provider_with_usage() {
    let schema = Schema::from_yaml_str(SHOP).unwrap();
    let fake = FakeOpenAi::start(schema.table("customers").unwrap()).await;
    let (c, key) = client_with(fake.variables()).await;

    let request = json!({ "project": "e", "schema": SHOP, "engine": "llm", "rows": 12, "seed": 3,
                          "prompt": "Customers of a Dutch bicycle shop" });
    let r = c.post("/generate", Some(&key), &request).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["engine"], "llm");
    let rows = body["tables"]["customers"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    let ids: HashSet<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 12, "keys filled locally, distinct");
    for row in rows {
        assert!(
            ["gold", "basic"].contains(&row["tier"].as_str().unwrap()),
            "{row}"
        );
    }

    // The request's prompt reached the model; usage counts what the fake answered.
    let bodies = fake.bodies.lock().unwrap().clone();
    assert!(!bodies.is_empty());
    assert!(
        bodies
            .iter()
            .all(|b| b.to_string().contains("Customers of a Dutch bicycle shop"))
    );
    let usage = &body["usage"];
    let requests = bodies.len() as u64;
    assert_eq!(usage["requests"], requests, "{usage}");
    assert_eq!(usage["input_tokens"], 300 * requests);
    assert_eq!(usage["output_tokens"], 50 * requests);
    assert_eq!(usage["rows"], 12);
    assert!(
        usage["cost_usd"].as_f64().is_some_and(|c| c > 0.0),
        "{MODEL} has a known price: {usage}"
    );
    assert!(!r.text.contains(KEY));

    // CSV: the usage travels in a header.
    let csv = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "schema": SHOP, "engine": "llm", "rows": 5, "format": "csv" }),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert_eq!(csv.text.lines().count(), 6);
    let header: Value = serde_json::from_str(csv.headers["x-syda-usage"].to_str().unwrap()).unwrap();
    assert_eq!(header["rows"], 5);

    // The audit rows hold the prompt and the usage, and never the key.
    let audit = c.audit("e").await;
    let generated: Vec<_> = audit.iter().filter(|t| t.operation == "generate").collect();
    assert_eq!(generated.len(), 2);
    let first = generated.last().unwrap();
    assert_eq!(first.parameters["engine"], "llm");
    assert_eq!(first.parameters["prompt"], "Customers of a Dutch bicycle shop");
    assert_eq!(first.parameters["usage"], *usage);
    assert_eq!(first.rows_out, Some(12));
    for t in &audit {
        assert!(!serde_json::to_string(t).unwrap().contains(KEY), "{t:?}");
    }
}

#[tokio::test]
async fn llm_without_a_provider_is_422_naming_the_variables() {
    let (c, key) = client_with(LlmSetup::Variables(Variables::default())).await;
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "schema": SHOP, "engine": "llm" }),
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::UNPROCESSABLE_ENTITY),
        "engine_unavailable"
    );
    let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
    for var in ["SYDA_PROVIDER", "SYDA_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"] {
        assert!(message.contains(var), "{var} missing from: {message}");
    }
    // An incomplete setting says what is missing.
    let vars = Variables(BTreeMap::from([(
        "OPENAI_BASE_URL".to_owned(),
        "http://127.0.0.1:9/v1".to_owned(),
    )]));
    let (c, key) = client_with(LlmSetup::Variables(vars)).await;
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "schema": SHOP, "engine": "llm" }),
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::UNPROCESSABLE_ENTITY),
        "engine_unavailable"
    );
    assert!(r.text.contains("SYDA_MODEL is not set"), "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_provider_is_502_without_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(
                json!({ "error": { "message": format!("Incorrect API key provided: {KEY}") } }),
            ),
        )
        .mount(&server)
        .await;
    let config = LlmConfig::new(Provider::OpenAiCompatible, MODEL)
        .api_key(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .retries(0)
        .backoff(Duration::from_millis(1), Duration::from_millis(1));
    let (c, key) = client_with(LlmSetup::Config(Box::new(config))).await;
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "schema": SHOP, "engine": "llm", "rows": 3 }),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_GATEWAY), "llm_failed");
    assert!(
        r.text.contains("401") || r.text.contains("Incorrect"),
        "{}",
        r.text
    );
    assert!(!r.text.contains(KEY), "{}", r.text);
    let audit = c.audit("e").await;
    let row = audit.iter().find(|t| t.operation == "generate").unwrap();
    assert_eq!((row.status.as_str(), row.http_status), ("error", 502));
    assert!(!serde_json::to_string(row).unwrap().contains(KEY));
}

/// Customers whose spend grows with their tier; a third are gold.
fn customer_model_json() -> Value {
    let rows = (0..300)
        .map(|i| {
            let gold = i % 3 == 0;
            vec![
                syda::Value::Int(i + 1),
                syda::Value::from(if gold { "gold" } else { "basic" }),
                syda::Value::Float(if gold { 900.0 } else { 100.0 } + (i % 50) as f64),
            ]
        })
        .collect();
    let source = Source::rows(
        "customers",
        vec!["id".into(), "tier".into(), "spend".into()],
        rows,
    );
    serde_json::from_str(&fit(&source).unwrap().to_json()).unwrap()
}

const WITH_ORDERS: &str = "tables:\n  customers:\n    columns:\n      id: { type: integer, primary_key: true }\n      tier: text\n      spend: float\n  orders:\n    columns:\n      id: { type: integer, primary_key: true }\n      customer_id: { type: integer, foreign_key: customers.id }\n      amount: { type: float, range: [1, 50] }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_engine_samples_posted_fitted_models() {
    let (c, key) = client_with(LlmSetup::Disabled).await;
    let model = customer_model_json();

    // The models alone: the schema is theirs.
    let request =
        json!({ "project": "e", "engine": "stats", "schema": null, "fitted": model, "rows": 300, "seed": 4 });
    let r = c.post("/generate", Some(&key), &request).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["engine"], "stats");
    let rows = body["tables"]["customers"].as_array().unwrap();
    assert_eq!(rows.len(), 300);
    let gold: Vec<&Value> = rows.iter().filter(|r| r["tier"] == "gold").collect();
    assert!(
        (60..=140).contains(&gold.len()),
        "about a third gold: {}",
        gold.len()
    );
    // The copula keeps tier and spend together.
    let mean =
        |rows: &[&Value]| rows.iter().map(|r| r["spend"].as_f64().unwrap()).sum::<f64>() / rows.len() as f64;
    let basic: Vec<&Value> = rows.iter().filter(|r| r["tier"] == "basic").collect();
    assert!(
        mean(&gold) > mean(&basic) + 150.0,
        "{} vs {}",
        mean(&gold),
        mean(&basic)
    );
    let again = c.post("/generate", Some(&key), &request).await;
    assert_eq!(again.text, r.text, "same seed, same rows");

    // With a schema: the modelled table from the model, the rest offline, keys intact.
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "engine": "stats", "fitted": [model], "schema": WITH_ORDERS,
                     "sizes": { "customers": 40, "orders": 120 } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    let customers: HashSet<i64> = body["tables"]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert!(["gold", "basic"].contains(&c["tier"].as_str().unwrap()), "{c}");
            c["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(customers.len(), 40);
    let orders = body["tables"]["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 120);
    assert!(
        orders
            .iter()
            .all(|o| customers.contains(&o["customer_id"].as_i64().unwrap()))
    );

    // Mistakes.
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "engine": "stats", "schema": SHOP }),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "missing_model");
    assert!(r.text.contains("/upload/generate"), "{}", r.text);
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "engine": "stats", "schema": null, "fitted": { "format": 99, "table": "x" } }),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_model");
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "schema": SHOP, "fitted": model }),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "unexpected_field");
    let r = c.post("/generate", Some(&key), &json!({ "project": "e" })).await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_body");
    assert!(r.text.contains("schema"), "{}", r.text);

    // The audit row names the fitted tables, not the models.
    let audit = c.audit("e").await;
    let ok = audit
        .iter()
        .find(|t| t.operation == "generate" && t.status == "ok")
        .unwrap();
    assert_eq!(ok.parameters["fitted"], json!(["customers"]));
}

fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let cov: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let vx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let vy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

/// Staff whose salary follows their age closely.
fn staff_rows(n: usize) -> Vec<Vec<String>> {
    let mut rows = vec![vec!["id".into(), "age".into(), "salary".into(), "dept".into()]];
    for i in 0..n {
        let age = 20 + (i * 7) % 45;
        rows.push(vec![
            (i + 1).to_string(),
            age.to_string(),
            (age * 1000 + (i * 37) % 500).to_string(),
            ["sales", "ops", "it"][i % 3].to_owned(),
        ]);
    }
    rows
}

fn age_salary_correlation(rows: &[Value]) -> f64 {
    let num = |v: &Value| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    let ages: Vec<f64> = rows.iter().map(|r| num(&r["age"])).collect();
    let salaries: Vec<f64> = rows.iter().map(|r| num(&r["salary"])).collect();
    pearson(&ages, &salaries)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_fitted_by_the_statistical_engine() {
    let (c, key) = client_with(LlmSetup::Disabled).await;
    let csv: String = staff_rows(300).iter().map(|r| r.join(",") + "\n").collect();
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[("project", "e"), ("seed", "9")],
            ("staff.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["engine"], "stats");
    assert_eq!(body["fit"]["staff"], json!({ "method": "stats", "rows": 300 }));
    let rows = body["tables"]["staff"].as_array().unwrap();
    assert_eq!(rows.len(), 300);
    let rho = age_salary_correlation(rows);
    assert!(
        rho > 0.8,
        "the fitted copula keeps age and salary together: {rho}"
    );
    for row in rows {
        assert!(
            ["sales", "ops", "it"].contains(&row["dept"].as_str().unwrap()),
            "{row}"
        );
    }
    let audit = c.audit("e").await;
    assert_eq!(audit[0].parameters["fit"]["staff"]["method"], "stats");

    // A header without rows cannot be fitted: the inferred schema is used, and said so.
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[("project", "e"), ("rows", "5")],
            ("empty.csv", b"id,name\n"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["engine"], "offline");
    assert_eq!(body["fit"]["empty"]["method"], "inferred");
    assert!(
        body["fit"]["empty"]["reason"]
            .as_str()
            .unwrap()
            .contains("no rows"),
        "{body}"
    );
    assert_eq!(body["tables"]["empty"].as_array().unwrap().len(), 5);

    // XLSX: each sheet on its own.
    let book = common::xlsx(&[
        ("staff", staff_rows(200)),
        ("blank", vec![vec!["a".into(), "b".into()]]),
    ]);
    let r = c
        .upload(
            "/upload/unstructured/generate",
            Some(&key),
            &[("project", "e"), ("seed", "2")],
            ("book.xlsx", &book),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["engine"], "stats");
    assert_eq!(body["fit"]["staff"]["method"], "stats");
    assert_eq!(body["fit"]["blank"]["method"], "inferred");
    let rows = body["tables"]["staff"].as_array().unwrap();
    assert_eq!(rows.len(), 200);
    let rho = age_salary_correlation(rows);
    assert!(rho > 0.8, "{rho}");
    assert_eq!(body["rows"]["blank"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_jobs_report_usage_in_the_result_and_their_audit_row() {
    let schema = Schema::from_yaml_str(SHOP).unwrap();
    let fake = FakeOpenAi::start(schema.table("customers").unwrap()).await;
    let mut db = common::sqlite().await;
    db.config.llm = fake.variables();
    db.config.job_threshold_rows = 5;
    let c = Client::start(db).await;
    let key = c.project_key("e").await;
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "e", "schema": SHOP, "engine": "llm", "rows": 30 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let id = r.json()["job_id"].as_str().unwrap().to_owned();
    let started = std::time::Instant::now();
    loop {
        let status = c.get(&format!("/jobs/{id}"), Some(&key)).await.json();
        match status["status"].as_str().unwrap() {
            "succeeded" => break,
            "running" if started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => panic!("job {other}: {status}"),
        }
    }
    let result = c.get(&format!("/jobs/{id}/result"), Some(&key)).await.json();
    assert_eq!(result["tables"]["customers"].as_array().unwrap().len(), 30);
    let requests = fake.bodies.lock().unwrap().len() as u64;
    assert_eq!(result["usage"]["requests"], requests);
    assert_eq!(result["usage"]["rows"], 30);
    let audit = c.audit("e").await;
    let job_row = audit
        .iter()
        .find(|t| t.operation == "generate_job" && t.status == "succeeded")
        .unwrap();
    assert_eq!(job_row.parameters["usage"], result["usage"]);
}

#[tokio::test]
async fn openapi_documents_the_engines() {
    let (c, _key) = client_with(LlmSetup::Disabled).await;
    let doc = c.get("/openapi.json", None).await.json();
    let request = &doc["components"]["schemas"]["GenerateRequest"]["properties"];
    assert!(request["fitted"]["oneOf"].is_array(), "{request}");
    assert_eq!(
        doc["components"]["schemas"]["EngineName"]["enum"],
        json!(["offline", "llm", "stats"])
    );
    let response = &doc["components"]["schemas"]["GenerateResponse"]["properties"];
    assert!(
        response["usage"].is_object() && response["fit"].is_object(),
        "{response}"
    );
    let generate = &doc["paths"]["/generate"]["post"]["responses"];
    assert!(generate["502"].is_object(), "{generate}");
    assert!(
        generate["200"]["headers"]["x-syda-usage"].is_object(),
        "{generate}"
    );
    let required = doc["components"]["schemas"]["GenerateRequest"]["required"].to_string();
    assert!(required.contains("\"schema\""), "{required}");
    let null_allowed = request["schema"]["oneOf"].to_string();
    assert!(null_allowed.contains("null"), "null with stats: {null_allowed}");
}
