//! Each provider's wire format: the prompt and JSON request bodies
//! (snapshots), and a round trip against a mock server speaking it.
#![cfg(feature = "llm")]

mod llm_support;

use llm_support::{Fake, KEY, MODEL, crm, employees, good};
use serde_json::Value as Json;
use syda::engine::Generators;
use syda::engine::llm::{LlmConfig, LlmEngine, Provider, RowFormat};
use syda::{Dataset, Value};

fn engine(provider: Provider, format: RowFormat) -> LlmEngine {
    let mut config = LlmConfig::new(provider, MODEL).api_key(KEY).format(format);
    if provider == Provider::OpenAiCompatible {
        config = config.base_url("http://localhost:11434/v1");
    }
    LlmEngine::new(config).with_prompt("B2B software customers in Europe")
}

#[test]
fn prompt_has_the_seeds_shape_and_only_the_models_columns() {
    let schema = crm();
    let customers = schema.table("customers").unwrap();
    let preview = engine(Provider::OpenAi, RowFormat::Compact).preview(customers, 24);
    insta::assert_snapshot!("prompt_customers_compact", preview.prompt);
    let objects = engine(Provider::OpenAi, RowFormat::Objects).preview(customers, 24);
    insta::assert_snapshot!("prompt_customers_objects", objects.prompt);
}

#[test]
fn keys_foreign_keys_and_custom_generators_are_filled_locally() {
    let schema = crm();
    let contacts = schema.table("contacts").unwrap();
    let mut generators = Generators::new();
    generators.register_column("contacts", "phone", |_| Value::from("+1 555 0100"));
    let engine = engine(Provider::OpenAi, RowFormat::Compact).with_generators(generators);
    assert_eq!(
        engine.llm_columns(contacts),
        ["first_name", "last_name", "email", "position", "is_primary"]
    );
    let prompt = engine.preview(contacts, 5).prompt;
    assert!(!prompt.contains("customer_id"), "{prompt}");
    assert!(!prompt.contains("- phone"), "{prompt}");
    assert!(!prompt.contains("- id:"), "{prompt}");
}

#[test]
fn request_bodies_per_provider() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    for provider in Provider::ALL {
        for format in [RowFormat::Compact, RowFormat::Objects] {
            let preview = engine(provider, format).preview(table, 10);
            let name = format!("body_{}_{format:?}", provider.name()).to_lowercase();
            insta::assert_snapshot!(name, serde_json::to_string_pretty(&preview.body).unwrap());
            let shown = format!("{preview:?}");
            assert!(!shown.contains(KEY), "the preview leaves headers out");
        }
    }
}

#[test]
fn openai_strict_schema_requires_every_property_and_drops_unsupported_keywords() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let body = engine(Provider::OpenAi, RowFormat::Objects)
        .preview(table, 3)
        .body;
    let format = &body["response_format"]["json_schema"];
    assert_eq!(format["strict"], true);
    let row = &format["schema"]["properties"]["rows"]["items"];
    assert_eq!(row["additionalProperties"], false);
    let properties: Vec<&String> = row["properties"].as_object().unwrap().keys().collect();
    let required: Vec<&str> = row["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(properties, required);
    assert_eq!(
        row["properties"]["salary"]["type"],
        serde_json::json!(["number", "null"])
    );
    assert_eq!(row["properties"]["age"]["minimum"], 18);
    assert!(
        !body.to_string().contains("maxLength"),
        "OpenAI strict mode rejects maxLength"
    );
    // Anthropic: strict tool input, which takes no numeric bounds or lengths.
    let anthropic = engine(Provider::Anthropic, RowFormat::Objects)
        .preview(table, 3)
        .body;
    let tool = &anthropic["tools"][0];
    assert_eq!(tool["strict"], true);
    let email = &tool["input_schema"]["properties"]["rows"]["items"]["properties"]["email"];
    assert_eq!(email["format"], "email");
    assert!(email.get("maxLength").is_none(), "{email}");
    // Gemini: responseJsonSchema, JSON Schema types, bounds kept, no pattern.
    let gemini = engine(Provider::Gemini, RowFormat::Objects)
        .preview(table, 3)
        .body;
    let generation = &gemini["generationConfig"];
    assert!(generation.get("responseSchema").is_none());
    let salary = &generation["responseJsonSchema"]["properties"]["rows"]["items"]["properties"]["salary"];
    assert_eq!(salary["type"], serde_json::json!(["number", "null"]));
    assert_eq!(salary["maximum"], 250000);
    assert!(!gemini.to_string().contains("\"pattern\""));
}

#[test]
fn compact_rows_give_each_position_its_columns_schema_where_the_dialect_can() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let compatible = engine(Provider::OpenAiCompatible, RowFormat::Compact)
        .preview(table, 3)
        .body;
    let row = &compatible["response_format"]["json_schema"]["schema"]["properties"]["rows"]["items"];
    let cells = row["prefixItems"].as_array().expect("prefixItems");
    // email, age, status, badge, salary: one schema per position, in order.
    assert_eq!(cells.len(), 5);
    assert_eq!(row["minItems"], 5);
    assert_eq!(row["maxItems"], 5);
    assert_eq!(cells[0]["maxLength"], 60);
    assert_eq!(cells[0]["format"], "email");
    assert_eq!(cells[1]["type"], "integer");
    assert_eq!(cells[1]["minimum"], 18);
    assert_eq!(cells[2]["enum"], serde_json::json!(["Active", "Inactive"]));
    assert_eq!(cells[3]["pattern"], "^(EMP-[0-9]{4})$");
    assert_eq!(cells[4]["type"], serde_json::json!(["number", "null"]));
    // The row format follows the provider unless it is set.
    let default = |provider| {
        let mut config = LlmConfig::new(provider, MODEL);
        config.format = None;
        config.row_format()
    };
    assert_eq!(default(Provider::OpenAiCompatible), RowFormat::Compact);
    assert_eq!(default(Provider::Gemini), RowFormat::Compact);
    assert_eq!(default(Provider::OpenAi), RowFormat::Objects);
    assert_eq!(default(Provider::Anthropic), RowFormat::Objects);
}

#[test]
fn urls_per_provider() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let url = |config: LlmConfig| LlmEngine::new(config).preview(table, 1).url;
    assert_eq!(
        url(LlmConfig::new(Provider::OpenAi, "m")),
        "https://api.openai.com/v1/chat/completions"
    );
    assert_eq!(
        url(LlmConfig::new(Provider::Anthropic, "m")),
        "https://api.anthropic.com/v1/messages"
    );
    assert_eq!(
        url(LlmConfig::new(Provider::Gemini, "gemini-2.5-flash")),
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    );
    assert_eq!(
        url(LlmConfig::new(Provider::OpenAiCompatible, "llama3.1").base_url("http://localhost:11434/v1/")),
        "http://localhost:11434/v1/chat/completions"
    );
    let azure =
        "https://acme.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21";
    assert_eq!(
        url(LlmConfig::new(Provider::OpenAiCompatible, "gpt-4o").base_url(azure)),
        azure
    );
}

async fn round_trip(provider: Provider, format: RowFormat) {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let fake = Fake::start(provider, table, format, good).await;
    let engine = LlmEngine::new(fake.config(provider, format).batch_size(10));
    let out = engine.rows_async(table, 25).await.unwrap();
    assert_eq!(out.rows.len(), 25);
    assert_eq!(fake.model.calls(), 3, "{provider}: 25 rows in batches of 10");
    assert_eq!(out.usage.requests, 3);
    assert_eq!(out.usage.input_tokens, 900);
    assert!(out.usage.output_tokens > 0);
    assert_eq!(out.usage.rejected_rows, 0);
    let ids: Vec<&Value> = out.rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids[0], &Value::Int(1));
    assert_eq!(ids[24], &Value::Int(25));
    let data = Dataset::from_tables(schema.clone(), vec![out.rows]).unwrap();
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{provider}: {report}");
}

#[tokio::test]
async fn openai_round_trip() {
    round_trip(Provider::OpenAi, RowFormat::Compact).await;
    round_trip(Provider::OpenAi, RowFormat::Objects).await;
}

#[tokio::test]
async fn openai_compatible_round_trip() {
    round_trip(Provider::OpenAiCompatible, RowFormat::Compact).await;
}

#[tokio::test]
async fn anthropic_round_trip() {
    round_trip(Provider::Anthropic, RowFormat::Compact).await;
    round_trip(Provider::Anthropic, RowFormat::Objects).await;
}

#[tokio::test]
async fn gemini_round_trip() {
    round_trip(Provider::Gemini, RowFormat::Compact).await;
    round_trip(Provider::Gemini, RowFormat::Objects).await;
}

#[tokio::test]
async fn the_sent_body_is_the_previewed_body() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let fake = Fake::start(Provider::Anthropic, table, RowFormat::Compact, good).await;
    let engine = LlmEngine::new(fake.config(Provider::Anthropic, RowFormat::Compact)).with_prompt("Nurses");
    engine.rows_async(table, 4).await.unwrap();
    let sent: Json = fake.model.bodies.lock().unwrap()[0].clone();
    assert_eq!(sent, engine.preview(table, 4).body);
}
