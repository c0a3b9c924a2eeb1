//! The providers' wire formats behind one small trait: where to send a
//! request, its headers and JSON body, how to read the answer and what it
//! cost, and which parameter to give up when a server refuses one.

use serde_json::{Value as Json, json};

use super::config::{LlmConfig, Provider, ResponseFormat};
use super::schema::Dialect;

/// One request, provider-neutral.
pub(crate) struct Ask<'a> {
    pub(crate) system: &'a str,
    pub(crate) user: &'a str,
    /// The answer's schema, already in the provider's dialect.
    pub(crate) schema: &'a Json,
}

/// What a successful answer holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Answer {
    /// The model's text: JSON, possibly with prose around it or cut off.
    pub(crate) text: String,
    /// The model stopped at the output token limit.
    pub(crate) truncated: bool,
}

/// Tokens one reply was billed for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Billed {
    pub(crate) input: u64,
    /// Output tokens, thinking tokens included.
    pub(crate) output: u64,
}

/// The request parameters a server may refuse, and so the ones the engine
/// adapts as it learns what the server takes. Shared by a run's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mode {
    pub(crate) response_format: ResponseFormat,
    /// Body field of the output token limit (OpenAI-style servers).
    pub(crate) token_limit: String,
    pub(crate) strict_tools: bool,
    pub(crate) thinking: Option<u32>,
}

impl Mode {
    pub(crate) fn new(config: &LlmConfig) -> Mode {
        let token_limit = config.token_limit_param.clone().unwrap_or_else(|| {
            // OpenAI renamed the limit (o-series and later refuse `max_tokens`);
            // compatible servers know the old name.
            if config.provider == Provider::OpenAi {
                "max_completion_tokens".to_owned()
            } else {
                "max_tokens".to_owned()
            }
        });
        Mode {
            response_format: config.response_format,
            token_limit,
            strict_tools: config.strict_tools,
            thinking: config.thinking_budget,
        }
    }
}

/// A provider's wire format.
pub(crate) trait Wire: Send + Sync {
    /// The schema dialect the provider accepts.
    fn dialect(&self) -> Dialect;
    /// The full URL of a request.
    fn url(&self, config: &LlmConfig) -> String;
    /// Headers, the key among them (never in the URL).
    fn headers(&self, config: &LlmConfig, mode: &Mode) -> Vec<(&'static str, String)>;
    /// The JSON body.
    fn body(&self, config: &LlmConfig, ask: &Ask<'_>, mode: &Mode) -> Json;
    /// The model's answer in a 200 response body; `Err` when the body has no
    /// answer (a refusal, a blocked prompt, an empty reply), with the reason.
    fn answer(&self, response: &Json) -> Result<Answer, String>;
    /// What a 200 response was billed, whether or not it holds an answer.
    fn billed(&self, response: &Json) -> Billed;
    /// After a 400 whose body is `message`: the parameter to give up, changed
    /// in `mode`, and a note saying so; `None` when the refusal is about
    /// something else.
    fn downgrade(&self, mode: &mut Mode, message: &str) -> Option<String>;
}

/// The wire format of `provider`.
pub(crate) fn wire(provider: Provider) -> &'static dyn Wire {
    match provider {
        Provider::OpenAi => &OpenAi { compatible: false },
        Provider::OpenAiCompatible => &OpenAi { compatible: true },
        Provider::Anthropic => &Anthropic,
        Provider::Gemini => &Gemini,
    }
}

fn base(config: &LlmConfig) -> String {
    config
        .base_url
        .clone()
        .or_else(|| config.provider.default_base_url().map(str::to_owned))
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned()
}

fn tokens(value: &Json) -> u64 {
    value.as_u64().unwrap_or(0)
}

/// OpenAI Chat Completions, and every server speaking it.
struct OpenAi {
    compatible: bool,
}

impl Wire for OpenAi {
    fn dialect(&self) -> Dialect {
        if self.compatible {
            // llama.cpp, vLLM and Ollama compile the full schema into a grammar.
            Dialect::JsonSchema
        } else {
            Dialect::OpenAiStrict
        }
    }

    fn url(&self, config: &LlmConfig) -> String {
        let base = base(config);
        if base.contains("/chat/completions") {
            base
        } else {
            format!("{base}/chat/completions")
        }
    }

    fn headers(&self, config: &LlmConfig, _: &Mode) -> Vec<(&'static str, String)> {
        let Some(key) = &config.api_key else {
            return Vec::new();
        };
        // Azure OpenAI deployments take the key in `api-key`.
        if base(config).contains(".azure.com") {
            vec![("api-key", key.expose().to_owned())]
        } else {
            vec![("authorization", format!("Bearer {}", key.expose()))]
        }
    }

    fn body(&self, config: &LlmConfig, ask: &Ask<'_>, mode: &Mode) -> Json {
        let mut body = json!({
            "model": config.model,
            "messages": [
                { "role": "system", "content": ask.system },
                { "role": "user", "content": ask.user },
            ],
        });
        match mode.response_format {
            ResponseFormat::JsonSchema => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": { "name": "rows", "strict": true, "schema": ask.schema },
                });
            }
            ResponseFormat::JsonObject => body["response_format"] = json!({ "type": "json_object" }),
            ResponseFormat::Prompt => {}
        }
        body[mode.token_limit.as_str()] = json!(config.max_tokens);
        if let Some(t) = config.temperature {
            body["temperature"] = json!(t);
        }
        body
    }

    fn answer(&self, response: &Json) -> Result<Answer, String> {
        let choice = &response["choices"][0];
        let message = &choice["message"];
        if let Some(refusal) = message["refusal"].as_str() {
            return Err(format!("the model refused: {refusal}"));
        }
        let text = message["content"]
            .as_str()
            .ok_or("the response has no choices[0].message.content")?;
        Ok(Answer {
            text: text.to_owned(),
            truncated: choice["finish_reason"] == "length",
        })
    }

    fn billed(&self, response: &Json) -> Billed {
        // `completion_tokens` includes reasoning tokens.
        Billed {
            input: tokens(&response["usage"]["prompt_tokens"]),
            output: tokens(&response["usage"]["completion_tokens"]),
        }
    }

    fn downgrade(&self, mode: &mut Mode, message: &str) -> Option<String> {
        let lower = message.to_ascii_lowercase();
        if lower.contains("response_format")
            && let Some(weaker) = mode.response_format.weaker()
        {
            let note = format!(
                "the server refused response_format {}; asking with {}",
                mode.response_format.name(),
                weaker.name()
            );
            mode.response_format = weaker;
            return Some(note);
        }
        let other = if mode.token_limit == "max_tokens" {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        // "Unsupported parameter: 'max_tokens' is not supported with this
        // model. Use 'max_completion_tokens' instead."
        if lower.contains(&mode.token_limit) && lower.contains(other) {
            let note = format!("the server refused {}; sending {other}", mode.token_limit);
            mode.token_limit = other.to_owned();
            return Some(note);
        }
        None
    }
}

/// Anthropic Messages: the rows come back as the input of a forced tool call.
struct Anthropic;

/// The tool Anthropic models are made to call.
const TOOL: &str = "emit_rows";

/// The beta that introduced strict tool input.
const STRICT_BETA: &str = "structured-outputs-2025-11-13";

impl Wire for Anthropic {
    fn dialect(&self) -> Dialect {
        Dialect::AnthropicStrict
    }

    fn url(&self, config: &LlmConfig) -> String {
        let base = base(config);
        if base.ends_with("/v1") {
            format!("{base}/messages")
        } else {
            format!("{base}/v1/messages")
        }
    }

    fn headers(&self, config: &LlmConfig, mode: &Mode) -> Vec<(&'static str, String)> {
        let mut headers = vec![("anthropic-version", "2023-06-01".to_owned())];
        if mode.strict_tools {
            headers.push(("anthropic-beta", STRICT_BETA.to_owned()));
        }
        if let Some(key) = &config.api_key {
            headers.push(("x-api-key", key.expose().to_owned()));
        }
        headers
    }

    fn body(&self, config: &LlmConfig, ask: &Ask<'_>, mode: &Mode) -> Json {
        let mut tool = json!({
            "name": TOOL,
            "description": "Records the generated rows.",
            "input_schema": ask.schema,
        });
        if mode.strict_tools {
            tool["strict"] = json!(true);
        }
        let mut body = json!({
            "model": config.model,
            "max_tokens": config.max_tokens,
            "system": ask.system,
            "messages": [{ "role": "user", "content": ask.user }],
            "tools": [tool],
            "tool_choice": { "type": "tool", "name": TOOL },
        });
        if let Some(t) = config.temperature {
            body["temperature"] = json!(t);
        }
        body
    }

    fn answer(&self, response: &Json) -> Result<Answer, String> {
        let content = response["content"]
            .as_array()
            .ok_or("the response has no `content` list")?;
        let tool = content
            .iter()
            .find(|block| block["type"] == "tool_use")
            .map(|block| block["input"].to_string());
        let text = match tool {
            Some(input) => input,
            // No tool call: the rows may still be in plain text.
            None => content
                .iter()
                .filter_map(|block| block["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        };
        if response["stop_reason"] == "refusal" {
            return Err("the model refused".to_owned());
        }
        Ok(Answer {
            text,
            truncated: response["stop_reason"] == "max_tokens",
        })
    }

    fn billed(&self, response: &Json) -> Billed {
        let usage = &response["usage"];
        Billed {
            input: tokens(&usage["input_tokens"])
                + tokens(&usage["cache_creation_input_tokens"])
                + tokens(&usage["cache_read_input_tokens"]),
            output: tokens(&usage["output_tokens"]),
        }
    }

    fn downgrade(&self, mode: &mut Mode, message: &str) -> Option<String> {
        let lower = message.to_ascii_lowercase();
        if mode.strict_tools && (lower.contains("strict") || lower.contains(STRICT_BETA)) {
            mode.strict_tools = false;
            return Some("the API refused strict tool input; asking without it".to_owned());
        }
        None
    }
}

/// Google Gemini `generateContent` with a response JSON schema.
struct Gemini;

impl Gemini {
    /// The `thinkingConfig` for `model`: a budget for Gemini 2.x (each
    /// family's lower bound respected), a level for later models.
    fn thinking(model: &str, budget: u32) -> (Json, u32) {
        if model.starts_with("gemini-2") {
            let budget = if model.contains("pro") {
                budget.max(128)
            } else if model.contains("lite") && budget > 0 {
                budget.max(512)
            } else {
                budget
            };
            (json!({ "thinkingBudget": budget }), budget)
        } else {
            let level = if budget <= 1024 { "low" } else { "high" };
            (json!({ "thinkingLevel": level }), budget)
        }
    }
}

impl Wire for Gemini {
    fn dialect(&self) -> Dialect {
        Dialect::Gemini
    }

    fn url(&self, config: &LlmConfig) -> String {
        format!("{}/v1beta/models/{}:generateContent", base(config), config.model)
    }

    fn headers(&self, config: &LlmConfig, _: &Mode) -> Vec<(&'static str, String)> {
        // In a header, not the `?key=` query parameter: URLs end up in logs.
        config
            .api_key
            .iter()
            .map(|key| ("x-goog-api-key", key.expose().to_owned()))
            .collect()
    }

    fn body(&self, config: &LlmConfig, ask: &Ask<'_>, mode: &Mode) -> Json {
        let mut generation = json!({
            "maxOutputTokens": config.max_tokens,
            "responseMimeType": "application/json",
            "responseJsonSchema": ask.schema,
        });
        if let Some(budget) = mode.thinking {
            // Thinking shares maxOutputTokens: the budget comes on top, so
            // the JSON keeps the whole limit.
            let (thinking, spent) = Gemini::thinking(&config.model, budget);
            generation["thinkingConfig"] = thinking;
            generation["maxOutputTokens"] = json!(config.max_tokens.saturating_add(spent));
        }
        if let Some(t) = config.temperature {
            generation["temperature"] = json!(t);
        }
        json!({
            "systemInstruction": { "parts": [{ "text": ask.system }] },
            "contents": [{ "role": "user", "parts": [{ "text": ask.user }] }],
            "generationConfig": generation,
        })
    }

    fn answer(&self, response: &Json) -> Result<Answer, String> {
        let candidate = &response["candidates"][0];
        let reason = || {
            response["promptFeedback"]["blockReason"]
                .as_str()
                .or_else(|| candidate["finishReason"].as_str())
                .unwrap_or("no candidates")
                .to_owned()
        };
        let Some(parts) = candidate["content"]["parts"].as_array() else {
            return Err(format!("the response has no content ({})", reason()));
        };
        // Thought summaries are parts too; only the answer counts.
        let text: String = parts
            .iter()
            .filter(|p| p["thought"] != true)
            .filter_map(|p| p["text"].as_str())
            .collect();
        if text.trim().is_empty() {
            return Err(format!("the reply is empty ({})", reason()));
        }
        Ok(Answer {
            text,
            truncated: candidate["finishReason"] == "MAX_TOKENS",
        })
    }

    fn billed(&self, response: &Json) -> Billed {
        let usage = &response["usageMetadata"];
        // Thinking tokens are billed as output.
        Billed {
            input: tokens(&usage["promptTokenCount"]),
            output: tokens(&usage["candidatesTokenCount"]) + tokens(&usage["thoughtsTokenCount"]),
        }
    }

    fn downgrade(&self, mode: &mut Mode, message: &str) -> Option<String> {
        let lower = message.to_ascii_lowercase();
        if mode.thinking.is_some() && (lower.contains("thinking") || lower.contains("budget")) {
            mode.thinking = None;
            return Some("the API refused the thinking budget; leaving the model's default".to_owned());
        }
        None
    }
}
