//! The providers' wire formats behind one small trait: where to send a
//! request, its headers and JSON body, and how to read the answer.

use serde_json::{Value as Json, json};

use super::config::{LlmConfig, Provider};
use super::prompt::Dialect;

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
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
}

/// A provider's wire format.
pub(crate) trait Wire: Send + Sync {
    /// The schema dialect the provider accepts.
    fn dialect(&self) -> Dialect;
    /// The full URL of a request.
    fn url(&self, config: &LlmConfig) -> String;
    /// Headers, the key among them (never in the URL).
    fn headers(&self, config: &LlmConfig) -> Vec<(&'static str, String)>;
    /// The JSON body.
    fn body(&self, config: &LlmConfig, ask: &Ask<'_>) -> Json;
    /// The model's answer in a 200 response body; `Err` when the body has no
    /// answer (a refusal, a blocked prompt), with the reason.
    fn answer(&self, response: &Json) -> Result<Answer, String>;
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
        Dialect::OpenAiStrict
    }

    fn url(&self, config: &LlmConfig) -> String {
        let base = base(config);
        if base.contains("/chat/completions") {
            base
        } else {
            format!("{base}/chat/completions")
        }
    }

    fn headers(&self, config: &LlmConfig) -> Vec<(&'static str, String)> {
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

    fn body(&self, config: &LlmConfig, ask: &Ask<'_>) -> Json {
        let mut body = json!({
            "model": config.model,
            "messages": [
                { "role": "system", "content": ask.system },
                { "role": "user", "content": ask.user },
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": { "name": "rows", "strict": true, "schema": ask.schema },
            },
        });
        // OpenAI has renamed the limit; compatible servers know the old name.
        let limit = if self.compatible {
            "max_tokens"
        } else {
            "max_completion_tokens"
        };
        body[limit] = json!(config.max_tokens);
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
            input_tokens: tokens(&response["usage"]["prompt_tokens"]),
            output_tokens: tokens(&response["usage"]["completion_tokens"]),
        })
    }
}

/// Anthropic Messages: the rows come back as the input of a forced tool call.
struct Anthropic;

/// The tool Anthropic models are made to call.
const TOOL: &str = "emit_rows";

impl Wire for Anthropic {
    fn dialect(&self) -> Dialect {
        Dialect::JsonSchema
    }

    fn url(&self, config: &LlmConfig) -> String {
        let base = base(config);
        if base.ends_with("/v1") {
            format!("{base}/messages")
        } else {
            format!("{base}/v1/messages")
        }
    }

    fn headers(&self, config: &LlmConfig) -> Vec<(&'static str, String)> {
        let mut headers = vec![("anthropic-version", "2023-06-01".to_owned())];
        if let Some(key) = &config.api_key {
            headers.push(("x-api-key", key.expose().to_owned()));
        }
        headers
    }

    fn body(&self, config: &LlmConfig, ask: &Ask<'_>) -> Json {
        let mut body = json!({
            "model": config.model,
            "max_tokens": config.max_tokens,
            "system": ask.system,
            "messages": [{ "role": "user", "content": ask.user }],
            "tools": [{
                "name": TOOL,
                "description": "Records the generated rows.",
                "input_schema": ask.schema,
            }],
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
        Ok(Answer {
            text,
            truncated: response["stop_reason"] == "max_tokens",
            input_tokens: tokens(&response["usage"]["input_tokens"]),
            output_tokens: tokens(&response["usage"]["output_tokens"]),
        })
    }
}

/// Google Gemini `generateContent` with a response schema.
struct Gemini;

impl Wire for Gemini {
    fn dialect(&self) -> Dialect {
        Dialect::Gemini
    }

    fn url(&self, config: &LlmConfig) -> String {
        format!("{}/v1beta/models/{}:generateContent", base(config), config.model)
    }

    fn headers(&self, config: &LlmConfig) -> Vec<(&'static str, String)> {
        // In a header, not the `?key=` query parameter: URLs end up in logs.
        config
            .api_key
            .iter()
            .map(|key| ("x-goog-api-key", key.expose().to_owned()))
            .collect()
    }

    fn body(&self, config: &LlmConfig, ask: &Ask<'_>) -> Json {
        let mut generation = json!({
            "maxOutputTokens": config.max_tokens,
            "responseMimeType": "application/json",
            "responseSchema": ask.schema,
        });
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
        let Some(parts) = candidate["content"]["parts"].as_array() else {
            let reason = response["promptFeedback"]["blockReason"]
                .as_str()
                .or_else(|| candidate["finishReason"].as_str())
                .unwrap_or("no candidates");
            return Err(format!("the response has no content ({reason})"));
        };
        let text: String = parts.iter().filter_map(|p| p["text"].as_str()).collect();
        Ok(Answer {
            text,
            truncated: candidate["finishReason"] == "MAX_TOKENS",
            input_tokens: tokens(&response["usageMetadata"]["promptTokenCount"]),
            output_tokens: tokens(&response["usageMetadata"]["candidatesTokenCount"]),
        })
    }
}
