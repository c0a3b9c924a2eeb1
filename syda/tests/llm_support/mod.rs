//! A fake model behind an in-process mock server (wiremock) speaking each
//! provider's real wire format, with scripted faults.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value as Json, json};
use syda::engine::OfflineEngine;
use syda::engine::llm::{LlmConfig, LlmEngine, Provider, RowFormat};
use syda::{Schema, Table};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const KEY: &str = "sk-test-0123456789abcdef";
pub(crate) const MODEL: &str = "gpt-4o-mini";

/// A table with every kind of constraint the engine validates.
pub(crate) const EMPLOYEES: &str = r#"
tables:
  employees:
    doc: Company employee with their work details.
    columns:
      id:     { type: integer, primary_key: true }
      email:  { type: text, unique: true, max_length: 60, doc: Work email address }
      age:    { type: integer, range: [18, 70], doc: Age in years }
      status: { type: text, one_of: [Active, Inactive], doc: Employment status }
      badge:  { type: text, pattern: "EMP-[0-9]{4}", unique: true, doc: Badge number }
      salary: { type: float, nullable: true, range: [30000, 250000], doc: Annual salary in USD }
"#;

pub(crate) fn employees() -> Schema {
    Schema::from_yaml_str(EMPLOYEES).unwrap()
}

pub(crate) fn crm() -> Schema {
    Schema::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/schemas/crm.yaml"
    ))
    .unwrap()
}

/// One request as the fake model sees it.
pub(crate) struct Call {
    /// 0 for the first request.
    pub index: usize,
    /// Rows the prompt asks for.
    pub asked: usize,
    /// The user prompt.
    pub prompt: String,
    /// Valid, fresh rows (never seen before) in the asked format, `asked` of them.
    pub good: Vec<Json>,
}

/// What the fake model answers.
pub(crate) enum Reply {
    /// `{"rows": rows}` as the model's text.
    Rows(Vec<Json>),
    /// The model's text as given.
    Text(String),
    /// The model's text, stopped at the token limit.
    Truncated(String),
    /// An HTTP error with an optional `Retry-After`.
    Status(u16, Option<&'static str>),
    /// The reply after a delay.
    Slow(Duration, Box<Reply>),
}

type Script = dyn Fn(&Call) -> Reply + Send + Sync;

pub(crate) struct FakeModel {
    provider: Provider,
    table: Table,
    format: RowFormat,
    encoder: LlmEngine,
    source: OfflineEngine,
    next_row: AtomicU64,
    calls: AtomicUsize,
    script: Box<Script>,
    pub bodies: Mutex<Vec<Json>>,
}

impl FakeModel {
    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn good_rows(&self, n: usize) -> Vec<Json> {
        let start = self.next_row.fetch_add(n as u64, Ordering::SeqCst);
        // Tables the offline engine cannot fill alone (a named generator)
        // get no ready-made rows; their scripts write their own.
        let Ok(rows) = self
            .source
            .rows_range(&self.table, start..start + n as u64)
            .and_then(|rows| rows.collect::<syda::Result<Vec<syda::Row>>>())
        else {
            return Vec::new();
        };
        let text = self.encoder.encode_answer(&self.table, &rows, self.format);
        let parsed: Json = serde_json::from_str(&text).unwrap();
        parsed["rows"].as_array().unwrap().clone()
    }

    fn prompt_of(&self, body: &Json) -> String {
        let text = match self.provider {
            Provider::OpenAi | Provider::OpenAiCompatible => &body["messages"][1]["content"],
            Provider::Anthropic => &body["messages"][0]["content"],
            Provider::Gemini => &body["contents"][0]["parts"][0]["text"],
        };
        text.as_str().unwrap_or_default().to_owned()
    }

    fn wrap(&self, text: String, truncated: bool) -> Json {
        let output_tokens = (text.len() / 4) as u64;
        match self.provider {
            Provider::OpenAi | Provider::OpenAiCompatible => json!({
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": 1_764_300_000,
                "model": MODEL,
                "choices": [{
                    "index": 0,
                    "message": { "role": "assistant", "content": text, "refusal": null },
                    "finish_reason": if truncated { "length" } else { "stop" },
                }],
                "usage": { "prompt_tokens": 300, "completion_tokens": output_tokens, "total_tokens": 300 + output_tokens },
            }),
            Provider::Anthropic => {
                // A forced tool call carries parsed JSON; anything else comes back as text.
                let content = match serde_json::from_str::<Json>(&text) {
                    Ok(input) if input.is_object() && !truncated => {
                        json!([{ "type": "tool_use", "id": "toolu_01", "name": "emit_rows", "input": input }])
                    }
                    _ => json!([{ "type": "text", "text": text }]),
                };
                json!({
                    "id": "msg_01",
                    "type": "message",
                    "role": "assistant",
                    "model": MODEL,
                    "content": content,
                    "stop_reason": if truncated { "max_tokens" } else { "tool_use" },
                    "stop_sequence": null,
                    "usage": { "input_tokens": 300, "output_tokens": output_tokens },
                })
            }
            Provider::Gemini => json!({
                "candidates": [{
                    "content": { "role": "model", "parts": [{ "text": text }] },
                    "finishReason": if truncated { "MAX_TOKENS" } else { "STOP" },
                    "index": 0,
                }],
                "usageMetadata": {
                    "promptTokenCount": 300,
                    "candidatesTokenCount": output_tokens,
                    "totalTokenCount": 300 + output_tokens,
                },
                "modelVersion": MODEL,
            }),
        }
    }

    fn render(&self, reply: Reply) -> ResponseTemplate {
        match reply {
            Reply::Rows(rows) => self.render(Reply::Text(json!({ "rows": rows }).to_string())),
            Reply::Text(text) => ResponseTemplate::new(200).set_body_json(self.wrap(text, false)),
            Reply::Truncated(text) => ResponseTemplate::new(200).set_body_json(self.wrap(text, true)),
            Reply::Status(status, retry_after) => {
                let mut t = ResponseTemplate::new(status)
                    .set_body_json(json!({ "error": { "message": format!("fake error {status}") } }));
                if let Some(after) = retry_after {
                    t = t.insert_header("retry-after", after);
                }
                t
            }
            Reply::Slow(delay, reply) => self.render(*reply).set_delay(delay),
        }
    }
}

struct Responder(Arc<FakeModel>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let model = &self.0;
        let body: Json = serde_json::from_slice(&request.body).unwrap();
        model.bodies.lock().unwrap().push(body.clone());
        let index = model.calls.fetch_add(1, Ordering::SeqCst);
        let prompt = model.prompt_of(&body);
        let asked = prompt
            .split("Generate ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let call = Call {
            index,
            asked,
            good: model.good_rows(asked),
            prompt,
        };
        model.render((model.script)(&call))
    }
}

/// A running mock server with a fake model for `table`.
pub(crate) struct Fake {
    pub server: MockServer,
    pub model: Arc<FakeModel>,
}

impl Fake {
    /// Starts a server for `provider` answering with `script`.
    pub(crate) async fn start(
        provider: Provider,
        table: &Table,
        format: RowFormat,
        script: impl Fn(&Call) -> Reply + Send + Sync + 'static,
    ) -> Fake {
        let server = MockServer::start().await;
        let model = Arc::new(FakeModel {
            provider,
            table: table.clone(),
            format,
            encoder: LlmEngine::new(LlmConfig::new(provider, MODEL)),
            source: OfflineEngine::new().with_seed(99),
            next_row: AtomicU64::new(0),
            calls: AtomicUsize::new(0),
            script: Box::new(script),
            bodies: Mutex::new(Vec::new()),
        });
        let (route, auth) = match provider {
            Provider::OpenAi | Provider::OpenAiCompatible => (
                "/v1/chat/completions".to_owned(),
                ("authorization", format!("Bearer {KEY}")),
            ),
            Provider::Anthropic => ("/v1/messages".to_owned(), ("x-api-key", KEY.to_owned())),
            Provider::Gemini => (
                format!("/v1beta/models/{MODEL}:generateContent"),
                ("x-goog-api-key", KEY.to_owned()),
            ),
        };
        Mock::given(method("POST"))
            .and(path(route))
            .and(header(auth.0, auth.1.as_str()))
            .respond_with(Responder(Arc::clone(&model)))
            .mount(&server)
            .await;
        Fake { server, model }
    }

    /// A configuration pointing at this server, with test-sized backoffs.
    pub(crate) fn config(&self, provider: Provider, format: RowFormat) -> LlmConfig {
        let base = match provider {
            Provider::OpenAi | Provider::OpenAiCompatible => format!("{}/v1", self.server.uri()),
            _ => self.server.uri(),
        };
        LlmConfig::new(provider, MODEL)
            .api_key(KEY)
            .base_url(base)
            .format(format)
            .backoff(Duration::from_millis(5), Duration::from_millis(20))
            .timeout(Duration::from_secs(5))
    }
}

/// Always the good rows.
pub(crate) fn good(call: &Call) -> Reply {
    Reply::Rows(call.good.clone())
}

/// One request a [`scripted`] server saw.
pub(crate) struct Seen {
    pub index: usize,
    pub body: Json,
    pub user_agent: String,
    pub headers: Vec<(String, String)>,
}

type Handler = dyn Fn(&Seen) -> ResponseTemplate + Send + Sync;

struct Scripted {
    calls: AtomicUsize,
    seen: Arc<Mutex<Vec<Json>>>,
    handler: Box<Handler>,
}

impl Respond for Scripted {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Json = serde_json::from_slice(&request.body).unwrap_or(Json::Null);
        self.seen.lock().unwrap().push(body.clone());
        let headers = request
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect::<Vec<_>>();
        let user_agent = headers
            .iter()
            .find(|(k, _)| k == "user-agent")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let seen = Seen {
            index: self.calls.fetch_add(1, Ordering::SeqCst),
            body,
            user_agent,
            headers,
        };
        (self.handler)(&seen)
    }
}

/// A mock server answering every POST with `handler`; the bodies it saw.
pub(crate) async fn scripted(
    handler: impl Fn(&Seen) -> ResponseTemplate + Send + Sync + 'static,
) -> (MockServer, Arc<Mutex<Vec<Json>>>) {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .respond_with(Scripted {
            calls: AtomicUsize::new(0),
            seen: Arc::clone(&seen),
            handler: Box::new(handler),
        })
        .mount(&server)
        .await;
    (server, seen)
}

/// An OpenAI Chat Completions 200 with `content`, `finish_reason` and usage.
pub(crate) fn openai_reply(
    content: Option<&str>,
    refusal: Option<&str>,
    finish: &str,
    output_tokens: u64,
) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_764_300_000,
        "model": MODEL,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content, "refusal": refusal },
            "finish_reason": finish,
        }],
        "usage": { "prompt_tokens": 200, "completion_tokens": output_tokens, "total_tokens": 200 + output_tokens },
    }))
}

/// The OpenAI error body for `status` (`param` and `code` as the API sets them).
pub(crate) fn openai_error(status: u16, message: &str, param: Option<&str>, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": { "message": message, "type": "invalid_request_error", "param": param, "code": code }
    }))
}

/// Valid compact rows for the `employees` table, `n` of them, from `from`.
pub(crate) fn employee_rows(from: usize, n: usize) -> Vec<Json> {
    (from..from + n)
        .map(|i| {
            json!([
                format!("worker{i}@example.com"),
                30,
                "Active",
                format!("EMP-{:04}", i),
                null
            ])
        })
        .collect()
}

/// Rows the prompt of an OpenAI-style `body` asks for.
pub(crate) fn asked(body: &Json) -> usize {
    let prompt = body["messages"][1]["content"]
        .as_str()
        .or_else(|| body["messages"][0]["content"].as_str())
        .or_else(|| body["contents"][0]["parts"][0]["text"].as_str())
        .unwrap_or_default();
    prompt
        .split("Generate ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The real model server the tests may use (`SYDA_TEST_LLM_URL`,
/// `SYDA_TEST_LLM_MODEL`, as `scripts/local-llm-env.sh` prints them): `None`
/// with a note when unset, a panic when unset under `CI=true`.
pub(crate) fn local_model(test: &str) -> Option<(String, String)> {
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.trim().is_empty());
    match (var("SYDA_TEST_LLM_URL"), var("SYDA_TEST_LLM_MODEL")) {
        (Some(url), Some(model)) => Some((url, model)),
        _ if var("CI").as_deref() == Some("true") => {
            panic!(
                "{test}: CI=true but SYDA_TEST_LLM_URL / SYDA_TEST_LLM_MODEL are not set: start the model server (scripts/local-llm-env.sh)"
            )
        }
        _ => {
            eprintln!(
                "{test}: skipped, no real model (set SYDA_TEST_LLM_URL and SYDA_TEST_LLM_MODEL; see scripts/local-llm-env.sh)"
            );
            None
        }
    }
}

/// A configuration for the real model server: one request at a time, long
/// timeouts (a 135M model on a busy CPU writes a few tokens a second).
pub(crate) fn local_config(url: &str, model: &str) -> LlmConfig {
    LlmConfig::new(Provider::OpenAiCompatible, model)
        .base_url(url)
        .concurrency(1)
        .retries(1)
        .max_tokens(1024)
        .timeout(Duration::from_secs(900))
}
