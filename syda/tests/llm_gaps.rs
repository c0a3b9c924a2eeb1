//! The provider gaps found by auditing the request bodies against each
//! provider's contract, each against a mock server answering with that
//! provider's real wire format and error bodies.
#![cfg(feature = "llm")]

mod llm_support;

use std::time::Duration;

use llm_support::{KEY, MODEL, Seen, asked, employee_rows, employees, openai_error, openai_reply, scripted};
use serde_json::{Value as Json, json};
use syda::engine::llm::{CacheMode, LlmConfig, LlmEngine, Provider, ResponseFormat, RowFormat};
use syda::{Dataset, Schema};
use wiremock::ResponseTemplate;

fn config(provider: Provider, base: String) -> LlmConfig {
    LlmConfig::new(provider, MODEL)
        .api_key(KEY)
        .base_url(base)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .timeout(Duration::from_secs(5))
}

fn rows_text(rows: Vec<Json>) -> String {
    json!({ "rows": rows }).to_string()
}

fn assert_valid(schema: &Schema, rows: Vec<syda::Row>, n: usize) {
    assert_eq!(rows.len(), n);
    let report = syda::check::check(&Dataset::from_tables(schema.clone(), vec![rows]).unwrap());
    assert!(report.is_clean(), "{report}");
}

#[tokio::test]
async fn refusals_empty_unparsable_and_cut_off_replies_are_billed() {
    // Four billed replies without a usable row, then a good one.
    let (server, _) = scripted(|seen: &Seen| match seen.index {
        0 => openai_reply(None, Some("I can't help with that."), "stop", 7),
        1 => openai_reply(Some(""), None, "stop", 1),
        2 => openai_reply(Some("Here are your rows: none, sorry"), None, "stop", 9),
        3 => openai_reply(Some("{\"rows\": [[\"a@b.c\", 3"), None, "length", 50),
        _ => openai_reply(
            Some(&rows_text(employee_rows(seen.index * 10, asked(&seen.body)))),
            None,
            "stop",
            40,
        ),
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let engine = LlmEngine::new(
        config(Provider::OpenAiCompatible, format!("{}/v1", server.uri()))
            .max_attempts(5)
            .price(MODEL, 1.0, 2.0),
    );
    let out = engine.rows_async(table, 3).await.unwrap();
    assert_valid(&schema, out.rows, 3);
    // After four misses the ask is down to one row, then doubles: 1 + 2.
    assert_eq!(out.usage.requests, 6);
    assert_eq!(out.usage.input_tokens, 6 * 200);
    assert_eq!(out.usage.output_tokens, 7 + 1 + 9 + 50 + 40 + 40);
    let cost = out.usage.cost_usd.unwrap();
    assert!(
        (cost - (1200.0 * 1.0 + 147.0 * 2.0) / 1e6).abs() < 1e-12,
        "{cost}"
    );
}

#[tokio::test]
async fn gemini_thinking_tokens_are_billed_and_budgeted_on_top_of_the_answer() {
    let (server, bodies) = scripted(|seen: &Seen| {
        let text = rows_text(employee_rows(0, asked(&seen.body)));
        ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{
                "content": { "role": "model", "parts": [
                    { "text": "Considering plausible employees…", "thought": true },
                    { "text": text },
                ] },
                "finishReason": "STOP",
                "index": 0,
            }],
            "usageMetadata": {
                "promptTokenCount": 120,
                "candidatesTokenCount": 60,
                "thoughtsTokenCount": 300,
                "totalTokenCount": 480,
            },
            "modelVersion": "gemini-2.5-flash",
        }))
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let mut cfg = config(Provider::Gemini, server.uri()).max_tokens(1000);
    cfg.model = "gemini-2.5-flash".to_owned();
    let out = LlmEngine::new(cfg).rows_async(table, 2).await.unwrap();
    assert_valid(&schema, out.rows, 2);
    assert_eq!(out.usage.output_tokens, 360, "thinking is billed as output");
    let body = &bodies.lock().unwrap()[0];
    let generation = &body["generationConfig"];
    assert_eq!(generation["thinkingConfig"]["thinkingBudget"], 512);
    assert_eq!(
        generation["maxOutputTokens"], 1512,
        "the budget comes on top of the answer's limit"
    );
    assert!(generation["responseJsonSchema"].is_object());
}

#[tokio::test]
async fn a_gemini_reply_emptied_by_thinking_is_billed_and_asked_again() {
    let (server, _) = scripted(|seen: &Seen| {
        if seen.index == 0 {
            return ResponseTemplate::new(200).set_body_json(json!({
                "candidates": [{ "content": { "role": "model" }, "finishReason": "MAX_TOKENS", "index": 0 }],
                "usageMetadata": { "promptTokenCount": 120, "thoughtsTokenCount": 4096, "totalTokenCount": 4216 },
            }));
        }
        let text = rows_text(employee_rows(seen.index * 10, asked(&seen.body)));
        ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{ "content": { "role": "model", "parts": [{ "text": text }] }, "finishReason": "STOP" }],
            "usageMetadata": { "promptTokenCount": 120, "candidatesTokenCount": 50, "totalTokenCount": 170 },
        }))
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let out = LlmEngine::new(config(Provider::Gemini, server.uri()))
        .rows_async(table, 2)
        .await
        .unwrap();
    assert_valid(&schema, out.rows, 2);
    // The empty reply is billed; the ask is halved, then doubled again.
    assert_eq!(out.usage.requests, 3);
    assert_eq!(out.usage.output_tokens, 4096 + 50 + 50);
}

#[tokio::test]
async fn a_gemini_model_that_refuses_the_thinking_budget_is_asked_without_one() {
    let (server, bodies) = scripted(|seen: &Seen| {
        if seen.body["generationConfig"].get("thinkingConfig").is_some() {
            return ResponseTemplate::new(400).set_body_json(json!({
                "error": {
                    "code": 400,
                    "message": "Budget 0 is invalid. This model only works in thinking mode.",
                    "status": "INVALID_ARGUMENT",
                }
            }));
        }
        let text = rows_text(employee_rows(0, asked(&seen.body)));
        ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{ "content": { "role": "model", "parts": [{ "text": text }] }, "finishReason": "STOP" }],
            "usageMetadata": { "promptTokenCount": 120, "candidatesTokenCount": 50 },
        }))
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let mut cfg = config(Provider::Gemini, server.uri()).thinking_budget(Some(0));
    cfg.model = "gemini-2.5-pro-exp".to_owned();
    let out = LlmEngine::new(cfg).rows_async(table, 2).await.unwrap();
    assert_valid(&schema, out.rows, 2);
    assert_eq!(bodies.lock().unwrap().len(), 2);
    assert!(out.usage.to_string().contains("thinking budget"), "{}", out.usage);
}

/// DeepSeek's answer to `response_format: json_schema`.
fn deepseek_refusal() -> ResponseTemplate {
    openai_error(
        400,
        "This response_format type is unavailable now",
        None,
        "invalid_request_error",
    )
}

#[tokio::test]
async fn a_server_without_json_schema_is_asked_with_json_object_then_the_prompt_alone() {
    let (server, bodies) = scripted(|seen: &Seen| match seen.body["response_format"]["type"].as_str() {
        Some("json_schema") => deepseek_refusal(),
        Some("json_object") if seen.index < 3 => openai_error(
            400,
            "Invalid parameter: 'response_format' of type 'json_object' is not supported with this model.",
            Some("response_format"),
            "invalid_parameter",
        ),
        _ => openai_reply(Some(&rows_text(employee_rows(seen.index * 10, asked(&seen.body)))), None, "stop", 30),
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let engine = LlmEngine::new(
        config(Provider::OpenAiCompatible, format!("{}/v1", server.uri()))
            .batch_size(2)
            .concurrency(1),
    );
    let out = engine.rows_async(table, 4).await.unwrap();
    assert_valid(&schema, out.rows, 4);
    let bodies = bodies.lock().unwrap();
    let formats: Vec<Option<&str>> = bodies
        .iter()
        .map(|b| b["response_format"]["type"].as_str())
        .collect();
    // Learned once: the second batch goes straight to the prompt alone.
    assert_eq!(formats, [Some("json_schema"), Some("json_object"), None, None]);
    let shown = out.usage.to_string();
    assert!(
        shown.contains("refused response_format json-schema; asking with json-object"),
        "{shown}"
    );
    assert!(shown.contains("asking with prompt"), "{shown}");
    // The prompt alone still says how to answer.
    assert!(
        bodies[2]["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("{\"rows\": [...]}")
    );
}

#[tokio::test]
async fn the_response_format_can_be_chosen_up_front() {
    let (server, bodies) = scripted(|seen: &Seen| {
        openai_reply(
            Some(&rows_text(employee_rows(0, asked(&seen.body)))),
            None,
            "stop",
            30,
        )
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let engine = LlmEngine::new(
        config(Provider::OpenAiCompatible, format!("{}/v1", server.uri()))
            .response_format(ResponseFormat::JsonObject),
    );
    engine.rows_async(table, 2).await.unwrap();
    assert_eq!(
        bodies.lock().unwrap()[0]["response_format"],
        json!({ "type": "json_object" })
    );
}

#[tokio::test]
async fn max_tokens_refused_by_a_reasoning_deployment_becomes_max_completion_tokens() {
    let (server, bodies) = scripted(|seen: &Seen| {
        if seen.body.get("max_tokens").is_some() {
            return openai_error(
                400,
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                Some("max_tokens"),
                "unsupported_parameter",
            );
        }
        openai_reply(Some(&rows_text(employee_rows(0, asked(&seen.body)))), None, "stop", 30)
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    // An Azure o-series deployment behind an OpenAI-compatible URL.
    let engine = LlmEngine::new(config(Provider::OpenAiCompatible, format!("{}/v1", server.uri())));
    let out = engine.rows_async(table, 2).await.unwrap();
    assert_valid(&schema, out.rows, 2);
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies[1]["max_completion_tokens"], 4096);
    assert!(bodies[1].get("max_tokens").is_none());
    // And it can be set outright.
    let named = LlmEngine::new(
        LlmConfig::new(Provider::OpenAi, "o4-mini")
            .api_key(KEY)
            .token_limit_param("max_output_tokens"),
    );
    assert_eq!(named.preview(table, 1).body["max_output_tokens"], 4096);
}

#[tokio::test]
async fn anthropic_tools_are_strict_and_a_refusal_of_strict_drops_it() {
    let (server, bodies) = scripted(|seen: &Seen| {
        if seen.body["tools"][0].get("strict").is_some() {
            return ResponseTemplate::new(400).set_body_json(json!({
                "type": "error",
                "error": { "type": "invalid_request_error", "message": "tools.0.custom.strict: Extra inputs are not permitted" },
                "request_id": "req_011CTest",
            }));
        }
        let rows: Vec<Json> = employee_rows(0, asked(&seen.body));
        ResponseTemplate::new(200).set_body_json(json!({
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [{ "type": "tool_use", "id": "toolu_01", "name": "emit_rows", "input": { "rows": rows } }],
            "stop_reason": "tool_use",
            "stop_sequence": null,
            "usage": { "input_tokens": 300, "output_tokens": 80, "cache_read_input_tokens": 0 },
        }))
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let engine = LlmEngine::new(config(Provider::Anthropic, server.uri()).format(RowFormat::Compact));
    let out = engine.rows_async(table, 2).await.unwrap();
    assert_valid(&schema, out.rows, 2);
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies[0]["tools"][0]["strict"], true);
    assert!(bodies[1]["tools"][0].get("strict").is_none());
    assert_eq!(out.usage.input_tokens, 300, "only the 200 is billed");
}

#[tokio::test]
async fn every_request_names_syda_in_its_user_agent() {
    let agents = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_agents = std::sync::Arc::clone(&agents);
    let (server, _) = scripted(move |seen: &Seen| {
        seen_agents.lock().unwrap().push(seen.user_agent.clone());
        openai_reply(
            Some(&rows_text(employee_rows(0, asked(&seen.body)))),
            None,
            "stop",
            30,
        )
    })
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    LlmEngine::new(config(Provider::OpenAiCompatible, format!("{}/v1", server.uri())))
        .rows_async(table, 2)
        .await
        .unwrap();
    let agents = agents.lock().unwrap();
    assert!(agents[0].starts_with("syda/"), "{:?}", agents[0]);
}

#[tokio::test]
async fn columns_named_type_format_and_enum_survive_the_gemini_schema() {
    let schema = Schema::from_yaml_str(
        r#"
tables:
  things:
    columns:
      id:     { type: integer, primary_key: true }
      type:   { type: text, one_of: [a, b] }
      format: { type: integer, range: [1, 9] }
      enum:   { type: date, nullable: true }
"#,
    )
    .unwrap();
    let table = schema.table("things").unwrap();
    let (server, bodies) = scripted(|seen: &Seen| {
        let rows: Vec<Json> = (0..asked(&seen.body)).map(|i| json!(["a", i + 1, "2024-01-02"])).collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{ "content": { "role": "model", "parts": [{ "text": rows_text(rows) }] }, "finishReason": "STOP" }],
            "usageMetadata": { "promptTokenCount": 50, "candidatesTokenCount": 20 },
        }))
    })
    .await;
    let out = LlmEngine::new(config(Provider::Gemini, server.uri()))
        .rows_async(table, 3)
        .await
        .unwrap();
    assert_valid(&schema, out.rows, 3);
    let body = &bodies.lock().unwrap()[0];
    let cells = &body["generationConfig"]["responseJsonSchema"]["properties"]["rows"]["items"]["prefixItems"];
    assert_eq!(cells[0]["enum"], json!(["a", "b"]));
    assert_eq!(cells[1]["type"], "integer");
    assert_eq!(cells[1]["maximum"], 9);
    assert_eq!(cells[2]["format"], "date");
}

#[test]
fn default_models_are_current() {
    let lookup =
        |key: &'static str, value: &'static str| move |name: &str| (name == key).then(|| value.to_owned());
    let gemini = LlmConfig::from_lookup(lookup("GEMINI_API_KEY", "g")).unwrap();
    assert!(!gemini.model.starts_with("gemini-2."), "{}", gemini.model);
    let anthropic = LlmConfig::from_lookup(lookup("ANTHROPIC_API_KEY", "a")).unwrap();
    assert_eq!(anthropic.model, "claude-haiku-4-5");
}

#[tokio::test]
async fn a_downgrade_is_recorded_so_a_replay_takes_the_same_steps() {
    let dir = tempfile::tempdir().unwrap();
    let (server, bodies) = scripted(
        |seen: &Seen| match seen.body["response_format"]["type"].as_str() {
            Some("json_schema") => deepseek_refusal(),
            _ => openai_reply(
                Some(&rows_text(employee_rows(0, asked(&seen.body)))),
                None,
                "stop",
                30,
            ),
        },
    )
    .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let record = config(Provider::OpenAiCompatible, format!("{}/v1", server.uri()))
        .cache(CacheMode::ReadWrite, dir.path());
    let first = LlmEngine::new(record.clone()).rows_async(table, 2).await.unwrap();
    assert_eq!(bodies.lock().unwrap().len(), 2);
    let replay = record.cache(CacheMode::ReplayOnly, dir.path());
    let again = LlmEngine::new(replay.clone()).rows_async(table, 2).await.unwrap();
    assert_eq!(again.rows, first.rows);
    assert_eq!(again.usage.requests, 0);
    assert_eq!(bodies.lock().unwrap().len(), 2, "the replay sent nothing");
}
