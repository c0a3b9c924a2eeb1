//! The LLM engine's configuration: a plain value, built in code or read from
//! the environment once, at the edge ([`LlmConfig::from_env`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

/// Which wire format the engine speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// OpenAI Chat Completions with `response_format` JSON schema (strict).
    OpenAi,
    /// Any server speaking OpenAI Chat Completions at another base URL:
    /// Ollama, vLLM, llama.cpp server, LM Studio, Groq, DeepSeek, Azure
    /// OpenAI deployments.
    OpenAiCompatible,
    /// Anthropic Messages, rows returned through a forced tool call.
    Anthropic,
    /// Google Gemini `generateContent` with a response schema.
    Gemini,
}

impl Provider {
    /// Every provider, in a stable order.
    pub const ALL: [Provider; 4] = [
        Provider::OpenAi,
        Provider::OpenAiCompatible,
        Provider::Anthropic,
        Provider::Gemini,
    ];

    /// `openai`, `openai-compatible`, `anthropic` or `gemini`.
    pub const fn name(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::OpenAiCompatible => "openai-compatible",
            Provider::Anthropic => "anthropic",
            Provider::Gemini => "gemini",
        }
    }

    /// Parses a provider name (case-insensitive; `google` means Gemini).
    pub fn from_name(name: &str) -> Option<Provider> {
        match name.trim().to_ascii_lowercase().as_str() {
            "openai" => Some(Provider::OpenAi),
            "openai-compatible" | "openai_compatible" | "compatible" => Some(Provider::OpenAiCompatible),
            "anthropic" | "claude" => Some(Provider::Anthropic),
            "gemini" | "google" => Some(Provider::Gemini),
            _ => None,
        }
    }

    /// The public API's base URL (none for OpenAI-compatible servers).
    pub const fn default_base_url(self) -> Option<&'static str> {
        match self {
            Provider::OpenAi => Some("https://api.openai.com/v1"),
            Provider::OpenAiCompatible => None,
            Provider::Anthropic => Some("https://api.anthropic.com"),
            Provider::Gemini => Some("https://generativelanguage.googleapis.com"),
        }
    }

    /// The environment variable holding this provider's key.
    pub const fn key_variable(self) -> &'static str {
        match self {
            Provider::OpenAi | Provider::OpenAiCompatible => "OPENAI_API_KEY",
            Provider::Anthropic => "ANTHROPIC_API_KEY",
            Provider::Gemini => "GEMINI_API_KEY",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An API key. It is sent in a request header and nowhere else: `Debug`
/// prints `ApiKey(***)`, there is no `Display`, and provider messages that
/// echo it have it replaced by `***` before they reach an error.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key replaced by `***`.
    pub(crate) fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_owned();
        }
        text.replace(&self.0, "***")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// What the record/replay cache does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheMode {
    /// Every request goes to the provider (the default).
    #[default]
    Off,
    /// A recorded response is used when there is one; new responses are recorded.
    ReadWrite,
    /// Only recorded responses are used; a request with none is an error
    /// ([`Error::CacheMiss`]). For tests and CI.
    ReplayOnly,
}

impl CacheMode {
    /// Parses `off`, `read-write` (`rw`, `record`) or `replay-only` (`replay`).
    pub fn from_name(name: &str) -> Option<CacheMode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => Some(CacheMode::Off),
            "read-write" | "readwrite" | "rw" | "record" => Some(CacheMode::ReadWrite),
            "replay-only" | "replay" | "read-only" => Some(CacheMode::ReplayOnly),
            _ => None,
        }
    }
}

/// How the model writes each row. Unless [`LlmConfig::format`] says,
/// the engine picks per provider ([`LlmConfig::row_format`]): compact where
/// the answer schema can give each position its own schema (`prefixItems`:
/// OpenAI-compatible servers such as llama.cpp, vLLM and Ollama, and
/// Gemini), objects where it cannot (OpenAI strict mode, Anthropic tools).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowFormat {
    /// An array of values in a fixed column order, decoded locally: about a
    /// quarter fewer output tokens than objects on the CRM tables (see
    /// `docs/llm.md`), each position with its column's schema.
    #[default]
    Compact,
    /// A JSON object per row, keyed by column name.
    Objects,
}

impl RowFormat {
    /// Parses `compact` or `objects`.
    pub fn from_name(name: &str) -> Option<RowFormat> {
        match name.trim().to_ascii_lowercase().as_str() {
            "compact" | "arrays" => Some(RowFormat::Compact),
            "objects" | "object" => Some(RowFormat::Objects),
            _ => None,
        }
    }
}

/// How an OpenAI-style request asks for JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseFormat {
    /// `response_format: {type: json_schema}` with the answer schema: the
    /// server enforces each column while decoding. The default.
    #[default]
    JsonSchema,
    /// `response_format: {type: json_object}`: valid JSON, layout from the prompt.
    JsonObject,
    /// No `response_format`: the prompt alone asks for the JSON.
    Prompt,
}

impl ResponseFormat {
    /// Parses `json-schema`, `json-object` or `prompt`.
    pub fn from_name(name: &str) -> Option<ResponseFormat> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "json-schema" | "schema" => Some(ResponseFormat::JsonSchema),
            "json-object" | "json" => Some(ResponseFormat::JsonObject),
            "prompt" | "none" | "text" => Some(ResponseFormat::Prompt),
            _ => None,
        }
    }

    /// The next weaker format, tried when a server refuses this one.
    pub(crate) fn weaker(self) -> Option<ResponseFormat> {
        match self {
            ResponseFormat::JsonSchema => Some(ResponseFormat::JsonObject),
            ResponseFormat::JsonObject => Some(ResponseFormat::Prompt),
            ResponseFormat::Prompt => None,
        }
    }

    /// `json-schema`, `json-object` or `prompt`.
    pub const fn name(self) -> &'static str {
        match self {
            ResponseFormat::JsonSchema => "json-schema",
            ResponseFormat::JsonObject => "json-object",
            ResponseFormat::Prompt => "prompt",
        }
    }
}

/// What the engine does when the model cannot finish a batch (the same
/// values again and again, values that never fit a constraint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnStall {
    /// Fill the remaining values from the offline engine, which satisfies
    /// every constraint, and count them in [`crate::engine::llm::Usage`]
    /// (`completed_rows`). The default: a few stubborn values never cost a run.
    #[default]
    Complete,
    /// End the run with [`Error::LlmReply`], nothing returned.
    Fail,
}

impl OnStall {
    /// Parses `complete` (`offline`, `local`) or `fail`.
    pub fn from_name(name: &str) -> Option<OnStall> {
        match name.trim().to_ascii_lowercase().as_str() {
            "complete" | "offline" | "local" => Some(OnStall::Complete),
            "fail" | "error" => Some(OnStall::Fail),
            _ => None,
        }
    }
}

/// Price of a model in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Per million input (prompt) tokens.
    pub input: f64,
    /// Per million output (completion) tokens.
    pub output: f64,
}

/// Built-in list prices (USD per million tokens, late 2025), matched by the
/// longest model-name prefix. Estimates only: override with
/// [`LlmConfig::price`].
const PRICES: &[(&str, f64, f64)] = &[
    ("gpt-4o-mini", 0.15, 0.60),
    ("gpt-4o", 2.50, 10.00),
    ("gpt-4.1-nano", 0.10, 0.40),
    ("gpt-4.1-mini", 0.40, 1.60),
    ("gpt-4.1", 2.00, 8.00),
    ("gpt-5-nano", 0.05, 0.40),
    ("gpt-5-mini", 0.25, 2.00),
    ("gpt-5", 1.25, 10.00),
    ("claude-3-5-haiku", 0.80, 4.00),
    ("claude-haiku-4", 1.00, 5.00),
    ("claude-3-7-sonnet", 3.00, 15.00),
    ("claude-sonnet-4", 3.00, 15.00),
    ("claude-opus-4", 15.00, 75.00),
    ("gemini-2.0-flash", 0.10, 0.40),
    ("gemini-2.5-flash-lite", 0.10, 0.40),
    ("gemini-2.5-flash", 0.30, 2.50),
    ("gemini-2.5-pro", 1.25, 10.00),
    ("gemini-3-flash", 0.50, 3.00),
];

/// The default model of each provider that has one.
pub(crate) fn default_model(provider: Provider) -> Option<&'static str> {
    match provider {
        Provider::OpenAi => Some("gpt-4o-mini"),
        Provider::Anthropic => Some("claude-haiku-4-5"),
        Provider::Gemini => Some("gemini-3.5-flash"),
        Provider::OpenAiCompatible => None,
    }
}

/// Thinking tokens allowed per request by default: enough for models that
/// cannot turn thinking off, small enough that the JSON is not starved.
pub const DEFAULT_THINKING_BUDGET: u32 = 512;

/// Everything the LLM engine needs to reach a model. Build it with
/// [`LlmConfig::new`] and the `with_*`-style setters, or read it from the
/// environment with [`LlmConfig::from_env`]. Fields are public so a caller
/// can adjust one in place.
///
/// ```
/// use std::time::Duration;
/// use syda::engine::llm::{LlmConfig, Provider};
///
/// let config = LlmConfig::new(Provider::OpenAiCompatible, "llama3.1")
///     .base_url("http://localhost:11434/v1")
///     .concurrency(2)
///     .timeout(Duration::from_secs(120));
/// assert_eq!(config.provider.name(), "openai-compatible");
/// assert!(config.api_key.is_none()); // Ollama needs none
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LlmConfig {
    /// Which wire format to speak.
    pub provider: Provider,
    /// The model name the provider knows.
    pub model: String,
    /// Base URL; `None` uses the provider's public API. For OpenAI-style
    /// servers this is the part before `/chat/completions`; a URL that
    /// already ends in `/chat/completions` (an Azure deployment with its
    /// `api-version`) is used as it is.
    pub base_url: Option<String>,
    /// The key, when the provider needs one.
    pub api_key: Option<ApiKey>,
    /// Sampling temperature; `None` leaves the provider's default.
    pub temperature: Option<f64>,
    /// Output token limit per request (the answer itself; a thinking budget
    /// comes on top).
    pub max_tokens: u32,
    /// Name of the body field carrying `max_tokens` for OpenAI-style servers;
    /// `None`: `max_completion_tokens` for OpenAI, `max_tokens` for the
    /// others. A 400 that names the field and its replacement switches it.
    pub token_limit_param: Option<String>,
    /// How OpenAI-style requests ask for JSON; a 400 naming
    /// `response_format` steps down to the next weaker one.
    pub response_format: ResponseFormat,
    /// Thinking tokens per request for models that think (Gemini): a budget
    /// for 2.x models, `thinkingLevel: low` for later ones when it is at
    /// most 1024; `None` leaves the model's default.
    pub thinking_budget: Option<u32>,
    /// Anthropic tools with `strict: true` (the API then guarantees the
    /// tool input matches its schema); dropped when the API refuses it.
    pub strict_tools: bool,
    /// What happens when the model cannot finish a batch.
    pub on_stall: OnStall,
    /// Limit for one HTTP request, answer included.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Rows asked for per request; `None` picks one from the number of
    /// columns the model fills (about 150 values per request, 5 to 50 rows).
    pub batch_size: Option<usize>,
    /// Retries of one request after a network error, a timeout, HTTP 429 or
    /// a 5xx answer.
    pub retries: u32,
    /// Re-asks of a batch in a row that bring no new valid row before the
    /// engine gives up with [`Error::LlmReply`].
    pub max_attempts: u32,
    /// First backoff between retries; it doubles each retry (with jitter).
    pub backoff: Duration,
    /// Longest backoff between retries (a `Retry-After` is honoured up to
    /// five minutes whatever this is).
    pub max_backoff: Duration,
    /// Record/replay cache mode.
    pub cache: CacheMode,
    /// Directory of the record/replay cache.
    pub cache_dir: PathBuf,
    /// How the model writes rows; `None` picks per provider ([`LlmConfig::row_format`]).
    pub format: Option<RowFormat>,
    /// Price overrides by model-name prefix; they win over the built-in list.
    pub prices: BTreeMap<String, Price>,
}

impl LlmConfig {
    /// A configuration for `model` at `provider`, with defaults: no key,
    /// the provider's public URL, 4096 output tokens, 60 s timeout, 4
    /// requests at once, 4 retries from 500 ms backoff (30 s at most),
    /// 3 attempts without progress, no cache (directory
    /// `tests/fixtures/syda`), the row format picked per provider,
    /// `json_schema` responses, a thinking budget of
    /// [`DEFAULT_THINKING_BUDGET`], strict Anthropic tools, and stalls
    /// completed locally.
    pub fn new(provider: Provider, model: impl Into<String>) -> LlmConfig {
        LlmConfig {
            provider,
            model: model.into(),
            base_url: None,
            api_key: None,
            temperature: None,
            max_tokens: 4096,
            token_limit_param: None,
            response_format: ResponseFormat::default(),
            thinking_budget: Some(DEFAULT_THINKING_BUDGET),
            strict_tools: true,
            on_stall: OnStall::default(),
            timeout: Duration::from_secs(60),
            concurrency: 4,
            batch_size: None,
            retries: 4,
            max_attempts: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            cache: CacheMode::Off,
            cache_dir: PathBuf::from("tests/fixtures/syda"),
            format: None,
            prices: BTreeMap::new(),
        }
    }

    /// Reads the configuration from the process environment: see
    /// [`LlmConfig::from_lookup`].
    pub fn from_env() -> Result<LlmConfig> {
        LlmConfig::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads the configuration through `var` (a name → value lookup):
    ///
    /// - `SYDA_PROVIDER`: `openai`, `anthropic`, `gemini` or
    ///   `openai-compatible`. When unset: `openai-compatible` if
    ///   `OPENAI_BASE_URL` is set, else the provider whose key is set
    ///   (OpenAI, Anthropic, Gemini, in that order).
    /// - `SYDA_MODEL`: the model; required for `openai-compatible`, otherwise
    ///   defaults to a small current model of the provider.
    /// - `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `GEMINI_API_KEY`: the key of
    ///   the chosen provider (required except for `openai-compatible`).
    /// - `OPENAI_BASE_URL`: base URL for `openai` and `openai-compatible`.
    /// - `SYDA_CACHE` (`off`, `read-write`, `replay-only`) and `SYDA_CACHE_DIR`.
    ///
    /// ```
    /// use syda::engine::llm::{LlmConfig, Provider};
    ///
    /// let vars = [("ANTHROPIC_API_KEY", "sk-ant-test"), ("SYDA_MODEL", "claude-haiku-4-5")];
    /// let config = LlmConfig::from_lookup(|name| {
    ///     vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    /// })?;
    /// assert_eq!(config.provider, Provider::Anthropic);
    /// assert_eq!(config.model, "claude-haiku-4-5");
    /// assert!(!format!("{config:?}").contains("sk-ant-test"));
    /// # Ok::<(), syda::Error>(())
    /// ```
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<LlmConfig> {
        let config_error = |message: String| Error::LlmConfig { message };
        let base_url = var("OPENAI_BASE_URL");
        let provider = match var("SYDA_PROVIDER") {
            Some(name) => Provider::from_name(&name).ok_or_else(|| {
                config_error(format!(
                    "SYDA_PROVIDER={name}: expected openai, anthropic, gemini or openai-compatible"
                ))
            })?,
            None if base_url.is_some() => Provider::OpenAiCompatible,
            None => [Provider::OpenAi, Provider::Anthropic, Provider::Gemini]
                .into_iter()
                .find(|p| var(p.key_variable()).is_some())
                .ok_or_else(|| {
                    config_error(
                        "no provider: set SYDA_PROVIDER (openai, anthropic, gemini, openai-compatible) \
                         and the provider's key (OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY)"
                            .to_owned(),
                    )
                })?,
        };
        let model = match (var("SYDA_MODEL"), default_model(provider)) {
            (Some(model), _) => model,
            (None, Some(model)) => model.to_owned(),
            (None, None) => {
                return Err(config_error(
                    "SYDA_MODEL is not set: an OpenAI-compatible server needs the model name it serves"
                        .to_owned(),
                ));
            }
        };
        let mut config = LlmConfig::new(provider, model);
        config.api_key = var(provider.key_variable()).map(ApiKey::new);
        if matches!(provider, Provider::OpenAi | Provider::OpenAiCompatible) {
            config.base_url = base_url;
        }
        if let Some(mode) = var("SYDA_CACHE") {
            config.cache = CacheMode::from_name(&mode).ok_or_else(|| {
                config_error(format!(
                    "SYDA_CACHE={mode}: expected off, read-write or replay-only"
                ))
            })?;
        }
        if let Some(dir) = var("SYDA_CACHE_DIR") {
            config.cache_dir = PathBuf::from(dir);
        }
        config.check()?;
        Ok(config)
    }

    /// Whether the configuration can work at all: a model, a key where the
    /// provider needs one, a base URL for OpenAI-compatible servers.
    pub fn check(&self) -> Result<()> {
        let fail = |message: String| Err(Error::LlmConfig { message });
        if self.model.trim().is_empty() {
            return fail(format!("{}: no model given", self.provider));
        }
        if self.provider == Provider::OpenAiCompatible && self.base_url.is_none() {
            return fail(
                "openai-compatible: no base URL; set OPENAI_BASE_URL or --base-url (e.g. http://localhost:11434/v1 for Ollama)"
                    .to_owned(),
            );
        }
        let replay = self.cache == CacheMode::ReplayOnly;
        if self.api_key.is_none() && self.provider != Provider::OpenAiCompatible && !replay {
            return fail(format!(
                "{}: no API key; set {}",
                self.provider,
                self.provider.key_variable()
            ));
        }
        if self.concurrency == 0 {
            return fail("concurrency must be at least 1".to_owned());
        }
        Ok(())
    }

    /// Sets the key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// Sets the base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the temperature.
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets the output token limit per request.
    pub fn max_tokens(mut self, tokens: u32) -> Self {
        self.max_tokens = tokens;
        self
    }

    /// Sets the request timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how many requests run at once (at least 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// Sets the rows asked for per request (at least 1).
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = Some(rows.max(1));
        self
    }

    /// Sets the retries per request.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets the re-asks without progress allowed per batch (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first and the longest backoff between retries.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.backoff = first;
        self.max_backoff = max.max(first);
        self
    }

    /// Sets the record/replay cache mode and directory.
    pub fn cache(mut self, mode: CacheMode, dir: impl Into<PathBuf>) -> Self {
        self.cache = mode;
        self.cache_dir = dir.into();
        self
    }

    /// Sets how the model writes rows.
    pub fn format(mut self, format: RowFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// How the model writes rows: the one set, else compact where the
    /// provider's schema dialect has positional schemas (`prefixItems`:
    /// OpenAI-compatible servers, Gemini) and objects elsewhere (OpenAI
    /// strict mode, Anthropic tools), so every column is enforced either way.
    pub fn row_format(&self) -> RowFormat {
        self.format.unwrap_or(match self.provider {
            Provider::OpenAiCompatible | Provider::Gemini => RowFormat::Compact,
            Provider::OpenAi | Provider::Anthropic => RowFormat::Objects,
        })
    }

    /// Sets how OpenAI-style requests ask for JSON.
    pub fn response_format(mut self, format: ResponseFormat) -> Self {
        self.response_format = format;
        self
    }

    /// Sets the body field of the output token limit (`max_tokens`,
    /// `max_completion_tokens`).
    pub fn token_limit_param(mut self, name: impl Into<String>) -> Self {
        self.token_limit_param = Some(name.into());
        self
    }

    /// Sets the thinking budget (`None`: the model's default).
    pub fn thinking_budget(mut self, tokens: Option<u32>) -> Self {
        self.thinking_budget = tokens;
        self
    }

    /// Sets what happens when the model cannot finish a batch.
    pub fn on_stall(mut self, on_stall: OnStall) -> Self {
        self.on_stall = on_stall;
        self
    }

    /// Sets the price of models whose name starts with `model` (USD per
    /// million input and output tokens).
    pub fn price(mut self, model: impl Into<String>, input: f64, output: f64) -> Self {
        self.prices.insert(model.into(), Price { input, output });
        self
    }

    /// The price of the configured model: an override, else the built-in
    /// list, by longest matching prefix; `None` when unknown.
    pub fn model_price(&self) -> Option<Price> {
        let model = self.model.as_str();
        let own = self
            .prices
            .iter()
            .filter(|(prefix, _)| model.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, price)| *price);
        own.or_else(|| {
            PRICES
                .iter()
                .filter(|(prefix, _, _)| model.starts_with(prefix))
                .max_by_key(|(prefix, _, _)| prefix.len())
                .map(|&(_, input, output)| Price { input, output })
        })
    }
}
